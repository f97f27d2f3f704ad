#pragma once
// The JSON shapes of the query commands (docs/queries.md), apart from the queries themselves.
#include <rapidjson/document.h>

#include "rosterd/query/query.hpp"
#include "rosterd/query/snapshot.hpp"

namespace rosterd::query {

using JsonAllocator = rapidjson::Document::AllocatorType;

// Adds what every answer carries: "snapshot" (id), "as_of" (when that sync completed), "age_s"
// (how old the data is), "now" and "now_ms" (the instant inactivity was measured from).
void add_snapshot_fields(rapidjson::Value& out, const SnapshotInfo& snapshot, std::int64_t now_ms,
                         JsonAllocator& alloc);

// {"as_of":..,"inactive_days":N,"products":[{"product":..,"name":..,"total":..,"active":..,
//  "inactive":..,"sites":[{"site":..,"total":..,"active":..,"inactive":..,"capacity":..}]}]}
// plus percentages and, with pricing, the monthly cost of inactive seats.
rapidjson::Value dashboard_json(const Dashboard& dashboard, JsonAllocator& alloc);

// One row of the users browser, straight from the index (a 100,000-row export builds no
// intermediate copies): account_id, name, email, status, account_type, sites[],
// products[{product, site, role, billable, last_active}], groups[] (names), last_active (in the
// scope when one is given, else the latest), added_to_org.
rapidjson::Value user_row_json(const SnapshotIndex& index, std::uint32_t user,
                               const ActivityScope& scope, JsonAllocator& alloc);

// The same row as one CSV record (user_csv_columns(), CRLF-ended), appended to `out`: what
// user_csv_cells makes of user_row_json, without the JSON (daemon/query/user_csv_row.cpp).
void append_user_csv(const SnapshotIndex& index, std::uint32_t user, const ActivityScope& scope,
                     std::string& out);

// Everything known about one user, per product and site.
rapidjson::Value user_detail_json(const UserRow& row, JsonAllocator& alloc);

// An instant as the query answers write it ("2026-05-01T09:15:02.123Z"), or null.
rapidjson::Value instant_json(const std::optional<std::int64_t>& ms, JsonAllocator& alloc);

// The same text as format_iso8601_ms, without iostreams (an export formats ~400,000 of them).
std::string format_instant_ms(std::int64_t epoch_ms);

}  // namespace rosterd::query
