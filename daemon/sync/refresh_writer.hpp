#pragma once
// Database side of a refresh (refresh_run.hpp). Every function runs on the database writer thread.
// A refresh builds a new generation beside the published one, as a sync does, in the free slot:
// the published generation's rows minus the refreshed users, then those users as read now; it is
// published in one short transaction, so readers see the old generation or the new one, never a
// mix. Recorded in sync_runs with its own outcomes (kRefreshed, kRefreshFailed): the queries that
// look for the last full sync ('succeeded') do not count it, so it neither resets the data age nor
// stands in for a scheduled sync.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <utility>
#include <vector>

#include "rosterd/atlassian/types.hpp"
#include "rosterd/sync/sync_vocabulary.hpp"
#include "snapshot_writer.hpp"

namespace rosterd::sync {

inline constexpr std::string_view kRefreshed = to_string(SyncResult::refreshed);
inline constexpr std::string_view kRefreshFailed = to_string(SyncResult::refresh_failed);

struct RefreshIds {
    SnapshotIds ids;        // the refresh's sync_runs row and its generation
    std::int64_t base = 0;  // the published generation it copies
};

// (resource id, role) pairs: a user's role on each product they can reach.
using UserRoles = std::vector<std::pair<std::string, std::string>>;

// Records the refresh (sync_runs: `trigger`, outcome running), starts its generation in the free
// slot and copies the published generation into it without the users of `accounts`. Throws
// store::StoreError when nothing is published yet.
RefreshIds begin_refresh(store::Database& db, const std::string& trigger,
                         const std::vector<std::string>& accounts, std::int64_t now_ms);

// Writes `users` (read now; the refreshed accounts absent from it are gone from the
// organization) into the generation and publishes it. Their roles: `roles` for the users in it
// (read from the API), else the roles the base generation had for them; their activity: as read,
// or the base generation's when `keep_activity` (sync.activity_source: last-active-dates, which a
// refresh does not call). Returns the retired generation.
std::optional<std::int64_t> finish_refresh(store::Database& db, const RefreshIds& refresh,
                                           const std::vector<atlassian::DirectoryUser>& users,
                                           const std::unordered_map<std::string, UserRoles>& roles,
                                           bool keep_activity, RunCounters counters,
                                           std::int64_t now_ms);

}  // namespace rosterd::sync
