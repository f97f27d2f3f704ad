#pragma once
// Events that matter to people (key expiring, sync failed, run finished, ...). Subsystems emit
// them; the notification subsystem turns them into webhook deliveries through a durable outbox.
#include <cstdint>
#include <map>
#include <string>

namespace rosterd {

struct Event {
    std::string type;  // api_key_expiring, api_key_expired, api_key_rejected, sync_failed,
                       // sync_succeeded, run_succeeded, run_partially_failed, run_failed, test
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
