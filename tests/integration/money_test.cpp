// Seat history and savings against rosterd-sim across several syncs and runs, with exact
// figures: a remove-product-access run and a suspend reclaim seats, one of them across a price
// band boundary; an undo gives seats back and the realised savings fall back.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "daemon_fixture.hpp"
#include "org_truth.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

struct Resource {
    std::string key, host;
};

std::map<std::string, Resource> resources_of(const rapidjson::Document& truth) {
    std::map<std::string, Resource> out;
    for (const auto& s : truth["sites"].GetArray())
        for (const auto& p : s["products"].GetArray())
            out[p["resource_id"].GetString()] = {p["key"].GetString(), s["host"].GetString()};
    return out;
}

// Billable per "product@site", from a dashboard answer.
std::map<std::string, std::int64_t> billable_of(const rapidjson::Value& dashboard) {
    std::map<std::string, std::int64_t> out;
    for (const auto& p : dashboard["products"].GetArray())
        for (const auto& s : p["sites"].GetArray())
            out[std::string(p["product"].GetString()) + "@" + s["site"].GetString()] =
                s["total"].GetInt64();
    return out;
}

// The newest history point of each product and site equals the dashboard's figures.
void check_history_is_dashboard(const rapidjson::Value& history, const rapidjson::Value& dashboard,
                                std::size_t syncs) {
    std::set<std::int64_t> times;
    std::map<std::string, const rapidjson::Value*> newest;
    for (const auto& p : history["points"].GetArray()) {
        times.insert(p["at_ms"].GetInt64());
        newest[std::string(p["product"].GetString()) + "@" + p["site"].GetString()] = &p;
    }
    CHECK(times.size() == syncs);
    std::size_t sites = 0;
    for (const auto& p : dashboard["products"].GetArray())
        for (const auto& s : p["sites"].GetArray()) {
            ++sites;
            auto key = std::string(p["product"].GetString()) + "@" + s["site"].GetString();
            INFO(key);
            REQUIRE(newest.count(key));
            const auto& h = *newest[key];
            CHECK(h["snapshot"].GetInt64() == dashboard["snapshot"].GetInt64());
            CHECK(h["billable"].GetInt64() == s["total"].GetInt64());
            CHECK(h["active"].GetInt64() == s["active"].GetInt64());
            CHECK(h["inactive"].GetInt64() == s["inactive"].GetInt64());
            CHECK(h["inactive_days"].GetInt() == p["inactive_days"].GetInt());
            if (s["capacity"].IsNull())
                CHECK(h["capacity"].IsNull());
            else
                CHECK(h["capacity"].GetInt64() == s["capacity"].GetInt64());
        }
    CHECK(newest.size() == sites);
}

// Each published snapshot adds one point in time: every successful sync, and the refresh after
// each applying run (outcome `refreshed`). How many there were is read from the sync history:
// the start-up sync may finish before `sync --wait` asks, which then starts one more.
std::size_t succeeded_syncs(const DaemonFixture& daemon) {
    std::size_t n = 0;
    auto history = daemon.ctl_json({"sync", "history", "-n", "100"});
    for (const auto& run : history["runs"].GetArray()) {
        const std::string outcome = run["outcome"].GetString();
        n += outcome == "succeeded" || outcome == "refreshed";
    }
    return n;
}

const char* kFlat = R"(
inactivity:
  days: 30
ops:
  max_users: 10
pricing:
  currency: EUR
  monthly_per_seat:
    jira-software: 7.5
)";

}  // namespace

