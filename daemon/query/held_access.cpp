// The access rosterd runs took away, from the run journal (see query_held.hpp).
#include "rosterd/query/held.hpp"

namespace rosterd::query {

HeldAccess read_held_access(store::Database& db, std::int64_t snapshot_id) {
    HeldAccess held;
    // Steps the run did itself: ok and not found already so (a revoke-role without a direct
    // grant is "already": nothing was taken). A removed group took what it grants in the
    // snapshot the caller looks at.
    auto s = db.prepare(
        "SELECT s.account_id, s.resource_id FROM run_steps s JOIN runs r ON r.id = s.run_id "
        "WHERE r.mode = 'apply' AND s.state = 'ok' AND s.already = 0 AND s.op = 'revoke-role' "
        "UNION "
        "SELECT s.account_id, g.resource_id FROM run_steps s JOIN runs r ON r.id = s.run_id "
        "JOIN group_roles g ON g.snapshot_id = ? AND g.group_id = s.group_id "
        "WHERE r.mode = 'apply' AND s.state = 'ok' AND s.already = 0 "
        "AND s.op = 'remove-from-group'");
    s.bind(1, snapshot_id);
    while (s.step())
        held.resources_of[s.text(0)].push_back(s.text(1));
    return held;
}

std::shared_ptr<const SnapshotIndex> scoped_view(store::Database& db,
                                                 std::shared_ptr<const SnapshotIndex> base,
                                                 const Scope& scope) {
    if (scope.sees_everything())
        return base;
    auto held = read_held_access(db, base->info.id);
    return restrict_to_scope(std::move(base), scope, held);
}

}  // namespace rosterd::query
