// Syncs against rosterd-sim, asserting on its ground truth and its request log.
#include <catch2/catch.hpp>

#include <cmath>
#include <limits>

#include "daemon_fixture.hpp"
#include "rosterd/store/store.hpp"
#include "sim_fixture.hpp"
#include "snapshot_reader.hpp"
#include "truth_check.hpp"

using namespace rosterd::test;

namespace {

std::string ctl_error(const CommandResult& r) {
    return r.out + r.err;
}

std::int64_t sync_state_users(const DaemonFixture& daemon) {
    auto status = daemon.ctl_json({"status"});
    if (!status["sync"].HasMember("progress"))
        return -1;
    return status["sync"]["progress"]["users_fetched"].GetInt64();
}

}  // namespace

TEST_CASE("a sync stores exactly the simulator's organization, in bulk requests",
          "[integration][sync]") {
    // 100 ms a request: the users phase lasts long enough for rosterctl, which attaches once the
    // sync has started, to see it even in a sanitizer build (at 0 ms it could miss it there).
    SimFixture sim({"--users", "700", "--sites", "2", "--seed", "7", "--latency-ms", "100"});
    // No initial sync at start-up: the test starts it through rosterctl, to see its progress.
    DaemonFixture daemon(sim.atlassian_yaml(), false);
    daemon.start();
    // The initial sync starts by itself (a key and no snapshot); `sync --wait` joins it.
    auto result = daemon.ctl({"sync", "--wait"});
    INFO(ctl_error(result));
    REQUIRE(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("succeeded: 700 users"));
    CHECK_THAT(result.err, Catch::Contains("sync: users"));  // plain progress lines (no terminal)

    auto truth = sim.truth();
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), truth);

    // The bulk budget: pages of 100 users per partition (the managed users split by the three
    // verified domains and the unmanaged ones: four listed, the larger ones walked from both
    // ends, which may fetch up to two pages twice where the ends meet), users/count of each
    // before listing (4) and of the organization after (1), fewer requests than groups that
    // grant roles to learn what they grant, six role queries per product, and a handful of
    // organization calls (with the domain list). Never one request per user.
    auto log = sim.requests();
    std::size_t total = 0, per_user = 0, group_roles = 0, group_searches = 0;
    for (const auto& r : log.GetArray()) {
        std::string path = r["path"].GetString();
        if (path.find("/_sim") != std::string::npos || path.find("/sink") == 0)
            continue;
        ++total;
        if (path.find("last-active-dates") != std::string::npos)
            ++per_user;
        if (path.find("/role-assignments") != std::string::npos)
            ++group_roles;
        if (path.ends_with("/groups/search") &&
            (r["body"].HasMember("roleIds") || r["body"].HasMember("resourceIds")))
            ++group_searches;
    }
    std::size_t products = 0;
    for (const auto& s : truth["sites"].GetArray())
        products += s["products"].Size();
    std::size_t granting_groups = 0;
    for (const auto& g : truth["groups"].GetArray()) {
        if (g["roles"].Size() > 0)
            ++granting_groups;
        REQUIRE(g["roles"].Size() <= 1);
    }
    std::size_t budget = 4 + 4 + 4 * 2 + 4 + 1 + 700 / 100 + 1 + truth["groups"].Size() / 100 + 1 +
                         granting_groups + products * 6 + 11;
    // `sync --wait` joins the initial sync, unless that one finished first (a slow machine, a
    // sanitizer build): then the log holds two syncs, and each keeps the budget.
    std::size_t syncs = daemon.ctl_json({"sync", "history"})["runs"].Size();
    REQUIRE((syncs == 1 || syncs == 2));
    CHECK(per_user == 0);
    // The groups that grant, each one role on one of the four products: decoded from nine group
    // searches (four role bits, which name the other roles too, four product bits), none read
    // alone.
    REQUIRE(granting_groups > 8);
    CHECK(group_roles == 0);
    CHECK(group_searches == 8 * syncs);
    CHECK(total <= budget * syncs);

    auto status = daemon.ctl_json({"status"});
    CHECK(std::string(status["sync"]["state"].GetString()) == "idle");
    CHECK(status["sync"]["last_success"].IsString());
    auto history = daemon.ctl_json({"sync", "history"});
    REQUIRE(history["runs"].Size() >= 1);
    CHECK(std::string(history["runs"][0]["outcome"].GetString()) == "succeeded");
    CHECK(history["runs"][0]["users"].GetInt64() == 700);

    SECTION("a second sync over an existing snapshot replaces it and prunes the old one") {
        auto again = daemon.ctl({"sync", "--wait"});
        REQUIRE(again.exit_code == 0);
        auto view = read_snapshot(daemon.db_path());
        check_snapshot_matches_truth(view, truth);
        // The old generation is deleted right after the switch, off the reply's path; its user
        // rows wait in the other slot, which the next sync empties before writing there.
        CHECK(wait_until([&] { return recorded_generations(daemon.db_path()) == 1; }));
        CHECK(generations_in_slot(daemon.db_path(), 0) == 1);
        CHECK(generations_in_slot(daemon.db_path(), 1) == 1);
        REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
        check_snapshot_matches_truth(read_snapshot(daemon.db_path()), truth);
        CHECK(wait_until([&] { return recorded_generations(daemon.db_path()) == 1; }));
        CHECK(generations_in_slot(daemon.db_path(), 0) == 1);
        CHECK(generations_in_slot(daemon.db_path(), 1) == 1);
    }
}

