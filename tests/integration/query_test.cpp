// Dashboard, users browser, saved filters and CSV export against rosterd-sim's ground truth.
// Every expectation is computed here, independently, from the truth JSON; inactivity is measured
// from the instant the daemon reports it used (now_ms in each answer), so the figures are exact
// however long the test takes.
#include <catch2/catch.hpp>

#include <algorithm>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <thread>

#include <unistd.h>

#include "csv_reader.hpp"
#include "daemon_fixture.hpp"
#include "rosterd/base/time_format.hpp"
#include "sim_fixture.hpp"

using namespace rosterd::test;

namespace {

constexpr std::int64_t kDay = 86'400'000;

struct Access {
    std::string resource, product, site, role;
    std::optional<std::int64_t> last;
};

struct User {
    std::string id, name, email, domain, type, status, claim;
    std::optional<std::int64_t> added;
    std::vector<std::string> platform_roles;
    std::set<std::string> group_names;  // lower case
    std::vector<Access> access;
};

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return text;
}

// The organization as rosterd-sim says it is.
struct Truth {
    std::vector<User> users;
    std::vector<std::string> hosts;
    std::map<std::string, std::pair<std::string, std::string>> resources;  // -> product, site
    std::map<std::pair<std::string, std::string>, std::optional<std::int64_t>> capacity;
    struct Seat {
        std::string product, site;
        std::optional<std::int64_t> last, added;
    };
    std::vector<Seat> seats;  // billable access rows
};

Truth load_truth(const rapidjson::Document& t) {
    Truth truth;
    for (const auto& s : t["sites"].GetArray()) {
        std::string host = s["host"].GetString();
        truth.hosts.push_back(host);
        for (const auto& p : s["products"].GetArray()) {
            truth.resources[p["resource_id"].GetString()] = {p["key"].GetString(), host};
            truth.capacity[{p["key"].GetString(), host}] =
                p["capacity"].IsNull() ? std::nullopt
                                       : std::optional<std::int64_t>(p["capacity"].GetInt64());
        }
    }
    std::map<std::string, std::string> group_names;
    for (const auto& g : t["groups"].GetArray())
        group_names[g["id"].GetString()] = lower(g["name"].GetString());
    for (const auto& u : t["users"].GetArray()) {
        User user;
        user.id = u["account_id"].GetString();
        user.name = u["name"].GetString();
        user.email = u["email"].GetString();
        user.domain = lower(user.email.substr(user.email.rfind('@') + 1));
        user.type = u["account_type"].GetString();
        user.status = u["status"].GetString();
        user.claim = u["claim_status"].GetString();
        user.added = u["added_to_org_ms"].GetInt64();
        for (const auto& r : u["platform_roles"].GetArray())
            user.platform_roles.push_back(r.GetString());
        for (const auto& g : u["groups"].GetArray())
            user.group_names.insert(group_names.at(g.GetString()));
        for (const auto& a : u["access"].GetArray()) {
            Access access;
            access.resource = a["resource_id"].GetString();
            std::tie(access.product, access.site) = truth.resources.at(access.resource);
            access.role = a["role"].GetString();
            if (!a["last_active_ms"].IsNull())
                access.last = a["last_active_ms"].GetInt64();
            user.access.push_back(access);
        }
        truth.users.push_back(std::move(user));
    }
    for (const auto& b : t["billable"].GetArray())
        for (const auto& u : b["users"].GetArray())
            truth.seats.push_back(
                {b["product"].GetString(), b["site"].GetString(),
                 u["last_active_ms"].IsNull()
                     ? std::nullopt
                     : std::optional<std::int64_t>(u["last_active_ms"].GetInt64()),
                 u["added_to_org_ms"].GetInt64()});
    return truth;
}

// ---- The documented semantics (docs/queries.md), restated independently ----

struct Scope {
    std::optional<std::string> product, site;
    bool any() const { return product || site; }
    bool covers(const Access& a) const {
        return (!product || a.product == *product) && (!site || a.site == *site);
    }
};

bool has_in(const User& u, const Scope& scope) {
    return std::any_of(u.access.begin(), u.access.end(),
                       [&](const Access& a) { return scope.covers(a); });
}

