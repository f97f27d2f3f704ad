// Notices under delegated access (issues 17 and 19): real uids (setpriv) with a site scope see the
// notices of the users in their scope only (the simulator's truth: users with access on that
// site), with the last activity of in-scope products only; a scoped admin may exempt only those
// users, and another is answered as unknown with nothing changed.
#include <catch2/catch.hpp>

#include <set>

#include "as_user.hpp"
#include "daemon_fixture.hpp"
#include "org_truth.hpp"
#include "rosterd/base/time_format.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

constexpr std::uint32_t kViewerUid = 65534;  // viewer, first site
constexpr std::uint32_t kAdminUid = 65533;   // admin, first site

rapidjson::Document parsed(const CommandResult& r) {
    INFO(r.out << r.err);
    REQUIRE(r.exit_code == 0);
    rapidjson::Document doc;
    doc.Parse(r.out.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

std::map<std::string, std::string> states_of(const rapidjson::Value& answer) {
    std::map<std::string, std::string> out;
    for (const auto& n : answer["notices"].GetArray())
        out[n["account_id"].GetString()] = n["state"].GetString();
    return out;
}

}  // namespace

TEST_CASE("a scoped caller sees only the notices of users in their scope and may exempt only those",
          "[integration][notice][scope][root]") {
    require_root();
    SimFixture sim({"--users", "200", "--sites", "2", "--seed", "23"});
    auto truth = sim.truth();
    auto org = load(truth);
    auto catalogue = site_catalogue(truth);
    REQUIRE(catalogue.hosts.size() == 2);
    const std::string eu = catalogue.hosts[0], us = catalogue.hosts[1];
    auto sites_of = [&](const TruthUser& u) {
        std::set<std::string> sites;
        for (const auto& [resource, role] : u.access)
            if (catalogue.resources.count(resource))
                sites.insert(catalogue.resources.at(resource).site);
        return sites;
    };

    // The members: ordinary users holding Jira on one site and nothing on the other, three of
    // each; never active in Jira. Everyone else holding Jira was active just now.
    std::set<std::string> members, eu_members, us_members;
    auto now = rosterd::format_iso8601_s(std::chrono::duration_cast<std::chrono::milliseconds>(
                                             std::chrono::system_clock::now().time_since_epoch())
                                             .count());
    for (const auto& u : org.users) {
        std::vector<std::string> jira;
        for (const auto& [resource, role] : u.access)
            if (catalogue.resources.count(resource) &&
                catalogue.resources.at(resource).product == "jira-software")
                jira.push_back(resource);
        if (jira.empty())
            continue;
        auto sites = sites_of(u);
        bool chosen = false;
        if (ordinary(u) && sites.size() == 1) {
            auto& side = *sites.begin() == eu ? eu_members : us_members;
            if (side.size() < 3) {
                side.insert(u.id);
                members.insert(u.id);
                chosen = true;
            }
        }
        for (const auto& resource : jira)
            sim.http("POST", "/_sim/activity",
                     R"({"account_id":")" + u.id + R"(","resource_id":")" + resource +
                         R"(","last_active":)" + (chosen ? "null" : "\"" + now + "\"") + "}");
    }
    REQUIRE(eu_members.size() == 3);
    REQUIRE(us_members.size() == 3);

    DaemonFixture daemon("", false);
    daemon.write_raw_config(
        "storage:\n  path: " + daemon.db_path() + "\ncontrol:\n  socket: " + daemon.socket_path() +
        "\n  access:\n"
        "    - {user: \"65534\", level: viewer, scope: {sites: [" +
        eu +
        "]}}\n"
        "    - {user: \"65533\", level: admin, scope: {sites: [" +
        eu + "]}}\n" + sim.atlassian_yaml() +
        "tasks:\n"
        "  - name: idle\n"
        "    filter: {product: jira-software, never-active: true, status: active}\n"
        "    actions: [suspend]\n"
        "    schedule: every 24h\n"
        "    mode: apply\n"
        "    enabled: false\n"
        "    notice: {grace: 1h}\n");
    daemon.start();
    open_socket_to_nogroup(daemon);
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    auto run = daemon.ctl_json({"tasks", "run", "idle", "--apply"});
    REQUIRE(run["notice"]["noticed"].Size() == members.size());
    auto all = daemon.ctl_json({"notices"});
    auto all_states = states_of(all);
    std::set<std::string> noticed;
    for (const auto& [id, state] : all_states)
        noticed.insert(id);
    REQUIRE(noticed == members);

    // The viewer of the first site: exactly the noticed users with access there.
    auto seen = parsed(ctl_as(daemon, kViewerUid, {"--json", "notices"}));
    std::set<std::string> seen_ids;
    for (const auto& n : seen["notices"].GetArray()) {
        seen_ids.insert(n["account_id"].GetString());
        REQUIRE(n["activity"].Size() >= 1);
        for (const auto& a : n["activity"].GetArray())
            CHECK(std::string(a["site"].GetString()) == eu);  // in-scope activity only
    }
    CHECK(seen_ids == eu_members);
    // Asking for an out-of-scope user by id finds nothing; the table and CSV agree.
    const std::string outside = *us_members.begin(), inside = *eu_members.begin();
    auto one = parsed(ctl_as(daemon, kViewerUid, {"--json", "notices", "--user", outside}));
    CHECK(one["notices"].Size() == 0);
    auto csv = ctl_as(daemon, kViewerUid, {"notices", "--format", "csv"});
    REQUIRE(csv.exit_code == 0);
    for (const auto& id : us_members)
        CHECK(csv.out.find(id) == std::string::npos);
    for (const auto& id : eu_members)
        CHECK(csv.out.find(id) != std::string::npos);
    // The limit counts the caller's notices only.
    auto two = parsed(ctl_as(daemon, kViewerUid, {"--json", "notices", "--limit", "2"}));
    REQUIRE(two["notices"].Size() == 2);
    for (const auto& n : two["notices"].GetArray())
        CHECK(eu_members.count(n["account_id"].GetString()) == 1);
    // Root sees all of them.
    CHECK(all["notices"].Size() == members.size());

    // A viewer may not exempt anyone.
    auto viewer_exempt = ctl_as(daemon, kViewerUid, {"notices", "exempt", inside, "--reason", "x"});
    CHECK(viewer_exempt.exit_code == 1);
    CHECK_THAT(ctl_text(viewer_exempt), Catch::Contains("[forbidden]"));

    // The scoped admin: a user outside the scope reads as unknown and nothing changes...
    auto refused =
        ctl_as(daemon, kAdminUid, {"notices", "exempt", outside, "--reason", "on leave"});
    INFO(ctl_text(refused));
    CHECK(refused.exit_code == 1);
    CHECK_THAT(ctl_text(refused), Catch::Contains("found in your scope"));
    CHECK_THAT(ctl_text(refused), Catch::Contains("you may exempt only users in it"));
    const auto& outside_email = org.user(outside).email;
    auto by_email =
        ctl_as(daemon, kAdminUid, {"notices", "exempt", outside_email, "--reason", "on leave"});
    CHECK(by_email.exit_code == 1);
    CHECK(states_of(daemon.ctl_json({"notices"})) == all_states);
    // ... and one inside it is exempted.
    auto done = parsed(
        ctl_as(daemon, kAdminUid, {"--json", "notices", "exempt", inside, "--reason", "on leave"}));
    CHECK(std::string(done["account_id"].GetString()) == inside);
    CHECK(done["notices_ended"].GetInt() == 1);
    auto after = states_of(daemon.ctl_json({"notices"}));
    for (const auto& id : members)
        CHECK(after.at(id) == (id == inside ? "exempt" : "on-notice"));
    CHECK(mutations_settled(sim, 0).empty());
}
