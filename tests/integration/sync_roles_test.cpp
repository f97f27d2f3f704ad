// How a sync learns roles: admins from one listing of the accounts holding admin anywhere
// (organization and site admins hold it on every product), settled by their groups and by questions
// about the rest; the other roles product by product, and only when someone holds them at all.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <map>
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

}  // namespace

TEST_CASE("admins are listed once each, settled by their groups, and only the rest asked",
          "[integration][sync]") {
    SimFixture sim({"--users", "8000", "--sites", "3", "--products-per-site", "2", "--seed", "5"});
    DaemonFixture daemon(sim.atlassian_yaml());
    one_sync_alone(daemon, sim);
    auto truth = sim.truth();
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), truth);

    // The simulator's truth: who holds admin where, and which products their groups grant admin on.
    std::map<std::string, std::set<std::string>> group_admin_on;
    for (const auto& g : truth["groups"].GetArray())
        for (const auto& r : g["roles"].GetArray())
            if (std::string(r["role"].GetString()) == "atlassian/admin")
                group_admin_on[g["id"].GetString()].insert(r["resource_id"].GetString());
    std::size_t holders = 0, per_product_pages = 0, by_groups = 0;
    std::map<std::string, std::size_t> asked;  // product -> holders asked about it
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
        ++holders;
        for (const auto& a : u["access"].GetArray()) {
            bool granted = false;
            for (const auto& g : u["groups"].GetArray())
                granted =
                    granted || group_admin_on[g.GetString()].count(a["resource_id"].GetString());
            if (granted)
                ++by_groups;
            else
                ++asked[a["resource_id"].GetString()];
        }
    }
    for (const auto& [product, n] : admins_on)
        per_product_pages += std::max<std::size_t>(1, pages_of(n));
    std::size_t question_pages = 0;
    for (const auto& [product, n] : asked)
        question_pages += pages_of(n);
    REQUIRE(holders > 100);  // org and site admins: more than one page
    REQUIRE(by_groups > 0);

    // What the sync sent about admins: the holders' pages, then one question per 100 asked.
    std::size_t listing = 0, questions = 0, per_product = 0;
    auto log = sim.requests();
    for (const auto& r : log.GetArray()) {
        if (!std::string(r["path"].GetString()).ends_with("/users/search") ||
            !r["body"].IsObject() || !r["body"].HasMember("roleIds"))
            continue;
        const auto& body = r["body"];
        if (std::string(body["roleIds"][0].GetString()) != "atlassian/admin")
            continue;
        if (!body.HasMember("resourceIds"))
            ++listing;
        else if (body.HasMember("emails") || body.HasMember("accountIds"))
            ++questions;
        else
            ++per_product;
    }
    CHECK(listing == pages_of(holders));
    CHECK(questions == question_pages);
    CHECK(per_product == 0);
    // Fewer than one query per product would have cost.
    INFO("admin requests " << listing + questions << ", per product " << per_product_pages);
    CHECK(listing + questions < per_product_pages);
}

TEST_CASE("a role nobody holds costs one count, not one query per product", "[integration][sync]") {
    // Three sites with Jira and Confluence: no Service Management customers and no Product
    // Discovery contributors.
    SimFixture sim({"--users", "500", "--sites", "3", "--products-per-site", "2", "--seed", "5"});
    DaemonFixture daemon(sim.atlassian_yaml());
    one_sync_alone(daemon, sim);
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), sim.truth());
    std::map<std::string, std::size_t> counts, queries;
    auto log = sim.requests();
    for (const auto& r : log.GetArray()) {
        const std::string path = r["path"].GetString();
        const std::string query = r["query"].GetString();
        if (path.ends_with("/users/count") && query.find("roleIds=") != std::string::npos)
            ++counts[query.substr(query.find("roleIds=") + 8)];
        if (path.ends_with("/users/search") && r["body"].IsObject() &&
            r["body"].HasMember("roleIds") && r["body"].HasMember("resourceIds"))
            ++queries[r["body"]["roleIds"][0].GetString()];
    }
    const std::map<std::string, std::size_t> one_each{{"atlassian%2Fbasic", 1},
                                                      {"atlassian%2Fcontributor", 1},
                                                      {"atlassian%2Fcustomer", 1},
                                                      {"atlassian%2Fguest", 1},
                                                      {"atlassian%2Fstakeholder", 1}};
    CHECK(counts == one_each);
    CHECK(queries.count("atlassian/customer") == 0);
    CHECK(queries.count("atlassian/contributor") == 0);
    // Held roles are asked on each of the six products.
    CHECK(queries["atlassian/guest"] >= 6);
    CHECK(queries["atlassian/basic"] >= 6);
}
