#pragma once
// Shared helpers for the simulator's tests: an in-process rosterd-sim on an ephemeral port and
// an HTTP client that authenticates with its key.
#include <httplib.h>
#include <rapidjson/document.h>

#include <string>

#include "generator.hpp"
#include "sim_server.hpp"

namespace rosterd::sim::test {

inline constexpr const char* kTestNow = "2026-08-15T12:00:00Z";

// A small organization (one directory) unless told otherwise.
GeneratorOptions small_org(std::size_t users = 300, std::uint64_t seed = 11);

class LiveSim {
  public:
    explicit LiveSim(GeneratorOptions options = small_org(), SimSettings settings = {});

    SimServer server;
    httplib::Client client;     // sends "Authorization: Bearer sim-key"
    httplib::Client anonymous;  // sends no credentials (for /_sim, /sink and 401 tests)

    const std::string& org_id() const { return org_id_; }
    // "/admin/v2/orgs/<org>" + suffix, and the v1 equivalent.
    std::string v2(const std::string& suffix) const;
    std::string v1(const std::string& suffix) const;

    httplib::Result post_json(const std::string& path, const std::string& body);
    httplib::Result get(const std::string& path);
    // Sets knobs through POST /_sim/config; REQUIREs 200.
    void configure(const std::string& knobs_json);
    // The current truth (GET /_sim/truth).
    rapidjson::Document truth();

  private:
    std::string org_id_;
};

rapidjson::Document parse_json(const std::string& text);

}  // namespace rosterd::sim::test
