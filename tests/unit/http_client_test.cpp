// rosterd::http::Client against scripted local servers: round trips, concurrency limits,
// transport failures, cancellation.
#include <asio/io_context.hpp>
#include <atomic>
#include <catch2/catch.hpp>
#include <optional>
#include <thread>

#include "rosterd/http/http.hpp"
#include "rosterd/version.hpp"
#include "test_http_server.hpp"

using namespace rosterd;
using namespace std::chrono_literals;
using rosterd::test::RawTcpServer;
using rosterd::test::Reply;
using rosterd::test::run_until;
using rosterd::test::TestHttpServer;

namespace {

http::Options fast_options() {
    http::Options options;
    options.connect_timeout = 2000ms;
    options.total_timeout = 5000ms;
    return options;
}

// Sends one request and runs the loop until it completes.
http::Response fetch(asio::io_context& io, http::Client& client, http::Request request) {
    std::optional<http::Response> result;
    client.send(std::move(request), [&](http::Response r) { result = std::move(r); });
    REQUIRE(run_until(io, [&] { return result.has_value(); }));
    return std::move(*result);
}

}  // namespace

TEST_CASE("GET and POST round-trip status, headers and bodies", "[http]") {
    TestHttpServer server;
    server.route("GET", "/hello", [](const httplib::Request&, httplib::Response& res) {
        res.set_header("X-Test-Header", "abc");
        res.set_content(R"({"hello":"world"})", "application/json");
    });
    server.route("POST", "/echo", [](const httplib::Request& req, httplib::Response& res) {
        res.status = 201;
        res.set_content("echo:" + req.body, "text/plain");
    });
    asio::io_context io;
    http::Client client(io, fast_options());

    auto got =
        fetch(io, client, {"GET", server.base_url() + "/hello?x=1", {{"X-Custom", "v1"}}, "", {}});
    CHECK(got.transport == http::TransportError::none);
    CHECK(got.status == 200);
    CHECK(got.body == R"({"hello":"world"})");
    CHECK(got.header("x-test-HEADER") == std::optional<std::string_view>("abc"));
    CHECK(got.header("content-type") == std::optional<std::string_view>("application/json"));
    CHECK_FALSE(got.header("missing").has_value());

    auto posted = fetch(io, client,
                        {"POST",
                         server.base_url() + "/echo",
                         {{"Content-Type", "application/json"}},
                         R"({"a":1})",
                         {}});
    CHECK(posted.status == 201);
    CHECK(posted.body == R"(echo:{"a":1})");

    auto requests = server.requests();
    REQUIRE(requests.size() == 2);
    CHECK(requests[0].method == "GET");
    CHECK(requests[0].path == "/hello");
    CHECK(requests[0].param("x") == "1");
    CHECK(requests[0].header("X-Custom") == "v1");
    CHECK(requests[1].method == "POST");
    CHECK(requests[1].body == R"({"a":1})");
    CHECK(requests[1].header("Content-Type") == "application/json");
}

TEST_CASE("PUT, PATCH and DELETE send the right method and body", "[http]") {
    TestHttpServer server;
    auto echo = [](const httplib::Request& req, httplib::Response& res) {
        res.set_content(req.method + ":" + req.body, "text/plain");
    };
    server.route("PUT", "/r", echo);
    server.route("PATCH", "/r", echo);
    server.route("DELETE", "/r", echo);
    asio::io_context io;
    http::Client client(io, fast_options());
    CHECK(fetch(io, client, {"PUT", server.base_url() + "/r", {}, "p", {}}).body == "PUT:p");
    CHECK(fetch(io, client, {"PATCH", server.base_url() + "/r", {}, "q", {}}).body == "PATCH:q");
    CHECK(fetch(io, client, {"DELETE", server.base_url() + "/r", {}, "", {}}).body == "DELETE:");
}

