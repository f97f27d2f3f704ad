#include "run_undo.hpp"

#include "rosterd/query/query.hpp"

namespace rosterd::ops {

Plan undo_plan(const RunRecord& original) {
    Plan plan;
    for (const auto& u : original.users) {
        PlannedUser planned{u.account_id, u.name, u.email, {}, {}, {}};
        for (auto s = u.steps.rbegin(); s != u.steps.rend(); ++s) {
            if (s->state != StepState::ok || s->already)
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

void plan_undo(store::Database& db, const RunRequest& r, const PlanInputs& in, Planned& planned) {
    auto original = load_run(db, r.undo_of);
    if (!original.apply)
        throw query::QueryError("run " + r.undo_of + " was a dry run: it changed nothing to undo");
    if (!ended(original.state))
        throw query::QueryError("run " + r.undo_of + " is still running; undo it once it ends");
    planned.plan = undo_plan(original);
    planned.undo_allowance = original.counts().changed;
    try {
        planned.index = in.snapshots->current(db);
        planned.snapshot_id = planned.index->info.id;
    } catch (const query::NoDataError&) {
        if (!r.scope.unscoped())
            throw;  // nothing to judge the scope by
    }
    // The inverse of an in-scope run is in scope; judged again all the same, since the run may
    // have been someone else's.
    if (planned.index)
        check_plan_scope(db, *planned.index, planned.plan, r.scope);
}

}  // namespace rosterd::ops
