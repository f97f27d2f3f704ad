#pragma once
// The organization API key's lifecycle: its state (missing, ok, expiring, expired, rejected),
// which reminder is due when, and the gate every API user (sync, operations) passes to get the
// key or a refusal that says why and what to do. The arithmetic is pure functions of explicit
// instants; the KeyService subsystem (daemon/keys/) applies them on the loop.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rosterd/base/clock.hpp"
#include "rosterd/base/units.hpp"
#include "rosterd/keys/api_key_source.hpp"

namespace rosterd::keys {

// Declared once, in base/units.hpp; named here too for the code written as keys::kDayMs.
using rosterd::kDayMs;

enum class KeyState { missing, ok, expiring, expired, rejected };
std::string_view to_string(KeyState state);

// The instant a key with this expiry date stops working. Atlassian keys "expire on" their date;
// rosterd takes the cautious reading: 00:00 UTC on that date.
SysTime expiry_instant(std::int64_t expires_day);

// Whole days left before expiry_instant, rounded up (6.25 days is "7 days"); 0 once expired.
std::int64_t days_left(std::int64_t expires_day, SysTime now);

// What is known about the key in use.
struct KeyFacts {
    bool present = false;
    bool rejected = false;                    // Atlassian answered 401 for this very key
    std::optional<std::int64_t> expires_day;  // days since the epoch; nullopt = unknown
};

// missing > rejected > expired > expiring > ok. `expiring` starts at the largest reminder lead
// time before the expiry instant.
KeyState key_state(const KeyFacts& key, SysTime now, const std::vector<int>& reminder_days);

// Whether syncs and operations may use the key in this state.
inline bool usable(KeyState state) {
    return state == KeyState::ok || state == KeyState::expiring;
}

// Why syncs and operations are refused in `state` and how to fix it; nullopt when usable.
// `expires_date` is YYYY-MM-DD (for the expired message).
std::optional<std::string> refusal_message(KeyState state, const std::string& expires_date = "");

// Which notice is due at `now`, and when the next one falls due.
struct ReminderPlan {
    // api_key_expiring for this lead time (days) is due: the smallest lead time whose moment has
    // passed. A daemon started inside several windows sends only the nearest one.
    std::optional<int> expiring_lead;
    bool expired = false;             // api_key_expired is due
    std::optional<SysTime> next_due;  // the next moment a notice falls due (for a timer)
};

// Pure: no state, no clock. Lead times need not be sorted; values below 1 are ignored.
ReminderPlan plan_reminders(std::optional<std::int64_t> expires_day, std::vector<int> lead_days,
                            SysTime now);

// The once-only key of a notice for one key fingerprint, e.g. "api_key_expiring:<fp>:7",
// "api_key_expired:<fp>", "api_key_rejected:<fp>". A new key has a new fingerprint, so its
// reminders go out again.
std::string notice_key(std::string_view event, std::string_view fingerprint,
                       std::optional<int> lead_days = std::nullopt);

// The key a caller may use now, or why not.
struct KeyLease {
    std::optional<ApiKey> key;  // set when usable
    std::string fingerprint;    // of the key in use, when there is one (usable or not)
    KeyState state = KeyState::missing;
    std::string refusal;  // set when not usable: why, and how to fix it
};

// What API users (the sync, operations) need from the key service: the key or a refusal, and a
// way to report what Atlassian said about it.
class KeyGate {
  public:
    virtual ~KeyGate() = default;
    virtual KeyLease acquire() = 0;
    // Atlassian answered 401 for the key with this fingerprint: it becomes `rejected` (persisted)
    // and api_key_rejected goes out once.
    virtual void report_rejected(const std::string& fingerprint) = 0;
    // A call with this key succeeded; `org_name` (when not empty) is the organization it reached:
    // recorded with the time as the key's last check, whatever the key's source.
    virtual void report_accepted(const std::string& fingerprint, const std::string& org_name) = 0;
};

}  // namespace rosterd::keys
