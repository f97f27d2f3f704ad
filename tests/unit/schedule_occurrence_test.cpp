// Exact instants for schedules in several zones, across DST changes. Transition instants were
// checked against `zdump -v` for tzdata 2025b:
//   Europe/Berlin       2026-03-29 01:00Z (02:00 CET -> 03:00 CEST), 2026-10-25 01:00Z (03:00 ->
//   02:00) America/New_York    2026-03-08 07:00Z (02:00 EST -> 03:00 EDT),  2026-11-01 06:00Z
//   (02:00 -> 01:00) Australia/Lord_Howe 2026-10-03 15:30Z (02:00 -> 02:30, +10:30 -> +11),
//   2026-04-04 15:00Z
//                       (02:00 -> 01:30, +11 -> +10:30)
#include <catch2/catch.hpp>

#include <date/tz.h>

#include <stdexcept>

#include "rosterd/base/time_format.hpp"
#include "rosterd/schedule/schedule.hpp"

using namespace rosterd;
using namespace std::chrono_literals;

namespace {

SysTime at(std::string_view iso) {
    auto ms = parse_iso8601_ms(iso);
    REQUIRE(ms.has_value());
    return SysTime{std::chrono::milliseconds{*ms}};
}

std::string iso(SysTime instant) {
    return format_iso8601_s(instant.time_since_epoch().count());
}

std::string iso(std::optional<SysTime> instant) {
    return instant ? iso(*instant) : std::string("none");
}

const date::time_zone* zone(std::string_view name) {
    std::string error;
    const date::time_zone* found = find_time_zone(name, &error);
    INFO(error);
    REQUIRE(found != nullptr);
    return found;
}

Schedule schedule(std::string_view text) {
    auto parsed = parse_schedule(text);
    INFO(parsed.error);
    REQUIRE(parsed);
    return *parsed.schedule;
}

// The next occurrence after `after` (as ISO text, so failures print readable instants).
std::string next(std::string_view text, std::string_view after, std::string_view zone_name) {
    return iso(next_occurrence(schedule(text), at(after), zone(zone_name)));
}

std::string previous(std::string_view text, std::string_view at_or_before,
                     std::string_view zone_name) {
    return iso(previous_occurrence(schedule(text), at(at_or_before), zone(zone_name)));
}

}  // namespace

TEST_CASE("daily in UTC runs at the same instant every day", "[schedule]") {
    CHECK(next("daily 05:00", "2026-03-10T04:59:59Z", "UTC") == "2026-03-10T05:00:00Z");
    CHECK(next("daily 05:00", "2026-03-10T00:00:00Z", "UTC") == "2026-03-10T05:00:00Z");
    CHECK(next("daily 05:00", "2026-03-10T12:00:00Z", "UTC") == "2026-03-11T05:00:00Z");
    CHECK(next("daily 00:00", "2026-12-31T23:59:59Z", "UTC") == "2027-01-01T00:00:00Z");
    CHECK(next("daily 23:59", "2028-02-28T23:59:00Z", "UTC") == "2028-02-29T23:59:00Z");
}

TEST_CASE("after exactly at an occurrence returns the next one", "[schedule]") {
    CHECK(next("daily 05:00", "2026-03-10T05:00:00Z", "UTC") == "2026-03-11T05:00:00Z");
    CHECK(next("daily 05:00", "2026-03-10T04:00:00Z", "Europe/Berlin") == "2026-03-11T04:00:00Z");
    const SysTime one_ms_before = at("2026-03-10T05:00:00Z") - 1ms;
    CHECK(next_occurrence(schedule("daily 05:00"), one_ms_before, zone("UTC")) ==
          at("2026-03-10T05:00:00Z"));
    CHECK(next("weekly mon,thu 09:30", "2026-03-12T09:30:00Z", "UTC") == "2026-03-16T09:30:00Z");
}

