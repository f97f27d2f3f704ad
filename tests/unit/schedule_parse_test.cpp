#include <catch2/catch.hpp>

#include "rosterd/schedule/schedule.hpp"

using namespace rosterd;
using namespace std::chrono_literals;

namespace {

std::bitset<7> weekdays(std::initializer_list<date::weekday> days) {
    std::bitset<7> set;
    for (auto day : days)
        set.set(day.c_encoding());
    return set;
}

// The message for a text that must not parse (and fails the test if it does parse).
std::string error_of(std::string_view text) {
    auto result = parse_schedule(text);
    INFO("schedule text: " << text);
    REQUIRE_FALSE(result);
    REQUIRE_FALSE(result.schedule.has_value());
    return result.error;
}

}  // namespace

TEST_CASE("parse_time_of_day accepts strict HH:MM from 00:00 to 23:59", "[schedule]") {
    CHECK(parse_time_of_day("00:00") == TimeOfDay{0, 0});
    CHECK(parse_time_of_day("05:07") == TimeOfDay{5, 7});
    CHECK(parse_time_of_day("23:59") == TimeOfDay{23, 59});

    for (std::string_view bad : {"24:00", "25:00", "12:60", "7:5", "7:05", "07:5", "0700", "07-00",
                                 " 07:00", "07:00 ", "07:00:00", "", "ab:cd", "-1:00", "+7:00"}) {
        INFO("time text: '" << bad << "'");
        CHECK_FALSE(parse_time_of_day(bad).has_value());
    }
}

TEST_CASE("TimeOfDay formats as zero-padded HH:MM", "[schedule]") {
    CHECK(to_string(TimeOfDay{0, 0}) == "00:00");
    CHECK(to_string(TimeOfDay{7, 5}) == "07:05");
    CHECK(to_string(TimeOfDay{23, 59}) == "23:59");
    CHECK(TimeOfDay{9, 30}.since_midnight() == 570min);
}

TEST_CASE("parse_schedule reads daily, weekly and interval schedules", "[schedule]") {
    SECTION("daily") {
        auto result = parse_schedule("daily 05:00");
        REQUIRE(result);
        CHECK(result.error.empty());
        CHECK(*result.schedule == Schedule{DailySchedule{{5, 0}}});
    }
    SECTION("weekly, days in any order and case") {
        auto result = parse_schedule("weekly THU,Mon 09:30");
        REQUIRE(result);
        CHECK(*result.schedule ==
              Schedule{WeeklySchedule{weekdays({date::Monday, date::Thursday}), {9, 30}}});
    }
    SECTION("weekly, every day name") {
        auto result = parse_schedule("weekly mon,tue,wed,thu,fri,sat,sun 00:00");
        REQUIRE(result);
        CHECK(std::get<WeeklySchedule>(*result.schedule).days.all());
    }
    SECTION("intervals in minutes, hours and days") {
        CHECK(*parse_schedule("every 90m").schedule == Schedule{IntervalSchedule{90min}});
        CHECK(*parse_schedule("every 6h").schedule == Schedule{IntervalSchedule{6h}});
        CHECK(*parse_schedule("every 1d").schedule == Schedule{IntervalSchedule{24h}});
        CHECK(*parse_schedule("every 1m").schedule == Schedule{IntervalSchedule{1min}});
        CHECK(*parse_schedule("every 365d").schedule == Schedule{IntervalSchedule{365 * 24h}});
        CHECK(*parse_schedule("EVERY 2H").schedule == Schedule{IntervalSchedule{2h}});
    }
    SECTION("surrounding and repeated whitespace is ignored") {
        CHECK(*parse_schedule("  daily\t 05:00 \n").schedule == Schedule{DailySchedule{{5, 0}}});
    }
}

