// The seat history table: one point per product and site per sync, compaction to the last point
// of each day after 30 days, deletion after history.keep, and the sums the charts draw.
#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/money/money.hpp"

using namespace rosterd;
using namespace rosterd::money;

namespace {

constexpr std::int64_t kNow = test::kQueryNow;  // 2026-06-01T00:00:00Z

HistoryPoint point(std::string product, std::string site, std::int64_t at, std::int64_t billable,
                   std::int64_t inactive) {
    HistoryPoint p;
    p.product = std::move(product);
    p.site = std::move(site);
    p.at_ms = at;
    p.snapshot_id = at / 1000;
    p.billable = billable;
    p.active = billable - inactive;
    p.inactive = inactive;
    p.capacity = 100;
    p.currency = "EUR";
    p.monthly_cost = 7.5 * static_cast<double>(billable);
    p.inactive_monthly_cost = 7.5 * static_cast<double>(inactive);
    return p;
}

std::vector<std::int64_t> times(store::Database& db) {
    std::vector<std::int64_t> out;
    for (const auto& p : read_history(db, {}))
        out.push_back(p.at_ms);
    return out;
}

}  // namespace

TEST_CASE("history keeps every sync for 30 days, then the last of each day, then forgets",
          "[money][history]") {
    test::QuerySnapshot s(false);
    auto& db = s.db();
    const std::int64_t day = kDayMs, hour = 3'600'000;
    const std::int64_t old_day = kNow - 40 * day;  // 2026-04-22, 00:00 UTC
    const std::int64_t recent = kNow - 10 * day;
    const std::int64_t ancient = kNow - 50 * day;
    for (auto at : {ancient + 5 * hour, old_day + 5 * hour, old_day + 17 * hour, recent + 5 * hour,
                    recent + 17 * hour})
        CHECK(record_history(db, {point("jira-software", "a", at, 10, 2)}, 400) == 1);
    // Recording the same sync twice adds nothing.
    CHECK(record_history(db, {point("jira-software", "a", recent + 17 * hour, 10, 2)}, 400) == 0);
    // Compaction runs relative to the newest point: old_day's 05:00 point went when a point came
    // more than 30 days after it (recent + 17h), and the day's last one stays.
    CHECK(times(db) == std::vector<std::int64_t>{ancient + 5 * hour, old_day + 17 * hour,
                                                 recent + 5 * hour, recent + 17 * hour});
    // A sync now with keep 45 days: the 50-day-old point goes; the day-old pair stays whole.
    CHECK(record_history(db, {point("jira-software", "a", kNow, 12, 3)}, 45) == 1);
    CHECK(times(db) == std::vector<std::int64_t>{old_day + 17 * hour, recent + 5 * hour,
                                                 recent + 17 * hour, kNow});
    CHECK(history_has(db, kNow / 1000));
    CHECK_FALSE(history_has(db, 42));
}

TEST_CASE("history reads by product, site and since, and sums per sync", "[money][history]") {
    test::QuerySnapshot s(false);
    auto& db = s.db();
    const std::int64_t t1 = kNow - 2 * kDayMs, t2 = kNow - kDayMs;
    record_history(db,
                   {point("jira-software", "a", t1, 10, 2), point("jira-software", "b", t1, 5, 1),
                    point("confluence", "a", t1, 4, 4)},
                   400);
    record_history(db,
                   {point("jira-software", "a", t2, 8, 1), point("jira-software", "b", t2, 5, 0),
                    point("confluence", "a", t2, 4, 3)},
                   400);
    CHECK(read_history(db, {}).size() == 6);
    CHECK(read_history(db, {std::string("confluence"), std::nullopt, std::nullopt}).size() == 2);
    CHECK(read_history(db, {std::nullopt, std::string("b"), std::nullopt}).size() == 2);
    auto since = read_history(db, {std::nullopt, std::nullopt, t2});
    REQUIRE(since.size() == 3);
    CHECK(since[0].product == "confluence");
    CHECK(since[0].inactive == 3);
    CHECK(since[0].currency == "EUR");
    CHECK(*since[0].monthly_cost == Approx(30.0));

    auto sums = sum_history(read_history(db, {}), true);
    REQUIRE(sums.size() == 3);  // "", confluence, jira-software
    const auto& total = sums.at("");
    REQUIRE(total.size() == 2);
    CHECK(total[0].billable == 19);
    CHECK(total[0].inactive == 7);
    CHECK(total[0].active == 12);
    CHECK(total[1].billable == 17);
    CHECK(total[1].inactive == 4);
    CHECK(*total[1].capacity == 300);
    CHECK(*total[1].inactive_monthly_cost == Approx(30.0));
    const auto& jira = sums.at("jira-software");
    CHECK(jira[1].billable == 13);
    CHECK(jira[1].inactive == 1);
}
