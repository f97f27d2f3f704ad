// UserFilter: the one field parser, the JSON parser and the SQL compiler (pure functions).
#include <rapidjson/document.h>

#include <algorithm>
#include <catch2/catch.hpp>
#include <functional>

#include "rosterd/model/user_filter.hpp"

using namespace rosterd;

namespace {

FilterFieldValue one(std::string text) {
    return {{std::move(text)}, false};
}
FilterFieldValue many(std::vector<std::string> items) {
    return {std::move(items), true};
}

UserFilter from_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    static constexpr std::string_view kOwn[] = {"limit", "sort"};
    return user_filter_from_json(doc, kOwn);
}

std::string error_of(const std::function<void()>& fn) {
    try {
        fn();
    } catch (const FilterError& e) {
        return e.what();
    }
    return "no error";
}

}  // namespace

TEST_CASE("every filter field parses and normalizes its value", "[query][filter]") {
    UserFilter f;
    set_user_filter_field(f, "search", one("  Dana "));
    set_user_filter_field(f, "inactive-days", one("90"));
    set_user_filter_field(f, "never-active", one("true"));
    set_user_filter_field(f, "product", one("Jira-Software"));
    set_user_filter_field(f, "not-product", many({"confluence", "JIRA-SERVICEDESK"}));
    set_user_filter_field(f, "site", one("https://Acme.Atlassian.net/jira/projects"));
    set_user_filter_field(f, "role", one("Admin"));
    set_user_filter_field(f, "status", many({"suspended", "not-invited"}));
    set_user_filter_field(f, "group", one("Team Eng"));
    set_user_filter_field(f, "not-group", many({"contractors"}));
    set_user_filter_field(f, "domain", many({"@Example.COM", "example.org"}));
    set_user_filter_field(f, "account-type", one("App"));
    set_user_filter_field(f, "unmanaged", one("true"));
    set_user_filter_field(f, "added-before", one("2026-02-21"));
    set_user_filter_field(f, "added-after", one("2024-01-01T12:30:00Z"));
    set_user_filter_field(f, "no-admins", one("yes"));

    CHECK(f.search == "Dana");
    CHECK(f.inactive_days == 90);
    CHECK(f.never_active);
    CHECK(f.product == "jira-software");
    CHECK(f.not_products == std::vector<std::string>{"confluence", "jira-servicedesk"});
    CHECK(f.site == "acme.atlassian.net");
    CHECK(f.role == "atlassian/admin");
    CHECK(f.statuses == std::vector<std::string>{"suspended", "not_invited"});
    CHECK(f.groups == std::vector<std::string>{"Team Eng"});
    CHECK(f.not_groups == std::vector<std::string>{"contractors"});
    CHECK(f.domains == std::vector<std::string>{"example.com", "example.org"});
    CHECK(f.account_type == "app");
    CHECK(f.managed == false);
    CHECK(f.added_before_ms == 1'771'632'000'000);  // 2026-02-21T00:00:00Z
    CHECK(f.added_after_ms == 1'704'112'200'000);   // 2024-01-01T12:30:00Z
    CHECK(f.admins == false);
    CHECK(describe_user_filter(f) ==
          "search=Dana inactive-days=90 never-active=true product=jira-software "
          "not-product=confluence,jira-servicedesk site=acme.atlassian.net role=atlassian/admin "
          "status=suspended,not_invited group=Team Eng not-group=contractors "
          "domain=example.com,example.org account-type=app unmanaged=true "
          "added-before=2026-02-21T00:00:00Z added-after=2024-01-01T12:30:00Z no-admins=true");
}

TEST_CASE("list fields extend, scalar fields replace, and boolean pairs agree", "[query][filter]") {
    UserFilter f;
    set_user_filter_field(f, "domain", one("a.com"));
    set_user_filter_field(f, "domain", many({"b.com", "c.com"}));
    CHECK(f.domains == std::vector<std::string>{"a.com", "b.com", "c.com"});
    set_user_filter_field(f, "product", one("confluence"));
    set_user_filter_field(f, "product", one("jira-software"));
    CHECK(f.product == "jira-software");
    set_user_filter_field(f, "managed", one("false"));
    set_user_filter_field(f, "unmanaged", one("true"));  // the same thing said twice
    CHECK(f.managed == false);
    CHECK(error_of([&] { set_user_filter_field(f, "managed", one("true")); }) ==
          "managed: contradicts managed/unmanaged given already");
    set_user_filter_field(f, "admins", one("true"));
    CHECK(error_of([&] { set_user_filter_field(f, "no-admins", one("true")); }) ==
          "no-admins: contradicts admins/no-admins given already");
    UserFilter g;
    set_user_filter_field(g, "never-active", one("false"));
    CHECK(g.empty());
}

