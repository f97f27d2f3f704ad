// The key's state, refusal messages and reminder schedule: pure functions of explicit instants.
#include <algorithm>

#include "rosterd/keys/keys.hpp"

namespace rosterd::keys {
namespace {

constexpr std::string_view kHowToReplace =
    "create a new organization API key in admin.atlassian.com (Settings > API keys) and install "
    "it with `rosterctl key set --expires YYYY-MM-DD`";

std::int64_t ms(SysTime t) {
    return t.time_since_epoch().count();
}

SysTime lead_moment(std::int64_t expires_day, int lead) {
    return expiry_instant(expires_day) - std::chrono::milliseconds(lead * kDayMs);
}

}  // namespace

std::string_view to_string(KeyState state) {
    switch (state) {
        case KeyState::missing:
            return "missing";
        case KeyState::ok:
            return "ok";
        case KeyState::expiring:
            return "expiring";
        case KeyState::expired:
            return "expired";
        case KeyState::rejected:
            return "rejected";
    }
    return "unknown";
}

SysTime expiry_instant(std::int64_t expires_day) {
    return SysTime(std::chrono::milliseconds(expires_day * kDayMs));
}

std::int64_t days_left(std::int64_t expires_day, SysTime now) {
    std::int64_t remaining = ms(expiry_instant(expires_day)) - ms(now);
    if (remaining <= 0)
        return 0;
    return (remaining + kDayMs - 1) / kDayMs;
}

KeyState key_state(const KeyFacts& key, SysTime now, const std::vector<int>& reminder_days) {
    if (!key.present)
        return KeyState::missing;
    if (key.rejected)
        return KeyState::rejected;
    if (!key.expires_day)
        return KeyState::ok;
    if (now >= expiry_instant(*key.expires_day))
        return KeyState::expired;
    int window = 0;
    for (int lead : reminder_days)
        window = std::max(window, lead);
    if (window > 0 && now >= lead_moment(*key.expires_day, window))
        return KeyState::expiring;
    return KeyState::ok;
}

std::optional<std::string> refusal_message(KeyState state, const std::string& expires_date) {
    switch (state) {
        case KeyState::ok:
        case KeyState::expiring:
            return std::nullopt;
        case KeyState::missing:
            return "no organization API key: install one with `rosterctl key set --expires "
                   "YYYY-MM-DD` (it reads the key from stdin), or set atlassian.api_key_file, or "
                   "provide the systemd credential api-key";
        case KeyState::expired:
            return "the organization API key expired" +
                   (expires_date.empty() ? std::string() : " on " + expires_date) + ": " +
                   std::string(kHowToReplace) +
                   " (if the recorded date is wrong, correct atlassian.api_key_expires or run "
                   "`rosterctl key set` again with the right --expires)";
        case KeyState::rejected:
            return "the API key was rejected by Atlassian (HTTP 401): it expired or was revoked; "
                   "install a new key: " +
                   std::string(kHowToReplace) + "; `rosterctl key check` re-validates it";
    }
    return std::nullopt;
}

ReminderPlan plan_reminders(std::optional<std::int64_t> expires_day, std::vector<int> lead_days,
                            SysTime now) {
    ReminderPlan plan;
    if (!expires_day)
        return plan;
    SysTime expiry = expiry_instant(*expires_day);
    if (now >= expiry) {
        plan.expired = true;
        return plan;
    }
    lead_days.erase(std::remove_if(lead_days.begin(), lead_days.end(), [](int d) { return d < 1; }),
                    lead_days.end());
    std::sort(lead_days.begin(), lead_days.end());
    lead_days.erase(std::unique(lead_days.begin(), lead_days.end()), lead_days.end());
    plan.next_due = expiry;
    for (int lead : lead_days) {  // ascending: the first crossed one is the nearest
        SysTime due = lead_moment(*expires_day, lead);
        if (due <= now) {
            if (!plan.expiring_lead)
                plan.expiring_lead = lead;
        } else if (due < *plan.next_due) {
            plan.next_due = due;
        }
    }
    return plan;
}

std::string notice_key(std::string_view event, std::string_view fingerprint,
                       std::optional<int> lead_days) {
    std::string key = std::string(event) + ":" + std::string(fingerprint);
    if (lead_days)
        key += ":" + std::to_string(*lead_days);
    return key;
}

}  // namespace rosterd::keys
