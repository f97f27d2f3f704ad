// The keys a reload cannot apply are declared once (config_settings.cpp): reload names exactly
// those that changed, and docs/configuration.md names every one of them.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>
#include <string>

#include "rosterd/config/config.hpp"

using namespace rosterd;

TEST_CASE("restart-only keys: reload names exactly those that changed", "[config]") {
    const auto yaml = [](const std::string& storage, const std::string& socket,
                         const std::string& listen) {
        return "atlassian:\n  org_id: 3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35\nstorage:\n  path: " +
               storage + "\ncontrol:\n  socket: " + socket + "\nmetrics:\n  listen: " + listen +
               "\nops:\n  max_users: 10\n";
    };
    auto before = parse_config(yaml("/var/lib/r/a.db", "/run/r/a.sock", "127.0.0.1:9817"), "a");
    CHECK(restart_only_changes(before, before).empty());
    CHECK(restart_only_changes(
              before, parse_config(yaml("/var/lib/r/b.db", "/run/r/a.sock", "127.0.0.1:9817"),
                                   "b")) == std::vector<std::string>{"storage.path"});
    CHECK(restart_only_changes(
              before,
              parse_config(yaml("/var/lib/r/b.db", "/run/r/b.sock", "127.0.0.1:9818"), "b")) ==
          std::vector<std::string>{"storage.path", "control.socket", "metrics.listen"});
    CHECK(restart_only_keys() ==
          std::vector<std::string_view>{"storage.path", "control.socket", "metrics.listen"});
}

TEST_CASE("restart-only keys: docs/configuration.md names each one", "[config]") {
    std::ifstream in(std::string(ROSTERD_SOURCE_DIR) + "/docs/configuration.md");
    REQUIRE(in);
    std::stringstream text;
    text << in.rdbuf();
    const auto doc = text.str();
    const auto sentence = doc.find("take effect after a restart");
    REQUIRE(sentence != std::string::npos);
    const auto paragraph =
        doc.substr(doc.rfind("\n\n", sentence), sentence - doc.rfind("\n\n", sentence));
    for (auto key : restart_only_keys())
        CHECK(paragraph.find("`" + std::string(key) + "`") != std::string::npos);
}
