// How a sync learns roles: admins from one listing of the accounts holding admin anywhere
// (organization and site admins hold it on every product), settled by their groups, by questions
// about the rest and, for organization and site admins, by each product's admin count; the other
// roles product by product, and only when someone holds them at all.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>

#include "daemon_fixture.hpp"
#include "sim_fixture.hpp"
#include "snapshot_reader.hpp"
#include "truth_check.hpp"

using namespace rosterd::test;

namespace {

std::size_t pages_of(std::size_t n) {
    return (n + 99) / 100;
}

// The simulator's request log holds exactly one sync: the start-up sync may end before `sync
// --wait` asks (which then starts another), so the log is cleared after it and one more runs.
void one_sync_alone(DaemonFixture& daemon, SimFixture& sim) {
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    sim.clear_requests();
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    REQUIRE(daemon.ctl_json({"sync", "history"})["runs"].Size() >= 2);
}

// What a sync should send about admins, from the simulator's truth: the holders' pages, one
// question per 100 holders asked about a product, and one count per product whose organization
// and site admins it settles that way (where that saves two questions or more; then they are
// asked only when the count leaves some of them admin and some not).
struct AdminPlan {
    std::size_t holders = 0, by_groups = 0, per_product_pages = 0;
    // Questions product by product (an upper bound: part-filled ones of several products may
    // share one) and the fewest the candidates fit in (100 a question).
    std::size_t questions = 0, fewest_questions = 0;
    std::size_t counts = 0, settled_by_count = 0, reserved_asked = 0;
    // Products whose org and site admins the count settles as all admins, as none, or leaves.
    std::size_t all_admin = 0, none_admin = 0, asked = 0;
};

AdminPlan admin_plan(const rapidjson::Document& truth) {
    std::map<std::string, std::set<std::string>> group_admin_on;
    for (const auto& g : truth["groups"].GetArray())
        for (const auto& r : g["roles"].GetArray())
            if (std::string(r["role"].GetString()) == "atlassian/admin")
                group_admin_on[g["id"].GetString()].insert(r["resource_id"].GetString());
    struct Open {
        std::size_t asked = 0, reserved = 0, reserved_admins = 0;
    };
    AdminPlan plan;
    std::map<std::string, Open> open;
    std::map<std::string, std::size_t> admins_on;
    for (const auto& u : truth["users"].GetArray()) {
        bool holder = false;
        for (const auto& a : u["access"].GetArray())
            if (std::string(a["role"].GetString()) == "atlassian/admin") {
                holder = true;
                ++admins_on[a["resource_id"].GetString()];
            }
        if (!holder)
            continue;
        ++plan.holders;
        const bool platform_admin = u["platform_roles"].Size() > 0;
        for (const auto& a : u["access"].GetArray()) {
            bool granted = false;
            for (const auto& g : u["groups"].GetArray())
                granted =
                    granted || group_admin_on[g.GetString()].count(a["resource_id"].GetString());
            if (granted) {
                ++plan.by_groups;
                continue;
            }
            auto& product = open[a["resource_id"].GetString()];
            if (!platform_admin) {
                ++product.asked;
            } else {
                ++product.reserved;
                if (std::string(a["role"].GetString()) == "atlassian/admin")
                    ++product.reserved_admins;
            }
        }
    }
    for (const auto& [product, n] : admins_on)
        plan.per_product_pages += std::max<std::size_t>(1, pages_of(n));
    std::size_t asked_pairs = 0;
    for (const auto& [product, o] : open) {
        if (pages_of(o.asked + o.reserved) < pages_of(o.asked) + 2) {
            plan.questions += pages_of(o.asked + o.reserved);
            asked_pairs += o.asked + o.reserved;
            continue;
        }
        asked_pairs += o.asked;
        ++plan.counts;
        plan.questions += pages_of(o.asked);
        if (o.reserved_admins == o.reserved || o.reserved_admins == 0) {
            plan.settled_by_count += o.reserved;
            ++(o.reserved_admins == 0 ? plan.none_admin : plan.all_admin);
        } else {
            plan.questions += pages_of(o.reserved);
            plan.fewest_questions += pages_of(o.reserved);
            plan.reserved_asked += o.reserved;
            ++plan.asked;
        }
    }
    plan.fewest_questions += pages_of(asked_pairs);
    return plan;
}

// What the sync sent about admins (the simulator's log).
struct AdminRequests {
    std::size_t listing = 0, questions = 0, per_product = 0, counts = 0;
};

AdminRequests admin_requests(const SimFixture& sim) {
    AdminRequests sent;
    auto log = sim.requests();
    for (const auto& r : log.GetArray()) {
        const std::string path = r["path"].GetString();
        const std::string query = r["query"].GetString();
        if (path.ends_with("/users/count") &&
            query.find("roleIds=atlassian%2Fadmin") != std::string::npos &&
            query.find("resourceIds=") != std::string::npos)
            ++sent.counts;
        if (!path.ends_with("/users/search") || !r["body"].IsObject() ||
            !r["body"].HasMember("roleIds"))
            continue;
        const auto& body = r["body"];
        if (std::string(body["roleIds"][0].GetString()) != "atlassian/admin")
            continue;
        if (!body.HasMember("resourceIds"))
            ++sent.listing;
        else if (body.HasMember("emails") || body.HasMember("accountIds"))
            ++sent.questions;
        else
            ++sent.per_product;
    }
    return sent;
}

// The counts and queries the sync sends for `roles` unseen on `those` (count_then_query), from
// who holds which role where (the simulator's truth): one count of them all; someone, and they
// are halved, the first half counted. Nobody holds it: the second half is held, by as many.
// Someone: the first half is halved in turn, and the second is held when the first half's holders
// are fewer than all of them, else counted as before. A single role held is queried on each
// product. Keyed as role_requests keys them.
struct RolePlan {
    std::map<std::string, std::vector<std::size_t>> counts;
    std::map<std::string, std::set<std::string>> queried_on;

