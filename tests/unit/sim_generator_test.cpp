// The generated organization: determinism, the promised mix and the truth's invariants.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>

#include "activity_text.hpp"
#include "generator.hpp"
#include "rosterd/base/time_format.hpp"
#include "sim_live_server.hpp"
#include "truth.hpp"

using namespace rosterd;
using namespace rosterd::sim;
using rosterd::sim::test::parse_json;
using rosterd::sim::test::small_org;

TEST_CASE("the same seed gives a byte-identical truth, another seed a different one", "[sim]") {
    std::string first = truth_json(generate_model(small_org(500, 42)));
    std::string again = truth_json(generate_model(small_org(500, 42)));
    std::string other = truth_json(generate_model(small_org(500, 43)));
    CHECK(first == again);
    CHECK(first != other);
    // The reference instant is part of the truth, and nothing else depends on the clock.
    CHECK(first.find("\"now_ms\":1786795200000") != std::string::npos);
}

TEST_CASE("the generated org has the promised mix of users", "[sim]") {
    GeneratorOptions options = small_org(2000, 5);
    Model model = generate_model(options);
    REQUIRE(model.users.size() == 2000);
    CHECK(model.directories.size() == 2);  // a second directory above 1000 users
    CHECK(model.sites.size() == 2);
    CHECK(model.products.size() == 6);
    CHECK(model.groups.size() == 40);  // max(20, 2000/50), role-granting groups included
    CHECK(model.sites[0].host() == "acme.atlassian.net");
    CHECK(model.sites[1].host() == "acme-eu.atlassian.net");

    std::map<std::string, int> count;
    int pairs = 0;
    int never_active = 0;
    for (const auto& user : model.users) {
        if (user.app)
            ++count["app"];
        if (user.has_platform_role(kOrgAdmin))
            ++count["org-admin"];
        if (user.has_platform_role(kSiteAdmin))
            ++count["site-admin"];
        if (user.claim == ClaimStatus::Unmanaged)
            ++count["unmanaged"];
        ++count[std::string(to_string(model.status(user)))];
        if (user.app)
            CHECK(user.email.ends_with("@connect.atlassian.com"));
        for (const auto& access : user.access) {
            ++pairs;
            if (!user.activity_on(access.resource))
                ++never_active;
        }
    }
    CHECK(count["app"] >= 10);
    CHECK(count["app"] <= 40);
    CHECK(count["org-admin"] >= 20);
    CHECK(count["org-admin"] <= 65);
    CHECK(count["site-admin"] >= 20);
    CHECK(count["site-admin"] <= 65);
    CHECK(count["unmanaged"] >= 300);  // ~20%
    CHECK(count["unmanaged"] <= 500);
    CHECK(count["suspended"] >= 60);  // ~5%
    CHECK(count["suspended"] <= 140);
    CHECK(count["deactivated"] >= 30);  // ~3%
    CHECK(count["deactivated"] <= 90);
    CHECK(count["not_invited"] >= 15);  // ~2%
    CHECK(count["not_invited"] <= 70);
    double never = static_cast<double>(never_active) / pairs;
    CHECK(never > 0.07);
    CHECK(never < 0.16);
}

TEST_CASE("tiny orgs still hold an org admin, a site admin and an app", "[sim]") {
    Model model = generate_model(small_org(3, 1));
    REQUIRE(model.users.size() == 3);
    CHECK(model.users[0].has_platform_role(kOrgAdmin));
    CHECK(model.users[1].has_platform_role(kSiteAdmin));
    CHECK(model.users[2].app);
}

TEST_CASE("truth invariants: billable users, one role per pair, exact activity strings", "[sim]") {
    Model model = generate_model(small_org(1500, 9));
    auto truth = parse_json(truth_json(model));
    std::map<std::string, const rapidjson::Value*> users;
    for (const auto& user : truth["users"].GetArray())
        users[user["account_id"].GetString()] = &user;
    std::map<std::string, std::set<std::string>> group_roles;  // group id -> "resource|role"
    for (const auto& group : truth["groups"].GetArray()) {
        for (const auto& grant : group["roles"].GetArray()) {
            group_roles[group["id"].GetString()].insert(
                std::string(grant["resource_id"].GetString()) + "|" + grant["role"].GetString());
        }
    }

    std::size_t expected_billable = 0;
    for (const auto& [id, user] : users) {
        std::set<std::string> resources;
        for (const auto& access : (*user)["access"].GetArray()) {
            std::string resource = access["resource_id"].GetString();
            std::string role = access["role"].GetString();
            CHECK(resources.insert(resource).second);  // exactly one effective role per resource
            if (std::string(access["via"].GetString()) == "group") {
                bool granted = false;
                for (const auto& group : (*user)["groups"].GetArray()) {
                    granted |= group_roles[group.GetString()].contains(resource + "|" + role);
                }
                CHECK(granted);
            }
            if (access["last_active"].IsString()) {
                CHECK(parse_iso8601_ms(access["last_active"].GetString()) ==
                      access["last_active_ms"].GetInt64());
            } else {
                CHECK(access["last_active_ms"].IsNull());
            }
            bool billable = std::string((*user)["status"].GetString()) == "active" &&
                            std::string((*user)["account_type"].GetString()) != "app" &&
                            (role == "atlassian/user" || role == "atlassian/admin");
            expected_billable += billable ? 1 : 0;
        }
    }

    std::size_t billable = 0;
    for (const auto& product : truth["billable"].GetArray()) {
        std::string resource = product["resource_id"].GetString();
        for (const auto& entry : product["users"].GetArray()) {
            ++billable;
            const auto& user = *users.at(entry["account_id"].GetString());
            CHECK(std::string(user["status"].GetString()) == "active");
            CHECK(std::string(user["account_type"].GetString()) == "atlassian");
            CHECK(entry["added_to_org_ms"].GetInt64() == user["added_to_org_ms"].GetInt64());
            bool holds = false;
            for (const auto& access : user["access"].GetArray()) {
                if (resource == access["resource_id"].GetString()) {
                    std::string role = access["role"].GetString();
                    holds = role == "atlassian/user" || role == "atlassian/admin";
                }
            }
            CHECK(holds);
        }
    }
    CHECK(billable == expected_billable);
    CHECK(billable > 1000);
}

