// rosterctl's command tree, apart from main() so that the manual page and the shell completion
// are generated from the very parser rosterctl runs (man/docgen.cpp).
#include "cli_common.hpp"
#include "rosterd/version.hpp"

namespace rosterd::cli {

void build_app(CLI::App& app, CliOptions& options, int& exit_code) {
    app.set_version_flag("--version", std::string("rosterctl ") + rosterd::kVersion);
    app.require_subcommand(1);
    app.add_option("-s,--socket", options.socket, "Control socket of the daemon")
        ->envname("ROSTERD_SOCKET")
        ->capture_default_str();
    app.add_flag("--json", options.json, "Print the result as JSON (for scripts)");
    app.footer(
        "Exit codes: 0 ok, 1 command failed, 2 usage error, 3 daemon unreachable.\n"
        "`rosterctl help` lists what the daemon lets you run.");

    for (CommandInstaller install :
         {&install_core_commands, &install_sync_commands, &install_key_commands,
          &install_notify_commands, &install_query_commands, &install_bulk_command,
          &install_runs_commands, &install_tasks_commands, &install_audit_command,
          &install_money_commands, &install_notices_commands})
        install(app, options, exit_code);
}

}  // namespace rosterd::cli
