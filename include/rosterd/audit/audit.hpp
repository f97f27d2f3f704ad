#pragma once
// The audit trail: one append-only table (triggers refuse UPDATE and DELETE) that answers "who did
// what, when, and how did it end". The control registry records every operator and admin command
// through it; the daemon records what it does on its own (scheduled task runs).
#include <rapidjson/document.h>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/store/store.hpp"

namespace rosterd::audit {

struct Entry {
    std::int64_t id = 0;
    std::int64_t at = 0;  // ms since the epoch, UTC
    std::string caller;   // the user name; "alice (uid 1000)" on a run's own line;
                          // "rosterd (schedule)" for scheduled task runs
    std::optional<std::int64_t> caller_uid;
    std::string caller_level;    // viewer | operator | admin (empty for the daemon)
    std::string caller_scope;    // "unscoped" or the caller's scope (issue 19)
    std::string command;         // e.g. "bulk", "key.set", "task park (schedule)"
    std::string args = "{}";     // the command's arguments as JSON, secrets redacted
    std::string outcome = "ok";  // ok, the error code, "started" (a run journaled), "refused"
    std::string run_id;          // the run it created or acted on, if any
    std::string detail;          // what else the command said it did (changed keys, error text)
};

void append(store::Database& db, const Entry& entry);

struct Query {
    std::optional<std::int64_t> since_ms;
    std::string user;     // a user name or a numeric uid; empty: everyone
    std::string command;  // an exact command name, or a prefix ending in '.' ("tasks."); empty: all
    int limit = 50;
};
// The newest entries matching `query`, newest first.
std::vector<Entry> read(store::Database& db, const Query& query);

rapidjson::Value to_json(const Entry& entry, rapidjson::Document::AllocatorType& alloc);

}  // namespace rosterd::audit
