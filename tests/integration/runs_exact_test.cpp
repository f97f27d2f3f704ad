// Runs exact enough to leave unattended (issue 14), against rosterd-sim's ground truth: an
// operation whose answer a crash lost is confirmed as done by the run and undone by undo; a dry
// run over the cap shows its plan; an undo is never refused by the cap for its own size; every
// outcome (refused, nothing to do, cancelled) has its state and its event; the audit trail says
// who did what; a run's reason travels with it.
#include <catch2/catch.hpp>

#include <thread>

#include "daemon_fixture.hpp"
#include "notify_helpers.hpp"
#include "org_truth.hpp"
#include "rosterd/store/store.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

const std::string kSinkYaml(const SimFixture& sim) {
    return "notifications:\n  webhooks:\n    - name: ops\n      url: " + sim.base_url() +
           "/sink/ops\n      format: json\n  delivery: {backoff_initial_ms: 50, backoff_max_s: "
           "1}\n";
}

// The json bodies of the `ops` sink's deliveries of `event`, oldest first.
std::vector<rapidjson::Document> events_of(const SimFixture& sim, const std::string& event) {
    std::vector<rapidjson::Document> out;
    auto sink = sink_deliveries(sim, "ops");
    if (!sink.IsArray())
        return out;
    for (const auto& d : sink.GetArray()) {
        auto body = body_of(d);
        if (body.IsObject() && std::string(body["event"].GetString()) == event)
            out.push_back(std::move(body));
    }
    return out;
}

std::vector<rapidjson::Document> wait_for_event(const SimFixture& sim, const std::string& event,
                                                std::size_t count = 1) {
    REQUIRE(wait_until([&] { return events_of(sim, event).size() >= count; },
                       std::chrono::seconds(30)));
    return events_of(sim, event);
}

// The first group an ordinary user is not in, that grants nothing and is not IdP-synced, in the
// user's directory (so add-to-groups and its undo touch membership only).
const TruthGroup& plain_group_for(const Org& org, const std::vector<std::string>& users) {
    for (const auto& [id, g] : org.groups) {
        if (g.synced || !g.resources.empty())
            continue;
        bool fits = true;
        for (const auto& u : users)
            fits = fits && !org.user(u).groups.count(id) && org.user(u).directory == g.directory;
        if (fits)
            return g;
    }
    throw std::runtime_error("no plain group for the chosen users");
}

std::string newest_run_id(const DaemonFixture& daemon) {
    auto runs = daemon.ctl_json({"runs"});
    REQUIRE(runs["runs"].Size() > 0);
    return runs["runs"][0]["id"].GetString();
}

const rapidjson::Value& result_of(const rapidjson::Value& run, const std::string& account) {
    for (const auto& u : run["results"].GetArray())
        if (account == u["account_id"].GetString())
            return u;
    throw std::runtime_error("no result for " + account);
}

}  // namespace

TEST_CASE(
    "an operation in flight when rosterd is killed is confirmed after the restart as done "
    "by the run, and undo reverses it",
    "[integration][ops][crash]") {
    SimFixture sim({"--users", "200", "--sites", "1", "--seed", "31"});
    auto before = sim.truth();
    auto org = load(before);
    std::vector<std::string> chosen;
    for (const auto& u : org.users)
        if (ordinary(u) && chosen.size() < 2)
            chosen.push_back(u.id);
    const auto& group = plain_group_for(org, chosen);
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    sim.clear_requests();
    // Every membership request takes 2 s: the kill lands while the first one is in flight.
    sim.configure(R"({"slow_ms": 2000, "slow_rate": 1.0, "slow_path": "/memberships"})");
    std::thread client([&] {
        daemon.ctl({"bulk", "add-to-groups:" + group.name, "--users", joined(chosen), "--apply"});
    });
    REQUIRE(wait_until([&] { return rereads(sim) >= 1; }, std::chrono::seconds(30)));
    std::this_thread::sleep_for(std::chrono::milliseconds(500));
    daemon.kill9();
    client.join();
    // The sim finishes the request it was given: the first user joins the group.
    REQUIRE(
        wait_until([&] { return load(sim.truth()).user(chosen[0]).groups.count(group.id) == 1; },
                   std::chrono::seconds(10)));
    CHECK(load(sim.truth()).user(chosen[1]).groups.count(group.id) == 0);
    sim.configure(R"({"slow_ms": 0, "slow_rate": 0.0, "slow_path": ""})");

    daemon.start();
    const std::string id = wait_for_newest_run(daemon, "succeeded");
    auto run = daemon.ctl_json({"runs", "show", id});
    CHECK(run["changed"].GetInt() == 2);
    const auto& first = result_of(run, chosen[0]);
    CHECK(std::string(first["outcome"].GetString()) == "ok");
    REQUIRE(first["operations"].Size() == 1);
    CHECK(first["operations"][0]["confirmed"].GetBool());
    CHECK_FALSE(first["operations"][0].HasMember("already"));
    auto shown = daemon.ctl({"runs", "show", id});
    CHECK_THAT(shown.out, Catch::Contains("done by this run (confirmed after restart)"));
    CHECK_THAT(shown.out, !Catch::Contains("already so"));
    // Each membership request went out once: the first before the kill, the second after.
    auto sent = mutations_settled(sim, 2);
    CHECK(sent.size() == 2);

    wait_quiet(daemon);
    auto undo = daemon.ctl_json({"runs", "undo", id, "--apply"});
    CHECK(std::string(undo["state"].GetString()) == "succeeded");
    CHECK(undo["changed"].GetInt() == 2);
    auto after = sim.truth();
    CHECK(compact(after["users"]) == compact(before["users"]));
    CHECK(compact(after["groups"]) == compact(before["groups"]));
}

