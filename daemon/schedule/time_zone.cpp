// Time zone lookup and local formatting: the only places that turn date's exceptions into
// messages, so configuration errors say which name was wrong instead of aborting the daemon.
#include <date/tz.h>

#include <stdexcept>

#include "rosterd/schedule/schedule.hpp"

namespace rosterd {

const date::time_zone* find_time_zone(std::string_view name, std::string* error) {
    try {
        if (!name.empty())
            return date::locate_zone(name);
    } catch (const std::exception&) {
        // date::locate_zone throws std::runtime_error for unknown names; reported below.
    }
    if (error)
        *error = "unknown time zone '" + std::string(name) +
                 "': expected an IANA name from the tz database, e.g. 'Europe/Berlin' or 'UTC'";
    return nullptr;
}

const date::time_zone* system_time_zone() {
    try {
        return date::current_zone();
    } catch (const std::exception&) {
        // No usable /etc/localtime (containers often lack one): UTC is the documented fallback.
    }
    for (const char* utc : {"Etc/UTC", "UTC"}) {
        if (const auto* zone = find_time_zone(utc, nullptr))
            return zone;
    }
    throw std::runtime_error(
        "no time zone database found (not even UTC): install the tzdata package");
}

std::string format_local(SysTime instant, const date::time_zone* zone) {
    date::zoned_time<std::chrono::minutes> local{zone, date::floor<std::chrono::minutes>(instant)};
    return date::format("%Y-%m-%d %H:%M %Z", local);
}

}  // namespace rosterd
