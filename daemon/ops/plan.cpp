// Plans: protection, the steps of each action for each user, and the pure step algebra (describe,
// inverse, already_done). See ops_plan.hpp.
#include <algorithm>

#include "rosterd/atlassian/client.hpp"
#include "rosterd/base/text.hpp"
#include "rosterd/ops/plan.hpp"

namespace rosterd::ops {
namespace {

using query::SnapshotIndex;

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// The group of the snapshot named by `name_or_id` (id, or name case-insensitively).
std::optional<std::uint32_t> find_group(const SnapshotIndex& index, const std::string& name_or_id) {
    auto wanted = lowercase(name_or_id);
    for (std::uint32_t g = 0; g < index.groups.size(); ++g)
        if (index.groups[g].id == name_or_id || index.groups[g].name_lower == wanted)
            return g;
    return std::nullopt;
}

bool member_of(const SnapshotIndex& index, const query::IndexedUser& u, std::uint32_t group) {
    for (auto i = u.groups_begin; i < u.groups_end; ++i)
        if (index.memberships[i] == group)
            return true;
    return false;
}

std::string label_of(const query::IndexedProduct& p) {
    std::string key = p.key.empty() ? p.resource_id : p.key;
    return p.site.empty() ? key : key + "@" + p.site;
}

struct UserPlanner {
    const SnapshotIndex& index;
    const GroupGrants& grants;
    const query::IndexedUser& u;
    PlannedUser& out;

    // The snapshot does not always know a user's directory; "-" (every directory the key manages)
    // is what the API accepts then.
    std::string directory() const {
        auto d = index.text(u.directory);
        return d.empty() ? std::string(atlassian::kAllDirectories) : d;
    }
    std::string group_directory(const std::string& group_id) const {
        auto found = grants.directory_of.find(group_id);
        return found == grants.directory_of.end() || found->second.empty()
                   ? std::string(atlassian::kAllDirectories)
                   : found->second;
    }
    std::string text(query::TextId id) const { return index.text(id); }

    void add(Step step) {
        step.account_id = u.account_id;
        if (!contains_step(step))
            out.steps.push_back(std::move(step));
    }
    bool contains_step(const Step& step) const {
        return std::find(out.steps.begin(), out.steps.end(), step) != out.steps.end();
    }
    void note(std::string text) { out.notes.push_back(std::move(text)); }

    Step membership_step(const char* op) const {
        Step s;
        s.op = op;
        s.directory_id = directory();
        return s;
    }

    void plan(const Action& action) {
        const std::string status = text(u.status);
        const std::string membership = text(u.membership_status);
        switch (action.kind) {
            case ActionKind::suspend:
                if (status == "suspended" || membership == "suspended")
                    return note("suspend: already suspended");
                if (membership == "no_membership" || status == "not_invited")
                    return note("suspend: not a member of a directory");
                return add(membership_step(kOpSuspend));
            case ActionKind::restore:
                if (status != "suspended" && membership != "suspended")
                    return note("restore: not suspended");
                return add(membership_step(kOpRestore));
            case ActionKind::deactivate:
            case ActionKind::reactivate: {
                bool disable = action.kind == ActionKind::deactivate;
                std::string name = disable ? "deactivate" : "reactivate";
                if (text(u.claim_status) != "managed")
                    return note(name +
                                ": unmanaged account (the User management API acts on managed "
                                "accounts only)");
                if (text(u.management_source) == "synced")
                    return note(name + ": synced from an identity provider (change it there)");
                bool active = text(u.account_status) == "active";
                if (disable && !active)
                    return note("deactivate: already deactivated");
                if (!disable && active)
                    return note("reactivate: already active");
                Step s;
                s.op = disable ? kOpDeactivate : kOpReactivate;
                return add(s);
            }
            case ActionKind::remove_from_directory:
                if (membership == "no_membership" || status == "not_invited")
                    return note("remove-from-directory: not a member of a directory");
                return add(membership_step(kOpRemoveFromDirectory));
            case ActionKind::add_to_groups:
            case ActionKind::remove_from_groups:
                return plan_groups(action);
            case ActionKind::remove_product_access:
                return plan_product_access(action);
        }
    }