// Idle since at least the cutoff: its last activity, or added_to_org when never used (unknown:
// not provably idle).
bool idle(const std::optional<std::int64_t>& last, const std::optional<std::int64_t>& added,
          std::int64_t cutoff) {
    if (last)
        return *last <= cutoff;
    return added && *added <= cutoff;
}

bool inactive(const User& u, int days, const Scope& scope, std::int64_t now) {
    const std::int64_t cutoff = now - days * kDay;
    bool any = false;
    for (const auto& a : u.access) {
        if (!scope.covers(a))
            continue;
        any = true;
        if (!idle(a.last, u.added, cutoff))
            return false;
    }
    if (any)
        return true;
    return !scope.any() && u.added && *u.added <= cutoff;  // no products: counted from added
}

bool never_active(const User& u, const Scope& scope) {
    return std::none_of(u.access.begin(), u.access.end(),
                        [&](const Access& a) { return scope.covers(a) && a.last; });
}

bool is_admin(const User& u) {
    for (const auto& r : u.platform_roles)
        if (r == "atlassian/org-admin" || r == "atlassian/site-admin")
            return true;
    return std::any_of(u.access.begin(), u.access.end(),
                       [](const Access& a) { return a.role == "atlassian/admin"; });
}

using Predicate = std::function<bool(const User&, std::int64_t now)>;

struct FilterCase {
    std::vector<std::string> flags;
    Predicate match;
};

std::set<std::string> expected_ids(const Truth& truth, const Predicate& match, std::int64_t now) {
    std::set<std::string> ids;
    for (const auto& u : truth.users)
        if (match(u, now))
            ids.insert(u.id);
    return ids;
}

rapidjson::Document users_json(const DaemonFixture& d, std::vector<std::string> flags) {
    std::vector<std::string> args = {"users"};
    args.insert(args.end(), flags.begin(), flags.end());
    args.insert(args.end(), {"--limit", "5000"});
    return d.ctl_json(args);
}

std::set<std::string> ids_of(const rapidjson::Document& result) {
    std::set<std::string> ids;
    for (const auto& u : result["users"].GetArray())
        ids.insert(u["account_id"].GetString());
    return ids;
}

std::string flags_text(const std::vector<std::string>& flags) {
    std::string text;
    for (const auto& f : flags)
        text += (text.empty() ? "" : " ") + f;
    return text;
}

std::string date_of(std::int64_t ms) {
    return rosterd::format_iso8601_s(ms).substr(0, 10);
}

std::string text(const rapidjson::Value& v) {
    return v.IsString() ? v.GetString() : "";
}

// The CSV cells a JSON row must become (docs/queries.md: multi-valued cells joined with "; ",
// products as product@site:role with the role's short name).
std::vector<std::string> expected_cells(const rapidjson::Value& row) {
    auto joined = [](const rapidjson::Value& list) {
        std::string out;
        for (const auto& item : list.GetArray())
            out += (out.empty() ? "" : "; ") + std::string(item.GetString());
        return out;
    };
    std::string products;
    for (const auto& p : row["products"].GetArray()) {
        std::string role = p["role"].GetString();
        products += (products.empty() ? "" : "; ") + text(p["product"]) + "@" + text(p["site"]) +
                    ":" + role.substr(role.find('/') + 1);
    }
    return {text(row["account_id"]),
            text(row["name"]),
            text(row["email"]),
            text(row["status"]),
            text(row["account_type"]),
            joined(row["sites"]),
            products,
            joined(row["groups"]),
            text(row["last_active"]),
            text(row["added_to_org"])};
}

const char* kQueryConfig = R"(
inactivity:
  days: 30
  per_product:
    confluence: 60
pricing:
  currency: EUR
  monthly_per_seat:
    jira-software: 7.5
filters:
  stale-jira:
    product: jira-software
    inactive-days: 60
  outsiders:
    unmanaged: true
    status: active
)";

struct Org {
    SimFixture sim;
    DaemonFixture daemon;
    Truth truth;
    Org(std::vector<std::string> sim_args)
        : sim(std::move(sim_args)), daemon(sim.atlassian_yaml() + kQueryConfig) {
        auto synced = daemon.ctl({"sync", "--wait"});
        INFO(synced.out << synced.err);
        REQUIRE(synced.exit_code == 0);
        truth = load_truth(sim.truth());
    }
};

}  // namespace

