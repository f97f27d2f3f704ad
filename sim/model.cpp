#include "model.hpp"

#include <algorithm>

#include "prng.hpp"
#include "rosterd/base/text.hpp"

namespace rosterd::sim {

namespace {
constexpr std::string_view kGroupAriPrefix = "ari:cloud:identity::group/";
}

std::string_view to_string(AccountStatus value) {
    switch (value) {
        case AccountStatus::Active:
            return "active";
        case AccountStatus::Inactive:
            return "inactive";
        case AccountStatus::Closed:
            return "closed";
    }
    return "active";
}

std::string_view to_string(Membership value) {
    switch (value) {
        case Membership::Active:
            return "active";
        case Membership::Suspended:
            return "suspended";
        case Membership::None:
            return "no_membership";
    }
    return "active";
}

std::string_view to_string(ClaimStatus value) {
    return value == ClaimStatus::Managed ? "managed" : "unmanaged";
}

std::string_view to_string(UserStatus value) {
    switch (value) {
        case UserStatus::Active:
            return "active";
        case UserStatus::Suspended:
            return "suspended";
        case UserStatus::NotInvited:
            return "not_invited";
        case UserStatus::Deactivated:
            return "deactivated";
    }
    return "active";
}

std::optional<AccountStatus> parse_account_status(std::string_view text) {
    for (auto v : {AccountStatus::Active, AccountStatus::Inactive, AccountStatus::Closed}) {
        if (to_string(v) == text)
            return v;
    }
    return std::nullopt;
}

std::optional<Membership> parse_membership(std::string_view text) {
    for (auto v : {Membership::Active, Membership::Suspended, Membership::None}) {
        if (to_string(v) == text)
            return v;
    }
    return std::nullopt;
}

std::optional<ClaimStatus> parse_claim_status(std::string_view text) {
    for (auto v : {ClaimStatus::Managed, ClaimStatus::Unmanaged}) {
        if (to_string(v) == text)
            return v;
    }
    return std::nullopt;
}

std::optional<UserStatus> parse_user_status(std::string_view text) {
    for (auto v : {UserStatus::Active, UserStatus::Suspended, UserStatus::NotInvited,
                   UserStatus::Deactivated}) {
        if (to_string(v) == text)
            return v;
    }
    return std::nullopt;
}

const Access* User::access_on(std::size_t resource) const {
    auto it = std::lower_bound(access.begin(), access.end(), resource,
                               [](const Access& a, std::size_t r) { return a.resource < r; });
    return it != access.end() && it->resource == resource ? &*it : nullptr;
}

const Activity* User::activity_on(std::size_t resource) const {
    auto it = activity.find(resource);
    return it == activity.end() ? nullptr : &it->second;
}

bool User::in_group(std::size_t group) const {
    return std::binary_search(groups.begin(), groups.end(), group);
}

bool User::has_platform_role(std::string_view role) const {
    return std::find(platform_roles.begin(), platform_roles.end(), role) != platform_roles.end();
}

bool mfa_enabled(const User& user) {
    std::uint64_t bucket = fnv1a64(user.account_id) % 10;
    return bucket < (user.claim == ClaimStatus::Managed ? 7u : 3u);
}

void Model::finalize() {
    user_index_.clear();
    email_index_.clear();
    group_index_.clear();
    product_index_.clear();
    directory_index_.clear();
    for (std::size_t i = 0; i < users.size(); ++i) {
        if (!users[i].removed)
            user_index_.emplace(users[i].account_id, i);
        if (!users[i].email.empty())
            email_index_.emplace(lowercase(users[i].email), i);
    }
    for (std::size_t i = 0; i < groups.size(); ++i)
        group_index_.emplace(groups[i].id, i);
    for (std::size_t i = 0; i < products.size(); ++i) {
        product_index_.emplace(products[i].resource_id, i);
    }
    for (std::size_t i = 0; i < directories.size(); ++i) {
        directory_index_.emplace(directories[i].id, i);
    }
    for (auto& group : groups)
        group.member_count = 0;
    for (auto& user : users) {
        std::sort(user.groups.begin(), user.groups.end());
        user.groups.erase(std::unique(user.groups.begin(), user.groups.end()), user.groups.end());
        if (!user.removed) {
            for (std::size_t g : user.groups)
                ++groups[g].member_count;
        }
        recompute_access(user);
    }
    nickname_order_.resize(users.size());
    for (std::size_t i = 0; i < users.size(); ++i)
        nickname_order_[i] = i;
    std::sort(nickname_order_.begin(), nickname_order_.end(), [this](std::size_t a, std::size_t b) {
        if (users[a].nickname != users[b].nickname)
            return users[a].nickname < users[b].nickname;
        return users[a].account_id < users[b].account_id;
    });
}

std::optional<std::size_t> Model::find_user(std::string_view account_id) const {
    auto it = user_index_.find(std::string(account_id));
    if (it == user_index_.end())
        return std::nullopt;
    return it->second;
}

std::vector<std::size_t> Model::users_named(const std::vector<std::string>& emails,
                                            const std::vector<std::string>& account_ids) const {
    std::vector<std::size_t> named;
    if (!emails.empty()) {
        for (const auto& email : emails) {
            auto [from, to] = email_index_.equal_range(lowercase(email));
            for (auto it = from; it != to; ++it)
                named.push_back(it->second);
        }
    } else {
        for (const auto& id : account_ids)
            if (auto index = find_user(id))
                named.push_back(*index);
    }
    std::sort(named.begin(), named.end());
    named.erase(std::unique(named.begin(), named.end()), named.end());
    return named;
}

std::optional<std::size_t> Model::find_group(std::string_view id) const {
    if (id.starts_with(kGroupAriPrefix))
        id.remove_prefix(kGroupAriPrefix.size());
    auto it = group_index_.find(std::string(id));
    if (it == group_index_.end())
        return std::nullopt;
    return it->second;
}

std::optional<std::size_t> Model::find_product(std::string_view resource_id) const {
    auto it = product_index_.find(std::string(resource_id));
    if (it == product_index_.end())
        return std::nullopt;
    return it->second;
}

std::optional<std::size_t> Model::find_directory(std::string_view id) const {
    auto it = directory_index_.find(std::string(id));
    if (it == directory_index_.end())
        return std::nullopt;
    return it->second;
}

std::string Model::group_ari(std::string_view group_id) {
    return std::string(kGroupAriPrefix) + std::string(group_id);
}

bool Model::role_allowed_on(Role role, const Product& product) {
    if (role == Role::Customer)
        return product.catalogue->type_key == "jira-servicedesk";
    return true;
}

UserStatus Model::status(const User& user) const {
    if (user.account_status != AccountStatus::Active)
        return UserStatus::Deactivated;
    switch (user.membership) {
        case Membership::Active:
            return UserStatus::Active;
        case Membership::Suspended:
            return UserStatus::Suspended;
        case Membership::None:
            return UserStatus::NotInvited;
    }
    return UserStatus::Active;
}

bool Model::billable_on(const User& user, std::size_t resource) const {
    if (user.removed || user.app || status(user) != UserStatus::Active)
        return false;
    const Access* access = user.access_on(resource);
    return access && is_billable_role(access->role);
}

bool Model::billable(const User& user) const {
    for (const auto& access : user.access) {
        if (billable_on(user, access.resource))
            return true;
    }
    return false;
}

std::size_t Model::managed_count() const {
    return static_cast<std::size_t>(std::count_if(users.begin(), users.end(), [](const User& u) {
        return !u.removed && u.claim == ClaimStatus::Managed;
    }));
}

std::vector<std::string> Model::verified_domains() const {
    std::vector<std::string> domains;
    for (const auto& user : users) {
        if (user.removed || user.claim != ClaimStatus::Managed)
            continue;
        if (auto at = user.email.rfind('@'); at != std::string::npos)
            domains.push_back(lowercase(user.email.substr(at + 1)));
    }
    std::sort(domains.begin(), domains.end());
    domains.erase(std::unique(domains.begin(), domains.end()), domains.end());
    return domains;
}

void Model::recompute_access(User& user) const {
    user.access.clear();
    if (user.removed || user.membership == Membership::None)
        return;
    // best[resource] = (role, direct grant of that role exists)
    std::map<std::size_t, Access> best;
    auto consider = [&best](const Grant& grant, bool direct) {
        auto [it, inserted] =
            best.try_emplace(grant.resource, Access{grant.resource, grant.role, direct});
        if (inserted)
            return;
        Access& current = it->second;
        if (grant.role < current.role) {
            current.role = grant.role;
            current.direct = direct;
        } else if (grant.role == current.role && direct) {
            current.direct = true;
        }
    };
    for (std::size_t g : user.groups) {
        for (const auto& grant : groups[g].roles)
            consider(grant, false);
    }
    for (const auto& grant : user.direct_roles)
        consider(grant, true);
    user.access.reserve(best.size());
    for (const auto& [resource, access] : best)
        user.access.push_back(access);
}

void Model::recompute_members_of(std::size_t group) {
    for (auto& user : users) {
        if (!user.removed && user.in_group(group))
            recompute_access(user);
    }
}

Change Model::suspend(std::size_t index) {
    User& user = users[index];
    if (user.membership == Membership::None)
        return Change::NoMembership;
    user.membership = Membership::Suspended;
    return Change::Done;
}

Change Model::set_email(std::size_t index, std::string email) {
    User& user = users[index];
    auto [from, to] = email_index_.equal_range(lowercase(user.email));
    for (auto at = from; at != to; ++at)
        if (at->second == index) {
            email_index_.erase(at);
            break;
        }
    user.email = std::move(email);
    if (!user.email.empty())
        email_index_.emplace(lowercase(user.email), index);
    return Change::Done;
}

Change Model::restore(std::size_t index) {
    User& user = users[index];
    if (user.membership == Membership::None)
        return Change::NoMembership;
    user.membership = Membership::Active;
    return Change::Done;
}

Change Model::remove_from_directory(std::size_t index) {
    User& user = users[index];
    if (user.membership == Membership::None)
        return Change::NoMembership;
    for (std::size_t g : user.groups)
        --groups[g].member_count;
    user.groups.clear();
    user.direct_roles.clear();
    user.membership = Membership::None;
    // A managed account stays known to the org (claimed domain); an external one leaves it.
    if (user.claim == ClaimStatus::Unmanaged) {
        user.removed = true;
        user_index_.erase(user.account_id);
    }
    recompute_access(user);
    return Change::Done;
}

Change Model::add_member(std::size_t group_index, std::size_t user_index) {
    Group& group = groups[group_index];
    User& user = users[user_index];
    if (group.external_synced)
        return Change::SyncedGroup;
    if (user.directory != group.directory)
        return Change::WrongDirectory;
    if (user.membership == Membership::None)
        return Change::NoMembership;
    if (user.in_group(group_index))
        return Change::AlreadyMember;
    user.groups.insert(std::upper_bound(user.groups.begin(), user.groups.end(), group_index),
                       group_index);
    ++group.member_count;
    recompute_access(user);
    return Change::Done;
}

Change Model::remove_member(std::size_t group_index, std::size_t user_index) {
    Group& group = groups[group_index];
    User& user = users[user_index];
    if (group.external_synced)
        return Change::SyncedGroup;
    auto it = std::lower_bound(user.groups.begin(), user.groups.end(), group_index);
    if (it == user.groups.end() || *it != group_index)
        return Change::NotMember;
    user.groups.erase(it);
    --group.member_count;
    recompute_access(user);
    return Change::Done;
}

Change Model::assign_user_role(std::size_t index, std::optional<std::size_t> resource,
                               std::string_view role_text) {
    User& user = users[index];
    if (user.account_status != AccountStatus::Active)
        return Change::InactiveUser;
    if (role_text == kOrgAdmin || role_text == kSiteAdmin) {
        if (user.has_platform_role(role_text))
            return Change::AlreadyHeld;
        user.platform_roles.emplace_back(role_text);
        std::sort(user.platform_roles.begin(), user.platform_roles.end());
        return Change::Done;
    }
    auto role = parse_role(role_text);
    if (!role || !resource || !role_allowed_on(*role, products[*resource])) {
        return Change::InvalidRoleForResource;
    }
    if (user.membership == Membership::None)
        return Change::NoMembership;
    const Access* current = user.access_on(*resource);
    if (current && current->role == *role)
        return Change::AlreadyHeld;
    user.direct_roles.push_back(Grant{*resource, *role});
    recompute_access(user);
    return Change::Done;
}

Change Model::revoke_user_role(std::size_t index, std::optional<std::size_t> resource,
                               std::string_view role_text) {
    User& user = users[index];
    if (role_text == kOrgAdmin || role_text == kSiteAdmin) {
        std::erase(user.platform_roles, std::string(role_text));
        return Change::Done;
    }
    auto role = parse_role(role_text);
    if (!role || !resource)
        return Change::InvalidRoleForResource;
    // Revoking removes the direct grant only; access granted through a group stays (as in
    // Atlassian: remove the user from the group or revoke the group's role instead).
    std::erase(user.direct_roles, Grant{*resource, *role});
    recompute_access(user);
    return Change::Done;
}

Change Model::assign_group_role(std::size_t group_index, std::size_t resource, Role role) {
    if (!role_allowed_on(role, products[resource]))
        return Change::InvalidRoleForResource;
    Group& group = groups[group_index];
    Grant grant{resource, role};
    if (std::find(group.roles.begin(), group.roles.end(), grant) != group.roles.end()) {
        return Change::Done;  // idempotent, answered 200 like a fresh grant
    }
    group.roles.push_back(grant);
    recompute_members_of(group_index);
    return Change::Done;
}

Change Model::revoke_group_role(std::size_t group_index, std::size_t resource, Role role) {
    Group& group = groups[group_index];
    std::erase(group.roles, Grant{resource, role});
    recompute_members_of(group_index);
    return Change::Done;
}

Change Model::set_account_enabled(std::size_t index, bool enabled) {
    User& user = users[index];
    if (user.claim != ClaimStatus::Managed)
        return Change::UnmanagedAccount;
    if (user.management_source == "synced")
        return Change::SyncedAccount;
    bool active = user.account_status == AccountStatus::Active;
    if (active == enabled)
        return Change::AlreadyInState;
    user.account_status = enabled ? AccountStatus::Active : AccountStatus::Inactive;
    return Change::Done;
}

void Model::set_activity(std::size_t index, std::size_t resource,
                         std::optional<Activity> activity) {
    User& user = users[index];
    if (activity) {
        user.activity[resource] = std::move(*activity);
    } else {
        user.activity.erase(resource);
    }
}

}  // namespace rosterd::sim
