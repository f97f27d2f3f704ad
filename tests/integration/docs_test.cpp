// The documentation keeps up with the daemon: docs/control-protocol.md lists every command the
// running daemon registers, with its access level.
#include <catch2/catch.hpp>

#include <fstream>
#include <sstream>

#include "daemon_fixture.hpp"

using namespace rosterd::test;

TEST_CASE("docs/control-protocol.md lists every registered command with its level",
          "[integration][docs]") {
    std::ifstream file(ROSTERD_SOURCE_DIR "/docs/control-protocol.md");
    REQUIRE(file);
    std::stringstream text;
    text << file.rdbuf();
    const std::string doc = text.str();

    DaemonFixture daemon;
    auto help = daemon.ctl_json({"help"});
    REQUIRE(help["commands"].Size() > 10);
    for (const auto& command : help["commands"].GetArray()) {
        std::string row = std::string("| `") + command["name"].GetString() + "` | " +
                          command["level"].GetString();
        INFO("docs/control-protocol.md has no row " << row);
        CHECK(doc.find(row) != std::string::npos);
    }
}
