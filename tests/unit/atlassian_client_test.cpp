// rosterd::atlassian::Client against scripted local servers: request shapes, every pagination
// style, retries, rate limits, key rejection, cancellation, and that the key never leaks.
#include <spdlog/sinks/ostream_sink.h>
#include <spdlog/spdlog.h>

#include <asio/io_context.hpp>
#include <asio/steady_timer.hpp>
#include <catch2/catch.hpp>
#include <optional>
#include <sstream>

#include "rosterd/atlassian/atlassian.hpp"
#include "rosterd/base/time_format.hpp"
#include "test_http_server.hpp"

using namespace rosterd;
using namespace rosterd::atlassian;
using namespace std::chrono_literals;
using rosterd::test::RawTcpServer;
using rosterd::test::Reply;
using rosterd::test::run_until;
using rosterd::test::TestHttpServer;

namespace {

const std::string kKey = "ATATT3xFfGF0-very-secret-key-123";
const std::string kOrgPath = "/admin/v1/orgs/org-1";
const std::string kDirPath = "/admin/v2/orgs/org-1/directories/-";

ClientConfig fast_config(const std::string& base) {
    ClientConfig config;
    config.api_base = base;
    config.org_id = "org-1";
    config.api_key = [] { return kKey; };
    config.retry.max_attempts = 4;
    config.retry.base_delay = 2ms;
    config.retry.max_delay = 10ms;
    config.retry.max_server_wait = 2000ms;
    config.http.connect_timeout = 1000ms;
    config.http.total_timeout = 2000ms;
    config.jitter_seed = 42;
    config.last_active_per_minute = 0;  // unpaced unless a test turns it on
    return config;
}

// Captures everything logged through spdlog's default logger while alive.
class LogCapture {
  public:
    LogCapture() : previous_(spdlog::default_logger()) {
        auto sink = std::make_shared<spdlog::sinks::ostream_sink_mt>(stream_);
        auto logger = std::make_shared<spdlog::logger>("capture", sink);
        logger->set_level(spdlog::level::trace);
        spdlog::set_default_logger(logger);
    }
    ~LogCapture() { spdlog::set_default_logger(previous_); }
    std::string text() const { return stream_.str(); }

  private:
    std::ostringstream stream_;
    std::shared_ptr<spdlog::logger> previous_;
};

template <typename T>
struct Await {
    std::optional<Result<T>> result;
    Callback<T> callback() {
        return [this](Result<T> r) { result.emplace(std::move(r)); };
    }
    Result<T>& wait(asio::io_context& io, std::chrono::milliseconds limit = 5000ms) {
        REQUIRE(run_until(
            io, [this] { return result.has_value(); }, limit));
        return *result;
    }
};

std::string org_body(const std::string& id, const std::string& name) {
    return R"({"data":{"id":")" + id + R"(","type":"orgs","attributes":{"name":")" + name +
           R"("}}})";
}

std::string users_page(const std::vector<std::string>& ids, const std::string& next) {
    std::string body = R"({"data":[)";
    for (std::size_t i = 0; i < ids.size(); ++i) {
        if (i)
            body += ",";
        body += R"({"accountId":")" + ids[i] + R"(","status":"active"})";
    }
    body += R"(],"links":{"self":"s")";
    if (!next.empty())
        body += R"(,"next":")" + next + R"(")";
    return body + "}}";
}

std::string http_response(int status, const std::string& body) {
    return "HTTP/1.1 " + std::to_string(status) +
           " X\r\nContent-Type: application/json\r\nConnection: close\r\nContent-Length: " +
           std::to_string(body.size()) + "\r\n\r\n" + body;
}

}  // namespace

TEST_CASE("get_org sends the bearer key and JSON accept header", "[atlassian]") {
    TestHttpServer server;
    server.script("GET", kOrgPath, {Reply{200, org_body("org-1", "Example Corp")}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    Await<Org> org;
    client.get_org(org.callback());
    auto& result = org.wait(io);
    REQUIRE(result);
    CHECK(result.value().id == "org-1");
    CHECK(result.value().name == "Example Corp");
    auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].method == "GET");
    CHECK(requests[0].header("Authorization") == "Bearer " + kKey);
    CHECK(requests[0].header("Accept") == "application/json");
    CHECK(requests[0].header("Content-Type").empty());
    CHECK(client.stats().requests_sent == 1);
    CHECK(client.stats().retries == 0);
    CHECK(client.stats().bytes_received == org_body("org-1", "Example Corp").size());
}

