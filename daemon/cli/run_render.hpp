#pragma once
// How rosterctl shows a run (bulk, runs show, runs undo, tasks run): the plan or the results per
// user, the counts, and one progress line per user while it applies.
#include <rapidjson/document.h>

namespace rosterd::cli {

void render_run(const rapidjson::Value& run);
// 0 when the run planned or succeeded, 1 when it failed, partially failed or was cancelled.
int run_exit_code(const rapidjson::Value& run);
void print_run_progress(const rapidjson::Value& progress);

}  // namespace rosterd::cli
