#pragma once
// Database side of a sync. Every function runs on the database writer thread. A sync writes a new
// snapshot generation beside the published one; publish() switches readers over in one short
// transaction; discard() drops a generation that never completed.
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "account_numbers.hpp"
#include "rosterd/atlassian/types.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::sync {

struct SnapshotIds {
    std::int64_t run_id = 0;
    std::int64_t snapshot_id = 0;
};

struct RunCounters {
    std::int64_t requests = 0;
    std::int64_t retries = 0;
    std::int64_t users = 0;
    std::int64_t groups = 0;
};

// The snapshot readers see, or nullopt before the first successful sync.
std::optional<std::int64_t> current_snapshot(store::Database& db);

// Marks runs and generations left behind by a crash (outcome 'interrupted') and deletes what
// generations that never completed left in the shared snapshot tables (their user rows go when
// the next sync empties their slot). Returns the runs that were interrupted.
struct InterruptedSync {
    std::int64_t run_id = 0;
    std::string trigger;
    std::int64_t started_at = 0;
    std::int64_t requests = 0, retries = 0;
};
inline constexpr std::string_view kInterruptedError = "rosterd stopped before the sync finished";
std::vector<InterruptedSync> recover_interrupted(store::Database& db, std::int64_t now_ms);
// The request counts of a running sync, written with each batch so that a sync killed midway
// still says how much it asked of the API.
void record_sync_progress(store::Database& db, std::int64_t run_id, std::int64_t requests,
                          std::int64_t retries);

// Records a running sync and its new generation, in the user-table slot the published generation
// does not use (emptied here).
SnapshotIds begin_snapshot(store::Database& db, const std::string& trigger, std::int64_t now_ms);

void write_org(store::Database& db, std::int64_t snapshot, const atlassian::Org& org);
void write_workspaces(store::Database& db, std::int64_t snapshot,
                      const std::vector<atlassian::Workspace>& workspaces);
void write_directories(store::Database& db, std::int64_t snapshot,
                       const std::vector<atlassian::Directory>& directories);
void write_groups(store::Database& db, std::int64_t snapshot,
                  const std::vector<atlassian::Group>& groups);
void write_group_roles(store::Database& db, std::int64_t snapshot, const std::string& group_id,
                       const std::vector<atlassian::GroupRoleAssignment>& roles);
// The products (resource ids) on which each group grants a role: a user's access to a product
// comes through a group when one of the user's groups is listed for it, else it is direct.
using GroupGrants = std::unordered_map<std::string, std::vector<std::string>>;

// Users with their groups and product access, numbered after the generation's last user in the
// order given. Access is written as the provisional role atlassian/user (billable for active human
// users) with how it is granted decided from `grants`, which must be complete. Returns how many
// users were new to this snapshot: an account written before (listed twice: by both ends of a
// partition where they meet, or by two partitions when it changed status meanwhile) is replaced by
// the later copy, and of two copies in `users` the later one wins.
// `numbers` holds the generation's accounts and their numbers across the calls of one sync
// (account_numbers.hpp).
std::int64_t write_users(store::Database& db, std::int64_t snapshot,
                         const std::vector<atlassian::DirectoryUser>& users,
                         const GroupGrants& grants, AccountNumbers& numbers);
// Builds the generation's account index, which begin_snapshot() leaves out so that a sync's
// users are written without it. Everything that finds a user of the generation by account id
// runs after it (admin checks, activity, roles in finalize_and_publish, a refresh's roles); it
// fails if an account was written twice.
void index_accounts(store::Database& db, std::int64_t snapshot);
// The email domains of the published snapshot's managed users (the organization's
// verified domains), or nothing when there is no snapshot or more than `most` of them.
std::vector<std::string> managed_email_domains(store::Database& db, std::size_t most);
// Per role other than user and admin, the products someone held it on in the published snapshot;
// nothing when there is no snapshot.
std::optional<std::map<std::string, std::set<std::string>>> roles_held_last_time(
    store::Database& db);
// The users/count of each user partition as this generation's listing ended (filter, users), and
// those of the published snapshot (none when there is no snapshot): the next listing's plan.
void write_partition_counts(store::Database& db, std::int64_t snapshot,
                            const std::vector<std::pair<std::string, std::int64_t>>& counts);
std::vector<std::pair<std::string, std::int64_t>> partition_counts_last_time(store::Database& db);
// Deletes the generation's users (with their groups and access) whose account id `gone` accepts:
// users the sync saw and then no longer found in any partition.
void delete_users_if(store::Database& db, std::int64_t snapshot,
                     const std::function<bool(std::string_view account_id)>& gone);
// Users found holding `role` on `resource_id` (admins win over non-billable roles).
void write_role_overrides(store::Database& db, std::int64_t snapshot,
                          const std::string& resource_id, const std::string& role_kind,
                          const std::vector<std::pair<std::string, std::string>>& account_roles);
// The per-user activity fallback: replaces the last-active times of one user's access rows.
void write_user_activity(store::Database& db, std::int64_t snapshot, const std::string& account_id,
                         const atlassian::UserActivity& activity);
// Account ids of the snapshot, for the per-user activity fallback.
std::vector<std::string> snapshot_account_ids(store::Database& db, std::int64_t snapshot);

// Applies the roles learnt in bulk (admins and non-billable roles) to the access rows; then
// publishes the generation and records the run as succeeded, in one short transaction. Returns
// the retired generation.
std::optional<std::int64_t> finalize_and_publish(store::Database& db, const SnapshotIds& ids,
                                                 const RunCounters& counters, std::int64_t now_ms);

// Records a failed or cancelled run and deletes its generation's rows.
void discard(store::Database& db, const SnapshotIds& ids, const std::string& outcome,
             const std::string& error, const RunCounters& counters, std::int64_t now_ms);

// Deletes a retired generation's rows from the shared snapshot tables (after publish, off the
// critical path); its user rows stay in their slot until the next sync empties it.
void delete_generation(store::Database& db, std::int64_t snapshot);

}  // namespace rosterd::sync
