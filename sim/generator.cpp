#include "generator.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <stdexcept>
#include <tuple>

#include "activity_text.hpp"
#include "prng.hpp"
#include "rosterd/base/text.hpp"

namespace rosterd::sim {

namespace {

constexpr std::int64_t kDayMs = 86'400'000;

constexpr std::array<std::string_view, 8> kSiteNames{"acme",      "acme-eu",   "acme-labs",
                                                     "acme-apac", "acme-dev",  "acme-research",
                                                     "acme-ops",  "acme-sales"};
constexpr std::array<std::string_view, 32> kFirstNames{
    "Dana",  "Alex",  "Sam",   "Robin", "Kim",   "Jordan", "Taylor", "Morgan",
    "Casey", "Jamie", "Riley", "Avery", "Quinn", "Harper", "Rowan",  "Sasha",
    "Noa",   "Mika",  "Elena", "Omar",  "Priya", "Chen",   "Lena",   "Mateo",
    "Ines",  "Yusuf", "Hana",  "Lucas", "Aiko",  "Nils",   "Zoe",    "Ravi"};
constexpr std::array<std::string_view, 32> kLastNames{
    "Example",  "Miller",  "Okafor", "Schmidt", "Garcia", "Nguyen", "Rossi",  "Kowalski",
    "Tanaka",   "Haddad",  "Larsen", "Dubois",  "Silva",  "Novak",  "Ahmed",  "Fischer",
    "Moreau",   "Ivanova", "Kumar",  "Berg",    "Costa",  "Walsh",  "Yilmaz", "Park",
    "Andersen", "Lopez",   "Meyer",  "Sato",    "Brown",  "Weber",  "Jansen", "Petrov"};
constexpr std::array<std::string_view, 3> kVerifiedDomains{"acme.com", "acme.io", "acme-labs.com"};
constexpr std::array<std::string_view, 6> kExternalDomains{"gmail.com",      "outlook.com",
                                                           "contractor.dev", "partner-agency.com",
                                                           "yahoo.com",      "freelance.io"};
constexpr std::array<std::string_view, 5> kGroupPrefixes{"team", "dept", "project", "guild",
                                                         "office"};
constexpr std::array<std::string_view, 16> kGroupWords{
    "engineering", "marketing", "sales", "finance", "support",    "design",   "platform", "mobile",
    "data",        "security",  "legal", "people",  "operations", "research", "quality",  "devops"};

enum class Kind { Normal, App, OrgAdmin, SiteAdmin };

std::string lower(std::string_view text) {
    return lowercase(text);
}

// Role-granting groups every site gets, per product.
struct RoleGroupSpec {
    std::string_view prefix;
    Role role;
};

std::vector<RoleGroupSpec> role_group_specs(std::string_view type_key) {
    if (type_key == "jira-software") {
        return {{"jira-software-users-", Role::User}, {"jira-software-admins-", Role::Admin}};
    }
    if (type_key == "confluence") {
        return {{"confluence-users-", Role::User},
                {"confluence-admins-", Role::Admin},
                {"confluence-guests-", Role::Guest}};
    }
    if (type_key == "jira-servicedesk") {
        return {{"jira-servicedesk-users-", Role::User},
                {"jira-servicedesk-admins-", Role::Admin},
                {"jsm-customers-", Role::Customer}};
    }
    return {{"jira-product-discovery-users-", Role::User},
            {"jira-product-discovery-admins-", Role::Admin},
            {"jpd-contributors-", Role::Contributor}};
}

class Builder {
  public:
    explicit Builder(const GeneratorOptions& options)
        : options_(options), org_rng_(mix_seed(options.seed, 0x6f7267)) {}

    Model build() {
        model_.org = Org{options_.org_id, options_.org_name};
        model_.now_ms = options_.now_ms;
        make_directories();
        make_sites();
        make_role_groups();
        make_plain_groups();
        for (std::size_t i = 0; i < options_.users; ++i)
            make_user(i);
        model_.finalize();
        set_capacities();
        return std::move(model_);
    }