TEST_CASE("users paged before the groups' grants are known still get how access is granted",
          "[integration][sync]") {
    // Every group search takes 600 ms: all 900 users are paged long before the groups' grants are
    // known (whether an access comes through a group is decided when the user's rows are written,
    // so those writes must wait for the groups).
    SimFixture sim({"--users", "900", "--sites", "2", "--seed", "5", "--slow-ms", "600",
                    "--slow-rate", "1", "--slow-path", "/groups/search"});
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);

    // The scenario happened: user pages, including whole small partitions (suspended,
    // deactivated, ...: one page each), were answered before the groups' grants were known (the
    // last group search answered).
    auto log = sim.requests();
    std::vector<std::int64_t> users_pages;
    std::int64_t grants_known = 0;
    for (const auto& r : log.GetArray()) {
        std::string path = r["path"].GetString();
        std::int64_t answered = r["t"].GetInt64() + r["duration_ms"].GetInt64();
        if (path.ends_with("/users/search") && r["body"].IsObject() &&
            !r["body"].HasMember("roleIds"))
            users_pages.push_back(answered);
        if (path.ends_with("/groups/search") || path.ends_with("/role-assignments"))
            grants_known = std::max(grants_known, answered);
    }
    auto early = std::count_if(users_pages.begin(), users_pages.end(),
                               [&](std::int64_t at) { return at < grants_known; });
    CHECK(early >= 4);

    auto view = read_snapshot(daemon.db_path());
    check_snapshot_matches_truth(view, sim.truth());
    std::size_t via_group = 0;
    for (const auto& [key, row] : view.access)
        via_group += row.via == "group";
    CHECK(via_group > 0);  // the truth holds group grants, so a wrong default would show
}

TEST_CASE("a sync killed half-way leaves the previous snapshot and the next start syncs",
          "[integration][sync]") {
    SimFixture sim({"--users", "1500", "--sites", "2", "--seed", "11"});
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    auto before = read_snapshot(daemon.db_path());
    REQUIRE(before.snapshot_id);

    sim.configure(R"({"latency_ms": 150})");
    REQUIRE(daemon.ctl({"sync"}).exit_code == 0);
    REQUIRE(wait_until([&] { return sync_state_users(daemon) >= 200; }, std::chrono::seconds(30)));
    daemon.kill9();

    // The published snapshot is the previous one, whole, and the file is sound.
    auto after_kill = read_snapshot(daemon.db_path());
    CHECK(after_kill.snapshot_id == before.snapshot_id);
    CHECK(after_kill.user_status.size() == before.user_status.size());
    CHECK(after_kill.billable_per_resource == before.billable_per_resource);
    {
        auto db = rosterd::store::Database::open(daemon.db_path());
        auto check = db->prepare("PRAGMA integrity_check");
        REQUIRE(check.step());
        CHECK(check.text(0) == "ok");
    }

    sim.configure(R"({"latency_ms": 0})");
    daemon.start();
    // Recovery runs on the database thread at start-up, right after the socket opens.
    CHECK(wait_until([&] {
        auto history = daemon.ctl_json({"sync", "history"});
        return std::string(history["runs"][0]["outcome"].GetString()) == "interrupted";
    }));
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), sim.truth());
    // The half-written generation and the previous one are gone.
    CHECK(wait_until([&] { return recorded_generations(daemon.db_path()) == 1; }));
    // The killed sync's slot had no account index yet (a sync builds it after its listing): the
    // next sync built it, and the other slot kept its own.
    {
        auto db = rosterd::store::Database::open(daemon.db_path());
        auto indexes = db->prepare(
            "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name IN "
            "('users_0_by_account', 'users_1_by_account')");
        REQUIRE(indexes.step());
        CHECK(indexes.int64(0) == 2);
    }
}

