#pragma once
// Calendar maths for the sync schedule (`sync.daily_at` in `sync.timezone`) and for automated
// tasks ("daily 05:00", "weekly mon,thu 09:30", "every 6h"). Every function here is pure: it takes
// the instant to reason about and returns instants; nothing reads the clock, so tests (and the
// simulation of 90 days passing) can drive it with any FakeClock value.
//
// Instants are UTC (SysTime). Daily and weekly schedules are wall-clock times in an IANA zone and
// follow its daylight-saving rules:
//
//   * Spring forward (a local time that does not exist): the run happens at the instant the gap
//     ends. Europe/Berlin jumps 02:00 -> 03:00 on 2026-03-29, so "daily 02:30" runs that day at
//     03:00 CEST (01:00Z). Australia/Lord_Howe jumps 02:00 -> 02:30, so "daily 02:15" runs at
//     02:30.
//   * Fall back (a local time that happens twice): the run happens once, at the first (earlier,
//     daylight-time) occurrence. Berlin repeats 02:00-03:00 on 2026-10-25, so "daily 02:30" runs at
//     02:30 CEST (00:30Z) and not again at 02:30 CET (01:30Z); the next run is the following day.
//
// Interval schedules ("every 6h") count elapsed time, not wall-clock time: "every 1d" is 24 hours
// after the last run even across a DST change. Use "daily HH:MM" for a fixed local time.
#include <bitset>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include <date/date.h>

#include "rosterd/base/clock.hpp"

namespace date {
class time_zone;  // from <date/tz.h>; callers only pass pointers around
}

namespace rosterd {

// A wall-clock time of day, 00:00..23:59, in whatever zone the schedule is evaluated in.
struct TimeOfDay {
    int hour = 0;    // 0..23
    int minute = 0;  // 0..59

    std::chrono::minutes since_midnight() const {
        return std::chrono::hours{hour} + std::chrono::minutes{minute};
    }
    friend bool operator==(const TimeOfDay&, const TimeOfDay&) = default;
};

// Strict "HH:MM" (two digits each, 00:00..23:59); "7:05", "24:00" and "07:05 " are rejected.
std::optional<TimeOfDay> parse_time_of_day(std::string_view text);

// "HH:MM", zero-padded.
std::string to_string(TimeOfDay time);

// Runs every day at `at` local time.
struct DailySchedule {
    TimeOfDay at;
    friend bool operator==(const DailySchedule&, const DailySchedule&) = default;
};

// Runs at `at` local time on each weekday in `days` (which must not be empty).
struct WeeklySchedule {
    // Indexed by date::weekday::c_encoding(): 0 = Sunday, 1 = Monday, ... 6 = Saturday.
    std::bitset<7> days;
    TimeOfDay at;

    bool runs_on(date::weekday day) const { return days.test(day.c_encoding()); }
    friend bool operator==(const WeeklySchedule&, const WeeklySchedule&) = default;
};

// Runs every `every` of elapsed time (at least one minute), counted from the previous run.
struct IntervalSchedule {
    std::chrono::minutes every{0};
    friend bool operator==(const IntervalSchedule&, const IntervalSchedule&) = default;
};

using Schedule = std::variant<DailySchedule, WeeklySchedule, IntervalSchedule>;

// The longest interval parse_schedule accepts ("every 365d"); longer ones are surely typos.
inline constexpr std::chrono::minutes kMaxScheduleInterval = std::chrono::days{365};

// Either a schedule or a message saying what was wrong and what was expected.
struct ScheduleParseResult {
    std::optional<Schedule> schedule;
    std::string error;  // empty when `schedule` is set

    explicit operator bool() const { return schedule.has_value(); }
};

// Accepts exactly one of (keywords, weekdays and units are case-insensitive; words are separated
// by whitespace):
//   daily HH:MM                 e.g. "daily 05:00"
//   weekly <days> HH:MM         e.g. "weekly mon,thu 09:30"; days: comma list of mon..sun, no
//                               duplicates, no spaces inside the list
//   every <N><unit>             e.g. "every 90m", "every 6h", "every 1d"; unit m|h|d, N >= 1,
//                               at most kMaxScheduleInterval
ScheduleParseResult parse_schedule(std::string_view text);

// Canonical text that parse_schedule reads back to an equal Schedule: weekdays in mon..sun order,
// intervals in the largest unit that divides them ("every 60m" -> "every 1h").
std::string to_string(const Schedule& schedule);

// The zone named `name` (IANA, e.g. "Europe/Berlin"), or nullptr with a message in *error (when
// error is not null) if the OS tz database does not know it.
const date::time_zone* find_time_zone(std::string_view name, std::string* error);

// The system's zone (/etc/localtime), or UTC when it cannot be determined. Throws
// std::runtime_error only if the tz database is missing altogether (not even UTC is found).
const date::time_zone* system_time_zone();

// The first occurrence strictly after `after`. `zone` is required for daily and weekly schedules
// and ignored for intervals.
//   Daily/weekly: the next matching local day and time, with the DST rules above; `anchor` is
//   ignored.
//   Interval: occurrences are anchor + k * every for k >= 1 (anchor = the last run). Without an
//   anchor the first run is after + every. An anchor in the future (the clock went back) gives
//   anchor + every.
// Throws std::invalid_argument for a weekly schedule with no days, an interval under a minute or a
// null zone for a daily or weekly schedule (parse_schedule never produces the first two).
SysTime next_occurrence(const Schedule& schedule, SysTime after, const date::time_zone* zone,
                        std::optional<SysTime> anchor = std::nullopt);

// The most recent occurrence at or before `at_or_before` of a daily or weekly schedule (DST rules
// as for next_occurrence); nullopt for an interval, which has no calendar of its own.
std::optional<SysTime> previous_occurrence(const Schedule& schedule, SysTime at_or_before,
                                           const date::time_zone* zone);

// Whether a run was due while rosterd was not running, so one should happen now.
//   Daily/weekly: last_success < previous_occurrence(now).
//   Interval: last_success + every <= now.
// Never having succeeded counts as missed. A caller that does not want a catch-up run for a task
// created just now should pass the creation time as `last_success`.
bool run_was_missed(const Schedule& schedule, std::optional<SysTime> last_success, SysTime now,
                    const date::time_zone* zone);

// "2026-03-29 05:00 CEST": local date, time to the minute and zone abbreviation, for status output.
std::string format_local(SysTime instant, const date::time_zone* zone);

}  // namespace rosterd
