// `key.set`: check a new organization API key with Atlassian, then store it (mode 0600) and start
// a sync when there is no snapshot yet or the key replaces a rejected or expired one. The key
// itself only ever travels in this request; no reply, log line or error carries it.
#include <spdlog/spdlog.h>

#include <cctype>

#include "key_commands.hpp"
#include "key_service.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/text.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/control/commands.hpp"

namespace rosterd::keys {
namespace {

namespace json = control::json;

constexpr std::size_t kLongestKey = 8192;

constexpr std::string_view kExpiresRequired =
    "--expires YYYY-MM-DD is required: rosterd reminds you before the key expires, and "
    "Atlassian does not tell the date (admin.atlassian.com, Settings > API keys shows it); if "
    "you really do not know it, say so with --no-expiry-date; nothing was stored";

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

}  // namespace

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

control::CommandSpec key_set_command(KeyService& keys) {
    return {
        .name = control::cmd::kKeySet,
        .summary =
            "Check a new organization API key with Atlassian, then store it (mode 0600) "
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
        .handler = [&keys](const control::Request& request, std::shared_ptr<control::Reply> reply) {
            keys.set_command(request, reply);
        }};
}

}  // namespace rosterd::keys