TEST_CASE("parse_schedule explains what was expected", "[schedule]") {
    CHECK(error_of("daily 25:00") ==
          "invalid time '25:00': expected HH:MM (two digits each) between 00:00 and 23:59");
    CHECK(error_of("daily 7:5") ==
          "invalid time '7:5': expected HH:MM (two digits each) between 00:00 and 23:59");
    CHECK(error_of("daily") ==
          "'daily' takes exactly one time: expected 'daily HH:MM', e.g. 'daily 05:00'");
    CHECK(error_of("daily 05:00 06:00") ==
          "'daily' takes exactly one time: expected 'daily HH:MM', e.g. 'daily 05:00'");
    CHECK(error_of("weekly funday 10:00") ==
          "unknown weekday 'funday': expected a comma-separated list (no spaces) of mon, tue, "
          "wed, thu, fri, sat, sun");
    CHECK(error_of("weekly mon,,thu 10:00") ==
          "unknown weekday '': expected a comma-separated list (no spaces) of mon, tue, wed, "
          "thu, fri, sat, sun");
    CHECK(error_of("weekly mon,thu,Mon 10:00") == "weekday 'mon' is listed twice in 'mon,thu,Mon'");
    CHECK(error_of("weekly mon 24:00") ==
          "invalid time '24:00': expected HH:MM (two digits each) between 00:00 and 23:59");
    CHECK(error_of("weekly 10:00") ==
          "'weekly' takes a list of days and a time: expected 'weekly <days> HH:MM', e.g. "
          "'weekly mon,thu 09:30'");
    CHECK(error_of("weekly mon, thu 10:00") ==
          "'weekly' takes a list of days and a time: expected 'weekly <days> HH:MM', e.g. "
          "'weekly mon,thu 09:30'");
    CHECK(error_of("every 0h") ==
          "invalid interval '0h': the number must be at least 1, e.g. 'every 1h'");
    const std::string shape_tail =
        "': expected <N><unit> with N a whole number and unit m (minutes), h (hours) or d "
        "(days), e.g. 'every 6h'";
    CHECK(error_of("every 5x") == "invalid interval '5x" + shape_tail);
    CHECK(error_of("every h") == "invalid interval 'h" + shape_tail);
    CHECK(error_of("every -5h") == "invalid interval '-5h" + shape_tail);
    CHECK(error_of("every 1.5h") == "invalid interval '1.5h" + shape_tail);
    CHECK(error_of("every 6") == "invalid interval '6" + shape_tail);
    CHECK(error_of("every") ==
          "'every' takes exactly one interval: expected 'every <N><unit>' with unit m, h or d, "
          "e.g. 'every 6h' or 'every 90m'");
    CHECK(error_of("every 6 h") ==
          "'every' takes exactly one interval: expected 'every <N><unit>' with unit m, h or d, "
          "e.g. 'every 6h' or 'every 90m'");
    CHECK(error_of("every 366d") == "interval '366d' is too long: the maximum is '365d'");
    CHECK(error_of("every 99999999999999999999m") ==
          "interval '99999999999999999999m' is too long: the maximum is '365d'");
    const std::string grammar =
        "expected 'daily HH:MM', 'weekly <days> HH:MM' or 'every <N><unit>' (unit m, h or d), "
        "e.g. 'daily 05:00', 'weekly mon,thu 09:30', 'every 6h'";
    CHECK(error_of("monthly 1 05:00") == "unknown schedule 'monthly 1 05:00': " + grammar);
    CHECK(error_of("05:00") == "unknown schedule '05:00': " + grammar);
    CHECK(error_of("   ") == "empty schedule: " + grammar);
}

TEST_CASE("to_string writes the canonical text that parses back", "[schedule]") {
    CHECK(to_string(Schedule{DailySchedule{{5, 0}}}) == "daily 05:00");
    CHECK(to_string(Schedule{WeeklySchedule{weekdays({date::Sunday, date::Thursday, date::Monday}),
                                            {9, 30}}}) == "weekly mon,thu,sun 09:30");
    CHECK(to_string(Schedule{IntervalSchedule{90min}}) == "every 90m");
    CHECK(to_string(Schedule{IntervalSchedule{60min}}) == "every 1h");
    CHECK(to_string(Schedule{IntervalSchedule{6h}}) == "every 6h");
    CHECK(to_string(Schedule{IntervalSchedule{48h}}) == "every 2d");
    CHECK(to_string(Schedule{IntervalSchedule{36h}}) == "every 36h");

    for (std::string_view text : {"daily 00:00", "daily 23:59", "weekly mon,thu 09:30",
                                  "weekly sun 02:30", "weekly mon,tue,wed,thu,fri,sat,sun 12:00",
                                  "every 1m", "every 90m", "every 6h", "every 1d", "every 365d"}) {
        INFO("schedule text: " << text);
        auto parsed = parse_schedule(text);
        REQUIRE(parsed);
        CHECK(to_string(*parsed.schedule) == text);
        auto reparsed = parse_schedule(to_string(*parsed.schedule));
        REQUIRE(reparsed);
        CHECK(*reparsed.schedule == *parsed.schedule);
    }
    // Non-canonical spellings still round-trip to an equal value.
    auto sixty = parse_schedule("every 60m");
    REQUIRE(sixty);
    CHECK(to_string(*sixty.schedule) == "every 1h");
    CHECK(*parse_schedule(to_string(*sixty.schedule)).schedule == *sixty.schedule);
}
