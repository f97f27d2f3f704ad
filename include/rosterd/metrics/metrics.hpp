#pragma once
// Prometheus metrics: where they are served (metrics.listen) and the text they are served as.
// The figures are plain values; rendering is a pure function of them, so that the text can be
// checked without a daemon and cached by the subsystem that serves it (daemon/metrics/).
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rosterd/config/listen_address.hpp"
#include "rosterd/query/query.hpp"

namespace rosterd::metrics {

// Small figures read at every scrape.
struct LiveFigures {
    std::optional<std::int64_t> snapshot_id;
    std::optional<std::int64_t> last_success_ms;  // when the last successful sync finished
    // The last finished sync, whatever its outcome.
    std::optional<std::string> last_outcome;
    std::optional<std::int64_t> last_duration_ms;
    std::int64_t last_requests = 0;
    std::int64_t last_retries = 0;
    bool sync_running = false;
    std::map<std::string, std::int64_t> syncs;  // finished syncs by outcome
    std::map<std::string, std::int64_t> runs;   // runs by state
    std::int64_t outbox_pending = 0;
    std::int64_t outbox_dead = 0;
    std::string key_state = "missing";          // keys::KeyState's names
    std::optional<std::int64_t> key_expiry_ms;  // when the key lapses (00:00 UTC of its date)
    std::int64_t now_ms = 0;
};

// The run states counted by rosterd_runs_total (final states: a run never leaves them) and those
// counted by rosterd_runs_in_progress.
inline constexpr std::string_view kFinalRunStates[] = {
    "succeeded", "partially_failed", "failed", "cancelled", "refused", "nothing_to_do", "planned"};
inline constexpr std::string_view kActiveRunStates[] = {"queued", "running"};
inline constexpr std::string_view kKeyStates[] = {"missing", "ok", "expiring", "expired",
                                                  "rejected"};

// Prometheus text exposition format 0.0.4 (docs/metrics.md lists every metric).
inline constexpr const char* kContentType = "text/plain; version=0.0.4; charset=utf-8";

// The seat metrics of one dashboard; computed once per snapshot (and as time moves seats past
// their threshold), then served as they are.
std::string render_seat_metrics(const query::Dashboard& dashboard);
// Everything else, rendered at each scrape: sync, key, outbox, runs, build info.
std::string render_live_metrics(const LiveFigures& figures, std::string_view version);

// A label value with \, " and newline escaped.
std::string escape_label(std::string_view value);

}  // namespace rosterd::metrics
