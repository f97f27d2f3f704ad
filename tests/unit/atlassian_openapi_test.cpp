// Checks the client's requests against Atlassian's published OpenAPI documents: every method and
// path it calls is a documented operation, and every JSON body field it sends is a documented
// property of that operation's request body.
#include <rapidjson/document.h>

#include <asio/io_context.hpp>
#include <catch2/catch.hpp>
#include <fstream>
#include <regex>
#include <sstream>

#include "rosterd/atlassian/atlassian.hpp"
#include "test_http_server.hpp"

using namespace rosterd;
using namespace rosterd::atlassian;
using rosterd::test::run_until;
using rosterd::test::TestHttpServer;

namespace {

rapidjson::Document load_spec(const std::string& name) {
    std::ifstream in(std::string(ROSTERD_SOURCE_DIR) + "/tests/data/openapi/" + name);
    std::stringstream text;
    text << in.rdbuf();
    rapidjson::Document document;
    document.Parse(text.str().c_str());
    REQUIRE_FALSE(document.HasParseError());
    return document;
}

std::string lower(std::string text) {
    for (auto& c : text)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return text;
}

// The operation object for method + concrete path (templates like {orgId} match one segment).
const rapidjson::Value* find_operation(const rapidjson::Document& spec, const std::string& method,
                                       const std::string& path) {
    const auto& paths = spec["paths"];
    for (auto it = paths.MemberBegin(); it != paths.MemberEnd(); ++it) {
        const std::string pattern = std::regex_replace(std::string(it->name.GetString()),
                                                       std::regex(R"(\{[^}]+\})"), "[^/]+");
        if (!std::regex_match(path, std::regex(pattern)))
            continue;
        auto operation = it->value.FindMember(lower(method).c_str());
        if (operation != it->value.MemberEnd())
            return &operation->value;
    }
    return nullptr;
}

// Property names the operation's JSON request body schema allows (one $ref level resolved).
std::vector<std::string> body_properties(const rapidjson::Document& spec,
                                         const rapidjson::Value& operation) {
    std::vector<std::string> names;
    if (!operation.HasMember("requestBody"))
        return names;
    const rapidjson::Value* schema =
        &operation["requestBody"]["content"]["application/json"]["schema"];
    if (schema->HasMember("$ref")) {
        std::string ref = (*schema)["$ref"].GetString();
        ref = ref.substr(ref.rfind('/') + 1);
        schema = &spec["components"]["schemas"][ref.c_str()];
    }
    if (!schema->HasMember("properties"))
        return names;
    for (auto it = (*schema)["properties"].MemberBegin(); it != (*schema)["properties"].MemberEnd();
         ++it) {
        names.emplace_back(it->name.GetString());
    }
    return names;
}

// Minimal valid answers so every call completes. The server's worker threads run this at once:
// the regex is compiled once (a thread-safe static), since compiling regexes in parallel races on
// libstdc++'s lazily filled ctype<char>::narrow cache (ThreadSanitizer reports it).
void answer(const httplib::Request& req, httplib::Response& res) {
    static const std::regex one_user(R"(.*/users/[^/]+)");
    const std::string& path = req.path;
    std::string body = R"({"data":[]})";
    if (path.ends_with("/count")) {
        body = R"({"count":0})";
    } else if (path.ends_with("/last-active-dates")) {
        body = R"({"data":{"product_access":[]}})";
    } else if (req.method == "GET" && path == "/admin/v1/orgs/org-1") {
        body = R"({"data":{"id":"org-1"}})";
    } else if (req.method == "GET" && std::regex_match(path, one_user)) {
        body = R"({"data":{"accountId":"a"}})";
    } else if (path.ends_with("/search") || path.ends_with("/workspaces")) {
        body = R"({"data":[]})";  // listings by POST
    } else if (req.method != "GET") {
        res.status = 204;
        return;
    }
    res.set_content(body, "application/json");
}

}  // namespace

