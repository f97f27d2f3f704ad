#pragma once
// The runs, their plans and their journal in SQLite (schema v3, migrations.cpp), and the audit log.
// Every function runs on a database thread (DbExecutor); records are plain values.
#include <rapidjson/document.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/ops/plan.hpp"
#include "rosterd/ops/run_vocabulary.hpp"
#include "rosterd/ops/seat_target.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::ops {

struct StepRecord {
    int seq = 0;
    Step step;
    StepState state = StepState::pending;
    bool already = false;  // nothing changed: already so (409, or seen in the re-read)
    std::string error;     // the API's error, or why the step was skipped
    // Sent before a crash, its answer lost; the re-read after the restart found it done: this
    // run changed it (counted as changed, reversed by undo), unlike `already`.
    bool confirmed = false;

    // Whether this step changed the organization (ok, and not found already so).
    bool changed() const { return state == StepState::ok && !already; }
    // Not ended: still to send, or sent and its answer not recorded.
    bool open() const { return state == StepState::pending || state == StepState::sent; }
};

struct UserRecord {
    int seq = 0;
    std::string account_id, name, email;
    UserState state = UserState::planned;
    std::string reason;  // skipped: why
    std::vector<std::string> notes;
    std::vector<StepRecord> steps;

    // From the steps.
    UserOutcome outcome() const;
};

struct RunCounts {
    std::int64_t users = 0, ok = 0, failed = 0, skipped = 0;
    std::int64_t changed = 0;  // users at least one operation of the run changed
};

struct RunRecord {
    std::string id;
    RunKind kind = RunKind::bulk;
    std::string task;     // kind task
    std::string undo_of;  // kind undo
    bool apply = false;
    RunState state = RunState::planned;
    std::vector<std::string> actions;
    std::string selection;  // JSON: {"filters":[...]} or {"users":[...]}
    std::int64_t max_users = 0;
    std::optional<std::int64_t> snapshot_id;
    std::string caller;
    std::optional<std::int64_t> caller_uid;
    std::string caller_scope;  // "unscoped" or the caller's scope (issue 19); "" before schema 7
    std::int64_t created_at = 0;
    std::optional<std::int64_t> started_at, finished_at;
    std::string error;
    std::string reason;             // the admin's note: --reason, or the task's reason:
    std::vector<UserRecord> users;  // empty in listings
    std::optional<SeatTargetOutcome> seat_target;  // a task's keep_at_most (issue 17)

    RunCounts counts() const;
};

// A new run with its plan in one transaction; with an audit line when `command` is not empty
// (runs the daemon starts on its own: commands from the socket are audited by the registry).
// `also` writes in the same transaction (a run stage's records: the notices of issue 17).
void insert_run(store::Database& db, const RunRecord& run, const std::string& command,
                const std::string& audit_detail,
                const std::function<void(store::Database&)>& also = {});
RunRecord load_run(store::Database& db, const std::string& id);  // throws std::runtime_error
bool run_exists(store::Database& db, const std::string& id);
// The most recent runs, without users but with counts.
std::vector<std::pair<RunRecord, RunCounts>> list_runs(store::Database& db, int limit);
// Applying runs that did not finish (a crash or a stop): to resume at start-up, oldest first.
std::vector<std::string> unfinished_runs(store::Database& db);
// Whether an operation went out after the newest successful sync started, so that the published
// snapshot may not show it: the sync that follows every run was lost to a crash or a stop.
bool sent_since_last_sync(store::Database& db);

void set_run_state(store::Database& db, const std::string& id, RunState state,
                   std::optional<std::int64_t> started_at, std::optional<std::int64_t> finished_at,
                   const std::string& error);
void save_step(store::Database& db, const std::string& run_id, int user_seq, const StepRecord& step,
               std::int64_t now_ms);
void save_user(store::Database& db, const std::string& run_id, const UserRecord& user,
               std::int64_t now_ms);

// The audit document: the whole run as JSON (runs show, the answer of bulk).
rapidjson::Value run_json(const RunRecord& run, rapidjson::Document::AllocatorType& alloc);
// One line of `runs`.
rapidjson::Value run_summary_json(const RunRecord& run, const RunCounts& counts,
                                  rapidjson::Document::AllocatorType& alloc);

}  // namespace rosterd::ops
