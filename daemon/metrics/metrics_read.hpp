#pragma once
// Reading the metrics' figures, on a database reader thread (never on the loop).
#include <limits>
#include <map>
#include <memory>
#include <optional>

#include "rosterd/config/config.hpp"
#include "rosterd/metrics/metrics.hpp"
#include "rosterd/query/snapshot.hpp"

namespace rosterd::metrics {

// The seat metrics of one snapshot under one configuration, rendered.
struct SeatBlock {
    std::int64_t snapshot_id = 0;
    std::shared_ptr<const Config> config;  // whose thresholds and prices it used
    std::int64_t measured_ms = 0;
    std::string text;
};

// The published snapshot's id, or nullopt before the first sync.
std::optional<std::int64_t> published_snapshot(store::Database& db);

// The counters over history tables that only grow (sync_runs, runs), kept between scrapes so
// that a scrape reads only the rows that can still change instead of counting them all (10,000
// runs: 5 ms by GROUP BY, a few microseconds by this).
struct HistoryCounts {
    std::int64_t syncs_through_id = 0;  // sync_runs rows with id <= this are in `syncs`
    std::map<std::string, std::int64_t> syncs;
    // runs created before this instant are in `runs`: they are all in a final state, and a new
    // run cannot be created that far back (the margin is a day).
    std::int64_t runs_before_ms = std::numeric_limits<std::int64_t>::min();
    std::map<std::string, std::int64_t> runs;
};

// Sync history, outbox and runs: a few indexed queries over the rows that can still change;
// `counts` carries what is settled from one scrape to the next (and is brought forward here).
LiveFigures read_live_figures(store::Database& db, HistoryCounts& counts);

// The dashboard of the published snapshot (through the shared index), rendered; nullptr before
// the first sync. Call inside a read transaction.
std::shared_ptr<const SeatBlock> compute_seat_block(store::Database& db,
                                                    query::SnapshotCache& snapshots,
                                                    std::shared_ptr<const Config> config,
                                                    std::int64_t now_ms);

}  // namespace rosterd::metrics
