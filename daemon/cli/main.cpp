// rosterctl: the command-line client of rosterd's control socket.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string_view>

#include "cli_common.hpp"
#include "rosterd/version.hpp"

int main(int argc, char** argv) {
    using namespace rosterd::cli;
    CLI::App app{"rosterctl - control rosterd, the Atlassian Cloud user and licence daemon"};
    app.set_version_flag("--version", std::string("rosterctl ") + rosterd::kVersion);
    app.require_subcommand(1);
    CliOptions options;
    int exit_code = kExitOk;
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
          &install_runs_commands, &install_tasks_commands, &install_audit_command})
        install(app, options, exit_code);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        // --json may not have been parsed when the error struck: look for it in argv. A script
        // asking for JSON gets its usage errors as JSON too.
        for (int i = 1; i < argc && std::string_view(argv[i]) != "--"; ++i)
            if (std::string_view(argv[i]) == "--json")
                options.json = true;
        if (options.json)
            print_error(options, "", kCliUsage, e.what());
        else
            app.exit(e);
        return kExitUsage;
    }
    return exit_code;
}
