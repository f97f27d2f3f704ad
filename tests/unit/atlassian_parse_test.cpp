// Pure parsers for Admin API bodies: entities, cursors, error shapes, malformed input.
#include <catch2/catch.hpp>

#include "rosterd/atlassian/parse.hpp"

using namespace rosterd::atlassian;

TEST_CASE("extract_cursor decodes v1 absolute URLs and passes v2 tokens through", "[atlassian]") {
    CHECK(extract_cursor("https://api.atlassian.com/admin/v1/orgs/o/users?cursor=x%3Dy%2Fz%2Bw") ==
          "x=y/z+w");
    CHECK(
        extract_cursor("https://api.atlassian.com/admin/v1/orgs?limit=5&cursor=eyJwIjoxfQ%3D%3D") ==
        "eyJwIjoxfQ==");
    CHECK(extract_cursor("https://api.atlassian.com/admin/v1/orgs?cursor=a+b&x=1") == "a+b");
    CHECK(extract_cursor("http://127.0.0.1:8080/admin/v1/orgs?cursor=abc#frag") == "abc");
    CHECK(extract_cursor("kloHX1ZQVasDAkx_P48NYQ") == "kloHX1ZQVasDAkx_P48NYQ");
    CHECK(extract_cursor("ab+c/d==") == "ab+c/d==");
    CHECK_FALSE(extract_cursor(""));
    CHECK_FALSE(extract_cursor("https://api.atlassian.com/admin/v1/orgs"));
    CHECK_FALSE(extract_cursor("https://api.atlassian.com/admin/v1/orgs?cursor="));
}

TEST_CASE("percent encoding round-trips cursors with + / =", "[atlassian]") {
    CHECK(percent_encode("x=y/z+w ~.-_") == "x%3Dy%2Fz%2Bw%20~.-_");
    CHECK(percent_decode(percent_encode("x=y/z+w")) == "x=y/z+w");
    CHECK(percent_decode("100%") == "100%");
    CHECK(percent_decode("%zz%41") == "%zzA");
    CHECK(percent_encode_path_segment("557058:abc/def@x") == "557058:abc%2Fdef@x");
}

TEST_CASE("group ids are normalized to bare UUIDs", "[atlassian]") {
    CHECK(normalize_group_id("ari:cloud:identity::group/7a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b") ==
          "7a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b");
    CHECK(normalize_group_id("7a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b") ==
          "7a1b2c3d-0000-4e5f-8a9b-0c1d2e3f4a5b");
}

TEST_CASE("org and orgs page parse", "[atlassian]") {
    auto org = parse_org(R"({"data":{"id":"o1","type":"orgs","attributes":{"name":"Example"}}})");
    REQUIRE(org);
    CHECK(org.value().id == "o1");
    CHECK(org.value().name == "Example");

    auto page = parse_orgs_page(
        R"({"data":[{"id":"o1","attributes":{"name":"A"}},{"id":"o2","attributes":{"name":"B"}}],
            "links":{"self":"https://api.atlassian.com/admin/v1/orgs",
                     "next":"https://api.atlassian.com/admin/v1/orgs?cursor=q%2Bq"}})");
    REQUIRE(page);
    REQUIRE(page.value().items.size() == 2);
    CHECK(page.value().items[1].name == "B");
    CHECK(page.value().next_cursor == "q+q");

    // ACCESS-966: a valid key may see an empty list with meta null.
    auto empty = parse_orgs_page(
        R"({"data":[],"links":{"self":"https://api.atlassian.com/admin/v1/orgs"},"meta":null})");
    REQUIRE(empty);
    CHECK(empty.value().items.empty());
    CHECK_FALSE(empty.value().next_cursor);
}

TEST_CASE("workspaces page parses ARI, type, typeKey, host and capacity", "[atlassian]") {
    auto page = parse_workspaces_page(R"({
      "data":[
        {"id":"ari:cloud:jira::site/3b0f","type":"workspaces",
         "attributes":{"name":"example","type":"jira","typeKey":"jira-software","status":"online",
                       "hostUrl":"https://example.atlassian.net","capacity":100,"labels":[]},
         "relationships":{"entitlements":[{"id":"e-1","type":"entitlement","attributes":{"key":"jira-software"}}]}},
        {"id":"ari:cloud:bitbucket::workspace/9","attributes":{"name":"bb","type":"bitbucket",
         "typeKey":"bitbucket","status":"online","hostUrl":null,"capacity":null}}],
      "links":{"self":"s","next":"c2"},
      "meta":{"pageSize":100,"startIndex":0,"endIndex":1,"total":2}})");
    REQUIRE(page);
    REQUIRE(page.value().items.size() == 2);
    const auto& jira = page.value().items[0];
    CHECK(jira.id == "ari:cloud:jira::site/3b0f");
    CHECK(jira.type == "jira");
    CHECK(jira.type_key == "jira-software");
    CHECK(jira.name == "example");
    CHECK(jira.status == "online");
    CHECK(jira.host_url == "https://example.atlassian.net");
    CHECK(jira.capacity == 100);
    CHECK(page.value().items[1].host_url.empty());
    CHECK_FALSE(page.value().items[1].capacity);
    CHECK(page.value().next_cursor == "c2");
}

