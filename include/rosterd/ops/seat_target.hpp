#pragma once
// Seat targets (a task's keep_at_most, issue 17): which of the users a task's filter matches its
// plan takes so that a product's billable seats come down to N, and what the plan says about it.
// Pure functions of the snapshot index and the plan, unit-tested without a daemon.
//
// Order: longest inactive first, judged on the target's seats only (the user's latest activity
// on the billable access they hold to that product, on that site when the target names one);
// never active there before any activity; ties by account id. Only as many users as needed:
// the first users of that order the plan acts on, until the seats they free reach seats - N.
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rosterd/config/config.hpp"
#include "rosterd/ops/plan.hpp"
#include "rosterd/query/snapshot.hpp"

namespace rosterd::ops {

struct SeatTargetOutcome {
    std::string product, site;  // site "" = the product's seats on every site together
    std::int64_t target = 0;
    std::int64_t seats = 0;       // billable seats of the target in the snapshot
    std::int64_t over = 0;        // seats - target, at least 0
    std::int64_t candidates = 0;  // matching users the plan could act on who hold a target seat
    std::int64_t taken = 0;       // of those, the users the plan takes
    std::int64_t freed = 0;       // the seats they free
    std::int64_t short_by = 0;    // over - freed when the filter leaves too few, else 0
    std::int64_t not_needed = 0;  // candidates left alone: the target is reached without them
    std::map<std::string, std::int64_t> seats_of;  // taken account id -> seats it frees

    bool reached() const { return short_by == 0; }
    bool operator==(const SeatTargetOutcome&) const = default;
};

// The user's billable seats of the target.
std::int64_t target_seats(const query::SnapshotIndex& index, std::uint32_t user,
                          const SeatTarget& target);
// The user's latest activity on those seats; query::kNoInstant when never active there.
std::int64_t target_activity(const query::SnapshotIndex& index, std::uint32_t user,
                             const SeatTarget& target);
// Every billable seat of the target in the snapshot.
std::int64_t count_target_seats(const query::SnapshotIndex& index, const SeatTarget& target);

// The users among `users` who hold a seat of the target, longest inactive first (see above).
std::vector<std::uint32_t> order_for_target(const query::SnapshotIndex& index,
                                            const std::vector<std::uint32_t>& users,
                                            const SeatTarget& target);

// Cuts `plan` (built for order_for_target's users, in that order) down to the users needed:
// acting users are taken in order until the seats they free reach seats - target; the acting
// users after that are dropped; skipped users (protected, nothing to do) stay, not counted.
SeatTargetOutcome apply_seat_target(const query::SnapshotIndex& index, const SeatTarget& target,
                                    Plan& plan);

// The seats still over the target after a run: those the taken users with outcome ok freed
// (`ok_accounts`) come off.
std::int64_t seats_left_over(const SeatTargetOutcome& outcome,
                             const std::vector<std::string>& ok_accounts);

}  // namespace rosterd::ops