TEST_CASE("dashboard figures equal the truth for several thresholds, all sites and each site",
          "[integration][query]") {
    Org org({"--users", "600", "--sites", "3", "--products-per-site", "4", "--seed", "21"});
    const auto& truth = org.truth;
    REQUIRE(truth.hosts.size() == 3);

    std::vector<std::optional<std::string>> sites = {std::nullopt};
    for (const auto& h : truth.hosts)
        sites.push_back(h);
    for (std::optional<int> days : {std::optional<int>(), std::optional<int>(7),
                                    std::optional<int>(30), std::optional<int>(90)}) {
        for (const auto& site : sites) {
            std::vector<std::string> args = {"dashboard"};
            if (site)
                args.insert(args.end(), {"--site", *site});
            if (days)
                args.insert(args.end(), {"--inactive-days", std::to_string(*days)});
            auto d = org.daemon.ctl_json(args);
            const std::int64_t now = d["now_ms"].GetInt64();
            INFO(flags_text(args) << " at " << d["now"].GetString());
            CHECK(d["inactive_days"].GetInt() == days.value_or(30));
            CHECK(d["age_s"].GetInt64() >= 0);

            // Expected: per product and site, from the truth's billable seats.
            std::map<std::string, std::map<std::string, std::pair<std::int64_t, std::int64_t>>>
                expected;
            for (const auto& seat : truth.seats) {
                if (site && seat.site != *site)
                    continue;
                int n = days ? *days : (seat.product == "confluence" ? 60 : 30);
                auto& cell = expected[seat.product][seat.site];
                ++cell.first;
                if (idle(seat.last, seat.added, now - n * kDay))
                    ++cell.second;
            }
            std::size_t products_with_seats = 0;
            double cost = 0;
            for (const auto& p : d["products"].GetArray()) {
                std::string product = p["product"].GetString();
                INFO("product " << product);
                CHECK(p["inactive_days"].GetInt() ==
                      days.value_or(product == "confluence" ? 60 : 30));
                std::int64_t total = 0, idle_seats = 0;
                for (const auto& s : p["sites"].GetArray()) {
                    std::string host = s["site"].GetString();
                    INFO("site " << host);
                    auto cell = expected[product][host];
                    CHECK(s["total"].GetInt64() == cell.first);
                    CHECK(s["inactive"].GetInt64() == cell.second);
                    CHECK(s["active"].GetInt64() == cell.first - cell.second);
                    auto capacity = truth.capacity.at({product, host});
                    if (capacity)
                        CHECK(s["capacity"].GetInt64() == *capacity);
                    else
                        CHECK(s["capacity"].IsNull());
                    total += cell.first;
                    idle_seats += cell.second;
                }
                CHECK(p["sites"].Size() == (site ? 1u : truth.hosts.size()));
                CHECK(p["total"].GetInt64() == total);
                CHECK(p["inactive"].GetInt64() == idle_seats);
                CHECK(p["active"].GetInt64() == total - idle_seats);
                if (product == "jira-software") {
                    CHECK(p["inactive_monthly_cost"].GetDouble() == Approx(7.5 * idle_seats));
                    cost += 7.5 * static_cast<double>(idle_seats);
                } else {
                    CHECK(p["inactive_monthly_cost"].IsNull());
                }
                if (total > 0)
                    ++products_with_seats;
            }
            CHECK(d["products"].Size() == 4);
            CHECK(products_with_seats == 4);  // the figures below are not all zeros
            CHECK(d["inactive_monthly_cost"].GetDouble() == Approx(cost));
        }
    }
    // The thresholds really separate users: 7 days finds more idle seats than 90.
    auto seven = org.daemon.ctl_json({"dashboard", "--inactive-days", "7"});
    auto ninety = org.daemon.ctl_json({"dashboard", "--inactive-days", "90"});
    CHECK(seven["products"][1]["inactive"].GetInt64() >
          ninety["products"][1]["inactive"].GetInt64());

    auto unknown = org.daemon.ctl({"dashboard", "--site", "nowhere.example.net"});
    CHECK(unknown.exit_code == 1);
    CHECK_THAT(unknown.err, Catch::Contains("unknown site 'nowhere.example.net'"));
    auto table = org.daemon.ctl({"dashboard"});
    CHECK(table.exit_code == 0);
    CHECK_THAT(table.out, Catch::Contains("jira-software"));
    CHECK_THAT(table.out, Catch::Contains("data as of"));
}

