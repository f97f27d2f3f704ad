#pragma once
// The validated configuration. One YAML file; every key is declared once in daemon/config/ (the
// settings table), from which parsing, validation and the unknown-key check follow.
#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "rosterd/model/access_scope.hpp"
#include "rosterd/model/action.hpp"
#include "rosterd/model/inactivity.hpp"
#include "rosterd/model/user_filter.hpp"
#include "rosterd/schedule/schedule.hpp"

namespace rosterd {

inline constexpr const char* kDefaultConfigPath = "/etc/rosterd/rosterd.yaml";

// Who may use the control socket at which level. Names are resolved to ids when the file loads.
struct AccessGrant {
    std::vector<std::string> users;   // user names or numeric uids, as written
    std::vector<std::string> groups;  // group names or numeric gids, as written
    std::vector<std::uint32_t> uids;  // resolved
    std::vector<std::uint32_t> gids;  // resolved
};

// One entry of the list form of control.access: a user or a group, a level, and a scope.
struct ScopedAccessEntry {
    std::string user;   // name or uid, as written (exactly one of user and group)
    std::string group;  // name or gid, as written
    std::optional<std::uint32_t> uid, gid;  // resolved
    int level = 0;                          // 0 viewer, 1 operator, 2 admin (control::AccessLevel)
    ScopeRule scope;                        // unscoped when the entry has no scope:
    int line = 0;                           // where it was written, for load-time warnings
};

// Two forms: level-keyed ({admin: {users, groups}, ...}, unscoped, as before issue 19) or a list of
// entries with optional scopes. One file uses one form; both end up here.
struct AccessConfig {
    AccessGrant admin;
    AccessGrant operator_;
    AccessGrant viewer;
    std::vector<ScopedAccessEntry> entries;
};

struct WebhookConfig {
    std::string name;
    std::string url;                  // secret: never logged
    std::string url_file;             // alternative to url
    std::string format;               // slack | teams | google-chat | discord | json
    std::vector<std::string> events;  // empty = every event except those off by default
    std::string secret;               // json format: HMAC-SHA256 key; secret
    std::chrono::milliseconds timeout{10000};
};

// A task's seat target (`keep_at_most`, issue 17): bring the billable seats of one product (on one
// site, or on every site) down to `seats`, taking the longest-inactive matching users first and no
// more than needed. Product and site are resolved at load (given, or from the task's
// remove-product-access action, or from its filter).
struct SeatTarget {
    std::int64_t seats = 0;
    std::string product;  // product key
    std::string site;     // host; empty: the product's seats on every site together

    bool operator==(const SeatTarget&) const = default;
};

// A task's notice stage (issue 17): users are warned first and acted on only if they still match
// once `grace` has passed (docs/operations.md, "Notice before reclaim").
struct NoticeConfig {
    std::chrono::seconds grace{14 * 86400};
    bool email = false;  // mail each user (needs `email:`)
    std::vector<std::chrono::seconds>
        remind_before;           // reminders before the deadline, longest first
    bool release_email = false;  // mail a user the run releases that nothing will happen
};

// An automated task (`tasks:`): a bulk run on a schedule.
struct TaskConfig {
    std::string name;
    std::string saved_filter;  // the saved filter it names, when `filter` was a name
    UserFilter filter;         // the filter itself (the saved one, or the inline mapping)
    std::vector<ops::Action> actions;
    std::string schedule_text;  // canonical, as to_string(schedule) writes it
    Schedule schedule = IntervalSchedule{std::chrono::hours(24)};
    bool apply = false;            // mode: apply; default dry-run
    std::optional<int> max_users;  // default ops.max_users
    bool enabled = true;           // `rosterctl tasks enable|disable` overrides it (persisted)
    std::string reason;            // kept with each run, sent in its webhook events
    std::optional<SeatTarget> keep_at_most;
    std::optional<NoticeConfig> notice;  // notice before acting (docs/operations.md)
};

// Atlassian-style tiered pricing of one product: every seat costs the per-seat price of the band
// that the billable count falls into (so cutting seats can move into a dearer band).
struct PriceBand {
    std::optional<std::int64_t> up_to;  // the band's last count; none: every count above
    double per_seat = 0;                // per seat and billing period
};
struct PriceTiers {
    bool annual = false;           // per_seat is a price per year (figures are shown per month)
    std::vector<PriceBand> bands;  // ascending up_to; the last one open-ended
};

struct Config {
    std::string source_path;  // the file this came from
    // Every scalar of the file as "section.key" -> its text (list items as "key[0]"): what
    // `reload` compares to name the keys that changed. Never printed: values may be secrets.
    std::map<std::string, std::string> settings;

