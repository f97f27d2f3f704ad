#pragma once
// The tasks' rows in SQLite: enable/disable (task_state) and the newest run of a task.
#include <optional>
#include <string>

#include "rosterd/ops/run_store.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::ops {

// Keeps `rosterctl tasks enable|disable` across restarts and reloads.
void save_task_enabled(store::Database& db, const std::string& name, bool enabled);
// The task's newest run, in full; none if it never ran.
std::optional<RunRecord> last_run_of_task(store::Database& db, const std::string& name);

}  // namespace rosterd::ops