TEST_CASE(
    "dry runs over the cap show the plan, undo is not capped below its run's size, and "
    "every outcome has its state and event",
    "[integration][ops]") {
    SimFixture sim({"--users", "300", "--sites", "2", "--seed", "5"});
    auto before = sim.truth();
    auto org = load(before);
    std::vector<std::string> plain;
    for (const auto& u : org.users)
        if (ordinary(u))
            plain.push_back(u.id);
    REQUIRE(plain.size() > 20);
    DaemonFixture daemon(sim.atlassian_yaml() + kSinkYaml(sim) + "ops:\n  max_users: 3\n");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    sim.clear_requests();

    SECTION("a dry run over the cap succeeds, shows the whole plan and says what applying needs") {
        std::vector<std::string> eight(plain.begin(), plain.begin() + 8);
        auto dry = daemon.ctl({"bulk", "suspend", "--users", joined(eight)});
        CHECK(dry.exit_code == 0);
        CHECK_THAT(dry.out, Catch::Contains("8 to act on"));
        CHECK_THAT(dry.out, Catch::Contains("applying it needs --apply --max-users 8"));
        auto json = daemon.ctl_json({"bulk", "suspend", "--users", joined(eight)});
        CHECK(std::string(json["state"].GetString()) == "planned");
        CHECK(json["needs_max_users"].GetInt() == 8);
        CHECK(json["results"].Size() == 8);
        CHECK(mutations(sim).empty());
        // Applying it is still refused, recorded as a refused run and reported.
        auto refused = daemon.ctl({"bulk", "suspend", "--users", joined(eight), "--apply"});
        CHECK(refused.exit_code == 1);
        CHECK_THAT(ctl_text(refused), Catch::Contains("more than the cap of 3"));
        auto id = newest_run_id(daemon);
        auto run = daemon.ctl_json({"runs", "show", id});
        CHECK(std::string(run["state"].GetString()) == "refused");
        CHECK_THAT(run["error"].GetString(), Catch::Contains("more than the cap of 3"));
        auto events = wait_for_event(sim, "run_refused");
        CHECK(std::string(events[0]["data"]["run_id"].GetString()) == id);
        CHECK_THAT(events[0]["data"]["error"].GetString(), Catch::Contains("cap of 3"));
        CHECK(mutations(sim).empty());
    }

    SECTION("undo of a run raised above the cap applies without --max-users") {
        std::vector<std::string> six(plain.begin(), plain.begin() + 6);
        auto run = daemon.ctl_json(
            {"bulk", "suspend", "--users", joined(six), "--apply", "--max-users", "6"});
        REQUIRE(std::string(run["state"].GetString()) == "succeeded");
        wait_quiet(daemon);
        auto undo = daemon.ctl_json({"runs", "undo", run["id"].GetString(), "--apply"});
        CHECK(std::string(undo["state"].GetString()) == "succeeded");
        CHECK(undo["changed"].GetInt() == 6);
        CHECK(undo["max_users"].GetInt() == 6);
        CHECK(compact(sim.truth()["users"]) == compact(before["users"]));
    }

    SECTION("a run where every user is skipped is nothing_to_do, with its event") {
        // An org admin is protected: nothing to send.
        auto run = daemon.ctl({"bulk", "suspend", "--users", org.users[0].id, "--apply"});
        CHECK(run.exit_code == 0);
        CHECK_THAT(run.out, Catch::Contains("Run nothing_to_do"));
        auto id = newest_run_id(daemon);
        CHECK(std::string(daemon.ctl_json({"runs", "show", id})["state"].GetString()) ==
              "nothing_to_do");
        auto events = wait_for_event(sim, "run_nothing_to_do");
        CHECK(std::string(events[0]["data"]["run_id"].GetString()) == id);
        CHECK(events_of(sim, "run_succeeded").empty());
        CHECK(mutations(sim).empty());
    }

    SECTION("a cancelled run is cancelled and emits run_cancelled, naming who cancelled it") {
        std::vector<std::string> twenty(plain.begin(), plain.begin() + 20);
        sim.configure(R"({"latency_ms": 60})");
        std::thread client([&] {
            daemon.ctl(
                {"bulk", "suspend", "--users", joined(twenty), "--apply", "--max-users", "20"});
        });
        REQUIRE(wait_until([&] { return mutations(sim).size() >= 3; }, std::chrono::seconds(60)));
        auto id = newest_run_id(daemon);
        REQUIRE(daemon.ctl({"runs", "cancel", id}).exit_code == 0);
        client.join();
        auto events = wait_for_event(sim, "run_cancelled");
        CHECK(std::string(events[0]["data"]["run_id"].GetString()) == id);
        CHECK_THAT(events[0]["data"]["cancelled_by"].GetString(), Catch::Contains("uid"));
        CHECK(std::string(daemon.ctl_json({"runs", "show", id})["state"].GetString()) ==
              "cancelled");
        std::this_thread::sleep_for(std::chrono::milliseconds(500));
        CHECK(events_of(sim, "run_cancelled").size() == 1);  // one outcome, one event
        CHECK(events_of(sim, "run_failed").empty());
        CHECK(events_of(sim, "run_succeeded").empty());
        sim.configure(R"({"latency_ms": 0})");
    }
}

