#include "rosterd/ops/run_store.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "rosterd/audit/audit.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/base/time_format.hpp"
#include "seat_target_store.hpp"

namespace rosterd::ops {
namespace {

namespace json = control::json;
using Alloc = rapidjson::Document::AllocatorType;

std::string joined_notes(const std::vector<std::string>& notes) {
    std::string out;
    for (const auto& n : notes)
        out += (out.empty() ? "" : "\n") + n;
    return out;
}

std::vector<std::string> split_notes(const std::string& text) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start < text.size()) {
        auto end = text.find('\n', start);
        if (end == std::string::npos)
            end = text.size();
        out.push_back(text.substr(start, end - start));
        start = end + 1;
    }
    return out;
}

std::string actions_text(const std::vector<std::string>& actions) {
    rapidjson::Document doc(rapidjson::kArrayType);
    for (const auto& a : actions)
        json::push(doc, a, doc.GetAllocator());
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return buffer.GetString();
}

std::vector<std::string> parse_actions(const std::string& text) {
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    std::vector<std::string> out;
    if (doc.IsArray())
        for (const auto& a : doc.GetArray())
            if (a.IsString())
                out.emplace_back(a.GetString());
    return out;
}

std::optional<std::string> iso(std::optional<std::int64_t> ms) {
    return ms ? std::optional<std::string>(format_iso8601_s(*ms)) : std::nullopt;
}

// A word of the journal read back: one this version does not know stops the read (a journal
// written by a newer rosterd), rather than being taken for another.
template <class E>
E known(std::optional<E> value, const char* what, const std::string& text) {
    if (!value)
        throw std::runtime_error(std::string("unknown ") + what + " '" + text + "' in the journal");
    return *value;
}

constexpr const char* kRunColumns =
    "id, kind, coalesce(task, ''), coalesce(undo_of, ''), mode, state, actions, selection, "
    "max_users, snapshot_id, coalesce(caller, ''), caller_uid, created_at, started_at, "
    "finished_at, coalesce(error, ''), coalesce(reason, ''), coalesce(caller_scope, '')";

RunRecord read_run_row(store::Statement& s) {
    RunRecord r;
    r.id = s.text(0);
    r.kind = known(run_kind_from(s.text(1)), "run kind", s.text(1));
    r.task = s.text(2);
    r.undo_of = s.text(3);
    r.apply = s.text(4) == mode_name(true);
    r.state = known(run_state_from(s.text(5)), "run state", s.text(5));
    r.actions = parse_actions(s.text(6));
    r.selection = s.text(7);
    r.max_users = s.int64(8);
    r.snapshot_id = s.optional_int64(9);
    r.caller = s.text(10);
    r.caller_uid = s.optional_int64(11);
    r.created_at = s.int64(12);
    r.started_at = s.optional_int64(13);
    r.finished_at = s.optional_int64(14);
    r.error = s.text(15);
    r.reason = s.text(16);
    r.caller_scope = s.text(17);
    return r;
}

}  // namespace

UserOutcome UserRecord::outcome() const {
    if (state == UserState::skipped)
        return UserOutcome::skipped;
    bool failed = false, pending = false, sent = false, cancelled = false;
    for (const auto& s : steps) {
        failed = failed || s.state == StepState::failed;
        sent = sent || s.state == StepState::sent;
        pending = pending || s.open();
        cancelled = cancelled || s.state == StepState::skipped;
    }
    if (failed)
        return UserOutcome::failed;
    if (sent)
        return UserOutcome::pending;  // an operation in flight
    if (state == UserState::planned)
        return UserOutcome::planned;
    if (pending)
        return UserOutcome::pending;
    if (cancelled)
        return UserOutcome::cancelled;
    return UserOutcome::ok;
}

RunCounts RunRecord::counts() const {
    RunCounts c;
    for (const auto& u : users) {
        ++c.users;
        if (std::any_of(u.steps.begin(), u.steps.end(),
                        [](const StepRecord& s) { return s.changed(); }))
            ++c.changed;
        auto o = u.outcome();
        if (o == UserOutcome::skipped || o == UserOutcome::cancelled)
            ++c.skipped;
        else if (o == UserOutcome::failed)
            ++c.failed;
        else if (o == UserOutcome::ok ||
                 (o == UserOutcome::planned && !apply))  // a dry run's plan: would act
            ++c.ok;
    }
    return c;
}

