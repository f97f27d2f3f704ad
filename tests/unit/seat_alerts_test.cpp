// seats_near_capacity (issue 17): the levels a snapshot reports and the crossing logic, once per
// crossing and re-armed below the threshold.
#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/seats/seat_alerts.hpp"

using namespace rosterd;
using namespace rosterd::seats;

TEST_CASE("seat levels: billable seats against each product's capacity", "[seats]") {
    test::QuerySnapshot snapshot;
    auto index = query::load_snapshot_index(snapshot.db());
    // Confluence reports no capacity: no level.
    auto levels = seat_levels(*index);
    REQUIRE(levels.size() == 2);
    CHECK(levels[0] == SeatLevel{test::kJiraA, "jira-software", "a.example.net", 4, 100});
    CHECK(levels[1] == SeatLevel{test::kJiraB, "jira-software", "b.example.net", 3, 50});
    CHECK(percent_of_capacity(levels[1]) == 6);
    CHECK(near_capacity({"r", "p", "s", 95, 100}, 95));
    CHECK_FALSE(near_capacity({"r", "p", "s", 94, 100}, 95));
    CHECK(near_capacity({"r", "p", "s", 19, 20}, 95));  // exactly 95 %
    CHECK_FALSE(near_capacity({"r", "p", "s", 5, 0}, 1));
}

TEST_CASE("seat alerts: one announcement per crossing, re-armed below the threshold", "[seats]") {
    std::map<std::string, AlertState> states;
    auto at = [](std::int64_t seats) {
        return std::vector<SeatLevel>{{"res-1", "jira-software", "a", seats, 100}};
    };
    auto step = step_alerts(states, at(80), 90);
    CHECK(step.above.empty());
    CHECK(step.states["res-1"] == AlertState{false, 0});

    step = step_alerts(step.states, at(91), 90);  // crossing 1
    REQUIRE(step.above.size() == 1);
    CHECK(step.above[0].second == 1);
    step = step_alerts(step.states, at(95), 90);  // still above: still crossing 1 (sent once)
    REQUIRE(step.above.size() == 1);
    CHECK(step.above[0].second == 1);
    step = step_alerts(step.states, at(89), 90);  // below: re-armed
    CHECK(step.above.empty());
    CHECK(step.states["res-1"] == AlertState{false, 1});
    step = step_alerts(step.states, at(90), 90);  // crossing 2
    REQUIRE(step.above.size() == 1);
    CHECK(step.above[0].second == 2);
    // A resource the snapshot no longer reports keeps its state.
    auto gone = step_alerts(step.states, {}, 90);
    CHECK(gone.states["res-1"] == AlertState{true, 2});
    CHECK(gone.above.empty());
}

TEST_CASE("alerts.seats.at_percent loads and is checked", "[config][seats]") {
    CHECK_FALSE(parse_config("", "t.yaml").alerts.seats_at_percent);
    CHECK(parse_config("alerts:\n  seats: {at_percent: 95}\n", "t.yaml").alerts.seats_at_percent ==
          95);
    try {
        parse_config("alerts:\n  seats: {at_percent: 0}\n", "t.yaml");
        FAIL("expected a ConfigError");
    } catch (const ConfigError& e) {
        CHECK(e.key_path() == "alerts.seats.at_percent");
    }
}
