// The weekly digest: the headline figures of the newest history point, the change against the
// newest point at least a week older, and its place among the events (opt-in per webhook).
#include <catch2/catch.hpp>

#include "rosterd/money/report.hpp"
#include "rosterd/notify/notify.hpp"

using namespace rosterd;
using namespace rosterd::money;

namespace {

constexpr std::int64_t kNow = 1'780'272'000'000;  // 2026-06-01T00:00:00Z

HistoryPoint point(std::string product, std::int64_t at, std::int64_t billable,
                   std::int64_t inactive) {
    HistoryPoint p;
    p.product = std::move(product);
    p.site = "a.example.net";
    p.at_ms = at;
    p.billable = billable;
    p.active = billable - inactive;
    p.inactive = inactive;
    p.currency = "EUR";
    p.monthly_cost = 10.0 * static_cast<double>(billable);
    p.inactive_monthly_cost = 10.0 * static_cast<double>(inactive);
    return p;
}

}  // namespace

TEST_CASE("the digest compares now with the newest point at least a week older",
          "[money][digest]") {
    const std::int64_t nine_days = kNow - 9 * kDayMs, eight_days = kNow - 8 * kDayMs,
                       six_days = kNow - 6 * kDayMs, today = kNow - 3'600'000;
    std::vector<HistoryPoint> history = {
        point("jira-software", nine_days, 100, 30), point("confluence", nine_days, 50, 10),
        point("jira-software", eight_days, 98, 28), point("confluence", eight_days, 50, 12),
        point("jira-software", six_days, 97, 20),   point("confluence", six_days, 49, 9),
        point("jira-software", today, 90, 15),      point("confluence", today, 48, 8)};
    Savings savings;
    savings.realised_monthly = 70.0;
    savings.realised_seats = 7;
    auto f = digest_figures(history, savings, kNow, 2);
    CHECK(f.currency == "EUR");
    CHECK(f.billable == 138);
    CHECK(f.active == 115);
    CHECK(f.inactive == 23);
    CHECK(*f.monthly_cost == Approx(1380.0));
    CHECK(*f.inactive_monthly_cost == Approx(230.0));
    REQUIRE(f.week_ago_at == eight_days);  // the newest point at or before now - 7 days
    CHECK(*f.billable_change == 138 - 148);
    CHECK(*f.inactive_change == 23 - 40);
    CHECK(*f.inactive_cost_change == Approx(-170.0));
    CHECK(*f.realised_monthly == Approx(70.0));
    CHECK(f.realised_seats == 7);
    CHECK(f.runs_this_week == 2);

    // A history younger than a week has no change to tell.
    auto young = digest_figures({point("jira-software", today, 90, 15)}, savings, kNow, 0);
    CHECK(young.billable == 90);
    CHECK_FALSE(young.week_ago_at.has_value());
    CHECK_FALSE(young.billable_change.has_value());
}

TEST_CASE("webhooks receive the digest only when they list it", "[money][digest][notify]") {
    WebhookConfig all;
    CHECK_FALSE(notify::wants_event(all, "digest"));
    CHECK(notify::wants_event(all, "sync_failed"));
    WebhookConfig listed;
    listed.events = {"digest"};
    CHECK(notify::wants_event(listed, "digest"));
}
