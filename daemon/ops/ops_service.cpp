#include "ops_service.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <spdlog/spdlog.h>

#include <asio/post.hpp>

#include "rosterd/atlassian/client_settings.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/notify/delivery.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/query.hpp"
#include "run_refresh.hpp"
#include "seat_target_event.hpp"

namespace rosterd::ops {
namespace {

namespace json = control::json;

std::string selection_text(const RunRequest& r) {
    rapidjson::Document doc(rapidjson::kObjectType);
    auto& a = doc.GetAllocator();
    if (!r.users.empty()) {
        rapidjson::Value users(rapidjson::kArrayType);
        for (const auto& u : r.users)
            json::push(users, u, a);
        json::add(doc, "users", std::move(users), a);
    } else {
        rapidjson::Value filters(rapidjson::kArrayType);
        for (const auto& f : r.filters)
            filters.PushBack(user_filter_to_json(f, a), a);
        json::add(doc, "filters", std::move(filters), a);
        if (!r.saved_filter.empty())
            json::add(doc, "saved_filter", r.saved_filter, a);
    }
    if (!r.undo_of.empty())
        json::add(doc, "undo_of", r.undo_of, a);
    rapidjson::StringBuffer buffer;
    rapidjson::Writer<rapidjson::StringBuffer> writer(buffer);
    doc.Accept(writer);
    return buffer.GetString();
}

std::vector<UserFilter> filters_of(const std::string& selection) {
    std::vector<UserFilter> out;
    rapidjson::Document doc;
    doc.Parse(selection.c_str());
    if (doc.IsObject() && doc.HasMember("filters") && doc["filters"].IsArray())
        for (const auto& f : doc["filters"].GetArray())
            out.push_back(user_filter_from_json(f));
    return out;
}

GroupGrants read_group_grants(store::Database& db, std::int64_t snapshot) {
    GroupGrants grants;
    auto roles = db.prepare("SELECT group_id, resource_id FROM group_roles WHERE snapshot_id = ?");
    roles.bind(1, snapshot);
    while (roles.step())
        grants.resources_of[roles.text(0)].insert(roles.text(1));
    auto groups = db.prepare(
        "SELECT group_id, external_synced, coalesce(directory_id, '') FROM groups "
        "WHERE snapshot_id = ?");
    groups.bind(1, snapshot);
    while (groups.step()) {
        if (groups.int64(1) != 0)
            grants.synced.insert(groups.text(0));
        grants.directory_of[groups.text(0)] = groups.text(2);
    }
    return grants;
}

// A run that would reach outside its caller's scope (issue 19): answered `forbidden`.
class ScopeRefused : public std::runtime_error {
  public:
    ScopeRefused(const Scope& scope, const std::string& why)
        : std::runtime_error("outside your scope (" + scope.describe() + "): " + why) {}
};

void check_plan_scope(store::Database& db, const query::SnapshotIndex& index, const Plan& plan,
                      const Scope& scope) {
    if (scope.unscoped())
        return;
    auto catalog = make_scope_catalog(index, read_group_grants(db, index.info.id));
    if (auto why = plan_violation(plan, scope, catalog))
        throw ScopeRefused(scope, *why);
}

// The plan of an undo: the inverse of every operation of `original` that changed something, in
// reverse order per user.
Plan undo_plan(const RunRecord& original) {
    Plan plan;
    for (const auto& u : original.users) {
        PlannedUser planned{u.account_id, u.name, u.email, {}, {}, {}};
        for (auto s = u.steps.rbegin(); s != u.steps.rend(); ++s) {
            if (s->state != "ok" || s->already)
                continue;
            if (auto inv = inverse(s->step))
                planned.steps.push_back(*inv);
            else
                planned.notes.push_back(describe(s->step) + " cannot be undone");
        }
        if (planned.steps.empty()) {
            planned.skipped = planned.notes.empty() ? "nothing to undo" : planned.notes.front();
            planned.notes.clear();
        }
        if (!planned.steps.empty() || !u.steps.empty())
            plan.users.push_back(std::move(planned));
    }
    return plan;
}

std::vector<UserRecord> records_of(const Plan& plan) {
    std::vector<UserRecord> users;
    int seq = 0;
    for (const auto& p : plan.users) {
        UserRecord u;
        u.seq = seq++;
        u.account_id = p.account_id;
        u.name = p.name;
        u.email = p.email;
        u.state = p.skipped.empty() ? "planned" : "skipped";
        u.reason = p.skipped;
        u.notes = p.notes;
        int step_seq = 0;
        for (const auto& s : p.steps)
            u.steps.push_back({step_seq++, s, "pending", false, ""});
        users.push_back(std::move(u));
    }
    return users;
}

}  // namespace

std::string new_run_id() {
    return notify::random_uuid();
}

struct OpsService::Planned {
    std::string error;
    std::string code = control::kFailed;
    std::shared_ptr<const query::SnapshotIndex> index;
    std::optional<std::int64_t> snapshot_id;
    Plan plan;
    RunRecord resumed;
    std::vector<UserFilter> filters;
    std::int64_t now_ms = 0;
    // An undo may act on as many users as the run it reverses changed: that size was approved.
    std::int64_t undo_allowance = 0;
    std::optional<SeatTargetOutcome> seat_target;
};

OpsService::OpsService(DaemonContext& context, keys::KeyGate& keys, SyncControl& sync)
    : context_(context), keys_(keys), sync_(sync), snapshots_(context.snapshots) {}

OpsService::~OpsService() {
    stop();
}

void OpsService::start() {
    // Applying runs a crash or a stop interrupted continue where their journal stopped.
    struct Journal {
        std::vector<std::string> unfinished;
        bool unsynced = false;
    };
    context_.db.write(
        [](store::Database& db) {
            return Journal{unfinished_runs(db), sent_since_last_sync(db)};
        },
        [this](store::DbResult<Journal> r) {
            if (stopping_)
                return;
            if (!r.ok()) {
                spdlog::error("ops: cannot read the run journal: {}", r.error);
                return;
            }
            for (const auto& id : r.value->unfinished) {
                spdlog::warn("ops: run {} was interrupted; resuming it", id);
                RunRequest request;
                request.kind = "resume";
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

void OpsService::stop() {
    if (stopping_)
        return;
    stopping_ = true;
    if (active_)
        active_->abandon();  // the journal keeps it; the next start resumes it
    if (active_reply_)
        active_reply_->fail(control::kUnavailable,
                            "rosterd is shutting down; the run resumes when it starts again");
    for (auto& request : queue_)
        if (request.reply)
            request.reply->fail(control::kUnavailable, "rosterd is shutting down");
    queue_.clear();
}

void OpsService::submit(RunRequest request) {
    if (stopping_) {
        if (request.reply)
            request.reply->fail(control::kUnavailable, "rosterd is shutting down");
        return;
    }
    queue_.push_back(std::move(request));
    pump();
}

bool OpsService::stale() const {
    auto last = sync_.last_success_ms();
    if (!last)
        return true;
    auto age = context_.clock.now().time_since_epoch().count() - *last;
    return age >
           std::chrono::duration_cast<std::chrono::milliseconds>(context_.config->ops.max_staleness)
               .count();
}

void OpsService::pump() {
    if (stopping_ || planning_ || queue_.empty())
        return;
    auto progress = [](RunRequest& r, const char* state) {
        if (!r.reply)
            return;
        rapidjson::Document p(rapidjson::kObjectType);
        json::add(p, "state", std::string(state), p.GetAllocator());
        r.reply->progress(p);
    };
    if (sync_.running()) {
        if (!waiting_for_sync_) {
            waiting_for_sync_ = true;
            progress(queue_.front(), "waiting for the running sync");
            sync_.when_idle([this] {
                waiting_for_sync_ = false;
                pump();
            });
        }
        return;
    }
    auto& head = queue_.front();
    if (head.apply && active_) {
        progress(head, "waiting for the applying run in progress");
        return;  // pumped again when it finishes
    }
    if (head.apply && head.kind != "resume" && stale()) {
        if (!head.synced_first) {
            head.synced_first = true;
            if (auto refused = sync_.request_sync("run")) {
                auto request = std::move(head);
                queue_.pop_front();
                refuse(std::move(request), control::kFailed,
                       "the snapshot is older than ops.max_staleness and no sync could start "
                       "before the run: " +
                           *refused);
                return pump();
            }
            spdlog::info("ops: the snapshot is older than ops.max_staleness; syncing first");
            return pump();
        }
        // The sync before the run ended and the snapshot is still stale: it failed.
        auto request = std::move(head);
        queue_.pop_front();
        refuse(std::move(request), control::kFailed,
               "the snapshot is older than ops.max_staleness and the sync before the run " +
                   (sync_.last_outcome().empty() ? std::string("did not succeed")
                                                 : sync_.last_outcome()) +
                   (sync_.last_error().empty() ? "" : ": " + sync_.last_error()));
        return pump();
    }
    auto request = std::move(head);
    queue_.pop_front();
    planning_ = true;
    plan(std::move(request));
}

void OpsService::plan(RunRequest request) {
    auto now = context_.clock.now().time_since_epoch().count();
    auto protect = context_.config->protect;
    auto shared = std::make_shared<RunRequest>(std::move(request));
    context_.db.read(
        [r = shared, now, protect, snapshots = snapshots_](store::Database& db) {
            auto planned = std::make_shared<Planned>();
            planned->now_ms = now;
            try {
                store::Transaction read(db, store::Transaction::Kind::deferred);
                if (r->kind == "resume") {
                    planned->resumed = load_run(db, r->resume_id);
                    planned->filters = filters_of(planned->resumed.selection);
                    try {
                        planned->index = snapshots->current(db);
                    } catch (const query::NoDataError&) {
                    }
                    return planned;
                }
                if (r->kind == "undo") {
                    auto original = load_run(db, r->undo_of);
                    if (!original.apply)
                        throw query::QueryError("run " + r->undo_of +
                                                " was a dry run: it changed nothing to undo");
                    if (original.state == "queued" || original.state == "running")
                        throw query::QueryError("run " + r->undo_of +
                                                " is still running; undo it once it ends");
                    planned->plan = undo_plan(original);
                    planned->undo_allowance = original.counts().changed;
                    try {
                        planned->index = snapshots->current(db);
                        planned->snapshot_id = planned->index->info.id;
                    } catch (const query::NoDataError&) {
                        if (!r->scope.unscoped())
                            throw;  // nothing to judge the scope by
                    }
                    // The inverse of an in-scope run is in scope; judged again all the same,
                    // since the run may have been someone else's.
                    if (planned->index)
                        check_plan_scope(db, *planned->index, planned->plan, r->scope);
                    return planned;
                }
                for (const auto& action : r->actions)
                    if (auto why = action_violation(action, r->scope))
                        throw ScopeRefused(r->scope, *why);
                planned->index = snapshots->current(db);
                const auto& index = *planned->index;
                planned->snapshot_id = index.info.id;
                // A scoped caller selects among the users they can see, as `users` shows them.
                // ... and the users whose in-scope access a run took away (to act on them again).
                auto view = query::scoped_view(db, planned->index, r->scope);
                auto in_base = [&](std::uint32_t v) {
                    return view.get() == &index ? v : *index.find_user(view->users[v].account_id);
                };
                std::vector<std::uint32_t> users;
                if (!r->users.empty()) {
                    for (const auto& who : r->users) {
                        auto found = query::find_user(*view, who);
                        if (!found)
                            throw query::QueryError(
                                "no user with account id or email '" + who + "' " +
                                (r->scope.unscoped()
                                     ? "in snapshot " + std::to_string(index.info.id)
                                     : "found in your scope"));
                        auto user = in_base(*found);
                        if (std::find(users.begin(), users.end(), user) == users.end())
                            users.push_back(user);
                    }
                } else {
                    for (auto v :
                         query::select_users(*view, {r->filters, query::UserSort::name, now}))
                        users.push_back(in_base(v));
                }
                if (r->keep_at_most)
                    users = order_for_target(index, users, *r->keep_at_most);
                auto grants = read_group_grants(db, index.info.id);
                planned->plan = build_plan(index, grants, users, r->actions, protect);
                if (r->keep_at_most)
                    planned->seat_target =
                        apply_seat_target(index, *r->keep_at_most, planned->plan);
                check_plan_scope(db, index, planned->plan, r->scope);
                if (r->stage)
                    r->stage->narrow(db, index, planned->plan, now);
            } catch (const PlanError& e) {
                planned->error = e.what();
                planned->code = control::kInvalidArgs;
            } catch (const ScopeRefused& e) {
                planned->error = e.what();
                planned->code = control::kForbidden;
            } catch (const std::exception& e) {
                planned->error = e.what();
            }
            return planned;
        },
        [this, shared](store::DbResult<std::shared_ptr<Planned>> r) {
            planning_ = false;
            if (stopping_)
                return;
            std::shared_ptr<Planned> planned;
            if (r.ok()) {
                planned = *r.value;
            } else {
                planned = std::make_shared<Planned>();
                planned->error = r.error;
            }
            on_planned(std::move(*shared), std::move(planned));
            pump();
        });
}

RunRecord OpsService::new_run(const RunRequest& request, std::int64_t now_ms) const {
    RunRecord run;
    run.id = new_run_id();
    run.kind = request.kind;
    run.task = request.task;
    run.undo_of = request.undo_of;
    run.apply = request.apply;
    for (const auto& a : request.actions)
        run.actions.push_back(to_string(a));
    if (request.kind == "undo")
        run.actions = {"undo " + request.undo_of};
    run.selection = selection_text(request);
    run.max_users = request.max_users;
    run.caller = request.caller;
    run.caller_uid = request.caller_uid;
    run.caller_scope = request.scope.describe();
    run.created_at = now_ms;
    run.reason = request.reason;
    return run;
}

void OpsService::refuse(RunRequest request, const std::string& code, const std::string& message,
                        std::optional<std::int64_t> snapshot_id) {
    spdlog::warn("ops: {} refused: {}",
                 request.kind == "task" ? "task " + request.task : request.kind, message);
    if (request.kind == "resume") {
        // A journaled run: it stays in the journal and is resumed at the next start.
        if (request.reply)
            request.reply->fail(code, message);
        return;
    }
    RunRecord run = new_run(request, context_.clock.now().time_since_epoch().count());
    run.snapshot_id = snapshot_id;
    run.state = kRunRefused;
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
                emit_run_event(run);
            if (request.finished)
                request.finished(run);
        });
}

void OpsService::emit_run_event(const RunRecord& run, const std::string& cancelled_by) {
    // Dry runs a person asked for are answered to them; unattended ones (tasks) and every
    // applying run reach the webhooks.
    if (!context_.events || (!run.apply && run.kind != "task"))
        return;
    // A task's seat target not reached (its dry runs included: they tell the filter leaves too
    // few before anyone applies it).
    if (auto over = seats_over_target_event(run))
        context_.events->emit(std::move(*over));
    auto type = run_event_type(run.state);
    if (type.empty())
        return;
    auto counts = run.counts();
    Event event;
    event.type = type;
    event.at_ms = run.finished_at.value_or(context_.clock.now().time_since_epoch().count());
    event.facts = {{"run_id", run.id},
                   {"ok", std::to_string(counts.ok)},
                   {"failed", std::to_string(counts.failed)},
                   {"skipped", std::to_string(counts.skipped)},
                   {"kind", run.kind},
                   {"mode", run.apply ? "apply" : "dry-run"}};
    if (!run.task.empty())
        event.facts["task"] = run.task;
    if (!run.caller.empty())
        event.facts["caller"] = run.caller;
    if (!run.caller_scope.empty())
        event.facts["caller_scope"] = run.caller_scope;
    if (!run.reason.empty())
        event.facts["reason"] = run.reason;
    if (!cancelled_by.empty())
        event.facts["cancelled_by"] = cancelled_by;
    if (!run.error.empty() && run.state != kRunCancelled)
        event.facts["error"] = run.error;
    context_.events->emit(std::move(event));
}

void OpsService::on_planned(RunRequest request, std::shared_ptr<Planned> planned) {
    if (!planned->error.empty())
        return refuse(std::move(request), planned->code, planned->error, planned->snapshot_id);
    ExecutorSetup setup;
    setup.base = planned->index;
    setup.protect = context_.config->protect;
    setup.filter_now_ms = planned->now_ms;

    if (request.kind == "resume") {
        RunRecord run = std::move(planned->resumed);
        setup.filters = filters_of(run.selection);
        setup.recheck_protection = run.kind != "undo";
        if (run.kind == "undo")
            setup.filters.clear();
        request.kind = run.kind;
        request.task = run.task;
        request.apply = true;
        return execute(std::move(request), std::move(run), std::move(setup));
    }

    // The admin approved the size of the run an undo reverses when they applied it.
    if (request.kind == "undo")
        request.max_users = std::max(request.max_users, planned->undo_allowance);
    RunRecord run = new_run(request, planned->now_ms);
    run.snapshot_id = planned->snapshot_id;
    run.users = records_of(planned->plan);
    run.seat_target = planned->seat_target;
    if (request.reply)
        request.reply->note("run_id", run.id);

    std::string refusal;
    auto acting = static_cast<std::int64_t>(planned->plan.acting());
    // Over the cap, a dry run still shows the whole plan (run_json says what applying needs);
    // an applying run is refused.
    if (request.apply && acting > request.max_users)
        refusal = "the plan acts on " + std::to_string(acting) + " users, more than the cap of " +
                  std::to_string(request.max_users) +
                  (request.kind == "task" ? " (the task's max_users)" : " (ops.max_users)") +
                  "; review it with a dry run, then raise the cap for this run with "
                  "--max-users " +
                  std::to_string(acting);
    // An applying run without a usable key is refused up front (execute() takes the lease).
    if (refusal.empty() && request.apply && acting > 0) {
        auto lease = keys_.acquire();
        if (!lease.key)
            refusal = lease.refusal;
    }
    if (!refusal.empty()) {
        run.state = kRunRefused;
        run.error = refusal;
        run.finished_at = run.created_at;
    } else if (request.apply && acting == 0) {
        run.state = kRunNothingToDo;  // every user skipped: nothing to send
        run.finished_at = run.created_at;
    } else {
        run.state = request.apply ? kRunQueued : kRunPlanned;
        if (!request.apply)
            run.finished_at = run.created_at;
    }
    std::string detail =
        std::string(run.apply ? "apply" : "dry-run") + " " + run.selection + " -> " + run.state;
    // Commands from the socket are audited by the registry when they end; an applying run is
    // also audited when it is journaled, so a crash before its answer leaves the trail whole.
    auto audit_command = !request.reply            ? request.command
                         : run.state == kRunQueued ? request.command + " (run started)"
                                                   : std::string();
    if (run.state == kRunQueued)
        starting_.insert(run.id);
    // The stage's records go in the run's transaction; a dry run or a refused run writes none.
    auto stage = run.apply && refusal.empty() ? request.stage : nullptr;
    context_.db.write(
        [run, audit_command, detail, stage](store::Database& db) {
            insert_run(db, run, audit_command, detail, [&](store::Database& d) {
                if (stage)
                    stage->record(d, run);
            });
            return true;
        },
        [this, request = std::move(request), run, refusal,
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
            if (request.stage && run.apply && refusal.empty())
                request.stage->recorded(run);
            if (!refusal.empty()) {
                if (request.reply)
                    request.reply->fail(control::kFailed, refusal + " (run " + run.id + ")");
                emit_run_event(run);
                if (request.finished)
                    request.finished(run);
                return;
            }
            if (run.state != kRunQueued) {
                // A dry run, or an applying run with nothing to do: answered from the plan.
                if (request.reply) {
                    rapidjson::Document doc;
                    static_cast<rapidjson::Value&>(doc) = run_json(run, doc.GetAllocator());
                    if (request.stage)
                        request.stage->describe(doc, doc.GetAllocator());
                    request.reply->ok(doc);
                }
                emit_run_event(run);
                if (request.finished)
                    request.finished(run);
                return;
            }
            setup.filters = request.filters;
            setup.recheck_protection = request.kind != "undo";
            if (request.kind == "undo")
                setup.filters.clear();
            execute(std::move(request), std::move(run), std::move(setup));
        });
}

void OpsService::execute(RunRequest request, RunRecord run, ExecutorSetup setup) {
    auto lease = keys_.acquire();
    if (!lease.key) {
        spdlog::warn("ops: run {} cannot go on: {}", run.id, lease.refusal);
        if (request.reply)
            request.reply->fail(control::kFailed, lease.refusal);
        if (request.finished)
            request.finished(run);  // a task is not left in flight until the next start
        return;                     // stays queued in the journal; resumed at the next start
    }
    setup.client = atlassian::client_settings(*context_.config, lease.key->value);
    auto fingerprint = lease.fingerprint;
    if (request.reply) {
        rapidjson::Document p(rapidjson::kObjectType);
        auto& a = p.GetAllocator();
        json::add(p, "run_id", run.id, a);
        json::add(p, "state", std::string("running"), a);
        json::add(p, "total", run.users.size(), a);
        request.reply->progress(p);
    }
    spdlog::info("ops: run {} ({}) applying to {} users", run.id, request.kind, run.users.size());
    active_ = std::make_shared<RunExecutor>(context_.loop, context_.db, context_.clock,
                                            std::move(run), std::move(setup));
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
            json::add(p, "outcome", u.outcome(), a);
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

void OpsService::on_run_done(const RunRequest& request, const RunRecord& run, bool key_rejected,
                             const std::string& fingerprint) {
    auto finished = active_;  // alive until this returns
    active_.reset();
    active_reply_.reset();
    if (key_rejected)
        keys_.report_rejected(fingerprint);
    auto counts = run.counts();
    spdlog::info("ops: run {} {}: {} ok, {} failed, {} skipped", run.id, run.state, counts.ok,
                 counts.failed, counts.skipped);
    emit_run_event(run, finished ? finished->cancelled_by() : std::string());
    auto answer = [this, reply = request.reply, stage = request.stage, done = request.finished,
                   run] {
        if (reply) {
            rapidjson::Document doc;
            static_cast<rapidjson::Value&>(doc) = run_json(run, doc.GetAllocator());
            if (stage)
                stage->describe(doc, doc.GetAllocator());
            reply->ok(doc);
        }
        if (done)
            done(run);
        asio::post(context_.loop, [this] { pump(); });
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

void OpsService::write_status(rapidjson::Value& out,
                              rapidjson::Document::AllocatorType& alloc) const {
    json::add(out, "queued", queue_.size(), alloc);
    json::add(out, "active_run",
              active_ ? std::optional<std::string>(active_->run().id) : std::nullopt, alloc);
    if (active_) {
        json::add(out, "active_done", active_->finished_users(), alloc);
        json::add(out, "active_total", active_->run().users.size(), alloc);
    }
    json::add(out, "max_users", context_.config->ops.max_users, alloc);
    json::add(out, "protected_users", context_.config->protect.users.size(), alloc);
    json::add(out, "protected_groups", context_.config->protect.groups.size(), alloc);
    json::add(out, "protected_domains", context_.config->protect.domains.size(), alloc);
}

}  // namespace rosterd::ops
