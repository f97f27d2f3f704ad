#pragma once
// One sync of the organization into a new snapshot generation (SyncRun), and the service that
// schedules syncs, lets one run at a time and answers the sync commands (SyncService).
#include <asio/io_context.hpp>

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_set>
#include <vector>

#include "rosterd/atlassian/client.hpp"
#include "rosterd/base/clock.hpp"
#include "rosterd/store/db_executor.hpp"
#include "rosterd/sync/sync_vocabulary.hpp"

namespace rosterd::atlassian {
struct UserToRead;  // user_batch_read.hpp
}  // namespace rosterd::atlassian

namespace rosterd::sync {

struct SyncProgress {
    SyncPhase phase = SyncPhase::starting;
    std::int64_t users_fetched = 0;
    std::optional<std::int64_t> users_total;  // from users/count
    std::int64_t groups = 0;
    std::int64_t requests = 0;
    std::int64_t retries = 0;
};

struct SyncOutcome {
    std::int64_t run_id = 0;
    SyncResult outcome = SyncResult::failed;  // succeeded | failed | cancelled
    std::string error;                        // empty on success; never contains secrets
    bool key_rejected = false;
    std::string org_name;  // the organization the key reached (set on success)
    SyncProgress progress;
    std::int64_t started_at_ms = 0;
    std::int64_t finished_at_ms = 0;
};

struct SyncRunOptions {
    std::string trigger = "manual";  // manual | schedule | initial | missed
    bool per_user_activity = false;  // sync.activity_source: last-active-dates
    int partition_concurrency = 4;   // sync.partitions: user cursor chains paged at the same time
    int role_query_concurrency = 2;  // role queries at once (what http.max_in_flight leaves)
};

// The disjoint filters that split users/search into parallel cursor chains; together they cover
// every status (see user_lister.hpp for users who change partition during a sync).
std::vector<atlassian::UserSearch> user_partitions();
// The role queries per product: admins, then each non-billable role.
std::vector<std::string> role_queries();

class UserLister;
struct AdminCheck;        // admin_holders.hpp
struct AdminChecks;       // admin_holders.hpp
struct PackedAdminCheck;  // admin_holders.hpp
struct PackedAnswer;      // admin_holders.hpp
class GroupGrantCode;     // group_grant_code.hpp

class SyncRun : public std::enable_shared_from_this<SyncRun> {
  public:
    using Done = std::function<void(const SyncOutcome&)>;
    using ProgressListener = std::function<void(const SyncProgress&)>;

    SyncRun(asio::io_context& loop, store::DbExecutor& db, const Clock& clock,
            atlassian::ClientConfig client_config, SyncRunOptions options);
    ~SyncRun();

    void start(Done done);
    void cancel();
    const SyncProgress& progress() const { return progress_; }
    void set_progress_listener(ProgressListener listener) { listener_ = std::move(listener); }
    std::int64_t run_id() const { return ids_run_; }

  private:
    class Tracker;
    struct GroupGrantsGate;
    struct RoleQueue;
    // A role query: started when one of the role queries' in-flight slots is free; calls
    // `finished` once done.
    using RoleTask = std::function<void(std::function<void()> finished)>;
    void phase_organization();
    void phase_bulk();
    void fetch_groups(const std::shared_ptr<GroupGrantsGate>& gate);
    struct GroupRoleReads;
    void read_grants_by_code(const std::shared_ptr<GroupRoleReads>& reads,
                             std::shared_ptr<GroupGrantCode> code,
                             std::vector<atlassian::Group> single_product);
    void read_group_roles(const std::shared_ptr<GroupRoleReads>& reads,
                          const atlassian::Group& group);
    void fetch_users(const std::shared_ptr<GroupGrantsGate>& gate);
    void fetch_roles(const std::shared_ptr<GroupGrantsGate>& gate);
    void queue_role_task(RoleTask task);
    void run_role_tasks();
    void plan_other_roles(const std::optional<std::map<std::string, std::set<std::string>>>& held);
    void count_then_query(std::vector<std::string> roles, std::vector<std::string> products);
    void split_held(std::vector<std::string> roles, std::vector<std::string> products,
                    std::optional<std::int64_t> holders);
    void count_roles(std::vector<std::string> roles, std::vector<std::string> products,
                     std::function<void(std::int64_t holders)> then);
    void query_role_on(const std::string& resource_id, const std::string& role);
    void list_admin_holders(std::function<void()> finished);
    void phase_admin_checks();
    void learn_role(const std::string& resource_id, const std::string& role,
                    atlassian::UserSearch search,
                    std::shared_ptr<const std::unordered_set<std::string>> only,
                    std::function<void(std::size_t found)> finished);
    struct ReservedAdmins;
    void ask_admins(const std::string& resource_id, std::vector<AdminCheck> checks,
                    std::function<void(std::size_t found)> each_done);
    void ask_about_holders(AdminChecks& checks);
    void ask_packed(
        PackedAdminCheck check,
        std::function<void(const std::map<std::string, std::size_t>& found, PackedAnswer answer)>
            done);
    void ask_alone(const std::string& resource,
                   const std::vector<atlassian::UserToRead>& candidates,
                   const std::map<std::string, std::shared_ptr<ReservedAdmins>>& settling);
    void count_product_admins(const std::shared_ptr<ReservedAdmins>& reserved);
    void settle_by_count(const std::shared_ptr<ReservedAdmins>& reserved);
    void after_bulk();
    void phase_activity();
    void finalize();
    void fail(const atlassian::ApiError& error);
    void fail(const std::string& message, bool cancelled = false);
    void finish_failed();
    void report();
    // `work` on the database writer thread; `then` back on the loop once it is done, whether it
    // succeeded or not (a failed write stops the run first: check stopped()).
    void write(std::function<void(store::Database&)> work, std::function<void()> then);
    bool stopped() const { return failed_ || cancelled_; }

    asio::io_context& loop_;
    store::DbExecutor& db_;
    const Clock& clock_;
    SyncRunOptions options_;
    std::unique_ptr<atlassian::Client> client_;
    Done done_;
    ProgressListener listener_;
    SyncProgress progress_;
    std::int64_t ids_run_ = 0;
    std::int64_t snapshot_ = 0;
    std::int64_t started_at_ms_ = 0;
    std::vector<atlassian::Workspace> workspaces_;
    std::shared_ptr<UserLister> lister_;  // the user partitions: counted first, then listed
    std::shared_ptr<RoleQueue> role_queue_;
    // Accounts holding atlassian/admin anywhere, when admins are learnt that way
    // (admin_holders.hpp).
    std::shared_ptr<std::vector<std::string>> admin_holders_;
    std::string org_name_;
    std::int64_t pending_ = 0;  // API calls and DB writes of the current phase still outstanding
    std::function<void()> on_phase_drained_;
    bool failed_ = false;
    bool cancelled_ = false;
    bool key_rejected_ = false;
    bool finished_ = false;
    std::string error_;
};

}  // namespace rosterd::sync
