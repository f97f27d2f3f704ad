// Pagination: v2 cursor tokens, v1 absolute links with + / = cursors, the workspaces
// cursor-only rule, cursor errors and the cost of deep pages.
#include <catch2/catch.hpp>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "sim_live_server.hpp"

using namespace rosterd::sim;
using namespace rosterd::sim::test;

namespace {

std::string percent_decode(const std::string& text) {
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            out.push_back(static_cast<char>(std::stoi(text.substr(i + 1, 2), nullptr, 16)));
            i += 2;
        } else {
            out.push_back(text[i]);
        }
    }
    return out;
}

}  // namespace

TEST_CASE("a v2 users/search walk returns every user once and ends without links.next", "[sim]") {
    LiveSim sim;
    std::set<std::string> seen;
    std::string cursor;
    int pages = 0;
    while (true) {
        std::string body = R"({"limit":7,"expand":["productAccess"])" +
                           (cursor.empty() ? "" : R"(,"cursor":")" + cursor + "\"") + "}";
        auto res = sim.post_json(sim.v2("/directories/-/users/search"), body);
        REQUIRE(res);
        REQUIRE(res->status == 200);
        auto doc = parse_json(res->body);
        ++pages;
        CHECK(doc["data"].Size() <= 7);
        for (const auto& user : doc["data"].GetArray())
            CHECK(seen.insert(user["accountId"].GetString()).second);
        CHECK(doc["links"].HasMember("self"));
        if (!doc["links"].HasMember("next")) {
            CHECK(doc["data"].Size() > 0);  // no empty trailing page
            break;
        }
        cursor = doc["links"]["next"].GetString();
        CHECK(cursor.find_first_of("+/=") == std::string::npos);
    }
    CHECK(seen.size() == 300);
    CHECK(pages == (300 + 6) / 7);
}

TEST_CASE("a cursor alone continues with the filters it was issued for", "[sim]") {
    LiveSim sim;
    auto first = sim.post_json(sim.v2("/directories/-/users/search"),
                               R"({"limit":5,"claimStatus":"unmanaged"})");
    REQUIRE(first);
    auto doc = parse_json(first->body);
    std::string next = doc["links"]["next"].GetString();
    auto second = sim.post_json(sim.v2("/directories/-/users/search"),
                                R"({"limit":100,"cursor":")" + next + "\"}");
    REQUIRE(second);
    REQUIRE(second->status == 200);
    auto second_page = parse_json(second->body);  // kept alive for the loop
    for (const auto& user : second_page["data"].GetArray()) {
        CHECK(std::string(user["claimStatus"].GetString()) == "unmanaged");
    }
    // Resending the same filters with the cursor works too; other filters do not.
    auto same = sim.post_json(sim.v2("/directories/-/users/search"),
                              R"({"limit":5,"claimStatus":"unmanaged","cursor":")" + next + "\"}");
    REQUIRE(same);
    CHECK(same->status == 200);
    auto other = sim.post_json(sim.v2("/directories/-/users/search"),
                               R"({"limit":5,"claimStatus":"managed","cursor":")" + next + "\"}");
    REQUIRE(other);
    CHECK(other->status == 400);
    CHECK(parse_json(other->body)["errors"][0]["code"] == "ADMIN-400-1");
}

TEST_CASE("garbage and expired cursors answer 400 ADMIN-400-1", "[sim]") {
    LiveSim sim;
    auto garbage = sim.post_json(sim.v2("/directories/-/users/search"),
                                 R"({"cursor":"kloHX1ZQVasDAkx_P48NYQ"})");
    REQUIRE(garbage);
    CHECK(garbage->status == 400);
    CHECK(parse_json(garbage->body)["errors"][0]["code"] == "ADMIN-400-1");
    auto get_garbage = sim.get(sim.v2("/directories/-/groups?cursor=abc"));
    REQUIRE(get_garbage);
    CHECK(get_garbage->status == 400);

    sim.configure(R"({"cursor_ttl_s":0.05})");
    auto first = sim.post_json(sim.v2("/directories/-/users/search"), R"({"limit":5})");
    REQUIRE(first);
    std::string next = parse_json(first->body)["links"]["next"].GetString();
    std::this_thread::sleep_for(std::chrono::milliseconds(120));
    auto late = sim.post_json(sim.v2("/directories/-/users/search"),
                              R"({"limit":5,"cursor":")" + next + "\"}");
    REQUIRE(late);
    CHECK(late->status == 400);
    CHECK(parse_json(late->body)["errors"][0]["code"] == "ADMIN-400-1");
}

