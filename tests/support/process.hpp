#pragma once
// Child processes for integration tests: start the real binaries, capture their output, signal
// them, wait with a timeout. A ChildProcess still running when destroyed is killed.
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace rosterd::test {

struct CommandResult {
    int exit_code = -1;  // -1: killed by a signal or timed out
    std::string out;
    std::string err;
};

// Runs a program to completion, feeding `input` on stdin.
CommandResult run_command(const std::vector<std::string>& argv, const std::string& input = "",
                          std::chrono::milliseconds timeout = std::chrono::seconds(60),
                          const std::map<std::string, std::string>& env = {});

class ChildProcess {
  public:
    // stdout and stderr go to the given files (appended), so tests can read logs afterwards.
    ChildProcess(const std::vector<std::string>& argv, const std::filesystem::path& stdout_file,
                 const std::filesystem::path& stderr_file,
                 const std::map<std::string, std::string>& env = {});
    ~ChildProcess();
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;

    pid_t pid() const { return pid_; }
    bool running();
    void signal(int signo);
    // Waits for exit; returns the exit code (128+signal when killed), nullopt on timeout.
    std::optional<int> wait(std::chrono::milliseconds timeout);

  private:
    pid_t pid_ = -1;
    std::optional<int> status_;
};

// Polls `condition` every few milliseconds until it holds or the timeout passes.
bool wait_until(const std::function<bool()>& condition,
                std::chrono::milliseconds timeout = std::chrono::seconds(10));

}  // namespace rosterd::test
