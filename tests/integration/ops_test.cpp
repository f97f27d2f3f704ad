// Bulk runs against rosterd-sim, asserting on its request log and its ground truth: each operation
// sends exactly its requests and nothing else; protected users, the cap and dry runs send no
// mutation at all; kill -9 mid-run resumes without sending anything twice; undo restores the
// organization; task runs reach the webhook sink with their counts, a partial failure included.
#include <catch2/catch.hpp>

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>
#include <map>
#include <memory>
#include <random>
#include <set>
#include <thread>

#include "crash_loop.hpp"
#include "daemon_fixture.hpp"
#include "notify_helpers.hpp"
#include "org_truth.hpp"
#include "rosterd/store/store.hpp"
#include "sim_fixture.hpp"
#include "truth_check.hpp"

using namespace rosterd::test;

TEST_CASE(
    "each operation sends exactly its requests, and protection, the cap and dry runs send none",
    "[integration][ops]") {
    SimFixture sim({"--users", "300", "--sites", "2", "--seed", "5"});
    auto org = load(sim.truth());
    const std::string base = "/admin/v2/orgs/" + sim.org_id();
    std::vector<std::string> plain;
    for (const auto& u : org.users)
        if (ordinary(u))
            plain.push_back(u.id);
    REQUIRE(plain.size() > 40);
    const std::string org_admin = org.users[0].id, app = org.users[2].id;
    const std::string listed = plain.back();  // protected by protect.users
    DaemonFixture daemon(sim.atlassian_yaml() + "protect:\n  users: [" + listed +
                         "]\nops:\n  max_users: 6\nfilters:\n  actives: {status: active}\n");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    sim.clear_requests();

    SECTION("a dry run plans, names every skipped user's reason and sends nothing") {
        auto plan = daemon.ctl_json(
            {"bulk", "suspend", "--users", joined({plain[0], plain[1], org_admin, listed, app})});
        CHECK(std::string(plan["state"].GetString()) == "planned");
        CHECK(std::string(plan["mode"].GetString()) == "dry-run");
        auto got = outcomes(plan);
        CHECK(got[plain[0]] == "planned");
        CHECK(got[plain[1]] == "planned");
        CHECK(got[org_admin] == "skipped: protected: org admin");
        CHECK(got[listed] == "skipped: protected: listed under protect.users");
        CHECK(got[app] == "skipped: protected: app account");
        CHECK(plan["ok"].GetInt() == 2);
        CHECK(plan["skipped"].GetInt() == 3);
        CHECK(mutations(sim).empty());
        // The dry run is recorded, with who ran it.
        auto shown = daemon.ctl_json({"runs", "show", plan["id"].GetString()});
        CHECK(std::string(shown["state"].GetString()) == "planned");
        CHECK(shown["caller_uid"].IsInt64());
        // --from-file: one id or email per line; a CSV export's first column; comments.
        auto file =
            daemon.dir().write("users.csv", "account_id,name\n# reviewed by the team\n" + plain[0] +
                                                ",A\n\n" + org.user(plain[1]).email + ",B\n");
        auto from_file = daemon.ctl_json({"bulk", "suspend", "--from-file", file.string()});
        CHECK(outcomes(from_file) ==
              std::map<std::string, std::string>{{plain[0], "planned"}, {plain[1], "planned"}});
        auto human = daemon.ctl({"bulk", "suspend", "--users", plain[0]});
        CHECK(human.exit_code == 0);
        CHECK_THAT(human.out, Catch::Contains("Dry run: nothing was changed"));
    }

    SECTION("the cap refuses a run that acts on too many users, unless raised for it") {
        auto refused = daemon.ctl({"bulk", "suspend", "--filter", "actives", "--apply"});
        CHECK(refused.exit_code == 1);
        CHECK_THAT(ctl_text(refused), Catch::Contains("more than the cap of 6 (ops.max_users)"));
        CHECK_THAT(ctl_text(refused), Catch::Contains("--max-users"));
        // A dry run over the cap is a dry run: the whole plan, and what applying it needs.
        auto dry = daemon.ctl({"bulk", "suspend", "--status", "active"});
        CHECK(dry.exit_code == 0);
        CHECK_THAT(dry.out, Catch::Contains("applying it needs --apply --max-users"));
        CHECK(mutations(sim).empty());
        auto runs = daemon.ctl_json({"runs"});
        CHECK(std::string(runs["runs"][0]["state"].GetString()) == "planned");
        CHECK(std::string(runs["runs"][1]["state"].GetString()) == "refused");
        // Bad input is refused before anything is planned.
        auto bad = daemon.ctl({"bulk", "suspendd", "--users", plain[0]});
        CHECK(bad.exit_code == 2);
        CHECK_THAT(bad.err, Catch::Contains("unknown action 'suspendd'"));
        auto everyone = daemon.ctl({"bulk", "suspend"});
        CHECK(everyone.exit_code == 2);
        CHECK_THAT(everyone.err, Catch::Contains("select the users"));
        auto destructive = daemon.ctl({"bulk", "remove-from-directory", "--users", plain[0]});
        CHECK(destructive.exit_code == 2);
        CHECK_THAT(destructive.err, Catch::Contains("add --force"));
        CHECK(mutations(sim).empty());
    }

    SECTION("suspend and restore: one request each, with {} bodies; protected users untouched") {
        auto run = daemon.ctl_json(
            {"bulk", "suspend", "--users", joined({plain[0], plain[1], listed}), "--apply"});
        CHECK(std::string(run["state"].GetString()) == "succeeded");
        CHECK(run["ok"].GetInt() == 2);
        CHECK(run["skipped"].GetInt() == 1);
        check_mutations(sim,
                        std::multiset<std::string>{
                            "POST " + base + "/directories/-/users/" + plain[0] + "/suspend {}",
                            "POST " + base + "/directories/-/users/" + plain[1] + "/suspend {}"});
        CHECK(rereads(sim) == 2);
        auto after = load(sim.truth());
        CHECK(after.user(plain[0]).status == "suspended");
        CHECK(after.user(plain[1]).status == "suspended");
        CHECK(after.user(listed).status == "active");
        wait_quiet(daemon);
        sim.clear_requests();
        // The follow-up sync taught the snapshot: restore now has something to do.
        auto back = daemon.ctl_json(
            {"bulk", "restore", "--users", joined({plain[0], plain[1]}), "--apply"});
        INFO(compact(back));
        INFO(daemon.log());
        CHECK(std::string(back["state"].GetString()) == "succeeded");
        check_mutations(sim,
                        std::multiset<std::string>{
                            "POST " + base + "/directories/-/users/" + plain[0] + "/restore {}",
                            "POST " + base + "/directories/-/users/" + plain[1] + "/restore {}"});
        CHECK(load(sim.truth()).user(plain[0]).status == "active");
    }

    SECTION("group membership: add, then remove") {
        const TruthGroup* group = nullptr;
        for (const auto& [id, g] : org.groups)
            if (!g.synced && g.resources.empty() && !org.user(plain[2]).groups.count(id) &&
                !org.user(plain[3]).groups.count(id) &&
                g.directory == org.user(plain[2]).directory) {
                group = &g;
                break;
            }
        REQUIRE(group);
        auto added = daemon.ctl_json({"bulk", "add-to-groups:" + group->name, "--users",
                                      joined({plain[2], plain[3]}), "--apply"});
        CHECK(std::string(added["state"].GetString()) == "succeeded");
        const std::string members =
            base + "/directories/" + group->directory + "/groups/" + group->id + "/memberships";
        check_mutations(sim, std::multiset<std::string>{
                                 "POST " + members + " {\"accountId\":\"" + plain[2] + "\"}",
                                 "POST " + members + " {\"accountId\":\"" + plain[3] + "\"}"});
        CHECK(load(sim.truth()).user(plain[2]).groups.count(group->id) == 1);
        wait_quiet(daemon);
        sim.clear_requests();
        auto removed = daemon.ctl_json({"bulk", "remove-from-groups:" + group->id, "--users",
                                        joined({plain[2], plain[3]}), "--apply"});
        CHECK(std::string(removed["state"].GetString()) == "succeeded");
        check_mutations(sim, std::multiset<std::string>{"DELETE " + members + "/" + plain[2],
                                                        "DELETE " + members + "/" + plain[3]});
        CHECK(load(sim.truth()).user(plain[2]).groups.count(group->id) == 0);
    }

    SECTION("deactivate and reactivate: managed accounts only, through the User management API") {
        std::string unmanaged;
        for (const auto& u : org.users)
            if (u.status == "active" && u.claim == "unmanaged" && u.platform_roles.empty() &&
                u.id != app)
                unmanaged = u.id;
        REQUIRE(!unmanaged.empty());
        auto run = daemon.ctl_json(
            {"bulk", "deactivate", "--users", joined({plain[4], unmanaged}), "--apply"});
        CHECK(std::string(run["state"].GetString()) == "succeeded");
        CHECK_THAT(outcomes(run)[unmanaged], Catch::StartsWith("skipped: deactivate: unmanaged"));
        check_mutations(
            sim,
            std::multiset<std::string>{
                "POST /users/" + plain[4] +
                "/manage/lifecycle/disable {\"message\":\"Your account was deactivated by your "
                "organization.\"}"});
        wait_quiet(daemon);
        sim.clear_requests();
        auto back = daemon.ctl_json({"bulk", "reactivate", "--users", plain[4], "--apply"});
        INFO(compact(back));
        INFO(daemon.log());
        CHECK(std::string(back["state"].GetString()) == "succeeded");
        check_mutations(sim, std::multiset<std::string>{"POST /users/" + plain[4] +
                                                        "/manage/lifecycle/enable {}"});
    }

    SECTION("remove-product-access: the granting groups and the direct role, nothing else") {
        const std::string host = org.first_host;
        const std::string resource = org.jira_resource_of_host.at(host);
        // One user whose Jira comes from a direct grant, one whose Jira comes from groups only.
        std::vector<std::string> chosen;
        std::multiset<std::string> expected;
        bool direct = false, grouped = false;
        for (const auto& id : plain) {
            const auto& u = org.user(id);
            if (!u.access.count(resource) || u.access.at(resource) != "atlassian/user")
                continue;
            rapidjson::Document detail;
            detail.Parse(sim.http("GET", "/_sim/users/" + id).c_str());
            std::vector<std::string> direct_roles;
            for (const auto& d : detail["direct_roles"].GetArray())
                if (std::string(d["resource_id"].GetString()) == resource)
                    direct_roles.push_back(d["role"].GetString());
            std::vector<std::string> granting;
            bool synced = false;
            for (const auto& g : u.groups)
                if (org.groups.at(g).resources.count(resource)) {
                    granting.push_back(g);
                    synced = synced || org.groups.at(g).synced;
                }
            if (synced)
                continue;
            bool is_direct = direct_roles.size() == 1 && direct_roles[0] == "atlassian/user";
            bool is_grouped = direct_roles.empty() && !granting.empty();
            if ((is_direct && !direct) || (is_grouped && !grouped)) {
                direct = direct || is_direct;
                grouped = grouped || is_grouped;
                chosen.push_back(id);
                for (const auto& g : granting)
                    expected.insert("DELETE " + base + "/directories/" +
                                    org.groups.at(g).directory + "/groups/" + g + "/memberships/" +
                                    id);
                if (is_direct)
                    expected.insert("POST /admin/v1/orgs/" + sim.org_id() + "/users/" + id +
                                    "/roles/revoke {\"role\":\"atlassian/user\",\"resource\":\"" +
                                    resource + "\"}");
            }
            if (direct && grouped)
                break;
        }
        REQUIRE(chosen.size() == 2);
        auto run = daemon.ctl_json({"bulk", "remove-product-access:jira-software@" + host,
                                    "--users", joined(chosen), "--apply"});
        CHECK(std::string(run["state"].GetString()) == "succeeded");
        CHECK(mutations_settled(sim, expected.size()) == expected);
        auto after = load(sim.truth());
        for (const auto& id : chosen)
            CHECK(after.user(id).access.count(resource) == 0);
    }

    SECTION("remove-from-directory needs --force and sends one DELETE") {
        auto run = daemon.ctl_json(
            {"bulk", "remove-from-directory", "--users", plain[5], "--force", "--apply"});
        CHECK(std::string(run["state"].GetString()) == "succeeded");
        check_mutations(
            sim, std::multiset<std::string>{"DELETE " + base + "/directories/-/users/" + plain[5]});
    }
}

