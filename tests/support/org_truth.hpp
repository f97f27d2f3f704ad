#pragma once
// The organization as the simulator's ground truth sees it, and what rosterd sent to it: shared by
// the tests of bulk runs, undo, the journal after a crash and the audit trail.
#include <catch2/catch.hpp>

#include <rapidjson/document.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "daemon_fixture.hpp"
#include "process.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/store/store.hpp"
#include "sim_fixture.hpp"

namespace rosterd::test {

inline std::string compact(const rapidjson::Value& v) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    v.Accept(writer);
    return buffer.GetString();
}

inline bool ends_with(const std::string& text, const std::string& tail) {
    return text.size() >= tail.size() &&
           text.compare(text.size() - tail.size(), tail.size(), tail) == 0;
}

inline bool is_mutation(const std::string& method, const std::string& path) {
    if (path.rfind("/_sim", 0) == 0 || path.rfind("/sink", 0) == 0)
        return false;
    if (method == "DELETE")
        return true;
    for (const char* tail : {"/suspend", "/restore", "/memberships", "/roles/assign",
                             "/roles/revoke", "/lifecycle/disable", "/lifecycle/enable",
                             "/role-assignments/assign", "/role-assignments/revoke"})
        if (method == "POST" && ends_with(path, tail))
            return true;
    return false;
}

// Every mutating request the sim received, as "METHOD path body", sorted.
inline std::multiset<std::string> mutations(const SimFixture& sim) {
    std::multiset<std::string> out;
    auto log = sim.requests();
    for (const auto& r : log.GetArray()) {
        std::string method = r["method"].GetString(), path = r["path"].GetString();
        if (!is_mutation(method, path))
            continue;
        std::string body = r.HasMember("body") && !r["body"].IsNull() ? compact(r["body"]) : "";
        out.insert(method + " " + path + (body.empty() ? "" : " " + body));
    }
    return out;
}

// The sim logs a request after its answer is on the way: the last request of a run may reach the
// log a moment after rosterctl returns. Waits until `count` mutations are logged (or 5 s), then
// a little longer, so that a request too many would show too.
inline std::multiset<std::string> mutations_settled(const SimFixture& sim, std::size_t count) {
    wait_until([&] { return mutations(sim).size() >= count; }, std::chrono::seconds(5));
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    return mutations(sim);
}

inline void check_mutations(const SimFixture& sim, const std::multiset<std::string>& expected) {
    CHECK(mutations_settled(sim, expected.size()) == expected);
}

// users/search requests that read named users (a run's re-reads before acting and its refresh
// after): by account id (10 a request) or by email (100 a request).
inline std::size_t rereads(const SimFixture& sim) {
    std::size_t n = 0;
    auto log = sim.requests();
    for (const auto& r : log.GetArray())
        if (ends_with(r["path"].GetString(), "/users/search") && r.HasMember("body") &&
            r["body"].IsObject() &&
            (r["body"].HasMember("accountIds") || r["body"].HasMember("emails")))
            ++n;
    return n;
}

struct TruthUser {
    std::string id, email, status, claim, source, type, directory;
    std::vector<std::string> platform_roles;
    std::set<std::string> groups;
    std::map<std::string, std::string> access;  // resource -> role
    std::map<std::string, std::string> via;     // resource -> via
};

struct TruthGroup {
    std::string id, name, directory;
    bool synced = false;
    std::set<std::string> resources;
};

struct Org {
    std::vector<TruthUser> users;
    std::map<std::string, TruthGroup> groups;
    std::map<std::string, std::string> jira_resource_of_host;
    std::string first_host;

    const TruthUser& user(const std::string& id) const {
        for (const auto& u : users)
            if (u.id == id)
                return u;
        throw std::runtime_error("no user " + id);
    }
};

inline Org load(const rapidjson::Document& t) {
    Org org;
    for (const auto& s : t["sites"].GetArray()) {
        std::string host = s["host"].GetString();
        if (org.first_host.empty())
            org.first_host = host;
        for (const auto& p : s["products"].GetArray())
            if (std::string(p["key"].GetString()) == "jira-software")
                org.jira_resource_of_host[host] = p["resource_id"].GetString();
    }
    for (const auto& g : t["groups"].GetArray()) {
        TruthGroup group;
        group.id = g["id"].GetString();
        group.name = g["name"].GetString();
        group.directory = g["directory_id"].GetString();
        group.synced = g["external_synced"].GetBool();
        for (const auto& r : g["roles"].GetArray())
            group.resources.insert(r["resource_id"].GetString());
        org.groups[group.id] = group;
    }
    for (const auto& u : t["users"].GetArray()) {
        TruthUser user;
        user.id = u["account_id"].GetString();
        user.email = u["email"].GetString();
        user.status = u["status"].GetString();
        user.claim = u["claim_status"].GetString();
        user.source = u["management_source"].IsNull() ? "" : u["management_source"].GetString();
        user.type = u["account_type"].GetString();
        user.directory = u["directory_id"].GetString();
        for (const auto& r : u["platform_roles"].GetArray())
            user.platform_roles.push_back(r.GetString());
        for (const auto& g : u["groups"].GetArray())
            user.groups.insert(g.GetString());
        for (const auto& a : u["access"].GetArray()) {
            user.access[a["resource_id"].GetString()] = a["role"].GetString();
            user.via[a["resource_id"].GetString()] = a["via"].GetString();
        }
        org.users.push_back(std::move(user));
    }
    return org;
}

