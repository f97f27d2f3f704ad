#pragma once
// A synthetic organization written through the sync's own snapshot writer (so every derived
// column, billable, role and via, is filled exactly as a real sync fills it), for the query
// benchmark. Deterministic: the same size and seed give the same snapshot.
#include <cstdint>
#include <string>

#include "rosterd/store/store.hpp"

namespace rosterd::bench {

struct SyntheticOptions {
    std::size_t users = 100'000;
    std::size_t sites = 3;
    std::size_t groups = 2'000;
    std::uint64_t seed = 1;
    std::int64_t now_ms = 0;
};

struct SyntheticSummary {
    std::int64_t snapshot_id = 0;
    std::int64_t users = 0;
    std::int64_t access_rows = 0;
    std::int64_t memberships = 0;
    double write_seconds = 0;
};

// Writes one published snapshot into a migrated database.
SyntheticSummary write_synthetic_snapshot(store::Database& db, const SyntheticOptions& options);

}  // namespace rosterd::bench
