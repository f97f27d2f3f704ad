#pragma once
// The key commands, one named handler per command in its own file (key_command_*.cpp) with the
// function returning its spec; KeyService::register_commands adds them one line each. The
// handlers act on the key service's state, so they are its members and these its friends.
#include <cstdint>
#include <optional>
#include <string>

#include "rosterd/atlassian/client.hpp"
#include "rosterd/control/registry.hpp"

namespace rosterd::keys {

class KeyService;

control::CommandSpec key_set_command(KeyService& keys);    // key_command_set.cpp
control::CommandSpec key_check_command(KeyService& keys);  // key_command_check.cpp
control::CommandSpec key_show_command(KeyService& keys);   // key_command_show.cpp

// A day number as YYYY-MM-DD; an instant as the answers write it (ISO 8601, or null).
std::string date_of(std::int64_t day);
std::optional<std::string> iso(std::optional<std::int64_t> ms);
// Why a key check failed, for the answer (never the key).
std::string check_failure(const atlassian::ApiError& error);

}  // namespace rosterd::keys
