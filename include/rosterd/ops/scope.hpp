#pragma once
// Delegated administration on the act side (issue 19): whether a plan stays inside a caller's
// scope. Pure functions of the plan, the scope and what the snapshot says each resource and group
// is, so that the rule is unit-tested (and fuzzed) without a daemon. A plan is refused as a whole
// when any one step reaches outside; the message names the step and what the scope lacks.
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/model/access_scope.hpp"
#include "rosterd/model/action.hpp"
#include "rosterd/ops/plan.hpp"

namespace rosterd::ops {

// What a scope needs to know about the snapshot's resources and groups.
struct ScopeCatalog {
    std::map<std::string, ScopedResource> resources;                  // resource id -> P@S
    std::map<std::string, std::vector<ScopedResource>> group_grants;  // group id -> what it grants
    std::map<std::string, std::string> group_names;                   // group id -> name
};

ScopeCatalog make_scope_catalog(const query::SnapshotIndex& index, const GroupGrants& grants);

// Steps that act on the whole account, whatever the product: only an unscoped caller may send them.
bool org_wide(const std::string& op);

// Why `step` reaches outside `scope`, or nullopt. E.g. "revoke-role atlassian/user on
// jira-software@acme-us.atlassian.net: needs site acme-us.atlassian.net".
std::optional<std::string> step_violation(const Step& step, const Scope& scope,
                                          const ScopeCatalog& catalog);

// Why an action as written reaches outside `scope` whatever users it meets, or nullopt: org-wide
// actions, and remove-product-access on a product or site the scope lacks (without @SITE it means
// every site, which needs a rule with no site limit). Checked before planning, so that a plan with
// no user yet is refused too.
std::optional<std::string> action_violation(const Action& action, const Scope& scope);

// The first out-of-scope step of the plan, with its user, or nullopt when all are inside.
std::optional<std::string> plan_violation(const Plan& plan, const Scope& scope,
                                          const ScopeCatalog& catalog);

}  // namespace rosterd::ops
