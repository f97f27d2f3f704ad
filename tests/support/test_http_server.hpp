#pragma once
// Scripted HTTP servers on 127.0.0.1 for tests.
//
// TestHttpServer: cpp-httplib on an ephemeral port in a background thread. Routes match
// method + a regex over the path; a route either runs a handler or plays a script of canned
// replies in order (the last reply repeats). Every request is recorded.
//
// RawTcpServer: a bare socket server for misbehaviour httplib cannot produce (stalling,
// closing mid-response); each connection's request head is read, then a behaviour decides what
// bytes to write and whether to hang on to the connection.
#include <httplib.h>

#include <asio/io_context.hpp>
#include <atomic>
#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace rosterd::test {

struct RecordedRequest {
    std::string method;
    std::string path;    // decoded path, without the query string
    std::string target;  // the raw request target as sent (path plus query, still encoded)
    std::multimap<std::string, std::string> params;  // decoded query parameters
    httplib::Headers headers;                        // case-insensitive multimap
    std::string body;
    int remote_port = 0;  // the client's port: equal ports mean a reused connection

    std::string header(const std::string& name) const;
    std::string param(const std::string& name) const;
};

struct Reply {
    Reply(int status_in = 200, std::string body_in = {},
          std::vector<std::pair<std::string, std::string>> headers_in = {})
        : status(status_in), body(std::move(body_in)), headers(std::move(headers_in)) {}

    int status = 200;
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string content_type = "application/json";
    std::chrono::milliseconds delay{0};  // sleep before answering (keep small)
};

class TestHttpServer {
  public:
    using Handler = std::function<void(const httplib::Request&, httplib::Response&)>;

    TestHttpServer();  // starts listening immediately on 127.0.0.1:<ephemeral>
    ~TestHttpServer();
    TestHttpServer(const TestHttpServer&) = delete;
    TestHttpServer& operator=(const TestHttpServer&) = delete;

    // Routes are tried in registration order; the first whose method and path regex match wins.
    void route(const std::string& method, const std::string& path_regex, Handler handler);
    void script(const std::string& method, const std::string& path_regex,
                std::vector<Reply> replies);

    int port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::vector<RecordedRequest> requests() const;
    std::size_t request_count() const;
    // Requests that matched no route get 404 and are counted here.
    std::size_t unmatched_count() const { return unmatched_.load(); }

    static void apply(const Reply& reply, httplib::Response& res);

  private:
    struct Route {
        std::string method;
        std::string pattern;
        Handler handler;
    };
    void dispatch(const httplib::Request& req, httplib::Response& res);

    httplib::Server server_;
    std::thread thread_;
    int port_ = 0;
    mutable std::mutex mutex_;
    std::vector<Route> routes_;
    std::vector<RecordedRequest> requests_;
    std::atomic<std::size_t> unmatched_{0};
};

class RawTcpServer {
  public:
    struct Action {
        std::string write;       // bytes to send after the request head was read
        bool keep_open = false;  // hold the connection open (a stalled server) until destroyed
    };
    using Behaviour = std::function<Action(const std::string& request_head)>;

    explicit RawTcpServer(Behaviour behaviour);
    ~RawTcpServer();
    RawTcpServer(const RawTcpServer&) = delete;
    RawTcpServer& operator=(const RawTcpServer&) = delete;

    int port() const { return port_; }
    std::string base_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    std::size_t connections() const { return connections_.load(); }

  private:
    void run();

    Behaviour behaviour_;
    int listen_fd_ = -1;
    int wake_pipe_[2] = {-1, -1};
    int port_ = 0;
    std::thread thread_;
    std::vector<int> held_;
    std::atomic<std::size_t> connections_{0};
};

// A port on 127.0.0.1 with nothing listening (bound, then released).
int unused_local_port();

// Runs the loop until `done()` holds or `limit` passes; returns done().
bool run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit = std::chrono::milliseconds(5000));
// Runs the loop for about `duration` (for "nothing more happens" checks).
void run_for(asio::io_context& io, std::chrono::milliseconds duration);

}  // namespace rosterd::test
