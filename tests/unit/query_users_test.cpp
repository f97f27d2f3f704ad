// The users browser over the hand-made snapshot of query_fixture.hpp: every filter alone and in
// combination, the sort orders, the rows' details and the user lookup. Expected ids are worked
// out by hand from the table in query_fixture.hpp.
#include <rapidjson/document.h>

#include <algorithm>
#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/query/snapshot.hpp"

using namespace rosterd;
using namespace rosterd::test;

namespace {

using Ids = std::vector<std::string>;

UserFilter parse(const std::string& json) {
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    REQUIRE_FALSE(doc.HasParseError());
    return user_filter_from_json(doc);
}

// Short ids ("01") for readable expectations.
Ids shorten(const Ids& ids) {
    Ids out;
    for (const auto& id : ids)
        out.push_back(id.substr(4));
    return out;
}

Ids select(QuerySnapshot& s, std::vector<std::string> filters,
           query::UserSort sort = query::UserSort::name) {
    query::UserSelection selection;
    for (const auto& f : filters)
        selection.filters.push_back(parse(f));
    selection.sort = sort;
    selection.now_ms = kQueryNow;
    auto index = query::load_snapshot_index(s.db());
    auto users = query::select_users(*index, selection);
    CHECK(query::count_users(*index, selection) == users.size());
    Ids ids;
    for (auto user : users)
        ids.emplace_back(index->users[user].account_id);
    return shorten(ids);
}

query::UserRow row_of(const query::SnapshotIndex& index, const std::string& account,
                      const query::ActivityScope& scope = {}) {
    auto user = index.find_user(account);
    REQUIRE(user);
    return query::make_user_row(index, *user, scope);
}

Ids matching(QuerySnapshot& s, const std::string& filter) {
    auto ids = select(s, {filter});
    std::sort(ids.begin(), ids.end());
    return ids;
}

}  // namespace