TEST_CASE("invalid filter values are refused with the field and what was expected",
          "[query][filter]") {
    UserFilter f;
    auto set = [&](const char* name, FilterFieldValue value) {
        return error_of([&] { set_user_filter_field(f, name, value); });
    };
    CHECK(set("inactive-days", one("0")) ==
          "inactive-days: expected a whole number of days from 1 to 3650");
    CHECK(set("inactive-days", one("3651")) ==
          "inactive-days: expected a whole number of days from 1 to 3650");
    CHECK(set("inactive-days", one("30d")) ==
          "inactive-days: expected a whole number of days from 1 to 3650");
    CHECK(set("inactive-days", many({"30"})) == "inactive-days: expected one value, not a list");
    CHECK(set("role", one("owner")) ==
          "role: 'owner' is not one of: admin, basic, contributor, customer, guest, "
          "stakeholder, user");
    CHECK(set("status", many({"active", "gone"})) ==
          "status: 'gone' is not one of: active, deactivated, for_deletion, not_invited, "
          "suspended");
    CHECK(set("account-type", one("robot")) ==
          "account-type: 'robot' is not one of: app, atlassian, customer");
    CHECK(set("added-before", one("01/02/2026")) ==
          "added-before: expected a date YYYY-MM-DD or an ISO-8601 instant, got '01/02/2026'");
    CHECK(set("search", one("   ")) == "search: must not be empty");
    CHECK(set("domain", many({})) == "domain: an empty list");
    CHECK(set("managed", one("maybe")) == "managed: expected true or false");
    CHECK_THAT(set("inactive_days", one("30")),
               Catch::StartsWith("inactive_days: unknown filter field (expected one of: search, "
                                 "inactive-days, never-active,"));
    CHECK(f.empty());
}

TEST_CASE("the JSON parser takes the same fields and skips the command's own arguments",
          "[query][filter]") {
    auto f = from_json(
        R"({"product":"jira-software","inactive-days":90,"domain":["a.com","b.com"],
            "never-active":true,"managed":false,"status":"active","site":null,
            "limit":50,"sort":"name"})");
    CHECK(f.product == "jira-software");
    CHECK(f.inactive_days == 90);
    CHECK(f.domains == std::vector<std::string>{"a.com", "b.com"});
    CHECK(f.never_active);
    CHECK(f.managed == false);
    CHECK(f.statuses == std::vector<std::string>{"active"});
    CHECK_FALSE(f.site.has_value());
    CHECK(from_json(R"({"inactive-days":"7"})").inactive_days == 7);
    CHECK(error_of([] { from_json(R"({"group":{"name":"x"}})"); }) ==
          "group: expected a string, a whole number or true/false");
    CHECK(error_of([] { from_json(R"({"offset":3})"); }).rfind("offset: unknown filter field", 0) ==
          0);
}

TEST_CASE("a filter survives the trip to JSON and back", "[query][filter]") {
    auto original = from_json(
        R"({"search":"o'brien","inactive-days":30,"product":"confluence","site":"a.example.net",
            "role":"guest","not-product":["jira-software"],"status":["active","suspended"],
            "group":["eng"],"not-group":["ops"],"domain":["acme.com"],"account-type":"atlassian",
            "managed":true,"added-before":"2026-01-01","added-after":"2020-01-01T00:00:00Z",
            "admins":false,"never-active":true})");
    rapidjson::Document doc;
    auto json = user_filter_to_json(original, doc.GetAllocator());
    CHECK(user_filter_from_json(json) == original);
}

TEST_CASE("roles are written as people say them", "[query][filter]") {
    CHECK(normalize_role("user") == "atlassian/user");
    CHECK(normalize_role("ATLASSIAN/Stakeholder") == "atlassian/stakeholder");
    CHECK_FALSE(normalize_role("site-admin").has_value());
}
