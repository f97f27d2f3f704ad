#pragma once
// Bulk runs: the subsystem that wires the parts of ops together, each with one job:
//   RunQueue       (run_queue.hpp)       the order runs start in, behind syncs and each other
//   plan_run/admit (run_planner.hpp)     the plan against the published snapshot; its admission
//   plan_undo      (run_undo.hpp)        the inverse of a run
//   RunSupervisor  (run_supervisor.hpp)  journal, execute (RunExecutor), cancel, resume, refresh
//   run_events     (run_events.hpp)      the events a run emits
// and the `bulk` and `runs` commands (ops_commands.cpp).
#include <memory>
#include <string>

#include "rosterd/keys/keys.hpp"
#include "rosterd/ops/plan.hpp"
#include "rosterd/ops/run_stage.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/ops/scope.hpp"
#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"
#include "run_executor.hpp"
#include "run_queue.hpp"
#include "run_request.hpp"
#include "run_supervisor.hpp"

namespace rosterd::ops {

struct Planned;

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

    DaemonContext& context() { return context_; }
    RunSupervisor& supervisor() { return supervisor_; }

  private:
    // Plans the head of the queue on a database thread, then admits it (on_planned).
    void plan(RunRequest request);
    void on_planned(RunRequest request, std::shared_ptr<Planned> planned);

    DaemonContext& context_;
    keys::KeyGate& keys_;
    RunSupervisor supervisor_;
    RunQueue queue_;
    bool stopping_ = false;
};

// The `reason` argument of bulk, runs.undo and tasks.run, and reading it (checked: length,
// no control characters).
inline constexpr std::size_t kMaxReasonLength = 1000;
control::ArgSpec reason_arg();
// The scope a run asked for on the socket acts within: the caller's, at the level it needs.
Scope run_scope(const control::Request& request, bool apply);
std::string reason_of(const control::Request& request);

}  // namespace rosterd::ops
