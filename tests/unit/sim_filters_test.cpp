// users/search, GET users and users/count filters, checked against the truth.
#include <catch2/catch.hpp>

#include <functional>
#include <set>
#include <string>

#include "sim_live_server.hpp"

using namespace rosterd::sim;
using namespace rosterd::sim::test;

namespace {

using UserPredicate = std::function<bool(const rapidjson::Value& user)>;

// Account ids of every truth user matching `predicate`.
std::set<std::string> expected_ids(LiveSim& sim, const UserPredicate& predicate) {
    auto truth = sim.truth();
    std::set<std::string> ids;
    for (const auto& user : truth["users"].GetArray()) {
        if (predicate(user))
            ids.insert(user["account_id"].GetString());
    }
    return ids;
}

// Walks users/search with `filters` (a JSON object body without braces) to the end.
std::set<std::string> search_ids(LiveSim& sim, const std::string& filters) {
    std::set<std::string> ids;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
        std::string body = "{\"limit\":100" + (filters.empty() ? "" : "," + filters) +
                           (cursor.empty() ? "" : ",\"cursor\":\"" + cursor + "\"") + "}";
        auto res = sim.post_json(sim.v2("/directories/-/users/search"), body);
        REQUIRE(res);
        INFO(body << " -> " << res->body.substr(0, 300));
        REQUIRE(res->status == 200);
        auto doc = parse_json(res->body);
        for (const auto& user : doc["data"].GetArray()) {
            CHECK(ids.insert(user["accountId"].GetString()).second);
        }
        if (!doc["links"].HasMember("next"))
            return ids;
        cursor = doc["links"]["next"].GetString();
    }
    FAIL("users/search never ended");
    return ids;
}

std::size_t count_of(LiveSim& sim, const std::string& query) {
    auto res = sim.get(sim.v2("/directories/-/users/count") + (query.empty() ? "" : "?" + query));
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return parse_json(res->body)["count"].GetUint64();
}

bool str_eq(const rapidjson::Value& v, const char* name, const std::string& expected) {
    return v[name].IsString() && expected == v[name].GetString();
}

bool holds(const rapidjson::Value& user, const std::string& resource, const std::string& role) {
    for (const auto& access : user["access"].GetArray()) {
        if (resource == access["resource_id"].GetString() &&
            (role.empty() || role == access["role"].GetString())) {
            return true;
        }
    }
    return false;
}

void check_filter(LiveSim& sim, const std::string& filters, const std::string& count_query,
                  const UserPredicate& predicate) {
    auto expected = expected_ids(sim, predicate);
    INFO(filters);
    CHECK_FALSE(expected.empty());
    CHECK(search_ids(sim, filters) == expected);
    if (!count_query.empty())
        CHECK(count_of(sim, count_query) == expected.size());
}

}  // namespace

TEST_CASE("every users/search filter matches exactly the truth's users", "[sim]") {
    LiveSim sim;
    auto truth = sim.truth();
    const std::string jira = truth["sites"][0]["products"][0]["resource_id"].GetString();
    const std::string confluence = truth["sites"][0]["products"][1]["resource_id"].GetString();
    const std::string group = truth["groups"][0]["id"].GetString();
    const std::string someone = truth["users"][5]["account_id"].GetString();
    const std::string someone_email = truth["users"][5]["email"].GetString();

    CHECK(search_ids(sim, "").size() == truth["users"].Size());
    CHECK(count_of(sim, "") == truth["users"].Size());

    check_filter(sim, R"("status":["suspended"])", "status=suspended",
                 [](const auto& u) { return str_eq(u, "status", "suspended"); });
    check_filter(sim, R"("status":["deactivated","not_invited"])", "status=deactivated,not_invited",
                 [](const auto& u) {
                     return str_eq(u, "status", "deactivated") ||
                            str_eq(u, "status", "not_invited");
                 });
    check_filter(sim, R"("claimStatus":"unmanaged")", "claimStatus=unmanaged",
                 [](const auto& u) { return str_eq(u, "claim_status", "unmanaged"); });
    check_filter(sim, R"("accountStatus":["inactive"])", "accountStatus=inactive",
                 [](const auto& u) { return str_eq(u, "account_status", "inactive"); });
    check_filter(sim, R"("membershipStatus":["suspended"])", "membershipStatus=suspended",
                 [](const auto& u) { return str_eq(u, "membership_status", "suspended"); });
    check_filter(sim, R"("resourceIds":[")" + confluence + "\"]", "resourceIds=" + confluence,
                 [&](const auto& u) { return holds(u, confluence, ""); });
    check_filter(sim, R"("roleIds":["atlassian/admin"],"resourceIds":[")" + jira + "\"]",
                 "roleIds=atlassian/admin&resourceIds=" + jira,
                 [&](const auto& u) { return holds(u, jira, "atlassian/admin"); });
    check_filter(sim, R"("roleIds":["atlassian/guest"])", "roleIds=atlassian/guest",
                 [&](const auto& u) {
                     for (const auto& a : u["access"].GetArray()) {
                         if (std::string(a["role"].GetString()) == "atlassian/guest")
                             return true;
                     }
                     return false;
                 });
    check_filter(sim, R"("roleIds":["atlassian/org-admin"])", "roleIds=atlassian/org-admin",
                 [](const auto& u) {
                     for (const auto& r : u["platform_roles"].GetArray()) {
                         if (std::string(r.GetString()) == "atlassian/org-admin")
                             return true;
                     }
                     return false;
                 });
    check_filter(sim, R"("groupIds":[")" + group + "\"]", "groupIds=" + group, [&](const auto& u) {
        for (const auto& g : u["groups"].GetArray()) {
            if (group == g.GetString())
                return true;
        }
        return false;
    });
    check_filter(sim, R"("emailDomains":["acme.io","GMAIL.com"])",
                 "emailDomains=acme.io&emailDomains=gmail.com", [](const auto& u) {
                     std::string email = u["email"].GetString();
                     return email.ends_with("@acme.io") || email.ends_with("@gmail.com");
                 });
    check_filter(sim, R"("emails":[")" + someone_email + "\"]", "",
                 [&](const auto& u) { return someone_email == u["email"].GetString(); });
    check_filter(sim, R"("accountIds":[")" + someone + "\"]", "accountIds=" + someone,
                 [&](const auto& u) { return someone == u["account_id"].GetString(); });
    check_filter(sim, R"("searchTerm":"KUMAR")", "searchTerm=kumar", [](const auto& u) {
        std::string text = std::string(u["nickname"].GetString()) + " " + u["email"].GetString();
        return text.find("kumar") != std::string::npos ||
               std::string(u["name"].GetString()).find("Kumar") != std::string::npos;
    });
    const std::string directory = truth["directories"][0]["id"].GetString();
    check_filter(sim, R"("directoryIds":[")" + directory + "\"]", "directoryIds=" + directory,
                 [](const auto&) { return true; });
}

