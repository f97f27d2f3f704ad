// rosterctl and rosterd agree on the command names: every name rosterctl may send
// (rosterd/control/commands.hpp) is registered by the daemon, and rosterctl's subcommands name no
// command as a string literal of their own (they take the shared constants).
#include <catch2/catch.hpp>

#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "rosterd/app/daemon.hpp"
#include "rosterd/base/logging.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/control/commands.hpp"
#include "temp_dir.hpp"

using namespace rosterd;

TEST_CASE("every command rosterctl sends is registered by the daemon", "[control][cli]") {
    test::TempDir dir;
    setup_logging("off");
    Config config;
    config.storage.path = (dir / "rosterd.db").string();
    // The registry exactly as rosterd builds it (as man/docgen.cpp reads it).
    Daemon daemon(DaemonOptions{"/nonexistent/rosterd.yaml", std::nullopt}, std::move(config));
    for (const char* name : control::cmd::kAll) {
        INFO(name);
        CHECK(daemon.registry().find(name) != nullptr);
    }
    CHECK(control::cmd::kAll.size() >= 30);
}

TEST_CASE("rosterctl names the commands it sends by the shared constants", "[control][cli]") {
    namespace fs = std::filesystem;
    // A call whose command argument is a string literal: call_and_render(options, "x", ...),
    // call_run_command(options, "x", ...), client.call("x", ...).
    const std::regex literal_call(
        R"((call_and_render|call_run_command)\(\s*\w+\s*,\s*"|\.call\(\s*")");
    int files = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(ROSTERD_SOURCE_DIR) / "daemon/cli")) {
        const auto name = entry.path().filename().string();
        if (name.rfind("cmd_", 0) != 0 || entry.path().extension() != ".cpp")
            continue;
        ++files;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        INFO(name);
        CHECK_FALSE(std::regex_search(text.str(), literal_call));
    }
    CHECK(files >= 10);
}

TEST_CASE("every argument rosterctl sends is declared by a command of the daemon",
          "[control][cli]") {
    test::TempDir dir;
    setup_logging("off");
    Config config;
    config.storage.path = (dir / "rosterd.db").string();
    Daemon daemon(DaemonOptions{"/nonexistent/rosterd.yaml", std::nullopt}, std::move(config));
    for (const char* arg : control::arg::kAll) {
        INFO(arg);
        bool declared = false;
        for (const char* command : control::cmd::kAll)
            if (const auto* spec = daemon.registry().find(command))
                for (const auto& a : spec->args)
                    declared = declared || a.name == arg;
        CHECK(declared);
    }
    CHECK(control::arg::kAll.size() >= 25);
}

TEST_CASE("rosterctl names the arguments it sends by the shared constants", "[control][cli]") {
    namespace fs = std::filesystem;
    const std::regex literal_member(R"(AddMember\(\s*")");
    int files = 0;
    for (const auto& entry : fs::directory_iterator(fs::path(ROSTERD_SOURCE_DIR) / "daemon/cli")) {
        if (entry.path().extension() != ".cpp")
            continue;
        ++files;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        INFO(entry.path().filename().string());
        CHECK_FALSE(std::regex_search(text.str(), literal_member));
    }
    CHECK(files >= 10);
}