TEST_CASE("sortBy nick_name pages in nickname order both ways", "[sim]") {
    LiveSim sim(small_org(60, 2));
    auto walk = [&](const std::string& direction) {
        std::vector<std::string> names;
        std::string cursor;
        do {
            std::string body = R"({"limit":25,"sortBy":[{"field":"nick_name","direction":")" +
                               direction + "\"}]" +
                               (cursor.empty() ? "" : R"(,"cursor":")" + cursor + "\"") + "}";
            auto res = sim.post_json(sim.v2("/directories/-/users/search"), body);
            REQUIRE(res);
            REQUIRE(res->status == 200);
            auto doc = parse_json(res->body);
            for (const auto& user : doc["data"].GetArray())
                names.emplace_back(user["nickname"].GetString());
            cursor = doc["links"].HasMember("next") ? doc["links"]["next"].GetString() : "";
        } while (!cursor.empty());
        return names;
    };
    auto ascending = walk("asc");
    auto descending = walk("desc");
    REQUIRE(ascending.size() == 60);
    CHECK(std::is_sorted(ascending.begin(), ascending.end()));
    std::reverse(descending.begin(), descending.end());
    CHECK(descending == ascending);
}

TEST_CASE("v1 users pages through absolute links whose cursors need percent-encoding", "[sim]") {
    LiveSim sim(small_org(120, 8));
    sim.configure(R"({"page_size":13})");
    auto truth = sim.truth();
    std::size_t managed = 0;
    for (const auto& user : truth["users"].GetArray()) {
        managed += std::string(user["claim_status"].GetString()) == "managed" ? 1 : 0;
    }
    const std::string base = "http://127.0.0.1:" + std::to_string(sim.server.port());
    std::set<std::string> seen;
    std::string path = sim.v1("/users");
    int pages = 0;
    while (true) {
        auto res = sim.get(path);
        REQUIRE(res);
        REQUIRE(res->status == 200);
        auto doc = parse_json(res->body);
        ++pages;
        CHECK(doc["meta"]["total"].GetUint64() == managed);
        for (const auto& user : doc["data"].GetArray()) {
            CHECK(seen.insert(user["account_id"].GetString()).second);
            CHECK(user.HasMember("product_access"));
        }
        if (!doc["links"].HasMember("next"))
            break;
        std::string next = doc["links"]["next"].GetString();
        REQUIRE(next.starts_with(base + sim.v1("/users?cursor=")));
        std::string encoded = next.substr(next.find("cursor=") + 7);
        CHECK(encoded.find_first_of("+/=") == std::string::npos);  // percent-encoded in the URL
        std::string cursor = percent_decode(encoded);
        CHECK(cursor.find('+') != std::string::npos);
        CHECK(cursor.find('/') != std::string::npos);
        CHECK(cursor.find('=') != std::string::npos);
        path = next.substr(base.size());
    }
    CHECK(seen.size() == managed);
    CHECK(pages == static_cast<int>((managed + 12) / 13));
    // A cursor whose '+' was not encoded arrives as a space and is rejected.
    auto first = parse_json(sim.get(sim.v1("/users"))->body);
    std::string next = first["links"]["next"].GetString();
    std::string raw = percent_decode(next.substr(next.find("cursor=") + 7));
    auto broken = sim.client.Get((sim.v1("/users?cursor=") + raw).c_str());
    REQUIRE(broken);
    CHECK(broken->status == 400);
}