    std::vector<std::vector<std::pair<std::string, std::string>>>
        access;  // per user: role, product

    explicit RolePlan(const rapidjson::Value& truth_users) {
        for (const auto& u : truth_users.GetArray()) {
            access.emplace_back();
            for (const auto& a : u["access"].GetArray())
                access.back().emplace_back(a["role"].GetString(), a["resource_id"].GetString());
        }
    }
    // users/count of who holds any of `roles` on any of `those`.
    std::int64_t holders(const std::vector<std::string>& roles,
                         const std::set<std::string>& those) const {
        std::int64_t n = 0;
        for (const auto& pairs : access) {
            bool holds = false;
            for (const auto& [role, product] : pairs)
                holds = holds || (std::find(roles.begin(), roles.end(), role) != roles.end() &&
                                  those.count(product) > 0);
            n += holds;
        }
        return n;
    }
    static std::string key(const std::vector<std::string>& roles) {
        std::string key;
        for (const auto& role : roles)
            key += (key.empty() ? "" : ",") + role.substr(0, 9) + "%2F" + role.substr(10);
        return key;
    }
    void count_then_query(const std::vector<std::string>& roles,
                          const std::set<std::string>& those) {
        counts[key(roles)].push_back(those.size());
        if (const auto n = holders(roles, those); n > 0)
            split_held(roles, those, n);
    }
    void split_held(const std::vector<std::string>& roles, const std::set<std::string>& those,
                    std::optional<std::int64_t> all) {
        if (roles.size() == 1) {
            queried_on[roles[0]].insert(those.begin(), those.end());
            return;
        }
        const auto middle = roles.begin() + static_cast<std::ptrdiff_t>((roles.size() + 1) / 2);
        const std::vector<std::string> first(roles.begin(), middle), second(middle, roles.end());
        counts[key(first)].push_back(those.size());
        const auto of_first = holders(first, those);
        if (of_first == 0) {
            split_held(second, those, all);
            return;
        }
        split_held(first, those, of_first);
        if (all && of_first < *all)
            split_held(second, those, std::nullopt);
        else
            count_then_query(second, those);
    }
};

}  // namespace

