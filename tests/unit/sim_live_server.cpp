// Support code for the simulator tests (no test cases here).
#include "sim_live_server.hpp"

#include <catch2/catch.hpp>

#include "rosterd/base/time_format.hpp"

namespace rosterd::sim::test {

GeneratorOptions small_org(std::size_t users, std::uint64_t seed) {
    GeneratorOptions options;
    options.users = users;
    options.seed = seed;
    options.now_ms = *parse_iso8601_ms(kTestNow);
    return options;
}

namespace {
Model make_model(const GeneratorOptions& options) {
    return generate_model(options);
}
}  // namespace

LiveSim::LiveSim(GeneratorOptions options, SimSettings settings)
    : server(make_model(options), std::move(settings)),
      client("127.0.0.1", server.start("127.0.0.1", 0)),
      anonymous("127.0.0.1", server.port()),
      org_id_(options.org_id) {
    client.set_default_headers({{"Authorization", "Bearer sim-key"}});
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);
    anonymous.set_tcp_nodelay(true);
    client.set_read_timeout(10, 0);
    anonymous.set_read_timeout(10, 0);
}

std::string LiveSim::v2(const std::string& suffix) const {
    return "/admin/v2/orgs/" + org_id_ + suffix;
}

std::string LiveSim::v1(const std::string& suffix) const {
    return "/admin/v1/orgs/" + org_id_ + suffix;
}

httplib::Result LiveSim::post_json(const std::string& path, const std::string& body) {
    return client.Post(path.c_str(), body, "application/json");
}

httplib::Result LiveSim::get(const std::string& path) {
    return client.Get(path.c_str());
}

void LiveSim::configure(const std::string& knobs_json) {
    auto res = anonymous.Post("/_sim/config", knobs_json, "application/json");
    REQUIRE(res);
    REQUIRE(res->status == 200);
}

rapidjson::Document LiveSim::truth() {
    auto res = anonymous.Get("/_sim/truth");
    REQUIRE(res);
    REQUIRE(res->status == 200);
    return parse_json(res->body);
}

rapidjson::Document parse_json(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str(), text.size());
    INFO(text.substr(0, 500));
    REQUIRE_FALSE(doc.HasParseError());
    return doc;
}

}  // namespace rosterd::sim::test
