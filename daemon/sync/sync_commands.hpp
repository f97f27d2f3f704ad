#pragma once
// The sync commands, one named function per command (sync_command_*.cpp), each returning its spec
// with its handler; SyncService::register_commands adds them one line each.
#include "rosterd/control/registry.hpp"

namespace rosterd::sync {

class SyncService;

control::CommandSpec sync_command(SyncService& sync);          // sync_command_run.cpp
control::CommandSpec sync_history_command(SyncService& sync);  // sync_command_history.cpp

}  // namespace rosterd::sync
