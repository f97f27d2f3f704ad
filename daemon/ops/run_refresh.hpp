#pragma once
// What the snapshot must learn after an applying run: the users it changed (or may have: a step
// that failed after it was sent), and those it found otherwise than the snapshot said (already
// so, or changed since the plan), read again by a refresh (daemon/sync/refresh_run.hpp) instead of
// a full sync.
#include "rosterd/ops/run_store.hpp"
#include "rosterd/service/sync_control.hpp"

namespace rosterd::ops {

// Empty `users` when the run changed nothing.
sync::RefreshRequest refresh_request(const RunRecord& run);

}  // namespace rosterd::ops