TEST_CASE("a scheduled task that is refused is recorded and reported",
          "[integration][ops][tasks]") {
    SimFixture sim({"--users", "200", "--sites", "1", "--seed", "7"});
    std::string yaml = sim.atlassian_yaml() + kSinkYaml(sim) +
                       "tasks:\n  - name: park-all\n    filter: {status: active}\n"
                       "    actions: [suspend]\n    schedule: every 1m\n    mode: apply\n"
                       "    max_users: 2\n    reason: quarterly licence review\n";
    DaemonFixture daemon(yaml);
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    REQUIRE(daemon.stop() == 0);
    {
        // It last ran 58 s ago: due 2 s after the restart.
        auto db = rosterd::store::Database::open(daemon.db_path());
        auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
        db->exec("INSERT INTO task_state (name, last_run_at) VALUES ('park-all', " +
                 std::to_string(now - 58'000) + ")");
    }
    sim.clear_requests();
    daemon.start();
    auto events = wait_for_event(sim, "run_refused");
    const auto& data = events[0]["data"];
    CHECK(std::string(data["task"].GetString()) == "park-all");
    CHECK(std::string(data["reason"].GetString()) == "quarterly licence review");
    CHECK(std::string(data["caller"].GetString()) == "rosterd (schedule)");
    CHECK_THAT(data["error"].GetString(), Catch::Contains("the task's max_users"));
    auto run = daemon.ctl_json({"runs", "show", data["run_id"].GetString()});
    CHECK(std::string(run["state"].GetString()) == "refused");
    CHECK(std::string(run["reason"].GetString()) == "quarterly licence review");
    CHECK(mutations(sim).empty());
    // The daemon's own run is in the audit trail too.
    REQUIRE(wait_until([&] {
        auto audit = daemon.ctl_json({"audit", "--command", "task park-all (schedule)"});
        return audit["entries"].Size() == 1;
    }));
    auto audit = daemon.ctl_json({"audit", "--command", "task park-all (schedule)"});
    CHECK(std::string(audit["entries"][0]["outcome"].GetString()) == "refused");
    CHECK(std::string(audit["entries"][0]["run_id"].GetString()) == data["run_id"].GetString());
}

TEST_CASE(
    "the audit trail records who ran each changing command, with redacted arguments, and "
    "a run's reason travels with it",
    "[integration][ops][audit]") {
    SimFixture sim({"--users", "200", "--sites", "1", "--seed", "11"});
    auto org = load(sim.truth());
    std::vector<std::string> plain;
    for (const auto& u : org.users)
        if (ordinary(u))
            plain.push_back(u.id);
    const std::string tasks_yaml =
        "tasks:\n  - name: park\n    filter: {status: active}\n    actions: [suspend]\n"
        "    schedule: daily 03:00\n";
    DaemonFixture daemon(sim.atlassian_yaml() + kSinkYaml(sim) + tasks_yaml);
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);

    auto bulk = daemon.ctl_json({"bulk", "suspend", "--users", plain[0], "--apply", "--reason",
                                 "left the company (ticket HR-42)"});
    REQUIRE(std::string(bulk["state"].GetString()) == "succeeded");
    const std::string run_id = bulk["id"].GetString();
    CHECK(std::string(bulk["reason"].GetString()) == "left the company (ticket HR-42)");
    auto shown = daemon.ctl({"runs", "show", run_id});
    CHECK_THAT(shown.out, Catch::Contains("reason: left the company (ticket HR-42)"));
    auto events = wait_for_event(sim, "run_succeeded");
    CHECK(std::string(events[0]["data"]["reason"].GetString()) ==
          "left the company (ticket HR-42)");
    wait_quiet(daemon);
    auto undo = daemon.ctl_json({"runs", "undo", run_id, "--apply", "--reason", "came back"});
    CHECK(std::string(undo["reason"].GetString()) == "came back");
    wait_quiet(daemon);

    const std::string key = "audit-secret-key-0123456789";
    sim.configure(R"({"api_key": ")" + key + R"("})");
    REQUIRE(daemon.ctl({"key", "set", "--expires", date_from_today(90)}, key + "\n").exit_code ==
            0);
    wait_quiet(daemon);
    REQUIRE(daemon.ctl({"key", "check"}).exit_code == 0);
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    REQUIRE(daemon.ctl({"tasks", "disable", "park"}).exit_code == 0);
    REQUIRE(daemon.ctl({"tasks", "enable", "park"}).exit_code == 0);
    REQUIRE(daemon.ctl({"notify", "test", "ops"}).exit_code == 0);
    daemon.rewrite_config(sim.atlassian_yaml() + kSinkYaml(sim) + tasks_yaml +
                          "ops:\n  max_users: 7\n");
    REQUIRE(daemon.ctl({"reload"}).exit_code == 0);
    CHECK(daemon.ctl({"runs", "cancel", run_id}).exit_code == 1);  // a failure is audited too

    // An applying run is audited twice: when it is journaled (a crash cannot lose that line)
    // and when its command ends.
    const std::vector<std::string> expected = {"sync",          "bulk (run started)",
                                               "bulk",          "runs.undo (run started)",
                                               "runs.undo",     "key.set",
                                               "key.check",     "sync",
                                               "tasks.disable", "tasks.enable",
                                               "notify.test",   "reload",
                                               "runs.cancel"};
    REQUIRE(wait_until([&] {
        return daemon.ctl_json({"audit", "-n", "100"})["entries"].Size() >= expected.size();
    }));
    auto audit = daemon.ctl_json({"audit", "-n", "100"});
    std::vector<std::string> commands;
    for (const auto& e : audit["entries"].GetArray()) {
        const std::string command = e["command"].GetString();
        commands.insert(commands.begin(), command);  // oldest first
        CHECK(e["caller_uid"].GetInt() == 0);
        if (command.find("(run started)") != std::string::npos) {
            CHECK(std::string(e["caller"].GetString()) == "root (uid 0)");
            CHECK(std::string(e["outcome"].GetString()) == "started");
        } else {
            CHECK(std::string(e["caller"].GetString()) == "root");
            CHECK(std::string(e["caller_level"].GetString()) == "admin");
        }
    }
    CHECK(commands == expected);
    auto entry = [&](const std::string& command) -> const rapidjson::Value& {
        for (const auto& e : audit["entries"].GetArray())
            if (command == e["command"].GetString())
                return e;
        throw std::runtime_error("no audit entry for " + command);
    };
    CHECK(std::string(entry("bulk")["run_id"].GetString()) == run_id);
    CHECK(std::string(entry("bulk")["args"]["reason"].GetString()) ==
          "left the company (ticket HR-42)");
    CHECK(entry("bulk")["args"]["apply"].GetBool());
    CHECK(std::string(entry("key.set")["args"]["key"].GetString()) == "(redacted)");
    CHECK_THAT(entry("reload")["detail"].GetString(), Catch::Contains("changed=ops.max_users"));
    CHECK(std::string(entry("runs.cancel")["outcome"].GetString()) == "failed");
    CHECK(std::string(entry("tasks.disable")["args"]["name"].GetString()) == "park");
    // The key is nowhere in the audit table, nor in the database file at all outside the key
    // store.
    {
        auto db = rosterd::store::Database::open(daemon.db_path());
        auto s = db->prepare("SELECT count(*) FROM audit_log WHERE args LIKE ? OR detail LIKE ?");
        s.bind(1, "%" + key + "%");
        s.bind(2, "%" + key + "%");
        REQUIRE(s.step());
        CHECK(s.int64(0) == 0);
    }
    // Filters: by command, by a command group, by user, since a date, and a limit.
    CHECK(daemon.ctl_json({"audit", "--command", "bulk"})["entries"].Size() == 1);
    CHECK(daemon.ctl_json({"audit", "--command", "tasks."})["entries"].Size() == 2);
    CHECK(daemon.ctl_json({"audit", "--user", "root", "-n", "100"})["entries"].Size() ==
          expected.size());
    CHECK(daemon.ctl_json({"audit", "--user", "0", "-n", "100"})["entries"].Size() ==
          expected.size());
    CHECK(daemon.ctl_json({"audit", "--user", "nobody"})["entries"].Size() == 0);
    CHECK(daemon.ctl_json({"audit", "--since", date_from_today(1)})["entries"].Size() == 0);
    CHECK(daemon.ctl_json({"audit", "--since", date_from_today(0), "-n", "3"})["entries"].Size() ==
          3);
    auto table = daemon.ctl({"audit", "--command", "key.set"});
    CHECK(table.exit_code == 0);
    CHECK_THAT(table.out, Catch::Contains("key=(redacted)"));
    CHECK_THAT(table.out, !Catch::Contains(key));
    // Read-only commands are not recorded.
    CHECK(daemon.ctl_json({"audit", "--command", "status"})["entries"].Size() == 0);
}

TEST_CASE("a sync killed midway is recorded with its requests and reported as sync_interrupted",
          "[integration][sync][crash]") {
    SimFixture sim({"--users", "3000", "--sites", "1", "--seed", "3"});
    DaemonFixture daemon(sim.atlassian_yaml() + kSinkYaml(sim), false);
    sim.configure(R"({"latency_ms": 40})");
    daemon.start();
    // Well into the sync: a few batches written.
    REQUIRE(wait_until(
        [&] {
            auto status = daemon.ctl_json({"status"});
            return status["sync"].HasMember("progress") &&
                   status["sync"]["progress"]["users_fetched"].GetInt64() >= 1000;
        },
        std::chrono::seconds(60)));
    daemon.kill9();
    sim.configure(R"({"latency_ms": 0})");
    daemon.start();
    auto events = wait_for_event(sim, "sync_interrupted");
    const auto& data = events[0]["data"];
    CHECK(data["requests"].GetInt64() >= 10);
    auto history = daemon.ctl_json({"sync", "history"});
    bool found = false;
    for (const auto& h : history["runs"].GetArray())
        if (std::string(h["outcome"].GetString()) == "interrupted") {
            found = true;
            CHECK(h["requests"].GetInt64() >= 10);
            CHECK(h["id"].GetInt64() == data["run_id"].GetInt64());
        }
    CHECK(found);
}

TEST_CASE("a run whose stale snapshot cannot be refreshed is refused, recorded and reported",
          "[integration][ops]") {
    SimFixture sim({"--users", "200", "--sites", "1", "--seed", "23"});
    auto org = load(sim.truth());
    std::string target;
    for (const auto& u : org.users)
        if (ordinary(u))
            target = u.id;
    // Short retry budgets: the failing sync ends in a second or two.
    DaemonFixture daemon(sim.atlassian_yaml() +
                         "  retry:\n    request_budget_s: 1\n    sync_budget_s: 2\n"
                         "    backoff_initial_ms: 50\n    backoff_max_s: 1\n" +
                         kSinkYaml(sim) + sync_schedule_an_hour_away() +
                         "ops:\n  max_staleness: 60m\n");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    age_syncs(daemon, std::chrono::hours(2));  // the last sync, two hours ago

    wait_quiet(daemon);
    sim.clear_requests();
    // Every API request fails from now on: the sync before the run cannot succeed.
    sim.configure(R"({"error_rate": 1.0})");
    auto run = daemon.ctl({"bulk", "suspend", "--users", target, "--apply"});
    CHECK(run.exit_code == 1);
    CHECK_THAT(ctl_text(run), Catch::Contains("the sync before the run failed"));
    sim.configure(R"({"error_rate": 0.0})");
    auto id = newest_run_id(daemon);
    auto shown = daemon.ctl_json({"runs", "show", id});
    CHECK(std::string(shown["state"].GetString()) == "refused");
    CHECK_THAT(shown["error"].GetString(), Catch::Contains("older than ops.max_staleness"));
    auto events = wait_for_event(sim, "run_refused");
    CHECK(std::string(events[0]["data"]["run_id"].GetString()) == id);
    CHECK(mutations(sim).empty());
}