  private:
    void make_directories() {
        model_.directories.push_back(Directory{org_rng_.uuid(), options_.org_name});
        // A second directory for larger orgs exercises the "-" (every directory) path.
        if (options_.users > 1000) {
            model_.directories.push_back(Directory{org_rng_.uuid(), "Contractors"});
        }
    }

    void make_sites() {
        for (std::size_t s = 0; s < options_.sites; ++s) {
            Site site;
            site.name = s < kSiteNames.size() ? std::string(kSiteNames[s])
                                              : "acme-" + std::to_string(s + 1);
            site.cloud_id = org_rng_.uuid();
            for (std::size_t p = 0; p < options_.products_per_site; ++p) {
                Product product;
                product.catalogue = &kCatalogue[p];
                product.resource_id = resource_ari(kCatalogue[p], site.cloud_id);
                product.site = s;
                site.products.push_back(model_.products.size());
                model_.products.push_back(std::move(product));
            }
            model_.sites.push_back(std::move(site));
        }
    }

    void add_role_group(std::size_t directory, std::size_t resource, Role role, std::string name) {
        const Product& product = model_.products[resource];
        Group group;
        group.id = org_rng_.uuid();
        group.name = std::move(name);
        group.description = "Grants " + std::string(role_id(role)) + " on " +
                            std::string(product.catalogue->display_name) + " at " +
                            model_.sites[product.site].host();
        group.directory = directory;
        group.roles.push_back(Grant{resource, role});
        role_groups_[{directory, resource, role}] = model_.groups.size();
        model_.groups.push_back(std::move(group));
    }

    void make_role_groups() {
        for (const auto& site : model_.sites) {
            for (std::size_t resource : site.products) {
                const auto* catalogue = model_.products[resource].catalogue;
                for (const auto& spec : role_group_specs(catalogue->type_key)) {
                    add_role_group(0, resource, spec.role, std::string(spec.prefix) + site.name);
                }
                if (model_.directories.size() > 1) {
                    add_role_group(
                        1, resource, Role::User,
                        "contractors-" + std::string(catalogue->type_key) + "-users-" + site.name);
                }
            }
        }
    }

    void make_plain_groups() {
        std::size_t total =
            options_.groups.value_or(std::max<std::size_t>(20, options_.users / 50));
        std::size_t plain = total > model_.groups.size() ? total - model_.groups.size() : 0;
        plain_groups_.resize(model_.directories.size());
        const std::size_t combos = kGroupPrefixes.size() * kGroupWords.size();
        for (std::size_t j = 0; j < plain; ++j) {
            Group group;
            group.id = org_rng_.uuid();
            group.name = std::string(kGroupPrefixes[j % kGroupPrefixes.size()]) + "-" +
                         std::string(kGroupWords[(j / kGroupPrefixes.size()) % kGroupWords.size()]);
            if (j >= combos)
                group.name += "-" + std::to_string(j / combos + 1);
            group.directory = (model_.directories.size() > 1 && j % 10 == 9) ? 1 : 0;
            if (org_rng_.chance(0.15)) {
                group.external_synced = true;
                group.managed_by = "external";
                group.description = "Synced from the identity provider";
            } else {
                double r = org_rng_.unit();
                group.managed_by = r < 0.7 ? "admins" : (r < 0.9 ? "team-members" : "open");
                group.description = org_rng_.chance(0.3) ? "" : "Members of " + group.name;
            }
            plain_groups_[group.directory].push_back(model_.groups.size());
            model_.groups.push_back(std::move(group));
        }
    }

    Kind pick_kind(std::size_t index, SplitMix64& rng) {
        double k = rng.unit();
        // The first three users are always an org admin, a site admin and an app, so even tiny
        // test orgs hold every protected kind.
        if (index == 0)
            return Kind::OrgAdmin;
        if (index == 1)
            return Kind::SiteAdmin;
        if (index == 2)
            return Kind::App;
        if (k < 0.01)
            return Kind::App;
        if (k < 0.03)
            return Kind::OrgAdmin;
        if (k < 0.05)
            return Kind::SiteAdmin;
        return Kind::Normal;
    }

