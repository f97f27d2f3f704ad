#include "generation_slot.hpp"

#include "rosterd/store/snapshot_slots.hpp"

namespace rosterd::sync {

int slot_of(store::Database& db, std::int64_t snapshot) {
    auto& s = db.cached("SELECT slot FROM snapshots WHERE id = ?");
    s.bind(1, snapshot);
    if (!s.step()) {
        s.reset();
        throw store::StoreError("snapshot " + std::to_string(snapshot) + " is not recorded");
    }
    auto slot = static_cast<int>(s.int64(0));
    s.reset();
    return slot;
}

std::string in_slot(std::string sql, int slot) {
    for (const char* table : store::kSlotTables) {
        const std::string marker = std::string("{") + table + "}";
        for (auto at = sql.find(marker); at != std::string::npos; at = sql.find(marker, at))
            sql.replace(at, marker.size(), store::slot_table(table, slot));
    }
    return sql;
}

}  // namespace rosterd::sync
