#pragma once
// Integration tests that act as other users: rosterctl under setpriv, a daemon's socket opened to
// them. They need root, as CI has; without it they fail and say so, rather than pass unchecked.
#include <sys/stat.h>
#include <unistd.h>
#include <catch2/catch.hpp>

#include <cstdint>
#include <string>
#include <vector>

#include "daemon_fixture.hpp"

namespace rosterd::test {

inline constexpr std::uint32_t kNobody = 65534;   // no access level in any test configuration
inline constexpr std::uint32_t kNogroup = 65534;  // the group the socket is opened to

inline void require_root() {
    if (::geteuid() != 0) {
        FAIL(
            "this test acts as other uids (setpriv, setuid) and so needs root, as CI runs it; "
            "run the suite as root, or leave these tests out with the test spec ~[root]");
    }
    REQUIRE(::access("/usr/bin/setpriv", X_OK) == 0);
}

// Lets uids whose group is kNogroup connect: the test directory traversable, the socket's group
// nogroup (its mode stays 0660).
inline void open_socket_to_nogroup(const DaemonFixture& daemon) {
    REQUIRE(::chmod(daemon.dir().path().c_str(), 0755) == 0);
    REQUIRE(::chown(daemon.socket_path().c_str(), 0, kNogroup) == 0);
}

// rosterctl ARGS as `uid` (group nogroup, no supplementary groups).
inline CommandResult ctl_as(const DaemonFixture& daemon, std::uint32_t uid,
                            const std::vector<std::string>& args) {
    std::vector<std::string> argv = {"/usr/bin/setpriv",
                                     "--reuid=" + std::to_string(uid),
                                     "--regid=" + std::to_string(kNogroup),
                                     "--clear-groups",
                                     rosterctl_binary(),
                                     "--socket",
                                     daemon.socket_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    return run_command(argv);
}

}  // namespace rosterd::test