    struct Atlassian {
        std::string org_id;
        std::string api_base = "https://api.atlassian.com";
        std::string api_key_file;
        std::optional<std::int64_t> api_key_expires_days;  // days since epoch (YYYY-MM-DD in YAML)
        // Retries of 429s, 5xx and transport errors run against time budgets (docs/sync.md).
        struct Retry {
            int request_budget_s = 600;  // one request keeps retrying this long
            int sync_budget_s = 1800;    // a sync's (or run's) total time waiting for retries
            int backoff_initial_ms = 500;
            int backoff_max_s = 30;
        } retry;
    } atlassian;

    struct Http {
        int max_in_flight = 8;
        int connect_timeout_s = 10;
        int request_timeout_s = 60;
        std::string ca_file;
        std::string proxy;  // empty: curl's standard proxy environment variables
    } http;

    struct Storage {
        std::string path = "/var/lib/rosterd/rosterd.db";
    } storage;

    struct Control {
        std::string socket = "/run/rosterd/control.sock";
        AccessConfig access;
        // Connection limits: counted by the peer's uid; admins (root included) keep a reserve.
        int max_connections = 256;
        int max_connections_per_user = 32;
        int admin_reserve = 16;  // of max_connections; less than it
        int idle_timeout_s = 60;
    } control;

    struct Sync {
        int daily_hour = 5;
        int daily_minute = 0;
        std::string timezone;                            // IANA name; empty = the system zone
        std::string activity_source = "product-access";  // or "last-active-dates" (slow, opt-in)
        int partitions = 7;                              // user partitions paged at once: all
    } sync;

    struct Inactivity {
        int days = kDefaultInactiveDays;
        std::map<std::string, int> per_product;  // product key -> days
    } inactivity;

    // Seat prices for the dashboard's cost of inactive seats; empty currency: no pricing.
    struct Pricing {
        std::string currency;
        std::map<std::string, double> monthly_per_seat;  // product key -> price of one seat
        std::map<std::string, PriceTiers> tiers;         // product key -> tiered prices
    } pricing;

    // Seat history: every successful sync records the dashboard's figures per product and site.
    struct History {
        int keep_days = 400;  // older points are deleted; after 30 days, one point per day stays
    } history;

    // The weekly digest event (`digest`): opt-in per webhook.
    struct Digest {
        std::string schedule_text = "weekly mon 09:00";
        Schedule schedule = WeeklySchedule{std::bitset<7>(1 << 1), TimeOfDay{9, 0}};  // Monday
    } digest;

    // Saved user filters by name (`rosterctl users --filter NAME`, bulk runs, tasks).
    std::map<std::string, UserFilter> filters;

    // Never touched by a run or a task, whatever the filter says (org and site admins and app
    // accounts are always protected besides these).
    struct Protect {
        std::vector<std::string> users;    // account ids or emails
        std::vector<std::string> groups;   // group names or ids: their members
        std::vector<std::string> domains;  // email domains
    } protect;

    struct Ops {
        int max_users = 100;  // a run's plan may act on at most this many users
        std::chrono::minutes max_staleness{24 * 60};  // older snapshots are synced before applying
    } ops;

    std::vector<TaskConfig> tasks;

    struct Notifications {
        std::vector<WebhookConfig> webhooks;
        std::vector<int> api_key_reminder_days{7};
        // How the outbox retries a delivery before marking it dead.
        struct Delivery {
            int max_attempts = 12;
            std::chrono::hours max_age{48};
            std::chrono::milliseconds backoff_initial{10000};  // doubled per failed attempt
            std::chrono::milliseconds backoff_max{30 * 60 * 1000};
        } delivery;
    } notifications;

