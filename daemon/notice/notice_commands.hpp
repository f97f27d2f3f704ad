#pragma once
// The notices commands, one named function per command in its own file (notice_command_*.cpp),
// each returning its spec with its handler; NoticeService::register_commands adds them one line
// each.
#include <memory>

#include "rosterd/control/registry.hpp"
#include "rosterd/model/access_scope.hpp"
#include "rosterd/query/snapshot.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::notice {

class NoticeService;

control::CommandSpec notices_command(NoticeService& notices);         // notice_command_list.cpp
control::CommandSpec notices_exempt_command(NoticeService& notices);  // notice_command_exempt.cpp

// A delegated caller (issue 19) sees the notices of the users in their scope only: the snapshot
// restricted to it (with the users rosterd runs took in-scope access from, so that users acted on
// stay visible). A scope that sees everything gets `index` itself; nullptr before the first sync.
std::shared_ptr<const query::SnapshotIndex> view_for(
    store::Database& db, std::shared_ptr<const query::SnapshotIndex> index, const Scope& scope);

}  // namespace rosterd::notice
