// What `reload` reports as changed (key names, never values), and the product and site a users
// listing takes last-active dates from when a saved filter and flags combine.
#include <catch2/catch.hpp>

#include "rosterd/config/config.hpp"
#include "rosterd/query/query.hpp"

using namespace rosterd;

TEST_CASE("reload names the keys that changed, were added or were removed", "[config]") {
    auto before = parse_config(R"(atlassian:
  org_id: 3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35
ops:
  max_users: 10
protect:
  users: [a@acme.com, b@acme.com]
)",
                               "before.yaml");
    auto after = parse_config(R"(atlassian:
  org_id: 3f9c1b2e-5d4a-4c1e-9b7a-2a6d8e0f1c35
ops:
  max_users: 12
protect:
  users: [a@acme.com]
sync:
  daily_at: "04:00"
)",
                              "after.yaml");
    CHECK(changed_settings(before, after) ==
          std::vector<std::string>{"ops.max_users", "protect.users[1]", "sync.daily_at"});
    CHECK(changed_settings(after, after).empty());
}

TEST_CASE("last activity is taken from the saved filter's product and the flags' site together",
          "[query]") {
    UserFilter saved, flags;
    saved.product = "jira-software";
    flags.site = "acme.atlassian.net";
    auto scope = query::activity_scope({{saved, flags}, query::UserSort::name, 0});
    CHECK(scope.product == std::optional<std::string>("jira-software"));
    CHECK(scope.site == std::optional<std::string>("acme.atlassian.net"));
    // The flags win where both name a product.
    flags.product = "confluence";
    scope = query::activity_scope({{saved, flags}, query::UserSort::name, 0});
    CHECK(scope.product == std::optional<std::string>("confluence"));
    // A saved filter alone still scopes the column.
    scope = query::activity_scope({{saved, UserFilter{}}, query::UserSort::name, 0});
    CHECK(scope.product == std::optional<std::string>("jira-software"));
    CHECK_FALSE(scope.site);
}
