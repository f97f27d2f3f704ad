#include "snapshot_reader.hpp"

#include <stdexcept>

#include "rosterd/store/snapshot_slots.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::test {

SnapshotView read_snapshot(const std::string& db_path) {
    SnapshotView view;
    auto db = store::Database::open(db_path, store::Database::Mode::read_only);
    auto current = db->prepare("SELECT value FROM meta WHERE key = 'current_snapshot'");
    if (!current.step())
        return view;
    std::int64_t snap = std::stoll(current.text(0));
    view.snapshot_id = snap;
    auto slot = db->prepare("SELECT slot FROM snapshots WHERE id = ?");
    slot.bind(1, snap);
    if (!slot.step())
        throw std::runtime_error("the published snapshot " + std::to_string(snap) +
                                 " has no snapshots row");
    const std::string users_table = store::slot_table("users", static_cast<int>(slot.int64(0)));
    const std::string access_table =
        store::slot_table("user_access", static_cast<int>(slot.int64(0)));
    auto users =
        db->prepare("SELECT account_id, status FROM " + users_table + " WHERE snapshot_id = ?");
    users.bind(1, snap);
    while (users.step())
        view.user_status[users.text(0)] = users.text(1);
    auto access = db->prepare(
        "SELECT u.account_id, a.resource_id, a.role, a.billable, a.via, a.last_active "
        "FROM " +
        access_table + " a JOIN " + users_table +
        " u ON u.snapshot_id = a.snapshot_id AND u.user_no = "
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

std::int64_t recorded_generations(const std::string& db_path) {
    auto db = store::Database::open(db_path, store::Database::Mode::read_only);
    auto s = db->prepare(
        "SELECT count(*) FROM (SELECT id FROM snapshots UNION SELECT snapshot_id FROM products "
        "UNION SELECT snapshot_id FROM groups UNION SELECT snapshot_id FROM group_roles)");
    s.step();
    return s.int64(0);
}

std::int64_t generations_in_slot(const std::string& db_path, int slot) {
    auto db = store::Database::open(db_path, store::Database::Mode::read_only);
    auto s =
        db->prepare("SELECT count(DISTINCT snapshot_id) FROM " + store::slot_table("users", slot));
    s.step();
    return s.int64(0);
}

}  // namespace rosterd::test