    // Alerts computed at each sync (issue 17).
    struct Alerts {
        // seats_near_capacity when a product's billable seats on a site reach this share of its
        // capacity; none: off.
        std::optional<int> seats_at_percent;
    } alerts;
    // Mail to users on notice, through an SMTP server (libcurl), via the outbox; off when
    // smtp_url is empty. The password is read from password_file at each send, never logged.
    struct Email {
        std::string smtp_url;  // smtp://host:port or smtps://host:port
        std::string from;
        std::string username;
        std::string password_file;
        bool starttls = true;  // `required` (default); `off` only for a server on localhost
        std::string ca_file;   // CA bundle for the SMTP server; empty: http.ca_file, else system
        std::string subject = "Your access to {products} will be removed on {deadline}";
        std::string body =
            "Hello {name},\n\nyou have not used {products} on {sites} since {last_active}. "
            "Unless you use it again, your access will be removed on {deadline} ({days_left} "
            "days from now).\n\nReason: {reason}\n\nQuestions: {contact}\n";
        // The mail to a released user (tasks[].notice.release_email).
        std::string release_subject = "Your access to {products} stays: nothing will happen";
        std::string release_body =
            "Hello {name},\n\nyou were told that your access to {products} on {sites} would be "
            "removed on {deadline}. It will not be: {release_reason}. Nothing will happen to "
            "your access.\n\nQuestions: {contact}\n";
        std::string contact;  // the admin contact the templates name
        int per_minute = 60;  // at most this many mails a minute
        bool enabled() const { return !smtp_url.empty(); }
    } email;

    // The Prometheus endpoint (docs/metrics.md); off unless listen is set.
    struct Metrics {
        std::string listen;         // HOST:PORT or a UNIX socket path; empty: off
        bool allow_remote = false;  // a listen address other hosts can reach is refused unless set
    } metrics;

    struct Logging {
        std::string level = "info";  // trace|debug|info|warn|error|critical|off
    } logging;

    // Directory for state next to the database (stored key, etc.).
    std::string state_directory() const;
};

// One problem found in a configuration file.
struct ConfigIssue {
    std::string file;
    int line = 0;    // 1-based; 0 when the problem is not at a place in the file
    int column = 0;  // 1-based
    std::string key_path;
    std::string message;
    // "FILE:LINE:COL: key.path: message"
    std::string text() const;
};

// Raised for any invalid configuration. A file is read to its end and every problem is reported
// (up to kMaxConfigIssues), so an admin fixes them in one round; what() has one issue per line,
// "FILE:LINE:COL: key.path: message". The accessors describe the first issue.
class ConfigError : public std::runtime_error {
  public:
    static constexpr std::size_t kMaxConfigIssues = 20;

    ConfigError(std::string file, int line, int column, std::string key_path, std::string message);
    // `truncated`: more problems were found than kMaxConfigIssues and reading stopped.
    explicit ConfigError(std::vector<ConfigIssue> issues, bool truncated = false);
    const std::string& file() const { return issues_.front().file; }
    int line() const { return issues_.front().line; }
    int column() const { return issues_.front().column; }
    const std::string& key_path() const { return issues_.front().key_path; }
    const std::string& detail() const { return issues_.front().message; }
    const std::vector<ConfigIssue>& issues() const { return issues_; }
    bool truncated() const { return truncated_; }

  private:
    std::vector<ConfigIssue> issues_;
    bool truncated_ = false;
};

// Loads and validates a configuration file. Throws ConfigError.
Config load_config_file(const std::string& path);

// The keys whose value differs between two configurations (added, removed or changed), sorted.
std::vector<std::string> changed_settings(const Config& before, const Config& after);

// The keys a reload cannot apply (they take effect after a restart), declared once
// (config_settings.cpp); and those of them whose values differ between `before` and `after`.
std::vector<std::string_view> restart_only_keys();
std::vector<std::string> restart_only_changes(const Config& before, const Config& after);

// Parses YAML text; `source_name` is used in error messages. Throws ConfigError.
Config parse_config(const std::string& yaml_text, const std::string& source_name);

// Every key path the settings table declares for the sections `yaml_text` (a valid configuration
// that uses every section, such as config/rosterd.example.yaml) opens, in declaration order, each
// once: list indices read "[]" ("tasks[].name") and saved filter names "<name>"
// ("filters.<name>.product"). Throws ConfigError when the text is invalid.
std::vector<std::string> declared_config_keys(const std::string& yaml_text,
                                              const std::string& source_name);

}  // namespace rosterd
