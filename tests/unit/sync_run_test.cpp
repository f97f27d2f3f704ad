// The sync engine (SyncRun) on its own, against the simulator in-process (its pages are the API's
// pages) and a fake clock: a sync stores exactly the organization and publishes one generation;
// the next publishes another and retires the first; one that fails publishes nothing and leaves
// the published generation; the user partitions cover every user once, however many are paged
// at once, and users moving between partitions mid-sync are neither missed nor counted twice.
#include <asio/io_context.hpp>
#include <catch2/catch.hpp>

#include <set>

#include "rosterd/base/time_format.hpp"
#include "rosterd/store/db_executor.hpp"
#include "rosterd/store/store.hpp"
#include "rosterd/sync/sync.hpp"
#include "sim_live_server.hpp"
#include "snapshot_reader.hpp"
#include "temp_dir.hpp"
#include "test_http_server.hpp"
#include "truth_check.hpp"

using namespace rosterd;
using namespace std::chrono_literals;
using sim::test::LiveSim;

namespace {

// A store and a loop for SyncRuns against one simulator.
class SyncHarness {
  public:
    explicit SyncHarness(LiveSim& sim)
        : sim_(sim),
          clock_(SysTime(std::chrono::milliseconds(*parse_iso8601_ms(sim::test::kTestNow)))) {
        path_ = (dir_ / "rosterd.db").string();
        auto db = store::Database::open(path_);
        store::migrate(*db);
        db_ = std::make_unique<store::DbExecutor>(loop_, path_);
    }
    ~SyncHarness() { db_->stop(); }

    const std::string& path() const { return path_; }

    sync::SyncOutcome sync(sync::SyncRunOptions options = {}) {
        atlassian::ClientConfig c;
        c.api_base = sim_.server.url();
        c.org_id = sim_.org_id();
        c.api_key = [] { return std::string("sim-key"); };
        c.jitter_seed = 1;
        c.retry.request_budget = 5s;
        c.retry.total_budget = 20s;
        auto run = std::make_shared<sync::SyncRun>(loop_, *db_, clock_, c, options);
        std::optional<sync::SyncOutcome> outcome;
        run->start([&](const sync::SyncOutcome& o) { outcome = o; });
        REQUIRE(test::run_until(
            loop_, [&] { return outcome.has_value(); }, 60s));
        clock_.advance(1h);
        return *outcome;
    }

    // Runs the loop until the store settles (an old generation's pruning runs after the answer).
    bool settle_until(const std::function<bool()>& done) {
        return test::run_until(loop_, done, 10s);
    }

    // From now on the writer's connection may grow the database file by `pages` pages at most:
    // the writes after that fail as on a full disk (SQLITE_FULL).
    void limit_database_growth(std::int64_t pages) {
        bool done = false;
        db_->write(
            [pages](store::Database& db) {
                auto count = db.prepare("PRAGMA page_count");
                count.step();
                db.exec("PRAGMA max_page_count = " + std::to_string(count.int64(0) + pages));
                return true;
            },
            [&](store::DbResult<bool> r) {
                REQUIRE(r.ok());
                done = true;
            });
        REQUIRE(test::run_until(
            loop_, [&] { return done; }, 10s));
    }

    std::string sync_run_outcome(std::int64_t run_id) {
        auto db = store::Database::open(path_);
        auto s = db->prepare("SELECT outcome FROM sync_runs WHERE id = ?");
        s.bind(1, run_id);
        return s.step() ? s.text(0) : "";
    }

  private:
    LiveSim& sim_;
    test::TempDir dir_;
    std::string path_;
    asio::io_context loop_;
    FakeClock clock_;
    std::unique_ptr<store::DbExecutor> db_;
};

}  // namespace

TEST_CASE("sync engine: a sync stores exactly the organization and publishes its generation",
          "[sync][engine]") {
    LiveSim sim(sim::test::small_org(300, 17));
    SyncHarness h(sim);
    auto outcome = h.sync();
    REQUIRE(to_string(outcome.outcome) == "succeeded");
    CHECK(to_string(outcome.progress.phase) == "done");
    CHECK_FALSE(outcome.key_rejected);
    auto truth = sim.truth();
    CHECK(outcome.progress.users_fetched == static_cast<std::int64_t>(truth["users"].Size()));
    auto view = test::read_snapshot(h.path());
    REQUIRE(view.snapshot_id.has_value());
    test::check_snapshot_matches_truth(view, truth);
    CHECK(h.sync_run_outcome(outcome.run_id) == "succeeded");
    CHECK(test::recorded_generations(h.path()) == 1);
}

