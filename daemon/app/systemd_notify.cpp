#include "rosterd/app/systemd_notify.hpp"

#include <systemd/sd-daemon.h>

namespace rosterd {

SystemdNotifier::SystemdNotifier(asio::io_context& loop) : watchdog_timer_(loop) {}

void SystemdNotifier::ready(const std::string& status) {
    sd_notifyf(0, "READY=1\nSTATUS=%s", status.c_str());
}

void SystemdNotifier::stopping() {
    sd_notify(0, "STOPPING=1");
}

void SystemdNotifier::status(const std::string& text) {
    sd_notifyf(0, "STATUS=%s", text.c_str());
}

void SystemdNotifier::start_watchdog() {
    std::uint64_t usec = 0;
    if (sd_watchdog_enabled(0, &usec) <= 0 || usec == 0)
        return;
    watchdog_interval_ = std::chrono::microseconds(usec / 2);
    ping();
}

void SystemdNotifier::stop_watchdog() {
    watchdog_timer_.cancel();
}

void SystemdNotifier::ping() {
    // The ping is sent from the loop itself, so a stuck loop stops the pings and systemd restarts
    // us.
    sd_notify(0, "WATCHDOG=1");
    watchdog_timer_.expires_after(watchdog_interval_);
    watchdog_timer_.async_wait([this](const std::error_code& ec) {
        if (!ec)
            ping();
    });
}

}  // namespace rosterd