TEST_CASE("every user filter alone and in combination selects exactly the truth's users",
          "[integration][query]") {
    Org org({"--users", "600", "--sites", "2", "--products-per-site", "4", "--seed", "8"});
    const auto& truth = org.truth;
    const std::string host1 = truth.hosts[0], host2 = truth.hosts[1];

    // A plain group many users share, and a date that splits the users.
    std::map<std::string, int> group_sizes;
    std::vector<std::int64_t> added;
    for (const auto& u : truth.users) {
        for (const auto& g : u.group_names)
            if (g.find("-users-") == std::string::npos && g.find("-admins-") == std::string::npos)
                ++group_sizes[g];
        added.push_back(*u.added);
    }
    auto group = std::max_element(group_sizes.begin(), group_sizes.end(), [](auto& a, auto& b) {
                     return a.second < b.second;
                 })->first;
    std::sort(added.begin(), added.end());
    const std::string split = date_of(added[added.size() / 2]);
    const std::int64_t split_ms = *rosterd::parse_iso8601_ms(split);

    auto contains = [](const std::string& haystack, const std::string& needle) {
        return lower(haystack).find(lower(needle)) != std::string::npos;
    };
    auto any_role = [](const User& u, const std::string& role, const Scope& scope) {
        return std::any_of(u.access.begin(), u.access.end(),
                           [&](const Access& a) { return scope.covers(a) && a.role == role; });
    };
    auto lacks = [](const User& u, std::set<std::string> products,
                    const std::optional<std::string>& site) {
        return std::none_of(u.access.begin(), u.access.end(), [&](const Access& a) {
            return products.count(a.product) && (!site || a.site == *site);
        });
    };
    const Scope everywhere;
    const Scope jira{"jira-software", {}};
    const Scope confluence{"confluence", {}};
    const Scope jsm{"jira-servicedesk", {}};
    const Scope site1{{}, host1};
    const Scope site2{{}, host2};
    const Scope confluence2{"confluence", host2};

    std::vector<FilterCase> cases = {
        {{"--search", "dana"},
         [&](const User& u, auto) {
             return contains(u.name, "dana") || contains(u.email, "dana");
         }},
        {{"--search", "ACME-LABS"},
         [&](const User& u, auto) {
             return contains(u.name, "acme-labs") || contains(u.email, "acme-labs");
         }},
        {{"--product", "jira-software"}, [&](const User& u, auto) { return has_in(u, jira); }},
        {{"--product", "confluence", "--site", host2},
         [&](const User& u, auto) { return has_in(u, confluence2); }},
        {{"--site", host2}, [&](const User& u, auto) { return has_in(u, site2); }},
        {{"--not-product", "confluence"},
         [&](const User& u, auto) { return lacks(u, {"confluence"}, {}); }},
        {{"--not-product", "jira-servicedesk", "--not-product", "jira-product-discovery"},
         [&](const User& u, auto) {
             return lacks(u, {"jira-servicedesk", "jira-product-discovery"}, {});
         }},
        {{"--role", "admin"},
         [&](const User& u, auto) { return any_role(u, "atlassian/admin", everywhere); }},
        {{"--role", "guest", "--product", "confluence"},
         [&](const User& u, auto) { return any_role(u, "atlassian/guest", confluence); }},
        {{"--status", "suspended"}, [&](const User& u, auto) { return u.status == "suspended"; }},
        {{"--status", "deactivated", "--status", "not_invited"},
         [&](const User& u, auto) {
             return u.status == "deactivated" || u.status == "not_invited";
         }},
        {{"--inactive-days", "30"},
         [&](const User& u, auto now) { return inactive(u, 30, everywhere, now); }},
        {{"--inactive-days", "90", "--product", "jira-software"},
         [&](const User& u, auto now) { return inactive(u, 90, jira, now); }},
        {{"--inactive-days", "7", "--site", host1},
         [&](const User& u, auto now) { return inactive(u, 7, site1, now); }},
        {{"--never-active"}, [&](const User& u, auto) { return never_active(u, everywhere); }},
        {{"--never-active", "--product", "confluence"},
         [&](const User& u, auto) { return has_in(u, confluence) && never_active(u, confluence); }},
        {{"--group", group}, [&](const User& u, auto) { return u.group_names.count(group) > 0; }},
        {{"--not-group", group}, [&](const User& u, auto) { return !u.group_names.count(group); }},
        {{"--domain", "acme.com", "--domain", "ACME.IO"},
         [&](const User& u, auto) { return u.domain == "acme.com" || u.domain == "acme.io"; }},
        {{"--account-type", "app"}, [&](const User& u, auto) { return u.type == "app"; }},
        {{"--managed"}, [&](const User& u, auto) { return u.claim == "managed"; }},
        {{"--unmanaged"}, [&](const User& u, auto) { return u.claim == "unmanaged"; }},
        {{"--added-before", split}, [&](const User& u, auto) { return *u.added < split_ms; }},
        {{"--added-after", split}, [&](const User& u, auto) { return *u.added >= split_ms; }},
        {{"--admins"}, [&](const User& u, auto) { return is_admin(u); }},
        {{"--no-admins"}, [&](const User& u, auto) { return !is_admin(u); }},
        // Combinations: AND across flags.
        {{"--product", "jira-software", "--inactive-days", "30", "--domain", "acme.com",
          "--no-admins"},
         [&](const User& u, auto now) {
             return inactive(u, 30, jira, now) && u.domain == "acme.com" && !is_admin(u);
         }},
        {{"--site", host2, "--status", "active", "--unmanaged"},
         [&](const User& u, auto) {
             return has_in(u, site2) && u.status == "active" && u.claim == "unmanaged";
         }},
        {{"--search", "a", "--not-group", group, "--managed", "--added-after", split},
         [&](const User& u, auto) {
             return (contains(u.name, "a") || contains(u.email, "a")) &&
                    !u.group_names.count(group) && u.claim == "managed" && *u.added >= split_ms;
         }},
        {{"--role", "user", "--product", "jira-servicedesk", "--never-active"},
         [&](const User& u, auto) {
             return any_role(u, "atlassian/user", jsm) && never_active(u, jsm);
         }},
        {{"--filter", "stale-jira", "--site", host1},
         [&](const User& u, auto now) { return inactive(u, 60, jira, now) && has_in(u, site1); }},
        {{"--filter", "outsiders", "--inactive-days", "30"},
         [&](const User& u, auto now) {
             return u.claim == "unmanaged" && u.status == "active" &&
                    inactive(u, 30, everywhere, now);
         }},
    };
    for (const auto& c : cases) {
        INFO("rosterctl users " << flags_text(c.flags));
        auto result = users_json(org.daemon, c.flags);
        auto expected = expected_ids(truth, c.match, result["now_ms"].GetInt64());
        CHECK_FALSE(expected.empty());
        CHECK(expected.size() < truth.users.size());
        CHECK(ids_of(result) == expected);
        CHECK(result["total"].GetInt64() == static_cast<std::int64_t>(expected.size()));
    }

    // Saved filters list their current counts.
    auto listed = org.daemon.ctl_json({"filters"});
    REQUIRE(listed["filters"].Size() == 2);
    const auto now = listed["now_ms"].GetInt64();
    for (const auto& f : listed["filters"].GetArray()) {
        std::string name = f["name"].GetString();
        INFO("saved filter " << name);
        auto expected =
            name == "stale-jira"
                ? expected_ids(
                      truth, [&](const User& u, auto t) { return inactive(u, 60, jira, t); }, now)
                : expected_ids(
                      truth,
                      [&](const User& u, auto) {
                          return u.claim == "unmanaged" && u.status == "active";
                      },
                      now);
        CHECK(f["count"].GetInt64() == static_cast<std::int64_t>(expected.size()));
    }
    auto unknown = org.daemon.ctl({"users", "--filter", "nope"});
    CHECK(unknown.exit_code == 2);
    CHECK_THAT(unknown.err, Catch::Contains("no saved filter named 'nope' (configured: "
                                            "outsiders, stale-jira)"));
}

