// The control socket under a flood of idle connections from an unprivileged user: the per-user
// limit, the admins' reserve and the idle timeout keep it usable for root and admins.
#include <grp.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstring>

#include "as_user.hpp"
#include "daemon_fixture.hpp"

using namespace rosterd::test;

namespace {

constexpr std::uint32_t kAdminUid = 65533;   // listed as admin in the configuration
constexpr std::uint32_t kViewerUid = 65532;  // listed as viewer

// A process that connects `count` times to the socket as `uid` and holds every connection open
// without sending a byte, until destroyed.
class IdleConnections {
  public:
    IdleConnections(const std::string& socket_path, std::uint32_t uid, int count) {
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strncpy(address.sun_path, socket_path.c_str(), sizeof(address.sun_path) - 1);
        int report[2];
        REQUIRE(::pipe(report) == 0);
        pid_ = ::fork();
        REQUIRE(pid_ >= 0);
        if (pid_ == 0) {
            ::close(report[0]);
            if (::setgroups(0, nullptr) != 0 || ::setgid(kNogroup) != 0 || ::setuid(uid) != 0)
                ::_exit(2);
            int connected = 0;
            for (int i = 0; i < count; ++i) {
                int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
                if (fd >= 0 &&
                    ::connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0)
                    ++connected;
            }
            (void)!::write(report[1], &connected, sizeof connected);
            for (;;)
                ::pause();
        }
        ::close(report[1]);
        pollfd waiting{report[0], POLLIN, 0};
        REQUIRE(::poll(&waiting, 1, 10000) == 1);
        REQUIRE(::read(report[0], &connected_, sizeof connected_) == sizeof connected_);
        ::close(report[0]);
    }
    ~IdleConnections() {
        ::kill(pid_, SIGKILL);
        ::waitpid(pid_, nullptr, 0);
    }
    int connected() const { return connected_; }

  private:
    pid_t pid_ = -1;
    int connected_ = 0;
};

std::int64_t open_connections(const DaemonFixture& daemon) {
    return daemon.ctl_json({"status"})["control"]["connections"].GetInt64();
}

void start_daemon(DaemonFixture& daemon, const std::string& control_extra) {
    daemon.write_raw_config("storage:\n  path: " + daemon.db_path() +
                            "\ncontrol:\n  socket: " + daemon.socket_path() + "\n" + control_extra +
                            "  access:\n"
                            "    admin:\n      users: [\"65533\"]\n"
                            "    viewer:\n      users: [\"65532\"]\n"
                            "logging:\n  level: debug\n");
    daemon.start();
    open_socket_to_nogroup(daemon);
}

}  // namespace

TEST_CASE("300 idle connections from a user without access lock out neither root nor an admin",
          "[integration][daemon][root]") {
    require_root();
    DaemonFixture daemon("", false);

    SECTION("one user gets 32 connections, no more") {
        start_daemon(daemon, "");
        IdleConnections flood(daemon.socket_path(), kNobody, 300);
        CHECK(flood.connected() == 300);  // the kernel queues them all; the daemon sorts them out
        // 32 kept, 268 refused; plus the status request asking.
        CHECK(wait_until([&] { return open_connections(daemon) == 33; }));
        CHECK_THAT(daemon.log(), Catch::Contains("too many control connections from nobody (uid "
                                                 "65534): at most 32 per user; close some or "
                                                 "try again later"));

        auto root = daemon.ctl({"status"});
        CHECK(root.exit_code == 0);
        CHECK_THAT(root.out, Catch::Contains("rosterd 0.1.0"));
        auto admin = ctl_as(daemon, kAdminUid, {"--json", "status"});
        CHECK(admin.exit_code == 0);
        CHECK_THAT(admin.out, Catch::Contains("\"connections\": 33"));
        auto viewer = ctl_as(daemon, kViewerUid, {"status"});
        CHECK(viewer.exit_code == 0);
    }
    SECTION("with the per-user limit lifted, the admins' reserve still holds") {
        start_daemon(daemon, "  max_connections_per_user: 1000\n");
        IdleConnections flood(daemon.socket_path(), kNobody, 300);
        // Everyone but admins is refused once 256 - 16 are open.
        CHECK(wait_until([&] { return open_connections(daemon) == 241; }));

        CHECK(daemon.ctl({"status"}).exit_code == 0);
        auto admin = ctl_as(daemon, kAdminUid, {"--json", "status"});
        CHECK(admin.exit_code == 0);
        CHECK_THAT(admin.out, Catch::Contains("\"connections\": 241"));
        auto viewer = ctl_as(daemon, kViewerUid, {"status"});
        CHECK(viewer.exit_code == 3);
        CHECK(viewer.err ==
              "rosterctl: connection to rosterd failed: rosterd rejected the request: too many "
              "control connections; try again later\n");
    }
    SECTION("idle connections are closed after control.idle_timeout_s") {
        start_daemon(daemon, "  idle_timeout_s: 1\n");
        IdleConnections flood(daemon.socket_path(), kNobody, 300);
        CHECK(wait_until([&] { return open_connections(daemon) == 1; }, std::chrono::seconds(5)));
        // Everyone may connect again, the flooding user included, up to the limit.
        IdleConnections again(daemon.socket_path(), kNobody, 10);
        CHECK(wait_until([&] { return open_connections(daemon) == 11; }));
    }
}
