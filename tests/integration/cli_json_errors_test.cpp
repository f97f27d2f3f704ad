// rosterctl --json reports failures on stderr as the control protocol's error object, one line,
// whoever failed: the daemon, the connection, or the command line.
#include <catch2/catch.hpp>

#include "daemon_fixture.hpp"

using namespace rosterd::test;

namespace {

// stderr of a --json run: exactly one line, {"error":{"code":..,"message":..}} and nothing else.
std::pair<std::string, std::string> json_error(const CommandResult& result) {
    INFO("stderr: " << result.err);
    REQUIRE(!result.err.empty());
    REQUIRE(result.err.back() == '\n');
    REQUIRE(result.err.find('\n') == result.err.size() - 1);
    rapidjson::Document doc;
    doc.Parse(result.err.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    REQUIRE(doc.IsObject());
    REQUIRE(doc.MemberCount() == 1);
    REQUIRE(doc.HasMember("error"));
    const auto& error = doc["error"];
    REQUIRE(error.IsObject());
    REQUIRE(error.MemberCount() == 2);
    REQUIRE(error["code"].IsString());
    REQUIRE(error["message"].IsString());
    return {error["code"].GetString(), error["message"].GetString()};
}

}  // namespace

TEST_CASE("rosterctl --json errors are JSON objects on stderr", "[integration][cli]") {
    SECTION("the daemon's error answer, with its code") {
        DaemonFixture daemon;
        auto failed = daemon.ctl({"--json", "notify", "test", "nope"});
        CHECK(failed.exit_code == 1);
        CHECK(failed.out.empty());
        CHECK(json_error(failed) == std::pair<std::string, std::string>{
                                        "failed", "no webhook named 'nope' (configured: none)"});
        // Without --json the same failure stays a line for people.
        auto human = daemon.ctl({"notify", "test", "nope"});
        CHECK(human.err ==
              "rosterctl: notify.test: no webhook named 'nope' (configured: none) [failed]\n");
    }
    SECTION("no daemon at the socket") {
        TempDir dir;
        const std::string socket = (dir / "none.sock").string();
        auto unreachable =
            run_command({rosterctl_binary(), "--socket", socket, "--json", "status"});
        CHECK(unreachable.exit_code == 3);
        CHECK(unreachable.out.empty());
        CHECK(json_error(unreachable) ==
              std::pair<std::string, std::string>{
                  "unreachable", "cannot reach rosterd at " + socket +
                                     ": no socket there (is it running? try: systemctl status "
                                     "rosterd)"});
    }
    SECTION("a usage error, wherever --json stands") {
        auto usage = run_command({rosterctl_binary(), "--json", "--no-such-flag", "status"});
        CHECK(usage.exit_code == 2);
        CHECK(json_error(usage) ==
              std::pair<std::string, std::string>{
                  "usage", "The following argument was not expected: --no-such-flag"});
        auto after = run_command({rosterctl_binary(), "status", "--bogus", "--json"});
        CHECK(after.exit_code == 2);
        CHECK(json_error(after).first == "usage");
        // Without --json, CLI11's own text.
        auto human = run_command({rosterctl_binary(), "--no-such-flag", "status"});
        CHECK(human.exit_code == 2);
        CHECK_THAT(human.err, Catch::StartsWith("The following argument was not expected"));
    }
    SECTION("a key set with nothing on stdin") {
        DaemonFixture daemon;
        auto empty = daemon.ctl({"--json", "key", "set", "--expires", "2099-01-01"}, "");
        CHECK(empty.exit_code == 2);
        CHECK(json_error(empty) ==
              std::pair<std::string, std::string>{"usage", "key set: no key on stdin"});
    }
}
