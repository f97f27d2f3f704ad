// Seat targets and seat alerts (issue 17) against rosterd-sim's ground truth: a task with
// keep_at_most takes exactly seats - N users, longest inactive first, and the truth's billable
// seats end at N; the cap still applies; a filter that leaves too few says so and reports
// seats_over_target. seats_near_capacity is sent once per crossing: not again at the next sync,
// not again after a restart, and again after the seats dropped below and came back.
#include <catch2/catch.hpp>

#include <optional>

#include "daemon_fixture.hpp"
#include "notify_helpers.hpp"
#include "org_truth.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

struct Seat {
    std::string id;
    std::optional<std::int64_t> last;  // last_active_ms on that seat; none: never active
};

// The truth's billable seats of `product` on `host`.
std::vector<Seat> billable_of(const rapidjson::Value& truth, const std::string& product,
                              const std::string& host) {
    std::vector<Seat> out;
    for (const auto& b : truth["billable"].GetArray()) {
        if (product != b["product"].GetString() || host != b["site"].GetString())
            continue;
        for (const auto& u : b["users"].GetArray())
            out.push_back({u["account_id"].GetString(),
                           u["last_active_ms"].IsNull()
                               ? std::nullopt
                               : std::optional<std::int64_t>(u["last_active_ms"].GetInt64())});
    }
    return out;
}

std::string resource_of(const rapidjson::Value& truth, const std::string& product,
                        const std::string& host, std::int64_t* capacity = nullptr) {
    for (const auto& s : truth["sites"].GetArray())
        if (host == s["host"].GetString())
            for (const auto& p : s["products"].GetArray())
                if (product == p["key"].GetString()) {
                    if (capacity)
                        *capacity = p["capacity"].IsNull() ? 0 : p["capacity"].GetInt64();
                    return p["resource_id"].GetString();
                }
    throw std::runtime_error("no " + product + " on " + host);
}

// rosterd never acts on org or site admins (nor apps, which are never billable).
bool is_protected(const TruthUser& u) {
    for (const auto& r : u.platform_roles)
        if (r == "atlassian/org-admin" || r == "atlassian/site-admin")
            return true;
    return false;
}

// The order a seat target takes users in, from the truth: never active first, then the oldest
// activity, ties by account id.
std::vector<std::string> inactivity_order(std::vector<Seat> seats, const Org& org) {
    std::sort(seats.begin(), seats.end(), [](const Seat& a, const Seat& b) {
        if (a.last.has_value() != b.last.has_value())
            return !a.last.has_value();
        if (a.last != b.last)
            return *a.last < *b.last;
        return a.id < b.id;
    });
    std::vector<std::string> out;
    for (const auto& s : seats)
        if (!is_protected(org.user(s.id)))
            out.push_back(s.id);
    return out;
}

std::vector<std::string> planned_in_order(const rapidjson::Value& run) {
    std::vector<std::string> out;
    for (const auto& u : run["results"].GetArray())
        if (u["operations"].Size() > 0)
            out.push_back(u["account_id"].GetString());
    return out;
}

std::string sink_yaml(const SimFixture& sim) {
    return "notifications:\n  webhooks:\n    - name: ops\n      url: " + sim.base_url() +
           "/sink/ops\n      format: json\n  delivery: {backoff_initial_ms: 50, backoff_max_s: "
           "1}\n";
}

// The json bodies of the sink's `event` deliveries whose data.`fact` is `value`.
std::vector<rapidjson::Document> sink_events(const SimFixture& sim, const std::string& event,
                                             const std::string& fact, const std::string& value) {
    std::vector<rapidjson::Document> out;
    auto sink = sink_deliveries(sim, "ops");
    if (!sink.IsArray())
        return out;
    for (const auto& d : sink.GetArray()) {
        auto body = body_of(d);
        if (body.IsObject() && event == body["event"].GetString() &&
            body["data"].HasMember(fact.c_str()) && value == body["data"][fact.c_str()].GetString())
            out.push_back(std::move(body));
    }
    return out;
}

}  // namespace