TEST_CASE("admins are listed once each, settled by their groups, and only the rest asked",
          "[integration][sync]") {
    SimFixture sim({"--users", "8000", "--sites", "3", "--products-per-site", "2", "--seed", "5"});
    DaemonFixture daemon(sim.atlassian_yaml());
    one_sync_alone(daemon, sim);
    auto truth = sim.truth();
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), truth);

    const auto plan = admin_plan(truth);
    REQUIRE(plan.holders > 100);  // org and site admins: more than one page
    REQUIRE(plan.by_groups > 0);
    const auto sent = admin_requests(sim);
    CHECK(sent.listing == pages_of(plan.holders));
    CHECK(sent.questions <= plan.questions);
    CHECK(sent.questions >= plan.fewest_questions);
    CHECK(sent.counts == plan.counts);
    CHECK(sent.per_product == 0);
    // Fewer than one query per product would have cost.
    INFO("admin requests " << sent.listing + sent.questions + sent.counts << ", per product "
                           << plan.per_product_pages);
    CHECK(sent.listing + sent.questions + sent.counts < plan.per_product_pages);
}

TEST_CASE(
    "org and site admins the groups leave open are settled by the product's admin count, or "
    "asked when it does not add up",
    "[integration][sync]") {
    SimFixture sim({"--users", "12000", "--sites", "3", "--products-per-site", "2", "--seed", "5"});
    // On three products, the org and site admins lose the product's admin group, so the groups
    // settle none of them there: on the first they get admin directly (all admins), on the
    // second too but one gets user instead (the count does not add up: asked), on the third
    // they all get user (none admin).
    auto before = sim.truth();
    std::map<std::string, std::pair<std::string, std::string>> admin_group_of;  // resource -> group
    for (const auto& g : before["groups"].GetArray())
        for (const auto& r : g["roles"].GetArray())
            if (std::string(r["role"].GetString()) == "atlassian/admin")
                admin_group_of.try_emplace(r["resource_id"].GetString(), g["id"].GetString(),
                                           g["directory_id"].GetString());
    REQUIRE(admin_group_of.size() >= 3);
    const std::string all_admins = admin_group_of.begin()->first;
    const std::string one_user = std::next(admin_group_of.begin())->first;
    const std::string no_admin = std::next(admin_group_of.begin(), 2)->first;
    const std::string org = "/admin/v2/orgs/" + sim.org_id() + "/directories/";
    const std::string v1 = "/admin/v1/orgs/" + sim.org_id() + "/users/";
    std::map<std::string, std::size_t> moved;
    for (const auto& u : before["users"].GetArray()) {
        if (u["platform_roles"].Size() == 0)
            continue;
        const std::string account = u["account_id"].GetString();
        for (const auto& g : u["groups"].GetArray()) {
            for (const auto& resource : {all_admins, one_user, no_admin}) {
                const auto& [group, directory] = admin_group_of.at(resource);
                if (g.GetString() != group)
                    continue;
                REQUIRE(sim.api("DELETE", org + directory + "/groups/" + group + "/memberships/" +
                                              account) == 204);
                const bool demoted =
                    resource == no_admin || (resource == one_user && moved[resource] == 0);
                REQUIRE(sim.api("POST", v1 + account + "/roles/assign",
                                std::string(R"({"role":")") +
                                    (demoted ? "atlassian/user" : "atlassian/admin") +
                                    R"(","resource":")" + resource + R"("})") == 204);
                ++moved[resource];
            }
        }
        // On the third product, those who held admin there directly lose it too.
        for (const auto& a : u["access"].GetArray()) {
            if (a["resource_id"].GetString() != no_admin ||
                std::string(a["via"].GetString()) != "direct")
                continue;
            for (const char* change : {"revoke", "assign"})
                REQUIRE(sim.api("POST", v1 + account + "/roles/" + change,
                                std::string(R"({"role":")") +
                                    (std::string(change) == "revoke" ? "atlassian/admin"
                                                                     : "atlassian/user") +
                                    R"(","resource":")" + no_admin + R"("})") == 204);
        }
    }
    REQUIRE(moved[all_admins] > 200);
    REQUIRE(moved[one_user] > 200);
    REQUIRE(moved[no_admin] > 200);

    DaemonFixture daemon(sim.atlassian_yaml());
    one_sync_alone(daemon, sim);
    auto truth = sim.truth();
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), truth);
    const auto plan = admin_plan(truth);
    // The first product's org and site admins are settled by its count, the second's asked.
    INFO("counts " << plan.counts << ", questions " << plan.questions << ", settled "
                   << plan.settled_by_count << ", reserved asked " << plan.reserved_asked);
    REQUIRE(plan.settled_by_count >= moved[all_admins] + moved[no_admin]);
    REQUIRE(plan.reserved_asked >= moved[one_user]);
    REQUIRE(plan.all_admin >= 1);
    REQUIRE(plan.none_admin >= 1);
    REQUIRE(plan.asked >= 1);
    const auto sent = admin_requests(sim);
    CHECK(sent.listing == pages_of(plan.holders));
    CHECK(sent.counts == plan.counts);
    CHECK(sent.questions <= plan.questions);
    CHECK(sent.questions >= plan.fewest_questions);
    CHECK(sent.per_product == 0);
}