TEST_CASE(
    "kill -9 in the middle of an applying run, and the restart finishes it with nothing sent twice",
    "[integration][ops]") {
    SimFixture sim({"--users", "300", "--sites", "2", "--seed", "9"});
    auto org = load(sim.truth());
    std::vector<std::string> chosen;
    for (const auto& u : org.users)
        if (ordinary(u) && chosen.size() < 30)
            chosen.push_back(u.id);
    REQUIRE(chosen.size() == 30);
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    sim.clear_requests();
    sim.configure(R"({"latency_ms": 60})");

    std::thread client([&] {
        daemon.ctl({"bulk", "suspend", "--users", joined(chosen), "--apply"});
    });
    REQUIRE(wait_until([&] { return mutations(sim).size() >= 8; }, std::chrono::seconds(60)));
    daemon.kill9();
    client.join();
    auto sent_before = mutations(sim).size();
    CHECK(sent_before < chosen.size());

    sim.configure(R"({"latency_ms": 0})");
    daemon.start();
    const std::string id = wait_for_newest_run(daemon, "succeeded");
    auto run = daemon.ctl_json({"runs", "show", id});
    CHECK(run["ok"].GetInt() == 30);
    CHECK(run["failed"].GetInt() == 0);
    auto sent = mutations_settled(sim, chosen.size());
    CHECK(sent.size() == chosen.size());  // every user's suspend, each exactly once
    for (const auto& m : sent)
        CHECK(sent.count(m) == 1);
    auto after = load(sim.truth());
    for (const auto& u : chosen)
        CHECK(after.user(u).status == "suspended");
    CHECK_THAT(daemon.log(), Catch::Contains("resuming it"));
}