    std::string account_id(SplitMix64& rng) {
        // Mostly "557058:<uuid>", some legacy 24-hex ids: clients must not assume one format.
        if (rng.chance(0.1))
            return rng.hex(24);
        return "557058:" + rng.uuid();
    }

    void grant(User& user, std::size_t resource, Role role, SplitMix64& rng) {
        auto it = role_groups_.find({user.directory, resource, role});
        bool direct = it == role_groups_.end() || rng.chance(0.10);
        if (direct) {
            user.direct_roles.push_back(Grant{resource, role});
        } else {
            user.groups.push_back(it->second);
        }
        bool recently_added = user.added_ms > model_.now_ms - 14 * kDayMs;
        if (rng.chance(recently_added ? 0.5 : 0.10))
            return;  // never active on this product
        double u = rng.unit();
        std::int64_t gap = u < 0.6    ? rng.between(0, 30 * kDayMs)
                           : u < 0.85 ? rng.between(30 * kDayMs, 120 * kDayMs)
                                      : rng.between(120 * kDayMs, 365 * kDayMs);
        std::int64_t last = model_.now_ms - gap;
        if (last < user.added_ms)
            last = rng.between(user.added_ms, model_.now_ms);
        constexpr std::array<int, 4> kFractionDigits{0, 3, 6, 9};
        int digits = kFractionDigits[rng.below(kFractionDigits.size())];
        user.activity[resource] = make_activity(last, digits, rng.next());
    }

    void grant_normal_roles(User& user, std::size_t site_index, double factor, SplitMix64& rng) {
        bool unmanaged = user.claim == ClaimStatus::Unmanaged;
        for (std::size_t resource : model_.sites[site_index].products) {
            std::string_view type_key = model_.products[resource].catalogue->type_key;
            std::optional<Role> role;
            if (type_key == "jira-software") {
                if (rng.chance(0.75 * factor)) {
                    double r = rng.unit();
                    role = r < 0.015   ? Role::Basic
                           : r < 0.025 ? Role::Stakeholder
                           : r < 0.035 ? Role::Admin
                                       : Role::User;
                }
            } else if (type_key == "confluence") {
                if (rng.chance(0.65 * factor)) {
                    role = rng.chance(unmanaged ? 0.3 : 0.03)
                               ? Role::Guest
                               : (rng.chance(0.01) ? Role::Admin : Role::User);
                }
            } else if (type_key == "jira-servicedesk") {
                if (rng.chance(0.12 * factor)) {
                    role = Role::User;
                } else if (rng.chance((unmanaged ? 0.35 : 0.15) * factor)) {
                    role = Role::Customer;
                }
            } else {
                if (rng.chance(0.2 * factor)) {
                    role = Role::User;
                } else if (rng.chance(0.1 * factor)) {
                    role = Role::Contributor;
                }
            }
            if (role)
                grant(user, resource, *role, rng);
        }
    }