namespace {

// The role counts and the per-product role queries other than admin's in the simulator's log:
// counts by role (with the number of products they name, 0 for the role alone), queries by role
// and product.
struct RoleRequests {
    std::map<std::string, std::vector<std::size_t>> counts;
    std::map<std::string, std::set<std::string>> queried_on;
    std::size_t queries = 0;
};

// Of the first sync in the log (each begins with GET /admin/v1/orgs/{org}).
RoleRequests role_requests(const SimFixture& sim) {
    RoleRequests sent;
    auto log = sim.requests();
    int syncs = 0;
    for (const auto& r : log.GetArray()) {
        const std::string path = r["path"].GetString();
        const std::string query = r["query"].GetString();
        if (path == "/admin/v1/orgs/" + sim.org_id())
            ++syncs;
        if (syncs > 1)
            break;
        if (path.ends_with("/users/count") && query.find("roleIds=") != std::string::npos &&
            query.find("atlassian%2Fadmin") == std::string::npos) {
            // Keyed by the roles counted together, in order, joined by commas.
            std::string role;
            for (auto at = query.find("roleIds="); at != std::string::npos;
                 at = query.find("roleIds=", at + 1)) {
                const auto from = at + 8;
                role +=
                    (role.empty() ? "" : ",") + query.substr(from, query.find('&', from) - from);
            }
            std::size_t named = 0;
            for (auto at = query.find("resourceIds="); at != std::string::npos;
                 at = query.find("resourceIds=", at + 1))
                ++named;
            sent.counts[role].push_back(named);
        }
        if (path.ends_with("/users/search") && r["body"].IsObject() &&
            r["body"].HasMember("roleIds") && r["body"].HasMember("resourceIds") &&
            !r["body"].HasMember("emails") && !r["body"].HasMember("accountIds")) {
            const std::string role = r["body"]["roleIds"][0].GetString();
            if (role == "atlassian/admin")
                continue;
            sent.queried_on[role].insert(r["body"]["resourceIds"][0].GetString());
            ++sent.queries;
        }
    }
    return sent;
}

}  // namespace

