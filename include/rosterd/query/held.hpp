#pragma once
// Users who held access (issue 19): a scoped caller's `users` shows the users who hold OR HELD
// access to an in-scope product on an in-scope site, so that an operator who removed that access
// still finds those users (and can undo). "Held" comes from the run journal: the resources a
// rosterd run took away (revoke-role steps, and what the groups a remove-from-group step left
// grant), each step done by the run (ok, not already so). Earlier snapshots are not kept, so
// access lost outside rosterd (in admin.atlassian.com) is not remembered.
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>

#include "rosterd/model/access_scope.hpp"
#include "rosterd/query/snapshot.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::query {

struct HeldAccess {
    // account id -> resource ids rosterd runs removed from that user
    std::unordered_map<std::string, std::vector<std::string>> resources_of;
};

// The journal's held access; the groups' grants are read from snapshot `snapshot_id`. Call
// inside the read transaction of the snapshot.
HeldAccess read_held_access(store::Database& db, std::int64_t snapshot_id);

// restrict_to_scope, also keeping the users with no in-scope access now who held some
// (`held`): they appear with their in-scope access only, which is none.
std::shared_ptr<const SnapshotIndex> restrict_to_scope(std::shared_ptr<const SnapshotIndex> base,
                                                       const Scope& scope, const HeldAccess& held);

// What a scoped caller sees of `base`: restrict_to_scope with the journal's held access (read
// only when the scope limits what is seen).
std::shared_ptr<const SnapshotIndex> scoped_view(store::Database& db,
                                                 std::shared_ptr<const SnapshotIndex> base,
                                                 const Scope& scope);

}  // namespace rosterd::query