namespace {

// One organization with an applying bulk suspend to interrupt: a fresh simulator and daemon,
// synced, the first kTargets ordinary users chosen, the request log cleared and every request
// slowed down so that the run lasts long enough to be killed anywhere in it.
struct SuspendRun {
    static constexpr std::size_t kUsers = 200;
    static constexpr std::size_t kTargets = 20;
    SimFixture sim{{"--users", std::to_string(kUsers), "--sites", "1", "--seed", "9"}};
    std::vector<std::string> chosen;
    DaemonFixture daemon{sim.atlassian_yaml()};
    std::string users_before;  // the sim's users before the run, for the undo check

    SuspendRun() {
        for (const auto& u : load(sim.truth()).users)
            if (ordinary(u) && chosen.size() < kTargets)
                chosen.push_back(u.id);
        REQUIRE(chosen.size() == kTargets);
        users_before = compact(sim.truth()["users"]);
        REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
        sim.clear_requests();
        sim.configure(R"({"latency_ms": 20})");
    }

    CommandResult apply() const {
        return daemon.ctl({"bulk", "suspend", "--users", joined(chosen), "--apply"});
    }

    // The newest run once it has ended, or an empty document when there is no run at all.
    rapidjson::Document finished_run() const {
        std::string id;
        REQUIRE(wait_until(
            [&] {
                auto runs = daemon.ctl_json({"runs"});
                if (runs["runs"].Size() == 0)
                    return true;
                id = runs["runs"][0]["id"].GetString();
                auto state = std::string(runs["runs"][0]["state"].GetString());
                return state != "queued" && state != "running";
            },
            std::chrono::seconds(120)));
        if (id.empty())
            return rapidjson::Document();
        return daemon.ctl_json({"runs", "show", id});
    }