TEST_CASE("v1 pagination re-encodes the cursor from an absolute links.next", "[atlassian]") {
    TestHttpServer server;
    server.route("GET", "/admin/v1/orgs", [](const httplib::Request& req, httplib::Response& res) {
        if (!req.has_param("cursor")) {
            // The link points at another host on purpose: only its cursor may be used.
            res.set_content(R"({"data":[{"id":"o1","attributes":{"name":"A"}}],
                "links":{"next":"https://elsewhere.example/admin/v1/orgs?cursor=x%3Dy%2Fz%2Bw"}})",
                            "application/json");
        } else {
            res.set_content(R"({"data":[{"id":"o2","attributes":{"name":"B"}}],"links":{}})",
                            "application/json");
        }
    });
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    Await<std::vector<Org>> orgs;
    client.list_orgs(orgs.callback());
    auto& result = orgs.wait(io);
    REQUIRE(result);
    REQUIRE(result.value().size() == 2);
    CHECK(result.value()[0].id == "o1");
    CHECK(result.value()[1].id == "o2");
    auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].target == "/admin/v1/orgs");
    CHECK(requests[1].target == "/admin/v1/orgs?cursor=x%3Dy%2Fz%2Bw");
    CHECK(requests[1].param("cursor") == "x=y/z+w");
}

TEST_CASE("workspaces page with a cursor-only body", "[atlassian]") {
    TestHttpServer server;
    server.script("POST", "/admin/v2/orgs/org-1/workspaces",
                  {Reply{200, R"({"data":[{"id":"ari:cloud:jira::site/1","attributes":{"name":"a",
                        "type":"jira","typeKey":"jira-software","status":"online","capacity":50}}],
                        "links":{"next":"c+2/=="}})"},
                   Reply{200, R"({"data":[{"id":"ari:cloud:confluence::site/1","attributes":{
                        "name":"a","type":"confluence"}}],"links":{"self":"x"}})"}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    Await<std::vector<Workspace>> workspaces;
    client.list_workspaces(workspaces.callback());
    auto& result = workspaces.wait(io);
    REQUIRE(result);
    REQUIRE(result.value().size() == 2);
    CHECK(result.value()[0].capacity == 50);
    CHECK(result.value()[1].type == "confluence");
    auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].body == R"({"limit":100})");
    CHECK(requests[1].body == R"({"cursor":"c+2/=="})");
    CHECK(requests[1].header("Content-Type") == "application/json");
}

