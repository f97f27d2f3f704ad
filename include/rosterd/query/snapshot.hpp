#pragma once
// The published snapshot held in memory for questions, read once per snapshot.
//
// Why not SQL per question: on a 100,000-user snapshot every per-user SQL evaluation costs a
// b-tree seek or a row decode per user (~1-2 us each on a loaded 2-core host), 100-2000 ms per
// filtered page; the targets are 50 ms for a page and 100 ms for the dashboard. Reading the
// snapshot once (three sequential scans, about a second) and answering from compact vectors
// costs a few milliseconds per question. The index is immutable and shared by every reader
// thread; a new one is built when a sync publishes a new snapshot.
#include <cstdint>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "rosterd/config/config.hpp"
#include "rosterd/model/access_scope.hpp"
#include "rosterd/model/user_filter.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::query {

// ASCII-only lowering: search and ordering are case-insensitive for A-Z and leave every other
// byte (UTF-8 included) as it is, so results do not depend on the locale.
std::string ascii_lower(std::string_view text);

// "No instant": never active, or added_to_org unknown.
inline constexpr std::int64_t kNoInstant = std::numeric_limits<std::int64_t>::min();

// Small texts many users share (status, role, domain, ...), stored once and compared as ids.
using TextId = std::uint32_t;

struct IndexedProduct {
    std::string resource_id;
    std::string key;   // product key; empty for a resource the snapshot's products do not list
    std::string site;  // host
    std::optional<std::int64_t> capacity;
};

struct IndexedGroup {
    std::string id;
    std::string name;
    std::string name_lower;
};

struct IndexedAccess {
    std::uint32_t product = 0;  // into SnapshotIndex::products
    TextId role = 0;
    bool billable = false;
    bool via_group = false;
    std::int64_t last_active = kNoInstant;
};

// Text the index owns, in large blocks: a view into it stays valid for the life of its owner,
// moves included. Per-user strings cost their bytes and a 16-byte view instead of a 32-byte
// std::string plus a heap allocation each (100k users: ~30 MiB less).
class TextStore {
  public:
    std::string_view keep(std::string_view text);
    // The ASCII-lowered text: `text` itself (a view kept already) when it has no upper case.
    std::string_view keep_lower(std::string_view text);

  private:
    static constexpr std::size_t kBlockSize = 64 * 1024;
    std::vector<std::unique_ptr<char[]>> blocks_;
    char* current_ = nullptr;  // the free part of the block small texts go to
    std::size_t left_ = 0;
};

// Views into the owning SnapshotIndex's TextStore.
struct IndexedUser {
    std::string_view account_id, name, email, nickname;
    std::string_view name_lower, email_lower;  // ASCII-lowered, for search and ordering
    TextId status = 0, account_type = 0, account_status = 0, membership_status = 0,
           claim_status = 0, management_source = 0, directory = 0, platform_roles = 0, domain = 0;
    std::int64_t added = kNoInstant;
    std::int64_t last_active = kNoInstant;  // the latest in any product
    bool app = false, org_admin = false, site_admin = false;
    std::uint32_t access_begin = 0, access_end = 0;  // into SnapshotIndex::access
    std::uint32_t groups_begin = 0, groups_end = 0;  // into SnapshotIndex::memberships
};

class SnapshotIndex {
  public:
    SnapshotInfo info;
    std::vector<IndexedProduct> products;  // listed products first, by key, site, resource
    std::size_t listed_products = 0;       // products[0..listed) come from the products table
    std::vector<std::string> sites;        // every host, sorted
    std::vector<IndexedGroup> groups;
    std::vector<IndexedUser> users;
    std::vector<IndexedAccess> access;          // each user's rows together, by site and product
    std::vector<std::uint32_t> memberships;     // group indexes, each user's together, by name
    std::vector<std::uint32_t> by_name;         // user indexes by name (case-insensitive), id
    std::vector<std::uint32_t> by_email;        // by email (case-insensitive), id
    std::vector<std::uint32_t> by_last_active;  // never active first, then oldest first, id
    // Per listed product, the instant each billable seat has been idle since (its last activity,
    // or the user's join when never used; kNoInstant when neither is known), ascending. The
    // dashboard counts a product's seats and idle seats with two binary searches instead of a
    // pass over every user (500k users: ~15 ms -> microseconds, whatever the inactivity asked).
    std::vector<std::vector<std::int64_t>> seat_idle_since;

    const std::vector<std::uint32_t>& by_account() const { return by_account_; }  // by account id
    const std::string& text(TextId id) const { return texts_[id]; }
    // The id of an interned text, or nullopt when no row of the snapshot holds it.
    std::optional<TextId> find_text(std::string_view text) const;
    std::optional<std::uint32_t> find_user(std::string_view account_id) const;

    // Builders (the loader and tests).
    TextId intern(std::string_view text);
    std::string_view keep(std::string_view text) { return user_texts_.keep(text); }
    std::string_view keep_lower(std::string_view text) { return user_texts_.keep_lower(text); }
    void index_users();  // fills the account order and the three orders
    void index_seats();  // fills seat_idle_since from users and access (after both are loaded)
    // A view of `base` (restrict_to_scope): the same texts and ids, user texts borrowed from it.
    void borrow_texts(std::shared_ptr<const SnapshotIndex> base);