TEST_CASE("User-Agent defaults to rosterd/<version>", "[http]") {
    TestHttpServer server;
    server.script("GET", "/ua", {Reply{200, "{}"}});
    asio::io_context io;
    http::Client client(io, fast_options());
    fetch(io, client, {"GET", server.base_url() + "/ua", {}, "", {}});
    REQUIRE(server.request_count() == 1);
    CHECK(server.requests()[0].header("User-Agent") == std::string("rosterd/") + kVersion);
}

TEST_CASE("sequential requests reuse one connection", "[http]") {
    TestHttpServer server;
    server.script("GET", "/n", {Reply{200, "{}"}});
    asio::io_context io;
    http::Client client(io, fast_options());
    for (int i = 0; i < 3; ++i)
        fetch(io, client, {"GET", server.base_url() + "/n", {}, "", {}});
    auto requests = server.requests();
    REQUIRE(requests.size() == 3);
    CHECK(requests[0].remote_port == requests[1].remote_port);
    CHECK(requests[1].remote_port == requests[2].remote_port);
}

TEST_CASE("many concurrent requests all complete and in_flight never exceeds the limit", "[http]") {
    TestHttpServer server;
    std::atomic<int> concurrent{0};
    std::atomic<int> peak{0};
    server.route("GET", "/slow/.*", [&](const httplib::Request& req, httplib::Response& res) {
        int now = ++concurrent;
        int seen = peak.load();
        while (now > seen && !peak.compare_exchange_weak(seen, now)) {
        }
        std::this_thread::sleep_for(15ms);
        --concurrent;
        res.set_content(req.path, "text/plain");
    });
    asio::io_context io;
    auto options = fast_options();
    options.max_in_flight = 4;
    http::Client client(io, options);

    constexpr int kRequests = 24;
    int done = 0;
    std::size_t max_seen_in_flight = 0;
    std::vector<std::string> bodies(kRequests);
    for (int i = 0; i < kRequests; ++i) {
        client.send({"GET", server.base_url() + "/slow/" + std::to_string(i), {}, "", {}},
                    [&, i](http::Response r) {
                        max_seen_in_flight = std::max(max_seen_in_flight, client.in_flight());
                        CHECK(r.status == 200);
                        bodies[i] = r.body;
                        ++done;
                    });
        max_seen_in_flight = std::max(max_seen_in_flight, client.in_flight());
    }
    CHECK(client.in_flight() == 4);
    CHECK(client.queued() == kRequests - 4);
    REQUIRE(run_until(io, [&] {
        max_seen_in_flight = std::max(max_seen_in_flight, client.in_flight());
        return done == kRequests;
    }));
    CHECK(max_seen_in_flight <= 4);
    CHECK(peak.load() <= 4);
    CHECK(peak.load() >= 2);  // requests really overlapped
    for (int i = 0; i < kRequests; ++i)
        CHECK(bodies[i] == "/slow/" + std::to_string(i));
    CHECK(client.in_flight() == 0);
}

TEST_CASE("connection refused is a connect transport error", "[http]") {
    asio::io_context io;
    http::Client client(io, fast_options());
    auto url = "http://127.0.0.1:" + std::to_string(rosterd::test::unused_local_port()) + "/";
    auto got = fetch(io, client, {"GET", url, {}, "", {}});
    CHECK(got.transport == http::TransportError::connect);
    CHECK(got.status == 0);
    CHECK_FALSE(got.transport_message.empty());
}

TEST_CASE("a server that stalls hits the request timeout", "[http]") {
    RawTcpServer server([](const std::string&) { return RawTcpServer::Action{"", true}; });
    asio::io_context io;
    http::Client client(io, fast_options());
    auto got = fetch(io, client, {"GET", server.base_url() + "/stall", {}, "", 200ms});
    CHECK(got.transport == http::TransportError::timeout);
    CHECK(got.elapsed >= 150ms);
    CHECK(got.elapsed < 2000ms);
}