TEST_CASE("directories page parses", "[atlassian]") {
    auto page = parse_directories_page(
        R"({"data":[{"directoryId":"d1","name":"Main","icon":"https://i"}],"links":{"self":"x"}})");
    REQUIRE(page);
    REQUIRE(page.value().items.size() == 1);
    CHECK(page.value().items[0].id == "d1");
    CHECK(page.value().items[0].name == "Main");
    CHECK_FALSE(page.value().next_cursor);
}

TEST_CASE("users page parses every expanded field, nanosecond timestamps and group ARIs",
          "[atlassian]") {
    auto page = parse_users_page(R"({
      "data":[{
        "accountId":"557058:0f3c","accountType":"atlassian","accountStatus":"active",
        "membershipStatus":"active","status":"active","claimStatus":"managed",
        "managementSource":null,"name":"Dana Example","nickname":"dana","email":"dana@example.com",
        "addedToOrg":"2024-01-01T00:00:00.000Z","platformRoles":["atlassian/site-admin"],
        "groups":[{"id":"ari:cloud:identity::group/7a1b","name":"jira-users","description":null}],
        "productAccess":[
          {"id":"ari:cloud:jira::site/3b0f","key":"jira","lastActiveTimestamp":"2026-08-01T09:15:02.123456789Z"},
          {"id":"ari:cloud:confluence::site/3b0f","key":"confluence"}],
        "links":{"self":"ECg5"}},
       {"accountId":"acc-2"}],
      "links":{"self":"ObSb","next":"kloHX1ZQVasDAkx_P48NYQ"}})");
    REQUIRE(page);
    REQUIRE(page.value().items.size() == 2);
    const auto& dana = page.value().items[0];
    CHECK(dana.account_id == "557058:0f3c");
    CHECK(dana.account_type == "atlassian");
    CHECK(dana.account_status == "active");
    CHECK(dana.membership_status == "active");
    CHECK(dana.status == "active");
    CHECK(dana.claim_status == "managed");
    CHECK(dana.management_source.empty());
    CHECK(dana.name == "Dana Example");
    CHECK(dana.nickname == "dana");
    CHECK(dana.email == "dana@example.com");
    CHECK(dana.added_to_org_ms == 1704067200000);
    CHECK(dana.platform_roles == std::vector<std::string>{"atlassian/site-admin"});
    REQUIRE(dana.groups.size() == 1);
    CHECK(dana.groups[0].id == "7a1b");
    CHECK(dana.groups[0].name == "jira-users");
    REQUIRE(dana.product_access.size() == 2);
    CHECK(dana.product_access[0].resource_id == "ari:cloud:jira::site/3b0f");
    CHECK(dana.product_access[0].key == "jira");
    CHECK(dana.product_access[0].last_active_ms == 1785575702123);
    CHECK_FALSE(dana.product_access[1].last_active_ms);
    const auto& bare = page.value().items[1];
    CHECK(bare.account_id == "acc-2");
    CHECK(bare.groups.empty());
    CHECK_FALSE(bare.added_to_org_ms);
    CHECK(page.value().next_cursor == "kloHX1ZQVasDAkx_P48NYQ");
}

TEST_CASE("user details parse from a data object", "[atlassian]") {
    auto user = parse_user(R"({"data":{"accountId":"a1","status":"suspended","email":"e@x"}})");
    REQUIRE(user);
    CHECK(user.value().account_id == "a1");
    CHECK(user.value().status == "suspended");
}

