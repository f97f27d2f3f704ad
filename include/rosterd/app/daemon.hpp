#pragma once
// The daemon: one asio::io_context drives the control socket, signals, timers and every subsystem.
#include <asio/io_context.hpp>
#include <asio/signal_set.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/app/systemd_notify.hpp"
#include "rosterd/base/clock.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/control/registry.hpp"
#include "rosterd/model/events.hpp"
#include "rosterd/service/subsystem.hpp"
#include "rosterd/store/db_executor.hpp"
#include "rosterd/store/state_files.hpp"

namespace rosterd {

namespace control {
class ControlServer;
}  // namespace control

struct DaemonOptions {
    std::string config_path;
    std::optional<std::string> log_level;  // --log-level wins over logging.level
};

class Daemon {
  public:
    Daemon(DaemonOptions options, Config config);
    ~Daemon();

    // Opens the store, starts the socket, serves until SIGTERM/SIGINT. Returns the exit code.
    int run();
    // Re-reads the configuration file; on error the running configuration stays.
    // Returns an empty string on success, else the error.
    // `changed` receives the key paths whose values differ from the running configuration.
    std::string reload(std::vector<std::string>* restart_needed = nullptr,
                       std::vector<std::string>* changed = nullptr);
    void request_stop();

    // Every control command, as registered by the daemon and its subsystems (for the manuals).
    const control::CommandRegistry& registry() const { return registry_; }
    const std::string& config_path() const { return options_.config_path; }

  private:
    // The daemon's commands (daemon/app/app_command_*.cpp); status reads what write_status does.
    friend control::CommandSpec status_command(Daemon& daemon);
    void register_core_commands();
    void wait_for_signals();
    void write_status(rapidjson::Document& out) const;

    DaemonOptions options_;
    asio::io_context loop_;
    SystemClock clock_;
    std::chrono::steady_clock::time_point started_;
    std::int64_t started_at_ms_ = 0;
    std::unique_ptr<store::DatabaseLock> database_lock_;  // first in, last out
    std::unique_ptr<store::DbExecutor> db_;
    std::unique_ptr<DaemonContext> context_;
    control::CommandRegistry registry_;
    std::unique_ptr<control::ControlServer> server_;
    std::vector<std::unique_ptr<Subsystem>> subsystems_;
    asio::signal_set signals_;
    SystemdNotifier notifier_;
    bool stopping_ = false;
};

}  // namespace rosterd
