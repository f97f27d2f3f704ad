#include "key_service.hpp"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include <algorithm>

#include "key_commands.hpp"
#include "rosterd/atlassian/client_settings.hpp"
#include "rosterd/base/time_format.hpp"

namespace rosterd::keys {
namespace {

// A timer that fires a hair early (clock granularity) must not spin: wait at least this long.
constexpr auto kMinimumWait = std::chrono::seconds(1);
// A reminder years away would overflow the timer's nanoseconds: wake at least daily and look
// again (evaluate() re-arms for what is then due).
constexpr auto kMaximumWait = std::chrono::hours(24);

}  // namespace

KeyService::KeyService(DaemonContext& context, notify::NoticeSink* notices)
    : context_(context), notices_(notices), timer_(context.loop) {}

KeyService::~KeyService() {
    stop();
}

void KeyService::start() {
    refresh();
    // The records decide the state (rejected, stored expiry); until they are read, a key is
    // treated as not rejected: at worst a sync meets the 401 again and reports it.
    context_.db.write([](store::Database& db) { return load_key_records(db); },
                      [this](store::DbResult<std::map<std::string, KeyRecord>> r) {
                          if (stopping_)
                              return;
                          if (!r.ok())
                              spdlog::error("key: cannot read the key records: {}", r.error);
                          else
                              records_ = std::move(*r.value);
                          loaded_ = true;
                          refresh();
                          evaluate();
                          if (key_)
                              spdlog::info("key: {} (source {}, fingerprint {}, expires {})",
                                           to_string(state_), key_->source, fingerprint_,
                                           expires_day() ? date_of(*expires_day()) : "unknown");
                          else
                              spdlog::warn("key: no organization API key is configured");
                      });
}

void KeyService::stop() {
    if (stopping_)
        return;
    stopping_ = true;
    timer_.cancel();
    for (auto& [id, client] : checks_)
        client->cancel();
}

void KeyService::apply_config(const Config&) {
    refresh();
    evaluate();  // reminder days or the configured expiry may have changed
}

void KeyService::refresh() {
    auto key = load_api_key(*context_.config);
    std::string fingerprint = key ? key_fingerprint(key->value) : "";
    bool changed = fingerprint != fingerprint_;
    key_ = std::move(key);
    fingerprint_ = fingerprint;
    if (changed && loaded_) {
        if (key_)
            spdlog::info("key: now using the key from {} (fingerprint {})", key_->source,
                         fingerprint_);
        else
            spdlog::warn("key: the organization API key is gone");
        evaluate();
    }
}

std::optional<std::int64_t> KeyService::expires_day() const {
    if (!key_)
        return std::nullopt;
    // A key installed with `key set` carries its own date; a key from a file or credential has
    // the one in the configuration.
    if (key_->source == "stored") {
        auto found = records_.find(fingerprint_);
        return found == records_.end() ? std::nullopt : found->second.expires_day;
    }
    return context_.config->atlassian.api_key_expires_days;
}

KeyFacts KeyService::facts() const {
    KeyFacts f;
    f.present = key_.has_value();
    auto found = records_.find(fingerprint_);
    f.rejected = key_ && found != records_.end() && found->second.rejected_at.has_value();
    f.expires_day = expires_day();
    return f;
}

void KeyService::evaluate() {
    if (stopping_)
        return;
    auto now = context_.clock.now();
    const auto& lead_days = context_.config->notifications.api_key_reminder_days;
    KeyFacts f = facts();
    KeyState previous = state_;
    state_ = key_state(f, now, lead_days);
    if (state_ != previous && loaded_)
        spdlog::info("key: state {} -> {}", to_string(previous), to_string(state_));
    timer_.cancel();
    next_notice_.reset();
    if (!f.present || f.rejected || !loaded_)
        return;  // a rejected key's notice said it all; expiry reminders would be noise
    ReminderPlan plan = plan_reminders(f.expires_day, lead_days, now);
    if (plan.expired)
        send_notice("api_key_expired", std::nullopt);
    else if (plan.expiring_lead)
        send_notice("api_key_expiring", plan.expiring_lead);
    if (plan.next_due)
        arm_timer(*plan.next_due);
}

void KeyService::arm_timer(SysTime at) {
    auto now = context_.clock.now();
    next_notice_ = at;
    auto wait = std::clamp<std::chrono::milliseconds>(
        std::chrono::duration_cast<std::chrono::milliseconds>(at - now), kMinimumWait,
        kMaximumWait);
    timer_.expires_after(wait);
    timer_.async_wait([this](const std::error_code& ec) {
        if (ec)
            return;
        refresh();
        evaluate();
    });
}

void KeyService::send_notice(const std::string& type, std::optional<int> lead) {
    if (!notices_ || !key_)
        return;
    Event event;
    event.type = type;
    event.at_ms = context_.clock.now().time_since_epoch().count();
    event.facts["fingerprint"] = fingerprint_;
    event.facts["source"] = key_->source;
    if (auto day = expires_day()) {
        event.facts["expires"] = date_of(*day);
        event.facts["days_left"] = std::to_string(days_left(*day, context_.clock.now()));
    }
    if (lead)
        event.facts["lead_days"] = std::to_string(*lead);
    auto found = records_.find(fingerprint_);
    if (found != records_.end() && !found->second.org_name.empty())
        event.facts["org_name"] = found->second.org_name;
    std::string once = notice_key(type, fingerprint_, lead);
    notices_->emit_once(std::move(event), once, [type, lead](bool recorded) {
        if (recorded)
            spdlog::warn("key: {} notice sent{}", type,
                         lead ? " (" + std::to_string(*lead) + "-day reminder)" : "");
    });
}

KeyLease KeyService::acquire() {
    refresh();
    KeyLease lease;
    lease.fingerprint = fingerprint_;
    KeyFacts f = facts();
    lease.state =
        key_state(f, context_.clock.now(), context_.config->notifications.api_key_reminder_days);
    if (usable(lease.state)) {
        lease.key = key_;
    } else {
        lease.refusal =
            *refusal_message(lease.state, f.expires_day ? date_of(*f.expires_day) : std::string());
    }
    return lease;
}

void KeyService::report_rejected(const std::string& fingerprint) {
    if (fingerprint.empty() || stopping_)
        return;
    auto& record = records_[fingerprint];
    if (record.rejected_at)
        return;
    auto now = context_.clock.now().time_since_epoch().count();
    record.rejected_at = now;
    spdlog::error(
        "key: Atlassian rejected the organization API key (fingerprint {}); syncs and operations "
        "are refused until a new key is installed (rosterctl key set)",
        fingerprint);
    context_.db.write(
        [fingerprint, now](store::Database& db) {
            save_rejected(db, fingerprint, now);
            return true;
        },
        [](store::DbResult<bool> r) {
            if (!r.ok())
                spdlog::error("key: cannot record the rejection: {}", r.error);
        });
    if (fingerprint == fingerprint_)
        send_notice("api_key_rejected", std::nullopt);
    evaluate();
}

void KeyService::report_accepted(const std::string& fingerprint, const std::string& org_name) {
    if (fingerprint.empty() || stopping_)
        return;
    auto found = records_.find(fingerprint);
    bool was_rejected = found != records_.end() && found->second.rejected_at;
    if (!was_rejected && org_name.empty())
        return;
    // A successful sync checked the key as well as `key check` does: key show tells when, and
    // for which organization, for a key from a file or a credential too.
    auto& record = records_[fingerprint];
    record.rejected_at.reset();
    std::optional<std::int64_t> checked_at;
    if (!org_name.empty()) {
        checked_at = context_.clock.now().time_since_epoch().count();
        record.org_name = org_name;
        record.checked_at = checked_at;
    }
    if (was_rejected)
        spdlog::info("key: Atlassian accepts the key with fingerprint {} again", fingerprint);
    context_.db.write(
        [fingerprint, org_name, checked_at](store::Database& db) {
            save_accepted(db, fingerprint, org_name, checked_at);
            return true;
        },
        [](store::DbResult<bool> r) {
            if (!r.ok())
                spdlog::error("key: cannot record the key as accepted: {}", r.error);
        });
    evaluate();
}

void KeyService::check_key(const std::string& key, CheckDone done) {
    const Config& config = *context_.config;
    atlassian::ClientConfig c = atlassian::client_settings(config, key);
    c.retry.max_attempts = 3;  // a person is waiting
    std::int64_t id = next_check_id_++;
    auto& client = checks_[id] = std::make_unique<atlassian::Client>(context_.loop, c);
    // The client is released after its callback returns, never inside it.
    auto finish = [this, id, done = std::move(done)](atlassian::Result<std::string> result) {
        asio::post(context_.loop, [this, id] { checks_.erase(id); });
        done(std::move(result));
    };
    if (!config.atlassian.org_id.empty()) {
        client->get_org([finish](atlassian::Result<atlassian::Org> r) {
            if (!r)
                finish(r.error());
            else
                finish(r.value().name);
        });
        return;
    }
    client->list_orgs([finish](atlassian::Result<std::vector<atlassian::Org>> r) {
        if (!r) {
            finish(r.error());
            return;
        }
        std::string names;
        for (const auto& org : r.value())
            names += (names.empty() ? "" : ", ") + org.name + " (" + org.id + ")";
        finish(names.empty() ? std::string("no organization") : names);
    });
}

}  // namespace rosterd::keys