TEST_CASE("groups page parses flags, counts and normalizes ids", "[atlassian]") {
    auto page = parse_groups_page(R"({
      "data":[{"id":"7a1b","name":"jira-software-users","description":"Grants Jira",
               "directoryId":"d1","externalSynced":true,"managedBy":"external",
               "managementAccess":{"readable":true,"modifiable":false,"deletable":false},
               "counts":{"users":42,"resources":1},"links":{"self":"x"}},
              {"id":"ari:cloud:identity::group/8c","name":"other"}],
      "links":{"self":"a"}})");
    REQUIRE(page);
    REQUIRE(page.value().items.size() == 2);
    const auto& group = page.value().items[0];
    CHECK(group.id == "7a1b");
    CHECK(group.description == "Grants Jira");
    CHECK(group.directory_id == "d1");
    CHECK(group.external_synced);
    CHECK(group.managed_by == "external");
    CHECK(group.user_count == 42);
    CHECK(group.resource_count == 1);
    CHECK(page.value().items[1].id == "8c");
    CHECK_FALSE(page.value().items[1].external_synced);
    CHECK_FALSE(page.value().items[1].resource_count);
}

TEST_CASE("role assignment pages parse, with deprecated roles as a fallback", "[atlassian]") {
    auto groups =
        parse_group_roles_page(R"({"data":[{"resourceId":"ari:r","resourceOwner":"jira-software",
        "roles":["atlassian/user"],"defaultRole":null}],"links":{}})");
    REQUIRE(groups);
    REQUIRE(groups.value().items.size() == 1);
    CHECK(groups.value().items[0].roles == std::vector<std::string>{"atlassian/user"});
    CHECK(groups.value().items[0].default_role.empty());

    auto users = parse_user_roles_page(R"({"data":[
        {"resourceId":"ari:r","resourceOwner":"jira-software","directoryId":"d1","userDirectoryStatus":"active",
         "roleAssignments":[{"role":"atlassian/user","roleAssignmentMethods":["group_direct","direct"]}],
         "roles":["atlassian/user"]},
        {"resourceId":"ari:org","directoryId":null,"roles":["atlassian/org-admin"]}],
        "links":{"self":"s","next":"n2"}})");
    REQUIRE(users);
    REQUIRE(users.value().items.size() == 2);
    const auto& site = users.value().items[0];
    CHECK(site.directory_id == "d1");
    CHECK(site.user_directory_status == "active");
    REQUIRE(site.grants.size() == 1);
    CHECK(site.grants[0].role == "atlassian/user");
    CHECK(site.grants[0].methods == std::vector<std::string>{"group_direct", "direct"});
    const auto& platform = users.value().items[1];
    CHECK(platform.directory_id.empty());
    REQUIRE(platform.grants.size() == 1);
    CHECK(platform.grants[0].role == "atlassian/org-admin");
    CHECK(platform.grants[0].methods.empty());
    CHECK(users.value().next_cursor == "n2");
}

TEST_CASE("last-active-dates parse timestamps, date fallbacks and the cursor", "[atlassian]") {
    auto parsed = parse_last_active_dates(R"({"data":{
        "product_access":[
          {"id":"ari:cloud:jira::site/3b0f","key":"jira-software","last_active":"2026-08-01",
           "last_active_timestamp":"2026-08-01T09:15:02Z"},
          {"id":"ari:cloud:confluence::site/3b0f","key":"confluence","last_active":"2026-07-20"}],
        "added_to_org":"2024-01-01","added_to_org_timestamp":null},
        "links":{"next":"more"}})");
    REQUIRE(parsed);
    const auto& activity = parsed.value().first;
    REQUIRE(activity.products.size() == 2);
    CHECK(activity.products[0].key == "jira-software");
    CHECK(activity.products[0].last_active_ms == 1785575702000);
    CHECK(activity.products[1].last_active_ms == 1784505600000);  // date only: midnight UTC
    CHECK(activity.added_to_org_ms == 1704067200000);
    CHECK(parsed.value().second == "more");

    auto never = parse_last_active_dates(R"({"data":{"product_access":[]}})");
    REQUIRE(never);
    CHECK(never.value().first.products.empty());
    CHECK_FALSE(never.value().first.added_to_org_ms);
    CHECK_FALSE(never.value().second);
}

TEST_CASE("count parses", "[atlassian]") {
    auto count = parse_count(R"({"count": 100000})");
    REQUIRE(count);
    CHECK(count.value() == 100000);
    CHECK_FALSE(parse_count(R"({"total": 3})"));
}

