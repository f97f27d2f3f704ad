// The key commands' registration and what they share: the key as `key show`, the answers and the
// "key" section of status describe it. Each handler lives in its own file (key_command_*.cpp).
#include "key_commands.hpp"
#include "key_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"

namespace rosterd::keys {
namespace {

namespace json = control::json;
using Alloc = rapidjson::Document::AllocatorType;

}  // namespace

std::string date_of(std::int64_t day) {
    return format_iso8601_s(day * kDayMs).substr(0, 10);
}

std::optional<std::string> iso(std::optional<std::int64_t> ms) {
    if (!ms)
        return std::nullopt;
    return format_iso8601_s(*ms);
}

std::string check_failure(const atlassian::ApiError& error) {
    if (error.kind == atlassian::ApiError::Kind::auth_rejected)
        return "Atlassian rejected the key (HTTP 401): it is wrong, expired or revoked";
    return "the key could not be checked: " + error.describe();
}

void KeyService::write_key_json(rapidjson::Value& out, Alloc& a) const {
    auto now = context_.clock.now();
    const auto& lead_days = context_.config->notifications.api_key_reminder_days;
    KeyFacts f = facts();
    KeyState state = key_state(f, now, lead_days);
    json::add(out, "state", to_string(state), a);
    json::add(out, "source", key_ ? std::optional<std::string>(key_->source) : std::nullopt, a);
    json::add(out, "path", key_ ? std::optional<std::string>(key_->path) : std::nullopt, a);
    json::add(out, "fingerprint",
              key_ ? std::optional<std::string>(fingerprint_) : std::optional<std::string>(), a);
    json::add(out, "expires",
              f.expires_day ? std::optional<std::string>(date_of(*f.expires_day)) : std::nullopt,
              a);
    json::add(
        out, "days_left",
        f.expires_day ? std::optional<std::int64_t>(days_left(*f.expires_day, now)) : std::nullopt,
        a);
    rapidjson::Value reminders(rapidjson::kArrayType);
    for (int d : lead_days)
        json::push(reminders, d, a);
    json::add(out, "reminder_days", std::move(reminders), a);
    json::add(out, "next_reminder",
              next_notice_ ? iso(next_notice_->time_since_epoch().count()) : std::nullopt, a);
    auto found = records_.find(fingerprint_);
    const KeyRecord* record = key_ && found != records_.end() ? &found->second : nullptr;
    json::add(out, "org_name",
              record && !record->org_name.empty() ? std::optional<std::string>(record->org_name)
                                                  : std::nullopt,
              a);
    json::add(out, "last_checked", record ? iso(record->checked_at) : std::nullopt, a);
    json::add(out, "rejected_at", record ? iso(record->rejected_at) : std::nullopt, a);
    // False for a key stored with --no-expiry-date or a file key without api_key_expires.
    json::add(out, "expiry_known", !key_ || f.expires_day.has_value(), a);
    std::optional<std::string> warning;
    if (key_ && !f.expires_day)
        warning =
            "the key's expiry date is unknown, so no reminder can be sent: run `rosterctl key "
            "set --expires YYYY-MM-DD` with the key, or set atlassian.api_key_expires";
    else if (auto refusal =
                 refusal_message(state, f.expires_day ? date_of(*f.expires_day) : std::string()))
        warning = *refusal;
    json::add(out, "warning", warning, a);
}

KeyState KeyService::current_state() const {
    return key_state(facts(), context_.clock.now(),
                     context_.config->notifications.api_key_reminder_days);
}

std::optional<SysTime> KeyService::current_expiry() const {
    auto f = facts();
    if (!key_ || !f.expires_day)
        return std::nullopt;
    return expiry_instant(*f.expires_day);
}

void KeyService::write_status(rapidjson::Value& out, Alloc& a) const {
    write_key_json(out, a);
}

void KeyService::register_commands(control::CommandRegistry& registry) {
    registry.add(key_set_command(*this));
    registry.add(key_check_command(*this));
    registry.add(key_show_command(*this));
}

}  // namespace rosterd::keys