TEST_CASE(
    "roles are queried on the products the last snapshot saw them on, or on a first sync where "
    "groups grant them, elsewhere only when a count finds them, one count for the products with "
    "the same roles unseen",
    "[integration][sync]") {
    // Three sites with Jira and Confluence: no Service Management customers and no Product
    // Discovery contributors; guests on Confluence only, basic users on Jira only.
    SimFixture sim({"--users", "500", "--sites", "3", "--products-per-site", "2", "--seed", "5"});
    DaemonFixture daemon(sim.atlassian_yaml());
    auto truth = sim.truth();
    std::set<std::string> products;
    std::map<std::string, std::set<std::string>> held_on;  // role -> products
    for (const auto& u : truth["users"].GetArray())
        for (const auto& a : u["access"].GetArray()) {
            products.insert(a["resource_id"].GetString());
            held_on[a["role"].GetString()].insert(a["resource_id"].GetString());
        }
    const auto guest_on = held_on["atlassian/guest"];
    REQUIRE(products.size() == 6);
    REQUIRE(guest_on.size() == 3);
    REQUIRE_FALSE(held_on["atlassian/basic"].empty());
    REQUIRE_FALSE(held_on["atlassian/stakeholder"].empty());

    const std::vector<std::string> roles = {"atlassian/guest", "atlassian/customer",
                                            "atlassian/contributor", "atlassian/basic",
                                            "atlassian/stakeholder"};
    auto encoded = [](const std::string& role) {
        return role.substr(0, 9) + "%2F" + role.substr(10);
    };

    // The first sync has no snapshot: it goes by the roles the groups grant (guests, through a
    // guests group on each Confluence product), queried where granted, and counts the rest as
    // over a snapshot: one count per set of products with the same roles ungranted. A count
    // that finds someone is split by halves (RolePlan), and a role found is queried on each of
    // its products. (The start-up sync may be followed by the one asked for: only the
    // first counts.)
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    {
        std::map<std::string, std::set<std::string>> products_with;  // ungranted roles -> products
        std::map<std::string, std::vector<std::string>> roles_of;    // that key -> its roles
        for (const auto& p : products) {
            std::string key;
            std::vector<std::string> ungranted;
            for (const auto& role : roles)
                if (!(role == "atlassian/guest" && guest_on.count(p))) {
                    key += (key.empty() ? "" : ",") + encoded(role);
                    ungranted.push_back(role);
                }
            products_with[key].insert(p);
            roles_of[key] = ungranted;
        }
        RolePlan plan(truth["users"]);
        plan.queried_on["atlassian/guest"] = guest_on;
        for (const auto& [key, those] : products_with)
            plan.count_then_query(roles_of[key], those);
        auto& counts = plan.counts;
        auto& queried_on = plan.queried_on;
        REQUIRE(products_with.size() == 2);  // Jira and Confluence
        auto sent = role_requests(sim);
        for (auto* each : {&sent.counts, &counts})
            for (auto& [key, sizes] : *each)
                std::sort(sizes.begin(), sizes.end());
        CHECK(sent.counts == counts);
        std::size_t queries = 0;
        for (const auto& role : roles) {
            CHECK(sent.queried_on[role] == queried_on[role]);
            queries += queried_on[role].size();
        }
        CHECK(sent.queries == queries);
        // Guests only where a group grants them, not on every product as without the groups.
        CHECK(sent.queried_on["atlassian/guest"].size() == 3);
        CHECK(sent.queried_on["atlassian/customer"].empty());
        CHECK(sent.queried_on["atlassian/contributor"].empty());
        // Stakeholders were not counted alone: fewer users hold basic on Jira than the five
        // roles, and guests, customers and contributors nobody there, so someone is a
        // stakeholder.
        CHECK(sent.counts.count("atlassian%2Fstakeholder") == 0);
        const auto& stakeholders_on = held_on["atlassian/stakeholder"];
        CHECK(std::includes(sent.queried_on["atlassian/stakeholder"].begin(),
                            sent.queried_on["atlassian/stakeholder"].end(), stakeholders_on.begin(),
                            stakeholders_on.end()));
    }

    // Over a snapshot: each held role queried only where it was held (guests on Confluence), and
    // one count per set of products with the same roles unseen, naming those roles and products
    // (Jira: guests, customers, contributors, and stakeholders where nobody was one; Confluence:
    // customers, contributors, basic users, stakeholders).
    std::map<std::string, std::string> unseen_on;  // product -> its unseen roles, as counted
    std::map<std::string, std::set<std::string>> products_with;  // unseen roles -> products
    for (const auto& p : products) {
        for (const auto& role : roles)
            if (!held_on[role].count(p))
                unseen_on[p] += (unseen_on[p].empty() ? "" : ",") + encoded(role);
        products_with[unseen_on[p]].insert(p);
    }
    sim.clear_requests();
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), sim.truth());
    {
        auto sent = role_requests(sim);
        std::map<std::string, std::vector<std::size_t>> expected;  // as role_requests keys them
        for (const auto& [unseen, those] : products_with)
            expected[unseen].push_back(those.size());
        CHECK(expected.size() < roles.size());  // fewer counts than one per role
        CHECK(sent.counts == expected);
        std::size_t held_pairs = 0;
        for (const std::string role :
             {"atlassian/guest", "atlassian/basic", "atlassian/stakeholder"}) {
            CHECK(sent.queried_on[role] == held_on[role]);
            held_pairs += held_on[role].size();
        }
        CHECK(sent.queries == held_pairs);
    }

    // Someone becomes a guest on a Jira product: the Jira count finds them, its roles are found
    // by halves on the Jira products, and guests are queried on the three Jira products too.
    std::string jira;
    for (const auto& p : products)
        if (!guest_on.count(p))
            jira = p;
    std::string account;
    for (const auto& u : truth["users"].GetArray())
        for (const auto& a : u["access"].GetArray())
            if (a["resource_id"].GetString() == jira &&
                std::string(a["role"].GetString()) == "atlassian/user" &&
                std::string(a["via"].GetString()) == "direct" && account.empty())
                account = u["account_id"].GetString();
    REQUIRE_FALSE(account.empty());
    REQUIRE(sim.api("POST",
                    "/admin/v1/orgs/" + sim.org_id() + "/users/" + account + "/roles/revoke",
                    R"({"role":"atlassian/user","resource":")" + jira + R"("})") == 204);
    REQUIRE(sim.api("POST",
                    "/admin/v1/orgs/" + sim.org_id() + "/users/" + account + "/roles/assign",
                    R"({"role":"atlassian/guest","resource":")" + jira + R"("})") == 204);
    sim.clear_requests();
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), sim.truth());
    auto sent = role_requests(sim);
    const auto& with_jira = products_with[unseen_on[jira]];
    auto guest_now = guest_on;
    guest_now.insert(with_jira.begin(), with_jira.end());
    CHECK(sent.queried_on["atlassian/guest"] == guest_now);
    // The Jira count was not zero: its roles were halved until the guests were found.
    const auto truth_now = sim.truth();
    RolePlan plan(truth_now["users"]);
    std::vector<std::string> unseen_roles;
    for (const auto& role : roles)
        if (!held_on[role].count(jira))
            unseen_roles.push_back(role);
    // Every count sent: one per set of products with the same roles unseen, then the halves.
    for (const auto& [unseen, those] : products_with)
        plan.counts[unseen].push_back(those.size());
    plan.split_held(unseen_roles, with_jira, plan.holders(unseen_roles, with_jira));
    for (auto* each : {&sent.counts, &plan.counts})
        for (auto& [key, sizes] : *each)
            std::sort(sizes.begin(), sizes.end());
    CHECK(sent.counts == plan.counts);
    CHECK(plan.queried_on["atlassian/guest"] == with_jira);
    CHECK(sent.queried_on.count("atlassian/customer") == 0);
}
