// The gateway: authentication, key expiry, error shapes, forced and random faults, rate
// limits, the 415 rule, latency in parallel and the request log.
#include <catch2/catch.hpp>

#include <chrono>
#include <future>
#include <vector>

#include "sim_live_server.hpp"

using namespace rosterd::sim;
using namespace rosterd::sim::test;

TEST_CASE("a missing, wrong or expired key answers 401 ProxyError", "[sim]") {
    LiveSim sim;
    auto missing = sim.anonymous.Get(sim.v1("").c_str());
    REQUIRE(missing);
    CHECK(missing->status == 401);
    CHECK(missing->body == R"({"code":401,"message":"Unauthorized"})");

    httplib::Client wrong("127.0.0.1", sim.server.port());
    wrong.set_default_headers({{"Authorization", "Bearer not-the-key"}});
    auto refused =
        wrong.Post(sim.v2("/directories/-/users/search").c_str(), "{}", "application/json");
    REQUIRE(refused);
    CHECK(refused->status == 401);
    CHECK(refused->body == R"({"code":401,"message":"Unauthorized"})");
    CHECK(refused->body.find("not-the-key") == std::string::npos);

    auto ok = sim.get(sim.v1(""));
    REQUIRE(ok);
    CHECK(ok->status == 200);
    sim.configure(R"({"key_expired":true})");
    auto expired = sim.get(sim.v1(""));
    REQUIRE(expired);
    CHECK(expired->status == 401);
    CHECK(expired->body == R"({"code":401,"message":"Unauthorized"})");
    auto um = sim.post_json("/users/x/manage/lifecycle/disable", "{}");
    REQUIRE(um);
    CHECK(um->status == 401);
    CHECK(um->body == R"({"key":"unauthorized"})");
    // The control API needs no key and ignores key expiry.
    auto control = sim.anonymous.Get("/_sim/config");
    REQUIRE(control);
    CHECK(control->status == 200);
}

TEST_CASE("the sim with --key-expires in the past and a rotated key refuse the old credentials",
          "[sim]") {
    SimSettings settings;
    settings.api_key = "rotating-key";
    settings.knobs.key_expires_ms = 1'000;  // 1970
    LiveSim sim(small_org(10, 1), settings);
    httplib::Client client("127.0.0.1", sim.server.port());
    client.set_default_headers({{"Authorization", "Bearer rotating-key"}});
    auto res = client.Get(sim.v1("").c_str());
    REQUIRE(res);
    CHECK(res->status == 401);
    sim.configure(R"({"key_expires":null,"api_key":"fresh-key"})");
    CHECK(client.Get(sim.v1("").c_str())->status == 401);
    client.set_default_headers({{"Authorization", "Bearer fresh-key"}});
    CHECK(client.Get(sim.v1("").c_str())->status == 200);
    auto config = sim.anonymous.Get("/_sim/config");
    CHECK(config->body.find("fresh-key") == std::string::npos);
}

TEST_CASE("not-found errors come in each family's shape", "[sim]") {
    LiveSim sim;
    auto org = sim.get("/admin/v1/orgs/00000000-0000-0000-0000-000000000000");
    REQUIRE(org);
    CHECK(org->status == 404);
    auto doc = parse_json(org->body);
    CHECK(doc["errors"][0]["code"] == "ADMIN-404-2");
    CHECK(doc["errors"][0]["status"] == "404");

    auto workspaces = sim.post_json("/admin/v2/orgs/nope/workspaces", "{}");
    REQUIRE(workspaces);
    CHECK(workspaces->status == 404);
    CHECK(parse_json(workspaces->body)["code"] == "ADMIN-404-2");

    auto user = sim.get(sim.v2("/directories/-/users/557058:nobody"));
    REQUIRE(user);
    CHECK(user->status == 404);
    CHECK(parse_json(user->body)["errors"][0]["code"] == "ADMIN-404-8");

    auto last_active = sim.get(sim.v1("/directory/users/557058:nobody/last-active-dates"));
    REQUIRE(last_active);
    CHECK(last_active->status == 404);
    CHECK(parse_json(last_active->body)["errors"][0]["code"] == "ADMIN-404-8");

    auto um = sim.post_json("/users/557058:nobody/manage/lifecycle/disable", "{}");
    REQUIRE(um);
    CHECK(um->status == 404);
    CHECK(um->body == R"({"key":"accountNotFound"})");
}

