#pragma once
// Bulk runs: the `bulk` and `runs` commands, the queue that makes runs wait for syncs (and applying
// runs for each other), planning against the published snapshot, the executor of applying runs,
// resume at start-up, undo, run events and the follow-up sync that refreshes the snapshot.
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rosterd/keys/keys.hpp"
#include "rosterd/ops/plan.hpp"
#include "rosterd/ops/run_stage.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/ops/scope.hpp"
#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"
#include "run_executor.hpp"

namespace rosterd::ops {

// What to run: a new bulk or task run, an undo, or the resumption of a journaled run.
struct RunRequest {
    std::string kind = "bulk";  // bulk | task | undo | resume
    std::string task;
    std::string undo_of;    // kind undo
    std::string resume_id;  // kind resume
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
};

class OpsService final : public Subsystem {
  public:
    OpsService(DaemonContext& context, keys::KeyGate& keys, SyncControl& sync);
    ~OpsService() override;

    std::string_view name() const override { return "ops"; }
    void register_commands(control::CommandRegistry& registry) override;
    void start() override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;
    void stop() override;

    // Queues a run; it starts when no sync runs and, when applying, no other applying run does.
    void submit(RunRequest request);

  private:
    struct Planned;
    void pump();
    void plan(RunRequest request);
    void on_planned(RunRequest request, std::shared_ptr<Planned> planned);
    void execute(RunRequest request, RunRecord run, ExecutorSetup setup);
    void on_run_done(const RunRequest& request, const RunRecord& run, bool key_rejected,
                     const std::string& fingerprint);
    // Records `request` as a refused run (state refused, the reason), answers the caller and
    // emits run_refused; nothing was sent.
    void refuse(RunRequest request, const std::string& code, const std::string& message,
                std::optional<std::int64_t> snapshot_id = std::nullopt);
    // The run's outcome event (run_succeeded, run_refused, ...) for applying runs and tasks.
    void emit_run_event(const RunRecord& run, const std::string& cancelled_by = "");
    RunRecord new_run(const RunRequest& request, std::int64_t now_ms) const;
    bool stale() const;

    void bulk(const control::Request& request, std::shared_ptr<control::Reply> reply);
    void undo(const control::Request& request, std::shared_ptr<control::Reply> reply);

    DaemonContext& context_;
    keys::KeyGate& keys_;
    SyncControl& sync_;
    std::shared_ptr<query::SnapshotCache> snapshots_;  // the daemon's (DaemonContext)
    std::deque<RunRequest> queue_;
    bool planning_ = false;  // a request is being planned (one at a time, in order)
    bool waiting_for_sync_ = false;
    std::shared_ptr<RunExecutor> active_;  // the applying run
    // Applying runs being journaled, not executing yet; a cancel meanwhile waits for the start.
    std::set<std::string> starting_;
    std::map<std::string, std::string> cancel_before_start_;  // run id -> who cancelled
    std::shared_ptr<control::Reply> active_reply_;
    bool stopping_ = false;
};

// A run id is a UUID; the journal's own.
std::string new_run_id();

// The `reason` argument of bulk, runs.undo and tasks.run, and reading it (checked: length,
// no control characters).
inline constexpr std::size_t kMaxReasonLength = 1000;
control::ArgSpec reason_arg();
// The scope a run asked for on the socket acts within: the caller's, at the level it needs.
Scope run_scope(const control::Request& request, bool apply);
std::string reason_of(const control::Request& request);

}  // namespace rosterd::ops
