// rosterctl: the command-line client of rosterd's control socket.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli_common.hpp"

int main(int argc, char** argv) {
    using namespace rosterd::cli;
    CLI::App app{"rosterctl - control rosterd, the Atlassian Cloud user and licence daemon"};
    CliOptions options;
    int exit_code = kExitOk;
    build_app(app, options, exit_code);

    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForAllHelp& e) {
        return app.exit(e);
    } catch (const CLI::CallForVersion& e) {
        return app.exit(e);
    } catch (const CLI::ParseError& e) {
        app.exit(e);
        return kExitUsage;
    }
    return exit_code;
}
