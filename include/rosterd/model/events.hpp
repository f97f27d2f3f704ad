#pragma once
// Events that matter to people (key expiring, sync failed, run finished, ...). Subsystems emit
// them; the notification subsystem turns them into webhook deliveries through a durable outbox.
#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace rosterd {

// Every event type, declared once: the configuration's `events:` lists are checked against it,
// webhooks subscribe to it, docs/webhooks.md lists each one's facts. Names are stable: scripts
// and chat rules match on them.
inline constexpr std::string_view kEventTypes[] = {
    "api_key_expiring", "api_key_expired", "api_key_rejected", "sync_failed", "sync_succeeded",
    "sync_interrupted", "run_succeeded", "run_partially_failed", "run_failed", "run_cancelled",
    "run_refused", "run_nothing_to_do", "digest", "test",
    // seat alerts (issue 17)
    "seats_near_capacity", "seats_over_target",
    // notice before reclaim (issue 17)
    "users_noticed", "users_released"};

struct Event {
    std::string type;  // one of kEventTypes
    std::int64_t at_ms = 0;
    // Facts for the payload: plain strings keyed by name (e.g. "error", "run_id", "users").
    // Never secrets.
    std::map<std::string, std::string> facts;
};

class EventSink {
  public:
    virtual ~EventSink() = default;
    // Called on the loop thread. Must not block: persisting happens off the loop.
    virtual void emit(Event event) = 0;
};

}  // namespace rosterd