TEST_CASE("daily in Europe/Berlin follows CET and CEST", "[schedule]") {
    // Winter: 05:00 CET = 04:00Z; summer: 05:00 CEST = 03:00Z.
    CHECK(next("daily 05:00", "2026-01-15T12:00:00Z", "Europe/Berlin") == "2026-01-16T04:00:00Z");
    CHECK(next("daily 05:00", "2026-07-15T12:00:00Z", "Europe/Berlin") == "2026-07-16T03:00:00Z");
    // Local midnight is 23:00Z the day before in winter: an instant late in the UTC day is
    // already the next local day.
    CHECK(next("daily 00:30", "2026-01-15T23:10:00Z", "Europe/Berlin") == "2026-01-15T23:30:00Z");
}

TEST_CASE("05:00 local maps to different UTC hours the day before and after DST changes",
          "[schedule]") {
    SECTION("Europe/Berlin spring") {
        CHECK(next("daily 05:00", "2026-03-27T12:00:00Z", "Europe/Berlin") ==
              "2026-03-28T04:00:00Z");
        CHECK(next("daily 05:00", "2026-03-28T04:00:00Z", "Europe/Berlin") ==
              "2026-03-29T03:00:00Z");
        CHECK(next("daily 05:00", "2026-03-29T03:00:00Z", "Europe/Berlin") ==
              "2026-03-30T03:00:00Z");
    }
    SECTION("Europe/Berlin autumn") {
        CHECK(next("daily 05:00", "2026-10-23T12:00:00Z", "Europe/Berlin") ==
              "2026-10-24T03:00:00Z");
        CHECK(next("daily 05:00", "2026-10-24T03:00:00Z", "Europe/Berlin") ==
              "2026-10-25T04:00:00Z");
        CHECK(next("daily 05:00", "2026-10-25T04:00:00Z", "Europe/Berlin") ==
              "2026-10-26T04:00:00Z");
    }
    SECTION("America/New_York") {
        CHECK(next("daily 05:00", "2026-03-07T00:00:00Z", "America/New_York") ==
              "2026-03-07T10:00:00Z");
        CHECK(next("daily 05:00", "2026-03-07T10:00:00Z", "America/New_York") ==
              "2026-03-08T09:00:00Z");
        CHECK(next("daily 05:00", "2026-10-31T09:00:00Z", "America/New_York") ==
              "2026-11-01T10:00:00Z");
    }
    SECTION("Australia/Lord_Howe, a 30-minute shift") {
        // 05:00 +10:30 = 18:30Z the day before; 05:00 +11 = 18:00Z the day before.
        CHECK(next("daily 05:00", "2026-10-02T12:00:00Z", "Australia/Lord_Howe") ==
              "2026-10-02T18:30:00Z");
        CHECK(next("daily 05:00", "2026-10-02T18:30:00Z", "Australia/Lord_Howe") ==
              "2026-10-03T18:00:00Z");
        CHECK(next("daily 05:00", "2026-04-03T12:00:00Z", "Australia/Lord_Howe") ==
              "2026-04-03T18:00:00Z");
        CHECK(next("daily 05:00", "2026-04-03T18:00:00Z", "Australia/Lord_Howe") ==
              "2026-04-04T18:30:00Z");
    }
}

TEST_CASE("daily in Asia/Kolkata uses the half-hour offset and no DST", "[schedule]") {
    // 05:00 IST (+05:30) = 23:30Z the day before, all year.
    CHECK(next("daily 05:00", "2026-03-28T23:00:00Z", "Asia/Kolkata") == "2026-03-28T23:30:00Z");
    CHECK(next("daily 05:00", "2026-03-28T23:30:00Z", "Asia/Kolkata") == "2026-03-29T23:30:00Z");
    CHECK(next("daily 05:00", "2026-07-01T00:00:00Z", "Asia/Kolkata") == "2026-07-01T23:30:00Z");
}