TEST_CASE("CSV export parses back to the JSON rows, in pages, and pages agree with the whole",
          "[integration][query]") {
    Org org({"--users", "450", "--sites", "2", "--seed", "4"});
    for (std::string sort : {"name", "last-active"}) {
        INFO("sort " << sort);
        auto json = users_json(org.daemon, {"--sort", sort});
        REQUIRE(json["total"].GetInt64() == 450);
        auto csv =
            org.daemon.ctl({"users", "--sort", sort, "--format", "csv", "--page-size", "97"});
        REQUIRE(csv.exit_code == 0);
        auto records = parse_csv(csv.out);
        REQUIRE(records.size() == 451);
        CHECK(records[0] == std::vector<std::string>{"account_id", "name", "email", "status",
                                                     "account_type", "sites", "products", "groups",
                                                     "last_active", "added_to_org"});
        const auto& users = json["users"];
        for (rapidjson::SizeType i = 0; i < users.Size(); ++i) {
            INFO("row " << i);
            CHECK(records[i + 1] == expected_cells(users[i]));
        }
    }
    // A page is the matching slice of the whole list.
    auto all = users_json(org.daemon, {"--sort", "email", "--domain", "acme.com"});
    auto page = org.daemon.ctl_json(
        {"users", "--sort", "email", "--domain", "acme.com", "--limit", "20", "--offset", "30"});
    REQUIRE(all["users"].Size() > 50);
    CHECK(page["total"] == all["total"]);
    REQUIRE(page["users"].Size() == 20);
    for (rapidjson::SizeType i = 0; i < 20; ++i)
        CHECK(page["users"][i] == all["users"][i + 30]);
    // A slice of the export with --limit/--offset.
    auto slice = org.daemon.ctl({"users", "--sort", "email", "--domain", "acme.com", "--format",
                                 "csv", "--limit", "25", "--offset", "30", "--page-size", "10"});
    auto slice_records = parse_csv(slice.out);
    REQUIRE(slice_records.size() == 26);
    for (std::size_t i = 0; i < 25; ++i)
        CHECK(slice_records[i + 1] == expected_cells(all["users"][static_cast<unsigned>(i + 30)]));
}

