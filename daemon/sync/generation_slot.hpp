#pragma once
// The user-table slot of a generation (rosterd/store/snapshot_slots.hpp), for the sync's writers.
#include <cstdint>
#include <string>

#include "rosterd/store/store.hpp"

namespace rosterd::sync {

// The slot holding `snapshot`'s user rows; throws StoreError when the generation is not recorded.
int slot_of(store::Database& db, std::int64_t snapshot);

// `sql` with every "{users}", "{user_groups}" and "{user_access}" naming the slot's table.
std::string in_slot(std::string sql, int slot);

}  // namespace rosterd::sync
