#pragma once
// Notifications: events become webhook deliveries through a durable outbox (daemon/notify/).
// An event is written to SQLite before any delivery is attempted; delivery runs on the loop with
// retries; after the attempt or age limit a delivery is marked dead and stays visible.
#include <functional>
#include <string>
#include <string_view>

#include "rosterd/config/config.hpp"
#include "rosterd/model/events.hpp"

namespace rosterd::notify {

// Whether `hook` receives events of `type`: the listed events, or when none are listed every event
// except sync_succeeded (off unless listed) and test (sent only by `rosterctl notify test`).
bool wants_event(const WebhookConfig& hook, std::string_view type);

// An EventSink that can also record an event at most once for a key, durably: the check and the
// write happen in one transaction, so a notice is neither lost nor repeated across restarts.
class NoticeSink : public EventSink {
  public:
    // `done` (optional) runs on the loop: true when the event was recorded now, false when
    // `once_key` had been recorded before (or the write failed, which is logged).
    virtual void emit_once(Event event, std::string once_key,
                           std::function<void(bool recorded)> done = {}) = 0;
};

}  // namespace rosterd::notify