    // How many suspends the simulator received for each chosen user (0 when it saw none).
    std::map<std::string, std::size_t> suspends(const std::multiset<std::string>& sent) const {
        std::map<std::string, std::size_t> per_user;
        for (const auto& id : chosen)
            per_user[id] = 0;
        for (const auto& m : sent)
            for (const auto& id : chosen)
                if (m.find("/users/" + id + "/suspend") != std::string::npos)
                    ++per_user[id];
        return per_user;
    }

    // The run ended well, every chosen user is suspended, each suspend went out exactly once and
    // nothing else was sent; and the run's closing sync published the suspensions.
    void check_done_once(const rapidjson::Value& run) const {
        CHECK(std::string(run["state"].GetString()) == "succeeded");
        CHECK(run["ok"].GetInt64() == static_cast<std::int64_t>(kTargets));
        CHECK(run["failed"].GetInt64() == 0);
        auto sent = mutations_settled(sim, kTargets);
        CHECK(sent.size() == kTargets);
        for (const auto& [id, n] : suspends(sent)) {
            INFO("user " << id);
            CHECK(n == 1);
        }
        auto truth = load(sim.truth());
        for (const auto& id : chosen)
            CHECK(truth.user(id).status == "suspended");
        wait_quiet(daemon);
        auto view = read_snapshot(daemon.db_path());
        for (const auto& id : chosen)
            CHECK(view.user_status[id] == "suspended");
        REQUIRE(database_is_sound(daemon.db_path()));
    }

