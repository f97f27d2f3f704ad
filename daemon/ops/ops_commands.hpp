#pragma once
// The ops commands, one named function per command in its own file (ops_command_*.cpp), each
// returning its spec with its handler; OpsService::register_commands adds them one line each. The
// helpers here are what several of them (and tasks.run) check the same way.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/control/registry.hpp"
#include "rosterd/ops/scope.hpp"

namespace rosterd::ops {

class OpsService;

control::CommandSpec bulk_command(OpsService& ops);         // ops_command_bulk.cpp
control::CommandSpec runs_command(OpsService& ops);         // ops_command_runs.cpp
control::CommandSpec runs_show_command(OpsService& ops);    // ops_command_runs.cpp
control::CommandSpec runs_cancel_command(OpsService& ops);  // ops_command_cancel.cpp
control::CommandSpec runs_undo_command(OpsService& ops);    // ops_command_undo.cpp

// max_users: the cap for this run (1 to 1000000), or `fallback`; `raised` tells it was given.
std::int64_t cap_arg(const control::Request& request, std::int64_t fallback, bool& raised);
// A run's results name users anywhere in the organization: a scoped caller sees only the runs
// they started themselves (their uid), unscoped callers every run.
std::optional<std::int64_t> own_runs_only(const control::Request& request);
// Applying needs the admin level; operators may only review dry runs.
void require_admin_to_apply(const control::Request& request, bool apply);
// An array-of-strings argument (absent: empty).
std::vector<std::string> string_array(const rapidjson::Value* value, const char* name);

}  // namespace rosterd::ops