    void plan_groups(const Action& action) {
        bool add_to = action.kind == ActionKind::add_to_groups;
        for (const auto& name : action.groups) {
            auto group = *find_group(index, name);  // resolved by build_plan
            const auto& g = index.groups[group];
            bool member = member_of(index, u, group);
            if (add_to && member) {
                note("add-to-groups: already in " + g.name);
                continue;
            }
            if (!add_to && !member) {
                note("remove-from-groups: not in " + g.name);
                continue;
            }
            if (grants.synced.count(g.id)) {
                note(std::string(add_to ? "add-to-groups" : "remove-from-groups") + ": " + g.name +
                     " is synced from an identity provider (change it there)");
                continue;
            }
            Step s = membership_step(add_to ? kOpAddToGroup : kOpRemoveFromGroup);
            s.directory_id = group_directory(g.id);
            s.group_id = g.id;
            s.group_name = g.name;
            add(std::move(s));
        }
    }

    void plan_product_access(const Action& action) {
        std::string what = to_string(action);
        bool any = false;
        for (auto a = u.access_begin; a < u.access_end; ++a) {
            const auto& access = index.access[a];
            const auto& product = index.products[access.product];
            if (product.key != action.product ||
                (!action.site.empty() && product.site != action.site))
                continue;
            any = true;
            bool granted_by_group = false;
            for (auto m = u.groups_begin; m < u.groups_end; ++m) {
                const auto& g = index.groups[index.memberships[m]];
                auto found = grants.resources_of.find(g.id);
                if (found == grants.resources_of.end() || !found->second.count(product.resource_id))
                    continue;
                granted_by_group = true;
                if (grants.synced.count(g.id)) {
                    note(what + ": access to " + label_of(product) + " comes from group " + g.name +
                         ", synced from an identity provider: impossible here");
                    continue;
                }
                Step s = membership_step(kOpRemoveFromGroup);
                s.directory_id = group_directory(g.id);
                s.group_id = g.id;
                s.group_name = g.name;
                add(std::move(s));
            }
            // A direct grant: via says so when no group grants a role there; when a group does,
            // a direct grant may still hide behind it, so the step is planned and the executor
            // sends it only if the user's role assignments show a direct grant.
            Step revoke;
            revoke.op = kOpRevokeRole;
            revoke.role = text(access.role);
            revoke.resource_id = product.resource_id;
            revoke.resource_label =
                label_of(product) + (granted_by_group ? " (if granted directly)" : "");
            add(std::move(revoke));
        }
        if (!any)
            note(what + ": no access there");
    }
};

}  // namespace

std::string describe(const Step& s) {
    if (s.op == kOpAddToGroup || s.op == kOpRemoveFromGroup)
        return s.op + " " + (s.group_name.empty() ? s.group_id : s.group_name);
    if (s.op == kOpRevokeRole || s.op == kOpAssignRole)
        return s.op + " " + s.role + " on " +
               (s.resource_label.empty() ? s.resource_id : s.resource_label);
    return s.op;
}

std::optional<Step> inverse(const Step& step) {
    Step s = step;
    if (step.op == kOpSuspend)
        s.op = kOpRestore;
    else if (step.op == kOpRestore)
        s.op = kOpSuspend;
    else if (step.op == kOpAddToGroup)
        s.op = kOpRemoveFromGroup;
    else if (step.op == kOpRemoveFromGroup)
        s.op = kOpAddToGroup;
    else if (step.op == kOpRevokeRole)
        s.op = kOpAssignRole;
    else if (step.op == kOpAssignRole)
        s.op = kOpRevokeRole;
    else if (step.op == kOpDeactivate)
        s.op = kOpReactivate;
    else if (step.op == kOpReactivate)
        s.op = kOpDeactivate;
    else
        return std::nullopt;  // remove-from-directory: the memberships and roles are gone
    return s;
}

bool already_done(const Step& step, const atlassian::DirectoryUser& fresh) {
    auto in_group = [&] {
        return std::any_of(fresh.groups.begin(), fresh.groups.end(),
                           [&](const auto& g) { return g.id == step.group_id; });
    };
    auto suspended = fresh.membership_status == "suspended" || fresh.status == "suspended";
    if (step.op == kOpSuspend)
        return suspended;
    if (step.op == kOpRestore)
        return !suspended && fresh.membership_status == "active";
    if (step.op == kOpAddToGroup)
        return in_group();
    if (step.op == kOpRemoveFromGroup)
        return !in_group();
    if (step.op == kOpDeactivate)
        return fresh.account_status == "inactive";
    if (step.op == kOpReactivate)
        return fresh.account_status == "active";
    if (step.op == kOpRemoveFromDirectory)
        return fresh.membership_status == "no_membership";
    if (step.op == kOpRevokeRole)  // the role read decides (direct grants are not in this read)
        return std::none_of(fresh.product_access.begin(), fresh.product_access.end(),
                            [&](const auto& a) { return a.resource_id == step.resource_id; });
    return false;
}

std::optional<std::string> protection_reason(const SnapshotIndex& index, std::uint32_t user,
                                             const Config::Protect& protect) {
    const auto& u = index.users[user];
    if (u.org_admin)
        return std::string("protected: org admin");
    if (u.site_admin)
        return std::string("protected: site admin");
    if (u.app)
        return std::string("protected: app account");
    if (contains(protect.users, lowercase(std::string(u.account_id))) ||
        contains(protect.users, std::string(u.email_lower)))
        return std::string("protected: listed under protect.users");
    const auto& domain = index.text(u.domain);
    if (contains(protect.domains, lowercase(domain)))
        return "protected: domain " + domain + " is listed under protect.domains";
    for (auto m = u.groups_begin; m < u.groups_end; ++m) {
        const auto& g = index.groups[index.memberships[m]];
        if (contains(protect.groups, g.name_lower) || contains(protect.groups, lowercase(g.id)))
            return "protected: member of " + g.name + " (protect.groups)";
    }
    return std::nullopt;
}

std::size_t Plan::acting() const {
    return static_cast<std::size_t>(std::count_if(
        users.begin(), users.end(), [](const PlannedUser& u) { return !u.steps.empty(); }));
}

std::size_t Plan::skipped() const {
    return users.size() - acting();
}

Plan build_plan(const SnapshotIndex& index, const GroupGrants& grants,
                const std::vector<std::uint32_t>& users, const std::vector<Action>& actions,
                const Config::Protect& protect) {
    if (actions.empty())
        throw PlanError("no action given (" + action_syntax_help() + ")");
    for (const auto& action : actions) {
        for (const auto& group : action.groups)
            if (!find_group(index, group))
                throw PlanError(to_string(action) + ": no group '" + group +
                                "' in the snapshot (name or id)");
        if (action.kind == ActionKind::remove_product_access) {
            bool known = std::any_of(index.products.begin(), index.products.end(), [&](auto& p) {
                return p.key == action.product && (action.site.empty() || p.site == action.site);
            });
            if (!known)
                throw PlanError(to_string(action) + ": no product '" + action.product + "'" +
                                (action.site.empty() ? "" : " on " + action.site) +
                                " in the snapshot");
        }
    }
    Plan plan;
    plan.users.reserve(users.size());
    for (auto user : users) {
        const auto& u = index.users[user];
        PlannedUser planned{
            std::string(u.account_id), std::string(u.name), std::string(u.email), {}, {}, {}};
        if (auto reason = protection_reason(index, user, protect)) {
            planned.skipped = *reason;
        } else {
            UserPlanner planner{index, grants, u, planned};
            for (const auto& action : actions)
                planner.plan(action);
            if (planned.steps.empty()) {
                for (const auto& n : planned.notes)
                    planned.skipped += (planned.skipped.empty() ? "" : "; ") + n;
                planned.notes.clear();
                if (planned.skipped.empty())
                    planned.skipped = "nothing to do";
            }
        }
        plan.users.push_back(std::move(planned));
    }
    return plan;
}

query::SnapshotIndex fresh_user_index(const SnapshotIndex& base,
                                      const atlassian::DirectoryUser& fresh) {
    query::SnapshotIndex index;
    index.info = base.info;
    index.products = base.products;
    index.listed_products = base.listed_products;
    index.sites = base.sites;
    index.groups = base.groups;
    auto known = base.find_user(fresh.account_id);
    const query::IndexedUser* before = known ? &base.users[*known] : nullptr;

    query::IndexedUser u;
    u.account_id = index.keep(fresh.account_id);
    u.name = index.keep(fresh.name);
    u.email = index.keep(fresh.email);
    u.nickname = index.keep(fresh.nickname);
    u.name_lower = index.keep_lower(u.name);
    u.email_lower = index.keep_lower(u.email);
    auto at = u.email_lower.rfind('@');
    u.domain = index.intern(at == std::string::npos ? "" : u.email_lower.substr(at + 1));
    u.app = (before && before->app) || fresh.account_type == "app" ||
            index.text(u.domain) == "connect.atlassian.com";
    u.account_type = index.intern(u.app ? std::string("app") : fresh.account_type);
    u.account_status = index.intern(fresh.account_status);
    u.membership_status = index.intern(fresh.membership_status);
    u.status = index.intern(fresh.status);
    u.claim_status = index.intern(fresh.claim_status);
    u.management_source = index.intern(fresh.management_source);
    u.directory = index.intern(before ? base.text(before->directory) : std::string());
    u.added = fresh.added_to_org_ms.value_or(query::kNoInstant);
    std::string roles;
    for (const auto& r : fresh.platform_roles) {
        roles += (roles.empty() ? "" : ",") + r;
        u.org_admin = u.org_admin || r == "atlassian/org-admin";
        u.site_admin = u.site_admin || r == "atlassian/site-admin";
    }
    u.platform_roles = index.intern(roles);

    // Access: as read now; role, billing and via from the snapshot where it knew the product.
    u.access_begin = 0;
    for (const auto& pa : fresh.product_access) {
        query::IndexedAccess a;
        auto product = std::find_if(index.products.begin(), index.products.end(),
                                    [&](const auto& p) { return p.resource_id == pa.resource_id; });
        if (product == index.products.end()) {
            index.products.push_back({pa.resource_id, "", "", std::nullopt});
            product = index.products.end() - 1;
        }
        a.product = static_cast<std::uint32_t>(product - index.products.begin());
        a.role = index.intern("atlassian/user");
        a.billable = fresh.status == "active" && !u.app;
        if (before)
            for (auto i = before->access_begin; i < before->access_end; ++i)
                if (base.products[base.access[i].product].resource_id == pa.resource_id) {
                    a.role = index.intern(base.text(base.access[i].role));
                    a.billable = base.access[i].billable && fresh.status == "active";
                    a.via_group = base.access[i].via_group;
                }
        a.last_active = pa.last_active_ms.value_or(query::kNoInstant);
        if (pa.last_active_ms &&
            (u.last_active == query::kNoInstant || *pa.last_active_ms > u.last_active))
            u.last_active = *pa.last_active_ms;
        index.access.push_back(a);
    }
    u.access_end = static_cast<std::uint32_t>(index.access.size());
    for (const auto& g : fresh.groups) {
        auto found = std::find_if(index.groups.begin(), index.groups.end(),
                                  [&](const auto& known_group) { return known_group.id == g.id; });
        if (found == index.groups.end()) {
            index.groups.push_back({g.id, g.name, lowercase(g.name)});
            found = index.groups.end() - 1;
        }
        index.memberships.push_back(static_cast<std::uint32_t>(found - index.groups.begin()));
    }
    u.groups_begin = 0;
    u.groups_end = static_cast<std::uint32_t>(index.memberships.size());
    index.users.push_back(std::move(u));
    index.index_users();
    return index;
}

}  // namespace rosterd::ops