TEST_CASE("a user on two sites shows both under a one-site filter, and one user in detail",
          "[integration][query]") {
    Org org({"--users", "300", "--sites", "2", "--seed", "13"});
    const User* both = nullptr;
    for (const auto& u : org.truth.users) {
        std::set<std::string> hosts;
        for (const auto& a : u.access)
            hosts.insert(a.site);
        if (hosts.size() == 2 && u.status == "active") {
            both = &u;
            break;
        }
    }
    REQUIRE(both != nullptr);
    for (const auto& host : org.truth.hosts) {
        INFO("--site " << host);
        auto result = users_json(org.daemon, {"--site", host});
        const rapidjson::Value* row = nullptr;
        for (const auto& u : result["users"].GetArray())
            if (both->id == u["account_id"].GetString())
                row = &u;
        REQUIRE(row != nullptr);
        std::vector<std::string> sites;
        for (const auto& s : (*row)["sites"].GetArray())
            sites.push_back(s.GetString());
        std::vector<std::string> hosts = org.truth.hosts;
        std::sort(hosts.begin(), hosts.end());
        CHECK(sites == hosts);
        CHECK((*row)["products"].Size() == both->access.size());
    }

    auto detail = org.daemon.ctl_json({"user", lower(both->email)});
    const auto& u = detail["user"];
    CHECK(both->id == u["account_id"].GetString());
    CHECK(both->name == u["name"].GetString());
    REQUIRE(u["products"].Size() == both->access.size());
    for (const auto& p : u["products"].GetArray()) {
        auto match = std::find_if(both->access.begin(), both->access.end(), [&](const Access& a) {
            return a.resource == p["resource_id"].GetString();
        });
        REQUIRE(match != both->access.end());
        CHECK(match->role == p["role"].GetString());
        CHECK(match->site == p["site"].GetString());
        if (match->last)
            CHECK(rosterd::parse_iso8601_ms(p["last_active"].GetString()) == *match->last);
        else
            CHECK(p["last_active"].IsNull());
    }
    auto missing = org.daemon.ctl({"user", "nobody@nowhere.example"});
    CHECK(missing.exit_code == 1);
    CHECK_THAT(missing.err, Catch::Contains("no user with account id or email"));
}

TEST_CASE("before the first sync the query commands say there is no data", "[integration][query]") {
    DaemonFixture daemon;
    for (std::vector<std::string> args :
         {std::vector<std::string>{"dashboard"}, {"users"}, {"filters"}, {"user", "x"}}) {
        auto r = daemon.ctl(args);
        INFO(flags_text(args));
        CHECK(r.exit_code == 1);
        CHECK_THAT(r.err, Catch::Contains("no data yet: run rosterctl sync"));
    }
}

