// Seat targets (a task's keep_at_most, issue 17) over the hand-made snapshot of query_fixture.hpp:
// the order of inactivity, the cut of the plan to what the target needs, protected users never
// counted, the too-few case; and the keep_at_most key in the configuration.
//
// jira-software on a.example.net holds 4 billable seats: acc-02 (product admin, never active),
// acc-03 (never), acc-07 (29 days ago; a site admin: protected), acc-01 (5 days ago). On
// b.example.net 3: acc-07 (31 days), acc-08 (30 days), acc-09 (never).
#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/ops/seat_target.hpp"

using namespace rosterd;
using namespace rosterd::ops;
using rosterd::test::QuerySnapshot;

namespace {

struct Fixture {
    QuerySnapshot snapshot;
    std::shared_ptr<const query::SnapshotIndex> index = query::load_snapshot_index(snapshot.db());
    GroupGrants grants;
    Config::Protect protect;

    std::vector<std::uint32_t> everyone() const {
        std::vector<std::uint32_t> all;
        for (std::uint32_t u = 0; u < index->users.size(); ++u)
            all.push_back(u);
        return all;
    }
    std::vector<std::string> ids(const std::vector<std::uint32_t>& users) const {
        std::vector<std::string> out;
        for (auto u : users)
            out.emplace_back(index->users[u].account_id);
        return out;
    }
    // The plan a task with this target and action makes over every user.
    std::pair<Plan, SeatTargetOutcome> plan(const SeatTarget& target, const std::string& action) {
        auto ordered = order_for_target(*index, everyone(), target);
        auto plan = build_plan(*index, grants, ordered, {parse_action(action)}, protect);
        auto outcome = apply_seat_target(*index, target, plan);
        return {std::move(plan), outcome};
    }
};

std::vector<std::string> acting(const Plan& plan) {
    std::vector<std::string> out;
    for (const auto& u : plan.users)
        if (!u.steps.empty())
            out.push_back(u.account_id);
    return out;
}

using Ids = std::vector<std::string>;

}  // namespace

TEST_CASE("seat target: never active first, then oldest activity, ties by account id",
          "[ops][seats]") {
    Fixture f;
    SeatTarget on_a{0, "jira-software", "a.example.net"};
    CHECK(f.ids(order_for_target(*f.index, f.everyone(), on_a)) ==
          Ids{"acc-02", "acc-03", "acc-07", "acc-01"});
    CHECK(count_target_seats(*f.index, on_a) == 4);
    // Every site together: activity is the latest on any of the product's seats (acc-07: 29
    // days, not 31), and users without a seat (suspended acc-04, the app acc-06) are no one's.
    SeatTarget everywhere{0, "jira-software", ""};
    CHECK(f.ids(order_for_target(*f.index, f.everyone(), everywhere)) ==
          Ids{"acc-02", "acc-03", "acc-09", "acc-08", "acc-07", "acc-01"});
    CHECK(count_target_seats(*f.index, everywhere) == 7);
    CHECK(target_seats(*f.index, *f.index->find_user("acc-07"), everywhere) == 2);
    CHECK(target_activity(*f.index, *f.index->find_user("acc-07"), everywhere) ==
          test::days_ago(29));
    CHECK(target_activity(*f.index, *f.index->find_user("acc-02"), everywhere) ==
          query::kNoInstant);
    // Only the users given are ordered (the task's filter chose them).
    std::vector<std::uint32_t> some{*f.index->find_user("acc-01"), *f.index->find_user("acc-03")};
    CHECK(f.ids(order_for_target(*f.index, some, on_a)) == Ids{"acc-03", "acc-01"});
}

TEST_CASE("seat target: the plan takes exactly seats - N users, protected users never count",
          "[ops][seats]") {
    Fixture f;
    const std::string action = "remove-product-access:jira-software@a.example.net";

    SECTION("two over: the two longest inactive") {
        auto [plan, o] = f.plan({2, "jira-software", "a.example.net"}, action);
        CHECK(acting(plan) == Ids{"acc-02", "acc-03"});
        CHECK(o.seats == 4);
        CHECK(o.over == 2);
        CHECK(o.taken == 2);
        CHECK(o.freed == 2);
        CHECK(o.candidates == 3);  // acc-07 is a site admin: not a candidate
        CHECK(o.not_needed == 1);
        CHECK(o.short_by == 0);
        CHECK(o.reached());
        // The protected user stays in the plan as skipped, with the reason.
        REQUIRE(plan.users.size() == 3);
        CHECK(plan.users[2].account_id == "acc-07");
        CHECK(plan.users[2].skipped == "protected: site admin");
    }
    SECTION("three over: the protected one is passed over for the next") {
        auto [plan, o] = f.plan({1, "jira-software", "a.example.net"}, action);
        CHECK(acting(plan) == Ids{"acc-02", "acc-03", "acc-01"});
        CHECK(o.taken == 3);
        CHECK(o.short_by == 0);
    }
    SECTION("listed under protect.users: not a candidate either") {
        f.protect.users = {"acc-02"};
        auto [plan, o] = f.plan({2, "jira-software", "a.example.net"}, action);
        CHECK(acting(plan) == Ids{"acc-03", "acc-01"});
        CHECK(o.candidates == 2);
    }
    SECTION("the filter leaves too few: all candidates, and by how much it misses") {
        auto [plan, o] = f.plan({0, "jira-software", "a.example.net"}, action);
        CHECK(acting(plan) == Ids{"acc-02", "acc-03", "acc-01"});
        CHECK(o.over == 4);
        CHECK(o.freed == 3);
        CHECK(o.short_by == 1);
        CHECK_FALSE(o.reached());
        CHECK(seats_left_over(o, {"acc-02", "acc-03", "acc-01"}) == 1);
        CHECK(seats_left_over(o, {"acc-02"}) == 3);  // two failed: still three over
    }
    SECTION("at or under the target: no one is taken") {
        auto [plan, o] = f.plan({4, "jira-software", "a.example.net"}, action);
        CHECK(acting(plan).empty());
        CHECK(o.over == 0);
        CHECK(o.taken == 0);
        CHECK(o.not_needed == 3);
        CHECK(o.reached());
    }
}

