// The task scheduler against a FakeClock: interval tasks fire on time, hold while a sync runs and
// fire once right after it; calendar tasks follow the zone; disabled tasks never fire.
#include <catch2/catch.hpp>

#include "daemon/ops/task_scheduler.hpp"
#include "rosterd/base/time_format.hpp"

using namespace rosterd;
using namespace std::chrono_literals;

namespace {

SysTime at(const char* iso) {
    return SysTime(std::chrono::milliseconds(*parse_iso8601_ms(iso)));
}

Schedule schedule(const char* text) {
    return *parse_schedule(text).schedule;
}

}  // namespace

TEST_CASE("an interval task fires on time, never during a sync, once after it", "[ops][tasks]") {
    FakeClock clock(at("2026-06-01T00:00:00Z"));
    ops::TaskScheduler scheduler(clock, find_time_zone("UTC", nullptr));
    scheduler.set_tasks({{"reclaim", schedule("every 6h"), true, std::nullopt}},
                        find_time_zone("UTC", nullptr));
    CHECK(scheduler.next_due("reclaim") == at("2026-06-01T06:00:00Z"));

    clock.advance(6h - 1ms);
    CHECK(scheduler.due(false).empty());
    clock.advance(1ms);
    CHECK(scheduler.due(false) == std::vector<std::string>{"reclaim"});
    CHECK(scheduler.due(false).empty());  // once
    CHECK(scheduler.next_due("reclaim") == at("2026-06-01T12:00:00Z"));

    // Due at 12:00 while a sync runs: held, and not lost.
    clock.set(at("2026-06-01T12:00:05Z"));
    CHECK(scheduler.due(true).empty());
    CHECK(scheduler.pending("reclaim"));
    clock.advance(10min);
    CHECK(scheduler.due(true).empty());
    clock.advance(1s);
    CHECK(scheduler.due(false) == std::vector<std::string>{"reclaim"});  // right after the sync
    CHECK(scheduler.due(false).empty());
    CHECK(scheduler.next_due("reclaim") == at("2026-06-01T18:00:00Z"));  // no drift

    // 90 days pass in one step: it fires once, not 360 times.
    clock.advance(std::chrono::hours(24 * 90));
    CHECK(scheduler.due(false).size() == 1);
    CHECK(scheduler.due(false).empty());
}

TEST_CASE("interval tasks count from their last run, calendar tasks follow the zone",
          "[ops][tasks]") {
    FakeClock clock(at("2026-03-28T12:00:00Z"));
    auto* berlin = find_time_zone("Europe/Berlin", nullptr);
    ops::TaskScheduler scheduler(clock, berlin);
    scheduler.set_tasks({{"interval", schedule("every 1d"), true, at("2026-03-28T09:00:00Z")},
                         {"daily", schedule("daily 02:30"), true, std::nullopt},
                         {"off", schedule("every 1h"), false, std::nullopt}},
                        berlin);
    CHECK(scheduler.next_due("interval") == at("2026-03-29T09:00:00Z"));
    // 2026-03-29 02:30 does not exist in Berlin: the run happens when the gap ends, 03:00 CEST.
    CHECK(scheduler.next_due("daily") == at("2026-03-29T01:00:00Z"));
    CHECK_FALSE(scheduler.next_due("off"));
    clock.set(at("2026-03-29T01:00:00Z"));
    CHECK(scheduler.due(false) == std::vector<std::string>{"daily"});
    scheduler.set_enabled("off", true);
    CHECK(scheduler.next_due("off") == at("2026-03-29T02:00:00Z"));
    scheduler.set_enabled("daily", false);
    clock.set(at("2026-03-30T01:00:00Z"));
    auto due = scheduler.due(false);
    CHECK(std::find(due.begin(), due.end(), "daily") == due.end());
}
