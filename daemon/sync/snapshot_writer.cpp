#include "snapshot_writer.hpp"

#include <algorithm>

#include "generation_slot.hpp"
#include "rosterd/base/text.hpp"
#include "rosterd/store/snapshot_slots.hpp"

namespace rosterd::sync {
namespace {

using store::Database;
using store::Transaction;

// Snapshot tables holding every generation side by side (the user tables live in slots).
const char* const kSnapshotTables[] = {"sites",
                                       "products",
                                       "directories",
                                       "groups",
                                       "group_roles",
                                       "sync_role_overrides",
                                       "snapshot_partitions"};

std::string host_of(const std::string& url) {
    auto start = url.find("://");
    std::string host = start == std::string::npos ? url : url.substr(start + 3);
    auto slash = host.find('/');
    if (slash != std::string::npos)
        host.resize(slash);
    return host;
}

// "ari:cloud:jira::site/<cloudId>" -> "<cloudId>".
std::string cloud_id_of(const std::string& ari) {
    auto slash = ari.rfind('/');
    return slash == std::string::npos ? ari : ari.substr(slash + 1);
}

std::string email_domain(const std::string& email) {
    auto at = email.rfind('@');
    return at == std::string::npos ? std::string() : lowercase(email.substr(at + 1));
}

// App (bot) accounts: the v1 API says account_type "app"; the v2 enum only knows "atlassian",
// where app accounts are recognisable by Atlassian's connect domain.
bool is_app_account(const atlassian::DirectoryUser& user, const std::string& domain) {
    return user.account_type == "app" || domain == "connect.atlassian.com";
}

bool has(const std::vector<std::string>& list, const char* value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

bool granted_by_a_group(const atlassian::DirectoryUser& user, const std::string& resource_id,
                        const GroupGrants& grants) {
    for (const auto& g : user.groups) {
        auto found = grants.find(g.id);
        if (found != grants.end() && has(found->second, resource_id.c_str()))
            return true;
    }
    return false;
}

void set_meta(Database& db, const std::string& key, const std::string& value) {
    db.cached(
          "INSERT INTO meta(key, value) VALUES (?, ?) "
          "ON CONFLICT(key) DO UPDATE SET value = excluded.value")
        .bind(1, key)
        .bind(2, value)
        .run();
}

}  // namespace

std::optional<std::int64_t> current_snapshot(Database& db) {
    auto& s = db.cached("SELECT value FROM meta WHERE key = 'current_snapshot'");
    if (!s.step())
        return std::nullopt;
    auto value = std::stoll(s.text(0));
    s.reset();
    return value;
}

std::vector<InterruptedSync> recover_interrupted(Database& db, std::int64_t now_ms) {
    std::vector<std::int64_t> abandoned;
    {
        auto s = db.prepare("SELECT id FROM snapshots WHERE state IN ('building', 'retired')");
        while (s.step())
            abandoned.push_back(s.int64(0));
    }
    for (auto id : abandoned)
        delete_generation(db, id);
    Transaction t(db);
    std::vector<InterruptedSync> interrupted;
    {
        auto s = db.prepare(
            "SELECT id, trigger, started_at, requests, retries FROM sync_runs "
            "WHERE outcome = 'running' ORDER BY id");
        while (s.step())
            interrupted.push_back({s.int64(0), s.text(1), s.int64(2), s.int64(3), s.int64(4)});
    }
    db.cached(
          "UPDATE sync_runs SET outcome = 'interrupted', finished_at = ?, "
          "error = ? WHERE outcome = 'running'")
        .bind(1, now_ms)
        .bind(2, std::string(kInterruptedError))
        .run();
    t.commit();
    return interrupted;
}

void record_sync_progress(Database& db, std::int64_t run_id, std::int64_t requests,
                          std::int64_t retries) {
    db.cached("UPDATE sync_runs SET requests = ?, retries = ? WHERE id = ? AND outcome = 'running'")
        .bind(1, requests)
        .bind(2, retries)
        .bind(3, run_id)
        .run();
}

SnapshotIds begin_snapshot(Database& db, const std::string& trigger, std::int64_t now_ms) {
    Transaction t(db);
    db.cached("INSERT INTO sync_runs(trigger, started_at, outcome) VALUES (?, ?, 'running')")
        .bind(1, trigger)
        .bind(2, now_ms)
        .run();
    SnapshotIds ids;
    ids.run_id = db.last_insert_rowid();
    db.cached("INSERT INTO snapshots(sync_run_id, state, taken_at) VALUES (?, 'building', ?)")
        .bind(1, ids.run_id)
        .bind(2, now_ms)
        .run();
    ids.snapshot_id = db.last_insert_rowid();
    // The slot the published generation does not use, emptied. A DELETE without WHERE frees
    // whole pages (SQLite's truncate optimization) instead of visiting every row.
    auto published = current_snapshot(db);
    const int slot = published ? 1 - slot_of(db, *published) : 0;
    for (const char* table : store::kSlotTables)
        db.exec("DELETE FROM " + store::slot_table(table, slot));
    // Without its account index until the users are in (index_accounts, account_numbers.hpp).
    db.exec("DROP INDEX IF EXISTS " + store::account_index(slot));
    db.cached("UPDATE snapshots SET slot = ? WHERE id = ?")
        .bind(1, std::int64_t{slot})
        .bind(2, ids.snapshot_id)
        .run();
    db.cached("UPDATE sync_runs SET snapshot_id = ? WHERE id = ?")
        .bind(1, ids.snapshot_id)
        .bind(2, ids.run_id)
        .run();
    t.commit();
    return ids;
}

void write_org(Database& db, std::int64_t snapshot, const atlassian::Org& org) {
    db.cached("UPDATE snapshots SET org_id = ?, org_name = ? WHERE id = ?")
        .bind(1, org.id)
        .bind(2, org.name)
        .bind(3, snapshot)
        .run();
}

void write_workspaces(Database& db, std::int64_t snapshot,
                      const std::vector<atlassian::Workspace>& workspaces) {
    Transaction t(db);
    for (const auto& w : workspaces) {
        std::string cloud_id = cloud_id_of(w.id);
        std::string host = host_of(w.host_url);
        if (!host.empty())
            db.cached(
                  "INSERT OR IGNORE INTO sites(snapshot_id, cloud_id, host, url) "
                  "VALUES (?, ?, ?, ?)")
                .bind(1, snapshot)
                .bind(2, cloud_id)
                .bind(3, host)
                .bind(4, w.host_url)
                .run();
        db.cached(
              "INSERT OR REPLACE INTO products(snapshot_id, resource_id, cloud_id, site_host, "
              "product_key, product_type, name, status, capacity) "
              "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")
            .bind(1, snapshot)
            .bind(2, w.id)
            .bind(3, cloud_id)
            .bind(4, host)
            .bind(5, w.type_key.empty() ? w.type : w.type_key)
            .bind(6, w.type)
            .bind(7, w.name)
            .bind(8, w.status)
            .bind(9, w.capacity)
            .run();
    }
    t.commit();
}

void write_directories(Database& db, std::int64_t snapshot,
                       const std::vector<atlassian::Directory>& directories) {
    Transaction t(db);
    for (const auto& d : directories)
        db.cached(
              "INSERT OR REPLACE INTO directories(snapshot_id, directory_id, name) "
              "VALUES (?, ?, ?)")
            .bind(1, snapshot)
            .bind(2, d.id)
            .bind(3, d.name)
            .run();
    t.commit();
}

void write_groups(Database& db, std::int64_t snapshot,
                  const std::vector<atlassian::Group>& groups) {
    Transaction t(db);
    for (const auto& g : groups)
        db.cached(
              "INSERT OR REPLACE INTO groups(snapshot_id, group_id, name, description, "
              "directory_id, external_synced, managed_by) VALUES (?, ?, ?, ?, ?, ?, ?)")
            .bind(1, snapshot)
            .bind(2, g.id)
            .bind(3, g.name)
            .bind(4, g.description)
            .bind(5, g.directory_id)
            .bind(6, g.external_synced ? 1 : 0)
            .bind(7, g.managed_by)
            .run();
    t.commit();
}

void write_group_roles(Database& db, std::int64_t snapshot, const std::string& group_id,
                       const std::vector<atlassian::GroupRoleAssignment>& roles) {
    Transaction t(db);
    for (const auto& assignment : roles)
        for (const auto& role : assignment.roles)
            db.cached(
                  "INSERT OR IGNORE INTO group_roles(snapshot_id, group_id, resource_id, role) "
                  "VALUES (?, ?, ?, ?)")
                .bind(1, snapshot)
                .bind(2, group_id)
                .bind(3, assignment.resource_id)
                .bind(4, role)
                .run();
    t.commit();
}

std::int64_t write_users(Database& db, std::int64_t snapshot,
                         const std::vector<atlassian::DirectoryUser>& users,
                         const GroupGrants& grants, AccountNumbers& numbers) {
    Transaction t(db);
    const int slot = slot_of(db, snapshot);
    const std::string user_columns =
        "{users}(snapshot_id, user_no, account_id, name, nickname, "
        "email, email_domain, account_type, account_status, membership_status, status, "
        "claim_status, management_source, added_to_org, platform_roles, is_org_admin, "
        "is_site_admin, is_app, last_active) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)";
    // Looked up once: the cache is keyed by the whole SQL text, hashed and compared on each use.
    auto& insert_user = db.cached(in_slot("INSERT INTO " + user_columns, slot));
    auto& replace_user = db.cached(in_slot("INSERT OR REPLACE INTO " + user_columns, slot));
    auto& account_of = db.cached(
        in_slot("SELECT account_id FROM {users} WHERE snapshot_id = ? AND user_no = ?", slot));
    const AccountNumbers::StoredAccount stored = [&](std::int64_t number) {
        account_of.bind(1, snapshot).bind(2, number);
        std::string account = account_of.step() ? account_of.text(0) : std::string();
        account_of.reset();
        return account;
    };
    auto& drop_groups =
        db.cached(in_slot("DELETE FROM {user_groups} WHERE snapshot_id = ? AND user_no = ?", slot));
    auto& drop_access =
        db.cached(in_slot("DELETE FROM {user_access} WHERE snapshot_id = ? AND user_no = ?", slot));
    auto& insert_group = db.cached(in_slot(
        "INSERT OR IGNORE INTO {user_groups}(snapshot_id, user_no, group_id) VALUES (?, ?, ?)",
        slot));
    auto& insert_access = db.cached(
        in_slot("INSERT OR IGNORE INTO {user_access}(snapshot_id, user_no, resource_id, role, "
                "billable, via, last_active) VALUES (?, ?, ?, 'atlassian/user', ?, ?, ?)",
                slot));
    auto& last = db.cached(
        in_slot("SELECT coalesce(max(user_no), 0) FROM {users} WHERE snapshot_id = ?", slot));
    last.bind(1, snapshot);
    last.step();
    std::int64_t user_no = last.int64(0);
    last.reset();
    // In the order they arrived: of two copies of an account, the later one wins. (The user
    // tables are appended to; the account index is built after the listing.)
    std::int64_t added = 0;
    std::string roles, domain;
    for (const auto& u : users) {
        std::optional<std::int64_t> last_active;
        for (const auto& access : u.product_access)
            if (access.last_active_ms && (!last_active || *access.last_active_ms > *last_active))
                last_active = access.last_active_ms;
        roles.clear();
        for (const auto& r : u.platform_roles) {
            if (!roles.empty())
                roles += ',';
            roles += r;
        }
        domain = email_domain(u.email);
        const bool app = is_app_account(u, domain);
        // Text is bound borrowed: every string here outlives the run() that reads it.
        auto write_row = [&](store::Statement& statement, std::int64_t number) {
            statement.bind(1, snapshot)
                .bind(2, number)
                .bind_borrowed(3, u.account_id)
                .bind_borrowed(4, u.name)
                .bind_borrowed(5, u.nickname)
                .bind_borrowed(6, u.email)
                .bind_borrowed(7, domain)
                .bind_borrowed(8, u.account_type)
                .bind_borrowed(9, u.account_status)
                .bind_borrowed(10, u.membership_status)
                .bind_borrowed(11, u.status)
                .bind_borrowed(12, u.claim_status)
                .bind_borrowed(13, u.management_source)
                .bind(14, u.added_to_org_ms)
                .bind_borrowed(15, roles)
                .bind(16, has(u.platform_roles, "atlassian/org-admin") ? 1 : 0)
                .bind(17, has(u.platform_roles, "atlassian/site-admin") ? 1 : 0)
                .bind(18, app ? 1 : 0)
                .bind(19, last_active)
                .run();
        };
        std::int64_t row_no = 0;
        if (const auto earlier = numbers.find(u.account_id, stored)) {
            // Listed before in this sync (by the other end of its partition, or by another
            // partition before the user's status changed): this copy is the newer one and
            // replaces the other under the same number.
            row_no = *earlier;
            drop_groups.bind(1, snapshot).bind(2, row_no).run();
            drop_access.bind(1, snapshot).bind(2, row_no).run();
            write_row(replace_user, row_no);
        } else {
            row_no = ++user_no;
            write_row(insert_user, row_no);
            numbers.add(u.account_id, row_no);
            ++added;
        }
        for (const auto& g : u.groups)
            insert_group.bind(1, snapshot).bind(2, row_no).bind_borrowed(3, g.id).run();
        // Billable as Atlassian bills: an active, human user holding user or admin on the
        // product. Every holder is written as atlassian/user here; finalize_and_publish() applies
        // the other roles and takes billability away where the role is not a paid one.
        const bool billable = u.status == "active" && !app;
        for (const auto& access : u.product_access)
            insert_access.bind(1, snapshot)
                .bind(2, row_no)
                .bind_borrowed(3, access.resource_id)
                .bind(4, billable ? 1 : 0)
                .bind(5, granted_by_a_group(u, access.resource_id, grants) ? "group" : "direct")
                .bind(6, access.last_active_ms)
                .run();
    }
    t.commit();
    return added;
}

void index_accounts(Database& db, std::int64_t snapshot) {
    const int slot = slot_of(db, snapshot);
    db.exec("CREATE UNIQUE INDEX IF NOT EXISTS " + store::account_index(slot) + " ON " +
            store::slot_table("users", slot) + " (snapshot_id, account_id)");
}

std::vector<std::string> managed_email_domains(Database& db, std::size_t most) {
    auto published = current_snapshot(db);
    if (!published)
        return {};
    const int slot = slot_of(db, *published);
    auto& select =
        db.cached(in_slot("SELECT DISTINCT email_domain FROM {users} WHERE snapshot_id = ? "
                          "AND claim_status = 'managed' AND email_domain <> '' LIMIT ?",
                          slot));
    select.bind(1, *published).bind(2, static_cast<std::int64_t>(most + 1));
    std::vector<std::string> domains;
    while (select.step())
        domains.push_back(select.text(0));
    select.reset();
    if (domains.size() > most)
        domains.clear();
    return domains;
}

std::optional<std::map<std::string, std::set<std::string>>> roles_held_last_time(Database& db) {
    auto published = current_snapshot(db);
    if (!published)
        return std::nullopt;
    auto& select = db.cached(
        in_slot("SELECT DISTINCT role, resource_id FROM {user_access} WHERE snapshot_id = ? "
                "AND role NOT IN ('atlassian/user', 'atlassian/admin')",
                slot_of(db, *published)));
    select.bind(1, *published);
    std::map<std::string, std::set<std::string>> held;
    while (select.step())
        held[select.text(0)].insert(select.text(1));
    select.reset();
    return held;
}

void write_partition_counts(Database& db, std::int64_t snapshot,
                            const std::vector<std::pair<std::string, std::int64_t>>& counts) {
    Transaction t(db);
    for (const auto& [filter, users] : counts)
        db.cached(
              "INSERT OR REPLACE INTO snapshot_partitions(snapshot_id, filter, users) "
              "VALUES (?, ?, ?)")
            .bind(1, snapshot)
            .bind(2, filter)
            .bind(3, users)
            .run();
    t.commit();
}

std::vector<std::pair<std::string, std::int64_t>> partition_counts_last_time(Database& db) {
    auto published = current_snapshot(db);
    if (!published)
        return {};
    auto& select = db.cached("SELECT filter, users FROM snapshot_partitions WHERE snapshot_id = ?");
    select.bind(1, *published);
    std::vector<std::pair<std::string, std::int64_t>> counts;
    while (select.step())
        counts.emplace_back(select.text(0), select.int64(1));
    select.reset();
    return counts;
}

void delete_users_if(Database& db, std::int64_t snapshot,
                     const std::function<bool(std::string_view account_id)>& gone) {
    Transaction t(db);
    const int slot = slot_of(db, snapshot);
    std::vector<std::int64_t> numbers;
    {
        auto& all = db.cached(
            in_slot("SELECT user_no, account_id FROM {users} WHERE snapshot_id = ?", slot));
        all.bind(1, snapshot);
        while (all.step())
            if (gone(all.text(1)))
                numbers.push_back(all.int64(0));
        all.reset();
    }
    for (const char* table : store::kSlotTables) {
        auto& drop = db.cached(in_slot(
            std::string("DELETE FROM {") + table + "} WHERE snapshot_id = ? AND user_no = ?",
            slot));
        for (auto number : numbers)
            drop.bind(1, snapshot).bind(2, number).run();
    }
    t.commit();
}

void write_role_overrides(Database& db, std::int64_t snapshot, const std::string& resource_id,
                          const std::string& role_kind,
                          const std::vector<std::pair<std::string, std::string>>& account_roles) {
    // Admin outranks every non-billable role a user may also hold on the same product.
    const char* sql = role_kind == "admin"
                          ? "INSERT OR REPLACE INTO sync_role_overrides(snapshot_id, account_id, "
                            "resource_id, role) VALUES (?, ?, ?, ?)"
                          : "INSERT OR IGNORE INTO sync_role_overrides(snapshot_id, account_id, "
                            "resource_id, role) VALUES (?, ?, ?, ?)";
    Transaction t(db);
    for (const auto& [account, role] : account_roles)
        db.cached(sql).bind(1, snapshot).bind(2, account).bind(3, resource_id).bind(4, role).run();
    t.commit();
}

void write_user_activity(Database& db, std::int64_t snapshot, const std::string& account_id,
                         const atlassian::UserActivity& activity) {
    Transaction t(db);
    const int slot = slot_of(db, snapshot);
    auto& find = db.cached(
        in_slot("SELECT user_no FROM {users} WHERE snapshot_id = ? AND account_id = ?", slot));
    find.bind(1, snapshot).bind(2, account_id);
    if (!find.step()) {
        find.reset();
        return;  // not in this generation
    }
    const std::int64_t user_no = find.int64(0);
    find.reset();
    db
        .cached(in_slot(
            "UPDATE {user_access} SET last_active = NULL WHERE snapshot_id = ? AND user_no = ?",
            slot))
        .bind(1, snapshot)
        .bind(2, user_no)
        .run();
    std::optional<std::int64_t> latest;
    for (const auto& p : activity.products) {
        db.cached(in_slot("UPDATE {user_access} SET last_active = ? "
                          "WHERE snapshot_id = ? AND user_no = ? AND resource_id = ?",
                          slot))
            .bind(1, p.last_active_ms)
            .bind(2, snapshot)
            .bind(3, user_no)
            .bind(4, p.id)
            .run();
        if (p.last_active_ms && (!latest || *p.last_active_ms > *latest))
            latest = p.last_active_ms;
    }
    db.cached(
          in_slot("UPDATE {users} SET last_active = ?, added_to_org = COALESCE(?, added_to_org) "
                  "WHERE snapshot_id = ? AND user_no = ?",
                  slot))
        .bind(1, latest)
        .bind(2, activity.added_to_org_ms)
        .bind(3, snapshot)
        .bind(4, user_no)
        .run();
    t.commit();
}

std::vector<std::string> snapshot_account_ids(Database& db, std::int64_t snapshot) {
    std::vector<std::string> ids;
    auto s = db.prepare(
        in_slot("SELECT account_id FROM {users} WHERE snapshot_id = ? ORDER BY account_id",
                slot_of(db, snapshot)));
    s.bind(1, snapshot);
    while (s.step())
        ids.push_back(s.text(0));
    return ids;
}

std::optional<std::int64_t> finalize_and_publish(Database& db, const SnapshotIds& ids,
                                                 const RunCounters& counters, std::int64_t now_ms) {
    const auto snap = ids.snapshot_id;
    // Built when the listing ended; here for a generation whose listing wrote no users.
    index_accounts(db, snap);
    // Roles on the unpublished generation (readers cannot see these rows yet): only the users
    // found holding another role than atlassian/user are touched. A role other than user or
    // admin is not billed; the row's billability so far says whether the user is billed at all.
    {
        Transaction t(db);
        db.cached(in_slot("UPDATE {user_access} AS a SET role = o.role, billable = "
                          "(o.role IN ('atlassian/user', 'atlassian/admin') AND a.billable) "
                          "FROM sync_role_overrides AS o JOIN {users} AS u "
                          "ON u.snapshot_id = o.snapshot_id AND u.account_id = o.account_id "
                          "WHERE o.snapshot_id = ?1 AND a.snapshot_id = ?1 "
                          "AND a.user_no = u.user_no AND a.resource_id = o.resource_id",
                          slot_of(db, snap)))
            .bind(1, snap)
            .run();
        db.cached("DELETE FROM sync_role_overrides WHERE snapshot_id = ?").bind(1, snap).run();
        t.commit();
    }
    // The switch itself: a handful of row updates.
    Transaction t(db);
    auto previous = current_snapshot(db);
    if (previous)
        db.cached("UPDATE snapshots SET state = 'retired' WHERE id = ?").bind(1, *previous).run();
    db.cached("UPDATE snapshots SET state = 'complete', completed_at = ? WHERE id = ?")
        .bind(1, now_ms)
        .bind(2, snap)
        .run();
    set_meta(db, "current_snapshot", std::to_string(snap));
    db.cached(
          "UPDATE sync_runs SET outcome = 'succeeded', finished_at = ?, requests = ?, "
          "retries = ?, users = ?, groups = ? WHERE id = ?")
        .bind(1, now_ms)
        .bind(2, counters.requests)
        .bind(3, counters.retries)
        .bind(4, counters.users)
        .bind(5, counters.groups)
        .bind(6, ids.run_id)
        .run();
    t.commit();
    return previous;
}

void discard(Database& db, const SnapshotIds& ids, const std::string& outcome,
             const std::string& error, const RunCounters& counters, std::int64_t now_ms) {
    {
        Transaction t(db);
        db.cached(
              "UPDATE sync_runs SET outcome = ?, error = ?, finished_at = ?, requests = ?, "
              "retries = ?, users = ?, groups = ? WHERE id = ?")
            .bind(1, outcome)
            .bind(2, error)
            .bind(3, now_ms)
            .bind(4, counters.requests)
            .bind(5, counters.retries)
            .bind(6, counters.users)
            .bind(7, counters.groups)
            .bind(8, ids.run_id)
            .run();
        db.cached("UPDATE snapshots SET state = 'retired' WHERE id = ?")
            .bind(1, ids.snapshot_id)
            .run();
        t.commit();
    }
    delete_generation(db, ids.snapshot_id);
}

void delete_generation(Database& db, std::int64_t snapshot) {
    Transaction t(db);
    for (const char* table : kSnapshotTables)
        db.prepare(std::string("DELETE FROM ") + table + " WHERE snapshot_id = ?")
            .bind(1, snapshot)
            .run();
    db.cached("DELETE FROM snapshots WHERE id = ? AND state != 'complete'").bind(1, snapshot).run();
    t.commit();
}

}  // namespace rosterd::sync
