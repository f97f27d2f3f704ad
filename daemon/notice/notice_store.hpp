#pragma once
// The notice tables (migration 8: notices, notice_exemptions). Every function runs on a database
// thread; the writers run inside the caller's transaction.
#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rosterd/notice/notice.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::notice {

std::vector<OpenNotice> open_notices(store::Database& db, const std::string& task);
// Users exempt at `now_ms` (no end, or an end after it).
std::set<std::string> exempt_users(store::Database& db, std::int64_t now_ms);

// nullopt when the user is on notice for the task already.
std::optional<std::int64_t> insert_notice(store::Database& db, const std::string& task,
                                          const std::string& account_id, const std::string& name,
                                          const std::string& email, std::int64_t now_ms,
                                          std::int64_t deadline);
// Each false when the notice is no longer on notice.
bool mark_acted(store::Database& db, std::int64_t id, const std::string& run_id,
                std::int64_t now_ms);
bool mark_released(store::Database& db, std::int64_t id, const std::string& reason,
                   std::int64_t now_ms);
bool set_reminders(store::Database& db, std::int64_t id, int reminders);
void set_mail_queued(store::Database& db, std::int64_t id, std::int64_t delivery);

struct NoticeRow {
    std::int64_t id = 0;
    std::string account_id, task, name, email, state;
    std::int64_t noticed_at = 0, deadline = 0;
    std::optional<std::int64_t> ended_at;
    std::string reason, run_id, mail_state, mail_error;
    std::string run_outcome;  // acted: the user's outcome in that run (ok, skipped: ..., failed)
    int reminders = 0;
};

struct NoticeQuery {
    std::string task;        // empty: every task
    std::string state;       // empty: every state
    std::string account_id;  // empty: every user
    int limit = 1000;
};
// Newest first.
std::vector<NoticeRow> list_notices(store::Database& db, const NoticeQuery& query);

struct Exemption {
    std::string account_id;
    std::optional<std::int64_t> until;
    std::string reason, created_by;
    std::int64_t created_at = 0;
};
// Records (or replaces) the exemption and marks the user's open notices exempt. Returns how many
// notices it ended.
std::int64_t exempt(store::Database& db, const Exemption& exemption);
std::optional<Exemption> exemption_of(store::Database& db, const std::string& account_id,
                                      std::int64_t now_ms);

}  // namespace rosterd::notice
