#pragma once
// Undo: a new run whose plan is the inverse of every operation of a run that changed something.
#include "rosterd/store/store.hpp"
#include "run_planner.hpp"

namespace rosterd::ops {

// The inverse of every operation of `original` that changed something, in reverse order per user;
// what cannot be undone is noted on the user.
Plan undo_plan(const RunRecord& original);

// On a database thread, for a request of kind undo: loads the run it reverses (refused if it was a
// dry run or has not ended), plans the inverse and judges it against the caller's scope.
// Throws query::QueryError, ScopeRefused.
void plan_undo(store::Database& db, const RunRequest& request, const PlanInputs& in,
               Planned& planned);

}  // namespace rosterd::ops
