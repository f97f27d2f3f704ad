#pragma once
// Journals and executes runs: records a planned run (its state decided by admit()), starts the
// one applying run with a key lease and a RunExecutor, streams its progress, cancels it, resumes
// the runs a crash or a stop interrupted, and after a run publishes what it changed (a refresh,
// or a full sync if that fails) before answering.
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "rosterd/keys/keys.hpp"
#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"
#include "run_executor.hpp"
#include "run_request.hpp"

namespace rosterd::ops {

class RunSupervisor {
  public:
    // `idle`: an applying run ended (the queue may start the next).
    RunSupervisor(DaemonContext& context, keys::KeyGate& keys, SyncControl& sync,
                  std::function<void()> idle);

    // At start-up: submits a resume request for every applying run the journal left unfinished;
    // with none, syncs if the last run's changes never reached the snapshot.
    void resume_journal(const std::function<void(RunRequest)>& submit);

    // Records `request` as a refused run (state refused, the reason), answers the caller and
    // emits run_refused; nothing was sent. A resume is only answered (it stays journaled).
    void refuse(RunRequest request, const std::string& code, const std::string& message,
                std::optional<std::int64_t> snapshot_id = std::nullopt);
    // Journals a new run in the state admit() gave it; a queued run then executes, anything else
    // is answered from its plan.
    void journal(RunRequest request, RunRecord run, ExecutorSetup setup);
    // Executes a journaled run again where it stopped.
    void resume(RunRequest request, RunRecord run, ExecutorSetup setup);

    // runs.cancel: the executing run stops after the operation in flight, one about to start
    // starts cancelled, a journaled run that does not execute is closed as cancelled.
    void cancel(const std::string& id, const std::string& caller,
                std::shared_ptr<control::Reply> reply);

    bool applying() const { return static_cast<bool>(active_); }
    const RunExecutor* active() const { return active_.get(); }
    // Shutdown: the executing run is abandoned (the journal resumes it), its caller told so.
    void stop();

    void emit_events(const RunRecord& run, const std::string& cancelled_by = "");

  private:
    void execute(RunRequest request, RunRecord run, ExecutorSetup setup);
    void on_run_done(const RunRequest& request, const RunRecord& run, bool key_rejected,
                     const std::string& fingerprint);
    std::int64_t now_ms() const { return context_.clock.now().time_since_epoch().count(); }

    DaemonContext& context_;
    keys::KeyGate& keys_;
    SyncControl& sync_;
    std::function<void()> idle_;
    std::shared_ptr<RunExecutor> active_;  // the applying run
    // Applying runs being journaled, not executing yet; a cancel meanwhile waits for the start.
    std::set<std::string> starting_;
    std::map<std::string, std::string> cancel_before_start_;  // run id -> who cancelled
    std::shared_ptr<control::Reply> active_reply_;
    bool stopping_ = false;
};

}  // namespace rosterd::ops