TEST_CASE("sync engine: the next sync publishes a new generation, a failed one publishes nothing",
          "[sync][engine]") {
    LiveSim sim(sim::test::small_org(200, 23));
    SyncHarness h(sim);
    auto first = h.sync();
    REQUIRE(to_string(first.outcome) == "succeeded");
    auto first_view = test::read_snapshot(h.path());

    auto second = h.sync();
    REQUIRE(to_string(second.outcome) == "succeeded");
    auto second_view = test::read_snapshot(h.path());
    REQUIRE(second_view.snapshot_id.has_value());
    CHECK(second_view.snapshot_id != first_view.snapshot_id);
    test::check_snapshot_matches_truth(second_view, sim.truth());
    // The first generation is retired and pruned once the second is published.
    CHECK(h.settle_until([&] { return test::recorded_generations(h.path()) == 1; }));

    // Every API call answers 401 now: the sync fails, says the key was rejected, and the
    // published generation stays what it was.
    sim.configure(R"({"key_expired": true})");
    auto failed = h.sync();
    CHECK(to_string(failed.outcome) == "failed");
    CHECK(failed.key_rejected);
    CHECK_FALSE(failed.error.empty());
    CHECK(h.sync_run_outcome(failed.run_id) == "failed");
    auto after = test::read_snapshot(h.path());
    CHECK(after.snapshot_id == second_view.snapshot_id);
    CHECK(after.user_status == second_view.user_status);
}

TEST_CASE(
    "sync engine: a database that fills up while user writes are queued fails the sync, "
    "which ends",
    "[sync][engine]") {
    // Pages come in faster than the writer stores them, so user writes queue and the partitions
    // that filled them wait. When the writes start failing, each waiting partition must still be
    // told to stop: a write that failed once dropped the resume it held, and the sync never ended
    // (in two of three attempts here; three are made).
    LiveSim sim(sim::test::small_org(30000, 29));
    for (int attempt = 0; attempt < 3; ++attempt) {
        INFO("attempt " << attempt);
        SyncHarness h(sim);
        h.limit_database_growth(2500);  // about two batches of users
        auto failed = h.sync();
        CHECK(to_string(failed.outcome) == "failed");
        CHECK_THAT(failed.error, Catch::Contains("database"));
        CHECK(h.sync_run_outcome(failed.run_id) == "failed");
        CHECK_FALSE(test::read_snapshot(h.path()).snapshot_id.has_value());
    }
}

TEST_CASE("sync engine: the user partitions cover every user once, however many run at once",
          "[sync][engine][partitions]") {
    // Disjoint and complete: by claim status, every status in each (the managed users again by
    // domain when the sync knows the domains), so a change of status moves nobody between them.
    std::multiset<std::string> covered;
    for (const auto& p : sync::user_partitions()) {
        CHECK_FALSE(p.mfa_enabled);
        CHECK(p.status.empty());
        CHECK(p.email_domains.empty());
        covered.insert(p.claim_status);
    }
    CHECK(covered == std::multiset<std::string>{"managed", "unmanaged"});

    LiveSim sim(sim::test::small_org(400, 29));
    auto truth = sim.truth();
    for (int concurrency : {1, 3, 7}) {
        INFO("partitions at once: " << concurrency);
        SyncHarness h(sim);
        sync::SyncRunOptions options;
        options.partition_concurrency = concurrency;
        auto outcome = h.sync(options);
        REQUIRE(to_string(outcome.outcome) == "succeeded");
        CHECK(outcome.progress.users_fetched == static_cast<std::int64_t>(truth["users"].Size()));
        test::check_snapshot_matches_truth(test::read_snapshot(h.path()), truth);
    }
}

TEST_CASE(
    "sync engine: users moving between partitions mid-sync are neither missed nor counted "
    "twice",
    "[sync][engine][partitions]") {
    LiveSim sim(sim::test::small_org(1500, 31));
    auto armed = sim.anonymous.Post("/_sim/churn",
                                    R"({"after_pages":6,"suspend":20,"restore":10,"deactivate":10,)"
                                    R"("rehome":60,"seed":5})",
                                    "application/json");
    REQUIRE(armed);
    REQUIRE(armed->status == 200);
    SyncHarness h(sim);
    auto outcome = h.sync();
    REQUIRE(to_string(outcome.outcome) == "succeeded");
    auto churn = sim::test::parse_json(sim.anonymous.Get("/_sim/churn")->body);
    REQUIRE(churn["fired"].GetBool());
    CHECK(churn["moved"].Size() == 100);
    std::set<std::string> moved;
    for (const auto& id : churn["moved"].GetArray())
        moved.insert(id.GetString());
    auto truth = sim.truth();
    test::check_snapshot_holds_truth_users(test::read_snapshot(h.path()), truth, moved);
    CHECK(outcome.progress.users_fetched == static_cast<std::int64_t>(truth["users"].Size()));
    // The next sync stores everyone as they are now.
    REQUIRE(to_string(h.sync().outcome) == "succeeded");
    test::check_snapshot_matches_truth(test::read_snapshot(h.path()), sim.truth());
}