TEST_CASE("v2 GET pagination passes bare cursors and stops on an empty page", "[atlassian]") {
    TestHttpServer server;
    server.script(
        "GET", "/admin/v2/orgs/org-1/directories",
        {Reply{200, R"({"data":[{"directoryId":"d1","name":"One"}],"links":{"next":"a+b/c="}})"},
         Reply{200, R"({"data":[],"links":{"next":"still-there"}})"}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    Await<std::vector<Directory>> directories;
    client.list_directories(directories.callback());
    auto& result = directories.wait(io);
    REQUIRE(result);
    REQUIRE(result.value().size() == 1);
    CHECK(result.value()[0].name == "One");
    auto requests = server.requests();
    REQUIRE(requests.size() == 2);  // the empty page ended it despite links.next
    CHECK(requests[0].param("limit") == "100");
    CHECK(requests[0].params.count("cursor") == 0);
    CHECK(requests[1].param("cursor") == "a+b/c=");
    CHECK(requests[1].target == "/admin/v2/orgs/org-1/directories?limit=100&cursor=a%2Bb%2Fc%3D");
}

TEST_CASE("search_users streams pages and asks for the next only after on_page", "[atlassian]") {
    TestHttpServer server;
    server.script("POST", kDirPath + "/users/search",
                  {Reply{200, users_page({"u1", "u2"}, "p2")},
                   Reply{200, users_page({"u3", "u4"}, "p3")}, Reply{200, users_page({"u5"}, "")}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    UserSearch search;
    search.status = {"active", "suspended"};
    search.claim_status = "managed";
    search.expand = {"platformRoles", "productAccess", "groups"};
    std::vector<std::string> seen;
    std::vector<std::size_t> requests_at_page;
    Await<PageSummary> done;
    client.search_users(search,
                        PageHandler<DirectoryUser>([&](const std::vector<DirectoryUser>& page) {
                            requests_at_page.push_back(server.request_count());
                            for (const auto& user : page)
                                seen.push_back(user.account_id);
                        }),
                        done.callback());
    auto& result = done.wait(io);
    REQUIRE(result);
    CHECK(result.value().pages == 3);
    CHECK(result.value().items == 5);
    CHECK(seen == std::vector<std::string>{"u1", "u2", "u3", "u4", "u5"});
    CHECK(requests_at_page == std::vector<std::size_t>{1, 2, 3});
    auto requests = server.requests();
    REQUIRE(requests.size() == 3);
    const std::string filters =
        R"("claimStatus":"managed","status":["active","suspended"],"expand":["platformRoles","productAccess","groups"])";
    CHECK(requests[0].body == R"({"limit":100,)" + filters + "}");
    CHECK(requests[1].body == R"({"limit":100,)" + filters + R"(,"cursor":"p2"})");
    CHECK(requests[2].body == R"({"limit":100,)" + filters + R"(,"cursor":"p3"})");
}

TEST_CASE("async page handler controls when the next page is fetched", "[atlassian]") {
    TestHttpServer server;
    server.script("POST", kDirPath + "/users/search",
                  {Reply{200, users_page({"u1"}, "p2")}, Reply{200, users_page({"u2"}, "p3")},
                   Reply{200, users_page({"u3"}, "")}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    std::function<void(bool)> pending;
    std::size_t pages = 0;
    Await<PageSummary> done;
    client.search_users(UserSearch{},
                        AsyncPageHandler<DirectoryUser>(
                            [&](std::vector<DirectoryUser> page, std::function<void(bool)> resume) {
                                CHECK(page.size() == 1);
                                ++pages;
                                pending = std::move(resume);
                            }),
                        done.callback());
    REQUIRE(run_until(io, [&] { return pending != nullptr; }));
    rosterd::test::run_for(io, 50ms);
    CHECK(server.request_count() == 1);  // nothing more until resumed
    auto resume = std::exchange(pending, nullptr);
    resume(true);
    REQUIRE(run_until(io, [&] { return pending != nullptr; }));
    CHECK(server.request_count() == 2);
    std::exchange(pending, nullptr)(false);  // stop early
    auto& result = done.wait(io);
    REQUIRE(result);
    CHECK(result.value().pages == 2);
    CHECK(pages == 2);
    CHECK(server.request_count() == 2);
}

TEST_CASE("a cursor that does not advance is an error, not a loop", "[atlassian]") {
    TestHttpServer server;
    server.script("POST", kDirPath + "/groups/search",
                  {Reply{200, R"({"data":[{"id":"g"}],"links":{"next":"same"}})"}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    Await<std::vector<Group>> groups;
    client.list_groups(GroupSearch{}, groups.callback());
    auto& result = groups.wait(io);
    REQUIRE_FALSE(result);
    CHECK(result.error().message == "pagination cursor did not advance");
    CHECK(server.request_count() == 2);
}

TEST_CASE("a cursor that leads back to an earlier page is an error, not a loop", "[atlassian]") {
    // p2 -> p3 -> p2 again: each step advances, the listing as a whole goes round.
    TestHttpServer server;
    server.script("POST", kDirPath + "/groups/search",
                  {Reply{200, R"({"data":[{"id":"g1"}],"links":{"next":"p2"}})"},
                   Reply{200, R"({"data":[{"id":"g2"}],"links":{"next":"p3"}})"},
                   Reply{200, R"({"data":[{"id":"g3"}],"links":{"next":"p2"}})"},
                   Reply{200, R"({"data":[{"id":"g4"}],"links":{}})"}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    Await<std::vector<Group>> groups;
    client.list_groups(GroupSearch{}, groups.callback());
    auto& result = groups.wait(io);
    REQUIRE_FALSE(result);
    CHECK(result.error().message ==
          "pagination cursor led back to an earlier page (after 3 pages)");
    CHECK(server.request_count() == 3);  // p2 was not asked for a second time
}

TEST_CASE("a listing whose every page names a new cursor fails past the page ceiling",
          "[atlassian]") {
    // A server that never ends a listing but never repeats a cursor either: p1, p2, p3, ...
    TestHttpServer server;
    std::vector<Reply> replies;
    for (int i = 1; i <= 30; ++i)
        replies.push_back(Reply{200, R"({"data":[{"id":"g)" + std::to_string(i) +
                                         R"("}],"links":{"next":"p)" + std::to_string(i) +
                                         R"("}})"});
    server.script("POST", kDirPath + "/groups/search", replies);
    asio::io_context io;
    auto config = fast_config(server.base_url());
    config.max_pages_per_listing = 25;
    Client client(io, config);
    Await<std::vector<Group>> groups;
    client.list_groups(GroupSearch{}, groups.callback());
    auto& result = groups.wait(io);
    REQUIRE_FALSE(result);
    CHECK(result.error().message ==
          "pagination did not end: 25 pages, each naming a new cursor (the most one listing may "
          "take is 25)");
    CHECK(server.request_count() == 25);
}

TEST_CASE("the mfaEnabled filter splits managed users into disjoint partitions", "[atlassian]") {
    TestHttpServer server;
    server.script("POST", kDirPath + "/users/search", {Reply{200, users_page({"u1"}, "")}});
    server.script("GET", kDirPath + "/users/count", {Reply{200, R"({"count":7})"}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    UserSearch search;
    search.status = {"active"};
    search.claim_status = "managed";
    search.mfa_enabled = false;
    Await<PageSummary> done;
    client.search_users(search, PageHandler<DirectoryUser>([](const auto&) {}), done.callback());
    REQUIRE(done.wait(io));
    Await<std::int64_t> count;
    search.mfa_enabled = true;
    client.count_users(search, count.callback());
    REQUIRE(count.wait(io));
    auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].body ==
          R"({"limit":100,"claimStatus":"managed","mfaEnabled":false,"status":["active"]})");
    CHECK(requests[1].target ==
          kDirPath + "/users/count?status=active&claimStatus=managed&mfaEnabled=true");
}

TEST_CASE("count_users sends filters as repeated query parameters", "[atlassian]") {
    TestHttpServer server;
    server.script("GET", kDirPath + "/users/count", {Reply{200, R"({"count":1234})"}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    UserSearch filter;
    filter.status = {"active", "suspended"};
    filter.claim_status = "managed";
    filter.resource_ids = {"ari:cloud:jira::site/1"};
    Await<std::int64_t> count;
    client.count_users(filter, count.callback());
    auto& result = count.wait(io);
    REQUIRE(result);
    CHECK(result.value() == 1234);
    auto requests = server.requests();
    REQUIRE(requests.size() == 1);
    CHECK(requests[0].target ==
          kDirPath +
              "/users/count?resourceIds=ari%3Acloud%3Ajira%3A%3Asite%2F1&status=active&"
              "status=suspended&claimStatus=managed");
}

TEST_CASE("roles, user details and last-active-dates use their endpoints", "[atlassian]") {
    TestHttpServer server;
    server.script(
        "GET", kDirPath + "/groups/g1/role-assignments",
        {Reply{200,
               R"({"data":[{"resourceId":"r1","roles":["atlassian/user"]}],"links":{"next":"n"}})"},
         Reply{200, R"({"data":[{"resourceId":"r2","roles":["atlassian/admin"]}],"links":{}})"}});
    server.script(
        "GET", kDirPath + "/users/557058:abc/role-assignments",
        {Reply{200, R"({"data":[{"resourceId":"r1","roleAssignments":[{"role":"atlassian/user",
                        "roleAssignmentMethods":["direct"]}]}]})"}});
    server.script("GET", kDirPath + "/users/557058:abc",
                  {Reply{200, R"({"data":{"accountId":"557058:abc","status":"active"}})"}});
    server.script("GET", kOrgPath + "/directory/users/557058:abc/last-active-dates",
                  {Reply{200, R"({"data":{"product_access":[{"id":"r1","key":"jira-software",
                        "last_active_timestamp":"2026-08-01T09:15:02Z"}],
                        "added_to_org_timestamp":"2024-01-01T00:00:00Z"},"links":{"next":"p2"}})"},
                   Reply{200, R"({"data":{"product_access":[{"id":"r2","key":"confluence"}]}})"}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));

    Await<std::vector<GroupRoleAssignment>> group_roles;
    client.get_group_roles("-", "g1", group_roles.callback());
    REQUIRE(group_roles.wait(io));
    CHECK(group_roles.result->value().size() == 2);

    Await<std::vector<UserRoleAssignment>> user_roles;
    client.get_user_roles("557058:abc", user_roles.callback());
    REQUIRE(user_roles.wait(io));
    CHECK(user_roles.result->value()[0].grants[0].methods == std::vector<std::string>{"direct"});

    Await<DirectoryUser> user;
    client.get_user("557058:abc", user.callback());
    REQUIRE(user.wait(io));
    CHECK(user.result->value().account_id == "557058:abc");

    Await<UserActivity> activity;
    client.last_active_dates("557058:abc", activity.callback());
    REQUIRE(activity.wait(io));
    const auto& products = activity.result->value().products;
    REQUIRE(products.size() == 2);
    CHECK(products[0].last_active_ms == 1785575702000);
    CHECK_FALSE(products[1].last_active_ms);
    CHECK(activity.result->value().added_to_org_ms == 1704067200000);

    auto requests = server.requests();
    REQUIRE(requests.size() == 6);
    CHECK(requests[0].param("limit") == "100");
    CHECK(requests[1].param("cursor") == "n");
    CHECK(requests[5].param("cursor") == "p2");
    CHECK(server.unmatched_count() == 0);
}

TEST_CASE("429 waits follow Retry-After, HTTP dates and X-RateLimit-Reset", "[atlassian]") {
    // The wall clock is fake, so header instants are exact.
    const SysTime now(
        std::chrono::milliseconds(*parse_http_date_ms("Sun, 06 Nov 1994 08:49:36 GMT")) + 800ms);
    auto fake_clock = std::make_shared<FakeClock>(now);

    auto run_case = [&](std::vector<std::pair<std::string, std::string>> headers,
                        std::chrono::milliseconds max_server_wait) {
        TestHttpServer server;
        server.script("GET", kOrgPath,
                      {Reply{429, R"({"code":429,"message":"Too Many Requests"})", headers},
                       Reply{200, org_body("org-1", "E")}});
        asio::io_context io;
        auto config = fast_config(server.base_url());
        config.clock = fake_clock;
        config.retry.max_server_wait = max_server_wait;
        Client client(io, config);
        Await<Org> org;
        const auto start = std::chrono::steady_clock::now();
        client.get_org(org.callback());
        REQUIRE(org.wait(io));
        CHECK(server.request_count() == 2);
        CHECK(client.stats().rate_limited == 1);
        CHECK(client.stats().retries == 1);
        return std::chrono::duration_cast<std::chrono::milliseconds>(
            std::chrono::steady_clock::now() - start);
    };

    SECTION("Retry-After seconds (clamped to max_server_wait)") {
        auto waited = run_case({{"Retry-After", "1"}}, 250ms);
        CHECK(waited >= 240ms);
        CHECK(waited < 1000ms);
    }
    SECTION("Retry-After HTTP date") {
        auto waited = run_case({{"Retry-After", "Sun, 06 Nov 1994 08:49:37 GMT"}}, 2000ms);
        CHECK(waited >= 190ms);
        CHECK(waited < 800ms);
    }
    SECTION("only X-RateLimit-Reset") {
        auto waited = run_case(
            {{"X-RateLimit-Reset", format_iso8601_ms((now + 150ms).time_since_epoch().count())}},
            2000ms);
        CHECK(waited >= 140ms);
        CHECK(waited < 700ms);
    }
    SECTION("no hints: exponential backoff") {
        auto waited = run_case({}, 2000ms);
        CHECK(waited < 500ms);
    }
}

TEST_CASE("5xx is retried, then succeeds", "[atlassian]") {
    TestHttpServer server;
    server.script("GET", kOrgPath,
                  {Reply{503, "<html><title>Service Unavailable</title></html>"},
                   Reply{500, R"({"errors":[{"code":"ADMIN-500-1","title":"Internal"}]})"},
                   Reply{200, org_body("org-1", "E")}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    Await<Org> org;
    client.get_org(org.callback());
    REQUIRE(org.wait(io));
    CHECK(server.request_count() == 3);
    CHECK(client.stats().retries == 2);
    CHECK(client.stats().requests_sent == 3);
    CHECK(client.stats().failures == 0);
}

TEST_CASE("exhausted retries report the last error and the attempt count", "[atlassian]") {
    SECTION("5xx") {
        TestHttpServer server;
        server.script("GET", kOrgPath, {Reply{502, "<html><title>Bad Gateway</title></html>"}});
        asio::io_context io;
        Client client(io, fast_config(server.base_url()));
        Await<Org> org;
        client.get_org(org.callback());
        auto& result = org.wait(io);
        REQUIRE_FALSE(result);
        CHECK(result.error().kind == ApiError::Kind::http);
        CHECK(result.error().status == 502);
        CHECK(result.error().attempts == 4);
        CHECK(result.error().message == "HTTP 502 with an HTML body: Bad Gateway");
        CHECK(server.request_count() == 4);
        CHECK(client.stats().failures == 1);
    }
    SECTION("429") {
        TestHttpServer server;
        server.script("GET", kOrgPath, {Reply{429, R"({"code":429,"message":"Too Many"})"}});
        asio::io_context io;
        Client client(io, fast_config(server.base_url()));
        Await<Org> org;
        client.get_org(org.callback());
        auto& result = org.wait(io);
        REQUIRE_FALSE(result);
        CHECK(result.error().kind == ApiError::Kind::rate_limited);
        CHECK(result.error().attempts == 4);
        CHECK(client.stats().rate_limited == 4);
    }
}

TEST_CASE("other 4xx errors are not retried", "[atlassian]") {
    TestHttpServer server;
    server.script(
        "GET", kOrgPath,
        {Reply{404, R"({"errors":[{"status":"404","code":"ADMIN-404-2","title":"Not Found",
                      "detail":"Organization not found"}]})"}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    Await<Org> org;
    client.get_org(org.callback());
    auto& result = org.wait(io);
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == ApiError::Kind::http);
    CHECK(result.error().code == "ADMIN-404-2");
    CHECK(result.error().attempts == 1);
    CHECK(server.request_count() == 1);
}

TEST_CASE("401 stops at once and reports the rejected key once", "[atlassian]") {
    TestHttpServer server;
    server.script("GET", kOrgPath, {Reply{401, R"({"code":401,"message":"Unauthorized"})"}});
    asio::io_context io;
    auto config = fast_config(server.base_url());
    int rejections = 0;
    config.on_key_rejected = [&](const ApiError& error) {
        ++rejections;
        CHECK(error.status == 401);
    };
    Client client(io, config);
    Await<Org> first;
    client.get_org(first.callback());
    auto& result = first.wait(io);
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == ApiError::Kind::auth_rejected);
    CHECK(result.error().message == "Unauthorized");
    CHECK(result.error().attempts == 1);
    CHECK(server.request_count() == 1);
    CHECK(rejections == 1);

    Await<Org> second;  // the same rejection is not reported again
    client.get_org(second.callback());
    REQUIRE_FALSE(second.wait(io));
    CHECK(rejections == 1);
    CHECK(server.request_count() == 2);
}

TEST_CASE("a missing key fails without sending anything", "[atlassian]") {
    TestHttpServer server;
    asio::io_context io;
    auto config = fast_config(server.base_url());
    config.api_key = [] { return std::string(); };
    Client client(io, config);
    Await<Org> org;
    client.get_org(org.callback());
    auto& result = org.wait(io);
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == ApiError::Kind::auth_rejected);
    CHECK(result.error().message == "no API key available");
    CHECK(server.request_count() == 0);
}

