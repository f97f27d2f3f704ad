// The webhook sink records deliveries and answers as configured.
#include <catch2/catch.hpp>

#include "sim_live_server.hpp"

using namespace rosterd::sim;
using namespace rosterd::sim::test;

TEST_CASE("the sink records deliveries and answers 200 ok by default", "[sim]") {
    LiveSim sim(small_org(5, 1));
    httplib::Headers headers{{"X-Signature", "abc"}};
    auto res =
        sim.anonymous.Post("/sink/slack", headers, R"({"text":"hello"})", "application/json");
    REQUIRE(res);
    CHECK(res->status == 200);
    CHECK(res->body == "ok");
    auto received = parse_json(sim.anonymous.Get("/_sim/sink/slack")->body);
    REQUIRE(received.Size() == 1);
    CHECK(received[0]["name"] == "slack");
    CHECK(received[0]["body"] == R"({"text":"hello"})");
    CHECK(received[0]["headers"]["X-Signature"] == "abc");
    CHECK(received[0]["headers"]["Content-Type"] == "application/json");
    CHECK(received[0]["t"].GetInt64() > 1'700'000'000'000);
    CHECK(parse_json(sim.anonymous.Get("/_sim/sink/other")->body).Size() == 0);
}

TEST_CASE("a configured sink fails N times with Retry-After, then recovers", "[sim]") {
    LiveSim sim(small_org(5, 1));
    auto configured = sim.anonymous.Post(
        "/_sim/sink/teams", R"({"status":429,"body":"slow down","retry_after":2,"times":2})",
        "application/json");
    REQUIRE(configured);
    CHECK(configured->status == 200);
    for (int i = 0; i < 2; ++i) {
        auto res = sim.anonymous.Post("/sink/teams", "{}", "application/json");
        REQUIRE(res);
        CHECK(res->status == 429);
        CHECK(res->body == "slow down");
        CHECK(res->get_header_value("Retry-After") == "2");
    }
    auto ok = sim.anonymous.Post("/sink/teams", "{}", "application/json");
    CHECK(ok->status == 200);
    CHECK_FALSE(ok->has_header("Retry-After"));
    CHECK(parse_json(sim.anonymous.Get("/_sim/sink/teams")->body).Size() == 3);
    CHECK(sim.anonymous.Delete("/_sim/sink/teams")->status == 200);
    CHECK(parse_json(sim.anonymous.Get("/_sim/sink/teams")->body).Size() == 0);
    CHECK(sim.anonymous.Post("/_sim/sink/x", R"({"status":"bad"})", "application/json")->status ==
          400);
}