TEST_CASE("a truth document loads back as a fixture and round-trips byte for byte", "[sim]") {
    std::string truth = truth_json(generate_model(small_org(1200, 3)));
    Model loaded = model_from_truth(truth);
    CHECK(truth_json(loaded) == truth);
}

TEST_CASE("a hand-written fixture may give just a status and direct access", "[sim]") {
    const std::string fixture = R"({
      "org": {"id": "org-1", "name": "Fixture Org"}, "now_ms": 1786795200000,
      "directories": [{"id": "dir-1", "name": "Main"}],
      "sites": [{"host": "demo.atlassian.net", "cloud_id": "c-1",
                 "products": [{"key": "jira-software", "capacity": 10}]}],
      "groups": [{"id": "g-1", "name": "jira-users", "roles":
                  [{"resource_id": "ari:cloud:jira::site/c-1", "role": "atlassian/user"}]}],
      "users": [
        {"account_id": "a-1", "email": "a@demo.com", "status": "suspended", "groups": ["g-1"],
         "access": [{"resource_id": "ari:cloud:jira::site/c-1", "role": "atlassian/user",
                     "via": "group", "last_active": "2026-08-01T09:15:02.123456789Z"}]},
        {"account_id": "a-2", "email": "b@demo.com",
         "access": [{"resource_id": "ari:cloud:jira::site/c-1", "role": "atlassian/admin",
                     "last_active_ms": 1785575702123}]}]})";
    Model model = model_from_truth(fixture);
    REQUIRE(model.users.size() == 2);
    CHECK(model.status(model.users[0]) == UserStatus::Suspended);
    CHECK(model.users[0].access.size() == 1);
    CHECK_FALSE(model.users[0].access[0].direct);
    CHECK(model.users[0].activity_on(0)->ms == 1785575702123);
    CHECK(model.users[0].activity_on(0)->text == "2026-08-01T09:15:02.123456789Z");
    CHECK(model.users[1].access[0].role == Role::Admin);
    CHECK(model.users[1].access[0].direct);
    CHECK(model.users[1].activity_on(0)->text == "2026-08-01T09:15:02.123Z");
    CHECK_FALSE(model.billable_on(model.users[0], 0));  // suspended
    CHECK(model.billable_on(model.users[1], 0));
}

TEST_CASE("fixture errors name the offending entry", "[sim]") {
    const std::string bad_group = R"({"org": {"id": "o"}, "directories": [{"id": "d"}],
      "sites": [], "groups": [], "users": [{"account_id": "a", "groups": ["nope"]}]})";
    CHECK_THROWS_WITH(model_from_truth(bad_group),
                      Catch::Contains("users[0]") && Catch::Contains("unknown group nope"));
    const std::string unbacked = R"({"org": {"id": "o"}, "directories": [{"id": "d"}],
      "sites": [{"host": "x.atlassian.net", "cloud_id": "c", "products": [{"key": "confluence"}]}],
      "groups": [], "users": [{"account_id": "a", "access": [
        {"resource_id": "ari:cloud:confluence::site/c", "role": "atlassian/user", "via": "group"}]}]})";
    CHECK_THROWS_WITH(model_from_truth(unbacked), Catch::Contains("users[0].access[0]"));
    CHECK_THROWS_WITH(model_from_truth("{not json"), Catch::Contains("invalid JSON"));
}

TEST_CASE("activity timestamps carry 0, 3, 6 or 9 fraction digits and truncate to ms", "[sim]") {
    const std::int64_t ms = 1785575702123;  // 2026-08-01T09:15:02.123Z
    CHECK(make_activity(ms, 0, 0).text == "2026-08-01T09:15:02Z");
    CHECK(make_activity(ms, 0, 0).ms == 1785575702000);
    CHECK(make_activity(ms, 3, 0).text == "2026-08-01T09:15:02.123Z");
    CHECK(make_activity(ms, 6, 456).text == "2026-08-01T09:15:02.123456Z");
    CHECK(make_activity(ms, 9, 456789).text == "2026-08-01T09:15:02.123456789Z");
    CHECK(make_activity(ms, 9, 7).text == "2026-08-01T09:15:02.123000007Z");
    for (int digits : {0, 3, 6, 9}) {
        Activity activity = make_activity(ms, digits, 987654321);
        CHECK(parse_iso8601_ms(activity.text) == activity.ms);
    }
    CHECK(format_date(ms) == "2026-08-01");
}
