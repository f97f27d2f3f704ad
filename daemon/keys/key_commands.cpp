// The key commands (set, check, show) and the "key" section of status. The key itself only ever
// travels in a key.set request over the control socket; no reply, log line or error carries it.
#include <spdlog/spdlog.h>

#include <cctype>

#include "key_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/text.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::keys {
namespace {

namespace json = control::json;
using Alloc = rapidjson::Document::AllocatorType;

constexpr std::size_t kLongestKey = 8192;

constexpr std::string_view kExpiresRequired =
    "--expires YYYY-MM-DD is required: rosterd reminds you before the key expires, and "
    "Atlassian does not tell the date (admin.atlassian.com, Settings > API keys shows it); if "
    "you really do not know it, say so with --no-expiry-date; nothing was stored";

std::string date_of(std::int64_t day) {
    return format_iso8601_s(day * kDayMs).substr(0, 10);
}

std::optional<std::string> iso(std::optional<std::int64_t> ms) {
    if (!ms)
        return std::nullopt;
    return format_iso8601_s(*ms);
}

// Why a pasted key cannot be one, or nullopt. Never quotes the key.
std::optional<std::string> malformed_key(const std::string& key) {
    if (key.empty())
        return "the key is empty";
    if (key.size() > kLongestKey)
        return "the key is longer than " + std::to_string(kLongestKey) + " bytes";
    for (unsigned char c : key)
        if (std::isspace(c) || std::iscntrl(c))
            return std::string("the key contains white space or control characters");
    return std::nullopt;
}

std::string check_failure(const atlassian::ApiError& error) {
    if (error.kind == atlassian::ApiError::Kind::auth_rejected)
        return "Atlassian rejected the key (HTTP 401): it is wrong, expired or revoked";
    return "the key could not be checked: " + error.describe();
}

}  // namespace

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

void KeyService::set_command(const control::Request& request,
                             std::shared_ptr<control::Reply> reply) {
    std::string key = trimmed(request.string_arg("key").value_or(""));
    if (auto problem = malformed_key(key)) {
        reply->fail(control::kInvalidArgs, *problem + "; nothing was stored");
        return;
    }
    std::optional<std::int64_t> expires;
    bool no_expiry_date = request.bool_arg("no_expiry_date").value_or(false);
    if (!request.string_arg("expires") && !no_expiry_date) {
        // The expiry is what the reminders count down to: a key without one lapses unannounced.
        reply->fail(control::kInvalidArgs, std::string(kExpiresRequired));
        return;
    }
    if (request.string_arg("expires") && no_expiry_date) {
        reply->fail(control::kInvalidArgs,
                    "--expires and --no-expiry-date exclude each other; nothing was stored");
        return;
    }
    if (auto text = request.string_arg("expires")) {
        expires = parse_date_days(*text);
        if (!expires) {
            reply->fail(control::kInvalidArgs, "--expires: expected a date YYYY-MM-DD, got '" +
                                                   *text + "'; nothing was stored");
            return;
        }
        auto today = context_.clock.now().time_since_epoch().count() / kDayMs;
        if (*expires <= today) {
            reply->fail(control::kInvalidArgs,
                        "--expires " + *text +
                            " is not in the future: that key has expired; nothing was stored");
            return;
        }
        if (*expires > today + 366) {
            reply->fail(control::kInvalidArgs,
                        "--expires " + *text +
                            " is more than a year away, which Atlassian does not allow; check "
                            "the date; nothing was stored");
            return;
        }
    }
    std::string who = request.caller.describe();
    std::string fingerprint = key_fingerprint(key);
    // A key that replaces a rejected or expired one: the data went stale meanwhile, so a sync
    // starts at once instead of at the next scheduled time.
    KeyState before = key_state(facts(), context_.clock.now(),
                                context_.config->notifications.api_key_reminder_days);
    bool replaces_broken = before == KeyState::rejected || before == KeyState::expired;
    spdlog::info("key: {} installs a new key (fingerprint {}); checking it with Atlassian", who,
                 fingerprint);
    check_key(key, [this, reply, key, fingerprint, expires, who,
                    replaces_broken](atlassian::Result<std::string> org) {
        if (stopping_) {
            reply->fail(control::kUnavailable, "rosterd is shutting down; nothing was stored");
            return;
        }
        if (!org) {
            spdlog::warn("key: the key with fingerprint {} was not stored: {}", fingerprint,
                         check_failure(org.error()));
            reply->fail(control::kFailed, check_failure(org.error()) + "; nothing was stored");
            return;
        }
        std::string org_name = org.value();
        std::string path = stored_key_path(*context_.config);
        auto now = context_.clock.now().time_since_epoch().count();
        context_.db.write(
            [=](store::Database& db) {
                store::Transaction transaction(db);
                save_stored_key_record(db, fingerprint, expires, org_name, now);
                write_key_file(path, key);  // a failure rolls the record back
                transaction.commit();
                return true;
            },
            [this, reply, fingerprint, expires, org_name, now, who,
             replaces_broken](store::DbResult<bool> r) {
                if (!r.ok()) {
                    spdlog::error("key: cannot store the key: {}", r.error);
                    reply->fail(control::kFailed,
                                "the key is valid but could not be stored: " + r.error);
                    return;
                }
                auto& record = records_[fingerprint];
                record = KeyRecord{expires, now, org_name, now, std::nullopt};
                spdlog::info("key: {} stored a key for {} (fingerprint {}, expires {})", who,
                             org_name, fingerprint, expires ? date_of(*expires) : "unknown");
                refresh();
                evaluate();  // a new key: its own reminders
                std::optional<std::string> started;
                if (start_sync_)
                    started = start_sync_(replaces_broken);
                rapidjson::Document out(rapidjson::kObjectType);
                auto& a = out.GetAllocator();
                json::add(out, "stored", true, a);
                json::add(out, "sync_started", started, a);  // its trigger, or null
                json::add(out, "initial_sync_started", started == "initial", a);
                write_key_json(out, a);
                reply->ok(out);
            });
    });
}

