#include "query_synthetic.hpp"

#include <algorithm>
#include <array>
#include <chrono>
#include <map>
#include <vector>

#include "daemon/sync/snapshot_writer.hpp"

namespace rosterd::bench {
namespace {

constexpr std::int64_t kDayMs = 86'400'000;

// SplitMix64: tiny, fast and good enough for test data.
class Random {
  public:
    explicit Random(std::uint64_t seed) : state_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    double unit() { return static_cast<double>(next() >> 11) * (1.0 / 9007199254740992.0); }
    bool chance(double p) { return unit() < p; }
    std::uint64_t below(std::uint64_t n) { return next() % n; }
    std::int64_t between(std::int64_t low, std::int64_t high) {
        return low + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(high - low + 1)));
    }
    std::string hex(int digits) {
        static const char* kHex = "0123456789abcdef";
        std::string out;
        for (int i = 0; i < digits; ++i)
            out += kHex[below(16)];
        return out;
    }

  private:
    std::uint64_t state_;
};

struct ProductKind {
    const char* type_key;
    const char* type;
    double share;   // of a site's users holding it
    bool capacity;  // seats are capped
};

constexpr std::array<ProductKind, 4> kProducts{{
    {"jira-software", "jira", 0.75, true},
    {"confluence", "confluence", 0.65, true},
    {"jira-servicedesk", "jira-servicedesk", 0.25, false},
    {"jira-product-discovery", "jira-product-discovery", 0.2, false},
}};

constexpr std::array<const char*, 8> kFirst{"Dana", "Alex",  "Sam",   "Robin",
                                            "Kim",  "Quinn", "Priya", "Mateo"};
constexpr std::array<const char*, 8> kLast{"Example", "Miller", "Okafor", "Schmidt",
                                           "Garcia",  "Nguyen", "Rossi",  "Müller"};
constexpr std::array<const char*, 5> kDomains{"acme.com", "acme.io", "gmail.com", "outlook.com",
                                              "contractor.dev"};

}  // namespace