TEST_CASE("a rejected key fails the sync cleanly and keeps the snapshot", "[integration][sync]") {
    SimFixture sim({"--users", "300", "--sites", "1"});
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    auto before = read_snapshot(daemon.db_path());

    sim.configure(R"({"key_expired": true})");
    auto failed = daemon.ctl({"sync", "--wait"});
    CHECK(failed.exit_code == 1);
    CHECK_THAT(failed.err, Catch::Contains("rejected the organization API key (HTTP 401)"));
    CHECK(read_snapshot(daemon.db_path()).snapshot_id == before.snapshot_id);

    // Until the key changes, further syncs are refused up front with what to do.
    auto refused = daemon.ctl({"sync"});
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("install a new key"));
    auto status = daemon.ctl_json({"status"});
    CHECK(std::string(status["sync"]["state"].GetString()) == "failed");
    CHECK(status["sync"]["last_success"].IsString());
    // The key never appears in the log.
    CHECK(daemon.log().find("sim-test-key-0123456789") == std::string::npos);
}

TEST_CASE("the next scheduled sync is shown in the configured time zone", "[integration][sync]") {
    DaemonFixture daemon("sync:\n  daily_at: \"05:00\"\n  timezone: Europe/Berlin\n");
    // The schedule is armed once the sync service has read its history (a database read at
    // start-up): under load, status may answer before that.
    REQUIRE(wait_until(
        [&] { return daemon.ctl_json({"status"})["sync"]["next_run_local"].IsString(); }));
    auto status = daemon.ctl_json({"status"});
    std::string local = status["sync"]["next_run_local"].GetString();
    CHECK_THAT(local, Catch::EndsWith("05:00 CET") || Catch::EndsWith("05:00 CEST"));
    CHECK(std::string(status["sync"]["state"].GetString()) == "never");
    // Without an organization and key, a sync is refused with what to configure.
    auto refused = daemon.ctl({"sync"});
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err, Catch::Contains("atlassian.org_id"));
}

TEST_CASE("the opt-in per-user activity source reads last-active-dates for every user",
          "[integration][sync]") {
    SimFixture sim({"--users", "40", "--sites", "1", "--seed", "5"});
    DaemonFixture daemon(sim.atlassian_yaml() + "sync:\n  activity_source: last-active-dates\n");
    auto result = daemon.ctl({"sync", "--wait"});
    INFO(result.out + result.err);
    REQUIRE(result.exit_code == 0);

    auto truth = sim.truth();
    auto view = read_snapshot(daemon.db_path());
    std::size_t per_user_calls = 0;
    auto requests = sim.requests();  // a range-for over a temporary's member would dangle
    for (const auto& r : requests.GetArray())
        if (std::string(r["path"].GetString()).find("last-active-dates") != std::string::npos)
            ++per_user_calls;
    CHECK(per_user_calls == truth["users"].Size());
    // last-active-dates reports whole seconds: compare at that precision.
    for (const auto& u : truth["users"].GetArray()) {
        for (const auto& a : u["access"].GetArray()) {
            auto found =
                view.access.find({u["account_id"].GetString(), a["resource_id"].GetString()});
            REQUIRE(found != view.access.end());
            if (a["last_active_ms"].IsNull()) {
                CHECK_FALSE(found->second.last_active.has_value());
            } else {
                REQUIRE(found->second.last_active.has_value());
                CHECK(*found->second.last_active / 1000 == a["last_active_ms"].GetInt64() / 1000);
            }
        }
    }
}