TEST_CASE("malformed or mistyped bodies become parse errors naming the field", "[atlassian]") {
    auto truncated = parse_users_page(R"({"data":[{"accountId":"a1")");
    REQUIRE_FALSE(truncated);
    CHECK(truncated.error().kind == ApiError::Kind::parse);
    CHECK(truncated.error().retryable);
    CHECK(truncated.error().message.rfind("malformed JSON at offset", 0) == 0);

    auto empty = parse_users_page("");
    REQUIRE_FALSE(empty);
    CHECK(empty.error().message == "empty response body where JSON was expected");

    auto not_object = parse_users_page("[1,2]");
    REQUIRE_FALSE(not_object);
    CHECK(not_object.error().message == "response body: expected an object, got an array");

    auto no_data = parse_users_page(R"({"links":{}})");
    REQUIRE_FALSE(no_data);
    CHECK(no_data.error().message == "data: required field missing");

    auto wrong_id = parse_users_page(R"({"data":[{"accountId":42}]})");
    REQUIRE_FALSE(wrong_id);
    CHECK(wrong_id.error().message == "data[0].accountId: expected a string, got a number");

    auto wrong_item = parse_groups_page(R"({"data":["x"]})");
    REQUIRE_FALSE(wrong_item);
    CHECK(wrong_item.error().message == "data[0]: expected an object, got a string");

    auto bad_time = parse_users_page(
        R"({"data":[{"accountId":"a","productAccess":[{"id":"r","lastActiveTimestamp":"yesterday"}]}]})");
    REQUIRE_FALSE(bad_time);
    CHECK(bad_time.error().message ==
          "data[0].productAccess[0].lastActiveTimestamp: not an ISO-8601 timestamp: yesterday");

    auto bad_capacity =
        parse_workspaces_page(R"({"data":[{"id":"w","attributes":{"capacity":"10"}}]})");
    REQUIRE_FALSE(bad_capacity);
    CHECK(bad_capacity.error().message ==
          "data[0].attributes.capacity: expected an integer, got a string");

    auto bad_roles = parse_users_page(R"({"data":[{"accountId":"a","platformRoles":[1]}]})");
    REQUIRE_FALSE(bad_roles);
    CHECK(bad_roles.error().message == "data[0].platformRoles[0]: expected a string, got a number");

    // The path is spelled out only for the error, from steps kept on the way down.
    auto bad_group = parse_users_page(
        R"({"data":[{"accountId":"a"},{"accountId":"b","groups":[{"id":"g1"},{"name":"x"}]}]})");
    REQUIRE_FALSE(bad_group);
    CHECK(bad_group.error().message == "data[1].groups[1].id: required field missing");
}

TEST_CASE("a users page parsed in place keeps escaped text and stops at the body's end",
          "[atlassian]") {
    // Parsed in place, escapes are unescaped into the body's own copy; the view passed in is
    // untouched and may end without a NUL.
    const std::string text =
        R"({"data":[{"accountId":"a\u00e9\"b","name":"Line\none","email":"x@y.z"}],"links":{}}XYZ)";
    const std::string_view body(text.data(), text.size() - 3);
    auto page = parse_users_page(body);
    REQUIRE(page);
    REQUIRE(page.value().items.size() == 1);
    CHECK(page.value().items[0].account_id == "a\xc3\xa9\"b");
    CHECK(page.value().items[0].name == "Line\none");
    CHECK(page.value().items[0].email == "x@y.z");
    CHECK(text.substr(text.size() - 3) == "XYZ");
    CHECK(text.find(R"(a\u00e9)") != std::string::npos);

    // A NUL inside the body ends the input there, as it did before parsing in place: what
    // follows it is neither parsed nor accepted as trailing text.
    const std::string with_nul = std::string(R"({"data":[]})") + '\0' + "garbage";
    CHECK(parse_users_page(with_nul));
    const std::string cut = std::string(R"({"data":[)") + '\0' + R"(]})";
    CHECK_FALSE(parse_users_page(cut));
}

TEST_CASE("parsers survive arbitrary byte soup without throwing", "[atlassian]") {
    const std::string samples[] = {
        "{",
        "}",
        "{\"data\":null}",
        "{\"data\":{}}",
        "{\"data\":[null]}",
        "\x00\xff\xfe",
        "{\"data\":[{\"accountId\":\"a\",\"groups\":{}}]}",
        "{\"count\":1.5}",
        "{\"data\":{\"product_access\":[{\"id\":1}]}}",
        std::string(200000, '[')  // deep nesting must not recurse,
    };
    for (const auto& sample : samples) {
        CHECK_FALSE(parse_users_page(sample));
        CHECK_FALSE(parse_last_active_dates(sample));
        CHECK_FALSE(parse_count(sample));
        CHECK_FALSE(parse_org(sample));
        (void)parse_api_error(500, sample);
    }
}

