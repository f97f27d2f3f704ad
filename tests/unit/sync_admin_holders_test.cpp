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

atlassian::DirectoryUser org_admin(const std::string& account, std::vector<std::string> groups,
                                   std::vector<std::string> products) {
    auto u = user(account, account + "@example.com", std::move(groups), std::move(products));
    u.platform_roles = {"atlassian/org-admin"};
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
    std::vector<atlassian::Group> groups(3);
    groups[0].id = "jira-admins";
    groups[1].id = "wiki-users";
    groups[2].id = "desk-admins";
    sync::write_groups(*db, snapshot, groups);
    sync::write_group_roles(*db, snapshot, "jira-admins",
                            {{kJira, "jira", {"atlassian/admin"}, ""}});
    sync::write_group_roles(*db, snapshot, "wiki-users",
                            {{kWiki, "confluence", {"atlassian/user"}, ""}});
    sync::write_group_roles(*db, snapshot, "desk-admins",
                            {{kDesk, "jira-servicedesk", {"atlassian/admin"}, ""}});
    sync::GroupGrants grants{
        {"jira-admins", {kJira}}, {"wiki-users", {kWiki}}, {"desk-admins", {kDesk}}};
    sync::write_users(
        *db, snapshot,
        {
            // Admin on Jira through a group; on Confluence and JSM it must be asked
            // (a group granting user there says nothing about admin).
            user("site-admin", "Site.Admin@example.com", {"jira-admins", "wiki-users"},
                 {kJira, kWiki, kDesk}),
            // No group: its one product is asked too.
            user("direct-admin", "", {}, {kWiki}),
            // An organization admin the groups leave open on JSM: set apart, to be
            // settled by the product's admin count.
            org_admin("org-admin", {"jira-admins"}, {kJira, kDesk}),
            // JSM admin through a group (in the JSM figure the count is compared
            // with); Confluence open.
            user("desk-lead", "desk.lead@example.com", {"desk-admins"}, {kDesk, kWiki}),
            // In the admin group but not a holder: left alone.
            user("member", "member@example.com", {"jira-admins"}, {kJira}),
        },
        grants);

    // A holder listed twice is settled once.
    auto checks = sync::resolve_admin_holders(
        *db, snapshot,
        {"site-admin", "direct-admin", "joined-later", "site-admin", "org-admin", "desk-lead"});
    CHECK(checks.decided_by_groups == 3);
    CHECK(checks.holders_not_found == 1);  // joined-later
    std::map<std::string, std::set<std::string>> asked, reserved;
    std::map<std::string, std::int64_t> by_groups;
    for (const auto& [resource, product] : checks.products) {
        for (const auto& c : product.asked)
            asked[resource].insert(c.account_id + "<" + c.email + ">");
        for (const auto& c : product.reserved)
            reserved[resource].insert(c.account_id);
        by_groups[resource] = product.admins_by_groups;
    }
    const std::map<std::string, std::set<std::string>> expected_asked{
        {kWiki,
         {"site-admin<Site.Admin@example.com>", "direct-admin<>",
          "desk-lead<desk.lead@example.com>"}},
        {kDesk, {"site-admin<Site.Admin@example.com>"}},
    };
    CHECK(asked == expected_asked);
    CHECK(reserved == std::map<std::string, std::set<std::string>>{{kDesk, {"org-admin"}}});
    // Jira has no open candidates, so no entry; on JSM a group made one holder admin.
    CHECK(by_groups == std::map<std::string, std::int64_t>{{kWiki, 0}, {kDesk, 1}});

    // The decided admin is an override like an answer to a per-product query.
    std::set<std::string> overrides;
    auto rows = db->prepare(
        "SELECT account_id, resource_id, role FROM sync_role_overrides WHERE snapshot_id = ?");
    rows.bind(1, snapshot);
    while (rows.step())
        overrides.insert(rows.text(0) + " " + rows.text(1) + " " + rows.text(2));
    CHECK(overrides == std::set<std::string>{"site-admin " + kJira + " atlassian/admin",
                                             "org-admin " + kJira + " atlassian/admin",
                                             "desk-lead " + kDesk + " atlassian/admin"});
}

TEST_CASE("admin holders: a product's admin count settles its org and site admins when it can",
          "[unit][sync]") {
    // Sent only where it saves a question: the reserved add two questions or more.
    auto candidates = [](int asked, int reserved) {
        sync::ProductAdminCandidates product;
        for (int i = 0; i < asked; ++i)
            product.asked.push_back({"a" + std::to_string(i), "a" + std::to_string(i) + "@x.com"});
        for (int i = 0; i < reserved; ++i)
            product.reserved.push_back(
                {"r" + std::to_string(i), "r" + std::to_string(i) + "@x.com"});
        return product;
    };
    CHECK_FALSE(sync::count_pays(kJira, candidates(50, 0)));
    CHECK_FALSE(sync::count_pays(kJira, candidates(50, 50)));   // 1 question either way
    CHECK_FALSE(sync::count_pays(kJira, candidates(50, 150)));  // 2 instead of 1 + the count
    CHECK(sync::count_pays(kJira, candidates(50, 151)));        // 3 instead of 1 + the count
    CHECK(sync::count_pays(kJira, candidates(0, 200)));         // 2 instead of the count

    using sync::ReservedVerdict;
    // 10 admins counted: 4 by groups, 2 found among the asked, so 4 of the reserved.
    CHECK(sync::settle_reserved(10, 4, 2, 4) == ReservedVerdict::all_admins);
    CHECK(sync::settle_reserved(6, 4, 2, 4) == ReservedVerdict::none_admin);
    CHECK(sync::settle_reserved(8, 4, 2, 4) == ReservedVerdict::ask);
    // A count that does not fit (someone became admin, or stopped being one, meanwhile): asked.
    CHECK(sync::settle_reserved(11, 4, 2, 4) == ReservedVerdict::ask);
    CHECK(sync::settle_reserved(5, 4, 2, 4) == ReservedVerdict::ask);
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
