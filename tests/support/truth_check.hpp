#pragma once
// Compares rosterd's published snapshot with rosterd-sim's ground truth (Catch2 assertions).
#include <rapidjson/document.h>

#include "snapshot_reader.hpp"

namespace rosterd::test {

// Every user's status, every access row (role, via, last activity), the billable count per
// product and the number of groups, exactly.
void check_snapshot_matches_truth(const SnapshotView& view, const rapidjson::Document& truth);

// PRAGMA integrity_check on the database file answers "ok".
bool database_is_sound(const std::string& db_path);

}  // namespace rosterd::test
