// rosterd: the daemon's entry point. Parses the command line, validates the configuration and
// hands over to Daemon, which serves until SIGTERM.
#include <spdlog/spdlog.h>
#include <CLI/CLI.hpp>

#include <filesystem>
#include <iostream>

#include "main_options.hpp"
#include "rosterd/app/daemon.hpp"
#include "rosterd/base/logging.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/keys/api_key_source.hpp"
#include "rosterd/version.hpp"

int main(int argc, char** argv) {
    CLI::App app{rosterd::kDaemonDescription};
    rosterd::MainOptions main_options;
    rosterd::add_main_options(app, main_options);
    CLI11_PARSE(app, argc, argv);
    std::string& config_path = main_options.config_path;
    const std::string& check_path = main_options.check_path;
    const std::string& log_level = main_options.log_level;

    if (main_options.show_version) {
        std::cout << "rosterd " << rosterd::kVersion << "\n";
        return 0;
    }
    if (!check_path.empty()) {
        try {
            rosterd::check_api_key_file(rosterd::load_config_file(check_path));
            std::cout << check_path << ": configuration is valid\n";
            return 0;
        } catch (const rosterd::ConfigError& e) {
            std::cerr << e.what() << "\n";
            return 1;
        }
    }

    // Absolute, so that a reload finds the file whatever the working directory became.
    std::error_code ignored;
    auto absolute = std::filesystem::absolute(config_path, ignored);
    if (!ignored)
        config_path = absolute.lexically_normal().string();
    rosterd::Config config;
    try {
        config = rosterd::load_config_file(config_path);
        rosterd::check_api_key_file(config);
    } catch (const rosterd::ConfigError& e) {
        std::cerr << "rosterd: invalid configuration: " << e.what() << "\n";
        return 1;
    }
    const std::string& level = log_level.empty() ? config.logging.level : log_level;
    if (!rosterd::setup_logging(level)) {
        std::cerr << "rosterd: unknown log level '" << level << "'\n";
        return 2;
    }
    try {
        rosterd::DaemonOptions options{
            config_path, log_level.empty() ? std::nullopt : std::optional<std::string>(log_level)};
        rosterd::Daemon daemon(std::move(options), std::move(config));
        return daemon.run();
    } catch (const std::exception& e) {
        spdlog::critical("cannot start: {}", e.what());
        return 1;
    }
}
