#include "user_ledger.hpp"

#include <stdexcept>

namespace rosterd::sync {

UserLedger::UserLedger(int partitions) : held_(static_cast<std::size_t>(partitions), 0) {
    if (partitions < 1 || partitions > kMaxPartitions)
        throw std::invalid_argument("user ledger: 1 to 32 partitions");
}

bool UserLedger::see(std::string_view account_id, int partition, WalkEnd end) {
    const auto key = HashSlots<std::uint8_t>::key_of(account_id);
    const std::uint8_t seen = end == WalkEnd::ascending ? kSeenAscending : kSeenDescending;
    const std::uint8_t other = end == WalkEnd::ascending ? kSeenDescending : kSeenAscending;
    const auto p = static_cast<std::uint8_t>(partition);
    const auto slot = states_.find(key);
    if (!states_.occupied(slot)) {
        states_.insert(key, static_cast<std::uint8_t>(p | seen | kPlaced));
        ++placed_;
        ++held_[p];
        return false;
    }
    std::uint8_t& state = states_.value(slot);
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
    states_.for_each_value([&](std::uint8_t& state) {
        if ((state & kPlaced) == 0 || (state & kPartitionMask) != p)
            return;
        state = p;  // unplaced, neither end has seen it in this walk
        --placed_;
    });
    held_[p] = 0;
}

bool UserLedger::is_unplaced(std::string_view account_id) const {
    const auto slot = states_.find(HashSlots<std::uint8_t>::key_of(account_id));
    return states_.occupied(slot) && (states_.value(slot) & kPlaced) == 0;
}

}  // namespace rosterd::sync