TEST_CASE("a time inside the spring-forward gap runs when the gap ends", "[schedule]") {
    SECTION("Europe/Berlin: 02:30 on 2026-03-29 runs at 03:00 CEST") {
        CHECK(next("daily 02:30", "2026-03-28T12:00:00Z", "Europe/Berlin") ==
              "2026-03-29T01:00:00Z");
        CHECK(format_local(at("2026-03-29T01:00:00Z"), zone("Europe/Berlin")) ==
              "2026-03-29 03:00 CEST");
        // The day before and after, 02:30 exists: CET (01:30Z) and CEST (00:30Z).
        CHECK(next("daily 02:30", "2026-03-27T12:00:00Z", "Europe/Berlin") ==
              "2026-03-28T01:30:00Z");
        CHECK(next("daily 02:30", "2026-03-29T01:00:00Z", "Europe/Berlin") ==
              "2026-03-30T00:30:00Z");
        // At the first instant of the gap itself (the 02:00 CET that never was).
        CHECK(next("daily 02:00", "2026-03-28T12:00:00Z", "Europe/Berlin") ==
              "2026-03-29T01:00:00Z");
        CHECK(next("weekly sun 02:30", "2026-03-23T00:00:00Z", "Europe/Berlin") ==
              "2026-03-29T01:00:00Z");
    }
    SECTION("America/New_York: 02:30 on 2026-03-08 runs at 03:00 EDT") {
        CHECK(next("daily 02:30", "2026-03-07T12:00:00Z", "America/New_York") ==
              "2026-03-08T07:00:00Z");
    }
    SECTION("Australia/Lord_Howe: 02:15 on 2026-10-04 runs at 02:30 +11") {
        CHECK(next("daily 02:15", "2026-10-02T12:00:00Z", "Australia/Lord_Howe") ==
              "2026-10-02T15:45:00Z");
        CHECK(next("daily 02:15", "2026-10-02T15:45:00Z", "Australia/Lord_Howe") ==
              "2026-10-03T15:30:00Z");
        CHECK(next("daily 02:15", "2026-10-03T15:30:00Z", "Australia/Lord_Howe") ==
              "2026-10-04T15:15:00Z");
    }
}

TEST_CASE("a time repeated by the fall-back runs once, at its first occurrence", "[schedule]") {
    SECTION("Europe/Berlin: 02:30 on 2026-10-25") {
        CHECK(next("daily 02:30", "2026-10-24T12:00:00Z", "Europe/Berlin") ==
              "2026-10-25T00:30:00Z");
        CHECK(format_local(at("2026-10-25T00:30:00Z"), zone("Europe/Berlin")) ==
              "2026-10-25 02:30 CEST");
        // Not again at 02:30 CET (01:30Z): the next run is the following day's 02:30 CET.
        CHECK(next("daily 02:30", "2026-10-25T00:30:00Z", "Europe/Berlin") ==
              "2026-10-26T01:30:00Z");
        CHECK(next("daily 02:30", "2026-10-25T01:15:00Z", "Europe/Berlin") ==
              "2026-10-26T01:30:00Z");
        CHECK(previous("daily 02:30", "2026-10-25T01:45:00Z", "Europe/Berlin") ==
              "2026-10-25T00:30:00Z");
        CHECK(format_local(at("2026-10-26T01:30:00Z"), zone("Europe/Berlin")) ==
              "2026-10-26 02:30 CET");
    }
    SECTION("America/New_York: 01:30 on 2026-11-01") {
        CHECK(next("daily 01:30", "2026-10-31T12:00:00Z", "America/New_York") ==
              "2026-11-01T05:30:00Z");
        CHECK(next("daily 01:30", "2026-11-01T05:30:00Z", "America/New_York") ==
              "2026-11-02T06:30:00Z");
    }
    SECTION("Australia/Lord_Howe: 01:45 on 2026-04-05, repeated for 30 minutes") {
        CHECK(next("daily 01:45", "2026-04-04T12:00:00Z", "Australia/Lord_Howe") ==
              "2026-04-04T14:45:00Z");
        CHECK(next("daily 01:45", "2026-04-04T14:45:00Z", "Australia/Lord_Howe") ==
              "2026-04-05T15:15:00Z");
    }
}