TEST_CASE("history and savings over syncs, runs and an undo, across a price band",
          "[integration][money]") {
    SimFixture sim({"--users", "240", "--sites", "2", "--products-per-site", "2", "--seed", "18"});
    DaemonFixture daemon(sim.atlassian_yaml() + kFlat);
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    auto truth_doc = sim.truth();
    auto org = load(truth_doc);
    auto resources = resources_of(truth_doc);
    const std::string host = org.first_host;
    const std::string jira = org.jira_resource_of_host.at(host);
    std::string confluence;
    for (const auto& [id, r] : resources)
        if (r.key == "confluence" && r.host == host)
            confluence = id;
    REQUIRE_FALSE(confluence.empty());

    auto d1 = daemon.ctl_json({"dashboard"});
    check_history_is_dashboard(daemon.ctl_json({"history"}), d1, succeeded_syncs(daemon));
    const auto billable1 = billable_of(d1);
    const std::int64_t C = billable1.at("confluence@" + host);
    REQUIRE(C > 2);

    // Confluence by tiers: the first site sits on the first seat of the cheaper band, so one
    // seat fewer moves it into the dearer one (C seats at 8.00, C - 1 at 10.00).
    auto bands = [&](std::int64_t n) { return n <= C - 1 ? 10.0 : 8.0; };
    auto cost = [&](const std::string& product, std::int64_t n) {
        return product == "jira-software" ? 7.5 * n : bands(n) * n;
    };
    daemon.rewrite_config(
        sim.atlassian_yaml() + kFlat + "  tiers:\n    confluence:\n" +
        "      billing: monthly\n      bands:\n        - up_to: " + std::to_string(C - 1) +
        "\n          per_seat: 10\n" + "        - per_seat: 8\n");
    REQUIRE(daemon.ctl({"reload"}).exit_code == 0);

    // Two users with a direct Jira grant on the first site (no group grants it), and one user
    // whose only billable seat is Confluence there, to suspend.
    std::vector<std::string> direct;
    std::string suspended;
    for (const auto& u : org.users) {
        if (!ordinary(u))
            continue;
        bool grouped = false;
        for (const auto& g : u.groups)
            grouped = grouped || org.groups.at(g).resources.count(jira) > 0;
        auto role = u.access.count(jira) ? u.access.at(jira) : "";
        if (direct.size() < 2 && role == "atlassian/user" && !grouped && u.via.at(jira) == "direct")
            direct.push_back(u.id);
        else if (suspended.empty() && u.access.size() == 1 && u.access.count(confluence) &&
                 u.access.at(confluence) == "atlassian/user")
            suspended = u.id;
    }
    REQUIRE(direct.size() == 2);
    REQUIRE_FALSE(suspended.empty());

    auto removal = daemon.ctl_json({"bulk", "remove-product-access:jira-software@" + host,
                                    "--users", joined(direct), "--apply"});
    REQUIRE(std::string(removal["state"].GetString()) == "succeeded");
    const std::string removal_id = removal["id"].GetString();
    wait_quiet(daemon);
    auto suspend = daemon.ctl_json({"bulk", "suspend", "--users", suspended, "--apply"});
    REQUIRE(std::string(suspend["state"].GetString()) == "succeeded");
    const std::string suspend_id = suspend["id"].GetString();
    wait_quiet(daemon);

    auto d3 = daemon.ctl_json({"dashboard"});
    check_history_is_dashboard(daemon.ctl_json({"history"}), d3, succeeded_syncs(daemon));
    auto billable3 = billable_of(d3);
    CHECK(billable3.at("jira-software@" + host) == billable1.at("jira-software@" + host) - 2);
    CHECK(billable3.at("confluence@" + host) == C - 1);

    auto s = daemon.ctl_json({"savings"});
    INFO(compact(s));
    CHECK(s["realised_seats"].GetInt64() == 3);
    // Jira: 2 x 7.50. Confluence: C seats at 8.00 against C - 1 at 10.00: 10 - 2C (a loss).
    const double jira_saved = 15.0;
    const double confluence_saved = cost("confluence", C) - cost("confluence", C - 1);
    CHECK(confluence_saved == Approx(10.0 - 2.0 * static_cast<double>(C)));
    CHECK(s["realised_monthly"].GetDouble() == Approx(jira_saved + confluence_saved));
    CHECK(s["potential_monthly"].GetDouble() == Approx(d3["inactive_monthly_cost"].GetDouble()));
    REQUIRE(s["runs"].Size() == 2);
    CHECK(std::string(s["runs"][0]["run_id"].GetString()) == suspend_id);
    CHECK(s["runs"][0]["seats"].GetInt64() == 1);
    CHECK(s["runs"][0]["monthly"].GetDouble() == Approx(confluence_saved));
    CHECK(std::string(s["runs"][1]["run_id"].GetString()) == removal_id);
    CHECK(s["runs"][1]["seats"].GetInt64() == 2);
    CHECK(s["runs"][1]["monthly"].GetDouble() == Approx(jira_saved));

    // The undo gives the two Jira seats back: only the suspend's seat still counts.
    auto undo = daemon.ctl_json({"runs", "undo", removal_id, "--apply"});
    REQUIRE(std::string(undo["state"].GetString()) == "succeeded");
    wait_quiet(daemon);
    auto d4 = daemon.ctl_json({"dashboard"});
    check_history_is_dashboard(daemon.ctl_json({"history"}), d4, succeeded_syncs(daemon));
    CHECK(billable_of(d4).at("jira-software@" + host) == billable1.at("jira-software@" + host));
    auto after = daemon.ctl_json({"savings"});
    CHECK(after["realised_seats"].GetInt64() == 1);
    CHECK(after["realised_monthly"].GetDouble() == Approx(confluence_saved));
    REQUIRE(after["runs"].Size() == 1);
    CHECK(std::string(after["runs"][0]["run_id"].GetString()) == suspend_id);

    // History filters and CSV.
    auto jira_points = daemon.ctl_json({"history", "--product", "jira-software", "--site", host});
    const auto syncs = succeeded_syncs(daemon);
    CHECK(syncs >= 4);  // the first sync, a refresh after each of the three runs (and perhaps the
                        // start-up sync)
    CHECK(jira_points["points"].Size() == syncs);
    auto csv =
        daemon.ctl({"history", "--format", "csv", "--product", "confluence", "--site", host});
    REQUIRE(csv.exit_code == 0);
    CHECK(csv.out.rfind("at,product,site,inactive_days,billable,active,inactive,capacity,"
                        "currency,monthly_cost,inactive_monthly_cost\r\n",
                        0) == 0);
    CHECK(static_cast<std::size_t>(std::count(csv.out.begin(), csv.out.end(), '\n')) == syncs + 1);
    auto tomorrow = daemon.ctl_json({"savings", "--since", "2999-01-01"});
    CHECK(tomorrow["realised_seats"].GetInt64() == 0);
    CHECK(daemon.ctl({"history", "--since", "yesterday"}).exit_code == 2);
}

