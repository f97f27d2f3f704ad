#pragma once
// The daemon's own commands, one file each (app_command_*.cpp), each function returning its spec
// with its handler; Daemon::register_core_commands adds them one line each.
#include "rosterd/control/registry.hpp"

namespace rosterd {

class Daemon;

control::CommandSpec status_command(Daemon& daemon);  // app_command_status.cpp
control::CommandSpec reload_command(Daemon& daemon);  // app_command_reload.cpp

}  // namespace rosterd
