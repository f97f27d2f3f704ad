#include "run_planner.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

#include <algorithm>

#include "rosterd/base/json.hpp"
#include "rosterd/notify/delivery.hpp"
#include "rosterd/query/held.hpp"
#include "rosterd/query/query.hpp"
#include "run_undo.hpp"

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

// A resumed run: its journal, and the snapshot to judge changed users by (if there is one).
void plan_resume(store::Database& db, const RunRequest& r, const PlanInputs& in, Planned& planned) {
    planned.resumed = load_run(db, r.resume_id);
    planned.filters = filters_of(planned.resumed.selection);
    try {
        planned.index = in.snapshots->current(db);
    } catch (const query::NoDataError&) {
    }
}

// A bulk or task run: select the users in the caller's view, plan the actions, then the seat
// target and the stage narrow it.
void plan_selection(store::Database& db, const RunRequest& r, const PlanInputs& in,
                    Planned& planned) {
    for (const auto& action : r.actions)
        if (auto why = action_violation(action, r.scope))
            throw ScopeRefused(r.scope, *why);
    planned.index = in.snapshots->current(db);
    const auto& index = *planned.index;
    planned.snapshot_id = index.info.id;
    // A scoped caller selects among the users they can see, as `users` shows them.
    // ... and the users whose in-scope access a run took away (to act on them again).
    auto view = query::scoped_view(db, planned.index, r.scope);
    auto in_base = [&](std::uint32_t v) {
        return view.get() == &index ? v : *index.find_user(view->users[v].account_id);
    };
    std::vector<std::uint32_t> users;
    if (!r.users.empty()) {
        for (const auto& who : r.users) {
            auto found = query::find_user(*view, who);
            if (!found)
                throw query::QueryError("no user with account id or email '" + who + "' " +
                                        (r.scope.unscoped()
                                             ? "in snapshot " + std::to_string(index.info.id)
                                             : "found in your scope"));
            auto user = in_base(*found);
            if (std::find(users.begin(), users.end(), user) == users.end())
                users.push_back(user);
        }
    } else {
        for (auto v : query::select_users(*view, {r.filters, query::UserSort::name, in.now_ms}))
            users.push_back(in_base(v));
    }
    if (r.keep_at_most)
        users = order_for_target(index, users, *r.keep_at_most);
    auto grants = read_group_grants(db, index.info.id);
    planned.plan = build_plan(index, grants, users, r.actions, in.protect);
    if (r.keep_at_most)
        planned.seat_target = apply_seat_target(index, *r.keep_at_most, planned.plan);
    check_plan_scope(db, index, planned.plan, r.scope);
    if (r.stage)
        r.stage->narrow(db, index, planned.plan, in.now_ms);
}

}  // namespace

std::string new_run_id() {
    return notify::random_uuid();
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

void check_plan_scope(store::Database& db, const query::SnapshotIndex& index, const Plan& plan,
                      const Scope& scope) {
    if (scope.unscoped())
        return;
    auto catalog = make_scope_catalog(index, read_group_grants(db, index.info.id));
    if (auto why = plan_violation(plan, scope, catalog))
        throw ScopeRefused(scope, *why);
}

std::shared_ptr<Planned> plan_run(store::Database& db, const RunRequest& r, const PlanInputs& in) {
    auto planned = std::make_shared<Planned>();
    planned->now_ms = in.now_ms;
    try {
        store::Transaction read(db, store::Transaction::Kind::deferred);
        if (r.resuming())
            plan_resume(db, r, in, *planned);
        else if (r.kind == RunKind::undo)
            plan_undo(db, r, in, *planned);
        else
            plan_selection(db, r, in, *planned);
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
        u.state = p.skipped.empty() ? UserState::planned : UserState::skipped;
        u.reason = p.skipped;
        u.notes = p.notes;
        int step_seq = 0;
        for (const auto& s : p.steps)
            u.steps.push_back({step_seq++, s, StepState::pending, false, ""});
        users.push_back(std::move(u));
    }
    return users;
}

RunRecord new_run(const RunRequest& request, std::int64_t now_ms) {
    RunRecord run;
    run.id = new_run_id();
    run.kind = request.kind;
    run.task = request.task;
    run.undo_of = request.undo_of;
    run.apply = request.apply;
    for (const auto& a : request.actions)
        run.actions.push_back(to_string(a));
    if (request.kind == RunKind::undo)
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

void admit(RunRecord& run, const RunRequest& request, const Plan& plan,
           const std::function<std::string()>& key_refusal) {
    std::string refusal;
    auto acting = static_cast<std::int64_t>(plan.acting());
    // Over the cap, a dry run still shows the whole plan (run_json says what applying needs);
    // an applying run is refused.
    if (request.apply && acting > request.max_users)
        refusal = "the plan acts on " + std::to_string(acting) + " users, more than the cap of " +
                  std::to_string(request.max_users) +
                  (request.kind == RunKind::task ? " (the task's max_users)" : " (ops.max_users)") +
                  "; review it with a dry run, then raise the cap for this run with "
                  "--max-users " +
                  std::to_string(acting);
    // An applying run without a usable key is refused up front (execution takes the lease).
    if (refusal.empty() && request.apply && acting > 0)
        refusal = key_refusal();
    if (!refusal.empty()) {
        run.state = RunState::refused;
        run.error = refusal;
        run.finished_at = run.created_at;
    } else if (request.apply && acting == 0) {
        run.state = RunState::nothing_to_do;  // every user skipped: nothing to send
        run.finished_at = run.created_at;
    } else {
        run.state = request.apply ? RunState::queued : RunState::planned;
        if (!request.apply)
            run.finished_at = run.created_at;
    }
}

}  // namespace rosterd::ops