TEST_CASE("each filter alone selects exactly its users", "[query][users]") {
    QuerySnapshot s;
    const Ids all = {"01", "02", "03", "04", "05", "06", "07", "08", "09", "10"};
    CHECK(matching(s, "{}") == all);

    SECTION("search: name or email, case-insensitive, wildcards taken literally") {
        CHECK(matching(s, R"({"search":"ALPHA"})") == Ids{"01"});
        CHECK(matching(s, R"({"search":"acme.io"})") == Ids{"04", "08"});
        CHECK(matching(s, R"({"search":"CID"})") == Ids{"03"});
        CHECK(matching(s, R"({"search":"%"})").empty());
        CHECK(matching(s, R"({"search":"_"})").empty());
    }
    SECTION("product, site and their negation") {
        CHECK(matching(s, R"({"product":"jira-software"})") ==
              Ids{"01", "02", "03", "04", "06", "07", "08", "09"});
        CHECK(matching(s, R"({"product":"confluence"})") == Ids{"01", "05"});
        CHECK(matching(s, R"({"site":"b.example.net"})") == Ids{"07", "08", "09"});
        CHECK(matching(s, R"({"site":"https://B.example.net/jira"})") == Ids{"07", "08", "09"});
        CHECK(matching(s, R"({"product":"jira-software","site":"b.example.net"})") ==
              Ids{"07", "08", "09"});
        CHECK(matching(s, R"({"not-product":"confluence"})") ==
              Ids{"02", "03", "04", "06", "07", "08", "09", "10"});
        CHECK(matching(s, R"({"not-product":"jira-software","site":"a.example.net"})") ==
              Ids{"05"});  // on site a (the scope), but without Jira there
        CHECK(matching(s, R"({"not-product":["jira-software","confluence"]})") == Ids{"10"});
    }
    SECTION("role, in the product/site scope") {
        CHECK(matching(s, R"({"role":"admin"})") == Ids{"02"});
        CHECK(matching(s, R"({"role":"guest"})") == Ids{"05"});
        CHECK(matching(s, R"({"role":"user","product":"jira-software","site":"a.example.net"})") ==
              Ids{"01", "03", "04", "06", "07"});
        CHECK(matching(s, R"({"role":"atlassian/user","site":"b.example.net"})") ==
              Ids{"07", "08", "09"});
    }
    SECTION("status") {
        CHECK(matching(s, R"({"status":"suspended"})") == Ids{"04"});
        CHECK(matching(s, R"({"status":["suspended","deactivated"]})") == Ids{"04", "10"});
    }
    SECTION("inactive days: every product, or the scope; never used counts from added_to_org") {
        CHECK(matching(s, R"({"inactive-days":30})") == Ids{"02", "04", "05", "08", "10"});
        CHECK(matching(s, R"({"inactive-days":7})") ==
              Ids{"02", "03", "04", "05", "07", "08", "10"});
        CHECK(matching(s, R"({"inactive-days":365})") == Ids{"10"});
        CHECK(matching(s, R"({"inactive-days":30,"product":"jira-software"})") ==
              Ids{"02", "04", "08"});
        CHECK(matching(s, R"({"inactive-days":30,"product":"jira-software",
                              "site":"b.example.net"})") == Ids{"07", "08"});
        CHECK(matching(s, R"({"inactive-days":30,"site":"a.example.net"})") ==
              Ids{"02", "04", "05"});
    }
    SECTION("never active") {
        CHECK(matching(s, R"({"never-active":true})") == Ids{"02", "03", "09", "10"});
        CHECK(matching(s, R"({"never-active":true,"product":"confluence"})").empty());
        CHECK(matching(s, R"({"never-active":true,"product":"jira-software"})") ==
              Ids{"02", "03", "09"});
        CHECK(matching(s, R"({"never-active":true,"site":"b.example.net"})") == Ids{"09"});
    }
    SECTION("groups by name (any case) or id, and their negation") {
        CHECK(matching(s, R"({"group":"eng"})") == Ids{"01", "02", "07"});
        CHECK(matching(s, R"({"group":"ENG"})") == Ids{"01", "02", "07"});
        CHECK(matching(s, R"({"group":"g-ops"})") == Ids{"02", "04"});
        CHECK(matching(s, R"({"group":["eng","ops"]})") == Ids{"01", "02", "04", "07"});
        CHECK(matching(s, R"({"not-group":"ops"})") ==
              Ids{"01", "03", "05", "06", "07", "08", "09", "10"});
        CHECK(matching(s, R"({"not-group":["eng","ops"]})") ==
              Ids{"03", "05", "06", "08", "09", "10"});
    }
    SECTION("domain, account type, claim status, added date, admins") {
        CHECK(matching(s, R"({"domain":"acme.com"})") == Ids{"01", "02", "07", "10"});
        CHECK(matching(s, R"({"domain":["acme.com","@ACME.IO"]})") ==
              Ids{"01", "02", "04", "07", "08", "10"});
        CHECK(matching(s, R"({"account-type":"app"})") == Ids{"06"});
        CHECK(matching(s, R"({"account-type":"atlassian"})") ==
              Ids{"01", "02", "03", "04", "05", "07", "08", "09", "10"});
        CHECK(matching(s, R"({"managed":true})") == Ids{"01", "02", "04", "07", "08", "10"});
        CHECK(matching(s, R"({"unmanaged":true})") == Ids{"03", "05", "06", "09"});
        CHECK(matching(s, R"({"managed":false})") == Ids{"03", "05", "06", "09"});
        CHECK(matching(s, R"({"added-before":"2026-02-21"})") ==
              Ids{"01", "02", "04", "05", "07", "08", "10"});
        CHECK(matching(s, R"({"added-after":"2026-02-21"})") == Ids{"03", "06"});
        CHECK(matching(s, R"({"admins":true})") == Ids{"02", "04", "07"});
        CHECK(matching(s, R"({"no-admins":true})") ==
              Ids{"01", "03", "05", "06", "08", "09", "10"});
    }
}

TEST_CASE("filters combine with AND, and a saved filter narrowed by flags is both",
          "[query][users]") {
    QuerySnapshot s;
    CHECK(matching(s, R"({"domain":"acme.com","product":"jira-software","inactive-days":30})") ==
          Ids{"02"});
    CHECK(matching(s, R"({"status":"active","no-admins":true,"managed":true})") == Ids{"01", "08"});
    CHECK(matching(s, R"({"product":"confluence","role":"user"})") == Ids{"01"});
    CHECK(matching(s, R"({"site":"b.example.net","not-group":"eng"})") == Ids{"08", "09"});
    CHECK(matching(s, R"({"search":"a","status":"active","never-active":true})") ==
          Ids{"02", "03", "09"});

    auto two = select(s, {R"({"product":"jira-software"})", R"({"site":"b.example.net"})"});
    CHECK(two == Ids{"07", "08", "09"});
    auto narrowed = select(s, {R"({"inactive-days":30})", R"({"domain":"acme.io"})"});
    CHECK(narrowed == Ids{"04", "08"});
}

TEST_CASE("users sort by name, email or least recent activity", "[query][users]") {
    QuerySnapshot s;
    CHECK(select(s, {}) == Ids{"01", "06", "02", "03", "04", "05", "07", "08", "09", "10"});
    CHECK(select(s, {}, query::UserSort::email) ==
          Ids{"01", "02", "06", "03", "04", "05", "07", "08", "09", "10"});
    // Never active first (by account id), then the longest idle.
    CHECK(select(s, {}, query::UserSort::last_active) ==
          Ids{"02", "03", "09", "10", "04", "05", "08", "07", "01", "06"});
    // In a scope, activity there decides: Fay was last on site b 31 days ago.
    CHECK(select(s, {R"({"site":"b.example.net"})"}, query::UserSort::last_active) ==
          Ids{"09", "07", "08"});
    CHECK(select(s, {R"({"site":"a.example.net"})"}, query::UserSort::last_active) ==
          Ids{"02", "03", "04", "05", "07", "01", "06"});
}

TEST_CASE("rows list every site and product of a user, whatever the filter", "[query][users]") {
    QuerySnapshot s;
    auto index = query::load_snapshot_index(s.db());
    query::ActivityScope site_b{std::nullopt, "b.example.net"};
    auto fay = row_of(*index, "acc-07", site_b);
    CHECK(fay.account_id == "acc-07");
    CHECK(fay.name == "Fay Zeta");
    CHECK(fay.sites == std::vector<std::string>{"a.example.net", "b.example.net"});
    REQUIRE(fay.access.size() == 2);
    CHECK(fay.access[0].site == "a.example.net");
    CHECK(fay.access[0].product == "jira-software");
    CHECK(fay.access[0].resource_id == kJiraA);
    CHECK(fay.access[0].role == "atlassian/user");
    CHECK(fay.access[0].billable);
    CHECK(fay.access[0].via == "direct");
    CHECK(fay.access[0].last_active_ms == days_ago(29));
    CHECK(fay.access[1].site == "b.example.net");
    CHECK(fay.access[1].last_active_ms == days_ago(31));
    CHECK(fay.last_active_ms == days_ago(31));  // in the scope: site b
    CHECK(fay.site_admin);
    CHECK_FALSE(fay.org_admin);
    CHECK(fay.platform_roles == std::vector<std::string>{"atlassian/site-admin"});
    CHECK(fay.added_to_org_ms == days_ago(250));
    REQUIRE(fay.groups.size() == 1);
    CHECK(fay.groups[0].name == "eng");
    CHECK(fay.groups[0].id == "g-eng");

    auto bob = row_of(*index, "acc-02");
    REQUIRE(bob.groups.size() == 2);
    CHECK(bob.groups[0].name == "eng");
    CHECK(bob.groups[1].name == "ops");
    CHECK_FALSE(bob.last_active_ms.has_value());
    auto ivy = row_of(*index, "acc-10");
    CHECK(ivy.sites.empty());
    CHECK(ivy.access.empty());
    CHECK(ivy.status == "deactivated");

    CHECK(row_of(*index, "acc-07").last_active_ms == days_ago(29));  // the latest anywhere
    CHECK(row_of(*index, "acc-06").account_type == "app");
    CHECK(row_of(*index, "acc-03").account_type == "atlassian");
    CHECK_FALSE(row_of(*index, "acc-09").added_to_org_ms.has_value());
}

TEST_CASE("a users row in JSON has every column, activity in the scope", "[query][users]") {
    QuerySnapshot s;
    auto index = query::load_snapshot_index(s.db());
    rapidjson::Document doc;
    auto row = query::user_row_json(*index, *index->find_user("acc-07"),
                                    {std::string("jira-software"), std::string("b.example.net")},
                                    doc.GetAllocator());
    CHECK(std::string(row["account_id"].GetString()) == "acc-07");
    CHECK(std::string(row["name"].GetString()) == "Fay Zeta");
    CHECK(std::string(row["email"].GetString()) == "fay@acme.com");
    CHECK(std::string(row["status"].GetString()) == "active");
    CHECK(std::string(row["account_type"].GetString()) == "atlassian");
    REQUIRE(row["sites"].Size() == 2);
    CHECK(std::string(row["sites"][1].GetString()) == "b.example.net");
    REQUIRE(row["products"].Size() == 2);
    const auto& b = row["products"][1];
    CHECK(std::string(b["product"].GetString()) == "jira-software");
    CHECK(std::string(b["site"].GetString()) == "b.example.net");
    CHECK(std::string(b["role"].GetString()) == "atlassian/user");
    CHECK(b["billable"].GetBool());
    CHECK(std::string(b["last_active"].GetString()) == format_iso8601_ms(days_ago(31)));
    REQUIRE(row["groups"].Size() == 1);
    CHECK(std::string(row["groups"][0].GetString()) == "eng");
    CHECK(std::string(row["last_active"].GetString()) == format_iso8601_ms(days_ago(31)));
    CHECK(std::string(row["added_to_org"].GetString()) == format_iso8601_ms(days_ago(250)));

    auto hal = query::user_row_json(*index, *index->find_user("acc-09"), {}, doc.GetAllocator());
    CHECK(hal["last_active"].IsNull());
    CHECK(hal["added_to_org"].IsNull());
    CHECK(hal["products"][0]["last_active"].IsNull());
}

TEST_CASE("instants are written exactly as format_iso8601_ms writes them", "[query][users]") {
    for (std::int64_t ms : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{951'782'400'000},
                            std::int64_t{951'868'799'999}, std::int64_t{4'107'542'400'000},
                            std::int64_t{-62'135'596'800'000}, kQueryNow, kQueryNow + 86'399'999,
                            std::int64_t{253'402'300'799'999}})
        CHECK(query::format_instant_ms(ms) == format_iso8601_ms(ms));
    for (std::int64_t ms = -400LL * 86'400'000; ms < 800LL * 86'400'000; ms += 86'399'997)
        REQUIRE(query::format_instant_ms(ms) == format_iso8601_ms(ms));
}

TEST_CASE("one user is found by account id or by email", "[query][users]") {
    QuerySnapshot s;
    auto index = query::load_snapshot_index(s.db());
    auto by_id = query::find_user(*index, "acc-07");
    REQUIRE(by_id);
    CHECK(index->users[*by_id].email == "fay@acme.com");
    auto by_email = query::find_user(*index, "FAY@ACME.COM");
    REQUIRE(by_email);
    CHECK(index->users[*by_email].account_id == "acc-07");
    CHECK_FALSE(query::find_user(*index, "nobody@acme.com").has_value());

    s.add_user({"acc-11", "Fay Again", "fay@acme.com"});
    auto again = query::load_snapshot_index(s.db());
    CHECK_THROWS_WITH(query::find_user(*again, "fay@acme.com"),
                      "the email matches 2 accounts: acc-07, acc-11; ask by account id");
}

TEST_CASE("the snapshot cache reads a snapshot once and again after a publish", "[query][users]") {
    QuerySnapshot s;
    query::SnapshotCache cache;
    CHECK_FALSE(cache.held().has_value());
    auto first = cache.current(s.db());
    CHECK(cache.current(s.db()) == first);  // the same object: not read again
    CHECK(cache.held() == 1);
    CHECK(first->users.size() == 10);

    // A "sync" publishes snapshot 2 holding one user.
    s.db().exec(
        "INSERT INTO snapshots(id, state, taken_at, completed_at, slot) "
        "VALUES (2, 'complete', 1, 2, 1)");
    s.db().exec(
        "INSERT INTO users_1(snapshot_id, user_no, account_id, name, status) "
        "VALUES (2, 1, 'acc-99', 'New', 'active')");
    s.db().exec("UPDATE meta SET value = '2' WHERE key = 'current_snapshot'");
    auto second = cache.current(s.db());
    CHECK(second != first);
    CHECK(second->info.id == 2);
    CHECK(second->users.size() == 1);
    CHECK(first->users.size() == 10);  // a question still holding the old one is unaffected
}

TEST_CASE("a filter naming values the snapshot does not hold matches no one", "[query][users]") {
    QuerySnapshot s;
    CHECK(select(s, {R"({"role":"stakeholder"})"}).empty());
    CHECK(select(s, {R"({"status":"for_deletion"})"}).empty());
    CHECK(select(s, {R"({"domain":"nowhere.org"})"}).empty());
    CHECK(select(s, {R"({"account-type":"customer"})"}).empty());
    CHECK(select(s, {R"({"product":"bitbucket"})"}).empty());
    CHECK(select(s, {R"({"site":"c.example.net"})"}).empty());
    CHECK(select(s, {R"({"group":"nobody"})"}).empty());
    CHECK(select(s, {R"({"not-group":"nobody","not-product":"bitbucket"})"}).size() == 10);
}

TEST_CASE("before the first sync every query says there is no data", "[query][users]") {
    QuerySnapshot empty(false);
    CHECK_THROWS_AS(query::current_snapshot(empty.db()), query::NoDataError);
    CHECK_THROWS_WITH(query::current_snapshot(empty.db()), "no data yet: run rosterctl sync");
    CHECK_THROWS_AS(query::load_snapshot_index(empty.db()), query::NoDataError);
    query::SnapshotCache cache;
    CHECK_THROWS_AS(cache.current(empty.db()), query::NoDataError);
    QuerySnapshot s;
    auto info = query::current_snapshot(s.db());
    CHECK(info.id == 1);
    CHECK(info.as_of_ms == kQueryAsOf);
    CHECK(info.org_name == "Test Org");
}
