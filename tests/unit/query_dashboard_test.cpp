// Dashboard figures over the hand-made snapshot of query_fixture.hpp, worked out by hand:
//   jira-software@a: billable Ann (5d), Bob (never, added 200d), cid (never, added 10d), Fay (29d)
//   jira-software@b: billable Fay (31d), Gus (30d), Hal (never, added unknown)
//   confluence@a:    billable Ann (40d)
// Not billable, so in no total: Dee (suspended), Eve (guest), the app account.
#include <algorithm>
#include <map>
#include <random>
#include <tuple>

#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/query/snapshot.hpp"

using namespace rosterd;
using namespace rosterd::test;

namespace {

query::Dashboard dashboard(QuerySnapshot& s, std::optional<int> days = std::nullopt,
                           std::map<std::string, int> per_product = {},
                           std::optional<std::string> site = std::nullopt) {
    query::DashboardOptions options;
    options.now_ms = kQueryNow;
    options.inactive_days = days;
    options.per_product = std::move(per_product);
    options.site = std::move(site);
    return query::compute_dashboard(*query::load_snapshot_index(s.db()), options);
}

struct Figures {
    std::int64_t total, inactive;
    bool operator==(const Figures&) const = default;
};

Figures of(const query::ProductFigures& p) {
    return {p.total, p.inactive};
}
Figures of(const query::SiteFigures& s) {
    return {s.total, s.inactive};
}

}  // namespace

TEST_CASE("dashboard counts billable seats and inactive ones per product and site",
          "[query][dashboard]") {
    QuerySnapshot s;
    auto d = dashboard(s);  // default 30 days
    CHECK(d.inactive_days == 30);
    CHECK(d.snapshot.id == 1);
    CHECK(d.snapshot.as_of_ms == kQueryAsOf);
    REQUIRE(d.products.size() == 2);

    const auto& confluence = d.products[0];
    CHECK(confluence.product == "confluence");
    CHECK(confluence.name == "Confluence");
    CHECK(of(confluence) == Figures{1, 1});  // Ann, 40 days
    CHECK_FALSE(confluence.capacity.has_value());

    const auto& jira = d.products[1];
    CHECK(jira.product == "jira-software");
    CHECK(jira.name == "Jira");
    REQUIRE(jira.sites.size() == 2);
    CHECK(jira.sites[0].site == "a.example.net");
    CHECK(of(jira.sites[0]) == Figures{4, 1});  // Bob, never active, added 200 days ago
    CHECK(jira.sites[0].capacity == 100);
    CHECK(jira.sites[1].site == "b.example.net");
    CHECK(of(jira.sites[1]) == Figures{3, 2});  // Fay 31 days, Gus exactly 30; Hal unknown
    CHECK(jira.sites[1].active() == 1);
    CHECK(of(jira) == Figures{7, 3});
    CHECK(jira.active() == 4);
    CHECK(jira.capacity == 150);
}

TEST_CASE("dashboard thresholds: --inactive-days, per product, never used from added_to_org",
          "[query][dashboard]") {
    QuerySnapshot s;
    auto seven = dashboard(s, 7);
    CHECK(of(seven.products[1].sites[0]) == Figures{4, 3});  // Bob, cid (added 10d), Fay 29d
    CHECK(of(seven.products[1].sites[1]) == Figures{3, 2});
    CHECK(of(seven.products[0]) == Figures{1, 1});

    auto ninety = dashboard(s, 90);
    CHECK(of(ninety.products[1].sites[0]) == Figures{4, 1});  // Bob only
    CHECK(of(ninety.products[1].sites[1]) == Figures{3, 0});
    CHECK(of(ninety.products[0]) == Figures{1, 0});

    auto long_ago = dashboard(s, 365);
    CHECK(of(long_ago.products[1]) == Figures{7, 0});  // Bob was added 200 days ago

    auto per_product = dashboard(s, std::nullopt, {{"confluence", 60}});
    CHECK(per_product.products[0].inactive_days == 60);
    CHECK(of(per_product.products[0]) == Figures{1, 0});  // Ann's 40 days are under 60
    CHECK(per_product.products[1].inactive_days == 30);
    CHECK(of(per_product.products[1]) == Figures{7, 3});

    auto overridden = dashboard(s, 30, {{"confluence", 60}});  // the command line wins
    CHECK(overridden.products[0].inactive_days == 30);
    CHECK(of(overridden.products[0]) == Figures{1, 1});
}

TEST_CASE("dashboard for one site, and an unknown site", "[query][dashboard]") {
    QuerySnapshot s;
    auto b = dashboard(s, std::nullopt, {}, "b.example.net");
    REQUIRE(b.products.size() == 1);
    CHECK(b.products[0].product == "jira-software");
    CHECK(of(b.products[0]) == Figures{3, 2});
    CHECK(b.products[0].capacity == 50);
    CHECK_THROWS_WITH(dashboard(s, std::nullopt, {}, "c.example.net"),
                      "unknown site 'c.example.net' (the snapshot has: a.example.net, "
                      "b.example.net)");
}

