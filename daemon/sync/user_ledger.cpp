#include "user_ledger.hpp"

#include <functional>
#include <stdexcept>

namespace rosterd::sync {

UserLedger::UserLedger(int partitions)
    : keys_(1024, 0), states_(1024, 0), held_(static_cast<std::size_t>(partitions), 0) {
    if (partitions < 1 || partitions > kMaxPartitions)
        throw std::invalid_argument("user ledger: 1 to 32 partitions");
}

std::uint64_t UserLedger::key_of(std::string_view account_id) {
    std::uint64_t key = std::hash<std::string_view>{}(account_id);
    return key == 0 ? 1 : key;
}

// Linear probing from the key's home slot (capacity is a power of two).
std::size_t UserLedger::slot_of(std::uint64_t key) const {
    const std::size_t mask = keys_.size() - 1;
    // The low bits of libstdc++'s string hash are well mixed; fold the high ones in anyway.
    std::size_t slot = static_cast<std::size_t>(key ^ (key >> 32)) & mask;
    while (keys_[slot] != 0 && keys_[slot] != key)
        slot = (slot + 1) & mask;
    return slot;
}

void UserLedger::grow() {
    std::vector<std::uint64_t> keys(keys_.size() * 2, 0);
    std::vector<std::uint8_t> states(keys.size(), 0);
    keys.swap(keys_);
    states.swap(states_);
    for (std::size_t i = 0; i < keys.size(); ++i) {
        if (keys[i] == 0)
            continue;
        auto slot = slot_of(keys[i]);
        keys_[slot] = keys[i];
        states_[slot] = states[i];
    }
}

bool UserLedger::see(std::string_view account_id, int partition, WalkEnd end) {
    const auto key = key_of(account_id);
    const std::uint8_t seen = end == WalkEnd::ascending ? kSeenAscending : kSeenDescending;
    const std::uint8_t other = end == WalkEnd::ascending ? kSeenDescending : kSeenAscending;
    const auto p = static_cast<std::uint8_t>(partition);
    auto slot = slot_of(key);
    if (keys_[slot] == 0) {
        if (static_cast<std::size_t>(users_ + 1) * 2 > keys_.size()) {
            grow();
            slot = slot_of(key);
        }
        keys_[slot] = key;
        states_[slot] = static_cast<std::uint8_t>(p | seen | kPlaced);
        ++users_;
        ++placed_;
        ++held_[p];
        return false;
    }
    std::uint8_t& state = states_[slot];
    const bool was_placed = (state & kPlaced) != 0;
    const auto was = static_cast<std::uint8_t>(state & kPartitionMask);
    if (was_placed && was == p) {
        const bool met = (state & other) != 0;
        state |= seen;
        return met;
    }
    // New to this partition: it moved here (or is found again after its partition was re-listed).
    if (was_placed)
        --held_[was];
    else
        ++placed_;
    ++held_[p];
    state = static_cast<std::uint8_t>(p | seen | kPlaced);
    return false;
}

void UserLedger::begin_walk(int partition) {
    const auto p = static_cast<std::uint8_t>(partition);
    for (std::size_t i = 0; i < keys_.size(); ++i) {
        if (keys_[i] == 0 || (states_[i] & kPlaced) == 0 || (states_[i] & kPartitionMask) != p)
            continue;
        states_[i] = p;  // unplaced, neither end has seen it in this walk
        --placed_;
    }
    held_[p] = 0;
}

bool UserLedger::is_unplaced(std::string_view account_id) const {
    auto slot = slot_of(key_of(account_id));
    return keys_[slot] != 0 && (states_[slot] & kPlaced) == 0;
}

}  // namespace rosterd::sync