void insert_run(store::Database& db, const RunRecord& run, const std::string& command,
                const std::string& audit_detail,
                const std::function<void(store::Database&)>& also) {
    store::Transaction t(db);
    db.prepare(
          "INSERT INTO runs (id, kind, task, undo_of, mode, state, actions, selection, max_users, "
          "snapshot_id, caller, caller_uid, created_at, started_at, finished_at, error, reason, "
          "caller_scope) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
        .bind(1, run.id)
        .bind(2, std::string(to_string(run.kind)))
        .bind(3, run.task.empty() ? std::optional<std::string>() : run.task)
        .bind(4, run.undo_of.empty() ? std::optional<std::string>() : run.undo_of)
        .bind(5, std::string(mode_name(run.apply)))
        .bind(6, std::string(to_string(run.state)))
        .bind(7, actions_text(run.actions))
        .bind(8, run.selection)
        .bind(9, run.max_users)
        .bind(10, run.snapshot_id)
        .bind(11, run.caller)
        .bind(12, run.caller_uid)
        .bind(13, run.created_at)
        .bind(14, run.started_at)
        .bind(15, run.finished_at)
        .bind(16, run.error.empty() ? std::optional<std::string>() : run.error)
        .bind(17, run.reason.empty() ? std::optional<std::string>() : run.reason)
        .bind(18, run.caller_scope.empty() ? std::optional<std::string>() : run.caller_scope)
        .run();
    auto& user_insert = db.cached(
        "INSERT INTO run_users (run_id, seq, account_id, name, email, state, reason, notes) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    auto& step_insert = db.cached(
        "INSERT INTO run_steps (run_id, user_seq, seq, op, account_id, directory_id, group_id, "
        "group_name, role, resource_id, resource_label, state) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    for (const auto& u : run.users) {
        user_insert.bind(1, run.id)
            .bind(2, u.seq)
            .bind(3, u.account_id)
            .bind(4, u.name)
            .bind(5, u.email)
            .bind(6, std::string(to_string(u.state)))
            .bind(7, u.reason.empty() ? std::optional<std::string>() : u.reason)
            .bind(8, joined_notes(u.notes))
            .run();
        for (const auto& s : u.steps)
            step_insert.bind(1, run.id)
                .bind(2, u.seq)
                .bind(3, s.seq)
                .bind(4, s.step.op)
                .bind(5, s.step.account_id)
                .bind(6, s.step.directory_id)
                .bind(7, s.step.group_id)
                .bind(8, s.step.group_name)
                .bind(9, s.step.role)
                .bind(10, s.step.resource_id)
                .bind(11, s.step.resource_label)
                .bind(12, std::string(to_string(s.state)))
                .run();
    }
    if (run.seat_target)
        save_seat_target(db, run.id, *run.seat_target);
    if (!command.empty()) {
        audit::Entry entry;
        entry.at = run.created_at;
        entry.caller = run.caller;
        entry.caller_uid = run.caller_uid;
        entry.caller_scope = run.caller_scope;
        entry.command = command;
        entry.outcome = run.state == RunState::refused  ? "refused"
                        : run.state == RunState::queued ? "started"
                                                        : "ok";
        entry.run_id = run.id;
        entry.detail = audit_detail;
        audit::append(db, entry);
    }
    if (also)
        also(db);
    t.commit();
}

bool run_exists(store::Database& db, const std::string& id) {
    auto s = db.prepare("SELECT 1 FROM runs WHERE id = ?");
    s.bind(1, id);
    return s.step();
}

RunRecord load_run(store::Database& db, const std::string& id) {
    auto s = db.prepare(std::string("SELECT ") + kRunColumns + " FROM runs WHERE id = ?");
    s.bind(1, id);
    if (!s.step())
        throw std::runtime_error("no run with id '" + id + "' (rosterctl runs lists them)");
    RunRecord run = read_run_row(s);
    auto users = db.prepare(
        "SELECT seq, account_id, coalesce(name, ''), coalesce(email, ''), state, "
        "coalesce(reason, ''), notes FROM run_users WHERE run_id = ? ORDER BY seq");
    users.bind(1, id);
    while (users.step()) {
        UserRecord u;
        u.seq = static_cast<int>(users.int64(0));
        u.account_id = users.text(1);
        u.name = users.text(2);
        u.email = users.text(3);
        u.state = known(user_state_from(users.text(4)), "user state", users.text(4));
        u.reason = users.text(5);
        u.notes = split_notes(users.text(6));
        run.users.push_back(std::move(u));
    }
    auto steps = db.prepare(
        "SELECT user_seq, seq, op, account_id, directory_id, group_id, group_name, role, "
        "resource_id, resource_label, state, already, coalesce(error, ''), confirmed FROM "
        "run_steps "
        "WHERE run_id = ? ORDER BY user_seq, seq");
    steps.bind(1, id);
    std::size_t u = 0;
    while (steps.step()) {
        auto user_seq = static_cast<int>(steps.int64(0));
        while (u < run.users.size() && run.users[u].seq != user_seq)
            ++u;
        if (u == run.users.size())
            break;
        StepRecord r;
        r.seq = static_cast<int>(steps.int64(1));
        r.step.op = steps.text(2);
        r.step.account_id = steps.text(3);
        r.step.directory_id = steps.text(4);
        r.step.group_id = steps.text(5);
        r.step.group_name = steps.text(6);
        r.step.role = steps.text(7);
        r.step.resource_id = steps.text(8);
        r.step.resource_label = steps.text(9);
        r.state = known(step_state_from(steps.text(10)), "step state", steps.text(10));
        r.already = steps.int64(11) != 0;
        r.error = steps.text(12);
        r.confirmed = steps.int64(13) != 0;
        run.users[u].steps.push_back(std::move(r));
    }
    run.seat_target = load_seat_target(db, id);
    return run;
}

std::vector<std::pair<RunRecord, RunCounts>> list_runs(store::Database& db, int limit) {
    std::vector<std::pair<RunRecord, RunCounts>> out;
    auto s = db.prepare(std::string("SELECT ") + kRunColumns +
                        " FROM runs ORDER BY created_at DESC, id LIMIT ?");
    s.bind(1, limit);
    while (s.step())
        out.emplace_back(read_run_row(s), RunCounts{});
    // Counts per run in one pass over its users (the outcome rules live in UserRecord).
    for (auto& [run, counts] : out) {
        auto full = load_run(db, run.id);
        counts = full.counts();
    }
    return out;
}

std::vector<std::string> unfinished_runs(store::Database& db) {
    std::vector<std::string> out;
    auto s = db.prepare(
        "SELECT id FROM runs WHERE mode = 'apply' AND state IN ('queued', 'running') "
        "ORDER BY created_at");
    while (s.step())
        out.push_back(s.text(0));
    return out;
}

bool sent_since_last_sync(store::Database& db) {
    // `already` steps found the user in the wanted state: they changed nothing. A sync that began
    // in the same millisecond as a request may have read the user before it: not counted. A
    // refresh re-reads what the run before it changed (runs never overlap a refresh).
    auto s = db.prepare(
        "SELECT EXISTS (SELECT 1 FROM run_steps WHERE already = 0 AND sent_at >= "
        "coalesce((SELECT max(started_at) FROM sync_runs WHERE outcome IN ('succeeded', "
        "'refreshed')), 0))");
    return s.step() && s.int64(0) != 0;
}

void set_run_state(store::Database& db, const std::string& id, RunState state,
                   std::optional<std::int64_t> started_at, std::optional<std::int64_t> finished_at,
                   const std::string& error) {
    db.cached(
          "UPDATE runs SET state = ?, started_at = coalesce(?, started_at), "
          "finished_at = coalesce(?, finished_at), error = ? WHERE id = ?")
        .bind(1, std::string(to_string(state)))
        .bind(2, started_at)
        .bind(3, finished_at)
        .bind(4, error.empty() ? std::optional<std::string>() : error)
        .bind(5, id)
        .run();
}

void save_step(store::Database& db, const std::string& run_id, int user_seq, const StepRecord& step,
               std::int64_t now_ms) {
    db.cached(
          "UPDATE run_steps SET state = ?, already = ?, error = ?, role = ?, "
          "sent_at = CASE WHEN ? = 'sent' THEN ? ELSE sent_at END, "
          "finished_at = CASE WHEN ? IN ('ok', 'failed', 'skipped') THEN ? ELSE NULL END, "
          "confirmed = ? WHERE run_id = ? AND user_seq = ? AND seq = ?")
        .bind(1, std::string(to_string(step.state)))
        .bind(2, step.already ? 1 : 0)
        .bind(3, step.error.empty() ? std::optional<std::string>() : step.error)
        .bind(4, step.step.role)
        .bind(5, std::string(to_string(step.state)))
        .bind(6, now_ms)
        .bind(7, std::string(to_string(step.state)))
        .bind(8, now_ms)
        .bind(9, step.confirmed ? 1 : 0)
        .bind(10, run_id)
        .bind(11, user_seq)
        .bind(12, step.seq)
        .run();
}

void save_user(store::Database& db, const std::string& run_id, const UserRecord& user,
               std::int64_t now_ms) {
    store::Transaction t(db);
    db.cached("UPDATE run_users SET state = ?, reason = ? WHERE run_id = ? AND seq = ?")
        .bind(1, std::string(to_string(user.state)))
        .bind(2, user.reason.empty() ? std::optional<std::string>() : user.reason)
        .bind(3, run_id)
        .bind(4, user.seq)
        .run();
    for (const auto& s : user.steps)
        save_step(db, run_id, user.seq, s, now_ms);
    t.commit();
}

rapidjson::Value run_summary_json(const RunRecord& run, const RunCounts& c, Alloc& a) {
    rapidjson::Value out(rapidjson::kObjectType);
    json::add(out, "id", run.id, a);
    json::add(out, "kind", std::string(to_string(run.kind)), a);
    json::add(out, "task", run.task.empty() ? std::optional<std::string>() : run.task, a);
    json::add(out, "undo_of", run.undo_of.empty() ? std::optional<std::string>() : run.undo_of, a);
    json::add(out, "mode", std::string(mode_name(run.apply)), a);
    json::add(out, "state", std::string(to_string(run.state)), a);
    rapidjson::Value actions(rapidjson::kArrayType);
    for (const auto& action : run.actions)
        json::push(actions, action, a);
    json::add(out, "actions", std::move(actions), a);
    json::add(out, "caller", run.caller, a);
    json::add(out, "caller_uid", run.caller_uid, a);
    json::add(out, "caller_scope",
              run.caller_scope.empty() ? std::optional<std::string>() : run.caller_scope, a);
    json::add(out, "created_at", format_iso8601_s(run.created_at), a);
    json::add(out, "started_at", iso(run.started_at), a);
    json::add(out, "finished_at", iso(run.finished_at), a);
    json::add(out, "users", c.users, a);
    json::add(out, "ok", c.ok, a);
    json::add(out, "failed", c.failed, a);
    json::add(out, "skipped", c.skipped, a);
    json::add(out, "changed", c.changed, a);
    json::add(out, "error", run.error.empty() ? std::optional<std::string>() : run.error, a);
    json::add(out, "reason", run.reason.empty() ? std::optional<std::string>() : run.reason, a);
    return out;
}

rapidjson::Value run_json(const RunRecord& run, Alloc& a) {
    auto counts = run.counts();
    auto out = run_summary_json(run, counts, a);
    json::add(out, "max_users", run.max_users, a);
    // A dry run may plan more than the cap: it shows the whole plan and says what applying needs.
    if (!run.apply && counts.ok > run.max_users)
        json::add(out, "needs_max_users", counts.ok, a);
    json::add(out, "snapshot", run.snapshot_id, a);
    rapidjson::Document selection;
    selection.Parse(run.selection.c_str());
    rapidjson::Value sel(rapidjson::kObjectType);
    if (!selection.HasParseError())
        sel.CopyFrom(selection, a);
    json::add(out, "selection", std::move(sel), a);
    if (run.seat_target)
        json::add(out, "seat_target", seat_target_json(run, a), a);
    rapidjson::Value users(rapidjson::kArrayType);
    for (const auto& u : run.users) {
        rapidjson::Value item(rapidjson::kObjectType);
        json::add(item, "account_id", u.account_id, a);
        json::add(item, "name", u.name, a);
        json::add(item, "email", u.email, a);
        json::add(item, "outcome", std::string(to_string(u.outcome())), a);
        if (!u.reason.empty())
            json::add(item, "reason", u.reason, a);
        rapidjson::Value notes(rapidjson::kArrayType);
        for (const auto& n : u.notes)
            json::push(notes, n, a);
        json::add(item, "notes", std::move(notes), a);
        rapidjson::Value ops(rapidjson::kArrayType);
        for (const auto& s : u.steps) {
            rapidjson::Value op(rapidjson::kObjectType);
            json::add(op, "op", s.step.op, a);
            json::add(op, "description", describe(s.step), a);
            json::add(op, "state", std::string(to_string(s.state)), a);
            if (s.already)
                json::add(op, "already", true, a);
            if (s.confirmed)
                json::add(op, "confirmed", true, a);
            if (!s.error.empty())
                json::add(op, "error", s.error, a);
            if (!s.step.group_id.empty())
                json::add(op, "group_id", s.step.group_id, a);
            if (!s.step.resource_id.empty())
                json::add(op, "resource_id", s.step.resource_id, a);
            if (!s.step.role.empty())
                json::add(op, "role", s.step.role, a);
            ops.PushBack(op, a);
        }
        json::add(item, "operations", std::move(ops), a);
        users.PushBack(item, a);
    }
    json::add(out, "results", std::move(users), a);
    return out;
}

}  // namespace rosterd::ops