TEST_CASE("weekly runs on each listed day and wraps to the next week", "[schedule]") {
    // 2026-03-09 is a Monday.
    CHECK(next("weekly mon,thu 09:30", "2026-03-10T12:00:00Z", "UTC") == "2026-03-12T09:30:00Z");
    CHECK(next("weekly mon,thu 09:30", "2026-03-12T09:30:00Z", "UTC") == "2026-03-16T09:30:00Z");
    CHECK(next("weekly mon,thu 09:30", "2026-03-09T09:29:00Z", "UTC") == "2026-03-09T09:30:00Z");
    CHECK(next("weekly mon,wed,fri 18:00", "2026-03-13T18:00:00Z", "UTC") ==
          "2026-03-16T18:00:00Z");
    // A single day: a whole week later.
    CHECK(next("weekly wed 08:00", "2026-03-11T08:00:00Z", "UTC") == "2026-03-18T08:00:00Z");
    CHECK(next("weekly sun 23:00", "2026-03-09T00:00:00Z", "UTC") == "2026-03-15T23:00:00Z");
    // The weekday is the local one: Monday 00:30 in Berlin is still Sunday in UTC.
    CHECK(next("weekly mon 00:30", "2026-03-10T00:00:00Z", "Europe/Berlin") ==
          "2026-03-15T23:30:00Z");
    // Auckland is ahead of UTC: Monday 09:00 NZDT (+13) is Sunday 20:00Z.
    CHECK(next("weekly mon 09:00", "2026-03-01T00:00:00Z", "Pacific/Auckland") ==
          "2026-03-01T20:00:00Z");
}

TEST_CASE("interval schedules count elapsed time from the anchor", "[schedule]") {
    const auto* utc = zone("UTC");
    SECTION("without an anchor the first run is one interval after `after`") {
        CHECK(iso(next_occurrence(schedule("every 6h"), at("2026-03-10T13:17:00Z"), utc)) ==
              "2026-03-10T19:17:00Z");
        CHECK(iso(next_occurrence(schedule("every 90m"), at("2026-03-10T13:00:00Z"), utc)) ==
              "2026-03-10T14:30:00Z");
    }
    SECTION("with an anchor, the first anchor + k * interval strictly after `after`") {
        const SysTime anchor = at("2026-03-10T00:00:00Z");
        const auto every_6h = schedule("every 6h");
        CHECK(iso(next_occurrence(every_6h, at("2026-03-10T13:00:00Z"), utc, anchor)) ==
              "2026-03-10T18:00:00Z");
        CHECK(iso(next_occurrence(every_6h, at("2026-03-10T12:00:00Z"), utc, anchor)) ==
              "2026-03-10T18:00:00Z");
        CHECK(iso(next_occurrence(every_6h, at("2026-03-10T11:59:59Z"), utc, anchor)) ==
              "2026-03-10T12:00:00Z");
        CHECK(iso(next_occurrence(every_6h, anchor, utc, anchor)) == "2026-03-10T06:00:00Z");
        // Down for three days: the schedule stays on its 6-hour grid.
        CHECK(iso(next_occurrence(every_6h, at("2026-03-13T07:00:00Z"), utc, anchor)) ==
              "2026-03-13T12:00:00Z");
        CHECK(iso(next_occurrence(schedule("every 90m"), at("2026-03-10T02:59:00Z"), utc,
                                  anchor)) == "2026-03-10T03:00:00Z");
    }
    SECTION("an anchor in the future (the clock went back) gives anchor + interval") {
        CHECK(iso(next_occurrence(schedule("every 6h"), at("2026-03-10T13:00:00Z"), utc,
                                  at("2026-03-10T14:00:00Z"))) == "2026-03-10T20:00:00Z");
    }
    SECTION("intervals ignore DST and the zone") {
        // 24 hours after 05:00 CET is 06:00 CEST, not 05:00.
        CHECK(iso(next_occurrence(schedule("every 1d"), at("2026-03-28T05:00:00Z"),
                                  zone("Europe/Berlin"), at("2026-03-28T04:00:00Z"))) ==
              "2026-03-29T04:00:00Z");
        CHECK(next_occurrence(schedule("every 1h"), at("2026-03-10T00:00:00Z"), nullptr) ==
              at("2026-03-10T01:00:00Z"));
    }
}

