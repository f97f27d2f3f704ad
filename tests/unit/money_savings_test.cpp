// Realised savings over the hand-made snapshot of query_fixture.hpp and a journal written here:
// which seats count (still removed now), which do not (given back, unchanged, undone), and their
// price at a band boundary.
//   jira-software@a billable: Ann, Bob, cid, Fay (4); jira-software@b: Fay, Gus, Hal (3);
//   Dee (acc-04) is suspended and keeps her jira-software@a user role (not billable).
#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/money/money.hpp"

using namespace rosterd;
using namespace rosterd::money;

namespace {

JournalUser revoked(std::string id, std::string resource, bool changed = true) {
    return {std::move(id), changed, false, {std::move(resource)}, false};
}

std::vector<JournalRun> journal() {
    return {
        // Ann loses jira@b (she never had it again); Bob loses jira@a but holds it again now.
        {"r1",
         "bulk",
         "",
         "",
         "succeeded",
         test::kQueryNow - 5 * kDayMs,
         {revoked("acc-01", test::kJiraB), revoked("acc-02", test::kJiraA)}},
        // Dee suspended: her jira@a seat.
        {"r2",
         "task",
         "reclaim",
         "",
         "succeeded",
         test::kQueryNow - 3 * kDayMs,
         {{"acc-04", true, true, {}, false}}},
        // Nothing changed for Eve: no seat.
        {"r3",
         "bulk",
         "",
         "",
         "nothing_to_do",
         test::kQueryNow - 2 * kDayMs,
         {revoked("acc-05", test::kConfluenceA, false)}},
    };
}

struct Fixture {
    test::QuerySnapshot snapshot;
    std::shared_ptr<const query::SnapshotIndex> index = query::load_snapshot_index(snapshot.db());

    Savings savings(const query::Pricing& pricing, const std::vector<JournalRun>& runs,
                    std::optional<std::int64_t> since = std::nullopt) {
        query::DashboardOptions options;
        options.now_ms = test::kQueryNow;
        options.pricing = pricing;
        auto dashboard = query::compute_dashboard(*index, options);
        return compute_savings(*index, dashboard, runs, pricing, since);
    }
};

query::Pricing flat() {
    query::Pricing p;
    p.currency = "EUR";
    p.per_seat["jira-software"] = 7.5;
    return p;
}

}  // namespace

TEST_CASE("realised savings count the seats runs removed that are still removed",
          "[money][savings]") {
    Fixture f;
    auto s = f.savings(flat(), journal());
    CHECK(s.currency == "EUR");
    CHECK(s.realised_seats == 2);
    CHECK(*s.realised_monthly == Approx(15.0));
    // Potential: the inactive seats now, jira@a 1 and jira@b 2, at 7.50.
    CHECK(s.inactive_seats == 4);  // with confluence's Ann (no price)
    CHECK(*s.potential_monthly == Approx(22.5));
    REQUIRE(s.by_product.size() == 2);
    CHECK(s.by_product[0].site == "a.example.net");
    CHECK(s.by_product[0].seats == 1);
    CHECK(*s.by_product[0].monthly == Approx(7.5));
    CHECK(s.by_product[1].site == "b.example.net");
    CHECK(s.by_product[1].seats == 1);
    REQUIRE(s.runs.size() == 2);  // newest first; r3 changed nothing
    CHECK(s.runs[0].run_id == "r2");
    CHECK(s.runs[0].task == "reclaim");
    CHECK(s.runs[0].total_seats() == 1);
    CHECK(s.runs[1].run_id == "r1");
    CHECK(s.runs[1].total_seats() == 1);  // Bob's seat is held again
    CHECK(*s.runs[1].monthly() == Approx(7.5));
    CHECK(s.by_task.at("reclaim").seats == 1);
    CHECK(s.by_task.at("").seats == 1);
}

TEST_CASE("an undo gives the seats back, and --since leaves older runs out", "[money][savings]") {
    Fixture f;
    auto runs = journal();
    runs.push_back({"r4",
                    "undo",
                    "",
                    "r1",
                    "succeeded",
                    test::kQueryNow - kDayMs,
                    {{"acc-01", true, false, {}, true}}});
    auto s = f.savings(flat(), runs);
    CHECK(s.realised_seats == 1);
    CHECK(*s.realised_monthly == Approx(7.5));
    REQUIRE(s.runs.size() == 1);
    CHECK(s.runs[0].run_id == "r2");

    auto recent = f.savings(flat(), journal(), test::kQueryNow - 4 * kDayMs);
    CHECK(recent.realised_seats == 1);
    REQUIRE(recent.runs.size() == 1);
    CHECK(recent.runs[0].run_id == "r2");
}

TEST_CASE("a removed seat is priced as what the subscription would cost with it again",
          "[money][savings]") {
    Fixture f;
    query::Pricing tiers;
    tiers.currency = "EUR";
    tiers.tiers["jira-software"] = PriceTiers{false, {{3, 10.0}, {std::nullopt, 6.0}}};
    auto s = f.savings(tiers, journal());
    CHECK(s.realised_seats == 2);
    REQUIRE(s.by_product.size() == 2);
    // jira@a: 4 billable now, 5 with Dee's seat: 30 - 24 = 6 saved.
    CHECK(*s.by_product[0].monthly == Approx(6.0));
    // jira@b: 3 now at 10.00 (30), 4 with Ann's seat at 6.00 (24): removing it cost 6 more.
    CHECK(*s.by_product[1].monthly == Approx(-6.0));
    CHECK(*s.realised_monthly == Approx(0.0));
    CHECK(*s.potential_monthly == Approx(14.0));  // -6 on a, +20 on b
}

TEST_CASE("without pricing, savings count seats and no money", "[money][savings]") {
    Fixture f;
    auto s = f.savings({}, journal());
    CHECK(s.realised_seats == 2);
    CHECK_FALSE(s.realised_monthly.has_value());
    CHECK_FALSE(s.potential_monthly.has_value());
}
