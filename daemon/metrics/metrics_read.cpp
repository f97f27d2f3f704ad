#include "metrics_read.hpp"

namespace rosterd::metrics {

std::optional<std::int64_t> published_snapshot(store::Database& db) {
    try {
        return query::current_snapshot(db).id;
    } catch (const query::NoDataError&) {
        return std::nullopt;
    }
}

LiveFigures read_live_figures(store::Database& db) {
    LiveFigures f;
    // sync_runs gains a row per sync (a few a day): small, and read backwards by rowid.
    auto last = db.prepare(
        "SELECT outcome, started_at, finished_at, requests, retries FROM sync_runs "
        "WHERE finished_at IS NOT NULL AND outcome <> 'running' ORDER BY id DESC LIMIT 1");
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
    auto syncs = db.prepare(
        "SELECT outcome, count(*) FROM sync_runs WHERE finished_at IS NOT NULL AND outcome <> "
        "'running' GROUP BY outcome");
    while (syncs.step())
        f.syncs[syncs.text(0)] = syncs.int64(1);
    // notify_deliveries_due (state, next_attempt_at) covers this count.
    auto outbox = db.prepare(
        "SELECT state, count(*) FROM notify_deliveries WHERE state IN ('pending', 'dead') "
        "GROUP BY state");
    while (outbox.step())
        (outbox.text(0) == "pending" ? f.outbox_pending : f.outbox_dead) = outbox.int64(1);
    // runs: one row per run (a few a day); bench/ measures this with 10,000 of them.
    auto runs = db.prepare("SELECT state, count(*) FROM runs GROUP BY state");
    while (runs.step())
        f.runs[runs.text(0)] = runs.int64(1);
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
