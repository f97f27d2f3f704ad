// The batched user reads of bulk runs and refreshes (daemon/atlassian/user_batch_read.hpp): their
// batch sizes are the OpenAPI document's maxima for users/search, and the requests they cost.
#include <rapidjson/document.h>

#include <catch2/catch.hpp>
#include <fstream>
#include <sstream>

#include "rosterd/atlassian/user_batch_read.hpp"

using namespace rosterd::atlassian;

namespace {

// maxItems of a property of MultiDirectoryUserSearchRequest (POST .../users/search).
std::int64_t search_max_items(const char* property) {
    std::ifstream in(std::string(ROSTERD_SOURCE_DIR) +
                     "/tests/data/openapi/atlassian_org_openapi.json");
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document spec;
    spec.Parse(text.str().c_str());
    REQUIRE_FALSE(spec.HasParseError());
    const auto& schema =
        spec["components"]["schemas"]["MultiDirectoryUserSearchRequest"]["properties"];
    REQUIRE(schema.HasMember(property));
    return schema[property]["maxItems"].GetInt64();
}

}  // namespace

TEST_CASE("batched user reads use the users/search maxima of the OpenAPI document", "[atlassian]") {
    CHECK(static_cast<std::int64_t>(kMaxEmailsPerSearch) == search_max_items("emails"));
    CHECK(static_cast<std::int64_t>(kMaxAccountIdsPerSearch) == search_max_items("accountIds"));
    CHECK(kMaxEmailsPerSearch == 100);
    CHECK(kMaxAccountIdsPerSearch == 10);
}

TEST_CASE("email batches: 100 addresses a request, each address once, users without one left out",
          "[atlassian]") {
    std::vector<UserToRead> users;
    for (int i = 0; i < 250; ++i)
        users.push_back({"id-" + std::to_string(i), "user" + std::to_string(i) + "@example.com"});
    users.push_back({"no-email", ""});
    users.push_back({"same-address", "USER7@example.com"});  // uniqueItems, case-insensitive
    auto batches = email_batches(users);
    REQUIRE(batches.size() == 3);
    CHECK(batches[0].size() == 100);
    CHECK(batches[1].size() == 100);
    CHECK(batches[2].size() == 50);
    CHECK(batches[0].front() == "user0@example.com");
    CHECK(batches[2].back() == "user249@example.com");
    CHECK(email_batches({}).empty());
    CHECK(email_batches({{"a", ""}}).empty());
}
