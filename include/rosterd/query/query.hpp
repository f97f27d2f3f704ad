#pragma once
// Read-only questions over the published snapshot: the licence dashboard, the users browser and
// one user's details. The value types and options live here; the questions are answered from the
// snapshot's in-memory index (query_snapshot.hpp) on a database reader thread; renderers are
// separate (query_json.hpp).
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rosterd/model/inactivity.hpp"
#include "rosterd/model/user_filter.hpp"
#include "rosterd/query/pricing.hpp"
#include "rosterd/store/store.hpp"

namespace rosterd::query {

inline constexpr const char* kNoDataMessage = "no data yet: run rosterctl sync";

// Before the first successful sync there is nothing to answer from.
class NoDataError : public std::runtime_error {
  public:
    NoDataError() : std::runtime_error(kNoDataMessage) {}
};

// A question that cannot be answered as asked (unknown site, changed snapshot, ...).
class QueryError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Which data an answer comes from.
struct SnapshotInfo {
    std::int64_t id = 0;
    std::int64_t as_of_ms = 0;  // when the sync completed (taken_at if it never recorded that)
    std::string org_id;
    std::string org_name;
    int slot = 0;  // where its user rows are (snapshot_slots.hpp)
};

// The published snapshot; throws NoDataError before the first sync.
SnapshotInfo current_snapshot(store::Database& db);

// ---- Dashboard ----

struct DashboardOptions {
    std::int64_t now_ms = 0;
    std::optional<std::string> site;          // one site's figures only
    std::optional<int> inactive_days;         // overrides every configured threshold
    int default_days = kDefaultInactiveDays;  // inactivity.days
    std::map<std::string, int> per_product;   // inactivity.per_product
    Pricing pricing;
};

struct SiteFigures {
    std::string site;  // host
    std::string resource_id;
    std::int64_t total = 0;  // billable users
    std::int64_t inactive = 0;
    std::optional<std::int64_t> capacity;
    // With pricing: the band's seat price, what the billable seats cost, and what giving up the
    // inactive ones would save (tiers: not inactive x price, see pricing.hpp). Monthly.
    std::optional<double> monthly_seat_price, monthly_cost, inactive_monthly_cost;
    std::int64_t active() const { return total - inactive; }
};

struct ProductFigures {
    std::string product;  // the product key as the API names it (workspace typeKey)
    std::string name;     // display name
    int inactive_days = kDefaultInactiveDays;
    std::int64_t total = 0;
    std::int64_t inactive = 0;
    std::optional<std::int64_t> capacity;      // sum over sites, when every site reports one
    std::optional<double> monthly_seat_price;  // flat, or every site in the same band
    std::string pricing_model;                 // "flat", "monthly tiers", "annual tiers", ""
    std::optional<double> monthly_cost, inactive_monthly_cost;  // sums over the sites
    std::vector<SiteFigures> sites;                             // sorted by host
    std::int64_t active() const { return total - inactive; }
};

struct Dashboard {
    SnapshotInfo snapshot;
    std::int64_t now_ms = 0;
    int inactive_days = kDefaultInactiveDays;  // the threshold in force (products may override it)
    std::optional<std::string> site;
    std::string currency;
    std::vector<ProductFigures> products;  // sorted by product key
};

// Total = billable access (active, human, user or admin role: as Atlassian bills); inactive = of
// those, no activity in that product for at least the product's days (never used: counted from
// added_to_org; unknown added_to_org: not counted). compute_dashboard (query_snapshot.hpp) throws
// QueryError for an unknown site.

// "jira-software" -> "Jira"; unknown keys come back as they are.
std::string product_display_name(const std::string& product_key);

// ---- Users ----

enum class UserSort { name, email, last_active };
std::optional<UserSort> parse_user_sort(std::string_view text);
std::string_view to_string(UserSort sort);

// Which users, in which order. Every filter must match (a saved filter narrowed by flags is two
// filters). The last-active sort and column follow the scope (product/site) of the last filter
// that names one.
struct UserSelection {
    std::vector<UserFilter> filters;
    UserSort sort = UserSort::name;
    std::int64_t now_ms = 0;
};

// select_users (query_snapshot.hpp) orders name and email ascending, case-insensitive; last active
// ascending with never-active first; ties by account id.

struct UserAccessRow {
    std::string resource_id;
    std::string product;  // product key ("" when the product is not in the snapshot)
    std::string site;     // site host
    std::string role;
    bool billable = false;
    std::string via;  // group | direct
    std::optional<std::int64_t> last_active_ms;
};

struct UserGroupRef {
    std::string id;
    std::string name;
};

struct UserRow {
    std::string account_id;
    std::string name;
    std::string nickname;
    std::string email;
    std::string status;
    std::string account_type;  // "app" for app accounts, else as the API says
    std::string account_status;
    std::string membership_status;
    std::string claim_status;
    std::string management_source;
    std::string directory_id;
    std::optional<std::int64_t> added_to_org_ms;
    std::vector<std::string> platform_roles;
    bool org_admin = false;
    bool site_admin = false;
    std::vector<std::string> sites;              // every site the user is on, whatever the filter
    std::vector<UserAccessRow> access;           // by site, then product
    std::vector<UserGroupRef> groups;            // by name
    std::optional<std::int64_t> last_active_ms;  // in the scope when given, else the latest
};

// Where the last-active column looks: a product and/or a site, or everywhere.
struct ActivityScope {
    std::optional<std::string> product;
    std::optional<std::string> site;
};
ActivityScope activity_scope(const UserSelection& selection);

}  // namespace rosterd::query
