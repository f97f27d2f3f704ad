#pragma once
// The events a run emits when it ends (run_succeeded, run_refused, ..., seats_over_target).
#include <cstdint>
#include <string>
#include <vector>

#include "rosterd/model/events.hpp"
#include "rosterd/ops/run_store.hpp"

namespace rosterd::ops {

// The events of `run` (none for a dry run a person asked for: it is answered to them; tasks'
// dry runs and every applying run reach the webhooks). `now_ms` dates a run not finished.
std::vector<Event> run_events(const RunRecord& run, const std::string& cancelled_by,
                              std::int64_t now_ms);

// Emits them to `sink` (none when it is null).
void emit_run_events(EventSink* sink, const RunRecord& run, const std::string& cancelled_by,
                     std::int64_t now_ms);

}  // namespace rosterd::ops
