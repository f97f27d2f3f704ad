#include "query_fixture.hpp"

namespace rosterd::test {

QuerySnapshot::QuerySnapshot(bool populate) {
    db_ = store::Database::open((dir_ / "query.db").string());
    store::migrate(*db_);
    if (!populate)
        return;
    db_->exec(
        "INSERT INTO snapshots(id, state, org_id, org_name, taken_at, completed_at) "
        "VALUES (1, 'building', 'org-1', 'Test Org', " +
        std::to_string(kQueryAsOf - 60'000) + ", NULL)");
    db_->exec(
        "INSERT INTO sites VALUES (1, 'cloud-a', 'a.example.net', 'https://a.example.net'), "
        "(1, 'cloud-b', 'b.example.net', 'https://b.example.net')");
    db_->exec(
        "INSERT INTO products(snapshot_id, resource_id, cloud_id, site_host, product_key, "
        "product_type, name, status, capacity) VALUES "
        "(1, 'ari:cloud:jira::site/cloud-a', 'cloud-a', 'a.example.net', 'jira-software', "
        "'jira', 'a', 'online', 100), "
        "(1, 'ari:cloud:confluence::site/cloud-a', 'cloud-a', 'a.example.net', 'confluence', "
        "'confluence', 'a', 'online', NULL), "
        "(1, 'ari:cloud:jira::site/cloud-b', 'cloud-b', 'b.example.net', 'jira-software', "
        "'jira', 'b', 'online', 50)");

    add_user({"acc-01", "Ann Alpha", "ann@acme.com", "active", days_ago(400)});
    add_user({"acc-02", "Bob Beta", "bob@acme.com", "active", days_ago(200)});
    add_user({"acc-03", "cid Gamma", "cid@gmail.com", "active", days_ago(10), "unmanaged"});
    add_user(
        {"acc-04", "Dee Delta", "dee@acme.io", "suspended", days_ago(300), "managed", false, true});
    add_user({"acc-05", "Eve Epsilon", "eve@partner.dev", "active", days_ago(150), "unmanaged"});
    add_user({"acc-06", "Automation App", "bot@connect.atlassian.com", "active", days_ago(50),
              "unmanaged", true});
    add_user({"acc-07", "Fay Zeta", "fay@acme.com", "active", days_ago(250), "managed", false,
              false, true});
    add_user({"acc-08", "Gus Eta", "gus@acme.io", "active", days_ago(120)});
    add_user({"acc-09", "Hal Theta", "hal@gmail.com", "active", std::nullopt, "unmanaged"});
    add_user({"acc-10", "Ivy Iota", "ivy@acme.com", "deactivated", days_ago(500)});

    add_access("acc-01", kJiraA, "atlassian/user", true, days_ago(5));
    add_access("acc-01", kConfluenceA, "atlassian/user", true, days_ago(40));
    add_access("acc-02", kJiraA, "atlassian/admin", true, std::nullopt);
    add_access("acc-03", kJiraA, "atlassian/user", true, std::nullopt);
    add_access("acc-04", kJiraA, "atlassian/user", false, days_ago(100));
    add_access("acc-05", kConfluenceA, "atlassian/guest", false, days_ago(60));
    add_access("acc-06", kJiraA, "atlassian/user", false, days_ago(1));
    add_access("acc-07", kJiraA, "atlassian/user", true, days_ago(29));
    add_access("acc-07", kJiraB, "atlassian/user", true, days_ago(31));
    add_access("acc-08", kJiraB, "atlassian/user", true, days_ago(30));
    add_access("acc-09", kJiraB, "atlassian/user", true, std::nullopt);

    add_group("g-eng", "eng");
    add_group("g-ops", "ops");
    add_member("acc-01", "g-eng");
    add_member("acc-02", "g-eng");
    add_member("acc-02", "g-ops");
    add_member("acc-04", "g-ops");
    add_member("acc-07", "g-eng");
    publish();
}

void QuerySnapshot::add_user(const User& u) {
    auto at = u.email.rfind('@');
    db_->prepare(
           "INSERT INTO users_0(snapshot_id, user_no, account_id, name, nickname, email, "
           "email_domain, account_type, account_status, membership_status, status, claim_status, "
           "added_to_org, platform_roles, is_org_admin, is_site_admin, is_app) "
           "VALUES (1, (SELECT coalesce(max(user_no), 0) + 1 FROM users_0 WHERE snapshot_id = 1), "
           "?, ?, ?, ?, ?, 'atlassian', 'active', 'active', ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, u.id)
        .bind(2, u.name)
        .bind(3, u.id)
        .bind(4, u.email)
        .bind(5, u.email.substr(at + 1))
        .bind(6, u.status)
        .bind(7, u.claim)
        .bind(8, u.added)
        .bind(9, std::string(u.org_admin    ? "atlassian/org-admin"
                             : u.site_admin ? "atlassian/site-admin"
                                            : ""))
        .bind(10, u.org_admin ? 1 : 0)
        .bind(11, u.site_admin ? 1 : 0)
        .bind(12, u.app ? 1 : 0)
        .run();
}

void QuerySnapshot::add_access(const std::string& account, const std::string& resource,
                               const std::string& role, bool billable,
                               std::optional<std::int64_t> last) {
    db_->prepare(
           "INSERT INTO user_access_0(snapshot_id, user_no, resource_id, role, billable, via, "
           "last_active) VALUES (1, (SELECT user_no FROM users_0 WHERE snapshot_id = 1 AND "
           "account_id = ?), ?, ?, ?, 'direct', ?)")
        .bind(1, account)
        .bind(2, resource)
        .bind(3, role)
        .bind(4, billable ? 1 : 0)
        .bind(5, last)
        .run();
}

void QuerySnapshot::add_group(const std::string& id, const std::string& name) {
    db_->prepare("INSERT INTO groups(snapshot_id, group_id, name) VALUES (1, ?, ?)")
        .bind(1, id)
        .bind(2, name)
        .run();
}

void QuerySnapshot::add_member(const std::string& account, const std::string& group) {
    db_->prepare(
           "INSERT INTO user_groups_0(snapshot_id, user_no, group_id) VALUES (1, (SELECT user_no "
           "FROM users_0 WHERE snapshot_id = 1 AND account_id = ?), ?)")
        .bind(1, account)
        .bind(2, group)
        .run();
}

void QuerySnapshot::publish() {
    db_->exec(
        "UPDATE users_0 SET last_active = (SELECT max(last_active) FROM user_access_0 ua "
        "WHERE ua.snapshot_id = users_0.snapshot_id AND ua.user_no = users_0.user_no)");
    db_->exec("UPDATE snapshots SET state = 'complete', completed_at = " +
              std::to_string(kQueryAsOf) + " WHERE id = 1");
    db_->exec("INSERT OR REPLACE INTO meta(key, value) VALUES ('current_snapshot', '1')");
}

}  // namespace rosterd::test
