#pragma once
// Compares rosterd's published snapshot with rosterd-sim's ground truth (Catch2 assertions).
#include <rapidjson/document.h>

#include <set>
#include <string>

#include "snapshot_reader.hpp"

namespace rosterd::test {

// Every user's status, every access row (role, via, last activity), the billable count per
// product and the number of groups, exactly.
void check_snapshot_matches_truth(const SnapshotView& view, const rapidjson::Document& truth);

// Every user once, every access row (role, via, last activity) and the number of groups exactly,
// and the status of every user but those in `changed` (whose status or email changed while the
// sync ran: a sync stores each user as a page returned them, and one changed after the listing
// passed them is corrected by the next sync). Billable counts, which follow the statuses, are
// not checked.
void check_snapshot_holds_truth_users(const SnapshotView& view, const rapidjson::Document& truth,
                                      const std::set<std::string>& changed);

// PRAGMA integrity_check on the database file answers "ok".
bool database_is_sound(const std::string& db_path);

}  // namespace rosterd::test
