#pragma once
// The role queries of a sync wait here for one of their in-flight slots (sync_run.cpp,
// fetch_roles): they share the API with the user chains, which bound the sync.
#include <deque>

#include "rosterd/sync/sync.hpp"

namespace rosterd::sync {

struct SyncRun::RoleQueue {
    std::deque<RoleTask> waiting;
    int active = 0;
    int limit = 1;
};

}  // namespace rosterd::sync
