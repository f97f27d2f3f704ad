#pragma once
// The simulated organization: sites and products, directories, groups, users, their grants and
// activity. Effective roles and statuses are derived here, in one place, so every endpoint and
// the ground truth agree. Not thread-safe: SimState guards it with a shared_mutex.
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "catalogue.hpp"

namespace rosterd::sim {

enum class AccountStatus { Active, Inactive, Closed };
enum class Membership { Active, Suspended, None };
enum class ClaimStatus { Managed, Unmanaged };
// Derived from account status and membership (reference 3.6).
enum class UserStatus { Active, Suspended, NotInvited, Deactivated };

std::string_view to_string(AccountStatus value);
std::string_view to_string(Membership value);  // "active" | "suspended" | "no_membership"
std::string_view to_string(ClaimStatus value);
std::string_view to_string(UserStatus value);  // "active" | ... | "not_invited" | "deactivated"
std::optional<AccountStatus> parse_account_status(std::string_view text);
std::optional<Membership> parse_membership(std::string_view text);
std::optional<ClaimStatus> parse_claim_status(std::string_view text);
std::optional<UserStatus> parse_user_status(std::string_view text);

struct Org {
    std::string id;
    std::string name;
};

struct Directory {
    std::string id;
    std::string name;
};

struct Product {
    const CatalogueProduct* catalogue = nullptr;
    std::string resource_id;  // the workspace ARI
    std::optional<std::int64_t> capacity;
    std::size_t site = 0;
};

struct Site {
    std::string name;  // "acme" -> host acme.atlassian.net
    std::string cloud_id;
    std::vector<std::size_t> products;  // indices into Model::products
    std::string host() const { return name + ".atlassian.net"; }
    std::string url() const { return "https://" + host(); }
};

struct Grant {
    std::size_t resource = 0;  // index into Model::products
    Role role = Role::User;
    bool operator==(const Grant&) const = default;
};

struct Group {
    std::string id;  // bare UUID (ARIs inside users[].groups[])
    std::string name;
    std::string description;
    std::size_t directory = 0;
    bool external_synced = false;
    std::string managed_by = "admins";  // external | admins | team-members | open
    std::vector<Grant> roles;
    std::size_t member_count = 0;  // derived
};

// One product's last activity: the instant (truncated to ms) and the exact string served, which
// may carry a longer fraction (micro- or nanoseconds) or none.
struct Activity {
    std::int64_t ms = 0;
    std::string text;
};

// The single effective role a user holds on a resource and how it is granted.
struct Access {
    std::size_t resource = 0;
    Role role = Role::User;
    bool direct = false;  // a direct grant of this role exists (else only via a group)
};

struct User {
    std::string account_id;
    std::string name;
    std::string nickname;
    std::string email;
    bool app = false;  // app (Connect) account: v1 says "app", v2 says "atlassian"
    AccountStatus account_status = AccountStatus::Active;
    Membership membership = Membership::Active;
    ClaimStatus claim = ClaimStatus::Managed;
    std::optional<std::string> management_source;  // "invited" | "synced" | none
    std::int64_t added_ms = 0;
    std::vector<std::string> platform_roles;
    std::size_t directory = 0;
    std::vector<std::size_t> groups;  // sorted group indices
    std::vector<Grant> direct_roles;
    std::map<std::size_t, Activity> activity;  // by resource index
    bool removed = false;        // gone from the org; kept as a tombstone so cursor positions hold
    std::vector<Access> access;  // derived, sorted by resource

    const Access* access_on(std::size_t resource) const;
    const Activity* activity_on(std::size_t resource) const;
    bool in_group(std::size_t group) const;
    bool has_platform_role(std::string_view role) const;
};

// Profile details that are not part of the truth are pure functions of it, so fixtures
// round-trip: MFA is on for most managed accounts and fewer external ones.
bool mfa_enabled(const User& user);

// What a mutation did; the HTTP layer maps each value to the endpoint's status and error body.
enum class Change {
    Done,
    AlreadyMember,
    NotMember,
    AlreadyHeld,
    SyncedGroup,
    WrongDirectory,
    NoMembership,
    InvalidRoleForResource,
    InactiveUser,
    AlreadyInState,
    UnmanagedAccount,
    SyncedAccount,
};

class Model {
  public:
    Org org;
    std::int64_t now_ms = 0;
    std::vector<Directory> directories;
    std::vector<Site> sites;
    std::vector<Product> products;
    std::vector<Group> groups;
    std::vector<User> users;

    // Rebuilds lookup indexes and every derived field; call after building or loading a model.
    void finalize();

    std::optional<std::size_t> find_user(std::string_view account_id) const;
    // The users with one of `emails` (any case), or when there are none, with one of
    // `account_ids`, in model order: an indexed search answers a query naming its users without
    // walking the organization, as the real API does.
    std::vector<std::size_t> users_named(const std::vector<std::string>& emails,
                                         const std::vector<std::string>& account_ids) const;
    // Accepts a bare group UUID or its ARI form (ari:cloud:identity::group/<uuid>).
    std::optional<std::size_t> find_group(std::string_view id) const;
    std::optional<std::size_t> find_product(std::string_view resource_id) const;
    std::optional<std::size_t> find_directory(std::string_view id) const;

    UserStatus status(const User& user) const;
    bool billable_on(const User& user, std::size_t resource) const;
    // Billable anywhere (v1 access_billable).
    bool billable(const User& user) const;
    // Users ordered by nickname (then account id), for sortBy nick_name.
    const std::vector<std::size_t>& nickname_order() const { return nickname_order_; }
    std::size_t managed_count() const;
    // The organization's verified domains: those its managed accounts' emails are on (lower case).
    std::vector<std::string> verified_domains() const;

    // Mutations; each recomputes what it affects.
    Change suspend(std::size_t user);
    Change restore(std::size_t user);
    Change remove_from_directory(std::size_t user);
    Change add_member(std::size_t group, std::size_t user);
    Change remove_member(std::size_t group, std::size_t user);
    Change assign_user_role(std::size_t user, std::optional<std::size_t> resource,
                            std::string_view role);
    Change revoke_user_role(std::size_t user, std::optional<std::size_t> resource,
                            std::string_view role);
    Change assign_group_role(std::size_t group, std::size_t resource, Role role);
    Change revoke_group_role(std::size_t group, std::size_t resource, Role role);
    Change set_account_enabled(std::size_t user, bool enabled);
    // A new address (another verified domain, say), kept findable by email.
    Change set_email(std::size_t user, std::string email);
    void set_activity(std::size_t user, std::size_t resource, std::optional<Activity> activity);

    static std::string group_ari(std::string_view group_id);
    // Whether a product role can be granted on a product (customers only on service desks).
    static bool role_allowed_on(Role role, const Product& product);

  private:
    void recompute_access(User& user) const;
    void recompute_members_of(std::size_t group);

    std::unordered_map<std::string, std::size_t> user_index_;
    std::unordered_multimap<std::string, std::size_t> email_index_;  // lower-case email
    std::unordered_map<std::string, std::size_t> group_index_;
    std::unordered_map<std::string, std::size_t> product_index_;
    std::unordered_map<std::string, std::size_t> directory_index_;
    std::vector<std::size_t> nickname_order_;
};

}  // namespace rosterd::sim