TEST_CASE("a server that closes mid-response is a reset transport error", "[http]") {
    SECTION("body cut short") {
        RawTcpServer server([](const std::string&) {
            return RawTcpServer::Action{
                "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n"
                R"({"data":[)",
                false};
        });
        asio::io_context io;
        http::Client client(io, fast_options());
        auto got = fetch(io, client, {"GET", server.base_url() + "/cut", {}, "", {}});
        CHECK(got.transport == http::TransportError::reset);
    }
    SECTION("nothing at all") {
        RawTcpServer server([](const std::string&) { return RawTcpServer::Action{"", false}; });
        asio::io_context io;
        http::Client client(io, fast_options());
        auto got = fetch(io, client, {"GET", server.base_url() + "/empty", {}, "", {}});
        CHECK(got.transport == http::TransportError::reset);
    }
}

TEST_CASE("TLS to a plain-HTTP server is a tls transport error", "[http]") {
    TestHttpServer server;
    asio::io_context io;
    http::Client client(io, fast_options());
    auto url = "https://127.0.0.1:" + std::to_string(server.port()) + "/";
    auto got = fetch(io, client, {"GET", url, {}, "", {}});
    CHECK(got.transport == http::TransportError::tls);
}

TEST_CASE("a response larger than max_response_bytes fails the transfer", "[http]") {
    TestHttpServer server;
    server.script("GET", "/big", {Reply{200, std::string(5000, 'x')}});
    asio::io_context io;
    auto options = fast_options();
    options.max_response_bytes = 1000;
    http::Client client(io, options);
    auto got = fetch(io, client, {"GET", server.base_url() + "/big", {}, "", {}});
    CHECK(got.transport == http::TransportError::other);
    CHECK(got.transport_message == "response body exceeds 1000 bytes");
}

TEST_CASE("cancel_all completes in-flight and queued requests as cancelled", "[http]") {
    RawTcpServer server([](const std::string&) { return RawTcpServer::Action{"", true}; });
    asio::io_context io;
    auto options = fast_options();
    options.max_in_flight = 2;
    http::Client client(io, options);
    std::vector<http::TransportError> outcomes;
    for (int i = 0; i < 3; ++i) {
        client.send({"GET", server.base_url() + "/hang", {}, "", {}},
                    [&](http::Response r) { outcomes.push_back(r.transport); });
    }
    run_until(
        io, [&] { return server.connections() == 2; }, 2000ms);
    CHECK(server.connections() == 2);
    CHECK(client.in_flight() == 2);
    CHECK(client.queued() == 1);
    client.cancel_all();
    CHECK(client.in_flight() == 0);
    CHECK(client.queued() == 0);
    CHECK(outcomes.empty());  // handlers are posted, never run inside cancel_all()
    REQUIRE(run_until(io, [&] { return outcomes.size() == 3; }));
    for (auto outcome : outcomes)
        CHECK(outcome == http::TransportError::cancelled);

    // Still usable afterwards.
    TestHttpServer ok;
    ok.script("GET", "/after", {Reply{200, "fine"}});
    CHECK(fetch(io, client, {"GET", ok.base_url() + "/after", {}, "", {}}).body == "fine");
}

TEST_CASE("destroying the client drops pending handlers without calling them", "[http]") {
    RawTcpServer server([](const std::string&) { return RawTcpServer::Action{"", true}; });
    asio::io_context io;
    bool called = false;
    {
        http::Client client(io, fast_options());
        client.send({"GET", server.base_url() + "/hang", {}, "", {}},
                    [&](http::Response) { called = true; });
        run_until(
            io, [&] { return server.connections() == 1; }, 2000ms);
    }
    rosterd::test::run_for(io, 50ms);
    CHECK_FALSE(called);
}

TEST_CASE("a handler may send the next request from inside its callback", "[http]") {
    TestHttpServer server;
    server.script("GET", "/chain", {Reply{200, "x"}});
    asio::io_context io;
    http::Client client(io, fast_options());
    int completed = 0;
    std::function<void(http::Response)> next = [&](http::Response r) {
        CHECK(r.status == 200);
        if (++completed < 5)
            client.send({"GET", server.base_url() + "/chain", {}, "", {}}, next);
    };
    client.send({"GET", server.base_url() + "/chain", {}, "", {}}, next);
    REQUIRE(run_until(io, [&] { return completed == 5; }));
    CHECK(server.request_count() == 5);
}
