#pragma once
// Async client for the Atlassian Organization Admin API and the User management API.
//
// Every call is asynchronous; callbacks run on the io_context thread. Requests carry
// "Authorization: Bearer <key>" (the key is read from the provider for each request and never
// logged or put in an error), retry transient failures with backoff, honour 429 waits, slow down
// when the rate-limit budget runs low and pace last-active-dates to the documented 200/min.
// Listings follow every pagination style; users and groups stream page by page so memory stays
// one page no matter how large the organization is.
//
// Not thread-safe: create it and call it on the io_context thread (only the AsyncPageHandler's
// resume function may be called from elsewhere).
#include <asio/io_context.hpp>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "rosterd/atlassian/policy.hpp"
#include "rosterd/atlassian/types.hpp"
#include "rosterd/base/clock.hpp"
#include "rosterd/http/http.hpp"

namespace rosterd::atlassian {

// The directory id that means "every directory the key can manage".
inline constexpr const char* kAllDirectories = "-";

struct ClientConfig {
    std::string api_base = "https://api.atlassian.com";  // no trailing slash needed
    std::string org_id;
    std::function<std::string()> api_key;  // read when a request is built; never stored in logs
    RetryPolicy retry;
    double last_active_per_minute = 200;  // documented per-organization limit
    double last_active_burst = 10;
    // Below this share of X-RateLimit-Limit remaining, requests are spread until the reset.
    double low_remaining_fraction = 0.05;
    int page_limit = kMaxPageSize;  // page size for v2 listings (the API maximum is 100)
    // A listing whose every page names a new cursor would never end: it fails past this many
    // pages (10 million items at 100 a page; the longest chain of a 500k-user sync is ~760).
    std::size_t max_pages_per_listing = 100000;
    // Called once when the key is rejected (401); again only after a later request succeeded.
    std::function<void(const ApiError&)> on_key_rejected;
    http::Options http;
    std::shared_ptr<const Clock> clock;  // wall clock for Retry-After dates; null = system clock
    std::uint64_t jitter_seed = 0;       // 0 = seeded from std::random_device
};

// Filters for POST .../users/search (and GET .../users/count, which ignores expand and limit).
struct UserSearch {
    std::string directory_id = kAllDirectories;
    std::vector<std::string> status;             // active, suspended, not_invited, ...
    std::vector<std::string> account_status;     // active, inactive, closed
    std::vector<std::string> membership_status;  // active, suspended, no_membership
    std::string claim_status;                    // managed | unmanaged | "" for both
    std::optional<bool> mfa_enabled;             // two-step verification (managed accounts)
    std::vector<std::string> resource_ids;       // workspace ARIs (max 20)
    std::vector<std::string> role_ids;           // e.g. atlassian/admin (max 10)
    std::vector<std::string> group_ids;          // max 10
    std::vector<std::string> account_ids;        // max 10
    std::vector<std::string> email_domains;      // max 10
    std::vector<std::string> emails;  // exact addresses, max 100 (POST search only; not searchTerm)
    std::vector<std::string> expand;  // platformRoles, productAccess, groups, counts.resources
    int limit = kMaxPageSize;
    std::string nickname_sort;  // sortBy nick_name: "asc" | "desc" | "" (the API's default order)
};

// Filters for POST .../groups/search.
struct GroupSearch {
    std::string directory_id = kAllDirectories;
    std::vector<std::string> group_ids;
    std::vector<std::string> account_ids;
    std::vector<std::string> resource_ids;
    std::vector<std::string> role_ids;
    std::vector<std::string> expand;  // counts.resources, counts.users
    int limit = kMaxPageSize;
};

struct Stats {
    std::uint64_t requests_sent = 0;  // HTTP requests, retries included
    std::uint64_t retries = 0;
    std::uint64_t rate_limited = 0;    // 429 responses
    std::uint64_t bytes_sent = 0;      // request bodies
    std::uint64_t bytes_received = 0;  // response bodies
    std::uint64_t failures = 0;        // calls that ended in an error (cancellations excluded)
};

template <typename T>
using Callback = std::function<void(Result<T>)>;

// Synchronous page handler: the next page is requested only after it returns.
template <typename T>
using PageHandler = std::function<void(const std::vector<T>& page)>;

// Asynchronous page handler for consumers that hand pages to another thread: the next page is
// requested only once `resume(true)` is called (from any thread); resume(false) stops the listing
// early, which then completes successfully.
template <typename T>
using AsyncPageHandler =
    std::function<void(std::vector<T> page, std::function<void(bool keep_going)> resume)>;

using MutationCallback = Callback<MutationOutcome>;

class Client {
  public:
    Client(asio::io_context& io, ClientConfig config);
    ~Client();  // outstanding callbacks are dropped; call cancel() first to have them complete
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // ---- reads ----
    void get_org(Callback<Org> done);  // cheapest key check
    void list_orgs(Callback<std::vector<Org>> done);
    // The organization's verified domains (GET /v1/orgs/{orgId}/domains, claim status verified).
    void list_domains(Callback<std::vector<std::string>> done);
    void list_workspaces(Callback<std::vector<Workspace>> done);
    void list_directories(Callback<std::vector<Directory>> done);

