#pragma once
// The user number each account got in the generation a sync is writing. While a sync lists, the
// generation's users table has no account index: inserting 500,000 accounts at random places
// into it rewrote most of its pages with every batch, the largest share of the writer's CPU and
// I/O. The index is built once the listing ends (index_accounts); until then this finds the
// accounts written twice (where the two ends of a partition meet, or a user moved between
// partitions), whose later copy replaces the earlier one.
//
// Memory: 12 bytes per slot at most half full, keyed by a 64-bit hash of the account id (500,000
// users: 12 MB). A hash that matches is checked against the account stored under the number, so
// two accounts with the same hash cost a lookup, never a user: the second is kept apart, by its
// account id. Used on the database writer thread only.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include "hash_slots.hpp"

namespace rosterd::sync {

class AccountNumbers {
  public:
    // The account id stored under a user number.
    using StoredAccount = std::function<std::string(std::int64_t user_no)>;

    // The hash of an account id (never 0); tests pass a weak one to make accounts collide.
    using Hash = std::uint64_t (*)(std::string_view account);

    explicit AccountNumbers(Hash hash = &HashSlots<std::uint32_t>::key_of);

    // The number `account` was written under, or nullopt when it was not written yet.
    std::optional<std::int64_t> find(std::string_view account, const StoredAccount& stored) const;
    // Records a new account's number; find() must have returned nullopt for it.
    void add(std::string_view account, std::int64_t user_no);
    std::size_t size() const { return slots_.size() + apart_.size(); }
    // Gives the memory back once the generation's account index is built.
    void release();

  private:
    std::uint64_t key_of(std::string_view account) const;

    Hash hash_;
    HashSlots<std::uint32_t> slots_;  // account hash -> user number
    // Accounts whose hash an earlier account holds: by their own id.
    std::unordered_map<std::string, std::int64_t> apart_;
};

}  // namespace rosterd::sync
