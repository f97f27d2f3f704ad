#include "knobs.hpp"

#include <stdexcept>
#include <string_view>

#include "json_util.hpp"
#include "rosterd/base/time_format.hpp"

namespace rosterd::sim {

namespace {

[[noreturn]] void bad(std::string_view name, std::string_view what) {
    throw std::runtime_error(std::string(name) + " " + std::string(what));
}

int as_int(std::string_view name, const rapidjson::Value& v, int low, int high) {
    if (!v.IsInt())
        bad(name, "must be an integer");
    int value = v.GetInt();
    if (value < low || value > high) {
        bad(name, "must be between " + std::to_string(low) + " and " + std::to_string(high));
    }
    return value;
}

double as_fraction(std::string_view name, const rapidjson::Value& v) {
    if (!v.IsNumber())
        bad(name, "must be a number");
    double value = v.GetDouble();
    if (value < 0.0 || value > 1.0)
        bad(name, "must be between 0 and 1");
    return value;
}

bool as_bool(std::string_view name, const rapidjson::Value& v) {
    if (!v.IsBool())
        bad(name, "must be true or false");
    return v.GetBool();
}

}  // namespace

KnobSideEffects apply_knobs_json(Knobs& knobs, const rapidjson::Value& object) {
    if (!object.IsObject())
        throw std::runtime_error("config must be a JSON object");
    Knobs next = knobs;
    KnobSideEffects effects;
    constexpr int kMaxMs = 600'000;
    for (const auto& member : object.GetObject()) {
        std::string_view name(member.name.GetString(), member.name.GetStringLength());
        const rapidjson::Value& v = member.value;
        if (name == "latency_ms") {
            next.latency_ms = as_int(name, v, 0, kMaxMs);
        } else if (name == "page_size") {
            next.page_size = as_int(name, v, 1, 10000);
        } else if (name == "error_rate") {
            next.error_rate = as_fraction(name, v);
        } else if (name == "rate_limit") {
            next.rate_limit = as_int(name, v, 0, 1'000'000);
        } else if (name == "last_active_limit") {
            next.last_active_limit = as_int(name, v, 1, 1'000'000);
        } else if (name == "rate_429_rate") {
            next.rate_429_rate = as_fraction(name, v);
        } else if (name == "retry_after") {
            next.retry_after = as_bool(name, v);
        } else if (name == "truncate_rate") {
            next.truncate_rate = as_fraction(name, v);
        } else if (name == "reset_rate") {
            next.reset_rate = as_fraction(name, v);
        } else if (name == "slow_ms") {
            next.slow_ms = as_int(name, v, 0, kMaxMs);
        } else if (name == "slow_rate") {
            next.slow_rate = as_fraction(name, v);
        } else if (name == "slow_path") {
            if (!v.IsString())
                bad(name, "must be a string (empty: every path)");
            next.slow_path.assign(v.GetString(), v.GetStringLength());
        } else if (name == "refuse_group_role_id") {
            if (!v.IsString())
                bad(name, "must be a string (empty: none)");
            next.refuse_group_role_id.assign(v.GetString(), v.GetStringLength());
        } else if (name == "hide_domain") {
            if (!v.IsString())
                bad(name, "must be a string (empty: none)");
            next.hide_domain.assign(v.GetString(), v.GetStringLength());
        } else if (name == "cursor_ttl_s") {
            if (!v.IsNumber() || v.GetDouble() < 0)
                bad(name, "must be a number >= 0");
            next.cursor_ttl_s = v.GetDouble();
        } else if (name == "require_json_body") {
            next.require_json_body = as_bool(name, v);
        } else if (name == "key_expired") {
            next.key_expired = as_bool(name, v);
        } else if (name == "key_scoped") {
            next.key_scoped = as_bool(name, v);
        } else if (name == "key_expires") {
            if (v.IsNull()) {
                next.key_expires_ms.reset();
            } else {
                auto ms = v.IsString() ? parse_iso8601_ms(v.GetString()) : std::nullopt;
                if (!ms)
                    bad(name, "must be an ISO-8601 instant or null");
                next.key_expires_ms = ms;
            }
        } else if (name == "api_key") {
            if (!v.IsString() || v.GetStringLength() == 0)
                bad(name, "must be a non-empty string");
            effects.api_key = std::string(v.GetString(), v.GetStringLength());
        } else if (name == "fault_seed") {
            if (!v.IsUint64())
                bad(name, "must be a non-negative integer");
            effects.fault_seed = v.GetUint64();
        } else {
            bad(name, "is not a known knob");
        }
    }
    knobs = next;
    return effects;
}

std::string knobs_json(const Knobs& k) {
    rapidjson::StringBuffer buffer;
    JsonWriter w(buffer);
    w.StartObject();
    key(w, "latency_ms");
    w.Int(k.latency_ms);
    key(w, "page_size");
    w.Int(k.page_size);
    key(w, "error_rate");
    w.Double(k.error_rate);
    key(w, "rate_limit");
    w.Int(k.rate_limit);
    key(w, "last_active_limit");
    w.Int(k.last_active_limit);
    key(w, "rate_429_rate");
    w.Double(k.rate_429_rate);
    key(w, "retry_after");
    w.Bool(k.retry_after);
    key(w, "truncate_rate");
    w.Double(k.truncate_rate);
    key(w, "reset_rate");
    w.Double(k.reset_rate);
    key(w, "slow_ms");
    w.Int(k.slow_ms);
    key(w, "slow_rate");
    w.Double(k.slow_rate);
    key(w, "slow_path");
    w.String(k.slow_path.c_str(), static_cast<rapidjson::SizeType>(k.slow_path.size()));
    key(w, "refuse_group_role_id");
    w.String(k.refuse_group_role_id.c_str(),
             static_cast<rapidjson::SizeType>(k.refuse_group_role_id.size()));
    key(w, "hide_domain");
    w.String(k.hide_domain.c_str(), static_cast<rapidjson::SizeType>(k.hide_domain.size()));
    key(w, "cursor_ttl_s");
    w.Double(k.cursor_ttl_s);
    key(w, "require_json_body");
    w.Bool(k.require_json_body);
    key(w, "key_expired");
    w.Bool(k.key_expired);
    key(w, "key_scoped");
    w.Bool(k.key_scoped);
    key(w, "key_expires");
    if (k.key_expires_ms) {
        put(w, format_iso8601_ms(*k.key_expires_ms));
    } else {
        w.Null();
    }
    w.EndObject();
    return to_string(buffer);
}

}  // namespace rosterd::sim