TEST_CASE("the weekly digest goes out at its time, only to the webhooks that list it",
          "[integration][money][digest]") {
    SimFixture sim({"--users", "120", "--sites", "1", "--products-per-site", "2", "--seed", "3"});
    // The next whole minute at least 15 s away, in UTC: the digest's day and time.
    using namespace std::chrono;
    const auto now_s = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
    auto at_s = (now_s / 60 + 1) * 60;
    if (at_s - now_s < 15)
        at_s += 60;
    static const char* kDays[] = {"sun", "mon", "tue", "wed", "thu", "fri", "sat"};
    const auto day = kDays[(at_s / 86'400 + 4) % 7];  // 1970-01-01 was a Thursday
    char time_of_day[8];
    std::snprintf(time_of_day, sizeof time_of_day, "%02d:%02d",
                  static_cast<int>(at_s % 86'400 / 3600), static_cast<int>(at_s % 3600 / 60));
    const std::string base = sim.base_url() + "/sink/";
    DaemonFixture daemon(sim.atlassian_yaml() + kFlat + "sync:\n  timezone: UTC\n" +
                         "digest:\n  schedule: weekly " + day + " " + time_of_day + "\n" +
                         "notifications:\n  webhooks:\n" +
                         "    - name: everything\n      url: " + base + "everything-Tok3n\n" +
                         "      format: json\n" + "    - name: weekly\n      url: " + base +
                         "weekly-Tok3n\n" + "      format: json\n      events: [digest]\n");
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    auto status = daemon.ctl_json({"status"});
    INFO(compact(status["money"]));
    CHECK(std::string(status["money"]["next_digest"].GetString()).substr(11, 5) == time_of_day);

    auto deliveries = [&](const std::string& name) {
        rapidjson::Document doc;
        doc.Parse(sim.http("GET", "/_sim/sink/" + name + "-Tok3n").c_str());
        return doc;
    };
    REQUIRE(wait_until(
        [&] {
            auto got = deliveries("weekly");
            return got.IsArray() && got.Size() > 0;
        },
        seconds(90)));
    auto d = daemon.ctl_json({"dashboard"});
    std::int64_t billable = 0, inactive = 0;
    for (const auto& p : d["products"].GetArray()) {
        billable += p["total"].GetInt64();
        inactive += p["inactive"].GetInt64();
    }
    auto weekly = deliveries("weekly");
    REQUIRE(weekly.Size() == 1);
    rapidjson::Document body;
    body.Parse(weekly[0]["body"].GetString());
    CHECK(std::string(body["event"].GetString()) == "digest");
    CHECK(std::string(body["data"]["billable"].GetString()) == std::to_string(billable));
    CHECK(std::string(body["data"]["inactive"].GetString()) == std::to_string(inactive));
    CHECK(std::string(body["data"]["realised_seats"].GetString()) == "0");
    CHECK_FALSE(body["data"].HasMember("billable_change"));  // no history a week old yet
    auto everything = deliveries("everything");
    REQUIRE(everything.IsArray());
    for (const auto& delivery : everything.GetArray()) {
        rapidjson::Document other;
        other.Parse(delivery["body"].GetString());
        CHECK(std::string(other["event"].GetString()) != "digest");
    }
}