TEST_CASE("filters combine with AND, lists within a filter combine with OR", "[sim]") {
    LiveSim sim;
    auto truth = sim.truth();
    const std::string jsm = truth["sites"][0]["products"][2]["resource_id"].GetString();
    check_filter(sim,
                 R"("status":["active"],"claimStatus":"unmanaged","resourceIds":[")" + jsm + "\"]",
                 "status=active&claimStatus=unmanaged&resourceIds=" + jsm, [&](const auto& u) {
                     return str_eq(u, "status", "active") &&
                            str_eq(u, "claim_status", "unmanaged") && holds(u, jsm, "");
                 });
    check_filter(
        sim, R"("roleIds":["atlassian/customer","atlassian/admin"],"resourceIds":[")" + jsm + "\"]",
        "roleIds=atlassian/customer&roleIds=atlassian/admin&resourceIds=" + jsm,
        [&](const auto& u) {
            return holds(u, jsm, "atlassian/customer") || holds(u, jsm, "atlassian/admin");
        });
}

TEST_CASE("the deprecated GET users accepts repeated and comma-separated lists", "[sim]") {
    LiveSim sim;
    auto count_pages = [&](const std::string& query) {
        std::size_t total = 0;
        std::string url = sim.v2("/directories/-/users?limit=100&" + query);
        auto res = sim.get(url);
        REQUIRE(res);
        REQUIRE(res->status == 200);
        total += parse_json(res->body)["data"].Size();
        return total;
    };
    std::size_t repeated = count_pages("status=suspended&status=deactivated");
    std::size_t comma = count_pages("status=suspended,deactivated");
    CHECK(repeated == comma);
    CHECK(repeated == count_of(sim, "status=suspended&status=deactivated"));
    CHECK(repeated > 0);
    auto res = sim.get(sim.v2("/directories/-/users"));
    REQUIRE(res);
    CHECK(parse_json(res->body)["data"].Size() == 20);  // GET defaults to 20 per page
}