TEST_CASE("previous_occurrence finds the most recent run at or before an instant", "[schedule]") {
    CHECK(previous("daily 05:00", "2026-03-10T03:59:00Z", "Europe/Berlin") ==
          "2026-03-09T04:00:00Z");
    CHECK(previous("daily 05:00", "2026-03-10T04:00:00Z", "Europe/Berlin") ==
          "2026-03-10T04:00:00Z");
    CHECK(previous("daily 05:00", "2026-03-10T04:00:01Z", "Europe/Berlin") ==
          "2026-03-10T04:00:00Z");
    CHECK(previous("daily 02:30", "2026-03-29T02:00:00Z", "Europe/Berlin") ==
          "2026-03-29T01:00:00Z");
    CHECK(previous("weekly mon,thu 09:30", "2026-03-10T12:00:00Z", "UTC") ==
          "2026-03-09T09:30:00Z");
    CHECK(previous("weekly mon,thu 09:30", "2026-03-09T09:29:00Z", "UTC") ==
          "2026-03-05T09:30:00Z");
    CHECK(previous("weekly sat 10:00", "2026-03-13T00:00:00Z", "UTC") == "2026-03-07T10:00:00Z");
    CHECK(previous("every 6h", "2026-03-10T12:00:00Z", "UTC") == "none");
}

TEST_CASE("run_was_missed detects a run due while rosterd was down", "[schedule]") {
    const auto* berlin = zone("Europe/Berlin");
    const auto daily = schedule("daily 05:00");  // 04:00Z in March (CET)
    const SysTime now = at("2026-03-10T12:00:00Z");

    SECTION("missed while down: the last success was yesterday's run") {
        CHECK(run_was_missed(daily, at("2026-03-09T04:00:30Z"), now, berlin));
    }
    SECTION("not missed: today's run succeeded") {
        CHECK_FALSE(run_was_missed(daily, at("2026-03-10T04:00:30Z"), now, berlin));
        CHECK_FALSE(
            run_was_missed(daily, at("2026-03-09T04:00:30Z"), at("2026-03-10T03:59:59Z"), berlin));
    }
    SECTION("a success exactly at the occurrence counts") {
        CHECK_FALSE(run_was_missed(daily, at("2026-03-10T04:00:00Z"), now, berlin));
        CHECK(run_was_missed(daily, at("2026-03-10T03:59:59Z"), now, berlin));
    }
    SECTION("never synced counts as missed") {
        CHECK(run_was_missed(daily, std::nullopt, now, berlin));
        CHECK(run_was_missed(schedule("every 6h"), std::nullopt, now, berlin));
    }
    SECTION("weekly") {
        const auto weekly = schedule("weekly mon,thu 09:30");
        CHECK(run_was_missed(weekly, at("2026-03-05T09:31:00Z"), now, zone("UTC")));
        CHECK_FALSE(run_was_missed(weekly, at("2026-03-09T09:31:00Z"), now, zone("UTC")));
    }
    SECTION("interval: overdue once a whole interval has passed") {
        const auto every_6h = schedule("every 6h");
        CHECK_FALSE(run_was_missed(every_6h, at("2026-03-10T06:00:01Z"), now, berlin));
        CHECK(run_was_missed(every_6h, at("2026-03-10T06:00:00Z"), now, berlin));
    }
}

TEST_CASE("invalid schedule values and a missing zone are rejected, not guessed", "[schedule]") {
    const SysTime now = at("2026-03-10T12:00:00Z");
    CHECK_THROWS_AS(next_occurrence(schedule("daily 05:00"), now, nullptr), std::invalid_argument);
    CHECK_THROWS_AS(previous_occurrence(schedule("daily 05:00"), now, nullptr),
                    std::invalid_argument);
    CHECK_THROWS_AS(next_occurrence(Schedule{WeeklySchedule{{}, {5, 0}}}, now, zone("UTC")),
                    std::invalid_argument);
    CHECK_THROWS_AS(next_occurrence(Schedule{IntervalSchedule{0min}}, now, zone("UTC")),
                    std::invalid_argument);
}
