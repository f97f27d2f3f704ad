#pragma once
// alerts.seats (issue 17): seats_near_capacity when a product's billable seats on a site reach
// at_percent of its capacity; once per crossing. Pure functions, unit-tested; the service in
// daemon/seats/ runs them after each sync and keeps the state in seat_alerts (schema v8).
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "rosterd/query/snapshot.hpp"

namespace rosterd::seats {

// One product on one site with a capacity, as a snapshot has it.
struct SeatLevel {
    std::string resource_id, product, site;
    std::int64_t seats = 0;     // billable
    std::int64_t capacity = 0;  // > 0
    bool operator==(const SeatLevel&) const = default;
};

// Every listed product of the snapshot that reports a capacity above 0, by key and site.
std::vector<SeatLevel> seat_levels(const query::SnapshotIndex& index);

// Whether seats reach at_percent of capacity (exact: seats * 100 >= capacity * at_percent).
bool near_capacity(const SeatLevel& level, int at_percent);
// The share in whole percent, rounded down.
std::int64_t percent_of_capacity(const SeatLevel& level);

// What is remembered per resource between syncs.
struct AlertState {
    bool above = false;
    std::int64_t crossings = 0;  // times it went from below to at-or-above
    bool operator==(const AlertState&) const = default;
};

struct AlertStep {
    std::map<std::string, AlertState> states;  // resource id -> state, after this snapshot
    // The levels at or above the threshold now, each with the number of its crossing: the event
    // of crossing n is sent once (its once_key names it), so announcing every one of them at
    // every sync sends each crossing's event exactly once, a crash in between included.
    std::vector<std::pair<SeatLevel, std::int64_t>> above;
};

// The next states: below -> at-or-above counts a crossing; at-or-above -> below re-arms.
// Resources the snapshot no longer reports keep their state.
AlertStep step_alerts(const std::map<std::string, AlertState>& before,
                      const std::vector<SeatLevel>& levels, int at_percent);

}  // namespace rosterd::seats
