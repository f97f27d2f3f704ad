#pragma once
// The outbox tables (migration 2: notify_events, notify_deliveries): every function runs on a
// database thread with its own connection and does one job in one transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/model/events.hpp"
#include "rosterd/notify/delivery_state.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::notify::outbox {

struct Enqueued {
    bool recorded = false;  // false: the once_key existed, nothing was written
    std::int64_t event_id = 0;
    std::vector<std::int64_t> delivery_ids;  // one per webhook, in the order given
};

// Writes the event and one pending delivery per webhook, due at once. With a non-empty
// `once_key`, nothing is written when an event with that key exists. The organization's name
// from the latest complete snapshot is added as the org_name fact when the event has none.
Enqueued enqueue(store::Database& db, Event event, const std::vector<std::string>& webhooks,
                 std::int64_t now_ms, const std::string& once_key = "");

struct DueDelivery {
    std::int64_t id = 0;
    std::string webhook;
    std::string uuid;
    int attempts = 0;
    std::int64_t window_start = 0;
    std::int64_t event_id = 0;
    Event event;
};

struct DueBatch {
    std::vector<DueDelivery> due;          // pending and due, oldest due first
    std::optional<std::int64_t> next_due;  // earliest pending delivery due later
    std::int64_t pending = 0;
    std::int64_t dead = 0;
};

DueBatch load_due(store::Database& db, std::int64_t now_ms, int limit);

struct Attempt {
    std::int64_t id = 0;
    int attempts = 0;  // including this one
    DeliveryState state = DeliveryState::pending;
    std::int64_t at = 0;  // when the attempt ended
    std::int64_t next_attempt_at = 0;
    long status = 0;    // 0: no HTTP status
    std::string error;  // empty when delivered
};
void record_attempt(store::Database& db, const Attempt& attempt);

struct DeliveryRow {
    std::int64_t id = 0;
    std::int64_t event_id = 0;
    std::string event_type;
    std::string webhook;
    std::string uuid;
    DeliveryState state = DeliveryState::pending;
    int attempts = 0;
    std::int64_t created_at = 0;
    std::int64_t next_attempt_at = 0;
    std::optional<std::int64_t> last_attempt_at;
    std::optional<std::int64_t> delivered_at;
    std::optional<std::int64_t> last_status;
    std::string last_error;
};

// Most recent first; `state` filters when given.
std::vector<DeliveryRow> list_deliveries(store::Database& db, int limit,
                                         std::optional<DeliveryState> state);
std::optional<DeliveryRow> find_delivery(store::Database& db, std::int64_t id);

enum class Requeue { requeued, not_found, not_dead };
// A dead delivery becomes pending again, due now, with a fresh attempt count and age window.
Requeue requeue_dead(store::Database& db, std::int64_t id, std::int64_t now_ms);

// When the most recent delivery succeeded; nullopt when none is recorded (status shows it after
// a restart, not only once the next delivery succeeds).
std::optional<std::int64_t> last_delivered_at(store::Database& db);

// Deletes finished deliveries older than `before_ms`, and events left without deliveries
// (except once-only notices, whose key must outlive them). Returns the deliveries deleted.
std::int64_t prune(store::Database& db, std::int64_t before_ms);

// Facts as a JSON object of strings, and back.
std::string facts_to_json(const std::map<std::string, std::string>& facts);
std::map<std::string, std::string> facts_from_json(const std::string& json);

}  // namespace rosterd::notify::outbox
