#pragma once
// Which users a sync has seen, and in which partition it saw each one last. Users are listed
// through disjoint users/search filters, page by page, while the organization may change: a user
// can be returned by two partitions (moved after one listed them, before the other did) or by
// none (moved the other way). The ledger keeps, per partition, how many users it holds there, so
// the sync can compare with users/count at the end and list again where they differ; and it
// notices when the two ends of one listing meet (a user returned by both walks of a partition).
//
// Memory: 9 bytes per slot at most 50 % full, keyed by a 64-bit hash of the account id (500,000
// users: ~18 MB at worst, not the account ids themselves). Two accounts with the same hash would
// look like one user here: the database still keeps both (it de-duplicates by the account id
// itself), and at worst the counts disagree and a partition is listed once more.
#include <cstdint>
#include <string_view>
#include <vector>

#include "hash_slots.hpp"

namespace rosterd::sync {

enum class WalkEnd : std::uint8_t { ascending, descending };

class UserLedger {
  public:
    static constexpr int kMaxPartitions = 32;

    explicit UserLedger(int partitions);

    // A user returned by `partition`'s walk from `end`. True when the other end of the same walk
    // returned this user already: the two walks have met, the partition is covered.
    bool see(std::string_view account_id, int partition, WalkEnd end);
    // Before a partition is listed again: its users become unplaced until they are seen again.
    void begin_walk(int partition);
    // Users whose last sighting was in `partition`.
    std::int64_t held(int partition) const { return held_[static_cast<std::size_t>(partition)]; }
    // Distinct users placed in some partition.
    std::int64_t placed() const { return placed_; }
    // Users seen once but not found again when their partition was listed again: they left it
    // and, when every count agrees, the organization.
    std::int64_t unplaced() const { return static_cast<std::int64_t>(states_.size()) - placed_; }
    bool is_unplaced(std::string_view account_id) const;

  private:
    static constexpr std::uint8_t kPartitionMask = 0x1F;
    static constexpr std::uint8_t kSeenAscending = 0x20;
    static constexpr std::uint8_t kSeenDescending = 0x40;
    static constexpr std::uint8_t kPlaced = 0x80;

    HashSlots<std::uint8_t> states_;  // account hash -> partition and flags
    std::vector<std::int64_t> held_;
    std::int64_t placed_ = 0;
};

}  // namespace rosterd::sync