TEST_CASE("seat target over every site: a user frees each seat they hold", "[ops][seats]") {
    Fixture f;
    auto [plan, o] = f.plan({3, "jira-software", ""}, "remove-product-access:jira-software");
    CHECK(o.seats == 7);
    CHECK(o.over == 4);
    CHECK(acting(plan) == Ids{"acc-02", "acc-03", "acc-09", "acc-08"});
    CHECK(o.freed == 4);
    CHECK(o.seats_of == std::map<std::string, std::int64_t>{
                            {"acc-02", 1}, {"acc-03", 1}, {"acc-08", 1}, {"acc-09", 1}});
}

TEST_CASE("keep_at_most: both forms, product and site from the action or the filter",
          "[config][seats]") {
    auto task = [](const std::string& body) {
        return parse_config("tasks:\n  - name: t\n    schedule: every 1h\n" + body, "test.yaml")
            .tasks.at(0);
    };
    auto t = task(
        "    filter: {inactive-days: 60}\n"
        "    actions: [remove-product-access:jira-software@acme.atlassian.net]\n"
        "    keep_at_most: 40\n");
    REQUIRE(t.keep_at_most);
    CHECK(*t.keep_at_most == SeatTarget{40, "jira-software", "acme.atlassian.net"});
    t = task(
        "    filter: {product: confluence, site: acme-eu.atlassian.net}\n"
        "    actions: [suspend]\n    keep_at_most: 0\n");
    CHECK(*t.keep_at_most == SeatTarget{0, "confluence", "acme-eu.atlassian.net"});
    t = task(
        "    filter: {inactive-days: 60}\n"
        "    actions: [remove-product-access:jira-software]\n"
        "    keep_at_most: {seats: 25, site: acme.atlassian.net}\n");
    CHECK(*t.keep_at_most == SeatTarget{25, "jira-software", "acme.atlassian.net"});
    t = task(
        "    filter: {inactive-days: 60}\n"
        "    actions: [suspend]\n    keep_at_most: {seats: 9, product: confluence}\n");
    CHECK(*t.keep_at_most == SeatTarget{9, "confluence", ""});
    CHECK_FALSE(task("    filter: {status: active}\n    actions: [suspend]\n").keep_at_most);

    auto error = [](const std::string& body) -> ConfigError {
        try {
            parse_config("tasks:\n  - name: t\n    schedule: every 1h\n" + body, "test.yaml");
        } catch (const ConfigError& e) {
            return e;
        }
        FAIL("expected a ConfigError");
        throw;
    };
    auto e = error("    filter: {status: active}\n    actions: [suspend]\n    keep_at_most: 5\n");
    CHECK(e.line() == 6);
    CHECK(e.key_path() == "tasks[0].keep_at_most");
    CHECK_THAT(e.detail(), Catch::StartsWith("which product's seats?"));
    e = error(
        "    filter: {product: jira-software}\n    actions: [add-to-groups:parked]\n"
        "    keep_at_most: 5\n");
    CHECK_THAT(e.detail(),
               Catch::StartsWith("no action of the task frees a seat of jira-software"));
    e = error(
        "    filter: {status: active}\n"
        "    actions: [remove-product-access:jira-software@a.atlassian.net]\n"
        "    keep_at_most: {seats: 5, site: b.atlassian.net}\n");
    CHECK_THAT(e.detail(), Catch::Contains("on b.atlassian.net"));
    e = error("    filter: {status: active}\n    actions: [suspend]\n    keep_at_most: -1\n");
    CHECK(e.key_path() == "tasks[0].keep_at_most");
    e = error(
        "    filter: {status: active}\n    actions: [suspend]\n"
        "    keep_at_most: {product: confluence}\n");
    CHECK(e.detail() == "missing required key 'seats'");
}
