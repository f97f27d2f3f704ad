// Which snapshot answers a question: the one meta.current_snapshot points at.
#include "rosterd/query/query.hpp"

namespace rosterd::query {

SnapshotInfo current_snapshot(store::Database& db) {
    auto& s = db.cached(
        "SELECT s.id, coalesce(s.completed_at, s.taken_at), coalesce(s.org_id, ''), "
        "coalesce(s.org_name, ''), s.slot FROM meta m JOIN snapshots s ON s.id = CAST(m.value AS "
        "INTEGER) "
        "WHERE m.key = 'current_snapshot'");
    if (!s.step()) {
        s.reset();
        throw NoDataError();
    }
    SnapshotInfo info{s.int64(0), s.int64(1), s.text(2), s.text(3), static_cast<int>(s.int64(4))};
    s.reset();
    return info;
}

}  // namespace rosterd::query
