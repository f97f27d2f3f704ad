#pragma once
// rosterd's command line, apart from main() so that rosterd(8) is generated from the options the
// daemon parses (man/docgen.cpp).
#include <CLI/CLI.hpp>

#include <string>

#include "rosterd/config/config.hpp"

namespace rosterd {

inline constexpr const char* kDaemonDescription =
    "rosterd - keeps an Atlassian Cloud organization's users and licences in order";

struct MainOptions {
    std::string config_path = kDefaultConfigPath;
    std::string check_path;
    std::string log_level;
    bool show_version = false;
};

inline void add_main_options(CLI::App& app, MainOptions& options) {
    app.add_option("-c,--config", options.config_path, "Configuration file")->capture_default_str();
    app.add_option("--check-config", options.check_path,
                   "Validate FILE and exit (0 valid, 1 invalid) without starting");
    app.add_option("--log-level", options.log_level,
                   "trace|debug|info|warn|error|critical|off (overrides logging.level)");
    app.add_flag("--version", options.show_version, "Print the version and exit");
}

}  // namespace rosterd
