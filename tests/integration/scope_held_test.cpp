// "Hold or held" (issue 19) end to end: a scoped admin who removed in-scope access still sees
// those users in `users` and `user X` (the run journal remembers what runs took away), and undoes
// the run; a user whose out-of-scope access a run took away stays unknown to them.
#include <catch2/catch.hpp>

#include <map>
#include <set>

#include "as_user.hpp"
#include "daemon_fixture.hpp"
#include "org_truth.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

constexpr std::uint32_t kConfluenceUid = 65533;  // admin, Confluence only

using Resource = SiteProduct;

rapidjson::Document parsed(const CommandResult& r) {
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    rapidjson::Document doc;
    doc.Parse(r.out.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

std::set<std::string> ids_of(const rapidjson::Value& users_answer) {
    std::set<std::string> ids;
    for (const auto& u : users_answer["users"].GetArray())
        ids.insert(u["account_id"].GetString());
    return ids;
}

}  // namespace

TEST_CASE("a scoped admin still sees the users whose in-scope access they removed, and undoes it",
          "[integration][scope][root]") {
    require_root();
    SimFixture sim({"--users", "240", "--sites", "2", "--seed", "19"});
    auto before = sim.truth();
    auto org = load(before);
    auto catalogue = site_catalogue(before);
    const auto& hosts = catalogue.hosts;
    const auto& resources = catalogue.resources;
    REQUIRE(hosts.size() == 2);
    const std::string eu = hosts[0];
    auto is_confluence = [&](const std::string& r) {
        return resources.count(r) && resources.at(r).product == "confluence";
    };
    // Someone whose only Confluence is on `eu`, granted directly or by groups granting nothing but
    // Confluence (so that its removal lies in the scope), and who holds something else too.
    std::string target;
    for (const auto& u : org.users) {
        if (!ordinary(u) || u.access.size() < 2)
            continue;
        std::size_t confluence = 0;
        bool on_eu = false, groups_fit = true;
        for (const auto& [r, role] : u.access)
            if (is_confluence(r)) {
                ++confluence;
                on_eu = resources.at(r).site == eu;
            }
        for (const auto& g : u.groups)
            for (const auto& r : org.groups.at(g).resources)
                groups_fit =
                    groups_fit && (!is_confluence(r) || org.groups.at(g).resources.size() == 1);
        if (confluence == 1 && on_eu && groups_fit) {
            target = u.id;
            break;
        }
    }
    REQUIRE_FALSE(target.empty());
    // Someone with Jira on `eu` and no Confluence at all: their Jira is out of the scope.
    std::string jira_only;
    for (const auto& u : org.users) {
        if (!ordinary(u) || u.id == target)
            continue;
        bool confluence = false, jira_eu = false;
        for (const auto& [r, role] : u.access) {
            confluence = confluence || is_confluence(r);
            jira_eu =
                jira_eu || (resources.count(r) && resources.at(r).product == "jira-software" &&
                            resources.at(r).site == eu);
        }
        if (!confluence && jira_eu) {
            jira_only = u.id;
            break;
        }
    }
    REQUIRE_FALSE(jira_only.empty());

    DaemonFixture daemon("", false);
    daemon.write_raw_config(
        "storage:\n  path: " + daemon.db_path() + "\ncontrol:\n  socket: " + daemon.socket_path() +
        "\n  access:\n"
        "    - {user: \"65533\", level: admin, scope: {products: [confluence]}}\n" +
        sim.atlassian_yaml());
    daemon.start();
    open_socket_to_nogroup(daemon);
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);

    // The truth's Confluence holders now.
    auto holders = [&] {
        std::set<std::string> ids;
        for (const auto& u : load(sim.truth()).users)
            for (const auto& [r, role] : u.access)
                if (is_confluence(r))
                    ids.insert(u.id);
        return ids;
    };
    auto seen = [&] {
        return ids_of(
            parsed(ctl_as(daemon, kConfluenceUid, {"--json", "users", "--limit", "5000"})));
    };
    REQUIRE(seen() == holders());
    REQUIRE(seen().count(target) == 1);
    REQUIRE(seen().count(jira_only) == 0);

    // Root takes Jira from the Jira-only user: still nothing the Confluence admin may see.
    auto jira_run = daemon.ctl_json(
        {"bulk", "remove-product-access:jira-software@" + eu, "--users", jira_only, "--apply"});
    REQUIRE(std::string(jira_run["state"].GetString()) == "succeeded");
    wait_quiet(daemon);

    // The Confluence admin takes the target's Confluence.
    auto run = parsed(ctl_as(daemon, kConfluenceUid,
                             {"--json", "bulk", "remove-product-access:confluence@" + eu, "--users",
                              target, "--apply"}));
    REQUIRE(std::string(run["state"].GetString()) == "succeeded");
    wait_quiet(daemon);
    auto now_holders = holders();
    REQUIRE(now_holders.count(target) == 0);  // the truth: no Confluence left

    // Still seen: the holders, and the target who held it; nobody else.
    auto expected = now_holders;
    expected.insert(target);
    CHECK(seen() == expected);
    auto listed = parsed(ctl_as(daemon, kConfluenceUid, {"--json", "users", "--limit", "5000"}));
    CHECK(listed["total"].GetInt64() == static_cast<std::int64_t>(expected.size()));
    auto one = parsed(ctl_as(daemon, kConfluenceUid, {"--json", "user", target}));
    REQUIRE(one["user"].HasMember("products"));
    CHECK(one["user"]["products"].Size() == 0);  // their in-scope access only: none now
    CHECK(one["user"]["sites"].Size() == 0);
    auto hidden = ctl_as(daemon, kConfluenceUid, {"user", jira_only});
    CHECK(hidden.exit_code == 1);
    CHECK_THAT(ctl_text(hidden), Catch::Contains("found in your scope"));

    // And they undo it: the organization is as it was, but for root's Jira run.
    auto undo = parsed(ctl_as(daemon, kConfluenceUid,
                              {"--json", "runs", "undo", run["id"].GetString(), "--apply"}));
    CHECK(std::string(undo["state"].GetString()) == "succeeded");
    CHECK(undo["changed"].GetInt64() == 1);
    wait_quiet(daemon);
    auto after = load(sim.truth());
    CHECK(after.user(target).access == org.user(target).access);
    CHECK(after.user(target).groups == org.user(target).groups);
    CHECK(holders().count(target) == 1);
}
