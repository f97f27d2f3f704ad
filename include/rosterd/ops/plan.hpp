#pragma once
// Bulk runs, planned: which users a run acts on, which API operations (steps) it sends to each,
// which users it leaves alone and why. Pure functions of the snapshot index (query_snapshot.hpp),
// the protection settings and the actions, so that plans, protection reasons, inverses and the
// "already done?" check are unit-tested without a daemon. The executor (daemon/ops/) journals and
// sends the steps.
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>
#include <string>
#include <vector>

#include "rosterd/atlassian/types.hpp"
#include "rosterd/config/config.hpp"
#include "rosterd/model/action.hpp"
#include "rosterd/query/snapshot.hpp"

namespace rosterd::ops {

// One API call for one user. `op` names it (kOp* below); the other fields are its parameters.
struct Step {
    std::string op;
    std::string account_id;
    std::string directory_id;    // suspend, restore, groups, remove-from-directory
    std::string group_id;        // add-to-group, remove-from-group
    std::string group_name;      // for people
    std::string role;            // revoke-role, assign-role
    std::string resource_id;     // revoke-role, assign-role
    std::string resource_label;  // "jira-software@acme.atlassian.net", for people

    bool operator==(const Step&) const = default;
};

inline constexpr const char* kOpSuspend = "suspend";
inline constexpr const char* kOpRestore = "restore";
inline constexpr const char* kOpAddToGroup = "add-to-group";
inline constexpr const char* kOpRemoveFromGroup = "remove-from-group";
inline constexpr const char* kOpRevokeRole = "revoke-role";
inline constexpr const char* kOpAssignRole = "assign-role";
inline constexpr const char* kOpDeactivate = "deactivate";
inline constexpr const char* kOpReactivate = "reactivate";
inline constexpr const char* kOpRemoveFromDirectory = "remove-from-directory";

// "suspend", "remove-from-group team-x", "revoke-role atlassian/user on jira-software@acme...".
std::string describe(const Step& step);

// The step that undoes `step` (restore for suspend, add-to-group for remove-from-group, ...);
// nullopt when nothing can undo it (remove-from-directory).
std::optional<Step> inverse(const Step& step);

// Whether the user, as just read from the API, already is as `step` would leave them, so that the
// step need not be sent (and, on resume, was sent before the crash). Conservative: false when the
// read cannot tell.
bool already_done(const Step& step, const atlassian::DirectoryUser& fresh);

// Why a user must not be touched, or nullopt. Checks org and site admins, app accounts and
// protect: users (account id or email), groups (names or ids) and domains.
std::optional<std::string> protection_reason(const query::SnapshotIndex& index, std::uint32_t user,
                                             const Config::Protect& protect);

// Group role grants of the snapshot (from the group_roles table), for remove-product-access.
struct GroupGrants {
    std::map<std::string, std::set<std::string>> resources_of;  // group id -> resource ids
    std::set<std::string> synced;                               // externally synced group ids
    std::map<std::string, std::string> directory_of;            // group id -> directory id
};

struct PlannedUser {
    std::string account_id, name, email;
    std::vector<Step> steps;         // in order; empty when skipped
    std::string skipped;             // why nothing is done to this user; empty when acting
    std::vector<std::string> notes;  // actions with nothing to do for this user, and why
};

struct Plan {
    std::vector<PlannedUser> users;
    std::size_t acting() const;   // users with steps
    std::size_t skipped() const;  // users without
};

// A plan that cannot be made as asked (unknown group or product); what() says which.
class PlanError : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// The plan for `users` (indexes into index.users, in that order). Throws PlanError.
Plan build_plan(const query::SnapshotIndex& index, const GroupGrants& grants,
                const std::vector<std::uint32_t>& users, const std::vector<Action>& actions,
                const Config::Protect& protect);

// A one-user index built from a fresh API read of that user, on top of `base` (products, groups,
// roles the read does not carry), so that the one filter (query::UserMatcher) and
// protection_reason judge the user as they are now. The user is index 0.
query::SnapshotIndex fresh_user_index(const query::SnapshotIndex& base,
                                      const atlassian::DirectoryUser& fresh);

}  // namespace rosterd::ops
