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
    sync::AccountNumbers numbers;
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
        grants, numbers);
    sync::index_accounts(*db, snapshot);

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

namespace {

// Every question of a packing: each candidate it names reaches exactly one of its products, the
// one asked about. Returns how many candidates each product was asked about.
std::map<std::string, std::size_t> check_packing(
    const sync::PackedAdminChecks& packs,
    const std::map<std::string, std::vector<std::string>>& access_of) {
    std::map<std::string, std::size_t> asked;
    for (const auto& check : packs.packed) {
        const auto& named = check.search.resource_ids;
        CHECK(check.search.role_ids == std::vector<std::string>{"atlassian/admin"});
        CHECK(check.search.emails.size() <= 100);
        CHECK(check.search.emails.size() == check.product_of.size());
        CHECK(named.size() <= 20);
        CHECK(
            std::set<std::string>(check.search.emails.begin(), check.search.emails.end()).size() ==
            check.search.emails.size());
        for (const auto& [account, product] : check.product_of) {
            INFO(account << " asked about " << product);
            std::size_t reached = 0;
            for (const auto& p : access_of.at(account))
                reached += std::count(named.begin(), named.end(), p);
            CHECK(reached == 1);
            CHECK(std::count(named.begin(), named.end(), product) == 1);
            ++asked[product];
        }
    }
    return asked;
}

}  // namespace

TEST_CASE(
    "admin holders: the part-filled questions of several products share one where no candidate "
    "reaches two of its products",
    "[unit][sync]") {
    const std::string kJira2 = "ari:cloud:jira::site/2", kWiki2 = "ari:cloud:confluence::site/2";
    std::map<std::string, std::vector<atlassian::UserToRead>> asked;
    std::map<std::string, std::vector<std::string>> access_of;
    auto add = [&](const std::string& product, int n, const std::string& tag,
                   std::vector<std::string> access) {
        for (int i = 0; i < n; ++i) {
            const std::string account = tag + std::to_string(i) + "-" + product;
            asked[product].push_back({account, account + "@example.com"});
            access_of[account] = access;
        }
    };
    // Site 1: 130 Jira admins asked about its Confluence, 40 Confluence admins about its Jira;
    // site 2: 50 and 30. Ten of site 1's Jira admins also reach site 2's Jira.
    add(kWiki, 120, "j", {kJira, kWiki});
    add(kWiki, 10, "jj", {kJira, kWiki, kJira2});
    add(kJira, 40, "w", {kJira, kWiki});
    add(kWiki2, 50, "j", {kJira2, kWiki2});
    add(kJira2, 30, "w", {kJira2, kWiki2});
    auto packs = sync::pack_admin_checks(asked, access_of);
    CHECK(packs.by_product.empty());
    const auto per_product = check_packing(packs, access_of);
    CHECK(per_product == std::map<std::string, std::size_t>{
                             {kJira, 40}, {kWiki, 130}, {kJira2, 30}, {kWiki2, 50}});
    // One question per product would take 5 (2 for site 1's Confluence); 270 candidates need 3 at
    // least. Site 1's Confluence fills one with the ten reaching site 2's Jira among them; the
    // rests share: site 2's Confluence (50) with site 1's Jira (40), site 1's Confluence (30)
    // with site 2's Jira (30).
    CHECK(packs.packed.size() == 3);
}

TEST_CASE("admin holders: a packing never names two products a candidate reaches", "[unit][sync]") {
    // Six products; every candidate reaches a random few of them (a fixed pseudo-random pick).
    std::vector<std::string> products;
    for (int i = 0; i < 6; ++i)
        products.push_back("ari:cloud:jira::site/p" + std::to_string(i));
    std::map<std::string, std::vector<atlassian::UserToRead>> asked;
    std::map<std::string, std::vector<std::string>> access_of;
    std::uint64_t state = 42;
    auto next = [&] {
        state = state * 6364136223846793005ULL + 1442695040888963407ULL;
        return static_cast<std::size_t>(state >> 33);
    };
    std::size_t pairs = 0;
    for (int h = 0; h < 700; ++h) {
        const std::string account = "h" + std::to_string(h);
        std::set<std::string> reach;
        for (std::size_t k = 0, n = 1 + next() % 3; k < n; ++k)
            reach.insert(products[next() % products.size()]);
        access_of[account].assign(reach.begin(), reach.end());
        for (const auto& p : reach)
            if (next() % 2 == 0) {
                asked[p].push_back({account, account + "@example.com"});
                ++pairs;
            }
    }
    // Two accounts behind one email and an account without one: asked product by product.
    asked[products[0]].push_back({"twin-a", "twin@example.com"});
    asked[products[1]].push_back({"twin-b", "twin@example.com"});
    asked[products[2]].push_back({"no-email", ""});
    for (const auto* a : {"twin-a", "twin-b", "no-email"})
        access_of[a] = products;
    auto packs = sync::pack_admin_checks(asked, access_of);
    std::size_t packed = 0;
    for (const auto& [product, n] : check_packing(packs, access_of))
        packed += n;
    CHECK(packed == pairs);
    std::map<std::string, std::set<std::string>> alone;
    for (const auto& [product, candidates] : packs.by_product)
        for (const auto& c : candidates)
            alone[product].insert(c.account_id);
    CHECK(alone == std::map<std::string, std::set<std::string>>{{products[0], {"twin-a"}},
                                                                {products[1], {"twin-b"}},
                                                                {products[2], {"no-email"}}});
    std::size_t per_product = 0;
    for (const auto& [product, candidates] : asked)
        per_product += (candidates.size() + 99) / 100;
    CHECK(packs.packed.size() <= per_product);
}

TEST_CASE(
    "admin holders: a packed answer makes admin only those whose access now reaches just the "
    "product asked about, the others are asked alone",
    "[unit][sync]") {
    const std::string kJira2 = "ari:cloud:jira::site/2";
    sync::PackedAdminCheck check;
    check.search.resource_ids = {kWiki, kJira2};
    for (const auto& [account, product] :
         std::vector<std::pair<std::string, std::string>>{{"settled", kWiki},
                                                          {"given-access", kWiki},
                                                          {"no-access-now", kJira2},
                                                          {"not-returned", kJira2}}) {
        check.search.emails.push_back(account + "@example.com");
        check.product_of[account] = product;
        check.email_of[account] = account + "@example.com";
    }
    auto user = [](std::string account, std::vector<std::string> products) {
        atlassian::DirectoryUser u;
        u.account_id = std::move(account);
        for (auto& p : products)
            u.product_access.push_back({std::move(p), "", std::nullopt});
        return u;
    };
    const auto answer = sync::read_packed_answer(
        check, {user("settled", {kWiki, kJira}), user("given-access", {kWiki, kJira2}),
                user("no-access-now", {kJira}), user("behind-a-shared-email", {kJira2})});
    CHECK(answer.admins == std::map<std::string, std::vector<std::string>>{{kWiki, {"settled"}}});
    std::map<std::string, std::set<std::string>> again;
    for (const auto& [product, candidates] : answer.again)
        for (const auto& c : candidates) {
            CHECK(c.email == c.account_id + "@example.com");
            again[product].insert(c.account_id);
        }
    CHECK(again == std::map<std::string, std::set<std::string>>{{kWiki, {"given-access"}},
                                                                {kJira2, {"no-access-now"}}});
}
