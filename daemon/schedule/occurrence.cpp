// When a schedule fires: wall-clock occurrences resolved through the zone's DST rules, and
// elapsed-time intervals counted from the last run.
#include <date/tz.h>

#include <stdexcept>

#include "rosterd/schedule/schedule.hpp"

namespace rosterd {
namespace {

using std::chrono::minutes;

// Which local days to try around the local day of the reference instant: up to kSearchHorizon
// days in the search direction (a weekly schedule with a single day needs 7), starting
// kSearchMargin days on the other side, because an occurrence on a neighbouring local day can
// resolve across midnight (Pacific/Apia went from 2011-12-29 straight to 2011-12-31).
constexpr date::days kSearchMargin{2};
constexpr date::days kSearchHorizon{15};

// A calendar schedule's time of day and the days it runs on.
struct WallClockRule {
    TimeOfDay at;
    std::bitset<7> days;  // by date::weekday::c_encoding()

    bool runs_on(date::local_days day) const { return days.test(date::weekday{day}.c_encoding()); }
};

std::optional<WallClockRule> wall_clock_rule(const Schedule& schedule) {
    if (const auto* daily = std::get_if<DailySchedule>(&schedule))
        return WallClockRule{daily->at, std::bitset<7>{}.set()};
    if (const auto* weekly = std::get_if<WeeklySchedule>(&schedule)) {
        if (weekly->days.none())
            throw std::invalid_argument("weekly schedule without any weekday never runs");
        return WallClockRule{weekly->at, weekly->days};
    }
    return std::nullopt;
}

minutes checked_interval(const IntervalSchedule& interval) {
    if (interval.every < minutes{1})
        throw std::invalid_argument("interval schedule must be at least one minute");
    return interval.every;
}

void require_zone(const date::time_zone* zone) {
    if (!zone)
        throw std::invalid_argument("daily and weekly schedules need a time zone");
}

// The instant a wall-clock time on `day` happens, by the DST rules in the header: a time inside a
// spring-forward gap happens when the gap ends; a time repeated by a fall-back happens at its
// first (daylight-time) occurrence.
SysTime resolve_local(date::local_days day, TimeOfDay at, const date::time_zone* zone) {
    const date::local_time<minutes> wall = day + at.since_midnight();
    const date::local_info info = zone->get_info(wall);
    if (info.result == date::local_info::nonexistent)
        return SysTime{info.first.end};  // seconds -> milliseconds is exact
    // unique or ambiguous: `first` is the only, or the earlier, of the offsets in force.
    return SysTime{wall.time_since_epoch() - info.first.offset};
}

date::local_days local_day_of(SysTime instant, const date::time_zone* zone) {
    return date::floor<date::days>(zone->to_local(instant));
}

// Resolved occurrences never go backwards as the local day advances, so scanning days in order
// and taking the first (or last) that passes the test finds the nearest occurrence.
SysTime next_wall_clock(const WallClockRule& rule, SysTime after, const date::time_zone* zone) {
    const date::local_days today = local_day_of(after, zone);
    for (date::local_days day = today - kSearchMargin; day <= today + kSearchHorizon;
         day += date::days{1}) {
        if (!rule.runs_on(day))
            continue;
        const SysTime candidate = resolve_local(day, rule.at, zone);
        if (candidate > after)
            return candidate;
    }
    throw std::logic_error("no occurrence found within the search window");  // unreachable
}

SysTime previous_wall_clock(const WallClockRule& rule, SysTime at_or_before,
                            const date::time_zone* zone) {
    const date::local_days today = local_day_of(at_or_before, zone);
    for (date::local_days day = today + kSearchMargin; day >= today - kSearchHorizon;
         day -= date::days{1}) {
        if (!rule.runs_on(day))
            continue;
        const SysTime candidate = resolve_local(day, rule.at, zone);
        if (candidate <= at_or_before)
            return candidate;
    }
    throw std::logic_error("no occurrence found within the search window");  // unreachable
}

}  // namespace

SysTime next_occurrence(const Schedule& schedule, SysTime after, const date::time_zone* zone,
                        std::optional<SysTime> anchor) {
    if (auto rule = wall_clock_rule(schedule)) {
        require_zone(zone);
        return next_wall_clock(*rule, after, zone);
    }
    const minutes every = checked_interval(std::get<IntervalSchedule>(schedule));
    if (!anchor)
        return after + every;
    if (*anchor >= after)
        return *anchor + every;
    // The smallest k >= 1 with anchor + k * every > after.
    const auto intervals_elapsed = (after - *anchor) / every;
    return *anchor + (intervals_elapsed + 1) * every;
}

std::optional<SysTime> previous_occurrence(const Schedule& schedule, SysTime at_or_before,
                                           const date::time_zone* zone) {
    auto rule = wall_clock_rule(schedule);
    if (!rule)
        return std::nullopt;
    require_zone(zone);
    return previous_wall_clock(*rule, at_or_before, zone);
}

bool run_was_missed(const Schedule& schedule, std::optional<SysTime> last_success, SysTime now,
                    const date::time_zone* zone) {
    if (auto previous = previous_occurrence(schedule, now, zone))
        return !last_success || *last_success < *previous;
    const minutes every = checked_interval(std::get<IntervalSchedule>(schedule));
    return !last_success || *last_success + every <= now;
}

}  // namespace rosterd