TEST_CASE("the removed v1 endpoints answer 404", "[sim]") {
    LiveSim sim;
    auto truth = sim.truth();
    std::string id = truth["users"][3]["account_id"].GetString();
    for (const auto& path :
         {sim.v1("/users/search"), sim.v1("/directory/users/" + id + "/suspend-access"),
          sim.v1("/directory/users/" + id + "/restore-access"), sim.v1("/groups/search"),
          sim.v1("/directory/groups/x/memberships")}) {
        auto res = sim.post_json(path, "{}");
        REQUIRE(res);
        INFO(path);
        CHECK(res->status == 404);
        CHECK(parse_json(res->body).HasMember("errors"));
    }
    auto removed_delete = sim.client.Delete(sim.v1("/directory/users/" + id).c_str());
    REQUIRE(removed_delete);
    CHECK(removed_delete->status == 404);
}

TEST_CASE("a body-less POST without a JSON content type answers 415", "[sim]") {
    LiveSim sim;
    std::string id = sim.truth()["users"][10]["account_id"].GetString();
    std::string suspend = sim.v2("/directories/-/users/" + id + "/suspend");
    auto bare = sim.client.Post(suspend.c_str());
    REQUIRE(bare);
    CHECK(bare->status == 415);
    CHECK(parse_json(bare->body)["errors"][0]["code"] == "ADMIN-UAM-415-1");
    auto with_json = sim.post_json(suspend, "{}");
    REQUIRE(with_json);
    CHECK(with_json->status == 204);
    sim.configure(R"({"require_json_body":false})");
    auto lenient = sim.client.Post(sim.v2("/directories/-/users/" + id + "/restore").c_str());
    REQUIRE(lenient);
    CHECK(lenient->status == 204);
}

TEST_CASE("forced failures hit the next N matching requests only", "[sim]") {
    LiveSim sim;
    auto rule = sim.anonymous.Post("/_sim/fail",
                                   R"({"path_contains":"/users/search","status":502,"count":2})",
                                   "application/json");
    REQUIRE(rule);
    REQUIRE(rule->status == 200);
    CHECK(sim.get(sim.v1(""))->status == 200);  // does not match
    auto first = sim.post_json(sim.v2("/directories/-/users/search"), "{}");
    CHECK(first->status == 502);
    CHECK(parse_json(first->body)["code"].GetInt() == 502);  // gateway errors are ProxyErrors
    CHECK(sim.post_json(sim.v2("/directories/-/users/search"), "{}")->status == 502);
    CHECK(sim.post_json(sim.v2("/directories/-/users/search"), "{}")->status == 200);

    sim.anonymous.Post("/_sim/fail", R"({"path_contains":"/groups/search","status":500})",
                       "application/json");
    auto server_error = sim.post_json(sim.v2("/directories/-/groups/search"), "{}");
    CHECK(server_error->status == 500);
    CHECK(parse_json(server_error->body)["errors"][0]["code"] == "ADMIN-500-1");
}

