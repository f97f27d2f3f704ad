#pragma once
// What other subsystems may ask of the sync: its state, a new sync, a refresh of the users a bulk
// run touched. Bulk runs, tasks, the seat history and the seat alerts depend on this interface,
// never on the sync module itself (daemon/sync/ implements it).
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

namespace rosterd {

namespace sync {

// A refresh: after a bulk run, the users it changed are read again and published as a new
// snapshot generation, instead of a full sync (daemon/sync/refresh_run.hpp).
struct RefreshUser {
    std::string account_id;
    std::string email;           // last known: the batch read looks users up by email first
    bool removed = false;        // removed from the organization by the run: dropped, not read
    bool roles_changed = false;  // groups or roles changed: their roles are read again
};

struct RefreshRequest {
    std::string trigger = "run";
    std::vector<RefreshUser> users;
    bool keep_activity = false;  // sync.activity_source: last-active-dates
};

struct RefreshOutcome {
    std::int64_t run_id = 0;  // its sync_runs row (0: none was recorded)
    bool published = false;
    std::string error;  // why not; never contains secrets
    bool key_rejected = false;
    std::int64_t requests = 0;
    std::int64_t users = 0;  // users read
};

}  // namespace sync

class SyncControl {
  public:
    using RefreshDone = std::function<void(const sync::RefreshOutcome&)>;

    virtual ~SyncControl() = default;
    // Starts a sync unless one runs; returns a refusal message when it cannot start.
    virtual std::optional<std::string> request_sync(const std::string& trigger) = 0;
    // Whether a complete sync exists (known once the sync subsystem has started).
    virtual bool has_snapshot() const = 0;
    // Whether a sync or a refresh runs now, or a refresh waits (bulk runs and tasks wait for it).
    virtual bool running() const = 0;
    // Re-reads the users a bulk run changed and publishes a new generation with them, after the
    // sync in progress if one is; a sync asked for meanwhile starts when it ends. `done` is called
    // on the loop (also when it cannot run).
    virtual void request_refresh(sync::RefreshRequest request, RefreshDone done) = 0;
    // When the last sync succeeded (epoch ms), if one did.
    virtual std::optional<std::int64_t> last_success_ms() const = 0;
    // How the last sync ended ("succeeded", "failed", ...; empty before the first) and its
    // error, if any.
    virtual std::string last_outcome() const = 0;
    virtual const std::string& last_error() const = 0;
    // Calls `then` on the loop once no sync runs (soon, when none runs now).
    virtual void when_idle(std::function<void()> then) = 0;
    // Calls `listener` on the loop after every successful sync, once its snapshot is published
    // (the seat history records it).
    virtual void on_success(std::function<void()> listener) = 0;
    // Calls `listener` on the loop as each sync (not a refresh) starts: the query index of the
    // published snapshot is let go then, so that the sync's memory does not stack on the index's.
    virtual void on_start(std::function<void()> listener) = 0;
};

}  // namespace rosterd