    // Undo restores every user the run changed, an operation confirmed after a restart
    // included: the sim's users equal what they were before the run, exactly.
    void check_undo_exact(const rapidjson::Value& run) const {
        CHECK(run["changed"].GetInt64() == static_cast<std::int64_t>(kTargets));
        auto undo = daemon.ctl_json({"runs", "undo", run["id"].GetString(), "--apply"});
        CHECK(std::string(undo["state"].GetString()) == "succeeded");
        CHECK(undo["changed"].GetInt64() == static_cast<std::int64_t>(kTargets));
        CHECK(compact(sim.truth()["users"]) == users_before);
    }
};

// kill -9 at random instants of an applying run, `iterations` times, each on a fresh organization:
// the database passes integrity_check and keeps a whole published snapshot, the restarted daemon
// finishes the run, and the simulator receives every suspend exactly once.
void crash_during_applying_runs(int iterations, unsigned seed) {
    // The kill instants span the whole run, its closing sync and a little after: measured once.
    std::chrono::milliseconds run_ms{0};
    {
        SuspendRun calibration;
        auto t0 = std::chrono::steady_clock::now();
        REQUIRE(calibration.apply().exit_code == 0);
        wait_quiet(calibration.daemon);
        run_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - t0);
        calibration.check_done_once(calibration.finished_run());
    }
    const CrashLoop loop{iterations, seed, run_ms * 12 / 10};
    // Where the kills landed, from the restarted daemon's log: printed so that a soak shows that
    // every phase of a run was hit.
    std::map<std::string, int> landed;
    repeat_with_random_kills(loop, [&](int, std::chrono::milliseconds delay) {
        SuspendRun org;
        std::thread client([&] { org.apply(); });  // it fails when its daemon dies: expected
        auto view = kill9_after(org.daemon, delay);
        client.join();
        // The snapshot published before the run, whole (the closing sync may have replaced it).
        CHECK(view.user_status.size() == SuspendRun::kUsers);
        auto sent_before_restart = mutations(org.sim);
        org.sim.configure(R"({"latency_ms": 0})");
        org.daemon.start();
        auto run = org.finished_run();
        const std::string log = org.daemon.log();
        if (!run.IsObject()) {
            // Killed before the run reached the journal: nothing went out, and the operator's
            // second attempt is a whole new run.
            ++landed["before the run was journaled"];
            CHECK(sent_before_restart.empty());
            REQUIRE(org.apply().exit_code == 0);
            run = org.finished_run();
            REQUIRE(run.IsObject());
        } else if (log.find("resuming it") != std::string::npos) {
            ++landed["during the run (resumed)"];
        } else if (log.find("not in the snapshot yet") != std::string::npos) {
            ++landed["after the run, before its sync published it"];
        } else {
            ++landed["after the run and its sync"];
        }
        org.check_done_once(run);
        org.check_undo_exact(run);
    });
    std::string tally;
    for (const auto& [where, n] : landed)
        tally += "\n  " + std::to_string(n) + " " + where;
    WARN("kill -9 landed (of " << iterations << "):" << tally);
}

}  // namespace

TEST_CASE("kill -9 at random points of an applying run, a few times: each suspend sent once",
          "[integration][ops][reliability]") {
    crash_during_applying_runs(soak_iterations(3), crash_seed(20261130));
}

TEST_CASE("soak: kill -9 at random points of an applying run, many times", "[.soak][reliability]") {
    crash_during_applying_runs(soak_iterations(50), crash_seed(std::random_device{}()));
}

