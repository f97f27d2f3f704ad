#pragma once
// A run's seat target (issue 17) in SQLite (run_seat_targets, schema v8) and as JSON, and what is
// still over the target once the run ended. Database functions run on a database thread.
#include <rapidjson/document.h>

#include <optional>
#include <string>

#include "rosterd/ops/seat_target.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::ops {

struct RunRecord;

void save_seat_target(store::Database& db, const std::string& run_id,
                      const SeatTargetOutcome& outcome);
std::optional<SeatTargetOutcome> load_seat_target(store::Database& db, const std::string& run_id);

// Seats still over the target after `run`: as planned for a dry run, after the users whose
// outcome is ok for an applying run (none for a refused one).
std::int64_t seats_over_after(const RunRecord& run);

// The "seat_target" object of runs show and of the answer of tasks.run.
rapidjson::Value seat_target_json(const RunRecord& run, rapidjson::Document::AllocatorType& alloc);

}  // namespace rosterd::ops