    void search_users(UserSearch search, PageHandler<DirectoryUser> on_page,
                      Callback<PageSummary> done);
    void search_users(UserSearch search, AsyncPageHandler<DirectoryUser> on_page,
                      Callback<PageSummary> done);
    void count_users(UserSearch filter, Callback<std::int64_t> done);

    void search_groups(GroupSearch search, PageHandler<Group> on_page, Callback<PageSummary> done);
    void search_groups(GroupSearch search, AsyncPageHandler<Group> on_page,
                       Callback<PageSummary> done);
    void list_groups(GroupSearch search, Callback<std::vector<Group>> done);  // all pages

    void get_group_roles(std::string directory_id, std::string group_id,
                         Callback<std::vector<GroupRoleAssignment>> done);
    void get_user_roles(std::string account_id, Callback<std::vector<UserRoleAssignment>> done);
    void get_user(std::string account_id, Callback<DirectoryUser> done);
    // Paced by a token bucket (last_active_per_minute); the request waits for a token.
    void last_active_dates(std::string account_id, Callback<UserActivity> done);

    // ---- mutations (each reports 409 "already so" as MutationOutcome::already_in_state) ----
    void suspend(std::string directory_id, std::string account_id, MutationCallback done);
    void restore(std::string directory_id, std::string account_id, MutationCallback done);
    void remove_from_directory(std::string directory_id, std::string account_id,
                               MutationCallback done);
    void add_to_group(std::string directory_id, std::string group_id, std::string account_id,
                      MutationCallback done);
    void remove_from_group(std::string directory_id, std::string group_id, std::string account_id,
                           MutationCallback done);
    // Direct product roles (v1): role e.g. "atlassian/user", resource a workspace ARI.
    void assign_user_role(std::string account_id, std::string role, std::string resource,
                          MutationCallback done);
    void revoke_user_role(std::string account_id, std::string role, std::string resource,
                          MutationCallback done);
    void assign_group_role(std::string directory_id, std::string group_id, std::string role,
                           std::string resource_id, MutationCallback done);
    void revoke_group_role(std::string directory_id, std::string group_id, std::string role,
                           std::string resource_id, MutationCallback done);
    // User management API, managed accounts only. The message is shown to the user.
    void lifecycle_disable(std::string account_id, std::string message, MutationCallback done);
    void lifecycle_enable(std::string account_id, MutationCallback done);

    // Stops all outstanding work: in-flight requests, retry waits and paced waits. Their
    // callbacks get ApiError::Kind::cancelled. The client remains usable for new calls.
    void cancel();
    Stats stats() const;

  private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace rosterd::atlassian