TEST_CASE("every request the client makes is a documented operation with documented fields",
          "[atlassian]") {
    const auto org_spec = load_spec("atlassian_org_openapi.json");
    const auto um_spec = load_spec("atlassian_user_management_openapi.json");

    TestHttpServer server;
    for (const char* method : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
        server.route(method, ".*", answer);
    }
    asio::io_context io;
    ClientConfig config;
    config.api_base = server.base_url();
    config.org_id = "org-1";
    config.api_key = [] { return std::string("key"); };
    config.last_active_per_minute = 0;
    config.retry.max_attempts = 1;  // any failure shows at once
    Client client(io, config);

    int pending = 0;
    auto done = [&](auto result) {
        if (!result)
            FAIL_CHECK(result.error().describe());
        --pending;
    };
    UserSearch search;
    search.status = {"active"};
    search.account_status = {"active"};
    search.membership_status = {"active"};
    search.claim_status = "managed";
    search.resource_ids = {"ari:cloud:jira::site/1"};
    search.role_ids = {"atlassian/admin"};
    search.group_ids = {"g"};
    search.account_ids = {"a"};
    search.email_domains = {"example.com"};
    search.emails = {"a@example.com"};
    search.expand = {"groups"};
    GroupSearch groups;
    groups.group_ids = {"g"};
    groups.account_ids = {"a"};
    groups.resource_ids = {"r"};
    groups.role_ids = {"atlassian/user"};
    groups.expand = {"counts.resources"};

    pending = 22;
    client.get_org(done);
    client.list_orgs(done);
    client.list_workspaces(done);
    client.list_directories(done);
    client.search_users(search, PageHandler<DirectoryUser>([](const auto&) {}), done);
    client.count_users(search, done);
    client.list_groups(groups, done);
    client.get_group_roles("d1", "g1", done);
    client.get_user_roles("557058:a", done);
    client.get_user("557058:a", done);
    client.last_active_dates("557058:a", done);
    client.suspend("d1", "557058:a", done);
    client.restore("d1", "557058:a", done);
    client.remove_from_directory("d1", "557058:a", done);
    client.add_to_group("d1", "g1", "557058:a", done);
    client.remove_from_group("d1", "g1", "557058:a", done);
    client.assign_user_role("557058:a", "atlassian/user", "ari:r", done);
    client.revoke_user_role("557058:a", "atlassian/user", "ari:r", done);
    client.assign_group_role("d1", "g1", "atlassian/user", "ari:r", done);
    client.revoke_group_role("d1", "g1", "atlassian/user", "ari:r", done);
    client.lifecycle_disable("557058:a", "bye", done);
    client.lifecycle_enable("557058:a", done);
    REQUIRE(run_until(io, [&] { return pending == 0; }));

    const auto requests = server.requests();
    REQUIRE(requests.size() == 22);
    for (const auto& request : requests) {
        INFO(request.method << " " << request.path << " " << request.body);
        const bool admin = request.path.starts_with("/admin/");
        const auto& spec = admin ? org_spec : um_spec;
        const std::string path = admin ? request.path.substr(6) : request.path;
        const rapidjson::Value* operation = find_operation(spec, request.method, path);
        REQUIRE(operation != nullptr);
        const bool deprecated =
            operation->HasMember("deprecated") && (*operation)["deprecated"].IsTrue();
        CHECK_FALSE(deprecated);
        if (request.body.empty() || request.body == "{}")
            continue;
        rapidjson::Document body;
        body.Parse(request.body.c_str());
        REQUIRE(body.IsObject());
        const auto allowed = body_properties(spec, *operation);
        for (auto it = body.MemberBegin(); it != body.MemberEnd(); ++it) {
            INFO("field " << it->name.GetString());
            CHECK(std::find(allowed.begin(), allowed.end(), it->name.GetString()) != allowed.end());
        }
    }
}
