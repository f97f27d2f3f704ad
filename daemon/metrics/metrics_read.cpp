#include "metrics_read.hpp"

#include <algorithm>
#include <vector>
#include "rosterd/base/units.hpp"

namespace rosterd::metrics {

std::optional<std::int64_t> published_snapshot(store::Database& db) {
    try {
        return query::current_snapshot(db).id;
    } catch (const query::NoDataError&) {
        return std::nullopt;
    }
}

namespace {

bool final_run_state(const std::string& state) {
    return state != "queued" && state != "running";
}

// Finished syncs by outcome: the settled ones from `counts`, then the rows after them (a sync
// row is final once it has left 'running'; ids only grow).
void count_syncs(store::Database& db, HistoryCounts& counts, LiveFigures& f) {
    auto rows = db.prepare("SELECT id, outcome FROM sync_runs WHERE id > ? ORDER BY id");
    rows.bind(1, counts.syncs_through_id);
    std::vector<std::pair<std::int64_t, std::string>> recent;
    while (rows.step())
        recent.emplace_back(rows.int64(0), rows.text(1));
    std::size_t settled = 0;
    while (settled < recent.size() && recent[settled].second != "running") {
        ++counts.syncs[recent[settled].second];
        counts.syncs_through_id = recent[settled].first;
        ++settled;
    }
    f.syncs = counts.syncs;
    for (auto i = settled; i < recent.size(); ++i)
        if (recent[i].second != "running")
            ++f.syncs[recent[i].second];
}

// Runs by state, through runs_by_created: the settled ones from `counts`, then the recent rows.
void count_runs(store::Database& db, HistoryCounts& counts, LiveFigures& f) {
    auto rows = db.prepare("SELECT created_at, state FROM runs WHERE created_at >= ?");
    rows.bind(1, counts.runs_before_ms);
    std::vector<std::pair<std::int64_t, std::string>> recent;
    std::int64_t oldest_open = std::numeric_limits<std::int64_t>::max();
    std::int64_t newest = std::numeric_limits<std::int64_t>::min();
    while (rows.step()) {
        recent.emplace_back(rows.int64(0), rows.text(1));
        if (!final_run_state(recent.back().second))
            oldest_open = std::min(oldest_open, recent.back().first);
        newest = std::max(newest, recent.back().first);
    }
    if (!recent.empty()) {
        // Everything a day before the oldest run still in progress (or the newest run) is
        // settled: in a final state, and older than any run the clock could still create.
        auto next = std::min(oldest_open, newest) - kDayMs;
        if (next > counts.runs_before_ms) {
            for (const auto& [at, state] : recent)
                if (at < next)
                    ++counts.runs[state];
            counts.runs_before_ms = next;
        }
    }
    f.runs = counts.runs;
    for (const auto& [at, state] : recent)
        if (at >= counts.runs_before_ms)
            ++f.runs[state];
}

}  // namespace

LiveFigures read_live_figures(store::Database& db, HistoryCounts& counts) {
    LiveFigures f;
    // sync_runs gains a row per sync (a few a day): small, and read backwards by rowid. The
    // refreshes after bulk runs are not the last sync (sync/refresh_writer.hpp).
    auto last = db.prepare(
        "SELECT outcome, started_at, finished_at, requests, retries FROM sync_runs "
        "WHERE finished_at IS NOT NULL AND outcome NOT IN ('running', 'refreshed', "
        "'refresh_failed') ORDER BY id DESC LIMIT 1");
    if (last.step()) {
        f.last_outcome = last.text(0);
        if (!last.is_null(2))
            f.last_duration_ms = last.int64(2) - last.int64(1);
        f.last_requests = last.int64(3);
        f.last_retries = last.int64(4);
    }
    auto success = db.prepare(
        "SELECT finished_at FROM sync_runs WHERE outcome = 'succeeded' AND finished_at IS NOT "
        "NULL ORDER BY id DESC LIMIT 1");
    if (success.step())
        f.last_success_ms = success.int64(0);
    count_syncs(db, counts, f);
    // notify_deliveries_due (state, next_attempt_at) covers this count.
    auto outbox = db.prepare(
        "SELECT state, count(*) FROM notify_deliveries WHERE state IN ('pending', 'dead') "
        "GROUP BY state");
    while (outbox.step())
        (outbox.text(0) == "pending" ? f.outbox_pending : f.outbox_dead) = outbox.int64(1);
    count_runs(db, counts, f);
    return f;
}

std::shared_ptr<const SeatBlock> compute_seat_block(store::Database& db,
                                                    query::SnapshotCache& snapshots,
                                                    std::shared_ptr<const Config> config,
                                                    std::int64_t now_ms) {
    std::shared_ptr<const query::SnapshotIndex> index;
    try {
        index = snapshots.current(db);
    } catch (const query::NoDataError&) {
        return nullptr;
    }
    // The dashboard's options exactly as `rosterctl dashboard` (no flags) sets them.
    query::DashboardOptions options;
    options.now_ms = now_ms;
    options.default_days = config->inactivity.days;
    options.per_product = config->inactivity.per_product;
    options.pricing.currency = config->pricing.currency;
    options.pricing.per_seat = config->pricing.monthly_per_seat;
    auto block = std::make_shared<SeatBlock>();
    block->snapshot_id = index->info.id;
    block->config = std::move(config);
    block->measured_ms = now_ms;
    block->text = render_seat_metrics(query::compute_dashboard(*index, options));
    return block;
}

}  // namespace rosterd::metrics
