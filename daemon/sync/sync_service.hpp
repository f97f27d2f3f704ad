#pragma once
// Schedules syncs (daily at sync.daily_at in sync.timezone, a missed one at start-up, the first
// one at once), runs one at a time (a request during a sync joins it) and answers the sync
// commands and the "sync" section of status.
#include <asio/system_timer.hpp>

#include <chrono>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "refresh_run.hpp"
#include "rosterd/keys/keys.hpp"
#include "rosterd/service/subsystem.hpp"
#include "rosterd/sync/subsystem.hpp"
#include "rosterd/sync/sync.hpp"

namespace rosterd::sync {

struct InterruptedSync;  // snapshot_writer.hpp

class SyncService final : public SyncSubsystem {
  public:
    // `keys` decides which key a sync uses, or why none may run; it hears about 401s.
    SyncService(DaemonContext& context, keys::KeyGate& keys);
    ~SyncService() override;

    std::string_view name() const override { return "sync"; }
    void register_commands(control::CommandRegistry& registry) override;
    void start() override;
    void write_status(rapidjson::Value& out,
                      rapidjson::Document::AllocatorType& alloc) const override;
    void apply_config(const Config& config) override;
    void stop() override;

    // Starts a sync unless one runs; returns a refusal message when it cannot start.
    std::optional<std::string> request_sync(const std::string& trigger) override;
    // Whether a complete sync exists (known once start() has read the history).
    bool has_snapshot() const override { return snapshot_id_.has_value(); }
    // Whether a sync or a refresh runs now, or a refresh waits (bulk runs and tasks wait for it).
    bool running() const override {
        return static_cast<bool>(running_) || refreshing_ || !refresh_queue_.empty();
    }
    // Re-reads the users a bulk run changed and publishes a new generation with them
    // (refresh_run.hpp), after the sync in progress if one is; a sync asked for meanwhile starts
    // when it ends. `done` is called on the loop (also when it cannot run).
    void request_refresh(RefreshRequest request, RefreshDone done) override;
    // When the last sync succeeded (epoch ms), if one did.
    std::optional<std::int64_t> last_success_ms() const override { return last_success_ms_; }
    // How the last sync ended ("succeeded", "failed", ...) and its error, if any.
    std::string last_outcome() const override {
        return last_outcome_ ? std::string(to_string(*last_outcome_)) : std::string();
    }
    const std::string& last_error() const override { return last_error_; }
    // Calls `then` on the loop once no sync runs (soon, when none runs now).
    void when_idle(std::function<void()> then) override;

    // For the sync commands (sync_command_*.cpp): a sync (not a refresh) is running; the caller
    // follows the running or requested sync to its end (progress lines, then the outcome).
    bool sync_running() const { return static_cast<bool>(running_); }
    void follow(std::shared_ptr<control::Reply> reply);
    DaemonContext& context() { return context_; }
    // Calls `listener` on the loop after every successful sync, once its snapshot is published
    // (the seat history records it).
    void on_success(std::function<void()> listener) override {
        success_listeners_.push_back(std::move(listener));
    }
    // Calls `listener` on the loop as each sync (not a refresh) starts (the query index of the
    // published snapshot is let go, so that the sync's memory does not stack on the index's).
    void on_start(std::function<void()> listener) override {
        start_listeners_.push_back(std::move(listener));
    }

  private:
    struct Waiter {
        std::shared_ptr<control::Reply> reply;
        std::chrono::steady_clock::time_point last_sent;
        std::optional<SyncPhase> last_phase;
    };
    void arm_timer();
    void on_progress(const SyncProgress& progress);
    void on_done(const SyncOutcome& outcome);
    // sync_interrupted for each sync a crash or stop cut short (found at start-up).
    void report_interrupted(const std::vector<InterruptedSync>& interrupted);
    void start_refresh();  // the next queued refresh, if nothing runs (sync_refresh.cpp)
    void on_refresh_done(const RefreshOutcome& outcome);
    void release_idle_waiters();

    DaemonContext& context_;
    keys::KeyGate& keys_;
    asio::system_timer timer_;
    std::shared_ptr<SyncRun> running_;
    std::vector<Waiter> waiters_;
    std::vector<std::function<void()>> idle_waiters_;
    std::vector<std::function<void()>> success_listeners_;
    std::vector<std::function<void()>> start_listeners_;
    std::shared_ptr<RefreshRun> refreshing_;
    std::deque<std::pair<RefreshRequest, RefreshRun::Done>> refresh_queue_;
    std::optional<std::string> deferred_sync_;  // the trigger of a sync asked for during a refresh
    bool started_ = false;
    bool stopping_ = false;
    // What the status shows; loaded from the database at start-up, then kept current.
    std::optional<std::int64_t> last_success_ms_;
    std::optional<std::int64_t> snapshot_id_;
    std::optional<SyncResult> last_outcome_;  // none before the first sync
    std::string last_error_;
    std::optional<std::int64_t> next_run_ms_;
};

}  // namespace rosterd::sync
