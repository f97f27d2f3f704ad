// Bulk runs at the API's full rate (issue 20): the re-reads that guard a run's operations go out in
// batches just ahead of them and the snapshot learns the run's changes from a refresh of the
// users it changed, not a full sync; so a run costs one request per operation plus a few reads,
// exactly, while a user who changed since the plan is still skipped, the dashboard right after
// the run equals the simulator's truth, and kill -9 in the refresh still ends undo-exact.
#include <catch2/catch.hpp>

#include <httplib.h>

#include <fstream>
#include <thread>

#include "daemon_fixture.hpp"
#include "org_truth.hpp"
#include "sim_fixture.hpp"
#include "snapshot_reader.hpp"
#include "truth_check.hpp"

using namespace rosterd::test;

namespace {

struct Search {
    std::size_t emails = 0, account_ids = 0;
};

// The run's requests as the sim logged them, in order: users/search (named users) and mutations;
// anything else is counted in `other`.
struct RunRequests {
    std::vector<std::string> mutations;
    Search before_last_mutation, after_last_mutation;
    std::vector<std::string> other;
};

RunRequests run_requests(const SimFixture& sim) {
    RunRequests out;
    auto log = sim.requests();
    std::vector<std::pair<std::string, bool>> searches;  // kind, seen after the last mutation
    std::size_t last_mutation = 0, index = 0;
    std::vector<std::pair<std::size_t, std::string>> named;
    for (const auto& r : log.GetArray()) {
        ++index;
        const std::string method = r["method"].GetString(), path = r["path"].GetString();
        if (path.rfind("/_sim", 0) == 0 || path.rfind("/sink", 0) == 0)
            continue;
        if (is_mutation(method, path)) {
            out.mutations.push_back(method + " " + path);
            last_mutation = index;
        } else if (ends_with(path, "/users/search") && r["body"].IsObject() &&
                   r["body"].HasMember("emails")) {
            named.emplace_back(index, "emails");
        } else if (ends_with(path, "/users/search") && r["body"].IsObject() &&
                   r["body"].HasMember("accountIds")) {
            named.emplace_back(index, "accountIds");
        } else {
            out.other.push_back(method + " " + path);
        }
    }
    for (const auto& [at, kind] : named) {
        auto& side = at < last_mutation ? out.before_last_mutation : out.after_last_mutation;
        (kind == "emails" ? side.emails : side.account_ids) += 1;
    }
    return out;
}

// The guard re-reads of a run of `n` users (run_executor.hpp): batches of 2, 4, 8, ... 100.
std::size_t guard_reads(std::size_t n) {
    std::size_t reads = 0;
    for (std::size_t batch = 2; n > 0; batch = std::min<std::size_t>(batch * 2, 100)) {
        n -= std::min(n, batch);
        ++reads;
    }
    return reads;
}

std::map<std::string, std::int64_t> dashboard_billable(const rapidjson::Value& dashboard) {
    std::map<std::string, std::int64_t> out;
    for (const auto& p : dashboard["products"].GetArray())
        for (const auto& s : p["sites"].GetArray())
            out[std::string(p["product"].GetString()) + "@" + s["site"].GetString()] =
                s["total"].GetInt64();
    return out;
}

std::map<std::string, std::int64_t> truth_billable(const rapidjson::Document& truth) {
    std::map<std::string, std::int64_t> out;
    for (const auto& b : truth["billable"].GetArray())
        if (b["users"].Size() > 0)
            out[std::string(b["product"].GetString()) + "@" + b["site"].GetString()] =
                static_cast<std::int64_t>(b["users"].Size());
    return out;
}

// The newest entry of `sync history`.
rapidjson::Document newest_sync(const DaemonFixture& daemon) {
    auto history = daemon.ctl_json({"sync", "history"});
    rapidjson::Document newest;
    newest.CopyFrom(history["runs"][0], newest.GetAllocator());
    return newest;
}

// Suspends `id` behind rosterd's back, through the API as another admin would.
void suspend_directly(const SimFixture& sim, const std::string& id) {
    std::ifstream in(sim.key_file());
    std::string key;
    std::getline(in, key);
    httplib::Client client("127.0.0.1", sim.port());
    auto r = client.Post(
        ("/admin/v2/orgs/" + sim.org_id() + "/directories/-/users/" + id + "/suspend").c_str(),
        httplib::Headers{{"Authorization", "Bearer " + key}}, "{}", "application/json");
    REQUIRE(r);
    REQUIRE(r->status / 100 == 2);
    // The sim logs a request after answering it: wait for the entry, so that a clear_requests()
    // that follows cannot leave it to be counted with the daemon's requests.
    const std::string logged = "/users/" + id + "/suspend";
    REQUIRE(wait_until(
        [&] {
            auto log = sim.requests();
            for (const auto& entry : log.GetArray())
                if (ends_with(entry["path"].GetString(), logged))
                    return true;
            return false;
        },
        std::chrono::seconds(10)));
}

}  // namespace

