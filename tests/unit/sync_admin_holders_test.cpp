// Admins learnt from the accounts holding atlassian/admin anywhere: which products the groups
// decide, which are asked, and how the questions are batched.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "daemon/sync/admin_holders.hpp"
#include "daemon/sync/snapshot_writer.hpp"
#include "temp_dir.hpp"

using namespace rosterd;

namespace {

const std::string kJira = "ari:cloud:jira::site/1";
const std::string kWiki = "ari:cloud:confluence::site/1";
const std::string kDesk = "ari:cloud:jira-servicedesk::site/1";

atlassian::DirectoryUser user(const std::string& account, const std::string& email,
                              std::vector<std::string> groups, std::vector<std::string> products) {
    atlassian::DirectoryUser u;
    u.account_id = account;
    u.email = email;
    u.status = "active";
    u.account_status = "active";
    u.membership_status = "active";
    for (const auto& g : groups)
        u.groups.push_back({g, g + "-name"});
    for (const auto& p : products)
        u.product_access.push_back({p, "jira", std::nullopt});
    return u;
}

}  // namespace

TEST_CASE("admin holders: groups granting admin decide, the holder's other products are asked",
          "[unit][sync]") {
    test::TempDir dir;
    auto db = store::Database::open((dir / "rosterd.db").string());
    store::migrate(*db);
    auto ids = sync::begin_snapshot(*db, "manual", 1000);
    const auto snapshot = ids.snapshot_id;
    std::vector<atlassian::Group> groups(2);
    groups[0].id = "jira-admins";
    groups[1].id = "wiki-users";
    sync::write_groups(*db, snapshot, groups);
    sync::write_group_roles(*db, snapshot, "jira-admins",
                            {{kJira, "jira", {"atlassian/admin"}, ""}});
    sync::write_group_roles(*db, snapshot, "wiki-users",
                            {{kWiki, "confluence", {"atlassian/user"}, ""}});
    sync::GroupGrants grants{{"jira-admins", {kJira}}, {"wiki-users", {kWiki}}};
    sync::write_users(*db, snapshot,
                      {
                          // Admin on Jira through a group; on Confluence and JSM it must be asked
                          // (a group granting user there says nothing about admin).
                          user("site-admin", "Site.Admin@example.com",
                               {"jira-admins", "wiki-users"}, {kJira, kWiki, kDesk}),
                          // No group: its one product is asked too.
                          user("direct-admin", "", {}, {kWiki}),
                          // In the admin group but not a holder: left alone.
                          user("member", "member@example.com", {"jira-admins"}, {kJira}),
                      },
                      grants);

    // A holder listed twice is settled once.
    auto checks = sync::resolve_admin_holders(
        *db, snapshot, {"site-admin", "direct-admin", "joined-later", "site-admin"});
    CHECK(checks.decided_by_groups == 1);
    std::map<std::string, std::set<std::string>> asked;
    for (const auto& [resource, candidates] : checks.candidates)
        for (const auto& c : candidates)
            asked[resource].insert(c.account_id + "<" + c.email + ">");
    const std::map<std::string, std::set<std::string>> expected_asked{
        {kWiki, {"site-admin<Site.Admin@example.com>", "direct-admin<>"}},
        {kDesk, {"site-admin<Site.Admin@example.com>"}},
    };
    CHECK(asked == expected_asked);

    // The decided admin is an override like an answer to a per-product query.
    std::set<std::string> overrides;
    auto rows = db->prepare(
        "SELECT account_id, resource_id, role FROM sync_role_overrides WHERE snapshot_id = ?");
    rows.bind(1, snapshot);
    while (rows.step())
        overrides.insert(rows.text(0) + " " + rows.text(1) + " " + rows.text(2));
    CHECK(overrides == std::set<std::string>{"site-admin " + kJira + " atlassian/admin"});
}

TEST_CASE("admin holders: questions ask 100 emails or 10 account ids about one product",
          "[unit][sync]") {
    std::vector<atlassian::UserToRead> candidates;
    for (int i = 0; i < 201; ++i)
        candidates.push_back(
            {"a" + std::to_string(i), "user" + std::to_string(i) + "@example.com"});
    // Shares the first account's email: one email, both accounts asked.
    candidates.push_back({"twin", "user0@example.com"});
    // The same email in another case is asked as listed: whether the API matches any case is not
    // documented.
    candidates.push_back({"cased", "USER1@example.com"});
    for (int i = 0; i < 12; ++i)
        candidates.push_back({"no-email-" + std::to_string(i), ""});
    candidates.push_back({"no-email-3", ""});  // asked once

    auto checks = sync::admin_checks(kJira, candidates);
    REQUIRE(checks.size() == 5);
    std::vector<std::size_t> emails, ids, accounts;
    for (const auto& check : checks) {
        CHECK(check.search.resource_ids == std::vector<std::string>{kJira});
        CHECK(check.search.role_ids == std::vector<std::string>{"atlassian/admin"});
        CHECK(check.search.limit == 100);
        CHECK(check.search.expand.empty());
        // Exact emails and account ids are never mixed: each narrows the search.
        CHECK((check.search.emails.empty() || check.search.account_ids.empty()));
        emails.push_back(check.search.emails.size());
        ids.push_back(check.search.account_ids.size());
        accounts.push_back(check.accounts.size());
    }
    CHECK(emails == std::vector<std::size_t>{100, 100, 2, 0, 0});
    CHECK(ids == std::vector<std::size_t>{0, 0, 0, 10, 2});
    CHECK(accounts == std::vector<std::size_t>{101, 100, 2, 10, 2});
    CHECK(checks[0].accounts.count("twin") == 1);
    CHECK(sync::admin_checks(kJira, {}).empty());
}
