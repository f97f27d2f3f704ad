#pragma once
// Starts a real rosterd on a temporary directory and talks to it through the real rosterctl.
#include <rapidjson/document.h>

#include <memory>
#include <string>
#include <vector>

#include "process.hpp"
#include "temp_dir.hpp"

namespace rosterd::test {

class DaemonFixture {
  public:
    // `extra_yaml` is appended to a minimal configuration (storage + control socket in the temp
    // dir).
    explicit DaemonFixture(std::string extra_yaml = "", bool start_now = true);
    ~DaemonFixture();

    void start();
    // SIGTERM and wait; returns the exit code.
    std::optional<int> stop(std::chrono::milliseconds timeout = std::chrono::seconds(10));
    void kill9();

    // rosterctl --socket S ARGS...; stdin optional.
    CommandResult ctl(const std::vector<std::string>& args, const std::string& input = "") const;
    // rosterctl --json ...; parses stdout (REQUIREs exit 0 unless allow_failure).
    rapidjson::Document ctl_json(const std::vector<std::string>& args) const;

    // Writes a new configuration file (for reload tests): the base config plus `extra_yaml`.
    void rewrite_config(const std::string& extra_yaml);
    void write_raw_config(const std::string& text);

    std::string socket_path() const { return (dir_ / "ctl.sock").string(); }
    std::string db_path() const { return (dir_ / "state" / "rosterd.db").string(); }
    std::string config_path() const { return (dir_ / "rosterd.yaml").string(); }
    std::string log() const {
        return read_file(dir_ / "rosterd.err") + read_file(dir_ / "rosterd.out");
    }
    const TempDir& dir() const { return dir_; }
    ChildProcess* process() { return process_.get(); }

  private:
    std::string base_yaml() const;
    TempDir dir_;
    std::unique_ptr<ChildProcess> process_;
};

// The rosterd and rosterctl under test: the ones built here, or those in $ROSTERD_TEST_BIN_DIR
// (a sanitizer build, or another version to check that a test catches what it should).
std::string rosterd_binary();
std::string rosterctl_binary();

// One raw request line over the socket, returning the first response line (for protocol abuse).
std::string raw_exchange(const std::string& socket_path, const std::string& bytes);
// Opens a raw connection; the caller writes/reads and closes.
int raw_connect(const std::string& socket_path);
std::string read_line(int fd, std::chrono::milliseconds timeout = std::chrono::seconds(5));

}  // namespace rosterd::test