TEST_CASE("random errors, 429s, truncation and resets follow the knobs", "[sim]") {
    LiveSim sim;
    sim.configure(R"({"error_rate":1.0})");
    for (int i = 0; i < 6; ++i) {
        auto res = sim.post_json(sim.v2("/directories/-/users/search"), "{}");
        REQUIRE(res);
        CHECK((res->status == 500 || res->status == 503));
        auto doc = parse_json(res->body);
        CHECK((res->status == 503 ? doc.HasMember("code") : doc.HasMember("errors")));
    }
    // Faults never reach the control API.
    CHECK(sim.anonymous.Get("/_sim/truth")->status == 200);

    sim.configure(R"({"error_rate":0,"rate_429_rate":1.0})");
    auto limited = sim.get(sim.v1(""));
    REQUIRE(limited);
    CHECK(limited->status == 429);
    CHECK(limited->body == R"({"code":429,"message":"Too many requests"})");
    CHECK(limited->has_header("X-RateLimit-Reset"));
    CHECK_FALSE(limited->has_header("Retry-After"));

    sim.configure(R"({"rate_429_rate":0,"truncate_rate":1.0})");
    auto full_length = [&] {
        sim.configure(R"({"truncate_rate":0})");
        auto res = sim.post_json(sim.v2("/directories/-/users/search"), R"({"limit":3})");
        sim.configure(R"({"truncate_rate":1.0})");
        return res->body.size();
    }();
    auto truncated = sim.post_json(sim.v2("/directories/-/users/search"), R"({"limit":3})");
    REQUIRE(truncated);
    CHECK(truncated->status == 200);
    CHECK(truncated->body.size() == full_length / 2);
    rapidjson::Document doc;
    doc.Parse(truncated->body.c_str());
    CHECK(doc.HasParseError());

    sim.configure(R"({"truncate_rate":0,"reset_rate":1.0})");
    auto reset = sim.post_json(sim.v2("/directories/-/users/search"), R"({"limit":3})");
    CHECK_FALSE(reset);  // the connection dropped mid-response
    sim.configure(R"({"reset_rate":0})");
    auto recovered = sim.post_json(sim.v2("/directories/-/users/search"), R"({"limit":3})");
    REQUIRE(recovered);
    CHECK(recovered->status == 200);
}

TEST_CASE("the per-key rate limit counts requests and reports X-RateLimit headers", "[sim]") {
    LiveSim sim;
    sim.configure(R"({"rate_limit":3})");
    for (int remaining : {2, 1, 0}) {
        auto res = sim.get(sim.v1(""));
        REQUIRE(res);
        CHECK(res->status == 200);
        CHECK(res->get_header_value("X-RateLimit-Limit") == "3");
        CHECK(res->get_header_value("X-RateLimit-Remaining") == std::to_string(remaining));
        CHECK(res->get_header_value("X-RateLimit-Reset").ends_with("Z"));
    }
    auto refused = sim.post_json(sim.v2("/directories/-/users/search"), "{}");
    REQUIRE(refused);
    CHECK(refused->status == 429);
    CHECK(parse_json(refused->body)["errors"][0]["code"] == "ADMIN-429-1");  // v2 shape
    CHECK(refused->get_header_value("X-RateLimit-Remaining") == "0");
    CHECK_FALSE(refused->has_header("Retry-After"));
    sim.configure(R"({"retry_after":true})");
    auto again = sim.get(sim.v1(""));
    REQUIRE(again);
    CHECK(again->status == 429);
    int seconds = std::stoi(again->get_header_value("Retry-After"));
    CHECK(seconds >= 1);
    CHECK(seconds <= 60);
}

TEST_CASE("last-active-dates is always limited per org", "[sim]") {
    LiveSim sim;
    sim.configure(R"({"last_active_limit":2})");
    std::string id = sim.truth()["users"][0]["account_id"].GetString();
    std::string path = sim.v1("/directory/users/" + id + "/last-active-dates");
    CHECK(sim.get(path)->status == 200);
    CHECK(sim.get(path)->status == 200);
    auto refused = sim.get(path);
    REQUIRE(refused);
    CHECK(refused->status == 429);
    CHECK(refused->body == R"({"code":429,"message":"Too many requests"})");
    CHECK(sim.get(sim.v1(""))->status == 200);  // other paths are not limited (rate_limit 0)
}

