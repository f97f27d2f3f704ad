#pragma once
// Applies one run's journal, one user and one operation at a time: re-read the user, skip them if
// they changed, then for each step journal 'sent', send it, record the outcome. A run loaded from
// the journal after a crash continues where it stopped: steps already ok are not sent again, and a
// step left 'sent' is first checked against the fresh read (sent only if its effect is missing).
//
// The re-reads go out in batches just ahead of the users they guard (user_batch_read.hpp: 100
// users a request by email): 2 users, then 4, 8, ... up to 100, so the users of a short run are
// still re-read right before they are acted on, and a long run costs about one request per
// operation. A read older than kMaxReadAge when its user's turn comes is read again.
#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "rosterd/atlassian/client.hpp"
#include "rosterd/base/clock.hpp"
#include "rosterd/ops/plan.hpp"
#include "rosterd/ops/run_store.hpp"
#include "rosterd/store/db_executor.hpp"
#include "run_client.hpp"

namespace rosterd::ops {

struct ExecutorSetup {
    // The snapshot the run was planned from (roles, groups, products the re-read lacks).
    std::shared_ptr<const query::SnapshotIndex> base;
    // Users must still match every one of these (empty: an explicit user list or an undo).
    std::vector<UserFilter> filters;
    bool recheck_protection = true;
    Config::Protect protect;
    std::int64_t filter_now_ms = 0;
};

class RunExecutor : public std::enable_shared_from_this<RunExecutor> {
  public:
    // (the user just finished, users finished so far, users in the run)
    using Progress = std::function<void(const UserRecord&, std::size_t, std::size_t)>;
    using Done = std::function<void(const RunRecord&, bool key_rejected)>;

    RunExecutor(asio::io_context& loop, store::DbExecutor& db, const Clock& clock, RunRecord run,
                ExecutorSetup setup, std::unique_ptr<RunClient> client);
    ~RunExecutor();

    void start(Progress progress, Done done);
    // Stops after the operation in flight; the rest is recorded as skipped (cancelled).
    void cancel(std::string by) {
        cancel_requested_ = true;
        cancelled_by_ = std::move(by);
    }
    const std::string& cancelled_by() const { return cancelled_by_; }
    // Shutdown: stop at once and record nothing more; the journal resumes the run next start.
    void abandon();
    const RunRecord& run() const { return run_; }
    std::size_t finished_users() const { return finished_; }

    // The longest a user's re-read may wait for their turn (a rate-limit wait, a slow API).
    static constexpr std::chrono::seconds kMaxReadAge{10};
    // A run resumed with an operation that was in flight when rosterd stopped waits this long
    // before re-reading: the API may still have been carrying that request out (a re-read that
    // overtakes it would send it again).
    static constexpr std::chrono::seconds kInFlightSettle{3};

  private:
    // A user's re-read: found (or not in the organization), or the read failed.
    struct Read {
        std::optional<atlassian::DirectoryUser> user;
        std::optional<atlassian::ApiError> error;
        std::chrono::steady_clock::time_point at;
    };
    void next_user();
    void read_ahead(std::size_t from);
    void on_read(std::size_t user, Read read);
    void on_fresh(std::size_t user, std::optional<atlassian::DirectoryUser> fresh);
    void read_roles_then_steps(std::size_t user);
    void next_step(std::size_t user, std::size_t step);
    void send(std::size_t user, std::size_t step);
    void on_sent(std::size_t user, std::size_t step, atlassian::Result<atlassian::MutationOutcome>);
    void finish_user(std::size_t user);
    void skip_user(std::size_t user, const std::string& reason);
    void fail_run(const std::string& error, bool key_rejected);
    void finish();
    std::optional<std::string> changed_reason(const atlassian::DirectoryUser& fresh) const;
    void persist(std::function<void(store::Database&)> work, std::function<void()> then);
    std::int64_t now_ms() const { return clock_.now().time_since_epoch().count(); }

    asio::io_context& loop_;
    store::DbExecutor& db_;
    const Clock& clock_;
    RunRecord run_;
    ExecutorSetup setup_;
    std::unique_ptr<RunClient> client_;
    Progress progress_;
    Done done_;
    std::size_t cursor_ = 0;
    std::size_t finished_ = 0;
    bool cancel_requested_ = false;
    std::string cancelled_by_;
    bool abandoned_ = false;
    bool key_rejected_ = false;
    std::optional<atlassian::DirectoryUser> fresh_;
    std::vector<atlassian::UserRoleAssignment> roles_;
    std::unordered_map<std::string, Read> reads_;  // re-reads of the users ahead, by account id
    std::size_t batch_size_ = 2;                   // users in the next re-read (doubles to 100)
    std::set<std::string> read_alone_;  // users whose batch re-read failed: read one by one
    asio::steady_timer settle_;
};

}  // namespace rosterd::ops