SyntheticSummary write_synthetic_snapshot(store::Database& db, const SyntheticOptions& o) {
    auto started = std::chrono::steady_clock::now();
    Random org(o.seed);
    auto ids = sync::begin_snapshot(db, "bench", o.now_ms);
    const auto snap = ids.snapshot_id;
    sync::write_org(db, snap, {"bench-org", "Bench Org"});

    std::vector<atlassian::Workspace> workspaces;
    for (std::size_t s = 0; s < o.sites; ++s) {
        std::string cloud = org.hex(8) + "-" + org.hex(4) + "-4" + org.hex(3) + "-8" + org.hex(3) +
                            "-" + org.hex(12);
        std::string host =
            (s == 0 ? std::string("acme") : "acme-" + std::to_string(s + 1)) + ".atlassian.net";
        for (const auto& p : kProducts)
            workspaces.push_back(
                {std::string("ari:cloud:") + p.type + "::site/" + cloud, p.type, p.type_key, "acme",
                 "https://" + host, "online",
                 p.capacity ? std::optional<std::int64_t>(o.users) : std::nullopt});
    }
    sync::write_workspaces(db, snap, workspaces);

    // Role-granting groups (one per product resource) and plain groups.
    std::vector<atlassian::Group> groups;
    for (const auto& w : workspaces) {
        atlassian::Group g{org.hex(32),
                           w.type_key + "-users-" + w.id.substr(w.id.size() - 6),
                           "grants access",
                           "dir",
                           false,
                           "admins",
                           {},
                           {}};
        groups.push_back(g);
    }
    const std::size_t role_groups = groups.size();
    for (std::size_t i = role_groups; i < o.groups; ++i)
        groups.push_back({org.hex(32),
                          "team-" + std::to_string(i),
                          "",
                          "dir",
                          i % 7 == 0,
                          i % 7 == 0 ? "external" : "admins",
                          {},
                          {}});
    sync::write_groups(db, snap, groups);
    sync::GroupGrants grants;
    sync::AccountNumbers numbers;
    for (std::size_t r = 0; r < role_groups; ++r) {
        sync::write_group_roles(
            db, snap, groups[r].id,
            {{workspaces[r].id, workspaces[r].type_key, {"atlassian/user"}, ""}});
        grants[groups[r].id].push_back(workspaces[r].id);
    }

    std::map<std::string, std::vector<std::pair<std::string, std::string>>> admins, others;
    std::vector<atlassian::DirectoryUser> page;
    SyntheticSummary summary;
    summary.snapshot_id = snap;
    const std::size_t products_per_site = kProducts.size();
    for (std::size_t i = 0; i < o.users; ++i) {
        Random r(o.seed * 1'000'003 + i);
        atlassian::DirectoryUser u;
        u.account_id = r.chance(0.1) ? r.hex(24)
                                     : "557058:" + r.hex(8) + "-" + r.hex(4) + "-" + r.hex(4) +
                                           "-" + r.hex(4) + "-" + r.hex(12);
        u.account_type = "atlassian";
        u.name = std::string(kFirst[r.below(kFirst.size())]) + " " + kLast[r.below(kLast.size())];
        u.nickname = "user" + std::to_string(i);
        bool app = r.chance(0.01);
        const char* domain = app ? "connect.atlassian.com" : kDomains[r.below(kDomains.size())];
        u.email = u.nickname + "@" + domain;
        bool managed = !app && std::string(domain).rfind("acme", 0) == 0;
        u.claim_status = managed ? "managed" : "unmanaged";
        u.management_source = managed ? "invited" : "";
        double s = r.unit();
        u.status = s < 0.9    ? "active"
                   : s < 0.95 ? "suspended"
                   : s < 0.98 ? "deactivated"
                              : "not_invited";
        u.account_status = u.status == "deactivated" ? "inactive" : "active";
        u.membership_status = u.status == "suspended"     ? "suspended"
                              : u.status == "not_invited" ? "no_membership"
                                                          : "active";
        u.added_to_org_ms = o.now_ms - r.between(0, 3 * 365 * kDayMs);
        if (r.chance(0.02))
            u.platform_roles.push_back("atlassian/org-admin");
        else if (r.chance(0.02))
            u.platform_roles.push_back("atlassian/site-admin");

        std::size_t primary = r.below(o.sites);
        std::vector<std::size_t> sites_of{primary};
        if (o.sites > 1 && r.chance(0.2))
            sites_of.push_back((primary + 1 + r.below(o.sites - 1)) % o.sites);
        for (std::size_t site : sites_of) {
            for (std::size_t p = 0; p < products_per_site; ++p) {
                if (!r.chance(kProducts[p].share * (site == primary ? 1.0 : 0.5)))
                    continue;
                const auto& w = workspaces[site * products_per_site + p];
                std::optional<std::int64_t> last;
                if (!r.chance(0.12)) {
                    double g = r.unit();
                    std::int64_t gap = g < 0.6    ? r.between(0, 30 * kDayMs)
                                       : g < 0.85 ? r.between(30 * kDayMs, 120 * kDayMs)
                                                  : r.between(120 * kDayMs, 365 * kDayMs);
                    last = std::max(*u.added_to_org_ms, o.now_ms - gap);
                }
                u.product_access.push_back({w.id, w.type, last});
                if (r.chance(0.7))
                    u.groups.push_back({groups[site * products_per_site + p].id, ""});
                double role = r.unit();
                if (role < 0.03)
                    admins[w.id].emplace_back(u.account_id, "atlassian/admin");
                else if (p == 1 && role < 0.08)
                    others[w.id].emplace_back(u.account_id, "atlassian/guest");
                else if (p == 2 && role < 0.25)
                    others[w.id].emplace_back(u.account_id, "atlassian/customer");
                else if (p == 3 && role < 0.15)
                    others[w.id].emplace_back(u.account_id, "atlassian/contributor");
            }
        }
        for (std::uint64_t g = r.below(4); g > 0; --g)
            u.groups.push_back({groups[role_groups + r.below(groups.size() - role_groups)].id, ""});
        std::sort(u.groups.begin(), u.groups.end(),
                  [](const auto& a, const auto& b) { return a.id < b.id; });
        u.groups.erase(std::unique(u.groups.begin(), u.groups.end(),
                                   [](const auto& a, const auto& b) { return a.id == b.id; }),
                       u.groups.end());
        summary.access_rows += static_cast<std::int64_t>(u.product_access.size());
        summary.memberships += static_cast<std::int64_t>(u.groups.size());
        page.push_back(std::move(u));
        if (page.size() == 1000 || i + 1 == o.users) {
            summary.users += sync::write_users(db, snap, page, grants, numbers);
            page.clear();
        }
    }
    for (const auto& [resource, list] : others)
        sync::write_role_overrides(db, snap, resource, "other", list);
    for (const auto& [resource, list] : admins)
        sync::write_role_overrides(db, snap, resource, "admin", list);
    sync::RunCounters counters;
    counters.users = summary.users;
    counters.groups = static_cast<std::int64_t>(groups.size());
    sync::finalize_and_publish(db, ids, counters, o.now_ms);
    summary.write_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    return summary;
}

}  // namespace rosterd::bench
