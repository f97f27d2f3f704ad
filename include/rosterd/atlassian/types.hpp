#pragma once
// Value types for the Atlassian Organization Admin API: what the parsers produce and the client
// hands out. Plain structs; instants are UTC epoch milliseconds.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace rosterd::atlassian {

// The most items the Admin API returns in one page (and accepts as `limit`): rosterd always asks
// for full pages.
inline constexpr int kMaxPageSize = 100;

// Why an API call failed. Never carries the API key.
struct ApiError {
    enum class Kind {
        transport,      // no HTTP answer (timeout, refused, reset, TLS)
        http,           // an HTTP error status other than 401/429
        parse,          // a 2xx whose body is malformed or has unexpected types
        auth_rejected,  // 401: the key is invalid, expired or revoked
        rate_limited,   // still 429 after every retry
        cancelled,      // Client::cancel() or shutdown
    };
    Kind kind = Kind::http;
    int status = 0;       // HTTP status, 0 when none was received
    std::string code;     // API error code ("ADMIN-404-2", "forbidden.action", ...) when given
    std::string message;  // human-readable explanation
    bool retryable = false;
    int attempts = 0;  // requests made for this call (set by the client)

    std::string describe() const;  // "http 404 ADMIN-404-2: Organization not found (1 attempt)"
};

const char* to_string(ApiError::Kind kind);

// std::expected is C++23; this is the small subset rosterd needs.
template <typename T>
class Result {
  public:
    Result(T value) : state_(std::move(value)) {}
    Result(ApiError error) : state_(std::move(error)) {}

    bool ok() const { return state_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(state_); }
    const T& value() const& { return std::get<0>(state_); }
    T&& value() && { return std::get<0>(std::move(state_)); }
    const ApiError& error() const { return std::get<1>(state_); }
    ApiError& error() { return std::get<1>(state_); }

  private:
    std::variant<T, ApiError> state_;
};

// One page of a paginated listing; next_cursor is empty on the last page.
template <typename T>
struct Page {
    std::vector<T> items;
    std::optional<std::string> next_cursor;
};

struct Org {
    std::string id;
    std::string name;
};

// A site product or other workspace from POST /v2/orgs/{orgId}/workspaces.
struct Workspace {
    std::string id;        // ARI, e.g. "ari:cloud:jira::site/<cloudId>"; used as resourceId
    std::string type;      // attributes.type, e.g. "jira", "confluence"
    std::string type_key;  // attributes.typeKey, e.g. "jira-software"
    std::string name;
    std::string host_url;                  // empty when null
    std::string status;                    // online | offline | deprecated
    std::optional<std::int64_t> capacity;  // seats, when licence data is available
};

struct Directory {
    std::string id;
    std::string name;
};

struct GroupRef {
    std::string id;  // bare UUID (the "ari:cloud:identity::group/" prefix is stripped)
    std::string name;
};

struct ProductAccess {
    std::string resource_id;                     // site/product ARI
    std::string key;                             // product key, e.g. "jira", "confluence"
    std::optional<std::int64_t> last_active_ms;  // absent = no activity recorded
};

// A user from POST /v2/orgs/{orgId}/directories/{dir}/users/search (or the user details GET).
// platform_roles, groups and product_access are only filled when requested with `expand`.
struct DirectoryUser {
    std::string account_id;
    std::string account_type;
    std::string account_status;     // active | inactive | closed
    std::string membership_status;  // active | suspended | no_membership
    std::string status;             // active | suspended | not_invited | deactivated | for_deletion
    std::string claim_status;       // managed | unmanaged
    std::string management_source;  // invited | synced | "" (null)
    std::string name;
    std::string nickname;
    std::string email;
    std::optional<std::int64_t> added_to_org_ms;
    std::vector<std::string> platform_roles;
    std::vector<GroupRef> groups;
    std::vector<ProductAccess> product_access;
};

struct Group {
    std::string id;  // bare UUID
    std::string name;
    std::string description;
    std::string directory_id;
    bool external_synced = false;
    std::string managed_by;                      // external | admins | team-members | open
    std::optional<std::int64_t> resource_count;  // with expand counts.resources
    std::optional<std::int64_t> user_count;      // with expand counts.users
};

struct GroupRoleAssignment {
    std::string resource_id;
    std::string resource_owner;
    std::vector<std::string> roles;
    std::string default_role;  // "" when null
};

struct RoleGrant {
    std::string role;                  // e.g. "atlassian/user"
    std::vector<std::string> methods;  // direct | group_direct | inferred
};

struct UserRoleAssignment {
    std::string resource_id;
    std::string resource_owner;
    std::string directory_id;           // "" for platform roles
    std::string user_directory_status;  // "" for platform roles
    std::vector<RoleGrant> grants;  // roleAssignments, or the deprecated roles[] without methods
};

struct ProductActivity {
    std::string id;   // product instance ARI
    std::string key;  // v1 product key, e.g. "jira-software"
    std::optional<std::int64_t> last_active_ms;
};

// GET /v1/orgs/{orgId}/directory/users/{accountId}/last-active-dates
struct UserActivity {
    std::vector<ProductActivity> products;  // empty = never used any product
    std::optional<std::int64_t> added_to_org_ms;
};

// The outcome of a successful mutation.
struct MutationOutcome {
    int status = 0;
    // The API answered 409 "already in that state" (e.g. already a member): nothing changed,
    // and callers can treat the step as done. Licence-limit conflicts are errors, not this.
    bool already_in_state = false;
    std::string code;  // the 409's error code when already_in_state
};

// Summary of a streamed listing.
struct PageSummary {
    std::size_t pages = 0;
    std::size_t items = 0;
};

}  // namespace rosterd::atlassian
