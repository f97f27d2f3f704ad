#pragma once
// Reading the metrics' figures, on a database reader thread (never on the loop).
#include <memory>
#include <optional>

#include "metrics_service.hpp"
#include "rosterd/query_snapshot.hpp"

namespace rosterd::metrics {

// The published snapshot's id, or nullopt before the first sync.
std::optional<std::int64_t> published_snapshot(store::Database& db);

// Sync history, outbox and runs: a few queries on small tables or indexes.
LiveFigures read_live_figures(store::Database& db);

// The dashboard of the published snapshot (through the shared index), rendered; nullptr before
// the first sync. Call inside a read transaction.
std::shared_ptr<const SeatBlock> compute_seat_block(store::Database& db,
                                                    query::SnapshotCache& snapshots,
                                                    std::shared_ptr<const Config> config,
                                                    std::int64_t now_ms);

}  // namespace rosterd::metrics