TEST_CASE("cancel stops a run after the operation in flight, and changed users are skipped",
          "[integration][ops]") {
    SimFixture sim({"--users", "300", "--sites", "2", "--seed", "17"});
    auto org = load(sim.truth());
    std::vector<std::string> chosen;
    for (const auto& u : org.users)
        if (ordinary(u) && chosen.size() < 30)
            chosen.push_back(u.id);
    DaemonFixture daemon(sim.atlassian_yaml() +
                         "notifications:\n  webhooks:\n    - name: ops\n      url: " +
                         sim.base_url() + "/sink/ops\n      format: json\n");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    sim.clear_requests();
    sim.configure(R"({"latency_ms": 60})");

    SECTION("cancel") {
        CommandResult result;
        std::thread client([&] {
            result = daemon.ctl({"bulk", "suspend", "--users", joined(chosen), "--apply"});
        });
        REQUIRE(wait_until([&] { return mutations(sim).size() >= 5; }, std::chrono::seconds(60)));
        auto id = std::string(daemon.ctl_json({"runs"})["runs"][0]["id"].GetString());
        auto cancel = daemon.ctl({"runs", "cancel", id});
        client.join();
        CHECK(cancel.exit_code == 0);
        CHECK(result.exit_code == 1);
        CHECK_THAT(result.out, Catch::Contains("Run cancelled"));
        auto run = daemon.ctl_json({"runs", "show", id});
        CHECK(std::string(run["state"].GetString()) == "cancelled");
        auto sent = mutations_settled(sim, static_cast<std::size_t>(run["ok"].GetInt64())).size();
        CHECK(sent < chosen.size());
        CHECK(run["ok"].GetInt64() == static_cast<std::int64_t>(sent));
        CHECK(run["skipped"].GetInt64() == static_cast<std::int64_t>(chosen.size() - sent));
        std::size_t suspended = 0;
        auto after = load(sim.truth());
        for (const auto& u : chosen)
            suspended += after.user(u).status == "suspended";
        CHECK(suspended == sent);
        // Nothing more goes out afterwards.
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        CHECK(mutations(sim).size() == sent);
        auto again = daemon.ctl({"runs", "cancel", id});
        CHECK(again.exit_code == 1);
        CHECK_THAT(again.err, Catch::Contains("is not running (cancelled)"));
        REQUIRE(wait_until(
            [&] {
                auto sink = sink_deliveries(sim, "ops");
                for (const auto& d : sink.GetArray())
                    if (std::string(body_of(d)["event"].GetString()) == "run_cancelled")
                        return true;
                return false;
            },
            std::chrono::seconds(30)));
    }

    SECTION("a run waits while a sync runs, then plans from its snapshot") {
        // Slow answers keep the sync running while the run is asked for, however fast or slow
        // (a sanitizer build) this machine is.
        sim.configure(R"({"latency_ms": 200})");
        REQUIRE(daemon.ctl({"sync"}).exit_code == 0);
        auto result = daemon.ctl({"bulk", "suspend", "--users", chosen[0]});
        sim.configure(R"({"latency_ms": 0})");
        CHECK(result.exit_code == 0);
        CHECK_THAT(result.err, Catch::Contains("waiting for the running sync"));
        auto history = daemon.ctl_json({"sync", "history"});
        auto run = daemon.ctl_json({"runs"});
        CHECK(std::string(history["runs"][0]["outcome"].GetString()) == "succeeded");
        CHECK(std::string(history["runs"][0]["finished_at"].GetString()) <=
              std::string(run["runs"][0]["created_at"].GetString()));
        CHECK(mutations(sim).empty());
    }

    SECTION("users who changed since the plan are skipped: changed") {
        // The filter: members of a small group, never active. Once the run starts, every member
        // becomes active, so those not yet acted on no longer match when re-read.
        const TruthGroup* group = nullptr;
        std::size_t smallest = 0;
        for (const auto& [gid, g] : org.groups) {
            std::size_t members = 0;
            for (const auto& u : org.users)
                members += u.groups.count(gid) && ordinary(u) && !u.access.empty();
            if (members >= 4 && (!group || members < smallest)) {
                group = &g;
                smallest = members;
            }
        }
        REQUIRE(group);
        auto set_activity = [&](const std::string& when) {
            for (const auto& u : org.users)
                if (u.groups.count(group->id))
                    for (const auto& [resource, role] : u.access)
                        sim.http("POST", "/_sim/activity",
                                 R"({"account_id":")" + u.id + R"(","resource_id":")" + resource +
                                     R"(","last_active":)" + when + "}");
        };
        sim.configure(R"({"latency_ms": 0})");
        set_activity("null");
        REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
        sim.clear_requests();
        sim.configure(R"({"latency_ms": 80})");
        CommandResult result;
        std::thread client([&] {
            result = daemon.ctl({"--json", "bulk", "suspend", "--group", group->id,
                                 "--never-active", "--apply", "--max-users", "1000"});
        });
        REQUIRE(wait_until([&] { return rereads(sim) >= 1; }, std::chrono::seconds(30)));
        set_activity("\"2026-11-01T00:00:00Z\"");
        client.join();
        REQUIRE(result.exit_code == 0);
        rapidjson::Document run;
        run.Parse(result.out.c_str());
        auto sent = mutations_settled(sim, static_cast<std::size_t>(run["ok"].GetInt64()));
        std::size_t changed = 0;
        for (const auto& u : run["results"].GetArray()) {
            std::string id = u["account_id"].GetString();
            std::string outcome = u["outcome"].GetString();
            std::string suspend = "POST /admin/v2/orgs/" + sim.org_id() + "/directories/-/users/" +
                                  id + "/suspend {}";
            if (outcome == "skipped" &&
                std::string(u["reason"].GetString()) == "changed: no longer matches the filter") {
                ++changed;
                CHECK(sent.count(suspend) == 0);
            } else if (outcome == "ok") {
                CHECK(sent.count(suspend) == 1);
            }
        }
        CHECK(changed >= 1);
        CHECK(run["ok"].GetInt64() == static_cast<std::int64_t>(sent.size()));
    }
}

