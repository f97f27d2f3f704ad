#pragma once
// Run-time behaviour knobs: latency, faults, rate limits, paging. Set from the command line and
// changeable at run time through POST /_sim/config.
#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>

namespace rosterd::sim {

struct Knobs {
    int latency_ms = 0;           // added to every API request
    int page_size = 50;           // v1 /users page size
    double error_rate = 0.0;      // fraction answered 500/503
    int rate_limit = 0;           // requests per minute per key across API paths; 0 = off
    int last_active_limit = 200;  // last-active-dates requests per minute per org (always on)
    double rate_429_rate = 0.0;   // fraction answered 429 regardless of counts
    bool retry_after = false;     // send Retry-After on 429s
    double truncate_rate = 0.0;   // fraction of 200 JSON bodies cut in half
    double reset_rate = 0.0;      // fraction of connections dropped mid-response
    int slow_ms = 0;              // extra delay for a fraction slow_rate of requests
    double slow_rate = 0.0;
    std::string slow_path;             // when set, only requests whose path contains it are slowed
    std::string hide_domain;           // a verified domain GET /v1/orgs/{org}/domains leaves out
    std::string refuse_group_role_id;  // a roleIds value groups/search answers 400 to
    double cursor_ttl_s = 900.0;       // older cursors answer 400 ADMIN-400-1; 0 = never expire
    bool require_json_body = true;     // body-less POST without application/json -> 415
    bool key_expired = false;          // every API call answers 401
    bool key_scoped = false;           // the key has scopes: unscoped-only endpoints answer 403
    std::optional<std::int64_t> key_expires_ms;  // after this instant every API call answers 401
};

// Knob changes that are not knobs themselves (they live elsewhere in the server).
struct KnobSideEffects {
    std::optional<std::string> api_key;       // "api_key": replace the accepted bearer key
    std::optional<std::uint64_t> fault_seed;  // "fault_seed": restart the fault sequence
};

// Applies the members present in `object` (snake_case names as in knobs_json). Throws
// std::runtime_error on unknown names, wrong types or out-of-range values, leaving `knobs` as
// it was.
KnobSideEffects apply_knobs_json(Knobs& knobs, const rapidjson::Value& object);

// The knobs as JSON (the accepted API key is never included).
std::string knobs_json(const Knobs& knobs);

}  // namespace rosterd::sim