TEST_CASE("a timed-out request is retried", "[atlassian]") {
    std::atomic<int> connection{0};
    RawTcpServer server([&](const std::string&) {
        if (connection++ == 0)
            return RawTcpServer::Action{"", true};  // stall the first
        return RawTcpServer::Action{http_response(200, org_body("org-1", "Late")), false};
    });
    asio::io_context io;
    auto config = fast_config(server.base_url());
    config.http.total_timeout = 150ms;
    Client client(io, config);
    Await<Org> org;
    client.get_org(org.callback());
    auto& result = org.wait(io);
    REQUIRE(result);
    CHECK(result.value().name == "Late");
    CHECK(server.connections() == 2);
    CHECK(client.stats().retries == 1);
}

TEST_CASE("transport failures exhaust into a transport error", "[atlassian]") {
    asio::io_context io;
    auto config =
        fast_config("http://127.0.0.1:" + std::to_string(rosterd::test::unused_local_port()));
    Client client(io, config);
    Await<Org> org;
    client.get_org(org.callback());
    auto& result = org.wait(io);
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == ApiError::Kind::transport);
    CHECK(result.error().code == "connect");
    CHECK(result.error().attempts == 4);
}

TEST_CASE("malformed or truncated 2xx bodies are retried, then a parse error", "[atlassian]") {
    SECTION("recovers") {
        TestHttpServer server;
        server.script(
            "GET", kOrgPath,
            {Reply{200, R"({"data":{"id":"org-1","attri)"}, Reply{200, org_body("org-1", "E")}});
        asio::io_context io;
        Client client(io, fast_config(server.base_url()));
        Await<Org> org;
        client.get_org(org.callback());
        REQUIRE(org.wait(io));
        CHECK(server.request_count() == 2);
    }
    SECTION("gives up") {
        TestHttpServer server;
        server.script("GET", kOrgPath, {Reply{200, R"({"data":{"id":7}})"}});
        asio::io_context io;
        Client client(io, fast_config(server.base_url()));
        Await<Org> org;
        client.get_org(org.callback());
        auto& result = org.wait(io);
        REQUIRE_FALSE(result);
        CHECK(result.error().kind == ApiError::Kind::parse);
        CHECK(result.error().status == 200);
        CHECK(result.error().message == "data.id: expected a string, got a number");
        CHECK(result.error().attempts == 4);
    }
}

TEST_CASE("mutations send JSON bodies and report already-in-state 409s", "[atlassian]") {
    TestHttpServer server;
    server.script("POST", kDirPath + "/users/557058:a/suspend", {Reply{204}});
    server.script("POST", kDirPath + "/users/557058:a/restore", {Reply{204}});
    server.script("DELETE", kDirPath + "/users/557058:a", {Reply{204}});
    server.script(
        "POST", "/admin/v2/orgs/org-1/directories/d1/groups/g1/memberships",
        {Reply{409, R"({"errors":[{"code":"ADMIN-409-28","title":"Conflict"}]})"},
         Reply{409, R"({"errors":[{"code":"ADMIN-409-3","title":"License limit exceeded"}]})"}});
    server.script("DELETE", "/admin/v2/orgs/org-1/directories/d1/groups/g1/memberships/557058:a",
                  {Reply{204}});
    server.script("POST", kOrgPath + "/users/557058:a/roles/(assign|revoke)", {Reply{204}});
    server.script("POST", "/admin/v2/orgs/org-1/directories/d1/groups/g1/role-assignments/assign",
                  {Reply{200}});
    server.script("POST", "/admin/v2/orgs/org-1/directories/d1/groups/g1/role-assignments/revoke",
                  {Reply{204}});
    server.script("POST", "/users/557058:a/manage/lifecycle/disable",
                  {Reply{204}, Reply{409, R"({"key":"conflict.lifecycleErrors","context":{}})"}});
    server.script("POST", "/users/557058:a/manage/lifecycle/enable", {Reply{204}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));

    auto run = [&](auto start) {
        Await<MutationOutcome> outcome;
        start(outcome.callback());
        return outcome.wait(io);
    };
    const std::string a = "557058:a";
    auto suspended = run([&](auto cb) { client.suspend("-", a, cb); });
    REQUIRE(suspended);
    CHECK(suspended.value().status == 204);
    CHECK_FALSE(suspended.value().already_in_state);
    REQUIRE(run([&](auto cb) { client.restore("-", a, cb); }));
    REQUIRE(run([&](auto cb) { client.remove_from_directory("-", a, cb); }));

    auto member = run([&](auto cb) { client.add_to_group("d1", "g1", a, cb); });
    REQUIRE(member);
    CHECK(member.value().already_in_state);
    CHECK(member.value().code == "ADMIN-409-28");
    auto licence = run([&](auto cb) { client.add_to_group("d1", "g1", a, cb); });
    REQUIRE_FALSE(licence);
    CHECK(licence.error().status == 409);
    CHECK(licence.error().code == "ADMIN-409-3");

    REQUIRE(run([&](auto cb) { client.remove_from_group("d1", "g1", a, cb); }));
    REQUIRE(run([&](auto cb) {
        client.assign_user_role(a, "atlassian/user", "ari:cloud:jira::site/1", cb);
    }));
    REQUIRE(run([&](auto cb) {
        client.revoke_user_role(a, "atlassian/user", "ari:cloud:jira::site/1", cb);
    }));
    auto granted = run([&](auto cb) {
        client.assign_group_role("d1", "g1", "atlassian/user", "ari:cloud:jira::site/1", cb);
    });
    REQUIRE(granted);
    CHECK(granted.value().status == 200);
    REQUIRE(run([&](auto cb) {
        client.revoke_group_role("d1", "g1", "atlassian/user", "ari:cloud:jira::site/1", cb);
    }));
    REQUIRE(run([&](auto cb) { client.lifecycle_disable(a, "Licence reclaimed", cb); }));
    auto again = run([&](auto cb) { client.lifecycle_disable(a, "", cb); });
    REQUIRE(again);
    CHECK(again.value().already_in_state);
    REQUIRE(run([&](auto cb) { client.lifecycle_enable(a, cb); }));

    CHECK(server.unmatched_count() == 0);
    auto requests = server.requests();
    REQUIRE(requests.size() == 13);
    for (const auto& request : requests) {
        if (request.method == "POST") {
            CHECK(request.header("Content-Type") == "application/json");
            CHECK_FALSE(request.body.empty());
        }
    }
    CHECK(requests[0].body == "{}");
    CHECK(requests[2].method == "DELETE");
    CHECK(requests[3].body == R"({"accountId":"557058:a"})");
    CHECK(requests[6].body == R"({"role":"atlassian/user","resource":"ari:cloud:jira::site/1"})");
    CHECK(requests[6].path == kOrgPath + "/users/557058:a/roles/assign");
    CHECK(requests[7].path == kOrgPath + "/users/557058:a/roles/revoke");
    CHECK(requests[8].body ==
          R"({"resourceId":"ari:cloud:jira::site/1","roleId":"atlassian/user"})");
    CHECK(requests[10].body == R"({"message":"Licence reclaimed"})");
    CHECK(requests[11].body == "{}");
    CHECK(requests[12].body == "{}");
}

TEST_CASE("last-active-dates are paced by the token bucket", "[atlassian]") {
    TestHttpServer server;
    server.script("GET", kOrgPath + "/directory/users/.*/last-active-dates",
                  {Reply{200, R"({"data":{"product_access":[]}})"}});
    asio::io_context io;
    auto config = fast_config(server.base_url());
    config.last_active_per_minute = 600;  // one per 100 ms
    config.last_active_burst = 1;
    Client client(io, config);
    int done = 0;
    const auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < 3; ++i) {
        client.last_active_dates("u" + std::to_string(i), [&](Result<UserActivity> r) {
            CHECK(r);
            ++done;
        });
    }
    REQUIRE(run_until(io, [&] { return done == 3; }));
    const auto elapsed = std::chrono::steady_clock::now() - start;
    CHECK(elapsed >= 190ms);
    CHECK(elapsed < 1000ms);
}

TEST_CASE("a low remaining budget spreads the following requests", "[atlassian]") {
    const SysTime now(std::chrono::milliseconds(1785575702000));
    TestHttpServer server;
    server.script("GET", kOrgPath,
                  {Reply{200,
                         org_body("org-1", "E"),
                         {{"X-RateLimit-Limit", "100"},
                          {"X-RateLimit-Remaining", "2"},
                          {"X-RateLimit-Reset",
                           format_iso8601_ms((now + 240ms).time_since_epoch().count())}}}});
    asio::io_context io;
    auto config = fast_config(server.base_url());
    config.clock = std::make_shared<FakeClock>(now);
    Client client(io, config);
    std::vector<std::chrono::steady_clock::time_point> finished;
    std::function<void()> next = [&] {
        client.get_org([&](Result<Org> r) {
            CHECK(r);
            finished.push_back(std::chrono::steady_clock::now());
            if (finished.size() < 3)
                next();
        });
    };
    next();
    REQUIRE(run_until(io, [&] { return finished.size() == 3; }));
    // 240 ms left for 2 requests: one every 120 ms once the budget is low. The first paced
    // request goes at once, the next waits for its slot.
    CHECK(finished[2] - finished[0] >= 110ms);
    CHECK(finished[2] - finished[0] < 1000ms);
}

TEST_CASE("cancel stops retry waits and in-flight requests", "[atlassian]") {
    RawTcpServer stalled([](const std::string&) { return RawTcpServer::Action{"", true}; });
    TestHttpServer failing;
    // The 429 parks the call in a 2 s retry wait (Retry-After clamped to max_server_wait).
    failing.script("GET", kOrgPath, {Reply{429, "", {{"Retry-After", "5"}}}});
    asio::io_context io;
    Client waiting(io, fast_config(failing.base_url()));
    Client in_flight(io, fast_config(stalled.base_url()));

    Await<Org> a;
    Await<Org> b;
    waiting.get_org(a.callback());
    in_flight.get_org(b.callback());
    REQUIRE(
        run_until(io, [&] { return failing.request_count() == 1 && stalled.connections() == 1; }));
    rosterd::test::run_for(io, 20ms);
    const auto start = std::chrono::steady_clock::now();
    waiting.cancel();
    in_flight.cancel();
    auto& ra = a.wait(io, 1000ms);
    auto& rb = b.wait(io, 1000ms);
    CHECK(std::chrono::steady_clock::now() - start < 500ms);
    REQUIRE_FALSE(ra);
    REQUIRE_FALSE(rb);
    CHECK(ra.error().kind == ApiError::Kind::cancelled);
    CHECK(rb.error().kind == ApiError::Kind::cancelled);
    CHECK(waiting.stats().failures == 0);

    // Usable again after cancel().
    TestHttpServer ok;
    ok.script("GET", kOrgPath, {Reply{200, org_body("org-1", "E")}});
    auto fresh_config = fast_config(ok.base_url());
    Client fresh(io, fresh_config);
    Await<Org> c;
    fresh.get_org(c.callback());
    REQUIRE(c.wait(io));
}

TEST_CASE("cancel stops a streaming listing between pages", "[atlassian]") {
    TestHttpServer server;
    server.script("POST", kDirPath + "/users/search",
                  {Reply{200, users_page({"u1"}, "p2")}, Reply{200, users_page({"u2"}, "")}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));
    Await<PageSummary> done;
    client.search_users(
        UserSearch{},
        PageHandler<DirectoryUser>([&](const std::vector<DirectoryUser>&) { client.cancel(); }),
        done.callback());
    auto& result = done.wait(io);
    REQUIRE_FALSE(result);
    CHECK(result.error().kind == ApiError::Kind::cancelled);
    CHECK(server.request_count() == 1);
}

TEST_CASE("the API key never appears in logs or error messages", "[atlassian]") {
    LogCapture logs;
    TestHttpServer server;
    // A hostile or buggy server echoing the Authorization header back in its error.
    server.route("GET", kOrgPath, [](const httplib::Request& req, httplib::Response& res) {
        res.status = 400;
        res.set_content(R"({"errors":[{"code":"ADMIN-400-19","title":"bad header )" +
                            req.get_header_value("Authorization") + R"("}]})",
                        "application/json");
    });
    server.script("GET", "/admin/v2/orgs/org-1/directories",
                  {Reply{429, "", {{"Retry-After", "0"}}}, Reply{503, ""},
                   Reply{401, R"({"code":401,"message":"Unauthorized"})"}});
    server.script("POST", kDirPath + "/users/search", {Reply{200, users_page({"u1"}, "")}});
    asio::io_context io;
    Client client(io, fast_config(server.base_url()));

    Await<Org> org;
    client.get_org(org.callback());
    auto& org_result = org.wait(io);
    REQUIRE_FALSE(org_result);
    CHECK(org_result.error().message == "bad header Bearer [redacted]");
    CHECK(org_result.error().describe().find(kKey) == std::string::npos);

    Await<std::vector<Directory>> directories;
    client.list_directories(directories.callback());
    auto& dir_result = directories.wait(io);
    REQUIRE_FALSE(dir_result);
    CHECK(dir_result.error().kind == ApiError::Kind::auth_rejected);

    Await<PageSummary> users;
    client.search_users(UserSearch{}, PageHandler<DirectoryUser>([](const auto&) {}),
                        users.callback());
    REQUIRE(users.wait(io));

    const std::string text = logs.text();
    CHECK(text.find("GET /admin/v1/orgs/org-1 -> 400") != std::string::npos);
    CHECK(text.find("POST /admin/v2/orgs/org-1/directories/-/users/search -> 200") !=
          std::string::npos);
    CHECK(text.find("retry") != std::string::npos);
    CHECK(text.find(kKey) == std::string::npos);
    CHECK(text.find("[redacted]") != std::string::npos);  // the echoed key was scrubbed
    CHECK(text.find("limit=") == std::string::npos);      // no query strings in logs
}

TEST_CASE("a server that keeps failing ends a request at its time budget, saying so",
          "[atlassian][retry]") {
    TestHttpServer server;
    server.script("GET", kOrgPath, {Reply{503, R"({"errors":[{"title":"Unavailable"}]})"}});
    asio::io_context io;
    auto config = fast_config(server.base_url());
    config.retry.max_attempts = 0;  // no count: only the budget ends it
    config.retry.request_budget = 300ms;
    Client client(io, config);
    Await<Org> org;
    auto started = std::chrono::steady_clock::now();
    client.get_org(org.callback());
    auto& result = org.wait(io);
    auto took = std::chrono::steady_clock::now() - started;
    REQUIRE_FALSE(result);
    CHECK(result.error().status == 503);
    CHECK(result.error().attempts > 4);  // more than the old count would have allowed
    CHECK(took < 2s);
    CHECK_THAT(result.error().message,
               Catch::StartsWith("gave up after " + std::to_string(result.error().attempts) +
                                 " attempts in 1 s, the request's retry budget (1 s, "
                                 "atlassian.retry.request_budget_s) is spent; last error: "));
}
