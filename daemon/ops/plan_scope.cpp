#include <algorithm>

#include "rosterd/ops/scope.hpp"

namespace rosterd::ops {
namespace {

std::string label(const ScopedResource& r) {
    return (r.product.empty() ? "an unknown product" : r.product) + "@" +
           (r.site.empty() ? "an unknown site" : r.site);
}

// What the scope lacks to reach `r`: the site, the product, or the pair (each is reached by some
// rule, but no single rule reaches both).
std::string missing(const Scope& scope, const ScopedResource& r) {
    bool site = std::any_of(scope.rules.begin(), scope.rules.end(),
                            [&](const ScopeRule& rule) { return rule.allows_site(r.site); });
    bool product = std::any_of(scope.rules.begin(), scope.rules.end(), [&](const ScopeRule& rule) {
        return rule.allows_product(r.product);
    });
    if (!site && !product)
        return "needs product " + r.product + " and site " + r.site;
    if (!site)
        return "needs site " + r.site;
    if (!product)
        return "needs product " + r.product;
    return "needs product " + r.product + " on site " + r.site;
}

}  // namespace

ScopeCatalog make_scope_catalog(const query::SnapshotIndex& index, const GroupGrants& grants) {
    ScopeCatalog catalog;
    for (const auto& p : index.products)
        catalog.resources[p.resource_id] = {p.key, p.site};
    for (const auto& g : index.groups)
        catalog.group_names[g.id] = g.name;
    for (const auto& [group, resources] : grants.resources_of)
        for (const auto& id : resources) {
            auto found = catalog.resources.find(id);
            // A resource the snapshot does not list: no scope but an unscoped one reaches it.
            catalog.group_grants[group].push_back(
                found == catalog.resources.end() ? ScopedResource{} : found->second);
        }
    return catalog;
}

bool org_wide(const std::string& op) {
    return op == kOpSuspend || op == kOpRestore || op == kOpDeactivate || op == kOpReactivate ||
           op == kOpRemoveFromDirectory;
}

std::optional<std::string> step_violation(const Step& step, const Scope& scope,
                                          const ScopeCatalog& catalog) {
    if (scope.unscoped())
        return std::nullopt;
    if (org_wide(step.op))
        return step.op + ": acts on the whole account and needs an unscoped caller";
    if (step.op == kOpRevokeRole || step.op == kOpAssignRole) {
        auto found = catalog.resources.find(step.resource_id);
        ScopedResource r = found == catalog.resources.end() ? ScopedResource{} : found->second;
        if (scope.allows_resource(r))
            return std::nullopt;
        return describe(step) + ": " + missing(scope, r);
    }
    if (step.op == kOpAddToGroup || step.op == kOpRemoveFromGroup) {
        auto name_of = catalog.group_names.find(step.group_id);
        std::string name = name_of != catalog.group_names.end() ? name_of->second : step.group_name;
        auto granted = catalog.group_grants.find(step.group_id);
        std::vector<ScopedResource> grants;
        if (granted != catalog.group_grants.end())
            grants = granted->second;
        if (scope.allows_group(name, grants))
            return std::nullopt;
        bool name_ok = std::any_of(scope.rules.begin(), scope.rules.end(),
                                   [&](const ScopeRule& r) { return r.allows_group(name); });
        if (!name_ok)
            return describe(step) + ": needs group " + name +
                   " (not matched by the scope's groups)";
        std::string outside;
        for (const auto& g : grants)
            if (!scope.allows_resource(g))
                outside += (outside.empty() ? "" : ", ") + label(g);
        return describe(step) + ": group " + name + " grants access outside the scope" +
               (outside.empty() ? std::string() : " (" + outside + ")");
    }
    // An operation this check does not know: refused rather than guessed at.
    return describe(step) + ": not allowed to a scoped caller";
}

std::optional<std::string> action_violation(const Action& action, const Scope& scope) {
    if (scope.unscoped())
        return std::nullopt;
    switch (action.kind) {
        case ActionKind::suspend:
        case ActionKind::restore:
        case ActionKind::deactivate:
        case ActionKind::reactivate:
        case ActionKind::remove_from_directory:
            return to_string(action) + ": acts on the whole account and needs an unscoped caller";
        case ActionKind::remove_product_access: {
            if (!action.site.empty()) {
                ScopedResource r{action.product, action.site};
                if (scope.allows_resource(r))
                    return std::nullopt;
                return to_string(action) + ": " + missing(scope, r);
            }
            bool every_site = std::any_of(scope.rules.begin(), scope.rules.end(), [&](auto& r) {
                return !r.sites && r.allows_product(action.product);
            });
            if (every_site)
                return std::nullopt;
            return to_string(action) + ": means every site and needs product " + action.product +
                   " on every site (name one: " + action.product + "@SITE)";
        }
        case ActionKind::add_to_groups:
        case ActionKind::remove_from_groups:
            return std::nullopt;  // judged per step: the names resolve against the snapshot
    }
    return std::nullopt;
}

std::optional<std::string> plan_violation(const Plan& plan, const Scope& scope,
                                          const ScopeCatalog& catalog) {
    for (const auto& user : plan.users)
        for (const auto& step : user.steps)
            if (auto why = step_violation(step, scope, catalog))
                return *why + " (for " + (user.email.empty() ? user.account_id : user.email) + ")";
    return std::nullopt;
}

}  // namespace rosterd::ops