  private:
    std::vector<std::string> texts_{""};
    // Looked up by string_view without building a std::string (nine lookups per user loaded).
    struct TextHash {
        using is_transparent = void;
        std::size_t operator()(std::string_view text) const {
            return std::hash<std::string_view>{}(text);
        }
    };
    std::unordered_map<std::string, TextId, TextHash, std::equal_to<>> text_ids_{{"", 0}};
    TextStore user_texts_;
    std::vector<std::uint32_t> by_account_;      // user indexes by account id, for find_user
    std::shared_ptr<const SnapshotIndex> base_;  // owns the user texts of a scoped view
};

// Reads the published snapshot. Throws NoDataError before the first sync. Run it inside a read
// transaction so that every table is read from the same snapshot.
std::shared_ptr<const SnapshotIndex> load_snapshot_index(store::Database& db);

// The part of `base` a scoped caller sees (issue 19): only the products on sites the scope
// reaches (by product and site; group patterns play no part in seeing), only users with access to
// one of them, only that access, and last activity over that access alone, so that every question
// answered from it (dashboard, users, user, filters, exports) shows in-scope figures and totals.
// A scope that sees everything (no rule limiting sites or products) returns `base` itself.
std::shared_ptr<const SnapshotIndex> restrict_to_scope(std::shared_ptr<const SnapshotIndex> base,
                                                       const Scope& scope);

// What control.access scopes name that the snapshot does not have: "control.access entry at line
// 7: site acme-xx.atlassian.net is not in the organization" (a warning: the organization may
// gain it later). Checked once per snapshot, after the first sync.
std::vector<std::string> unknown_scope_names(const std::vector<ScopedAccessEntry>& entries,
                                             const SnapshotIndex& index);

// The index of the published snapshot, built on first use after each publish. Thread-safe: reader
// threads share one index; a reader that finds it out of date rebuilds it while the others wait.
class SnapshotCache {
  public:
    // Call inside a read transaction. Throws NoDataError.
    std::shared_ptr<const SnapshotIndex> current(store::Database& db);
    // The snapshot id held, if any (for status).
    std::optional<std::int64_t> held() const;
    void clear();
    // Lets the index go and gives the freed memory back to the system (a question still working
    // on it keeps it alive until done; the next question loads the published snapshot again).
    void release();
    // For warming up after a publish (QueryService::refresh_index): current(), or nullptr when
    // the published snapshot's index was released (a sync runs: a question reloads it, a timer
    // does not). Call inside a read transaction. Throws NoDataError.
    std::shared_ptr<const SnapshotIndex> warm(store::Database& db);

  private:
    mutable std::mutex mutex_;
    std::shared_ptr<const SnapshotIndex> index_;
    std::optional<std::int64_t> released_;  // the snapshot whose index release() let go
};

// A UserFilter compiled against one snapshot: names resolved to ids once, then a cheap test per
// user. This is the filter's one implementation; every command that selects users uses it.
class UserMatcher {
  public:
    UserMatcher(const SnapshotIndex& index, const UserFilter& filter, std::int64_t now_ms);
    bool operator()(std::uint32_t user) const;
    // The same test, and when the user fails it only because they are not idle long enough yet,
    // lowers `changes_at` to the instant they will be (no other part of a filter depends on the
    // time asked, and idleness only grows with it). A selection made at `now` therefore holds
    // for every instant in [now, the lowest changes_at): that is what lets an answer be reused.
    bool operator()(std::uint32_t user, std::int64_t& changes_at) const;

  private:
    bool in_scope(const IndexedAccess& a) const;
    std::int64_t idle_from(const IndexedUser& u) const;
    bool never_active(const IndexedUser& u) const;
    bool is_admin(const IndexedUser& u) const;

    const SnapshotIndex& index_;
    bool impossible_ = false;  // a value no user of the snapshot can have
    std::optional<std::string> search_;
    bool scoped_ = false;
    std::vector<bool> scope_;  // per product
    std::optional<TextId> role_;
    std::optional<std::int64_t> inactive_cutoff_;
    std::int64_t inactive_span_ms_ = 0;  // the filter's days; cutoff + span = the time asked
    bool never_active_ = false;
    std::vector<bool> excluded_products_;
    bool has_excluded_ = false;
    std::vector<TextId> statuses_;
    std::vector<bool> groups_, not_groups_;
    bool has_groups_ = false, has_not_groups_ = false;
    std::vector<TextId> domains_;
    std::optional<bool> app_;
    std::optional<TextId> account_type_;
    std::optional<TextId> claim_;
    std::optional<std::int64_t> added_before_, added_after_;
    std::optional<bool> admins_;
    std::optional<TextId> admin_role_;
};

// ---- Questions over an index ----

Dashboard compute_dashboard(const SnapshotIndex& index, const DashboardOptions& options);

// The matching users (indexes into index.users), in the selection's order.
std::vector<std::uint32_t> select_users(const SnapshotIndex& index, const UserSelection& selection);
// The same, and the first instant after selection.now_ms at which the answer may differ
// (kNever when no instant will change it): the answer holds for every time asked in
// [selection.now_ms, valid_until_ms).
inline constexpr std::int64_t kNever = std::numeric_limits<std::int64_t>::max();
std::vector<std::uint32_t> select_users(const SnapshotIndex& index, const UserSelection& selection,
                                        std::int64_t& valid_until_ms);
std::size_t count_users(const SnapshotIndex& index, const UserSelection& selection);

UserRow make_user_row(const SnapshotIndex& index, std::uint32_t user, const ActivityScope& scope);

// By account id, else by email (case-insensitive). nullopt when no one matches; throws
// QueryError when an email matches several accounts.
std::optional<std::uint32_t> find_user(const SnapshotIndex& index, const std::string& id_or_email);

}  // namespace rosterd::query