TEST_CASE("parse_api_error understands every error body shape", "[atlassian]") {
    SECTION("ProxyError with a numeric code") {
        auto e = parse_api_error(401, R"({"code":401,"message":"Unauthorized"})");
        CHECK(e.kind == ApiError::Kind::auth_rejected);
        CHECK(e.status == 401);
        CHECK(e.code.empty());
        CHECK(e.message == "Unauthorized");
        CHECK_FALSE(e.retryable);
    }
    SECTION("errors[] list") {
        auto e = parse_api_error(404, R"({"errors":[{"id":"x","status":"404","code":"ADMIN-404-2",
            "title":"Not Found","detail":"Organization not found"}]})");
        CHECK(e.kind == ApiError::Kind::http);
        CHECK(e.code == "ADMIN-404-2");
        CHECK(e.message == "Not Found: Organization not found");
        CHECK_FALSE(e.retryable);
    }
    SECTION("errors[] with several entries") {
        auto e = parse_api_error(400, R"({"errors":[{"code":"ADMIN-400-24","title":"Invalid body"},
            {"code":"ADMIN-400-1","title":"Invalid page cursor"}]})");
        CHECK(e.code == "ADMIN-400-24");
        CHECK(e.message == "Invalid body; Invalid page cursor");
    }
    SECTION("NoPermsError") {
        auto e = parse_api_error(403, R"({"timestamp":"2025-06-06T06:03:27.122+00:00",
            "path":"/api/admin/v1/orgs/o/users","status":403,"error":"Forbidden",
            "message":"User has no permission to access resource.","requestId":"r"})");
        CHECK(e.kind == ApiError::Kind::http);
        CHECK(e.code == "Forbidden");
        CHECK(e.message == "User has no permission to access resource.");
    }
    SECTION("user-management key error with a reason") {
        auto e = parse_api_error(403, R"({"key":"forbidden.action","context":{"allowed":false,
            "reason":{"key":"externalDirectory.scim"}}})");
        CHECK(e.code == "forbidden.action");
        CHECK(e.message == "forbidden.action, reason externalDirectory.scim");
    }
    SECTION("user-management lifecycle conflict") {
        auto e =
            parse_api_error(409, R"({"key":"conflict.lifecycleErrors","context":{"accountId":"a",
            "message":"Cannot deactivate","errorCodes":[{"code":"c","message":"already deactivated"}]}})");
        CHECK(e.code == "conflict.lifecycleErrors");
        CHECK(e.message == "conflict.lifecycleErrors: Cannot deactivate; already deactivated");
    }
    SECTION("flat workspace error") {
        auto e = parse_api_error(400, R"({"code":"ADMIN-400-24","detail":"cursor must be alone",
            "id":"i","status":"400","title":"Bad Request"})");
        CHECK(e.code == "ADMIN-400-24");
        CHECK(e.message == "Bad Request: cursor must be alone");
    }
    SECTION("HTML from a proxy") {
        auto e = parse_api_error(
            502, "<html><head><title>502 Bad Gateway</title></head><body>nginx</body></html>");
        CHECK(e.kind == ApiError::Kind::http);
        CHECK(e.retryable);
        CHECK(e.code.empty());
        CHECK(e.message == "HTTP 502 with an HTML body: 502 Bad Gateway");
    }
    SECTION("empty body") {
        auto e = parse_api_error(503, "");
        CHECK(e.retryable);
        CHECK(e.message == "HTTP 503 with an empty body");
    }
    SECTION("429 is rate_limited and retryable") {
        auto e = parse_api_error(429, R"({"code":429,"message":"Too Many Requests"})");
        CHECK(e.kind == ApiError::Kind::rate_limited);
        CHECK(e.retryable);
    }
    SECTION("an unrecognized JSON object still yields a message") {
        auto e = parse_api_error(418, R"({"teapot":true})");
        CHECK(e.message == "HTTP 418");
    }
}

TEST_CASE("ApiError::describe summarises kind, status, code and attempts", "[atlassian]") {
    ApiError error;
    error.kind = ApiError::Kind::http;
    error.status = 404;
    error.code = "ADMIN-404-2";
    error.message = "Organization not found";
    error.attempts = 1;
    CHECK(error.describe() == "http 404 ADMIN-404-2: Organization not found (1 attempt)");
}
