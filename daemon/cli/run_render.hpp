#pragma once
// How rosterctl shows a run (bulk, runs show, runs undo, tasks run): the plan or the results per
// user, the counts, and one progress line per user while it applies.
#include <rapidjson/document.h>

#include <string>

#include "cli_common.hpp"

namespace rosterd::cli {

void render_run(const rapidjson::Value& run);
// The seat target of a task run (seat_target_render.cpp); nothing when it has none.
void render_seat_target(const rapidjson::Value& run);
// 0 when the run planned, succeeded or had nothing to do; 1 when it failed, partially failed,
// was cancelled or refused.
int run_exit_code(const rapidjson::Value& run);

// --reason TEXT on the commands that start a run (bulk, runs undo, tasks run).
void add_reason_option(CLI::App* command, std::string& reason);
void add_reason_arg(const std::string& reason, rapidjson::Document& args);
void print_run_progress(const rapidjson::Value& progress);

// Sends a command that answers with a run (bulk, runs.undo, tasks.run), showing progress and the
// run. The exit code says whether the run succeeded, except with --json, where scripts read the
// run's state from the JSON and 0 means the command was answered.
int call_run_command(const CliOptions& options, const std::string& command,
                     const rapidjson::Value& args);

}  // namespace rosterd::cli
