#pragma once
// Shared by the notify_* and keys_* integration tests: the sim's webhook sink, dates relative to
// today, and an HMAC computed by hand (independent of rosterd's OpenSSL call).
#include <rapidjson/document.h>

#include <chrono>
#include <string>

#include "rosterd/base/time_format.hpp"
#include "sim_fixture.hpp"
#include "textbook_hmac.hpp"

namespace rosterd::test {

// What the sim's sink received for `name`, oldest first.
inline rapidjson::Document sink_deliveries(const SimFixture& sim, const std::string& name) {
    rapidjson::Document doc;
    doc.Parse(sim.http("GET", "/_sim/sink/" + name).c_str());
    return doc;
}

inline std::size_t sink_count(const SimFixture& sim, const std::string& name) {
    auto doc = sink_deliveries(sim, name);
    return doc.IsArray() ? doc.Size() : 0;
}

// Scripts the sink's next answers, e.g. {"status":500,"times":2}.
inline void sink_script(const SimFixture& sim, const std::string& name, const std::string& json) {
    sim.http("POST", "/_sim/sink/" + name, json);
}

inline std::string header_of(const rapidjson::Value& delivery, const std::string& name) {
    for (const auto& h : delivery["headers"].GetObject()) {
        std::string key = h.name.GetString();
        if (key.size() == name.size() &&
            std::equal(key.begin(), key.end(), name.begin(),
                       [](char a, char b) { return std::tolower(a) == std::tolower(b); }))
            return h.value.GetString();
    }
    return "";
}

inline rapidjson::Document body_of(const rapidjson::Value& delivery) {
    rapidjson::Document doc;
    doc.Parse(delivery["body"].GetString());
    return doc;
}

// YYYY-MM-DD, `days` from today (UTC).
inline std::string date_from_today(int days) {
    auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    std::int64_t day = now / 86'400'000 + days;
    return format_iso8601_s(day * 86'400'000).substr(0, 10);
}

// Checks "t=<unix>,v1=<hex>" against the body as a receiver would; returns why not, or "".
inline std::string signature_problem(const std::string& header, const std::string& secret,
                                     const std::string& body) {
    auto comma = header.find(",v1=");
    if (header.rfind("t=", 0) != 0 || comma == std::string::npos)
        return "malformed header: " + header;
    std::string t = header.substr(2, comma - 2);
    std::string v1 = header.substr(comma + 4);
    auto now = std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
                   .count();
    if (std::llabs(now - std::stoll(t)) > 300)
        return "timestamp too far from now: " + t;
    if (v1 != textbook_hmac_sha256(secret, t + "." + body))
        return "signature does not match";
    return "";
}

}  // namespace rosterd::test