TEST_CASE("a bulk run costs one request per operation, its re-reads batched and a refresh after it",
          "[integration][ops][bulk-rate]") {
    SimFixture sim({"--users", "600", "--sites", "2", "--seed", "41"});
    auto org = load(sim.truth());
    std::vector<std::string> chosen;
    for (const auto& u : org.users)
        if (ordinary(u) && !u.email.empty() && chosen.size() < 150)
            chosen.push_back(u.id);
    REQUIRE(chosen.size() == 150);
    DaemonFixture daemon(sim.atlassian_yaml() + "ops:\n  max_users: 200\n");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    const auto status_before = daemon.ctl_json({"status"});
    const auto syncs_before = daemon.ctl_json({"sync", "history"})["runs"].Size();
    const auto dashboard_before = daemon.ctl_json({"dashboard"});
    CHECK(dashboard_billable(dashboard_before) == truth_billable(sim.truth()));
    sim.clear_requests();

    std::string list;
    for (const auto& id : chosen)
        list += id + "\n";
    auto file = daemon.dir().write("chosen.txt", list);
    auto run = daemon.ctl_json(
        {"bulk", "suspend", "--from-file", file.string(), "--apply", "--max-users", "150"});
    REQUIRE(std::string(run["state"].GetString()) == "succeeded");
    CHECK(run["ok"].GetInt64() == 150);
    CHECK(run["changed"].GetInt64() == 150);

    // Answered once the refresh is published: what is read now is the truth, exactly.
    auto truth = sim.truth();
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), truth);
    auto dashboard = daemon.ctl_json({"dashboard"});
    const auto billable = dashboard_billable(dashboard);
    CHECK(billable == truth_billable(truth));
    for (const auto& id : chosen)
        CHECK(load(truth).user(id).status == "suspended");

    // 150 suspends, each once; 7 guard reads (2, 4, 8, 16, 32, 64 and the last 24 users, by
    // email) ahead of them; 2 refresh reads (100 + 50) after; nothing else: no full sync.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // the sim logs after answering
    auto requests = run_requests(sim);
    INFO("other requests: " << requests.other.size());
    CHECK(requests.mutations.size() == 150);
    CHECK(std::set<std::string>(requests.mutations.begin(), requests.mutations.end()).size() ==
          150);
    CHECK(guard_reads(150) == 7);
    CHECK(requests.before_last_mutation.emails == 7);
    CHECK(requests.before_last_mutation.account_ids == 0);
    CHECK(requests.after_last_mutation.emails == 2);
    CHECK(requests.after_last_mutation.account_ids == 0);
    CHECK(requests.other.empty());

    // The refresh is in the sync history as such; it is not a sync: the data age, the last sync
    // and the next scheduled one are as before.
    auto history = daemon.ctl_json({"sync", "history"});
    REQUIRE(history["runs"].Size() == syncs_before + 1);
    auto refresh = newest_sync(daemon);
    CHECK(std::string(refresh["trigger"].GetString()) == "run");
    CHECK(std::string(refresh["outcome"].GetString()) == "refreshed");
    CHECK(refresh["requests"].GetInt64() == 2);
    CHECK(refresh["users"].GetInt64() == 150);
    auto status = daemon.ctl_json({"status"});
    CHECK(compact(status["sync"]["last_success"]) ==
          compact(status_before["sync"]["last_success"]));
    CHECK(compact(status["sync"]["next_run"]) == compact(status_before["sync"]["next_run"]));
    CHECK(std::string(status["sync"]["last_outcome"].GetString()) == "succeeded");
    CHECK(dashboard["snapshot"].GetInt64() != dashboard_before["snapshot"].GetInt64());
    CHECK(billable != dashboard_billable(dashboard_before));

    // A full sync afterwards finds exactly what the refresh published.
    auto sync = daemon.ctl_json({"sync", "--wait"});
    CHECK(std::string(sync["outcome"].GetString()) == "succeeded");
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), sim.truth());
    CHECK(dashboard_billable(daemon.ctl_json({"dashboard"})) == billable);
    CHECK(database_is_sound(daemon.db_path()));
}