TEST_CASE("invalid filters answer 400 with an errors list", "[sim]") {
    LiveSim sim;
    auto expect_400 = [&](const std::string& body) {
        auto res = sim.post_json(sim.v2("/directories/-/users/search"), body);
        REQUIRE(res);
        INFO(body << " -> " << res->body);
        CHECK(res->status == 400);
        auto doc = parse_json(res->body);
        REQUIRE(doc.HasMember("errors"));
        CHECK(std::string(doc["errors"][0]["status"].GetString()) == "400");
        CHECK(std::string(doc["errors"][0]["code"].GetString()).starts_with("ADMIN-400-"));
    };
    expect_400(R"({"searchTerm":"a","emails":["a@acme.com"]})");
    expect_400(R"({"limit":0})");
    expect_400(R"({"limit":101})");
    expect_400(R"({"accountIds":["1","2","3","4","5","6","7","8","9","10","11"]})");
    expect_400(R"({"accountIds":[]})");
    expect_400(R"({"status":["gone"]})");
    expect_400(R"({"status":"active"})");
    expect_400(R"({"roleIds":["atlassian/emperor"]})");
    expect_400(R"({"expand":["everything"]})");
    expect_400(R"({"sortBy":[{"field":"email","direction":"asc"}]})");
    expect_400(R"({"claimStatus":"maybe"})");
    expect_400(R"(not json)");
    auto res = sim.get(sim.v2("/directories/-/users?limit=500"));
    REQUIRE(res);
    CHECK(res->status == 400);
    std::string many;
    for (int i = 0; i < 21; ++i)
        many += (i ? "," : "") + std::string("ari:cloud:jira::site/x") + std::to_string(i);
    res = sim.get(sim.v2("/directories/-/users/count?resourceIds=" + many));
    REQUIRE(res);
    CHECK(res->status == 400);  // at most 20 resource ids
    res = sim.get(sim.v2("/directories/-/users/count?resourceIds=ari:cloud:jira::site/x1"));
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(parse_json(res->body)["count"].GetUint64() == 0);  // an unknown resource matches nobody
}

TEST_CASE("users in another directory are only found through it or through -", "[sim]") {
    LiveSim sim(small_org(1100, 4));  // two directories
    auto truth = sim.truth();
    REQUIRE(truth["directories"].Size() == 2);
    const std::string second = truth["directories"][1]["id"].GetString();
    std::size_t in_second = 0;
    for (const auto& user : truth["users"].GetArray()) {
        if (second == user["directory_id"].GetString())
            ++in_second;
    }
    CHECK(in_second > 50);
    CHECK(count_of(sim, "") == 1100);
    auto res = sim.get(sim.v2("/directories/" + second + "/users/count"));
    REQUIRE(res);
    CHECK(parse_json(res->body)["count"].GetUint64() == in_second);
    res = sim.get(sim.v2("/directories/no-such-directory/users/count"));
    REQUIRE(res);
    CHECK(res->status == 404);
}

TEST_CASE("a search naming its users by email or account id combines with the other filters",
          "[sim]") {
    // The simulator answers these from an index instead of walking the organization: the same
    // users, in the same order, paged the same way.
    LiveSim sim;
    auto truth = sim.truth();
    const std::string jira = truth["sites"][0]["products"][0]["resource_id"].GetString();
    std::string emails, ids;
    std::set<std::string> named_by_email, named_by_id;
    std::size_t n = 0;
    for (const auto& u : truth["users"].GetArray()) {
        if (n < 100) {
            std::string email = u["email"].GetString();
            // Any case matches.
            if (n % 2 == 0)
                for (auto& c : email)
                    c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
            emails += (emails.empty() ? "\"" : ",\"") + email + "\"";
            named_by_email.insert(u["account_id"].GetString());
        }
        if (n >= 50 && n < 60) {
            ids += (ids.empty() ? "\"" : ",\"") + std::string(u["account_id"].GetString()) + "\"";
            named_by_id.insert(u["account_id"].GetString());
        }
        ++n;
    }
    auto on_jira = [&](const rapidjson::Value& u, const char* role) {
        for (const auto& a : u["access"].GetArray())
            if (jira == a["resource_id"].GetString() && std::string(role) == a["role"].GetString())
                return true;
        return false;
    };
    check_filter(sim, "\"emails\":[" + emails + "]", "",
                 [&](const auto& u) { return named_by_email.count(u["account_id"].GetString()); });
    check_filter(sim,
                 "\"emails\":[" + emails + "],\"resourceIds\":[\"" + jira +
                     "\"],\"roleIds\":[\"atlassian/user\"]",
                 "", [&](const auto& u) {
                     return named_by_email.count(u["account_id"].GetString()) &&
                            on_jira(u, "atlassian/user");
                 });
    check_filter(
        sim, "\"accountIds\":[" + ids + "],\"status\":[\"active\"]", "", [&](const auto& u) {
            return named_by_id.count(u["account_id"].GetString()) && str_eq(u, "status", "active");
        });
    // Paged: 100 named users, 7 a page, in the organization's order.
    std::vector<std::string> paged;
    std::string cursor;
    for (int page = 0; page < 20; ++page) {
        std::string body = "{\"limit\":7,\"emails\":[" + emails + "]" +
                           (cursor.empty() ? "" : ",\"cursor\":\"" + cursor + "\"") + "}";
        auto res = sim.post_json(sim.v2("/directories/-/users/search"), body);
        REQUIRE(res);
        REQUIRE(res->status == 200);
        auto doc = parse_json(res->body);
        for (const auto& user : doc["data"].GetArray())
            paged.push_back(user["accountId"].GetString());
        if (!doc["links"].HasMember("next"))
            break;
        cursor = doc["links"]["next"].GetString();
    }
    std::vector<std::string> in_order;
    for (const auto& u : truth["users"].GetArray())
        if (named_by_email.count(u["account_id"].GetString()))
            in_order.push_back(u["account_id"].GetString());
    CHECK(paged == in_order);
}
