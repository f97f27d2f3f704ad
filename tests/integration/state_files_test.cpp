// The state directory: one daemon per database (a lock file next to it), and private modes for
// everything rosterd creates there, whatever the umask it was started with.
#include <sys/stat.h>
#include <catch2/catch.hpp>

#include <algorithm>
#include <filesystem>

#include "daemon_fixture.hpp"
#include "notify_helpers.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

unsigned mode_of(const std::string& path) {
    struct stat info {};
    if (::stat(path.c_str(), &info) != 0)
        return 07777;  // no such file: matches no expected mode
    return info.st_mode & 07777;
}

// Sets the process umask for its lifetime; children started meanwhile inherit it.
class UmaskGuard {
  public:
    explicit UmaskGuard(mode_t mask) : previous_(::umask(mask)) {}
    ~UmaskGuard() { ::umask(previous_); }

  private:
    mode_t previous_;
};

}  // namespace

TEST_CASE("a second daemon on the same database refuses to start and names the first",
          "[integration][daemon]") {
    DaemonFixture first;
    const int first_pid = first.process()->pid();
    CHECK(read_file(first.db_path() + ".lock") == std::to_string(first_pid) + "\n");

    // Another socket, the same storage.path.
    DaemonFixture second("", false);
    second.write_raw_config("storage:\n  path: " + first.db_path() +
                            "\ncontrol:\n  socket: " + second.socket_path() + "\n");
    auto refused = run_command({rosterd_binary(), "--config", second.config_path()}, "",
                               std::chrono::seconds(20));
    CHECK(refused.exit_code == 1);
    CHECK_THAT(refused.err,
               Catch::Contains("cannot start: database " + first.db_path() +
                               " is in use by another rosterd (pid " + std::to_string(first_pid) +
                               ", holding " + first.db_path() +
                               ".lock); one daemon per database: stop it, or give this one "
                               "another storage.path"));
    CHECK_FALSE(std::filesystem::exists(second.socket_path()));
    // The first one never noticed.
    CHECK(first.ctl({"status"}).exit_code == 0);

    // Once the first has stopped, the lock is free (the file stays; a crash leaves it too).
    REQUIRE(first.stop() == 0);
    CHECK(std::filesystem::exists(first.db_path() + ".lock"));
    second.start();
    CHECK(second.ctl({"status"}).exit_code == 0);
    CHECK(read_file(first.db_path() + ".lock") == std::to_string(second.process()->pid()) + "\n");
}

TEST_CASE("under umask 000 the state directory and its files are still private",
          "[integration][daemon]") {
    SimFixture sim({"--users", "10", "--sites", "1"});
    DaemonFixture daemon(
        "atlassian:\n  org_id: " + sim.org_id() + "\n  api_base: " + sim.base_url() + "\n", false);
    {
        UmaskGuard open_umask(0);
        daemon.start();
    }
    const std::string state = (daemon.dir() / "state").string();
    CHECK(mode_of(state) == 0700);
    CHECK(mode_of(daemon.db_path()) == 0600);
    CHECK(mode_of(daemon.db_path() + "-wal") == 0600);
    CHECK(mode_of(daemon.db_path() + "-shm") == 0600);
    CHECK(mode_of(daemon.db_path() + ".lock") == 0600);

    // The key store, written by the daemon (umask still 000 there).
    auto set =
        daemon.ctl({"key", "set", "--expires", date_from_today(100)}, "sim-test-key-0123456789\n");
    INFO(set.out << set.err);
    REQUIRE(set.exit_code == 0);
    CHECK(mode_of(state + "/api-key") == 0600);
    // Every file the daemon made there, whatever it is; nothing but these.
    std::vector<std::string> names;
    for (const auto& entry : std::filesystem::directory_iterator(state)) {
        names.push_back(entry.path().filename().string());
        INFO(entry.path());
        CHECK(mode_of(entry.path().string()) == (entry.is_directory() ? 0700u : 0600u));
    }
    std::sort(names.begin(), names.end());
    CHECK(names == std::vector<std::string>{"api-key", "rosterd.db", "rosterd.db-shm",
                                            "rosterd.db-wal", "rosterd.db.lock"});
}
