#include "outbox_store.hpp"

#include <rapidjson/document.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include "rosterd/notify/delivery.hpp"

namespace rosterd::notify::outbox {

std::string facts_to_json(const std::map<std::string, std::string>& facts) {
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> w(buffer);
    w.StartObject();
    for (const auto& [name, value] : facts) {
        w.Key(name.c_str(), static_cast<rapidjson::SizeType>(name.size()));
        w.String(value.c_str(), static_cast<rapidjson::SizeType>(value.size()));
    }
    w.EndObject();
    return std::string(buffer.GetString(), buffer.GetSize());
}

std::map<std::string, std::string> facts_from_json(const std::string& json) {
    std::map<std::string, std::string> facts;
    rapidjson::Document doc;
    doc.Parse(json.c_str());
    if (doc.HasParseError() || !doc.IsObject())
        return facts;
    for (const auto& member : doc.GetObject())
        if (member.value.IsString())
            facts[member.name.GetString()] =
                std::string(member.value.GetString(), member.value.GetStringLength());
    return facts;
}

Enqueued enqueue(store::Database& db, Event event, const std::vector<std::string>& webhooks,
                 std::int64_t now_ms, const std::string& once_key) {
    Enqueued result;
    store::Transaction transaction(db);
    if (!once_key.empty()) {
        auto exists = db.prepare("SELECT 1 FROM notify_events WHERE once_key = ?");
        exists.bind(1, once_key);
        if (exists.step())
            return result;
    }
    if (!event.facts.count("org_name")) {
        auto org = db.prepare(
            "SELECT org_name FROM snapshots WHERE state = 'complete' AND org_name IS NOT NULL "
            "ORDER BY id DESC LIMIT 1");
        if (org.step())
            event.facts["org_name"] = org.text(0);
    }
    auto insert =
        db.prepare("INSERT INTO notify_events (type, at, facts, once_key) VALUES (?, ?, ?, ?)");
    insert.bind(1, event.type).bind(2, event.at_ms).bind(3, facts_to_json(event.facts));
    if (once_key.empty())
        insert.bind(4, nullptr);
    else
        insert.bind(4, once_key);
    insert.run();
    result.event_id = db.last_insert_rowid();
    auto delivery = db.prepare(
        "INSERT INTO notify_deliveries (event_id, webhook, delivery_uuid, state, attempts, "
        "created_at, window_start, next_attempt_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)");
    for (const auto& webhook : webhooks) {
        delivery.bind(1, result.event_id)
            .bind(2, webhook)
            .bind(3, random_uuid())
            .bind(4, now_ms)
            .bind(5, now_ms)
            .bind(6, now_ms);
        delivery.run();
        result.delivery_ids.push_back(db.last_insert_rowid());
    }
    transaction.commit();
    result.recorded = true;
    return result;
}

DueBatch load_due(store::Database& db, std::int64_t now_ms, int limit) {
    DueBatch batch;
    store::Transaction read(db, store::Transaction::Kind::deferred);  // one consistent view
    auto due = db.prepare(
        "SELECT d.id, d.webhook, d.delivery_uuid, d.attempts, d.window_start, e.id, e.type, e.at, "
        "e.facts FROM notify_deliveries d JOIN notify_events e ON e.id = d.event_id "
        "WHERE d.state = 'pending' AND d.next_attempt_at <= ? "
        "ORDER BY d.next_attempt_at, d.id LIMIT ?");
    due.bind(1, now_ms).bind(2, limit);
    while (due.step()) {
        DueDelivery d;
        d.id = due.int64(0);
        d.webhook = due.text(1);
        d.uuid = due.text(2);
        d.attempts = static_cast<int>(due.int64(3));
        d.window_start = due.int64(4);
        d.event_id = due.int64(5);
        d.event.type = due.text(6);
        d.event.at_ms = due.int64(7);
        d.event.facts = facts_from_json(due.text(8));
        batch.due.push_back(std::move(d));
    }
    auto next = db.prepare(
        "SELECT min(next_attempt_at) FROM notify_deliveries WHERE state = 'pending' AND "
        "next_attempt_at > ?");
    next.bind(1, now_ms);
    if (next.step())
        batch.next_due = next.optional_int64(0);
    auto counts = db.prepare(
        "SELECT coalesce(sum(state = 'pending'), 0), coalesce(sum(state = 'dead'), 0) "
        "FROM notify_deliveries");
    if (counts.step()) {
        batch.pending = counts.int64(0);
        batch.dead = counts.int64(1);
    }
    read.commit();
    return batch;
}

void record_attempt(store::Database& db, const Attempt& a) {
    auto update = db.prepare(
        "UPDATE notify_deliveries SET state = ?, attempts = ?, last_attempt_at = ?, "
        "next_attempt_at = ?, delivered_at = CASE WHEN ? = 'delivered' THEN ? END, "
        "last_status = ?, last_error = ? WHERE id = ?");
    update.bind(1, to_string(a.state))
        .bind(2, a.attempts)
        .bind(3, a.at)
        .bind(4, a.next_attempt_at)
        .bind(5, to_string(a.state))
        .bind(6, a.at);
    if (a.status > 0)
        update.bind(7, static_cast<std::int64_t>(a.status));
    else
        update.bind(7, nullptr);
    if (a.error.empty())
        update.bind(8, nullptr);
    else
        update.bind(8, a.error);
    update.bind(9, a.id);
    update.run();
}

namespace {

constexpr const char* kRowColumns =
    "SELECT d.id, d.event_id, e.type, d.webhook, d.delivery_uuid, d.state, d.attempts, "
    "d.created_at, d.next_attempt_at, d.last_attempt_at, d.delivered_at, d.last_status, "
    "coalesce(d.last_error, '') FROM notify_deliveries d JOIN notify_events e ON e.id = "
    "d.event_id ";

DeliveryRow read_row(store::Statement& s) {
    DeliveryRow r;
    r.id = s.int64(0);
    r.event_id = s.int64(1);
    r.event_type = s.text(2);
    r.webhook = s.text(3);
    r.uuid = s.text(4);
    // The table's CHECK admits only the three states.
    r.state = delivery_state_from(s.text(5)).value_or(DeliveryState::pending);
    r.attempts = static_cast<int>(s.int64(6));
    r.created_at = s.int64(7);
    r.next_attempt_at = s.int64(8);
    r.last_attempt_at = s.optional_int64(9);
    r.delivered_at = s.optional_int64(10);
    r.last_status = s.optional_int64(11);
    r.last_error = s.text(12);
    return r;
}

}  // namespace

std::vector<DeliveryRow> list_deliveries(store::Database& db, int limit,
                                         std::optional<DeliveryState> state) {
    std::vector<DeliveryRow> rows;
    auto s = db.prepare(std::string(kRowColumns) +
                        "WHERE (? = '' OR d.state = ?) ORDER BY d.id DESC LIMIT ?");
    std::string_view text = state ? to_string(*state) : "";  // "": every state
    s.bind(1, text).bind(2, text).bind(3, limit);
    while (s.step())
        rows.push_back(read_row(s));
    return rows;
}

std::optional<DeliveryRow> find_delivery(store::Database& db, std::int64_t id) {
    auto s = db.prepare(std::string(kRowColumns) + "WHERE d.id = ?");
    s.bind(1, id);
    if (!s.step())
        return std::nullopt;
    return read_row(s);
}

Requeue requeue_dead(store::Database& db, std::int64_t id, std::int64_t now_ms) {
    store::Transaction transaction(db);
    auto state = db.prepare("SELECT state FROM notify_deliveries WHERE id = ?");
    state.bind(1, id);
    if (!state.step())
        return Requeue::not_found;
    if (delivery_state_from(state.text(0)) != DeliveryState::dead)
        return Requeue::not_dead;
    auto update = db.prepare(
        "UPDATE notify_deliveries SET state = 'pending', attempts = 0, window_start = ?, "
        "next_attempt_at = ? WHERE id = ?");
    update.bind(1, now_ms).bind(2, now_ms).bind(3, id);
    update.run();
    transaction.commit();
    return Requeue::requeued;
}

std::optional<std::int64_t> last_delivered_at(store::Database& db) {
    auto latest =
        db.prepare("SELECT max(delivered_at) FROM notify_deliveries WHERE state = 'delivered'");
    latest.step();
    return latest.optional_int64(0);
}

std::int64_t prune(store::Database& db, std::int64_t before_ms) {
    store::Transaction transaction(db);
    auto deliveries = db.prepare(
        "DELETE FROM notify_deliveries WHERE state IN ('delivered', 'dead') AND created_at < ?");
    deliveries.bind(1, before_ms);
    deliveries.run();
    std::int64_t deleted = db.changes();
    auto events = db.prepare(
        "DELETE FROM notify_events WHERE once_key IS NULL AND at < ? AND NOT EXISTS (SELECT 1 "
        "FROM notify_deliveries d WHERE d.event_id = notify_events.id)");
    events.bind(1, before_ms);
    events.run();
    transaction.commit();
    return deleted;
}

}  // namespace rosterd::notify::outbox
