#pragma once
// The notify commands, one named function per command in its own file (notify_command_*.cpp), each
// returning its spec with its handler; NotifyService::register_commands adds them one line each.
#include <cstdint>
#include <optional>
#include <string>

#include "rosterd/control/registry.hpp"

namespace rosterd::notify {

class NotifyService;

control::CommandSpec notify_test_command(NotifyService& notify);        // notify_command_test.cpp
control::CommandSpec notify_test_email_command(NotifyService& notify);  // ..._test_email.cpp
control::CommandSpec notify_list_command(NotifyService& notify);        // notify_command_list.cpp
control::CommandSpec notify_retry_command(NotifyService& notify);       // notify_command_retry.cpp

// An instant as the notify answers write it: ISO 8601, or null.
std::optional<std::string> iso(std::optional<std::int64_t> ms);

}  // namespace rosterd::notify
