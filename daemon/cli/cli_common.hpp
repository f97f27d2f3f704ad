#pragma once
// What every rosterctl command shares: the socket, --json, the exit-code contract, and one helper
// that sends a request and either prints JSON or hands the result to a human renderer.
#include <rapidjson/document.h>
#include <CLI/CLI.hpp>

#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "ctl_client.hpp"

namespace rosterd::cli {

// rosterctl's exit codes (documented in the README).
enum ExitCode : int { kExitOk = 0, kExitFailed = 1, kExitUsage = 2, kExitUnreachable = 3 };

inline constexpr const char* kDefaultSocket = "/run/rosterd/control.sock";

struct CliOptions {
    std::string socket = kDefaultSocket;
    bool json = false;
};

using Renderer = std::function<void(const rapidjson::Value& result)>;

// Error codes rosterctl reports itself, besides the daemon's (docs/control-protocol.md).
inline constexpr const char* kCliUnreachable = "unreachable";             // exit 3
inline constexpr const char* kCliConnectionFailed = "connection_failed";  // exit 3
inline constexpr const char* kCliUsage = "usage";                         // exit 2

// Reports a failure on stderr: `human` as it stands, or with --json the control protocol's error
// object on one line, {"error":{"code":CODE,"message":MESSAGE}}, so that a script reading stderr
// parses it as it parses the daemon's answers.
void print_error(const CliOptions& options, const std::string& human, std::string_view code,
                 std::string_view message);
// The same for a daemon's error answer to `command`: "rosterctl: COMMAND: MESSAGE [CODE]".
// Returns the exit code it deserves (2 for invalid_args, 1 otherwise).
int print_daemon_error(const CliOptions& options, const std::string& command,
                       const Response& response);
// The same for the client-side exceptions; returns 3.
int print_unreachable(const CliOptions& options, const ControlUnreachable& error);
int print_connection_failed(const CliOptions& options, const ControlProtocolError& error);

// Sends `command` with `args`; prints the result with `render` (or as JSON with --json).
// Progress lines go to `on_progress` when given. Returns the exit code.
int call_and_render(const CliOptions& options, const std::string& command,
                    const rapidjson::Value& args, const Renderer& render,
                    const ProgressHandler& on_progress = {});

// The whole command tree: global options and every command group (used by main() and by the
// generator of the manual page and the shell completion).
void build_app(CLI::App& app, CliOptions& options, int& exit_code);

// Each command group adds its subcommands; `exit_code` receives the result of the one that ran.
using CommandInstaller = void (*)(CLI::App& app, CliOptions& options, int& exit_code);
void install_core_commands(CLI::App& app, CliOptions& options, int& exit_code);
void install_sync_commands(CLI::App& app, CliOptions& options, int& exit_code);
void install_notices_commands(CLI::App& app, CliOptions& options, int& exit_code);
void install_query_commands(CLI::App& app, CliOptions& options, int& exit_code);
void install_users_command(CLI::App& app, CliOptions& options, int& exit_code);
void install_key_commands(CLI::App& app, CliOptions& options, int& exit_code);
void install_notify_commands(CLI::App& app, CliOptions& options, int& exit_code);
void install_bulk_command(CLI::App& app, CliOptions& options, int& exit_code);
void install_runs_commands(CLI::App& app, CliOptions& options, int& exit_code);
void install_tasks_commands(CLI::App& app, CliOptions& options, int& exit_code);
void install_audit_command(CLI::App& app, CliOptions& options, int& exit_code);
void install_money_commands(CLI::App& app, CliOptions& options, int& exit_code);

// Formatting helpers for people.
std::string format_duration_s(std::int64_t seconds);
std::string string_or(const rapidjson::Value& object, const char* key, const std::string& fallback);

}  // namespace rosterd::cli
