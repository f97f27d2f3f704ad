#pragma once
// What to run: a new bulk or task run, an undo, or the resumption of a journaled run; what every
// part of ops (queue, planner, supervisor) passes along.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/control/registry.hpp"
#include "rosterd/ops/plan.hpp"
#include "rosterd/ops/run_stage.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/ops/run_vocabulary.hpp"
#include "rosterd/ops/scope.hpp"
#include "rosterd/ops/seat_target.hpp"

namespace rosterd::ops {

struct RunRequest {
    RunKind kind = RunKind::bulk;  // a resumed run takes its journaled kind once loaded
    std::string task;
    std::string undo_of;    // kind undo
    std::string resume_id;  // set: resume this journaled run (nothing else of the request counts)
    bool apply = false;
    std::vector<Action> actions;
    std::vector<UserFilter> filters;  // every one must match
    std::string saved_filter;         // for the record
    std::vector<std::string> users;   // explicit users (ids or emails) instead of filters
    std::int64_t max_users = 100;
    bool cap_raised = false;  // max_users was given for this run
    std::string reason;       // the admin's note (--reason, a task's reason:)
    // A task's keep_at_most (issue 17): the plan takes the longest-inactive users, only enough.
    std::optional<SeatTarget> keep_at_most;
    std::string caller;
    std::optional<std::int64_t> caller_uid;
    // What the caller may reach (issue 19): users outside it are not selected, and a plan with
    // any step outside it is refused as a whole. Runs the daemon starts itself are unscoped.
    Scope scope = Scope::unscoped_scope();
    // For the audit log of runs the daemon starts itself (scheduled tasks); requests from the
    // control socket are audited by the command registry.
    std::string command;
    std::shared_ptr<control::Reply> reply;
    // Called once the run is recorded and, when applying, finished (or refused: run id empty).
    std::function<void(const RunRecord&)> finished;
    bool synced_first = false;
    // A task's notice stage (issue 17): narrows the plan to the users whose notice ran out.
    std::shared_ptr<RunStage> stage;

    bool resuming() const { return !resume_id.empty(); }
    // For the log: "task NAME", "resume", "bulk", "undo".
    std::string describe() const {
        if (resuming())
            return "resume";
        return kind == RunKind::task ? "task " + task : std::string(to_string(kind));
    }
};

}  // namespace rosterd::ops