TEST_CASE(
    "a seat target takes exactly seats - N users, longest inactive first, and the cap and a "
    "filter with too few still hold",
    "[integration][ops][seats]") {
    SimFixture sim({"--users", "400", "--sites", "2", "--seed", "23"});
    auto truth = sim.truth();
    auto org = load(truth);
    const std::string host = org.first_host;
    auto seats = billable_of(truth, "jira-software", host);
    auto order = inactivity_order(seats, org);
    std::size_t never = 0;
    for (const auto& s : seats)
        never += !s.last && !is_protected(org.user(s.id)) ? 1 : 0;
    const auto total = static_cast<std::int64_t>(seats.size());
    REQUIRE(order.size() > 20);
    REQUIRE(never > 0);
    REQUIRE(never < order.size());
    const std::int64_t keep = total - 7;
    const std::string action = "remove-product-access:jira-software@" + host;
    auto task = [&](const std::string& name, const std::string& filter, std::int64_t at_most,
                    int cap) {
        return "  - name: " + name + "\n    filter: " + filter + "\n    actions: [" + action +
               "]\n    schedule: daily 03:00\n    mode: apply\n    enabled: false\n    "
               "max_users: " +
               std::to_string(cap) + "\n    keep_at_most: " + std::to_string(at_most) + "\n";
    };
    const std::string scope = "{product: jira-software, site: " + host + "}";
    std::string yaml =
        sim.atlassian_yaml() + sink_yaml(sim) + "tasks:\n" + task("keep-jira", scope, keep, 1000) +
        task("keep-jira-capped", scope, keep, 5) +
        task("keep-jira-never", "{product: jira-software, site: " + host + ", never-active: true}",
             0, 1000);
    DaemonFixture daemon(yaml);
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    wait_quiet(daemon);
    sim.clear_requests();

    // Too few: only never-active users match; the target (0) is missed by what they cannot free.
    auto few = daemon.ctl_json({"tasks", "run", "keep-jira-never"});
    CHECK(std::string(few["state"].GetString()) == "planned");
    const auto& ft = few["seat_target"];
    CHECK(ft["seats"].GetInt64() == total);
    CHECK(ft["over"].GetInt64() == total);
    CHECK(ft["candidates"].GetInt64() == static_cast<std::int64_t>(never));
    CHECK(ft["taken"].GetInt64() == static_cast<std::int64_t>(never));
    CHECK(ft["freed"].GetInt64() == static_cast<std::int64_t>(never));
    CHECK(ft["short_by"].GetInt64() == total - static_cast<std::int64_t>(never));
    CHECK(ft["too_few"].GetBool());
    CHECK(planned_in_order(few) ==
          std::vector<std::string>(order.begin(), order.begin() + static_cast<long>(never)));
    auto few_text = daemon.ctl({"tasks", "run", "keep-jira-never"});
    CHECK_THAT(few_text.out, Catch::Contains("the filter leaves too few: the target is missed by " +
                                             std::to_string(total - never) + " seats"));
    REQUIRE(wait_until(
        [&] { return !sink_events(sim, "seats_over_target", "task", "keep-jira-never").empty(); },
        std::chrono::seconds(30)));
    auto over_events = sink_events(sim, "seats_over_target", "task", "keep-jira-never");
    const auto& over_event = over_events[0];
    CHECK(std::string(over_event["data"]["over_after"].GetString()) ==
          std::to_string(total - never));
    CHECK(std::string(over_event["data"]["site"].GetString()) == host);

    // The cap: seven users are needed, the task may act on five.
    auto capped = daemon.ctl({"tasks", "run", "keep-jira-capped", "--apply"});
    CHECK(capped.exit_code == 1);
    CHECK_THAT(ctl_text(capped), Catch::Contains("acts on 7 users, more than the cap of 5"));
    CHECK(mutations(sim).empty());

    // The dry run: exactly the seven longest inactive, in that order.
    auto dry = daemon.ctl_json({"tasks", "run", "keep-jira"});
    const auto& dt = dry["seat_target"];
    CHECK(dt["seats"].GetInt64() == total);
    CHECK(dt["target"].GetInt64() == keep);
    CHECK(dt["over"].GetInt64() == 7);
    CHECK(dt["taken"].GetInt64() == 7);
    CHECK(dt["freed"].GetInt64() == 7);
    CHECK(dt["short_by"].GetInt64() == 0);
    CHECK_FALSE(dt["too_few"].GetBool());
    CHECK(dt["candidates"].GetInt64() == static_cast<std::int64_t>(order.size()));
    const std::vector<std::string> seven(order.begin(), order.begin() + 7);
    CHECK(planned_in_order(dry) == seven);
    CHECK(mutations(sim).empty());

    // Applied: the truth's billable seats end at exactly N, the seven gone.
    auto applied = daemon.ctl_json({"tasks", "run", "keep-jira", "--apply"});
    CHECK(std::string(applied["state"].GetString()) == "succeeded");
    CHECK(applied["ok"].GetInt64() == 7);
    wait_quiet(daemon);
    auto after = billable_of(sim.truth(), "jira-software", host);
    CHECK(static_cast<std::int64_t>(after.size()) == keep);
    std::set<std::string> left;
    for (const auto& s : after)
        left.insert(s.id);
    for (const auto& id : seven)
        CHECK(left.count(id) == 0);
    auto shown = daemon.ctl_json({"runs", "show", applied["id"].GetString()});
    CHECK(shown["seat_target"]["over_after"].GetInt64() == 0);
    auto text = daemon.ctl({"runs", "show", applied["id"].GetString()});
    CHECK_THAT(text.out, Catch::Contains("seat target: jira-software on " + host + " at most " +
                                         std::to_string(keep) + ": " + std::to_string(total) +
                                         " billable seats, 7 over; takes 7 users"));
    // Reached: no seats_over_target for it.
    CHECK(sink_events(sim, "seats_over_target", "task", "keep-jira").empty());
    // At the target now: a second run takes no one.
    auto again = daemon.ctl_json({"tasks", "run", "keep-jira"});
    CHECK(again["seat_target"]["seats"].GetInt64() == keep);
    CHECK(again["seat_target"]["taken"].GetInt64() == 0);
    CHECK(planned_in_order(again).empty());
}

