#pragma once
// The sync's per-account tables (user_ledger.hpp, account_numbers.hpp) keep a 64-bit hash of each
// account id and a small value, not the account ids: open addressing, linear probing from the
// key's home slot, at most half full (capacity a power of two). Key 0 marks an empty slot.
#include <cstddef>
#include <cstdint>
#include <functional>
#include <string_view>
#include <vector>

namespace rosterd::sync {

template <typename Value>
class HashSlots {
  public:
    HashSlots() { clear(); }

    // libstdc++'s string hash, never 0 (the empty mark).
    static std::uint64_t key_of(std::string_view account) {
        const std::uint64_t key = std::hash<std::string_view>{}(account);
        return key == 0 ? 1 : key;
    }

    // The slot holding `key`, or the empty slot where it would go.
    std::size_t find(std::uint64_t key) const {
        const std::size_t mask = keys_.size() - 1;
        // The low bits of libstdc++'s string hash are well mixed; fold the high ones in anyway.
        std::size_t slot = static_cast<std::size_t>(key ^ (key >> 32)) & mask;
        while (keys_[slot] != 0 && keys_[slot] != key)
            slot = (slot + 1) & mask;
        return slot;
    }
    bool occupied(std::size_t slot) const { return keys_[slot] != 0; }
    Value& value(std::size_t slot) { return values_[slot]; }
    const Value& value(std::size_t slot) const { return values_[slot]; }

    // Adds `key`, which find() did not find, growing first when the table would be more than
    // half full.
    void insert(std::uint64_t key, Value value) {
        if ((size_ + 1) * 2 > keys_.size())
            grow();
        const auto slot = find(key);
        keys_[slot] = key;
        values_[slot] = value;
        ++size_;
    }
    std::size_t size() const { return size_; }

    // Every occupied slot's value, to change in place.
    template <typename Fn>
    void for_each_value(Fn&& fn) {
        for (std::size_t i = 0; i < keys_.size(); ++i)
            if (keys_[i] != 0)
                fn(values_[i]);
    }

    // Empty again, with the memory given back.
    void clear() {
        std::vector<std::uint64_t>(kFirstCapacity, 0).swap(keys_);
        std::vector<Value>(kFirstCapacity, Value{}).swap(values_);
        size_ = 0;
    }

  private:
    static constexpr std::size_t kFirstCapacity = 1024;

    void grow() {
        std::vector<std::uint64_t> keys(keys_.size() * 2, 0);
        std::vector<Value> values(keys.size(), Value{});
        keys.swap(keys_);
        values.swap(values_);
        for (std::size_t i = 0; i < keys.size(); ++i) {
            if (keys[i] == 0)
                continue;
            const auto slot = find(keys[i]);
            keys_[slot] = keys[i];
            values_[slot] = values[i];
        }
    }

    std::vector<std::uint64_t> keys_;
    std::vector<Value> values_;
    std::size_t size_ = 0;
};

}  // namespace rosterd::sync
