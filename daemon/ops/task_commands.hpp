#pragma once
// The tasks commands, one named function per command (task_command_*.cpp), each returning its
// spec with its handler; TaskService::register_commands adds them one line each.
#include "rosterd/control/registry.hpp"

namespace rosterd::ops {

class TaskService;

control::CommandSpec tasks_command(TaskService& tasks);                  // task_command_list.cpp
control::CommandSpec tasks_run_command(TaskService& tasks);              // task_command_run.cpp
control::CommandSpec tasks_enable_command(TaskService& tasks, bool on);  // task_command_enable.cpp

}  // namespace rosterd::ops
