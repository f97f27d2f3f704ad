// rosterctl's transport and output helpers.
#include <catch2/catch.hpp>

#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cstring>

#include "daemon/cli/ctl_client.hpp"
#include "daemon/cli/ctl_json.hpp"
#include "daemon/cli/ctl_table.hpp"
#include "temp_dir.hpp"

using namespace rosterd;
using namespace rosterd::cli;
using namespace std::chrono_literals;

namespace {

// A Unix socket bound at `path`; listening when asked (connections then wait in the backlog).
class BoundSocket {
  public:
    BoundSocket(const std::string& path, bool listening) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strcpy(address.sun_path, path.c_str());
        REQUIRE(::bind(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
        if (listening)
            REQUIRE(::listen(fd_, 4) == 0);
    }
    ~BoundSocket() { ::close(fd_); }

  private:
    int fd_;
};

}  // namespace

TEST_CASE("a missing socket is reported as unreachable, with the hint", "[control]") {
    test::TempDir dir;
    std::string path = (dir / "nope.sock").string();
    try {
        ControlClient client(path);
        FAIL("connected to a socket that does not exist");
    } catch (const ControlUnreachable& error) {
        CHECK(error.reason() == ControlUnreachable::Reason::missing);
        CHECK(error.path() == path);
        CHECK(std::string(error.what()) ==
              "cannot reach rosterd at " + path +
                  ": no socket there (is it running? try: systemctl status rosterd)");
    }
}

TEST_CASE("a socket nobody listens on is reported as refused", "[control]") {
    test::TempDir dir;
    std::string path = (dir / "stale.sock").string();
    BoundSocket stale(path, false);
    try {
        ControlClient client(path);
        FAIL("connected to a socket nobody listens on");
    } catch (const ControlUnreachable& error) {
        CHECK(error.reason() == ControlUnreachable::Reason::refused);
        CHECK(std::string(error.what()) ==
              "cannot reach rosterd at " + path +
                  ": connection refused (is it running? try: systemctl status rosterd)");
    }
}

TEST_CASE("a daemon that never answers times out when a timeout is set", "[control]") {
    test::TempDir dir;
    std::string path = (dir / "mute.sock").string();
    BoundSocket mute(path, true);
    ControlClient client(path);
    client.set_timeout(50ms);
    CHECK_THROWS_WITH(client.call("help"), "no answer from rosterd within 50 ms");
}

TEST_CASE("tables align columns and right-align numbers", "[control]") {
    Table table({"PRODUCT", "USERS", "INACTIVE", "LAST SYNC"});
    table.add_row({"Jira", "1204", "87", "2026-05-01 05:00"});
    table.add_row({"Confluence", "98", "-", "never"});
    table.add_row({"Loom", "1,250", "12.5%"});
    CHECK(table.str() ==
          "PRODUCT     USERS  INACTIVE  LAST SYNC\n"
          "Jira         1204        87  2026-05-01 05:00\n"
          "Confluence     98         -  never\n"
          "Loom        1,250     12.5%\n");
    CHECK(table.row_count() == 3);
}

TEST_CASE("tables measure characters, not bytes, and neutralize control characters", "[control]") {
    Table table({"NAME", "ID"});
    table.add_row({"José", "7"});
    table.add_row({"日本", "10"});
    table.add_row({"evil\x1b[2J", "x"});
    table.align(1, Table::Align::left);
    CHECK(table.str() ==
          "NAME      ID\n"
          "José      7\n"
          "日本      10\n"
          "evil?[2J  x\n");
    CHECK_THROWS_AS(table.add_row({"a", "b", "c"}), std::invalid_argument);
}

TEST_CASE("an empty table still prints its header", "[control]") {
    CHECK(Table({"A", "BB"}).str() == "A  BB\n");
}

TEST_CASE("display width and number detection", "[control]") {
    CHECK(display_width("abc") == 3);
    CHECK(display_width("José") == 4);
    CHECK(display_width("e\xcc\x81") == 1);  // e + combining acute
    CHECK(display_width("日本") == 4);
    CHECK(display_width("\xff") == 1);
    CHECK(looks_numeric("0"));
    CHECK(looks_numeric("-3"));
    CHECK(looks_numeric("1,204"));
    CHECK(looks_numeric("12.5"));
    CHECK(looks_numeric("97%"));
    CHECK_FALSE(looks_numeric(""));
    CHECK_FALSE(looks_numeric("-"));
    CHECK_FALSE(looks_numeric("1.2.3"));
    CHECK_FALSE(looks_numeric("2026-05-01"));
    CHECK_FALSE(looks_numeric("12a"));
    CHECK(printable("tab\there") == "tab?here");
    CHECK(printable("bad\xff") == "bad?");
}

TEST_CASE("json output for --json is indented and ends with a newline", "[control]") {
    rapidjson::Document doc;
    doc.Parse(R"({"users":3,"names":["a","b"],"empty":[],"nested":{"ok":true}})");
    CHECK(pretty_json(doc) ==
          "{\n"
          "  \"users\": 3,\n"
          "  \"names\": [\n"
          "    \"a\",\n"
          "    \"b\"\n"
          "  ],\n"
          "  \"empty\": [],\n"
          "  \"nested\": {\n"
          "    \"ok\": true\n"
          "  }\n"
          "}\n");
}
