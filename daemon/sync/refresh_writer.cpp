#include "refresh_writer.hpp"

#include "generation_slot.hpp"
#include "rosterd/store/snapshot_slots.hpp"

namespace rosterd::sync {
namespace {

using store::Database;
using store::Transaction;

// The snapshot tables that keep every generation side by side (snapshot_writer.cpp), copied as
// they are: a refresh reads no organization, workspace, directory or group, and lists no user
// partition (the next sync plans its listing from the counts of the sync before).
const char* const kCopiedTables[] = {"sites",  "products",    "directories",
                                     "groups", "group_roles", "snapshot_partitions"};

// Every column of `table` but snapshot_id, comma-separated, read from the schema so that a
// column a later migration adds is copied too.
std::string other_columns(Database& db, const std::string& table) {
    std::string columns;
    auto info = db.prepare("SELECT name FROM pragma_table_info(?)");
    info.bind(1, table);
    while (info.step()) {
        auto name = info.text(0);
        if (name != "snapshot_id")
            columns += (columns.empty() ? "" : ", ") + name;
    }
    if (columns.empty())
        throw store::StoreError("table " + table + " has no columns");
    return columns;
}

// Copies `base`'s rows of `from` into `to` as generation `snapshot`; `where` narrows them.
void copy_rows(Database& db, const std::string& from, const std::string& to, std::int64_t base,
               std::int64_t snapshot, const std::string& where = "") {
    const auto columns = other_columns(db, from);
    db.prepare("INSERT INTO " + to + " (snapshot_id, " + columns + ") SELECT ?1, " + columns +
               " FROM " + from + " WHERE snapshot_id = ?2" + where)
        .bind(1, snapshot)
        .bind(2, base)
        .run();
}

// The published generation into the refresh's, without `accounts`.
void copy_published(Database& db, const RefreshIds& refresh,
                    const std::vector<std::string>& accounts);

}  // namespace

RefreshIds begin_refresh(Database& db, const std::string& trigger,
                         const std::vector<std::string>& accounts, std::int64_t now_ms) {
    auto base = current_snapshot(db);
    if (!base)
        throw store::StoreError("no snapshot to refresh: no sync has succeeded yet");
    RefreshIds refresh{begin_snapshot(db, trigger, now_ms), *base};
    try {
        copy_published(db, refresh, accounts);
    } catch (const std::exception& e) {
        // Recorded as failed at once: the refresh never started, nothing else will end its row.
        discard(db, refresh.ids, std::string(kRefreshFailed), e.what(), {}, now_ms);
        throw;
    }
    return refresh;
}

namespace {

void copy_published(Database& db, const RefreshIds& refresh,
                    const std::vector<std::string>& accounts) {
    const auto* base = &refresh.base;
    const auto snapshot = refresh.ids.snapshot_id;
    const int from = slot_of(db, *base), to = slot_of(db, snapshot);
    Transaction t(db);
    db.exec("CREATE TEMP TABLE IF NOT EXISTS refresh_accounts (account_id TEXT PRIMARY KEY)");
    db.exec("DELETE FROM temp.refresh_accounts");
    {
        auto insert = db.prepare("INSERT OR IGNORE INTO temp.refresh_accounts VALUES (?)");
        for (const auto& account : accounts) {
            insert.bind(1, account);
            insert.run();
        }
    }
    db.prepare(
          "UPDATE snapshots SET (org_id, org_name) = (SELECT org_id, org_name FROM snapshots "
          "WHERE id = ?1) WHERE id = ?2")
        .bind(1, *base)
        .bind(2, snapshot)
        .run();
    for (const char* table : kCopiedTables)
        copy_rows(db, table, table, *base, snapshot);
    // The users keep their numbers; the refreshed ones are written after them (finish_refresh).
    const auto users_to = store::slot_table("users", to);
    copy_rows(db, store::slot_table("users", from), users_to, *base, snapshot,
              " AND account_id NOT IN (SELECT account_id FROM temp.refresh_accounts)");
    const std::string kept = " AND user_no IN (SELECT user_no FROM " + users_to +
                             " WHERE snapshot_id = " + std::to_string(snapshot) + ")";
    for (const char* table : {"user_groups", "user_access"})
        copy_rows(db, store::slot_table(table, from), store::slot_table(table, to), *base, snapshot,
                  kept);
    // Built here, while the refreshed users are read from the API, rather than in the publish.
    index_accounts(db, snapshot);
    t.commit();
}

}  // namespace

std::optional<std::int64_t> finish_refresh(Database& db, const RefreshIds& refresh,
                                           const std::vector<atlassian::DirectoryUser>& users,
                                           const std::unordered_map<std::string, UserRoles>& roles,
                                           bool keep_activity, RunCounters counters,
                                           std::int64_t now_ms) {
    const auto snapshot = refresh.ids.snapshot_id;
    const int from = slot_of(db, refresh.base), to = slot_of(db, snapshot);
    auto in = [](const char* table, int slot) { return store::slot_table(table, slot); };
    // Group grants decide whether access comes through a group, as in a sync.
    GroupGrants grants;
    {
        auto s = db.prepare("SELECT group_id, resource_id FROM group_roles WHERE snapshot_id = ?");
        s.bind(1, snapshot);
        while (s.step())
            grants[s.text(0)].push_back(s.text(1));
    }
    // As atlassian/user; the roles follow. The refreshed accounts were left out of the copy
    // (read_users returns only the accounts asked for, each once), so they are new to the
    // generation: one copied again would break the account index and fail the refresh.
    AccountNumbers numbers;
    write_users(db, snapshot, users, grants, numbers);

    Transaction t(db);
    // Roles other than atlassian/user, as a sync's role queries would have found them.
    std::vector<std::tuple<std::string, std::string, std::string>> overrides;
    {
        auto s = db.prepare("SELECT u.account_id, a.resource_id, a.role FROM " + in("users", from) +
                            " u JOIN " + in("user_access", from) +
                            " a ON a.snapshot_id = u.snapshot_id AND a.user_no = u.user_no "
                            "WHERE u.snapshot_id = ? AND a.role <> 'atlassian/user' AND "
                            "u.account_id IN (SELECT account_id FROM temp.refresh_accounts)");
        s.bind(1, refresh.base);
        while (s.step())
            if (!roles.count(s.text(0)))
                overrides.emplace_back(s.text(0), s.text(1), s.text(2));
    }
    for (const auto& [account, list] : roles)
        for (const auto& [resource, role] : list)
            if (role != "atlassian/user")
                overrides.emplace_back(account, resource, role);
    auto set_role = db.prepare(
        "UPDATE " + in("user_access", to) +
        " SET role = ?1, billable = (?1 IN ('atlassian/user', 'atlassian/admin') AND billable) "
        "WHERE snapshot_id = ?2 AND resource_id = ?3 AND user_no = (SELECT user_no FROM " +
        in("users", to) + " WHERE snapshot_id = ?2 AND account_id = ?4)");
    for (const auto& [account, resource, role] : overrides) {
        set_role.bind(1, role).bind(2, snapshot).bind(3, resource).bind(4, account);
        set_role.run();
    }
    if (keep_activity) {
        const std::string refreshed =
            "(SELECT user_no FROM " + in("users", to) +
            " WHERE snapshot_id = ?1 AND account_id IN (SELECT account_id FROM "
            "temp.refresh_accounts))";
        db.prepare("UPDATE " + in("user_access", to) +
                   " AS a SET last_active = (SELECT b.last_active FROM " + in("users", from) +
                   " bu JOIN " + in("user_access", from) +
                   " b ON b.snapshot_id = bu.snapshot_id AND b.user_no = bu.user_no JOIN " +
                   in("users", to) +
                   " nu ON nu.snapshot_id = a.snapshot_id AND nu.user_no = a.user_no "
                   "WHERE bu.snapshot_id = ?2 AND bu.account_id = nu.account_id AND "
                   "b.resource_id = a.resource_id) WHERE a.snapshot_id = ?1 AND a.user_no IN " +
                   refreshed)
            .bind(1, snapshot)
            .bind(2, refresh.base)
            .run();
        db.prepare("UPDATE " + in("users", to) +
                   " AS n SET (last_active, added_to_org) = (SELECT b.last_active, "
                   "coalesce(b.added_to_org, n.added_to_org) FROM " +
                   in("users", from) +
                   " b WHERE b.snapshot_id = ?2 AND b.account_id = n.account_id) "
                   "WHERE n.snapshot_id = ?1 AND n.user_no IN " +
                   refreshed + " AND EXISTS (SELECT 1 FROM " + in("users", from) +
                   " b WHERE b.snapshot_id = ?2 AND b.account_id = n.account_id)")
            .bind(1, snapshot)
            .bind(2, refresh.base)
            .run();
    }
    {
        auto count = db.prepare("SELECT count(*) FROM groups WHERE snapshot_id = ?");
        count.bind(1, snapshot);
        count.step();
        counters.groups = count.int64(0);
    }
    // The switch, as a sync's: readers move to the new generation in this one commit.
    auto previous = current_snapshot(db);
    if (previous != refresh.base)
        throw store::StoreError("the published snapshot changed during the refresh");
    db.cached("UPDATE snapshots SET state = 'retired' WHERE id = ?").bind(1, refresh.base).run();
    db.cached("UPDATE snapshots SET state = 'complete', completed_at = ? WHERE id = ?")
        .bind(1, now_ms)
        .bind(2, snapshot)
        .run();
    db.cached("UPDATE meta SET value = ? WHERE key = 'current_snapshot'")
        .bind(1, std::to_string(snapshot))
        .run();
    db.prepare(
          "UPDATE sync_runs SET outcome = ?, finished_at = ?, requests = ?, retries = ?, "
          "users = ?, groups = ? WHERE id = ?")
        .bind(1, std::string(kRefreshed))
        .bind(2, now_ms)
        .bind(3, counters.requests)
        .bind(4, counters.retries)
        .bind(5, counters.users)
        .bind(6, counters.groups)
        .bind(7, refresh.ids.run_id)
        .run();
    t.commit();
    return previous;
}

}  // namespace rosterd::sync