TEST_CASE("a snapshot older than ops.max_staleness is synced before a run applies",
          "[integration][ops]") {
    SimFixture sim({"--users", "200", "--sites", "1", "--seed", "23"});
    auto org = load(sim.truth());
    std::string target;
    for (const auto& u : org.users)
        if (ordinary(u))
            target = u.id;
    DaemonFixture daemon(sim.atlassian_yaml() + sync_schedule_an_hour_away() +
                         "ops:\n  max_staleness: 60m\n");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    age_syncs(daemon, std::chrono::hours(2));  // the last sync, two hours ago

    auto before = daemon.ctl_json({"sync", "history"})["runs"].Size();
    auto run = daemon.ctl_json({"bulk", "suspend", "--users", target, "--apply"});
    CHECK(std::string(run["state"].GetString()) == "succeeded");
    auto history = daemon.ctl_json({"sync", "history"});
    REQUIRE(history["runs"].Size() >= before + 1);
    // The newest sync before the run started finished before it: the run planned from it.
    bool synced_first = false;
    for (const auto& h : history["runs"].GetArray())
        if (std::string(h["trigger"].GetString()) == "run" && h["finished_at"].IsString() &&
            std::string(h["finished_at"].GetString()) <= std::string(run["created_at"].GetString()))
            synced_first = true;
    CHECK(synced_first);
    CHECK_THAT(daemon.log(), Catch::Contains("older than ops.max_staleness; syncing first"));
}

TEST_CASE("undo returns the organization to what it was before the run", "[integration][ops]") {
    SimFixture sim({"--users", "300", "--sites", "2", "--seed", "13"});
    auto before_doc = sim.truth();
    auto org = load(before_doc);
    std::vector<std::string> chosen;
    std::string host = org.first_host;
    for (const auto& u : org.users)
        if (ordinary(u) && chosen.size() < 8 && u.access.count(org.jira_resource_of_host.at(host)))
            chosen.push_back(u.id);
    REQUIRE(chosen.size() == 8);
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);

    auto run = daemon.ctl_json({"bulk", "remove-product-access:jira-software@" + host, "suspend",
                                "--users", joined(chosen), "--apply"});
    REQUIRE(std::string(run["state"].GetString()) == "succeeded");
    auto changed = sim.truth();
    CHECK(compact(changed["users"]) != compact(before_doc["users"]));
    wait_quiet(daemon);

    auto dry = daemon.ctl_json({"runs", "undo", run["id"].GetString()});
    CHECK(std::string(dry["state"].GetString()) == "planned");
    CHECK(compact(sim.truth()["users"]) == compact(changed["users"]));  // a dry run changes nothing
    auto undo = daemon.ctl_json({"runs", "undo", run["id"].GetString(), "--apply"});
    CHECK(std::string(undo["state"].GetString()) == "succeeded");
    CHECK(std::string(undo["kind"].GetString()) == "undo");
    auto after = sim.truth();
    CHECK(compact(after["users"]) == compact(before_doc["users"]));
    CHECK(compact(after["billable"]) == compact(before_doc["billable"]));
    CHECK(compact(after["groups"]) == compact(before_doc["groups"]));
}

