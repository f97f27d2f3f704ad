#pragma once
// Planning a run: on a database thread, against the published snapshot, what a request would do
// (the plan, its users, a task's seat target), and then, on the loop, whether it may: the state
// the new run is journaled in (planned, queued, refused, nothing_to_do).
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rosterd/config/config.hpp"
#include "rosterd/control/registry.hpp"
#include "rosterd/ops/plan.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/query/snapshot.hpp"
#include "rosterd/store/store.hpp"
#include "run_request.hpp"

namespace rosterd::ops {

// What planning found: the plan, or why there is none (error and its protocol code).
struct Planned {
    std::string error;
    std::string code = control::kFailed;
    std::shared_ptr<const query::SnapshotIndex> index;
    std::optional<std::int64_t> snapshot_id;
    Plan plan;
    RunRecord resumed;  // a resumed run, as journaled
    std::vector<UserFilter> filters;
    std::int64_t now_ms = 0;
    // An undo may act on as many users as the run it reverses changed: that size was approved.
    std::int64_t undo_allowance = 0;
    std::optional<SeatTargetOutcome> seat_target;
};

struct PlanInputs {
    std::int64_t now_ms = 0;
    Config::Protect protect;
    std::shared_ptr<query::SnapshotCache> snapshots;
};

// On a database thread: plans `request` (a resume loads its journal). Never throws: an error is
// in Planned::error.
std::shared_ptr<Planned> plan_run(store::Database& db, const RunRequest& request,
                                  const PlanInputs& in);

// A new run record for `request`, with a fresh id, not yet journaled.
RunRecord new_run(const RunRequest& request, std::int64_t now_ms);
// The users of a plan as the journal records them (planned, or skipped with the reason).
std::vector<UserRecord> records_of(const Plan& plan);
// The filters a run's selection recorded (a resumed run re-checks its users against them).
std::vector<UserFilter> filters_of(const std::string& selection);

// The state a planned run is journaled in: refused over the cap or without a usable key
// (`key_refusal` is asked only for an applying run that acts on someone; "" = a key is usable),
// nothing_to_do when applying to no one, else queued (applying) or planned (a dry run).
void admit(RunRecord& run, const RunRequest& request, const Plan& plan,
           const std::function<std::string()>& key_refusal);

// A run that would reach outside its caller's scope (issue 19): answered `forbidden`.
class ScopeRefused : public std::runtime_error {
  public:
    ScopeRefused(const Scope& scope, const std::string& why)
        : std::runtime_error("outside your scope (" + scope.describe() + "): " + why) {}
};
// Throws ScopeRefused when a step of `plan` lies outside `scope`.
void check_plan_scope(store::Database& db, const query::SnapshotIndex& index, const Plan& plan,
                      const Scope& scope);

// A run id is a UUID; the journal's own.
std::string new_run_id();

}  // namespace rosterd::ops
