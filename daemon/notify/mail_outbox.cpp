#include "mail_outbox.hpp"

#include "rosterd/notify/delivery.hpp"

namespace rosterd::notify {

std::int64_t enqueue_mail(store::Database& db, const MailMessage& m, std::int64_t now_ms) {
    std::map<std::string, std::string> facts = {
        {"to", m.to}, {"subject", m.subject}, {"body", m.body}, {"kind", m.kind}};
    if (m.notice_id)
        facts["notice_id"] = std::to_string(*m.notice_id);
    if (!m.task.empty())
        facts["task"] = m.task;
    db.prepare("INSERT INTO notify_events (type, at, facts, once_key) VALUES (?, ?, ?, NULL)")
        .bind(1, kMailEvent)
        .bind(2, now_ms)
        .bind(3, outbox::facts_to_json(facts))
        .run();
    auto event_id = db.last_insert_rowid();
    db.prepare(
          "INSERT INTO notify_deliveries (event_id, webhook, delivery_uuid, state, attempts, "
          "created_at, window_start, next_attempt_at) VALUES (?, ?, ?, 'pending', 0, ?, ?, ?)")
        .bind(1, event_id)
        .bind(2, kMailTarget)
        .bind(3, random_uuid())
        .bind(4, now_ms)
        .bind(5, now_ms)
        .bind(6, now_ms)
        .run();
    return db.last_insert_rowid();
}

namespace mail {

bool begin_send(store::Database& db, std::int64_t id, std::int64_t now_ms) {
    auto update = db.prepare(
        "UPDATE notify_deliveries SET sending_at = ? WHERE id = ? AND state = 'pending' AND "
        "sending_at IS NULL");
    update.bind(1, now_ms).bind(2, id);
    update.run();
    return db.changes() == 1;
}

void record_send(store::Database& db, const outbox::Attempt& attempt,
                 std::optional<std::int64_t> notice_id, bool refused) {
    store::Transaction t(db);
    outbox::record_attempt(db, attempt);
    db.prepare("UPDATE notify_deliveries SET sending_at = NULL WHERE id = ?")
        .bind(1, attempt.id)
        .run();
    if (notice_id) {
        std::string state = attempt.state == DeliveryState::delivered ? "sent"
                            : refused                                 ? "refused"
                            : attempt.state == DeliveryState::dead    ? "dead"
                                                                      : "retrying";
        auto update = db.prepare(
            "UPDATE notices SET mail_state = ?, mail_error = ? WHERE id = ? AND mail_delivery = ?");
        update.bind(1, state);
        if (attempt.error.empty())
            update.bind(2, nullptr);
        else
            update.bind(2, attempt.error);
        update.bind(3, *notice_id).bind(4, attempt.id);
        update.run();
    }
    t.commit();
}

std::int64_t settle_interrupted(store::Database& db, std::int64_t now_ms) {
    store::Transaction t(db);
    const char* error =
        "rosterd stopped while this mail was being sent: it may have been delivered, so it is "
        "not sent again by itself (rosterctl notify retry ID sends it again)";
    db.prepare(
          "UPDATE notices SET mail_state = 'unknown', mail_error = ? WHERE mail_delivery IN "
          "(SELECT id FROM notify_deliveries WHERE sending_at IS NOT NULL AND state = 'pending')")
        .bind(1, error)
        .run();
    auto update = db.prepare(
        "UPDATE notify_deliveries SET state = 'dead', attempts = attempts + 1, last_attempt_at = "
        "?, last_error = ?, sending_at = NULL WHERE sending_at IS NOT NULL AND state = 'pending'");
    update.bind(1, now_ms).bind(2, error);
    update.run();
    auto settled = static_cast<std::int64_t>(db.changes());
    db.exec("UPDATE notify_deliveries SET sending_at = NULL WHERE sending_at IS NOT NULL");
    t.commit();
    return settled;
}

}  // namespace mail
}  // namespace rosterd::notify