TEST_CASE(
    "seats_near_capacity is sent once per crossing: not at the next sync, not after a restart, "
    "again after dropping below",
    "[integration][seats][notify]") {
    SimFixture sim({"--users", "300", "--sites", "1", "--seed", "29"});
    auto truth = sim.truth();
    auto org = load(truth);
    const std::string host = org.first_host;
    std::int64_t capacity = 0;
    const auto resource = resource_of(truth, "jira-software", host, &capacity);
    const auto seats = static_cast<std::int64_t>(billable_of(truth, "jira-software", host).size());
    REQUIRE(capacity > 0);
    const std::int64_t at = seats * 100 / capacity;  // the seats sit just at the threshold
    REQUIRE(at >= 1);
    DaemonFixture daemon(sim.atlassian_yaml() + sink_yaml(sim) +
                         "alerts:\n  seats: {at_percent: " + std::to_string(at) + "}\n");
    auto evaluations = [&] {
        return daemon.ctl_json({"status"})["alerts"]["evaluations"].GetInt64();
    };
    // Every event recorded so far has reached the sink.
    auto settled = [&] {
        REQUIRE(wait_until(
            [&] {
                return daemon.ctl_json({"notify", "list", "--state", "pending"})["deliveries"]
                           .Size() == 0;
            },
            std::chrono::seconds(30)));
    };
    auto alerts = [&] { return sink_events(sim, "seats_near_capacity", "resource_id", resource); };
    auto sync_and_judge = [&] {
        auto before = evaluations();
        REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
        REQUIRE(wait_until([&] { return evaluations() > before; }, std::chrono::seconds(30)));
        settled();
    };

    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    REQUIRE(wait_until([&] { return alerts().size() == 1; }, std::chrono::seconds(30)));
    auto first = alerts();
    const auto& data = first[0]["data"];
    CHECK(std::string(data["seats"].GetString()) == std::to_string(seats));
    CHECK(std::string(data["capacity"].GetString()) == std::to_string(capacity));
    CHECK(std::string(data["at_percent"].GetString()) == std::to_string(at));
    CHECK(std::string(data["site"].GetString()) == host);
    CHECK(std::string(data["crossing"].GetString()) == "1");

    sync_and_judge();  // the next sync: still above, nothing new
    CHECK(alerts().size() == 1);

    REQUIRE(daemon.stop() == 0);
    daemon.start();
    REQUIRE(wait_until([&] { return evaluations() >= 1; }, std::chrono::seconds(30)));
    sync_and_judge();
    CHECK(alerts().size() == 1);

    // Below the threshold: suspend just enough billable users, then undo.
    std::int64_t drop = 1;
    while ((seats - drop) * 100 >= capacity * at)
        ++drop;
    std::vector<std::string> chosen;
    for (const auto& s : billable_of(truth, "jira-software", host))
        if (static_cast<std::int64_t>(chosen.size()) < drop && ordinary(org.user(s.id)))
            chosen.push_back(s.id);
    REQUIRE(static_cast<std::int64_t>(chosen.size()) == drop);
    wait_quiet(daemon);
    auto before = evaluations();
    auto run = daemon.ctl_json({"bulk", "suspend", "--users", joined(chosen), "--apply",
                                "--max-users", std::to_string(drop)});
    REQUIRE(std::string(run["state"].GetString()) == "succeeded");
    wait_quiet(daemon);  // the run's own sync
    REQUIRE(wait_until([&] { return evaluations() > before; }, std::chrono::seconds(30)));
    settled();
    CHECK(alerts().size() == 1);
    CHECK(static_cast<std::int64_t>(billable_of(sim.truth(), "jira-software", host).size()) ==
          seats - drop);

    before = evaluations();
    auto undo = daemon.ctl_json({"runs", "undo", run["id"].GetString(), "--apply"});
    REQUIRE(std::string(undo["state"].GetString()) == "succeeded");
    wait_quiet(daemon);
    REQUIRE(wait_until([&] { return evaluations() > before; }, std::chrono::seconds(30)));
    REQUIRE(wait_until([&] { return alerts().size() == 2; }, std::chrono::seconds(30)));
    CHECK(std::string(alerts()[1]["data"]["crossing"].GetString()) == "2");
    sync_and_judge();
    CHECK(alerts().size() == 2);
}