TEST_CASE("questions and bulk plans share one in-memory index per snapshot",
          "[integration][query]") {
    SimFixture sim({"--users", "400", "--sites", "2", "--seed", "3"});
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    // Loads per snapshot id, from the log. (`sync --wait` joins the initial sync, or starts a
    // second one when the initial one finished first: count per snapshot, not in total.)
    auto loads = [&] {
        const std::string log = daemon.log();
        const std::string marker = "query: index of snapshot ";
        std::map<std::int64_t, int> per_snapshot;
        for (auto at = log.find(marker); at != std::string::npos; at = log.find(marker, at + 1))
            ++per_snapshot[std::stoll(log.substr(at + marker.size(), 20))];
        return per_snapshot;
    };
    auto held = [&] { return daemon.ctl_json({"status"})["query"]["index_snapshot"].GetInt64(); };
    REQUIRE(daemon.ctl({"dashboard"}).exit_code == 0);
    REQUIRE(daemon.ctl({"users", "--limit", "5"}).exit_code == 0);
    REQUIRE(daemon.ctl({"bulk", "suspend", "--status", "suspended"}).exit_code == 0);  // a plan
    REQUIRE(daemon.ctl({"dashboard"}).exit_code == 0);
    auto first = held();
    auto counted = loads();
    CHECK(counted[first] == 1);
    for (const auto& [snapshot, n] : counted) {
        INFO("snapshot " << snapshot);
        CHECK(n == 1);
    }
    // A new snapshot: loaded once more, whoever asks first.
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    REQUIRE(daemon.ctl({"bulk", "suspend", "--status", "suspended"}).exit_code == 0);
    REQUIRE(daemon.ctl({"users", "--limit", "5"}).exit_code == 0);
    auto second = held();
    CHECK(second > first);
    counted = loads();
    CHECK(counted[first] == 1);
    CHECK(counted[second] == 1);
}

TEST_CASE("a sync lets the query index go and a question during it reloads the published snapshot",
          "[integration][query]") {
    SimFixture sim({"--users", "600", "--sites", "1", "--seed", "5", "--latency-ms", "400"});
    DaemonFixture daemon(sim.atlassian_yaml());
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    auto status = [&] { return daemon.ctl_json({"status"}); };
    auto syncing = [&] { return std::string(status()["sync"]["state"].GetString()) == "running"; };
    // Seats per product and site (what a sync in progress must not change in an answer).
    auto seats = [](const rapidjson::Value& dashboard) {
        std::map<std::string, std::int64_t> out;
        for (const auto& p : dashboard["products"].GetArray())
            for (const auto& site : p["sites"].GetArray())
                out[std::string(p["product"].GetString()) + "@" + site["site"].GetString()] =
                    site["total"].GetInt64();
        return out;
    };
    REQUIRE(wait_until([&] { return !syncing(); }, std::chrono::seconds(60)));
    auto before = daemon.ctl_json({"dashboard"});
    const auto published = before["snapshot"].GetInt64();
    REQUIRE(status()["query"]["index_snapshot"].GetInt64() == published);

    // A slow sync (every request 400 ms): as it starts, the index is let go, and the warm-up
    // that follows each publish (every 2 s) does not load it again.
    REQUIRE(daemon.ctl({"sync"}).exit_code == 0);
    REQUIRE(wait_until(syncing, std::chrono::seconds(30)));
    CHECK(status()["query"]["index_snapshot"].IsNull());
    std::this_thread::sleep_for(std::chrono::milliseconds(2500));
    CHECK(status()["query"]["index_snapshot"].IsNull());
    // A question meanwhile is answered from the published snapshot, complete, as before.
    auto during = daemon.ctl_json({"dashboard"});
    CHECK(during["snapshot"].GetInt64() == published);
    CHECK(seats(during) == seats(before));
    CHECK_FALSE(seats(before).empty());
    CHECK(status()["query"]["index_snapshot"].GetInt64() == published);
    REQUIRE(syncing());  // all of it happened during the sync

    // After it, the new snapshot.
    REQUIRE(daemon.ctl({"sync", "--wait"}).exit_code == 0);
    CHECK(daemon.ctl_json({"dashboard"})["snapshot"].GetInt64() > published);
}