TEST_CASE("dashboard JSON carries the snapshot, the breakdown and the cost of idle seats",
          "[query][dashboard]") {
    QuerySnapshot s;
    query::DashboardOptions options;
    options.now_ms = kQueryNow;
    options.pricing = {"EUR", {{"jira-software", 10.0}}, {}};
    auto d = query::compute_dashboard(*query::load_snapshot_index(s.db()), options);
    rapidjson::Document doc;
    auto json = query::dashboard_json(d, doc.GetAllocator());

    CHECK(std::string(json["as_of"].GetString()) == "2026-05-31T23:00:00.000Z");
    CHECK(json["age_s"].GetInt64() == 3600);
    CHECK(json["snapshot"].GetInt64() == 1);
    CHECK(json["inactive_days"].GetInt() == 30);
    CHECK(json["site"].IsNull());
    CHECK(std::string(json["currency"].GetString()) == "EUR");
    CHECK(json["inactive_monthly_cost"].GetDouble() == 30.0);

    const auto& confluence = json["products"][0];
    CHECK(confluence["monthly_seat_price"].IsNull());
    CHECK(confluence["inactive_monthly_cost"].IsNull());
    CHECK(confluence["capacity"].IsNull());

    const auto& jira = json["products"][1];
    CHECK(std::string(jira["product"].GetString()) == "jira-software");
    CHECK(std::string(jira["name"].GetString()) == "Jira");
    CHECK(jira["total"].GetInt64() == 7);
    CHECK(jira["active"].GetInt64() == 4);
    CHECK(jira["inactive"].GetInt64() == 3);
    CHECK(jira["inactive_pct"].GetDouble() == 42.9);
    CHECK(jira["capacity"].GetInt64() == 150);
    CHECK(jira["inactive_monthly_cost"].GetDouble() == 30.0);
    REQUIRE(jira["sites"].Size() == 2);
    const auto& b = jira["sites"][1];
    CHECK(std::string(b["site"].GetString()) == "b.example.net");
    CHECK(b["total"].GetInt64() == 3);
    CHECK(b["active"].GetInt64() == 1);
    CHECK(b["inactive"].GetInt64() == 2);
    CHECK(b["capacity"].GetInt64() == 50);
    CHECK(b["inactive_monthly_cost"].GetDouble() == 20.0);
}

// The dashboard counts from the per-product sorted idle instants (SnapshotIndex::index_seats);
// this checks it against the plain definition, one pass over every user's access, on random
// snapshots and thresholds, edge instants (exactly at the cutoff, never used, unknown join)
// included.
TEST_CASE("dashboard counts from the seat index equal a pass over every user's access",
          "[query][dashboard]") {
    std::mt19937 random(20261203);
    constexpr std::int64_t kDay = 86'400'000;
    const std::int64_t now = 1'790'000'000'000;
    for (int round = 0; round < 200; ++round) {
        query::SnapshotIndex index;
        const std::size_t product_count = 1 + random() % 4;
        for (std::size_t p = 0; p < product_count; ++p)
            index.products.push_back({"res-" + std::to_string(p),
                                      p % 2 ? "confluence" : "jira",
                                      "site-" + std::to_string(p) + ".atlassian.net",
                                      {}});
        std::sort(index.products.begin(), index.products.end(), [](const auto& a, const auto& b) {
            return std::tie(a.key, a.site) < std::tie(b.key, b.site);
        });
        index.listed_products = product_count - (random() % 3 == 0 ? 1 : 0);
        auto instant = [&]() -> std::int64_t {
            switch (random() % 6) {
                case 0:
                    return query::kNoInstant;
                case 1:
                    return now - 30 * kDay;  // exactly at the default cutoff
                default:
                    return now - static_cast<std::int64_t>(random() % (120 * kDay));
            }
        };
        const std::size_t user_count = random() % 60;
        for (std::size_t u = 0; u < user_count; ++u) {
            query::IndexedUser user;
            user.added = instant();
            user.access_begin = static_cast<std::uint32_t>(index.access.size());
            for (std::size_t p = 0; p < product_count; ++p)
                if (random() % 2) {
                    query::IndexedAccess a;
                    a.product = static_cast<std::uint32_t>(p);
                    a.billable = random() % 4 != 0;
                    a.last_active = instant();
                    index.access.push_back(a);
                }
            user.access_end = static_cast<std::uint32_t>(index.access.size());
            index.users.push_back(user);
        }
        index.index_seats();

        query::DashboardOptions options;
        options.now_ms = now;
        if (random() % 2)
            options.inactive_days = static_cast<int>(random() % 100);
        options.per_product["confluence"] = 60;
        auto d = query::compute_dashboard(index, options);

        std::map<std::pair<std::string, std::string>, Figures> expected;
        for (std::size_t p = 0; p < index.listed_products; ++p)
            expected[{index.products[p].key, index.products[p].site}] = {0, 0};
        for (const auto& u : index.users)
            for (auto i = u.access_begin; i < u.access_end; ++i) {
                const auto& a = index.access[i];
                if (!a.billable || a.product >= index.listed_products)
                    continue;
                const auto& product = index.products[a.product];
                int days = options.inactive_days.value_or(product.key == "confluence" ? 60 : 30);
                auto& f = expected[{product.key, product.site}];
                ++f.total;
                auto since = a.last_active != query::kNoInstant ? a.last_active : u.added;
                if (since != query::kNoInstant && since <= now - days * kDay)
                    ++f.inactive;
            }
        std::map<std::pair<std::string, std::string>, Figures> got;
        for (const auto& p : d.products)
            for (const auto& s : p.sites)
                got[{p.product, s.site}] = of(s);
        INFO("round " << round);
        CHECK(got == expected);
    }
}