    void make_user(std::size_t index) {
        SplitMix64 rng(mix_seed(options_.seed, index + 1));
        Kind kind = pick_kind(index, rng);
        User user;
        user.account_id = account_id(rng);
        std::string first(kFirstNames[rng.below(kFirstNames.size())]);
        std::string last(kLastNames[rng.below(kLastNames.size())]);
        std::string local = lower(first) + "." + lower(last) + std::to_string(index + 1);
        user.name = first + " " + last;
        user.nickname = local;

        bool second_directory =
            model_.directories.size() > 1 && kind == Kind::Normal && rng.chance(0.10);
        user.directory = second_directory ? 1 : 0;

        if (kind == Kind::App) {
            user.app = true;
            std::string slug = "automation-app-" + std::to_string(index + 1);
            user.name = "Automation App " + std::to_string(index + 1);
            user.nickname = slug;
            user.email = slug + "@connect.atlassian.com";
            user.claim = ClaimStatus::Unmanaged;
        } else {
            bool managed = kind != Kind::Normal || rng.chance(second_directory ? 0.3 : 0.85);
            user.claim = managed ? ClaimStatus::Managed : ClaimStatus::Unmanaged;
            std::string_view domain = managed
                                          ? kVerifiedDomains[rng.below(kVerifiedDomains.size())]
                                          : kExternalDomains[rng.below(kExternalDomains.size())];
            user.email = local + "@" + std::string(domain);
            if (managed)
                user.management_source = rng.chance(0.12) ? "synced" : "invited";
        }

        user.added_ms = rng.chance(0.015)
                            ? model_.now_ms - rng.between(0, 14 * kDayMs)
                            : model_.now_ms - rng.between(14 * kDayMs, 3 * 365 * kDayMs);

        if (kind == Kind::Normal) {
            double r = rng.unit();
            if (r < 0.05) {
                user.membership = Membership::Suspended;
            } else if (r < 0.08) {
                user.account_status = AccountStatus::Inactive;
            } else if (r < 0.10) {
                user.membership = Membership::None;
            }
        }
        if (kind == Kind::OrgAdmin)
            user.platform_roles.emplace_back(kOrgAdmin);
        if (kind == Kind::SiteAdmin)
            user.platform_roles.emplace_back(kSiteAdmin);

        const std::size_t site_count = model_.sites.size();
        std::size_t primary = rng.chance(0.5) ? 0 : rng.below(site_count);
        std::optional<std::size_t> secondary;
        if (site_count > 1 && rng.chance(0.2)) {
            secondary = (primary + 1 + rng.below(site_count - 1)) % site_count;
        }

        if (user.membership != Membership::None) {
            switch (kind) {
                case Kind::OrgAdmin:
                    for (std::size_t r = 0; r < model_.products.size(); ++r) {
                        grant(user, r, Role::Admin, rng);
                    }
                    break;
                case Kind::SiteAdmin:
                    for (std::size_t r : model_.sites[primary].products) {
                        grant(user, r, Role::Admin, rng);
                    }
                    break;
                case Kind::App: {
                    const auto& products = model_.sites[primary].products;
                    user.direct_roles.push_back(Grant{products[0], Role::User});
                    if (products.size() > 1 && rng.chance(0.5)) {
                        user.direct_roles.push_back(Grant{products[1], Role::User});
                    }
                    break;
                }
                case Kind::Normal:
                    grant_normal_roles(user, primary, 1.0, rng);
                    if (secondary)
                        grant_normal_roles(user, *secondary, 0.5, rng);
                    break;
            }
            const auto& plain = plain_groups_[user.directory];
            if (!plain.empty()) {
                std::uint64_t count = rng.below(4);
                for (std::uint64_t k = 0; k < count; ++k) {
                    user.groups.push_back(plain[rng.below(plain.size())]);
                }
            }
        }
        model_.users.push_back(std::move(user));
    }

    // Seat caps with headroom above current use, for products that have them.
    void set_capacities() {
        std::vector<std::int64_t> billable(model_.products.size(), 0);
        for (const auto& user : model_.users) {
            for (const auto& access : user.access) {
                if (model_.billable_on(user, access.resource))
                    ++billable[access.resource];
            }
        }
        for (std::size_t r = 0; r < model_.products.size(); ++r) {
            if (model_.products[r].catalogue->has_capacity) {
                model_.products[r].capacity = (billable[r] * 5 / 4 / 50 + 1) * 50;
            }
        }
    }

    const GeneratorOptions& options_;
    SplitMix64 org_rng_;
    Model model_;
    std::map<std::tuple<std::size_t, std::size_t, Role>, std::size_t> role_groups_;
    std::vector<std::vector<std::size_t>> plain_groups_;
};

}  // namespace

Model generate_model(const GeneratorOptions& options) {
    if (options.sites < 1)
        throw std::invalid_argument("--sites must be at least 1");
    if (options.products_per_site < 1 || options.products_per_site > kCatalogue.size()) {
        throw std::invalid_argument("--products-per-site must be between 1 and 4");
    }
    return Builder(options).build();
}

}  // namespace rosterd::sim