TEST_CASE("a storm of 429s and 5xx slows a sync down but does not fail it, and the truth is exact",
          "[integration][sync][retry]") {
    SimFixture sim({"--users", "2500", "--sites", "1", "--seed", "11", "--fault-seed", "4"});
    // Quick backoff keeps the test short; the budgets are the defaults (minutes).
    DaemonFixture daemon(
        sim.atlassian_yaml() + "  retry: {backoff_initial_ms: 20, backoff_max_s: 1}\n", false);
    sim.configure(R"({"rate_429_rate":0.3,"error_rate":0.15})");
    // And one request that fails eight times in a row: more than any count of attempts allowed.
    sim.http("POST", "/_sim/fail", R"({"path_contains":"/admin/v1/orgs/","status":503,"count":8})");
    daemon.start();
    auto result = daemon.ctl({"sync", "--wait"}, "");
    INFO(ctl_error(result));
    REQUIRE(result.exit_code == 0);
    CHECK_THAT(result.out, Catch::Contains("succeeded: 2500 users"));
    sim.configure(R"({"rate_429_rate":0,"error_rate":0})");
    check_snapshot_matches_truth(read_snapshot(daemon.db_path()), sim.truth());
    auto history = daemon.ctl_json({"sync", "history"});
    CHECK(history["runs"][0]["retries"].GetInt64() >= 8);
}

TEST_CASE("a server that always fails ends the sync within the request budget, saying why",
          "[integration][sync][retry]") {
    SimFixture sim({"--users", "50", "--sites", "1"});
    DaemonFixture daemon(sim.atlassian_yaml() +
                             "  retry: {request_budget_s: 3, backoff_initial_ms: 50, "
                             "backoff_max_s: 1}\n",
                         false);
    sim.configure(R"({"error_rate":1.0})");
    daemon.start();
    auto started = std::chrono::steady_clock::now();
    auto result = daemon.ctl({"sync", "--wait"});
    auto took = std::chrono::steady_clock::now() - started;
    INFO(ctl_error(result));
    CHECK(result.exit_code == 1);
    CHECK(took < std::chrono::seconds(15));
    CHECK(took >= std::chrono::seconds(1));  // it did retry, for most of its budget
    CHECK_THAT(result.err, Catch::Contains("gave up after"));
    CHECK_THAT(result.err,
               Catch::Contains("the request's retry budget (3 s, atlassian.retry.request_budget_s) "
                               "is spent; last error:"));
    auto status = daemon.ctl_json({"status"});
    CHECK(std::string(status["sync"]["state"].GetString()) == "failed");
}

namespace {

// The most users/search partition requests (those filtering by claim status) in flight at
// once, from the simulator's request log.
std::size_t most_partitions_in_flight(const SimFixture& sim) {
    std::vector<std::pair<std::int64_t, std::int64_t>> spans;
    auto log = sim.requests();
    for (const auto& r : log.GetArray()) {
        std::string path = r["path"].GetString();
        if (path.find("/users/search") == std::string::npos || !r["body"].IsObject() ||
            !r["body"].HasMember("claimStatus"))
            continue;
        auto start = r["t"].GetInt64();
        spans.emplace_back(start, start + r["duration_ms"].GetInt64());
    }
    std::size_t most = 0;
    for (const auto& a : spans) {
        std::size_t at_once = 0;
        for (const auto& b : spans)
            if (b.first <= a.first && a.first < b.second)
                ++at_once;
        most = std::max(most, at_once);
    }
    return most;
}

}  // namespace

TEST_CASE("sync.partitions bounds the user partitions paged at once", "[integration][sync]") {
    for (int partitions : {1, 3}) {
        DYNAMIC_SECTION("partitions: " << partitions) {
            SimFixture sim({"--users", "900", "--sites", "1", "--seed", "7", "--latency-ms", "40"});
            DaemonFixture daemon(
                sim.atlassian_yaml() + "sync:\n  partitions: " + std::to_string(partitions) + "\n",
                false);
            daemon.start();
            auto result = daemon.ctl({"sync", "--wait"});
            INFO(ctl_error(result));
            REQUIRE(result.exit_code == 0);
            check_snapshot_matches_truth(read_snapshot(daemon.db_path()), sim.truth());
            CHECK(most_partitions_in_flight(sim) == static_cast<std::size_t>(partitions));
        }
    }
}