// An ordinary user: active, managed by invitation, no admin role, not an app.
// The truth's sites and what each product resource is: the product key and the site's host.
struct SiteProduct {
    std::string product, site;
};
struct SiteCatalogue {
    std::vector<std::string> hosts;                // in the truth's order
    std::map<std::string, SiteProduct> resources;  // resource id -> product and site
};

inline SiteCatalogue site_catalogue(const rapidjson::Document& t) {
    SiteCatalogue out;
    for (const auto& s : t["sites"].GetArray()) {
        out.hosts.push_back(s["host"].GetString());
        for (const auto& p : s["products"].GetArray())
            out.resources[p["resource_id"].GetString()] = {p["key"].GetString(), out.hosts.back()};
    }
    return out;
}

inline bool ordinary(const TruthUser& u) {
    return u.status == "active" && u.claim == "managed" && u.source != "synced" &&
           u.type == "atlassian" && u.platform_roles.empty() &&
           u.email.find("connect.atlassian.com") == std::string::npos &&
           std::none_of(u.access.begin(), u.access.end(),
                        [](const auto& a) { return a.second == "atlassian/admin"; });
}

inline std::string joined(const std::vector<std::string>& ids) {
    std::string out;
    for (const auto& id : ids)
        out += (out.empty() ? "" : ",") + id;
    return out;
}

// No sync and no run in progress (each applying run ends with a sync of its own).
inline void wait_quiet(const DaemonFixture& daemon) {
    REQUIRE(wait_until(
        [&] {
            auto status = daemon.ctl_json({"status"});
            return std::string(status["sync"]["state"].GetString()) != "running" &&
                   status["ops"]["active_run"].IsNull() && status["ops"]["queued"].GetInt() == 0;
        },
        std::chrono::seconds(60)));
}

inline std::string ctl_text(const CommandResult& r) {
    return r.out + r.err;
}

inline std::map<std::string, std::string> outcomes(const rapidjson::Value& run) {
    std::map<std::string, std::string> out;
    for (const auto& u : run["results"].GetArray())
        out[u["account_id"].GetString()] =
            std::string(u["outcome"].GetString()) +
            (u.HasMember("reason") ? std::string(": ") + u["reason"].GetString() : "");
    return out;
}

// The id of the newest run once its state is `state` (a resumed run ends on its own after a
// restart; nothing else tells the test when).
inline std::string wait_for_newest_run(const DaemonFixture& daemon, const std::string& state,
                                       std::chrono::seconds timeout = std::chrono::seconds(60)) {
    std::string id;
    REQUIRE(wait_until(
        [&] {
            auto runs = daemon.ctl_json({"runs"});
            if (runs["runs"].Size() == 0)
                return false;
            id = runs["runs"][0]["id"].GetString();
            return std::string(runs["runs"][0]["state"].GetString()) == state;
        },
        timeout));
    return id;
}

// A sync section whose daily sync falls an hour from now (UTC), so a restart after age_syncs does
// not count the scheduled sync as missed and run it (which would make the snapshot fresh again).
inline std::string sync_schedule_an_hour_away() {
    auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                      std::chrono::system_clock::now().time_since_epoch())
                      .count();
    return "sync:\n  daily_at: \"" + rosterd::format_iso8601_s(now_ms + 3'600'000).substr(11, 5) +
           "\"\n  timezone: UTC\n";
}

// Stops the daemon, moves every sync in its history `by` into the past (so its snapshot is stale)
// and starts it again.
inline void age_syncs(DaemonFixture& daemon, std::chrono::milliseconds by) {
    REQUIRE(daemon.stop() == 0);
    {
        auto db = rosterd::store::Database::open(daemon.db_path());
        const auto ms = std::to_string(by.count());
        db->exec("UPDATE sync_runs SET started_at = started_at - " + ms +
                 ", finished_at = finished_at - " + ms);
    }
    daemon.start();
}

}  // namespace rosterd::test
