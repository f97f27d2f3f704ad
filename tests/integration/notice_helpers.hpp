#pragma once
// What the notice integration tests share (issue 17): a simulated organization where exactly five
// ordinary users never used Jira (the filter's ground truth), the notice task on them, and
// helpers to read notices and wait for deadlines.
#include <catch2/catch.hpp>

#include <chrono>
#include <map>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.hpp"
#include "org_truth.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/notice/notice.hpp"
#include "sim_fixture.hpp"

namespace rosterd::test {

inline void set_activity(const SimFixture& sim, const TruthUser& u, const std::string& when) {
    for (const auto& [resource, role] : u.access)
        sim.http("POST", "/_sim/activity",
                 R"({"account_id":")" + u.id + R"(","resource_id":")" + resource +
                     R"(","last_active":)" + when + "}");
}

// `notice_extra`: more lines of the notice: block (each indented six spaces).
inline std::string task_yaml(const std::string& grace, const std::string& notice_extra = "") {
    return "tasks:\n"
           "  - name: idle\n"
           "    filter: {product: jira-software, never-active: true, status: active}\n"
           "    actions: [suspend]\n"
           "    schedule: every 24h\n"
           "    mode: apply\n"
           "    enabled: false\n"
           "    max_users: 1000\n"
           "    reason: accounts never used are suspended\n"
           "    notice:\n"
           "      grace: " +
           grace +
           "\n"
           "      email: true\n" +
           notice_extra;
}

inline const std::string kFastOutbox =
    "notifications:\n  delivery: {backoff_initial_ms: 100, backoff_max_s: 1}\n";

inline std::string suspend_of(const SimFixture& sim, const std::string& id) {
    return "POST /admin/v2/orgs/" + sim.org_id() + "/directories/-/users/" + id + "/suspend {}";
}

inline std::map<std::string, std::string> notice_states(const DaemonFixture& daemon) {
    std::map<std::string, std::string> out;
    auto doc = daemon.ctl_json({"notices"});
    for (const auto& n : doc["notices"].GetArray())
        out[n["account_id"].GetString()] = n["state"].GetString();
    return out;
}

inline std::int64_t latest_deadline_ms(const DaemonFixture& daemon) {
    std::int64_t latest = 0;
    auto doc = daemon.ctl_json({"notices", "--state", "on-notice"});
    for (const auto& n : doc["notices"].GetArray())
        latest = std::max(latest, *rosterd::parse_iso8601_ms(n["deadline"].GetString()));
    return latest;
}

inline void wait_past(std::int64_t ms) {
    while (std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
               .count() <= ms + 1000)
        std::this_thread::sleep_for(std::chrono::milliseconds(200));
}

// The setting shared by the tests: five ordinary users never active in Jira, everyone else with
// Jira active just now, so the filter's ground truth is those five.
struct Setting {
    SimFixture sim{{"--users", "200", "--sites", "1", "--seed", "41"}};
    Org org = load(sim.truth());
    std::vector<const TruthUser*> members;
    std::set<std::string> member_ids;
    std::set<std::string> member_emails;
    Setting() {
        const std::string jira = org.jira_resource_of_host.at(org.first_host);
        auto now =
            rosterd::format_iso8601_s(std::chrono::duration_cast<std::chrono::milliseconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count());
        for (const auto& u : org.users) {
            if (!u.access.count(jira))
                continue;
            bool chosen = ordinary(u) && members.size() < 5;
            if (chosen) {
                members.push_back(&u);
                member_ids.insert(u.id);
                member_emails.insert(u.email);
            }
            sim.http("POST", "/_sim/activity",
                     R"({"account_id":")" + u.id + R"(","resource_id":")" + jira +
                         R"(","last_active":)" + (chosen ? "null" : "\"" + now + "\"") + "}");
        }
        REQUIRE(members.size() == 5);
        // The ground truth, from the simulator: active users holding Jira, never active there,
        // not protected (ordinary).
        auto truth = sim.truth();
        auto now_org = load(truth);
        std::set<std::string> expected;
        for (const auto& u : truth["users"].GetArray()) {
            bool holds = false, used = false;
            for (const auto& a : u["access"].GetArray())
                if (jira == a["resource_id"].GetString()) {
                    holds = true;
                    used = used || !a["last_active_ms"].IsNull();
                }
            if (holds && !used && std::string(u["status"].GetString()) == "active" &&
                ordinary(now_org.user(u["account_id"].GetString())))
                expected.insert(u["account_id"].GetString());
        }
        REQUIRE(expected == member_ids);
    }
};

inline std::int64_t now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

}  // namespace rosterd::test