TEST_CASE("a user changed between the plan and the run is skipped, and the refresh publishes them",
          "[integration][ops][bulk-rate]") {
    SimFixture sim({"--users", "300", "--sites", "2", "--seed", "43"});
    auto org = load(sim.truth());
    // The active members of one group: the run's filter.
    const TruthGroup* group = nullptr;
    std::vector<std::string> members;
    for (const auto& [gid, g] : org.groups) {
        std::vector<std::string> found;
        for (const auto& u : org.users)
            if (u.groups.count(gid) && ordinary(u))
                found.push_back(u.id);
        if (found.size() >= 6 && (!group || found.size() < members.size())) {
            group = &g;
            members = found;
        }
    }
    REQUIRE(group);
    DaemonFixture daemon(sim.atlassian_yaml() + "ops:\n  max_users: 1000\n");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    // Suspended by someone else after the snapshot was taken: the plan still sees them active.
    const std::string changed = members[members.size() / 2];
    suspend_directly(sim, changed);
    sim.clear_requests();

    auto run = daemon.ctl_json({"bulk", "suspend", "--group", group->id, "--status", "active",
                                "--apply", "--max-users", "1000"});
    REQUIRE(std::string(run["state"].GetString()) == "succeeded");
    auto got = outcomes(run);
    CHECK(got[changed] == "skipped: changed: no longer matches the filter");
    // The refresh after the run publishes the user the run skipped, as the API now has them
    // (waited for: it runs after the answer, and a loaded machine may take a while).
    REQUIRE(wait_until(
        [&] { return read_snapshot(daemon.db_path()).user_status.at(changed) == "suspended"; },
        std::chrono::seconds(20)));
    // The sim logs each request after answering it: wait until the run's mutations are all in.
    REQUIRE(wait_until(
        [&] {
            return run_requests(sim).mutations.size() >=
                   static_cast<std::size_t>(run["changed"].GetInt64());
        },
        std::chrono::seconds(10)));
    auto requests = run_requests(sim);
    for (const auto& m : requests.mutations)
        CHECK(m.find(changed) == std::string::npos);  // nothing sent to them
    CHECK(requests.mutations.size() == static_cast<std::size_t>(run["changed"].GetInt64()));
    // The refresh read them with the users the run changed (and their roles: how they changed
    // is not known); the snapshot now says what the API says, for every user.
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), sim.truth());
    CHECK(read_snapshot(daemon.db_path()).user_status.at(changed) == "suspended");
    CHECK(dashboard_billable(daemon.ctl_json({"dashboard"})) == truth_billable(sim.truth()));
}

TEST_CASE("kill -9 while a run's refresh is in flight: a full sync after the restart, undo exact",
          "[integration][ops][bulk-rate][crash]") {
    SimFixture sim({"--users", "200", "--sites", "1", "--seed", "45"});
    const auto users_before = compact(sim.truth()["users"]);
    std::vector<std::string> chosen;
    for (const auto& u : load(sim.truth()).users)
        if (ordinary(u) && chosen.size() < 6)
            chosen.push_back(u.id);
    REQUIRE(chosen.size() == 6);
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    const auto syncs_before = daemon.ctl_json({"sync", "history"})["runs"].Size();
    sim.clear_requests();
    // Every users/search takes 1.5 s: the two guard reads, then the refresh's one read, in which
    // the kill lands (the suspends are quick).
    sim.configure(R"({"slow_ms": 1500, "slow_rate": 1.0, "slow_path": "/users/search"})");
    std::thread client([&] {
        daemon.ctl({"bulk", "suspend", "--users", joined(chosen), "--apply"});
    });
    REQUIRE(wait_until([&] { return mutations(sim).size() >= chosen.size(); },
                       std::chrono::seconds(60)));
    REQUIRE(wait_until(
        [&] {
            auto status = daemon.ctl_json({"status"});
            return status["ops"]["active_run"].IsNull() &&
                   std::string(status["sync"]["state"].GetString()) == "running";
        },
        std::chrono::seconds(10)));
    daemon.kill9();
    client.join();
    sim.configure(R"({"slow_ms": 0, "slow_rate": 0.0, "slow_path": ""})");
    // The snapshot published before the run, whole: the refresh never got to publish.
    auto view = read_snapshot(daemon.db_path());
    for (const auto& id : chosen)
        CHECK(view.user_status.at(id) == "active");

    daemon.start();
    wait_until([&] { return daemon.log().find("not in the snapshot yet") != std::string::npos; },
               std::chrono::seconds(30));
    CHECK_THAT(daemon.log(), Catch::Contains("not in the snapshot yet"));
    REQUIRE(wait_until(
        [&] { return std::string(newest_sync(daemon)["outcome"].GetString()) == "succeeded"; },
        std::chrono::seconds(60)));
    wait_quiet(daemon);
    auto history = daemon.ctl_json({"sync", "history"});
    REQUIRE(history["runs"].Size() == syncs_before + 2);
    CHECK(std::string(history["runs"][1]["outcome"].GetString()) == "interrupted");
    CHECK(std::string(history["runs"][1]["trigger"].GetString()) == "run");
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), sim.truth());
    CHECK(database_is_sound(daemon.db_path()));

    const auto id = wait_for_newest_run(daemon, "succeeded");
    auto sent = mutations_settled(sim, chosen.size());
    CHECK(sent.size() == chosen.size());
    auto undo = daemon.ctl_json({"runs", "undo", id, "--apply"});
    CHECK(std::string(undo["state"].GetString()) == "succeeded");
    CHECK(undo["changed"].GetInt64() == 6);
    CHECK(compact(sim.truth()["users"]) == users_before);
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), sim.truth());
}
