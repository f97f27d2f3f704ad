#include "notice_store.hpp"

namespace rosterd::notice {

std::vector<OpenNotice> open_notices(store::Database& db, const std::string& task) {
    std::vector<OpenNotice> out;
    auto s = db.prepare(
        "SELECT id, account_id, noticed_at, deadline, reminders FROM notices WHERE task = ? AND "
        "state = 'on-notice' ORDER BY id");
    s.bind(1, task);
    while (s.step())
        out.push_back(
            {s.int64(0), s.text(1), s.int64(2), s.int64(3), static_cast<int>(s.int64(4))});
    return out;
}

std::set<std::string> exempt_users(store::Database& db, std::int64_t now_ms) {
    std::set<std::string> out;
    auto s =
        db.prepare("SELECT account_id FROM notice_exemptions WHERE until IS NULL OR until > ?");
    s.bind(1, now_ms);
    while (s.step())
        out.insert(s.text(0));
    return out;
}

std::optional<std::int64_t> insert_notice(store::Database& db, const std::string& task,
                                          const std::string& account_id, const std::string& name,
                                          const std::string& email, std::int64_t now_ms,
                                          std::int64_t deadline) {
    auto s = db.prepare(
        "INSERT OR IGNORE INTO notices (account_id, task, name, email, state, noticed_at, "
        "deadline) VALUES (?, ?, ?, ?, 'on-notice', ?, ?)");
    s.bind(1, account_id)
        .bind(2, task)
        .bind(3, name)
        .bind(4, email)
        .bind(5, now_ms)
        .bind(6, deadline);
    s.run();
    if (db.changes() != 1)
        return std::nullopt;
    return db.last_insert_rowid();
}

bool mark_acted(store::Database& db, std::int64_t id, const std::string& run_id,
                std::int64_t now_ms) {
    auto s = db.prepare(
        "UPDATE notices SET state = 'acted', run_id = ?, ended_at = ? WHERE id = ? AND state = "
        "'on-notice' AND deadline <= ?");
    s.bind(1, run_id).bind(2, now_ms).bind(3, id).bind(4, now_ms);
    s.run();
    return db.changes() == 1;
}

bool mark_released(store::Database& db, std::int64_t id, const std::string& reason,
                   std::int64_t now_ms) {
    auto s = db.prepare(
        "UPDATE notices SET state = 'released', reason = ?, ended_at = ? WHERE id = ? AND state = "
        "'on-notice'");
    s.bind(1, reason).bind(2, now_ms).bind(3, id);
    s.run();
    return db.changes() == 1;
}

bool set_reminders(store::Database& db, std::int64_t id, int reminders) {
    auto s = db.prepare(
        "UPDATE notices SET reminders = ? WHERE id = ? AND state = 'on-notice' AND reminders < ?");
    s.bind(1, reminders).bind(2, id).bind(3, reminders);
    s.run();
    return db.changes() == 1;
}

void set_mail_queued(store::Database& db, std::int64_t id, std::int64_t delivery) {
    db.prepare(
          "UPDATE notices SET mail_state = 'queued', mail_delivery = ?, mail_error = NULL WHERE "
          "id = ?")
        .bind(1, delivery)
        .bind(2, id)
        .run();
}

std::vector<NoticeRow> list_notices(store::Database& db, const NoticeQuery& q) {
    std::vector<NoticeRow> out;
    auto s = db.prepare(
        "SELECT n.id, n.account_id, n.task, n.name, n.email, n.state, n.noticed_at, n.deadline, "
        "n.ended_at, coalesce(n.reason, ''), coalesce(n.run_id, ''), n.mail_state, "
        "coalesce(n.mail_error, ''), n.reminders, "
        "(SELECT u.state || coalesce(': ' || u.reason, '') FROM run_users u WHERE u.run_id = "
        "n.run_id AND u.account_id = n.account_id) "
        "FROM notices n WHERE (? = '' OR n.task = ?) AND (? = '' OR n.state = ?) AND "
        "(? = '' OR n.account_id = ?) ORDER BY n.noticed_at DESC, n.id DESC LIMIT ?");
    s.bind(1, q.task).bind(2, q.task).bind(3, q.state).bind(4, q.state);
    s.bind(5, q.account_id).bind(6, q.account_id).bind(7, q.limit);
    while (s.step()) {
        NoticeRow r;
        r.id = s.int64(0);
        r.account_id = s.text(1);
        r.task = s.text(2);
        r.name = s.text(3);
        r.email = s.text(4);
        r.state = s.text(5);
        r.noticed_at = s.int64(6);
        r.deadline = s.int64(7);
        r.ended_at = s.optional_int64(8);
        r.reason = s.text(9);
        r.run_id = s.text(10);
        r.mail_state = s.text(11);
        r.mail_error = s.text(12);
        r.reminders = static_cast<int>(s.int64(13));
        r.run_outcome = s.optional_text(14).value_or("");
        out.push_back(std::move(r));
    }
    return out;
}

std::int64_t exempt(store::Database& db, const Exemption& e) {
    store::Transaction t(db);
    db.prepare(
          "INSERT INTO notice_exemptions (account_id, until, reason, created_by, created_at) "
          "VALUES (?, ?, ?, ?, ?) ON CONFLICT(account_id) DO UPDATE SET until = excluded.until, "
          "reason = excluded.reason, created_by = excluded.created_by, created_at = "
          "excluded.created_at")
        .bind(1, e.account_id)
        .bind(2, e.until)
        .bind(3, e.reason)
        .bind(4, e.created_by)
        .bind(5, e.created_at)
        .run();
    auto s = db.prepare(
        "UPDATE notices SET state = 'exempt', reason = ?, ended_at = ? WHERE account_id = ? AND "
        "state = 'on-notice'");
    s.bind(1, "exempted by " + e.created_by + ": " + e.reason)
        .bind(2, e.created_at)
        .bind(3, e.account_id);
    s.run();
    auto ended = static_cast<std::int64_t>(db.changes());
    t.commit();
    return ended;
}

std::optional<Exemption> exemption_of(store::Database& db, const std::string& account_id,
                                      std::int64_t now_ms) {
    auto s = db.prepare(
        "SELECT account_id, until, reason, created_by, created_at FROM notice_exemptions WHERE "
        "account_id = ? AND (until IS NULL OR until > ?)");
    s.bind(1, account_id).bind(2, now_ms);
    if (!s.step())
        return std::nullopt;
    return Exemption{s.text(0), s.optional_int64(1), s.text(2), s.text(3), s.int64(4)};
}

}  // namespace rosterd::notice
