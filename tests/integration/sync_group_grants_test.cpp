// What each group grants, read through filtered group searches (daemon/sync/group_grant_code.hpp):
// the groups with one role on one product decoded from a few searches, every other granting group
// read alone, and the snapshot's group grants equal to the simulator's.
#include <catch2/catch.hpp>

#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "daemon_fixture.hpp"
#include "rosterd/store/store.hpp"
#include "sim_fixture.hpp"
#include "snapshot_reader.hpp"
#include "truth_check.hpp"

using namespace rosterd::test;

namespace {

using GrantRow = std::tuple<std::string, std::string, std::string>;  // group, resource, role

std::set<GrantRow> truth_grants(const rapidjson::Value& truth) {
    std::set<GrantRow> rows;
    for (const auto& g : truth["groups"].GetArray())
        for (const auto& r : g["roles"].GetArray())
            rows.emplace(g["id"].GetString(), r["resource_id"].GetString(), r["role"].GetString());
    return rows;
}

std::set<GrantRow> stored_grants(const std::string& db_path) {
    auto view = read_snapshot(db_path);
    REQUIRE(view.snapshot_id.has_value());
    auto db = rosterd::store::Database::open(db_path, rosterd::store::Database::Mode::read_only);
    auto q =
        db->prepare("SELECT group_id, resource_id, role FROM group_roles WHERE snapshot_id = ?");
    q.bind(1, *view.snapshot_id);
    std::set<GrantRow> rows;
    while (q.step())
        rows.emplace(q.text(0), q.text(1), q.text(2));
    return rows;
}

}  // namespace

TEST_CASE(
    "group grants are decoded from a few group searches and only the groups they cannot decode "
    "are read one by one",
    "[integration][sync]") {
    SimFixture sim({"--users", "2000", "--sites", "3", "--products-per-site", "2", "--seed", "3"});
    auto truth = sim.truth();
    std::vector<std::string> products;
    for (const auto& s : truth["sites"].GetArray())
        for (const auto& p : s["products"].GetArray())
            products.push_back(p["resource_id"].GetString());
    REQUIRE(products.size() == 6);

    // Three groups the searches cannot decode: a role group that also grants admin on its product
    // (two roles), one that also grants stakeholder there (a role outside the pairs), one that also
    // grants on a second product. The new grants go where no member has access yet, so each
    // member's access stays as the simulator reports it (a group granting a second role beside a
    // direct grant would make the access "group" to rosterd and "direct" to the simulator, whatever
    // the reading).
    std::map<std::string, std::set<std::string>> reach;  // group -> products its members access
    for (const auto& u : truth["users"].GetArray())
        for (const auto& g : u["groups"].GetArray())
            for (const auto& a : u["access"].GetArray())
                reach[g.GetString()].insert(a["resource_id"].GetString());
    auto unreached = [&](const rapidjson::Value& group) -> std::optional<std::string> {
        for (const auto& p : products)
            if (!reach[group["id"].GetString()].count(p))
                return p;
        return std::nullopt;
    };
    const rapidjson::Value* with_two_roles = nullptr;
    const rapidjson::Value* on_two_products = nullptr;
    const rapidjson::Value* stakeholders = nullptr;
    std::string second_product;
    for (const auto& g : truth["groups"].GetArray()) {
        const auto roles = g["roles"].Size();
        if (roles == 1 && std::string(g["roles"][0]["role"].GetString()) == "atlassian/user") {
            if (!with_two_roles) {
                with_two_roles = &g;
            } else if (!stakeholders) {
                stakeholders = &g;
            } else if (!on_two_products && unreached(g)) {
                on_two_products = &g;
                second_product = *unreached(g);
            }
        }
    }
    REQUIRE(with_two_roles);
    REQUIRE(on_two_products);
    REQUIRE(stakeholders);
    auto assign = [&](const rapidjson::Value& group, const std::string& resource,
                      const std::string& role) {
        const std::string path = "/admin/v2/orgs/" + sim.org_id() + "/directories/" +
                                 group["directory_id"].GetString() + "/groups/" +
                                 group["id"].GetString() + "/role-assignments/assign";
        REQUIRE(sim.api("POST", path,
                        R"({"resourceId":")" + resource + R"(","roleId":")" + role + R"("})") ==
                200);
    };
    const std::set<std::string> undecodable = {(*with_two_roles)["id"].GetString(),
                                               (*on_two_products)["id"].GetString(),
                                               (*stakeholders)["id"].GetString()};
    assign(*with_two_roles, (*with_two_roles)["roles"][0]["resource_id"].GetString(),
           "atlassian/admin");
    assign(*on_two_products, second_product, "atlassian/user");
    assign(*stakeholders, (*stakeholders)["roles"][0]["resource_id"].GetString(),
           "atlassian/stakeholder");
    truth = sim.truth();
    std::size_t granting = 0;
    for (const auto& g : truth["groups"].GetArray())
        granting += g["roles"].Size() > 0;
    REQUIRE(granting > 9 + undecodable.size());  // the searches are worth it

    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    sim.clear_requests();
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);

    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), truth);
    CHECK(stored_grants(daemon.db_path()) == truth_grants(truth));

    std::size_t listing = 0, by_role = 0, by_product = 0;
    std::set<std::string> read_alone;
    auto log = sim.requests();
    for (const auto& r : log.GetArray()) {
        const std::string path = r["path"].GetString();
        if (path.ends_with("/groups/search")) {
            const auto& body = r["body"];
            if (body.HasMember("roleIds")) {
                ++by_role;
                CHECK_FALSE(body.HasMember("resourceIds"));
            } else if (body.HasMember("resourceIds")) {
                ++by_product;
            } else {
                ++listing;
            }
        } else if (path.ends_with("/role-assignments")) {
            const auto at = path.find("/groups/") + 8;
            CHECK(read_alone.insert(path.substr(at, path.find('/', at) - at)).second);
        }
    }
    CHECK(listing == (truth["groups"].Size() + 99) / 100);
    CHECK(by_role == 4);     // four role bits (other roles: three of them or four)
    CHECK(by_product == 4);  // six products: two of four bits each
    CHECK(read_alone == undecodable);
}

