#pragma once
// Money (issue 18): the seat history every successful sync records, potential and realised
// savings, and the figures the report and the weekly digest show. Value types and pure functions
// here; the subsystem that records, answers and schedules is daemon/money/money_service.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/base/units.hpp"
#include "rosterd/model/inactivity.hpp"
#include "rosterd/query/pricing.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/query/snapshot.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::money {

// Declared once, in base/units.hpp; named here too for the code written as money::kDayMs.
using rosterd::kDayMs;

// Points younger than this keep every sync; older ones are compacted to one per day.
inline constexpr std::int64_t kFullDetailMs = 30 * kDayMs;

// ---- History ----

// The dashboard's figures of one product on one site at one sync (all money monthly).
struct HistoryPoint {
    std::string product, site;  // site "" in sums over sites
    std::int64_t at_ms = 0;     // the snapshot's as_of
    std::int64_t snapshot_id = 0;
    int inactive_days = kDefaultInactiveDays;
    std::int64_t billable = 0, active = 0, inactive = 0;
    std::optional<std::int64_t> capacity;
    std::string currency;  // empty: no pricing then
    std::optional<double> monthly_cost, inactive_monthly_cost;
};

// The points of one sync, from its dashboard (every site, thresholds and prices as configured).
std::vector<HistoryPoint> history_points(const query::Dashboard& dashboard);

// Stores the points (a sync already recorded is left as it is), then compacts points older than
// 30 days to the last one of each day and deletes those older than keep_days. Returns how many
// points were new. Run inside no transaction (it opens its own).
int record_history(store::Database& db, const std::vector<HistoryPoint>& points, int keep_days);
// Whether the history has the points of this snapshot.
bool history_has(store::Database& db, std::int64_t snapshot_id);

struct HistoryQuery {
    std::optional<std::string> product, site;
    std::optional<std::int64_t> since_ms;
};
// Oldest first, then by product and site.
std::vector<HistoryPoint> read_history(store::Database& db, const HistoryQuery& query);

// Points summed per sync: over every product and site (by_product false), or per product over
// its sites (the key "" holds the grand total either way). Capacity sums only when every part
// has one.
std::map<std::string, std::vector<HistoryPoint>> sum_history(
    const std::vector<HistoryPoint>& points, bool by_product);

// ---- Savings ----

// One user's part of an applied run, from the journal.
struct JournalUser {
    std::string account_id;
    bool changed = false;                   // at least one operation changed the organization
    bool suspended_or_deactivated = false;  // a suspend or deactivate that changed something
    std::vector<std::string> revoked;       // resources of its revoke-role steps (any state)
    bool regranted = false;                 // an undo: assign-role, add-to-group or restore
};
struct JournalRun {
    std::string id, kind, task, undo_of, state;
    std::int64_t finished_at = 0;
    std::vector<JournalUser> users;
};
// Applied runs that finished, oldest first.
std::vector<JournalRun> read_journal(store::Database& db);

struct SeatCount {
    std::string product, site;
    std::int64_t seats = 0;
    std::optional<double> monthly;  // what those seats would cost again, this month
};
struct RunSavings {
    std::string run_id, kind, task, state;
    std::int64_t finished_at = 0;
    std::vector<SeatCount> seats;  // by product and site
    std::int64_t total_seats() const;
    std::optional<double> monthly() const;
};
struct Savings {
    std::string currency;
    std::optional<double> potential_monthly;  // the dashboard's inactive cost, now
    std::int64_t inactive_seats = 0;
    std::optional<double> realised_monthly;  // seats runs removed that are still removed
    std::int64_t realised_seats = 0;
    std::vector<SeatCount> by_product;         // realised, by product and site
    std::map<std::string, SeatCount> by_task;  // realised, by task ("" for bulk runs)
    std::vector<RunSavings> runs;              // newest first, runs with a seat still removed
};

// Realised savings: a seat (user, product on a site) counts for the run that last removed it
// (revoke-role/remove-from-group for remove-product-access, counted while the user is active
// and human, i.e. would be billed; every billable seat of a user a suspend or deactivate
// changed) when the published snapshot still shows it removed and no undo gave it back. Its price
// is what the subscription would cost with it again: cost(billable + removed) - cost(billable),
// shared evenly by the removed seats, so a band boundary shows as it is. Runs that finished before
// since_ms are left out.
Savings compute_savings(const query::SnapshotIndex& index, const query::Dashboard& dashboard,
                        const std::vector<JournalRun>& journal, const query::Pricing& pricing,
                        std::optional<std::int64_t> since_ms);

}  // namespace rosterd::money
