#pragma once
// The query commands, one named function per command in its own file (query_command_*.cpp), each
// returning its spec with its handler; QueryService::register_commands adds them one line each.
// Every question runs on a database reader thread against the snapshot's in-memory index.
#include <memory>

#include "rosterd/control/registry.hpp"
#include "rosterd/query/snapshot.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::query {

class QueryService;

control::CommandSpec dashboard_command(QueryService& query);  // query_command_dashboard.cpp
control::CommandSpec users_command(QueryService& query);      // query_command_users.cpp
control::CommandSpec user_command(QueryService& query);       // query_command_user.cpp
control::CommandSpec filters_command(QueryService& query);    // query_command_filters.cpp

// A read transaction over the published snapshot and its index.
struct SnapshotRead {
    store::Transaction transaction;
    std::shared_ptr<const SnapshotIndex> index;
    SnapshotRead(store::Database& db, SnapshotCache& cache)
        : transaction(db, store::Transaction::Kind::deferred), index(cache.current(db)) {}
};

}  // namespace rosterd::query