TEST_CASE("a group search of the grant code that the API refuses makes every group be read alone",
          "[integration][sync]") {
    SimFixture sim({"--users", "2000", "--sites", "3", "--products-per-site", "2", "--seed", "3"});
    // atlassian/ai-access has all four role bits: every role search names it, refused with a 400.
    sim.configure(R"({"refuse_group_role_id":"atlassian/ai-access"})");
    DaemonFixture daemon(sim.atlassian_yaml());
    auto result = daemon.ctl({"sync", "--wait"});
    INFO(result.out + result.err);
    REQUIRE(result.exit_code == 0);
    const auto truth = sim.truth();
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), truth);
    CHECK(stored_grants(daemon.db_path()) == truth_grants(truth));
    std::set<std::string> granting, read_alone;
    for (const auto& g : truth["groups"].GetArray())
        if (g["roles"].Size() > 0)
            granting.insert(g["id"].GetString());
    std::size_t refused = 0;
    auto log = sim.requests();
    int syncs = 0;
    for (const auto& r : log.GetArray()) {
        const std::string path = r["path"].GetString();
        if (path == "/admin/v1/orgs/" + sim.org_id() && ++syncs > 1)
            break;  // the first sync only (the start-up sync may be followed by another)
        if (path.ends_with("/groups/search") && r["status"].GetInt() == 400)
            ++refused;
        if (path.ends_with("/role-assignments")) {
            const auto at = path.find("/groups/") + 8;
            read_alone.insert(path.substr(at, path.find('/', at) - at));
        }
    }
    // The searches naming it (sent together) are refused once each, never retried.
    CHECK(refused >= 1);
    CHECK(refused <= 4);
    CHECK(read_alone == granting);
}
