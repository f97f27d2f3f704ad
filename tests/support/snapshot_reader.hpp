#pragma once
// Reads rosterd's published snapshot straight from SQLite, for assertions against ground truth.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <tuple>

namespace rosterd::test {

struct AccessRow {
    std::string role;
    bool billable = false;
    std::string via;
    std::optional<std::int64_t> last_active;
};

struct SnapshotView {
    std::optional<std::int64_t> snapshot_id;
    std::map<std::string, std::string> user_status;                   // account -> status
    std::map<std::pair<std::string, std::string>, AccessRow> access;  // (account, resource)
    std::map<std::string, std::int64_t> billable_per_resource;        // resource -> count
    std::int64_t groups = 0;
};

SnapshotView read_snapshot(const std::string& db_path);

// Generations the database still records: snapshots rows and snapshot ids in the shared snapshot
// tables. 1 once a sync's predecessor is pruned. (A retired generation's user rows stay in their
// slot until the next sync empties it; they are counted by generations_in_slot.)
std::int64_t recorded_generations(const std::string& db_path);

// Distinct generations whose user rows are in `slot` (0 or 1).
std::int64_t generations_in_slot(const std::string& db_path, int slot);

}  // namespace rosterd::test