TEST_CASE("workspaces: a cursor must come alone, and pages carry meta", "[sim]") {
    LiveSim sim(small_org(20, 1));  // 2 sites x 3 products
    auto first = sim.post_json(sim.v2("/workspaces"), R"({"limit":4})");
    REQUIRE(first);
    REQUIRE(first->status == 200);
    auto doc = parse_json(first->body);
    CHECK(doc["data"].Size() == 4);
    CHECK(doc["meta"]["total"].GetInt() == 6);
    CHECK(doc["meta"]["startIndex"].GetInt() == 0);
    CHECK(doc["meta"]["endIndex"].GetInt() == 3);
    std::string next = doc["links"]["next"].GetString();

    auto mixed = sim.post_json(sim.v2("/workspaces"), R"({"limit":4,"cursor":")" + next + "\"}");
    REQUIRE(mixed);
    CHECK(mixed->status == 400);
    auto error = parse_json(mixed->body);
    CHECK_FALSE(error.HasMember("errors"));  // a flat error object here
    CHECK(std::string(error["status"].GetString()) == "400");
    CHECK(std::string(error["detail"].GetString()).find("no other properties") !=
          std::string::npos);

    auto rest = sim.post_json(sim.v2("/workspaces"), R"({"cursor":")" + next + "\"}");
    REQUIRE(rest);
    REQUIRE(rest->status == 200);
    auto page = parse_json(rest->body);
    CHECK(page["data"].Size() == 2);
    CHECK(page["meta"]["startIndex"].GetInt() == 4);
    CHECK_FALSE(page["links"].HasMember("next"));

    auto confluence = sim.post_json(
        sim.v2("/workspaces"),
        R"({"query":{"and":[{"field":{"name":"attributes.type","values":["confluence"]}}]},"sort":[{"field":"attributes.name","order":"desc"}]})");
    REQUIRE(confluence);
    auto only = parse_json(confluence->body);
    REQUIRE(only["data"].Size() == 2);
    CHECK(std::string(only["data"][0]["attributes"]["hostUrl"].GetString()) ==
          "https://acme-eu.atlassian.net");
    CHECK(std::string(only["data"][0]["attributes"]["typeKey"].GetString()) == "confluence");
    auto too_big = sim.post_json(sim.v2("/workspaces"), R"({"limit":1001})");
    REQUIRE(too_big);
    CHECK(too_big->status == 400);
}

TEST_CASE("deep pages cost no more than the first ones", "[sim]") {
    LiveSim sim(small_org(20000, 12));
    auto page_time = [&](const std::string& cursor) {
        auto start = std::chrono::steady_clock::now();
        auto res =
            sim.post_json(sim.v2("/directories/-/users/search"),
                          R"({"limit":100,"expand":["productAccess","groups","platformRoles"])" +
                              (cursor.empty() ? "" : R"(,"cursor":")" + cursor + "\"") + "}");
        REQUIRE(res);
        REQUIRE(res->status == 200);
        auto doc = parse_json(res->body);
        std::string next = doc["links"].HasMember("next") ? doc["links"]["next"].GetString() : "";
        return std::make_pair(std::chrono::steady_clock::now() - start, next);
    };
    std::chrono::steady_clock::duration early{}, late{};
    std::string cursor;
    int pages = 0;
    do {
        auto [elapsed, next] = page_time(cursor);
        if (pages < 20)
            early += elapsed;
        if (pages >= 180)
            late += elapsed;
        cursor = next;
        ++pages;
    } while (!cursor.empty());
    CHECK(pages == 200);
    // O(page): the last 20 pages take about as long as the first 20 (generous bound for noise).
    CHECK(late < early * 3 + std::chrono::milliseconds(50));
}

TEST_CASE("an empty or null cursor asks for the first page", "[sim]") {
    LiveSim sim(small_org(30, 3));
    auto first = sim.post_json(sim.v2("/directories/-/users/search"), R"({"limit":5})");
    auto empty = sim.post_json(sim.v2("/directories/-/users/search"), R"({"limit":5,"cursor":""})");
    REQUIRE(first);
    REQUIRE(empty);
    CHECK(empty->status == 200);
    CHECK(parse_json(empty->body)["data"][0]["accountId"] ==
          parse_json(first->body)["data"][0]["accountId"].GetString());
    auto workspaces = sim.post_json(sim.v2("/workspaces"), R"({"limit":2,"cursor":null})");
    REQUIRE(workspaces);
    CHECK(workspaces->status == 200);
    auto v1 = sim.get(sim.v1("/users?cursor="));
    REQUIRE(v1);
    CHECK(v1->status == 200);
}
