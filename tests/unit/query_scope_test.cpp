// A scoped caller's view of the snapshot (issue 19), over the hand-made snapshot of
// query_fixture.hpp: only in-scope users, only their in-scope access, in-scope figures only.
#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/query/query.hpp"
#include "rosterd/query/snapshot.hpp"

using namespace rosterd;
using namespace rosterd::test;

namespace {

std::vector<std::string> ids(const query::SnapshotIndex& index) {
    std::vector<std::string> out;
    for (auto u : query::select_users(index, {{}, query::UserSort::name, kQueryNow}))
        out.emplace_back(index.users[u].account_id);
    std::sort(out.begin(), out.end());
    return out;
}

Scope scope_of(std::optional<std::vector<std::string>> sites,
               std::optional<std::vector<std::string>> products) {
    return Scope{{ScopeRule{std::move(sites), std::move(products), std::nullopt}}};
}

}  // namespace

TEST_CASE("a scoped view holds only in-scope users, access and figures", "[query][scope]") {
    QuerySnapshot s;
    auto base = query::load_snapshot_index(s.db());
    query::DashboardOptions options;
    options.now_ms = kQueryNow;

    SECTION("unscoped: the index itself") {
        CHECK(query::restrict_to_scope(base, Scope::unscoped_scope()) == base);
    }
    SECTION("one site") {
        auto view = query::restrict_to_scope(base, scope_of({{"b.example.net"}}, std::nullopt));
        CHECK(ids(*view) == std::vector<std::string>{"acc-07", "acc-08", "acc-09"});
        CHECK(view->sites == std::vector<std::string>{"b.example.net"});
        auto d = query::compute_dashboard(*view, options);
        REQUIRE(d.products.size() == 1);
        CHECK(d.products[0].product == "jira-software");
        CHECK(d.products[0].total == 3);
        REQUIRE(d.products[0].sites.size() == 1);
        CHECK(d.products[0].sites[0].site == "b.example.net");
        // Fay's last activity in the view is on b (31 days), not her later one on a (29 days).
        auto fay = *query::find_user(*view, "acc-07");
        auto row = query::make_user_row(*view, fay, {});
        CHECK(row.last_active_ms == days_ago(31));
        REQUIRE(row.access.size() == 1);
        CHECK(row.access[0].site == "b.example.net");
        CHECK_FALSE(query::find_user(*view, "acc-01"));
        CHECK_FALSE(query::find_user(*view, "ann@acme.com"));
    }
    SECTION("one product") {
        auto view = query::restrict_to_scope(base, scope_of(std::nullopt, {{"confluence"}}));
        CHECK(ids(*view) == std::vector<std::string>{"acc-01", "acc-05"});
        auto d = query::compute_dashboard(*view, options);
        REQUIRE(d.products.size() == 1);
        CHECK(d.products[0].product == "confluence");
        CHECK(d.products[0].total == 1);  // Ann; Eve is a guest
    }
    SECTION("a product on a site, or another site: a union of rules") {
        Scope scope{{ScopeRule{{{"a.example.net"}}, {{"jira-software"}}, std::nullopt},
                     ScopeRule{{{"b.example.net"}}, std::nullopt, std::nullopt}}};
        auto view = query::restrict_to_scope(base, scope);
        CHECK(ids(*view) == std::vector<std::string>{"acc-01", "acc-02", "acc-03", "acc-04",
                                                     "acc-06", "acc-07", "acc-08", "acc-09"});
        auto d = query::compute_dashboard(*view, options);
        REQUIRE(d.products.size() == 1);  // no Confluence: it is on a, outside the first rule
        CHECK(d.products[0].total == 7);  // jira@a: Ann, Bob, cid, Fay; jira@b: Fay, Gus, Hal
    }
    SECTION("scopes naming what the organization lacks are warned about") {
        ScopedAccessEntry entry;
        entry.line = 7;
        entry.scope = ScopeRule{{{"a.example.net", "z.example.net"}}, {{"bamboo"}}, std::nullopt};
        CHECK(query::unknown_scope_names({entry}, *base) ==
              std::vector<std::string>{
                  "control.access entry at line 7: site z.example.net is not in the organization "
                  "(snapshot 1)",
                  "control.access entry at line 7: product bamboo is not in the organization "
                  "(snapshot 1)"});
    }
}
