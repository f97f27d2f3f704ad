#include "run_supervisor.hpp"

#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include "rosterd/atlassian/client_settings.hpp"
#include "rosterd/base/json.hpp"
#include "run_events.hpp"
#include "run_planner.hpp"
#include "run_refresh.hpp"

namespace rosterd::ops {
namespace {

namespace json = control::json;

// The answer of a run that ended (or never had to start): the audit document and the stage's
// lists.
void answer_with_run(control::Reply& reply, const RunRecord& run, const RunStage* stage) {
    rapidjson::Document doc;
    static_cast<rapidjson::Value&>(doc) = run_json(run, doc.GetAllocator());
    if (stage)
        stage->describe(doc, doc.GetAllocator());
    reply.ok(doc);
}

}  // namespace

RunSupervisor::RunSupervisor(DaemonContext& context, keys::KeyGate& keys, SyncControl& sync,
                             std::function<void()> idle)
    : context_(context), keys_(keys), sync_(sync), idle_(std::move(idle)) {}

void RunSupervisor::resume_journal(const std::function<void(RunRequest)>& submit) {
    // Applying runs a crash or a stop interrupted continue where their journal stopped.
    struct Journal {
        std::vector<std::string> unfinished;
        bool unsynced = false;
    };
    context_.db.write(
        [](store::Database& db) {
            return Journal{unfinished_runs(db), sent_since_last_sync(db)};
        },
        [this, submit](store::DbResult<Journal> r) {
            if (stopping_)
                return;
            if (!r.ok()) {
                spdlog::error("ops: cannot read the run journal: {}", r.error);
                return;
            }
            for (const auto& id : r.value->unfinished) {
                spdlog::warn("ops: run {} was interrupted; resuming it", id);
                RunRequest request;
                request.resume_id = id;
                request.apply = true;
                submit(std::move(request));
            }
            // A run that finished just before a crash lost the sync that publishes its changes;
            // without one the snapshot would show them undone until the next scheduled sync.
            // Resumed runs end with that sync themselves.
            if (r.value->unfinished.empty() && r.value->unsynced) {
                spdlog::warn("ops: the last run's changes are not in the snapshot yet; syncing");
                if (auto refused = sync_.request_sync("run"))
                    spdlog::warn("ops: no sync for the last run's changes: {}", *refused);
            }
        });
}

void RunSupervisor::stop() {
    if (stopping_)
        return;
    stopping_ = true;
    if (active_)
        active_->abandon();  // the journal keeps it; the next start resumes it
    if (active_reply_)
        active_reply_->fail(control::kUnavailable,
                            "rosterd is shutting down; the run resumes when it starts again");
}

void RunSupervisor::emit_events(const RunRecord& run, const std::string& cancelled_by) {
    emit_run_events(context_.events, run, cancelled_by, now_ms());
}

void RunSupervisor::refuse(RunRequest request, const std::string& code, const std::string& message,
                           std::optional<std::int64_t> snapshot_id) {
    spdlog::warn("ops: {} refused: {}", request.describe(), message);
    if (request.resuming()) {
        // A journaled run: it stays in the journal and is resumed at the next start.
        if (request.reply)
            request.reply->fail(code, message);
        return;
    }
    RunRecord run = new_run(request, now_ms());
    run.snapshot_id = snapshot_id;
    run.state = RunState::refused;
    run.error = message;
    run.finished_at = run.created_at;
    if (request.reply)
        request.reply->note("run_id", run.id);
    auto audit_command = request.reply ? std::string() : request.command;
    context_.db.write(
        [run, audit_command](store::Database& db) {
            insert_run(db, run, audit_command, "refused: " + run.error);
            return true;
        },
        [this, request = std::move(request), run, code, message](store::DbResult<bool> r) {
            if (stopping_)
                return;
            if (!r.ok())
                spdlog::error("ops: cannot record the refused run: {}", r.error);
            if (request.reply)
                request.reply->fail(code, message + (r.ok() ? " (run " + run.id + ")" : ""));
            if (r.ok())
                emit_events(run);
            if (request.finished)
                request.finished(run);
        });
}

void RunSupervisor::journal(RunRequest request, RunRecord run, ExecutorSetup setup) {
    const bool refused = run.state == RunState::refused;
    std::string detail = std::string(mode_name(run.apply)) + " " + run.selection + " -> " +
                         std::string(to_string(run.state));
    // Commands from the socket are audited by the registry when they end; an applying run is
    // also audited when it is journaled, so a crash before its answer leaves the trail whole.
    auto audit_command = !request.reply                  ? request.command
                         : run.state == RunState::queued ? request.command + " (run started)"
                                                         : std::string();
    if (run.state == RunState::queued)
        starting_.insert(run.id);
    // The stage's records go in the run's transaction; a dry run or a refused run writes none.
    auto stage = run.apply && !refused ? request.stage : nullptr;
    context_.db.write(
        [run, audit_command, detail, stage](store::Database& db) {
            insert_run(db, run, audit_command, detail, [&](store::Database& d) {
                if (stage)
                    stage->record(d, run);
            });
            return true;
        },
        [this, request = std::move(request), run, refused,
         setup = std::move(setup)](store::DbResult<bool> r) mutable {
            starting_.erase(run.id);
            if (stopping_)
                return;
            if (!r.ok()) {
                if (request.reply)
                    request.reply->fail(control::kFailed, "cannot record the run: " + r.error);
                if (request.finished)
                    request.finished(RunRecord{});
                return;
            }
            if (request.stage && run.apply && !refused)
                request.stage->recorded(run);
            if (refused) {
                if (request.reply)
                    request.reply->fail(control::kFailed, run.error + " (run " + run.id + ")");
                emit_events(run);
                if (request.finished)
                    request.finished(run);
                return;
            }
            if (run.state != RunState::queued) {
                // A dry run, or an applying run with nothing to do: answered from the plan.
                if (request.reply)
                    answer_with_run(*request.reply, run, request.stage.get());
                emit_events(run);
                if (request.finished)
                    request.finished(run);
                return;
            }
            execute(std::move(request), std::move(run), std::move(setup));
        });
}

void RunSupervisor::resume(RunRequest request, RunRecord run, ExecutorSetup setup) {
    execute(std::move(request), std::move(run), std::move(setup));
}

void RunSupervisor::execute(RunRequest request, RunRecord run, ExecutorSetup setup) {
    auto lease = keys_.acquire();
    if (!lease.key) {
        spdlog::warn("ops: run {} cannot go on: {}", run.id, lease.refusal);
        if (request.reply)
            request.reply->fail(control::kFailed, lease.refusal);
        if (request.finished)
            request.finished(run);  // a task is not left in flight until the next start
        return;                     // stays queued in the journal; resumed at the next start
    }
    auto client = make_atlassian_run_client(
        context_.loop, atlassian::client_settings(*context_.config, lease.key->value));
    auto fingerprint = lease.fingerprint;
    if (request.reply) {
        rapidjson::Document p(rapidjson::kObjectType);
        auto& a = p.GetAllocator();
        json::add(p, "run_id", run.id, a);
        json::add(p, "state", std::string("running"), a);
        json::add(p, "total", run.users.size(), a);
        request.reply->progress(p);
    }
    spdlog::info("ops: run {} ({}) applying to {} users", run.id, to_string(request.kind),
                 run.users.size());
    active_ = std::make_shared<RunExecutor>(context_.loop, context_.db, context_.clock,
                                            std::move(run), std::move(setup), std::move(client));
    // Cancelled between being journaled and starting: it starts only to record every user as
    // cancelled (one state, one event).
    if (auto early = cancel_before_start_.find(active_->run().id);
        early != cancel_before_start_.end()) {
        active_->cancel(early->second);
        cancel_before_start_.erase(early);
    }
    active_reply_ = request.reply;
    auto shared = std::make_shared<RunRequest>(std::move(request));
    active_->start(
        [reply = shared->reply, id = active_->run().id](const UserRecord& u, std::size_t done,
                                                        std::size_t total) {
            if (!reply)
                return;
            rapidjson::Document p(rapidjson::kObjectType);
            auto& a = p.GetAllocator();
            json::add(p, "run_id", id, a);
            json::add(p, "account_id", u.account_id, a);
            json::add(p, "email", u.email, a);
            json::add(p, "outcome", std::string(to_string(u.outcome())), a);
            if (!u.reason.empty())
                json::add(p, "reason", u.reason, a);
            json::add(p, "done", done, a);
            json::add(p, "total", total, a);
            reply->progress(p);
        },
        [this, shared, fingerprint](const RunRecord& finished, bool key_rejected) {
            on_run_done(*shared, finished, key_rejected, fingerprint);
        });
}

void RunSupervisor::on_run_done(const RunRequest& request, const RunRecord& run, bool key_rejected,
                                const std::string& fingerprint) {
    auto finished = active_;  // alive until this returns
    active_.reset();
    active_reply_.reset();
    if (key_rejected)
        keys_.report_rejected(fingerprint);
    auto counts = run.counts();
    spdlog::info("ops: run {} {}: {} ok, {} failed, {} skipped", run.id, to_string(run.state),
                 counts.ok, counts.failed, counts.skipped);
    emit_events(run, finished ? finished->cancelled_by() : std::string());
    auto answer = [this, reply = request.reply, stage = request.stage, done = request.finished,
                   run] {
        if (reply)
            answer_with_run(*reply, run, stage.get());
        if (done)
            done(run);
        asio::post(context_.loop, [this] { idle_(); });
    };
    // The snapshot learns what changed from a new complete generation, never a patch: the users
    // the run changed, read again and published (a refresh); the run is answered once it is, so
    // what the caller reads next shows the run's effect. Should the refresh fail, a full sync.
    auto refresh = refresh_request(run);
    if (refresh.users.empty())
        return answer();
    sync_.request_refresh(
        std::move(refresh), [this, id = run.id, answer](const sync::RefreshOutcome& outcome) {
            if (!outcome.published && !stopping_) {
                spdlog::warn("ops: the snapshot refresh after run {} failed ({}); syncing", id,
                             outcome.error);
                if (auto refused = sync_.request_sync("run"))
                    spdlog::warn("ops: no sync after run {}: {}", id, *refused);
            }
            answer();
        });
}

void RunSupervisor::cancel(const std::string& id, const std::string& caller,
                           std::shared_ptr<control::Reply> reply) {
    auto now = now_ms();
    reply->note("run_id", id);
    bool active = active_ && active_->run().id == id;
    if (active)
        active_->cancel(caller);
    if (starting_.count(id)) {
        // Journaled, about to start: it starts cancelled (execute()).
        cancel_before_start_[id] = caller;
        active = true;
    }
    // A journaled run not executing (e.g. waiting for a usable key) is closed here.
    context_.db.write(
        [id, now, active](store::Database& db) {
            auto run = load_run(db, id);
            if (!active && !(run.state == RunState::queued || run.state == RunState::running))
                throw std::runtime_error("run " + id + " is not running (" +
                                         std::string(to_string(run.state)) + ")");
            if (!active) {
                set_run_state(db, id, RunState::cancelled, std::nullopt, now, "cancelled");
                run.state = RunState::cancelled;
                run.finished_at = now;
            }
            return run;
        },
        [this, reply, id, active, caller](store::DbResult<RunRecord> r) {
            if (!r.ok())
                return reply->fail(control::kFailed, r.error);
            if (!active)
                emit_events(*r.value, caller);
            rapidjson::Document doc(rapidjson::kObjectType);
            json::add(doc, "id", id, doc.GetAllocator());
            json::add(doc, "cancelling", true, doc.GetAllocator());
            reply->ok(doc);
        });
}

}  // namespace rosterd::ops
