#pragma once
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "rosterd/sync/sync.hpp"
#include "snapshot_writer.hpp"

namespace rosterd::sync {

// Which products each group grants a role on (sync_group_grants.cpp). Whether a user's access
// comes through a group is decided when the user's rows are written, so user writes wait until
// every group's grants are in (the group list and its role requests finish long before the user
// partitions; pages gather meanwhile, and a partition whose batch is full waits too).
struct SyncRun::GroupGrantsGate {
    GroupGrants grants;
    // Per role, the products a group grants it on: where a first sync, with no snapshot to go
    // by, expects the role to be held (SyncRun::plan_other_roles).
    std::map<std::string, std::set<std::string>> roles;
    bool complete = false;
    std::vector<std::function<void()>> waiting;

    // `then` at once when the grants are in, else when they are.
    void when_open(std::function<void()> then) {
        if (complete)
            then();
        else
            waiting.push_back(std::move(then));
    }

    void open() {
        complete = true;
        auto ready = std::move(waiting);
        waiting.clear();
        for (auto& then : ready)
            then();
    }
};

}  // namespace rosterd::sync