void KeyService::check_command(const control::Request&, std::shared_ptr<control::Reply> reply) {
    refresh();
    if (!key_) {
        reply->fail(control::kFailed, *refusal_message(KeyState::missing));
        return;
    }
    std::string fingerprint = fingerprint_;
    check_key(key_->value, [this, reply, fingerprint](atlassian::Result<std::string> org) {
        if (stopping_) {
            reply->fail(control::kUnavailable, "rosterd is shutting down");
            return;
        }
        if (!org) {
            if (org.error().kind == atlassian::ApiError::Kind::auth_rejected)
                report_rejected(fingerprint);
            reply->fail(control::kFailed, check_failure(org.error()));
            return;
        }
        auto now = context_.clock.now().time_since_epoch().count();
        auto& record = records_[fingerprint];
        bool was_rejected = record.rejected_at.has_value();
        record.rejected_at.reset();
        record.org_name = org.value();
        record.checked_at = now;
        if (was_rejected)
            spdlog::info("key: the key with fingerprint {} passed its check again", fingerprint);
        context_.db.write(
            [fingerprint, name = org.value(), now](store::Database& db) {
                save_accepted(db, fingerprint, name, now);
                return true;
            },
            [](store::DbResult<bool> r) {
                if (!r.ok())
                    spdlog::error("key: cannot record the check: {}", r.error);
            });
        evaluate();
        rapidjson::Document out(rapidjson::kObjectType);
        auto& a = out.GetAllocator();
        json::add(out, "valid", true, a);
        write_key_json(out, a);
        reply->ok(out);
    });
}

void KeyService::register_commands(control::CommandRegistry& registry) {
    registry.add(
        {.name = control::cmd::kKeySet,
         .summary = "Check a new organization API key with Atlassian, then store it (mode 0600) "
                    "and start a sync when there is no snapshot yet or the key replaces a "
                    "rejected or expired one",
         .level = control::AccessLevel::admin,
         .args = {{control::arg::kKey, control::ArgType::string, true,
                   "the key (rosterctl reads it from stdin, never from the command line)", true},
                  {control::arg::kExpires, control::ArgType::string, false,
                   "its expiry date YYYY-MM-DD, as chosen in admin.atlassian.com (required "
                   "unless no_expiry_date)"},
                  {control::arg::kNoExpiryDate, control::ArgType::boolean, false,
                   "the expiry date is unknown: store the key without one (no reminders)"}},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             set_command(request, reply);
         }});
    registry.add(
        {.name = control::cmd::kKeyCheck,
         .summary = "Re-validate the key in use with Atlassian",
         .level = control::AccessLevel::operator_,
         .args = {},
         .handler = [this](const control::Request& request, std::shared_ptr<control::Reply> reply) {
             check_command(request, reply);
         }});
    registry.add(
        {.name = control::cmd::kKeyShow,
         .summary = "The key in use: source, expiry, days left, state and fingerprint (never "
                    "the key)",
         .level = control::AccessLevel::viewer,
         .args = {},
         .handler = [this](const control::Request&, std::shared_ptr<control::Reply> reply) {
             refresh();
             rapidjson::Document out(rapidjson::kObjectType);
             write_key_json(out, out.GetAllocator());
             reply->ok(out);
         }});
}

}  // namespace rosterd::keys
