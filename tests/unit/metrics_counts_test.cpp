// The run and sync counters a scrape reads: settled rows are counted once and carried between
// scrapes, rows that can still change are read each time, and the totals stay exact.
#include <catch2/catch.hpp>

#include "daemon/metrics/metrics_read.hpp"
#include "rosterd/store/store.hpp"
#include "temp_dir.hpp"

using namespace rosterd;

namespace {

constexpr std::int64_t kHour = 3'600'000;

void add_run(store::Database& db, const std::string& id, const std::string& state,
             std::int64_t created_at) {
    db.prepare(
          "INSERT INTO runs(id, kind, mode, state, actions, selection, max_users, created_at) "
          "VALUES (?, 'bulk', 'apply', ?, '[]', '{}', 100, ?)")
        .bind(1, id)
        .bind(2, state)
        .bind(3, created_at)
        .step();
}

void add_sync(store::Database& db, const std::string& outcome) {
    db.prepare(
          "INSERT INTO sync_runs(trigger, started_at, finished_at, outcome) VALUES ('t', 1, ?, ?)")
        .bind(1,
              outcome == "running" ? std::optional<std::int64_t>() : std::optional<std::int64_t>(2))
        .bind(2, outcome)
        .step();
}

}  // namespace

TEST_CASE("run and sync counters stay exact while rows settle, change and arrive",
          "[unit][metrics]") {
    test::TempDir dir;
    auto db = store::Database::open((dir / "m.db").string());
    store::migrate(*db);
    const std::int64_t t0 = 1'780'000'000'000;
    for (int i = 0; i < 50; ++i)
        add_run(*db, "old-" + std::to_string(i), i % 2 ? "succeeded" : "planned", t0 - i * kHour);
    add_run(*db, "busy", "running", t0 - 2 * kHour);
    add_sync(*db, "succeeded");
    add_sync(*db, "failed");
    add_sync(*db, "running");

    metrics::HistoryCounts counts;
    auto f = metrics::read_live_figures(*db, counts);
    CHECK(f.runs ==
          std::map<std::string, std::int64_t>{{"planned", 25}, {"succeeded", 25}, {"running", 1}});
    CHECK(f.syncs == std::map<std::string, std::int64_t>{{"failed", 1}, {"succeeded", 1}});
    // Settled: runs a day before the running one; syncs up to the running one.
    CHECK(counts.runs_before_ms == t0 - 26 * kHour);
    CHECK(counts.runs["planned"] + counts.runs["succeeded"] == 23);  // created t0-27h .. t0-49h
    CHECK(counts.syncs_through_id == 2);

    // The running run ends, the sync ends, new ones arrive: the totals follow exactly.
    db->exec("UPDATE runs SET state = 'failed' WHERE id = 'busy'");
    db->exec("UPDATE sync_runs SET outcome = 'succeeded', finished_at = 3 WHERE id = 3");
    add_run(*db, "new", "refused", t0 + kHour);
    add_sync(*db, "cancelled");
    for (int scrape = 0; scrape < 3; ++scrape) {
        f = metrics::read_live_figures(*db, counts);
        CHECK(f.runs == std::map<std::string, std::int64_t>{
                            {"failed", 1}, {"planned", 25}, {"refused", 1}, {"succeeded", 25}});
        CHECK(f.syncs == std::map<std::string, std::int64_t>{
                             {"cancelled", 1}, {"failed", 1}, {"succeeded", 2}});
    }
    CHECK(counts.runs_before_ms == t0 - 23 * kHour);  // a day before the newest: none is open
    CHECK(counts.syncs_through_id == 4);
}
