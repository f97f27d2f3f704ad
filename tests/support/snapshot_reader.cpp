#include "snapshot_reader.hpp"

#include "rosterd/store.hpp"

namespace rosterd::test {

SnapshotView read_snapshot(const std::string& db_path) {
    SnapshotView view;
    auto db = store::Database::open(db_path, store::Database::Mode::read_only);
    auto current = db->prepare("SELECT value FROM meta WHERE key = 'current_snapshot'");
    if (!current.step())
        return view;
    std::int64_t snap = std::stoll(current.text(0));
    view.snapshot_id = snap;
    auto users = db->prepare("SELECT account_id, status FROM users WHERE snapshot_id = ?");
    users.bind(1, snap);
    while (users.step())
        view.user_status[users.text(0)] = users.text(1);
    auto access = db->prepare(
        "SELECT u.account_id, a.resource_id, a.role, a.billable, a.via, a.last_active "
        "FROM user_access a JOIN users u ON u.snapshot_id = a.snapshot_id AND u.user_no = "
        "a.user_no "
        "WHERE a.snapshot_id = ?");
    access.bind(1, snap);
    while (access.step()) {
        AccessRow row{access.text(2), access.int64(3) != 0, access.text(4),
                      access.optional_int64(5)};
        if (row.billable)
            ++view.billable_per_resource[access.text(1)];
        view.access[{access.text(0), access.text(1)}] = row;
    }
    auto groups = db->prepare("SELECT count(*) FROM groups WHERE snapshot_id = ?");
    groups.bind(1, snap);
    groups.step();
    view.groups = groups.int64(0);
    return view;
}

}  // namespace rosterd::test
