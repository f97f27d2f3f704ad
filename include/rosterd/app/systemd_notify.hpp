#pragma once
// The sd_notify protocol (Type=notify): READY=1 once serving, STOPPING=1, STATUS=..., and
// WATCHDOG=1 pings at half the WatchdogSec interval when systemd asks for them.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <string>

namespace rosterd {

class SystemdNotifier {
  public:
    explicit SystemdNotifier(asio::io_context& loop);
    void ready(const std::string& status);
    void stopping();
    void status(const std::string& text);
    // Starts watchdog pings if WatchdogSec is set for this service.
    void start_watchdog();
    void stop_watchdog();

  private:
    void ping();
    asio::steady_timer watchdog_timer_;
    std::chrono::microseconds watchdog_interval_{0};
};

}  // namespace rosterd