TEST_CASE("injected latency does not serialize parallel requests", "[sim]") {
    LiveSim sim(small_org(50, 1));
    sim.configure(R"({"latency_ms":150})");
    const int port = sim.server.port();
    auto start = std::chrono::steady_clock::now();
    std::vector<std::future<int>> calls;
    for (int i = 0; i < 8; ++i) {
        calls.push_back(std::async(std::launch::async, [port] {
            httplib::Client client("127.0.0.1", port);
            client.set_default_headers({{"Authorization", "Bearer sim-key"}});
            auto res = client.Get("/admin/v1/orgs");
            return res ? res->status : -1;
        }));
    }
    for (auto& call : calls)
        CHECK(call.get() == 200);
    auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed >= std::chrono::milliseconds(150));
    CHECK(elapsed < std::chrono::milliseconds(8 * 150 / 2));  // far from 8 x 150 ms in series
}

TEST_CASE("the request log records API requests, not control ones", "[sim]") {
    LiveSim sim;
    sim.anonymous.Post("/_sim/requests/clear", "", "application/json");
    sim.post_json(sim.v2("/directories/-/users/search"), R"({"limit": 2, "status": ["active"]})");
    sim.get(sim.v2("/directories/-/users/count?status=active"));
    sim.anonymous.Get("/_sim/truth");
    auto log = parse_json(sim.anonymous.Get("/_sim/requests")->body);
    REQUIRE(log.Size() == 2);
    CHECK(log[0]["method"] == "POST");
    CHECK(log[0]["path"] == sim.v2("/directories/-/users/search").c_str());
    CHECK(log[0]["query"] == "");
    CHECK(log[0]["status"].GetInt() == 200);
    CHECK(log[0]["body"]["limit"].GetInt() == 2);
    CHECK(log[0]["t"].GetInt64() > 1'700'000'000'000);
    CHECK(log[0]["duration_ms"].GetInt64() >= 0);
    CHECK(log[1]["method"] == "GET");
    CHECK(log[1]["query"] == "status=active");
    CHECK(log[1]["body"].IsNull());
    sim.anonymous.Post("/_sim/requests/clear", "", "application/json");
    CHECK(sim.anonymous.Get("/_sim/requests")->body == "[]");
}

TEST_CASE("a key with scopes reads what has a scope and gets 403 elsewhere", "[sim]") {
    LiveSim sim;
    sim.configure(R"({"key_scoped":true})");
    CHECK(sim.get(sim.v1(""))->status == 200);
    CHECK(sim.post_json(sim.v2("/workspaces"), "{}")->status == 200);
    CHECK(sim.get(sim.v2("/directories/-/users/count"))->status == 200);
    CHECK(sim.post_json(sim.v2("/directories/-/groups/search"), "{}")->status == 200);
    auto users = sim.get(sim.v1("/users"));
    REQUIRE(users);
    CHECK(users->status == 403);
    auto no_perms = parse_json(users->body);
    CHECK(no_perms["status"].GetInt() == 403);
    CHECK(no_perms["error"] == "Forbidden");
    CHECK(no_perms["message"] == "User has no permission to access resource.");
    CHECK(no_perms["path"] == ("/api" + sim.v1("/users")).c_str());
    CHECK(sim.post_json(sim.v2("/directories/-/users/search"), "{}")->status == 403);
    std::string id = sim.truth()["users"][4]["account_id"].GetString();
    CHECK(sim.post_json(sim.v2("/directories/-/users/" + id + "/suspend"), "{}")->status == 403);
    CHECK(sim.anonymous.Get(("/_sim/users/" + id).c_str())->body.find("\"status\":\"suspended\"") ==
          std::string::npos);  // refused requests change nothing
    auto um = sim.post_json("/users/" + id + "/manage/lifecycle/disable", "{}");
    REQUIRE(um);
    CHECK(um->status == 403);
    CHECK(um->body == R"({"key":"forbidden"})");
}