TEST_CASE("tasks: run now, counts in the webhook events with a partial failure, enable state kept",
          "[integration][ops][tasks]") {
    SimFixture sim({"--users", "300", "--sites", "2", "--seed", "21"});
    auto org = load(sim.truth());
    // The smallest group with a few members: the task's filter.
    const TruthGroup* group = nullptr;
    std::size_t smallest = 0;
    for (const auto& [id, g] : org.groups) {
        std::size_t members = 0;
        for (const auto& u : org.users)
            members += u.groups.count(id);
        if (members >= 3 && (!group || members < smallest)) {
            group = &g;
            smallest = members;
        }
    }
    REQUIRE(group);
    std::string yaml =
        sim.atlassian_yaml() +
        "notifications:\n  webhooks:\n    - name: ops\n      url: " + sim.base_url() +
        "/sink/ops\n      format: json\n" +
        "  delivery: {backoff_initial_ms: 50, backoff_max_s: 1}\n"
        "tasks:\n  - name: park\n    filter: {group: \"" +
        group->name +
        "\"}\n    actions: [suspend]\n    schedule: every 6h\n    mode: apply\n"
        "    max_users: 1000\n"
        "  - name: park-many\n    filter: {status: active}\n"
        "    actions: [suspend]\n    schedule: daily 03:00\n    max_users: 3\n";
    DaemonFixture daemon(yaml);
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    sim.clear_requests();

    auto tasks = daemon.ctl_json({"tasks"});
    REQUIRE(tasks["tasks"].Size() == 2);
    CHECK(std::string(tasks["tasks"][0]["schedule"].GetString()) == "every 6h");
    CHECK(std::string(tasks["tasks"][0]["mode"].GetString()) == "apply");
    CHECK(tasks["tasks"][0]["enabled"].GetBool());
    CHECK(tasks["tasks"][0]["next_run"].IsString());
    CHECK(tasks["tasks"][0]["last_run"].IsNull());

    SECTION("dry run, then apply with a failure injected: partial failure, counted right") {
        auto dry = daemon.ctl_json({"tasks", "run", "park"});
        CHECK(std::string(dry["state"].GetString()) == "planned");
        CHECK(std::string(dry["task"].GetString()) == "park");
        CHECK(mutations(sim).empty());
        auto acting = dry["ok"].GetInt64();
        auto skipped = dry["skipped"].GetInt64();
        REQUIRE(acting >= 2);
        std::string victim;
        for (const auto& u : dry["results"].GetArray())
            if (std::string(u["outcome"].GetString()) == "planned")
                victim = u["account_id"].GetString();
        sim.http("POST", "/_sim/fail",
                 R"({"path_contains":")" + victim + R"(/suspend","status":403,"count":1})");

        auto applied = daemon.ctl({"tasks", "run", "park", "--apply"});
        CHECK(applied.exit_code == 1);  // partially failed: never reported as a success
        CHECK_THAT(applied.out, Catch::Contains("Run partially_failed"));
        auto runs = daemon.ctl_json({"runs"});
        std::string id = runs["runs"][0]["id"].GetString();
        auto run = daemon.ctl_json({"runs", "show", id});
        CHECK(std::string(run["state"].GetString()) == "partially_failed");
        CHECK(run["ok"].GetInt64() == acting - 1);
        CHECK(run["failed"].GetInt64() == 1);
        CHECK(run["skipped"].GetInt64() == skipped);
        CHECK(outcomes(run)[victim].rfind("failed", 0) == 0);
        CHECK(mutations_settled(sim, static_cast<std::size_t>(acting)).size() ==
              static_cast<std::size_t>(acting));

        REQUIRE(wait_until(
            [&] {
                auto sink = sink_deliveries(sim, "ops");
                for (const auto& d : sink.GetArray())
                    if (std::string(body_of(d)["event"].GetString()) == "run_partially_failed")
                        return true;
                return false;
            },
            std::chrono::seconds(30)));
        auto sink = sink_deliveries(sim, "ops");
        for (const auto& d : sink.GetArray()) {
            auto body = body_of(d);
            if (std::string(body["event"].GetString()) != "run_partially_failed")
                continue;
            const auto& data = body["data"];
            CHECK(std::string(data["run_id"].GetString()) == id);
            CHECK(std::string(data["task"].GetString()) == "park");
            CHECK(data["ok"].GetInt64() == acting - 1);
            CHECK(data["failed"].GetInt64() == 1);
            CHECK(data["skipped"].GetInt64() == skipped);
        }
        auto listed = daemon.ctl_json({"tasks"});
        CHECK(std::string(listed["tasks"][0]["last_run"]["state"].GetString()) ==
              "partially_failed");
        // The cap holds for tasks too: a dry run shows the plan and what applying needs,
        // applying is refused.
        auto dry_capped = daemon.ctl({"tasks", "run", "park-many"});
        CHECK(dry_capped.exit_code == 0);
        CHECK_THAT(dry_capped.out, Catch::Contains("applying it needs max_users:"));
        auto capped = daemon.ctl({"tasks", "run", "park-many", "--apply"});
        CHECK(capped.exit_code == 1);
        CHECK_THAT(ctl_text(capped), Catch::Contains("cap of 3 (the task's max_users)"));
    }

    SECTION("enable and disable are kept across a reload and a restart") {
        REQUIRE(daemon.ctl({"tasks", "disable", "park"}).exit_code == 0);
        CHECK_FALSE(daemon.ctl_json({"tasks"})["tasks"][0]["enabled"].GetBool());
        CHECK(daemon.ctl_json({"tasks"})["tasks"][0]["next_run"].IsNull());
        REQUIRE(daemon.ctl({"reload"}).exit_code == 0);
        CHECK_FALSE(daemon.ctl_json({"tasks"})["tasks"][0]["enabled"].GetBool());
        REQUIRE(daemon.stop() == 0);
        daemon.start();
        REQUIRE(wait_until(
            [&] { return !daemon.ctl_json({"tasks"})["tasks"][0]["enabled"].GetBool(); }));
        REQUIRE(daemon.ctl({"tasks", "enable", "park"}).exit_code == 0);
        CHECK(daemon.ctl_json({"tasks"})["tasks"][0]["enabled"].GetBool());
        auto bad = daemon.ctl({"tasks", "run", "nope"});
        CHECK(bad.exit_code == 2);
        CHECK_THAT(bad.err, Catch::Contains("no task named 'nope'"));
    }
}
