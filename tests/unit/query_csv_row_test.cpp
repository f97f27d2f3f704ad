// The daemon renders export pages as CSV straight from the index (append_user_csv); rosterctl
// used to flatten each JSON row (user_csv_cells of user_row_json). The two must write the same
// bytes for every user and activity scope.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>

#include "query_fixture.hpp"
#include "rosterd/query/csv.hpp"
#include "rosterd/query/json.hpp"
#include "rosterd/query/snapshot.hpp"

using namespace rosterd;

namespace {

std::string through_json(const query::SnapshotIndex& index, std::uint32_t user,
                         const query::ActivityScope& scope) {
    rapidjson::Document doc;
    auto row = query::user_row_json(index, user, scope, doc.GetAllocator());
    return query::csv_record(query::user_csv_cells(row));
}

std::string direct(const query::SnapshotIndex& index, std::uint32_t user,
                   const query::ActivityScope& scope) {
    std::string out;
    query::append_user_csv(index, user, scope, out);
    return out;
}

std::vector<query::ActivityScope> scopes() {
    query::ActivityScope product, site, both;
    product.product = "jira-software";
    site.site = "b.example.net";
    both.product = "jira-software";
    both.site = "a.example.net";
    return {{}, product, site, both};
}

}  // namespace

TEST_CASE("an export row rendered from the index equals the row flattened from its JSON",
          "[query][csv]") {
    test::QuerySnapshot s;
    auto index = query::load_snapshot_index(s.db());
    REQUIRE(index->users.size() == 10);
    for (const auto& scope : scopes())
        for (std::uint32_t u = 0; u < index->users.size(); ++u) {
            INFO("user " << index->users[u].account_id);
            CHECK(direct(*index, u, scope) == through_json(*index, u, scope));
        }
}

TEST_CASE("awkward texts render the same from the index as through JSON", "[query][csv]") {
    query::SnapshotIndex index;
    index.products.push_back({"res-a", "jira-software", "a,b.example.net", {}});
    index.products.push_back({"res-x", "", "x.example.net", {}});  // a resource no product lists
    index.listed_products = 1;
    index.groups.push_back({"g1", "", ""});
    index.groups.push_back({"g2", "eng, \"core\"", "eng, \"core\""});
    index.groups.push_back({"g3", " ops ", " ops "});
    query::IndexedUser u;
    u.account_id = index.keep("acc-1");
    u.name = index.keep("O'Brien, \"Bob\"\r\nJr");
    u.email = index.keep(" bob@acme.com");
    u.status = index.intern("active");
    u.account_type = index.intern("atlassian");
    u.added = 1'780'272'000'123;
    u.access_begin = 0;
    index.access.push_back({0, index.intern("atlassian/user"), true, false, 1'780'000'000'000});
    index.access.push_back({1, index.intern("custom/role,x"), false, false, query::kNoInstant});
    u.access_end = 2;
    u.last_active = 1'780'000'000'000;
    for (std::uint32_t g : {0u, 1u, 2u, 0u})
        index.memberships.push_back(g);
    u.groups_begin = 0;
    u.groups_end = 4;
    index.users.push_back(u);
    index.users.push_back(query::IndexedUser{});  // nothing known at all
    index.index_users();
    for (const auto& scope : scopes())
        for (std::uint32_t user = 0; user < index.users.size(); ++user)
            CHECK(direct(index, user, scope) == through_json(index, user, scope));
    CHECK(direct(index, 0, {}).find("\"O'Brien, \"\"Bob\"\"\r\nJr\"") != std::string::npos);
}
