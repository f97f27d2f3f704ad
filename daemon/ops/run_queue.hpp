#pragma once
// The order runs start in: one request planned at a time, first come first served; none while a
// sync runs; an applying run not while another executes; and an applying run on a snapshot
// older than ops.max_staleness only after a sync (refused if that sync cannot start or fails).
#include <deque>
#include <functional>
#include <string>

#include "rosterd/service/subsystem.hpp"
#include "rosterd/service/sync_control.hpp"
#include "run_request.hpp"

namespace rosterd::ops {

class RunQueue {
  public:
    struct Hooks {
        std::function<bool()> applying;  // an applying run is executing
        // The head may start: plan it, then call planned() (and pump()).
        std::function<void(RunRequest)> plan;
        // The head may not start (kFailed, the message): record it refused.
        std::function<void(RunRequest, std::string)> refuse;
    };

    RunQueue(DaemonContext& context, SyncControl& sync, Hooks hooks);

    void push(RunRequest request);
    // Starts the head if it may (called again whenever what it waits for ends).
    void pump();
    // The request handed to Hooks::plan is planned: the next may start.
    void planned() { planning_ = false; }
    // Answers every waiting request `unavailable`; nothing starts any more.
    void stop();
    std::size_t size() const { return queue_.size(); }

  private:
    bool stale() const;

    DaemonContext& context_;
    SyncControl& sync_;
    Hooks hooks_;
    std::deque<RunRequest> queue_;
    bool planning_ = false;  // a request is being planned (one at a time, in order)
    bool waiting_for_sync_ = false;
    bool stopping_ = false;
};

}  // namespace rosterd::ops