// Many admins on one filter: identical questions asked together are answered from one pass over
// the users, and an answer is reused for a later instant only while it still holds (the users
// command's selection cache, docs/queries.md). Instants come from the truth: the window between
// two users becoming idle long enough for the filter.
TEST_CASE(
    "identical questions asked together compute the selection once, and an answer is "
    "reused only while it holds",
    "[integration][query]") {
    Org org({"--users", "600", "--sites", "2", "--seed", "11"});
    const Scope jira{"jira-software", {}};
    constexpr int kDays = 30;
    // When each user with Jira becomes idle for 30 days there (never, when an instant is unknown).
    std::vector<std::int64_t> becomes_idle;
    for (const auto& u : org.truth.users) {
        std::optional<std::int64_t> latest;
        bool known = true, any = false;
        for (const auto& a : u.access) {
            if (!jira.covers(a))
                continue;
            any = true;
            auto since = a.last ? a.last : u.added;
            if (!since)
                known = false;
            else
                latest = std::max(latest.value_or(*since), *since);
        }
        if (any && known)
            becomes_idle.push_back(*latest + kDays * kDay);
    }
    std::sort(becomes_idle.begin(), becomes_idle.end());
    // A window in the middle: from one user becoming idle to the next one (at least 2 ms apart).
    std::size_t k = becomes_idle.size() / 2;
    while (k + 1 < becomes_idle.size() && becomes_idle[k + 1] - becomes_idle[k] < 2)
        ++k;
    REQUIRE(k + 1 < becomes_idle.size());
    const std::int64_t from = becomes_idle[k], until = becomes_idle[k + 1];
    auto expected = [&](std::int64_t now) {
        return expected_ids(
            org.truth, [&](const User& u, std::int64_t t) { return inactive(u, kDays, jira, t); },
            now);
    };
    auto line_for = [](std::int64_t now) {
        return "{\"id\":7,\"command\":\"users\",\"args\":{\"inactive-days\":30,\"product\":"
               "\"jira-software\",\"limit\":5000,\"now_ms\":" +
               std::to_string(now) + "}}\n";
    };
    auto ids_in = [](const std::string& line) {
        rapidjson::Document answer;
        answer.Parse(line.c_str());
        REQUIRE(answer.IsObject());
        REQUIRE(answer.HasMember("ok"));
        REQUIRE(answer["ok"].GetBool());
        std::set<std::string> ids;
        for (const auto& u : answer["result"]["users"].GetArray())
            ids.insert(u["account_id"].GetString());
        return ids;
    };
    auto counters = [&] {
        auto status = org.daemon.ctl_json({"status"});
        return std::pair{status["query"]["selections_computed"].GetInt64(),
                         status["query"]["selections_reused"].GetInt64()};
    };
    auto ask = [&](std::int64_t now) {
        return ids_in(raw_exchange(org.daemon.socket_path(), line_for(now)));
    };
    const auto at_from = expected(from);
    REQUIRE(at_from.size() > 10);
    REQUIRE(expected(until).size() > at_from.size());

    // Twelve clients send the same question before any reads an answer.
    const auto [computed0, reused0] = counters();
    std::vector<int> clients;
    for (int i = 0; i < 12; ++i) {
        int fd = raw_connect(org.daemon.socket_path());
        REQUIRE(fd >= 0);
        const auto line = line_for(from);
        REQUIRE(::write(fd, line.data(), line.size()) == static_cast<ssize_t>(line.size()));
        clients.push_back(fd);
    }
    for (int fd : clients) {
        CHECK(ids_in(read_line(fd, std::chrono::seconds(20))) == at_from);
        ::close(fd);
    }
    auto [computed, reused] = counters();
    CHECK(computed == computed0 + 1);
    CHECK(reused == reused0 + 11);

    // The last instant of the window: the same answer, reused.
    CHECK(ask(until - 1) == at_from);
    CHECK(counters() == std::pair{computed0 + 1, reused0 + 12});
    // Where the window ends the next user is idle long enough: computed again, and right.
    const auto at_until = ask(until);
    CHECK(at_until == expected(until));
    CHECK(at_until.size() > at_from.size());
    CHECK(counters().first == computed0 + 2);
    // Before the window an answer is never borrowed from it.
    CHECK(ask(from - 1) == expected(from - 1));
    CHECK(counters().first == computed0 + 3);
}
