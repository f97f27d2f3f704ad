#pragma once
// Where a snapshot generation's user rows live.
//
// users, user_groups and user_access hold most of a snapshot (100k users: ~550k rows). They come
// in two slots (users_0 / users_1, ...): a sync empties the slot the published generation does not
// use, which SQLite does page by page without visiting rows, and writes its generation there;
// publishing switches meta.current_snapshot, whose snapshots row names the slot. Retiring the old
// generation then costs nothing: its rows wait for the next sync to empty their slot. (Deleting a
// generation row by row from shared tables cost 1.5 s of CPU per 100k-user sync.) The smaller
// snapshot tables keep every generation's rows side by side, keyed by snapshot_id.
#include <string>
#include <string_view>

namespace rosterd::store {

inline constexpr int kSnapshotSlots = 2;
inline constexpr const char* kSlotTables[] = {"users", "user_groups", "user_access"};

// "users", 1 -> "users_1".
inline std::string slot_table(std::string_view table, int slot) {
    return std::string(table) + "_" + std::to_string(slot);
}

// The index finding a slot's users by account id: "users_1_by_account". A slot being written by a
// sync has none until its users are in (sync/account_numbers.hpp).
inline std::string account_index(int slot) {
    return slot_table("users", slot) + "_by_account";
}

}  // namespace rosterd::store
