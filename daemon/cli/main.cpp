// rosterctl: the command-line client of rosterd's control socket.
#include <CLI/CLI.hpp>

#include <iostream>
#include <string_view>

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
