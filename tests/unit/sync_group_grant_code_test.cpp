// What each group grants, read through a few filtered group searches (group_grant_code.hpp): a
// group with one role on one product decodes to it, anything else is left to be read alone.
#include <catch2/catch.hpp>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "daemon/sync/group_grant_code.hpp"

using namespace rosterd;

namespace {

struct FakeGroup {
    std::string id;
    std::vector<std::pair<std::string, std::string>> grants;  // (product, role)
};

std::vector<std::string> products(std::size_t n) {
    std::vector<std::string> ids;
    for (std::size_t i = 0; i < n; ++i)
        ids.push_back("ari:cloud:jira::site/" + std::to_string(i));
    return ids;
}

bool contains(const std::vector<std::string>& list, const std::string& value) {
    return std::find(list.begin(), list.end(), value) != list.end();
}

// Answers each search as the API does: roleIds alone return the groups granting one of the
// roles anywhere, resourceIds alone the groups granting something on one of the products.
void answer(sync::GroupGrantCode& code, const std::vector<FakeGroup>& groups) {
    for (std::size_t q = 0; q < code.queries().size(); ++q) {
        const auto& query = code.queries()[q];
        REQUIRE(query.role_ids.empty() != query.resource_ids.empty());
        CHECK(query.role_ids.size() <= 10);
        CHECK(query.resource_ids.size() <= 20);
        for (const auto& g : groups) {
            bool match = false;
            for (const auto& [product, role] : g.grants)
                match = match || (query.role_ids.empty() ? contains(query.resource_ids, product)
                                                         : contains(query.role_ids, role));
            if (match)
                code.returned(q, g.id);
        }
    }
}

const std::vector<std::string> kCommonRoles = {"atlassian/user",        "atlassian/admin",
                                               "atlassian/guest",       "atlassian/customer",
                                               "atlassian/contributor", "atlassian/basic"};

}  // namespace

TEST_CASE("group grants: one role on one product decodes, for every common role and product",
          "[sync][groups]") {
    const auto ids = products(6);
    sync::GroupGrantCode code(ids);
    // 4 role bits (the other roles named by three of them or four), 4 bits for 6 products (each
    // two of them).
    CHECK(code.cost() == 8);
    std::vector<FakeGroup> groups;
    for (const auto& product : ids)
        for (const auto& role : kCommonRoles)
            groups.push_back({product + " " + role, {{product, role}}});
    answer(code, groups);
    for (const auto& g : groups) {
        INFO(g.id);
        auto grant = code.decode(g.id);
        REQUIRE(grant.has_value());
        CHECK(grant->resource_id == g.grants[0].first);
        CHECK(grant->role == g.grants[0].second);
    }
}

TEST_CASE("group grants: two roles, a rare role or an unknown resource are not decoded",
          "[sync][groups]") {
    const auto ids = products(6);
    sync::GroupGrantCode code(ids);
    std::vector<FakeGroup> groups = {
        {"user and admin", {{ids[2], "atlassian/user"}, {ids[2], "atlassian/admin"}}},
        {"guest and basic", {{ids[4], "atlassian/guest"}, {ids[4], "atlassian/basic"}}},
        {"stakeholder", {{ids[1], "atlassian/stakeholder"}}},
        {"admin and user-access-admin",
         {{ids[0], "atlassian/admin"}, {ids[0], "atlassian/user-access-admin"}}},
        {"a site, not a product", {{"ari:cloud:platform::site/9", "atlassian/user"}}},
        // Two products whose codes combined could read as a third one's in a binary code.
        {"user on two products", {{ids[0], "atlassian/user"}, {ids[1], "atlassian/user"}}},
        {"admin on two products", {{ids[3], "atlassian/admin"}, {ids[5], "atlassian/admin"}}},
        {"plain", {{ids[5], "atlassian/guest"}}},
    };
    // Every other canonical role alone, and beside each common role: three role bits or four.
    for (const std::string rare :
         {"atlassian/stakeholder", "atlassian/user-access-admin", "atlassian/org-admin",
          "atlassian/site-admin", "atlassian/ai-access"}) {
        groups.insert(groups.begin(), {rare, {{ids[1], rare}}});
        for (const auto& common : kCommonRoles)
            groups.insert(groups.begin(),
                          {rare + " and " + common, {{ids[3], rare}, {ids[3], common}}});
    }
    answer(code, groups);
    for (std::size_t i = 0; i + 1 < groups.size(); ++i) {
        INFO(groups[i].id);
        CHECK_FALSE(code.decode(groups[i].id).has_value());
    }
    auto plain = code.decode("plain");
    REQUIRE(plain.has_value());
    CHECK(plain->resource_id == ids[5]);
    CHECK(plain->role == "atlassian/guest");
    // A group no search returned grants nothing the code knows of.
    CHECK_FALSE(code.decode("never returned").has_value());
}

TEST_CASE("group grants: a search that missed a group leaves it undecoded", "[sync][groups]") {
    const auto ids = products(6);
    for (std::size_t missed = 0;; ++missed) {
        sync::GroupGrantCode code(ids);
        if (missed == code.queries().size())
            break;
        INFO("search " << missed << " missed the group");
        // Every product and common role: answered by every search but one (a page that moved
        // under it, a grant changed meanwhile).
        std::vector<FakeGroup> groups;
        for (const auto& product : ids)
            for (const auto& role : kCommonRoles)
                groups.push_back({product + " " + role, {{product, role}}});
        for (std::size_t q = 0; q < code.queries().size(); ++q) {
            if (q == missed)
                continue;
            const auto& query = code.queries()[q];
            for (const auto& g : groups) {
                const auto& [product, role] = g.grants[0];
                if (query.role_ids.empty() ? contains(query.resource_ids, product)
                                           : contains(query.role_ids, role))
                    code.returned(q, g.id);
            }
        }
        for (const auto& g : groups) {
            const auto& query = code.queries()[missed];
            const auto& [product, role] = g.grants[0];
            const bool in_missed = query.role_ids.empty() ? contains(query.resource_ids, product)
                                                          : contains(query.role_ids, role);
            INFO(g.id);
            if (in_missed)
                CHECK_FALSE(code.decode(g.id).has_value());
            else
                CHECK(code.decode(g.id).has_value());
        }
    }
}

TEST_CASE("group grants: more products than a search names are searched in parts",
          "[sync][groups]") {
    for (std::size_t n : {1, 2, 6, 7, 8, 25, 64, 300}) {
        INFO(n << " products");
        const auto ids = products(n);
        sync::GroupGrantCode code(ids);
        std::vector<FakeGroup> groups;
        for (std::size_t p = 0; p < n; ++p)
            groups.push_back({"g" + std::to_string(p), {{ids[p], kCommonRoles[p % 6]}}});
        answer(code, groups);
        for (std::size_t p = 0; p < n; ++p) {
            auto grant = code.decode("g" + std::to_string(p));
            REQUIRE(grant.has_value());
            CHECK(grant->resource_id == ids[p]);
            CHECK(grant->role == kCommonRoles[p % 6]);
        }
    }
}
