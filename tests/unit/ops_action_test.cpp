#include <catch2/catch.hpp>

#include "rosterd/model/action.hpp"

using namespace rosterd::ops;

TEST_CASE("actions parse from their one syntax and print back the same", "[ops]") {
    CHECK(parse_action("suspend").kind == ActionKind::suspend);
    CHECK(parse_action(" restore ").kind == ActionKind::restore);
    CHECK(parse_action("deactivate").kind == ActionKind::deactivate);
    CHECK(parse_action("reactivate").kind == ActionKind::reactivate);
    CHECK(parse_action("remove-from-directory").destructive());
    CHECK_FALSE(parse_action("suspend").destructive());

    auto access = parse_action("remove-product-access:jira-software@ACME.atlassian.net");
    CHECK(access.kind == ActionKind::remove_product_access);
    CHECK(access.product == "jira-software");
    CHECK(access.site == "acme.atlassian.net");
    CHECK(to_string(access) == "remove-product-access:jira-software@acme.atlassian.net");
    auto every_site = parse_action("remove-product-access:confluence");
    CHECK(every_site.site.empty());

    auto groups = parse_action("add-to-groups:team-a, Team B");
    CHECK(groups.kind == ActionKind::add_to_groups);
    CHECK(groups.groups == std::vector<std::string>{"team-a", "Team B"});
    CHECK(to_string(groups) == "add-to-groups:team-a,Team B");
    for (const char* text : {"suspend", "remove-from-groups:x", "add-to-groups:a,b",
                             "remove-product-access:jira-software@a.example.net"})
        CHECK(to_string(parse_action(text)) == text);
}

TEST_CASE("bad actions are refused with what was expected", "[ops]") {
    CHECK_THROWS_WITH(parse_action("suspendd"), Catch::Contains("unknown action 'suspendd'") &&
                                                    Catch::Contains("remove-product-access:"));
    CHECK_THROWS_WITH(parse_action("suspend:now"), Catch::Contains("takes no parameter"));
    CHECK_THROWS_WITH(parse_action("remove-product-access"), Catch::Contains("needs a product"));
    CHECK_THROWS_WITH(parse_action("remove-product-access:jira@"), Catch::Contains("PRODUCT@SITE"));
    CHECK_THROWS_WITH(parse_action("add-to-groups:"), Catch::Contains("needs groups"));
    CHECK_THROWS_WITH(parse_action("remove-from-groups:a,,b"), Catch::Contains("empty group"));
}
