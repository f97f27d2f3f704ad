// The control socket end to end, in process: a real io_context thread, real Unix sockets, and both
// raw clients (to control bytes exactly) and rosterctl's ControlClient.
#include <catch2/catch.hpp>

#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include <asio/executor_work_guard.hpp>
#include <asio/post.hpp>
#include <asio/steady_timer.hpp>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <future>
#include <thread>

#include "daemon/cli/ctl_client.hpp"
#include "rosterd/base/json.hpp"
#include "rosterd/control/server.hpp"
#include "temp_dir.hpp"

using namespace rosterd;
using namespace rosterd::control;
using namespace std::chrono_literals;

namespace {

// A blocking client that sends and reads raw bytes.
class RawClient {
  public:
    explicit RawClient(const std::string& path) {
        fd_ = ::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        sockaddr_un address{};
        address.sun_family = AF_UNIX;
        std::strcpy(address.sun_path, path.c_str());
        if (::connect(fd_, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0)
            throw std::runtime_error("connect failed: " + std::string(std::strerror(errno)));
    }
    ~RawClient() { ::close(fd_); }

    void send(std::string_view bytes) {
        while (!bytes.empty()) {
            ssize_t sent = ::send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL);
            if (sent <= 0)
                throw std::runtime_error("send failed");
            bytes.remove_prefix(static_cast<std::size_t>(sent));
        }
    }
    void shutdown_write() { ::shutdown(fd_, SHUT_WR); }

    // The next line with its '\n'; nullopt at end of stream. Throws on timeout.
    std::optional<std::string> read_line(std::chrono::milliseconds timeout = 3000ms) {
        while (true) {
            if (auto newline = buffer_.find('\n'); newline != std::string::npos) {
                std::string line = buffer_.substr(0, newline + 1);
                buffer_.erase(0, newline + 1);
                return line;
            }
            if (!receive(timeout))
                return std::nullopt;
        }
    }

    // Reads and discards until the server closes; false on timeout.
    bool wait_closed(std::chrono::milliseconds timeout = 3000ms) {
        try {
            while (receive(timeout))
                buffer_.clear();
            return true;
        } catch (const std::runtime_error&) {
            return false;
        }
    }

  private:
    bool receive(std::chrono::milliseconds timeout) {
        pollfd waiting{fd_, POLLIN, 0};
        if (::poll(&waiting, 1, static_cast<int>(timeout.count())) <= 0)
            throw std::runtime_error("timed out waiting for the server");
        char chunk[65536];
        ssize_t received = ::recv(fd_, chunk, sizeof(chunk), 0);
        if (received <= 0)
            return false;
        buffer_.append(chunk, static_cast<std::size_t>(received));
        return true;
    }

    int fd_;
    std::string buffer_;
};

// Waits until `condition` holds, polling; false after `timeout`.
template <typename Condition>
bool eventually(Condition condition, std::chrono::milliseconds timeout = 3000ms) {
    auto deadline = std::chrono::steady_clock::now() + timeout;
    while (!condition()) {
        if (std::chrono::steady_clock::now() > deadline)
            return false;
        std::this_thread::sleep_for(2ms);
    }
    return true;
}

// A daemon in miniature: registry with test commands, server, loop thread.
class TestDaemon {
  public:
    explicit TestDaemon(ControlServerOptions options = {}) {
        register_commands();
        options.socket_path = path;
        server_ =
            std::make_unique<ControlServer>(io_, registry_, AccessPolicy({}, ::getuid()), options);
        server_->start();
        loop_ = std::thread([this] { io_.run(); });
    }

    ~TestDaemon() {
        for (auto& worker : workers_)
            worker.join();
        on_loop([this] { server_.reset(); });
        guard_.reset();
        io_.stop();
        loop_.join();
    }

    // Runs `work` on the loop thread and waits for it.
    void on_loop(const std::function<void()>& work) {
        std::promise<void> done;
        asio::post(io_, [&] {
            work();
            done.set_value();
        });
        done.get_future().wait();
    }

    ControlServer& server() { return *server_; }
    asio::io_context& io() { return io_; }

    // The reply of the last "hold" request, once it arrived.
    std::shared_ptr<Reply> take_held() {
        std::unique_lock lock(mutex_);
        held_changed_.wait_for(lock, 3s, [&] { return held_ != nullptr; });
        return std::move(held_);
    }

    test::TempDir dir;
    const std::string path = (dir / "control.sock").string();

  private:
    void register_commands() {
        registry_.add({.name = "echo",
                       .level = AccessLevel::viewer,
                       .args = {{"text", ArgType::string, true}},
                       .handler = [](const Request& request, std::shared_ptr<Reply> reply) {
                           rapidjson::Document result;
                           auto text = *request.string_arg("text");
                           result.SetString(text.c_str(), result.GetAllocator());
                           reply->ok(result);
                       }});
        registry_.add({.name = "count",
                       .level = AccessLevel::viewer,
                       .handler =
                           [](const Request&, std::shared_ptr<Reply> reply) {
                               for (int i = 1; i <= 3; ++i)
                                   reply->progress(rapidjson::Value(i));
                               reply->ok(rapidjson::Value(3));
                           },
                       .streams_progress = true});
        // Answers after a timer on the loop: later requests must still be answered after it.
        registry_.add({.name = "slow",
                       .level = AccessLevel::viewer,
                       .handler = [this](const Request&, std::shared_ptr<Reply> reply) {
                           auto timer = std::make_shared<asio::steady_timer>(io_, 30ms);
                           timer->async_wait([timer, reply](const std::error_code&) {
                               reply->ok(rapidjson::Value("slow"));
                           });
                       }});
        // Answers from another thread.
        registry_.add({.name = "elsewhere",
                       .level = AccessLevel::viewer,
                       .handler = [this](const Request&, std::shared_ptr<Reply> reply) {
                           std::lock_guard lock(mutex_);
                           workers_.emplace_back([reply] {
                               std::this_thread::sleep_for(5ms);
                               reply->ok(rapidjson::Value("elsewhere"));
                           });
                       }});
        // Keeps the reply for the test to complete.
        registry_.add({.name = "hold",
                       .level = AccessLevel::viewer,
                       .handler = [this](const Request&, std::shared_ptr<Reply> reply) {
                           std::lock_guard lock(mutex_);
                           held_ = std::move(reply);
                           held_changed_.notify_all();
                       }});
        // 4 MiB of progress at once, to overwhelm a client that does not read.
        registry_.add({.name = "flood",
                       .level = AccessLevel::viewer,
                       .handler = [](const Request&, std::shared_ptr<Reply> reply) {
                           rapidjson::Document chunk;
                           std::string filler(4096, 'x');
                           chunk.SetString(filler.c_str(), chunk.GetAllocator());
                           for (int i = 0; i < 1024; ++i)
                               reply->progress(chunk);
                           reply->ok();
                       }});
    }

    asio::io_context io_;
    asio::executor_work_guard<asio::io_context::executor_type> guard_{io_.get_executor()};
    CommandRegistry registry_;
    std::unique_ptr<ControlServer> server_;
    std::thread loop_;
    std::mutex mutex_;
    std::condition_variable held_changed_;
    std::shared_ptr<Reply> held_;
    std::vector<std::thread> workers_;
};

std::string echo_request(int id, const std::string& text) {
    return R"({"id":)" + std::to_string(id) + R"(,"command":"echo","args":{"text":")" + text +
           "\"}}\n";
}

std::string echo_answer(int id, const std::string& text) {
    return R"({"id":)" + std::to_string(id) + R"(,"ok":true,"result":")" + text + "\"}\n";
}

// A socket file nobody listens on, as a crashed daemon leaves behind.
void make_stale_socket(const std::string& path) {
    int fd = ::socket(AF_UNIX, SOCK_STREAM, 0);
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strcpy(address.sun_path, path.c_str());
    REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) == 0);
    ::close(fd);
}

}  // namespace

TEST_CASE("server answers a request over the socket", "[control]") {
    TestDaemon daemon;
    RawClient client(daemon.path);
    client.send(echo_request(1, "hello"));
    CHECK(client.read_line() == echo_answer(1, "hello"));
    client.send("{\"id\":\"x\",\"command\":\"help\",\"args\":{\"command\":\"echo\"}}\n");
    CHECK(client.read_line() ==
          R"({"id":"x","ok":true,"result":{"name":"echo","summary":"","level":"viewer",)"
          R"("streams_progress":false,"args":[{"name":"text","type":"string","required":true,)"
          R"("help":""}],"allowed":true}})"
          "\n");
}

TEST_CASE("server frames requests split across writes and batched in one write", "[control]") {
    TestDaemon daemon;
    RawClient client(daemon.path);
    std::string request = echo_request(1, "split");
    client.send(request.substr(0, 10));
    std::this_thread::sleep_for(5ms);
    client.send(request.substr(10));
    CHECK(client.read_line() == echo_answer(1, "split"));

    // One write: a slow request first, CRLF, blank lines; answers come in request order.
    client.send("{\"id\":2,\"command\":\"slow\"}\r\n\n\r\n" + echo_request(3, "after") +
                "{\"id\":4,\"command\":\"elsewhere\"}\n" + echo_request(5, "last"));
    CHECK(client.read_line() == "{\"id\":2,\"ok\":true,\"result\":\"slow\"}\n");
    CHECK(client.read_line() == echo_answer(3, "after"));
    CHECK(client.read_line() == "{\"id\":4,\"ok\":true,\"result\":\"elsewhere\"}\n");
    CHECK(client.read_line() == echo_answer(5, "last"));
}

TEST_CASE("server reports protocol errors and keeps the connection usable", "[control]") {
    TestDaemon daemon;
    RawClient client(daemon.path);
    client.send("this is not json\n");
    CHECK(
        client.read_line() ==
        R"({"id":null,"ok":false,"error":{"code":"parse_error","message":"invalid JSON at byte 1: Invalid value."}})"
        "\n");
    client.send("{\"id\":1,\"command\":\"nope\"}\n");
    CHECK(
        client.read_line() ==
        R"({"id":1,"ok":false,"error":{"code":"unknown_command","message":"unknown command \"nope\"; \"help\" lists the commands"}})"
        "\n");
    client.send(std::string(kMaxRequestBytes + 1, 'x') + "\n" + echo_request(2, "still here"));
    CHECK(
        client.read_line() ==
        R"({"id":null,"ok":false,"error":{"code":"request_too_large","message":"request longer than 1048576 bytes; it was discarded up to its end of line"}})"
        "\n");
    CHECK(client.read_line() == echo_answer(2, "still here"));
}

TEST_CASE("progress lines come before the one final line", "[control]") {
    TestDaemon daemon;
    RawClient raw(daemon.path);
    raw.send("{\"id\":7,\"command\":\"count\"}\n");
    CHECK(raw.read_line() == "{\"id\":7,\"progress\":1}\n");
    CHECK(raw.read_line() == "{\"id\":7,\"progress\":2}\n");
    CHECK(raw.read_line() == "{\"id\":7,\"progress\":3}\n");
    CHECK(raw.read_line() == "{\"id\":7,\"ok\":true,\"result\":3}\n");

    cli::ControlClient client(daemon.path);
    std::vector<int> seen;
    auto response = client.call("count", nullptr,
                                [&](const rapidjson::Value& p) { seen.push_back(p.GetInt()); });
    CHECK(seen == std::vector<int>{1, 2, 3});
    REQUIRE(response.ok);
    CHECK(response.result.GetInt() == 3);
}

TEST_CASE("rosterctl's client gets results and errors", "[control]") {
    TestDaemon daemon;
    cli::ControlClient client(daemon.path);
    rapidjson::Document args(rapidjson::kObjectType);
    json::add(args, "text", "héllo", args.GetAllocator());
    auto ok = client.call("echo", args);
    REQUIRE(ok.ok);
    CHECK(std::string(ok.result.GetString()) == "héllo");

    auto missing = client.call("echo");
    CHECK_FALSE(missing.ok);
    CHECK(missing.error_code == "invalid_args");
    CHECK(missing.error_message == R"(missing required argument "text" (a string))");

    auto help = client.call("help");
    REQUIRE(help.ok);
    CHECK(std::string(help.result["caller"]["level"].GetString()) == "admin");
    CHECK(help.result["commands"].Size() == 8);  // with the built-in help and whoami
}

TEST_CASE("fifty concurrent clients each get their own answers", "[control]") {
    TestDaemon daemon;
    std::atomic<int> correct{0};
    std::vector<std::thread> clients;
    for (int c = 0; c < 50; ++c) {
        clients.emplace_back([&, c] {
            cli::ControlClient client(daemon.path);
            client.set_timeout(5000ms);
            for (int i = 0; i < 5; ++i) {
                std::string text = "client" + std::to_string(c) + "-" + std::to_string(i);
                rapidjson::Document args(rapidjson::kObjectType);
                json::add(args, "text", text, args.GetAllocator());
                auto response = client.call("echo", args);
                if (response.ok && response.result.GetString() == text)
                    ++correct;
            }
        });
    }
    for (auto& client : clients)
        client.join();
    CHECK(correct == 250);
    CHECK(eventually([&] { return daemon.server().connection_count() == 0; }));
}

TEST_CASE("a client stalled mid-line does not hold up anyone else", "[control]") {
    TestDaemon daemon;
    RawClient stalled(daemon.path);
    stalled.send(R"({"id":1,"command":"ec)");
    cli::ControlClient other(daemon.path);
    other.set_timeout(1000ms);
    rapidjson::Document args(rapidjson::kObjectType);
    json::add(args, "text", "unblocked", args.GetAllocator());
    auto response = other.call("echo", args);
    REQUIRE(response.ok);
    CHECK(std::string(response.result.GetString()) == "unblocked");
    stalled.send(R"(ho","args":{"text":"late"}})"
                 "\n");
    CHECK(stalled.read_line() == echo_answer(1, "late"));
}

TEST_CASE("a client that stops reading is dropped without hurting others", "[control]") {
    ControlServerOptions options;
    options.max_queued_output_bytes = 256 * 1024;
    options.pause_reading_output_bytes = 64 * 1024;
    TestDaemon daemon(options);
    RawClient lazy(daemon.path);
    lazy.send("{\"id\":1,\"command\":\"flood\"}\n");
    CHECK(eventually([&] { return daemon.server().connection_count() == 0; }));

    cli::ControlClient other(daemon.path);
    other.set_timeout(1000ms);
    CHECK(other.call("help").ok);

    // What the lazy client finally reads ends before the answer: it was cut off.
    std::string last;
    while (auto line = lazy.read_line())
        last = *line;
    CHECK(last.find("\"ok\"") == std::string::npos);
}

TEST_CASE("a client that half-closes still gets its answer", "[control]") {
    TestDaemon daemon;
    RawClient client(daemon.path);
    client.send(echo_request(1, "bye") +
                R"({"id":2,"command":"echo","args":{"text":"no newline"}})");
    client.shutdown_write();
    CHECK(client.read_line() == echo_answer(1, "bye"));
    CHECK(client.read_line() == echo_answer(2, "no newline"));
    CHECK(client.read_line() == std::nullopt);
}

TEST_CASE("socket file is 0660 while serving and removed on stop", "[control]") {
    TestDaemon daemon;
    struct stat info {};
    REQUIRE(::stat(daemon.path.c_str(), &info) == 0);
    CHECK(S_ISSOCK(info.st_mode));
    CHECK((info.st_mode & 07777) == 0660);
    daemon.on_loop([&] { daemon.server().stop(); });
    CHECK_FALSE(std::filesystem::exists(daemon.path));
    CHECK_THROWS_AS(cli::ControlClient(daemon.path), cli::ControlUnreachable);
}

TEST_CASE("a stale socket file is replaced, a live one is refused", "[control]") {
    test::TempDir dir;
    std::string path = (dir / "control.sock").string();
    asio::io_context io;
    CommandRegistry registry;

    make_stale_socket(path);
    ControlServer first(io, registry, AccessPolicy({}, ::getuid()), {.socket_path = path});
    first.start();
    RawClient client(path);  // the new socket accepts (connection queued until the loop runs)

    ControlServer second(io, registry, AccessPolicy({}, ::getuid()), {.socket_path = path});
    CHECK_THROWS_WITH(second.start(),
                      "control socket " + path + ": another rosterd is already listening there");
    CHECK(std::filesystem::exists(path));
    first.stop();
    CHECK_FALSE(std::filesystem::exists(path));

    std::string file = (dir / "not-a-socket").string();
    dir.write("not-a-socket", "keep me");
    ControlServer third(io, registry, AccessPolicy({}, ::getuid()), {.socket_path = file});
    CHECK_THROWS_WITH(third.start(), "control socket " + file + ": exists and is not a socket");
    CHECK(test::read_file(file) == "keep me");
    io.poll();  // let the cancelled accept finish before the servers go
}

TEST_CASE("answers arriving after stop are dropped safely", "[control]") {
    TestDaemon daemon;
    RawClient client(daemon.path);
    client.send("{\"id\":1,\"command\":\"hold\"}\n");
    auto reply = daemon.take_held();
    REQUIRE(reply);
    daemon.on_loop([&] { daemon.server().stop(); });
    reply->progress(rapidjson::Value(1));
    reply->ok(rapidjson::Value("too late"));
    reply.reset();
    CHECK(client.read_line() == std::nullopt);
    CHECK(daemon.server().connection_count() == 0);
}

TEST_CASE("while shutting down new requests are unavailable", "[control]") {
    TestDaemon daemon;
    RawClient client(daemon.path);
    daemon.on_loop([&] { daemon.server().refuse_new_requests(); });
    client.send(echo_request(1, "x"));
    CHECK(
        client.read_line() ==
        R"({"id":1,"ok":false,"error":{"code":"unavailable","message":"rosterd is shutting down"}})"
        "\n");
}

TEST_CASE("connections beyond the limit are told to come back later", "[control]") {
    TestDaemon daemon({.limits = {.max_connections = 2}});
    RawClient first(daemon.path);
    RawClient second(daemon.path);
    first.send(echo_request(1, "a"));
    CHECK(first.read_line() == echo_answer(1, "a"));
    second.send(echo_request(1, "b"));
    CHECK(second.read_line() == echo_answer(1, "b"));
    RawClient third(daemon.path);
    CHECK(
        third.read_line() ==
        R"({"id":null,"ok":false,"error":{"code":"unavailable","message":"too many control connections; try again later"}})"
        "\n");
    CHECK(third.read_line() == std::nullopt);
}

TEST_CASE("an idle connection is closed, but not while a request runs", "[control]") {
    TestDaemon daemon({.limits = {.idle_timeout = 300ms}});
    SECTION("a client that never sends anything") {
        RawClient silent(daemon.path);
        auto started = std::chrono::steady_clock::now();
        CHECK(silent.wait_closed(3000ms));
        auto waited = std::chrono::steady_clock::now() - started;
        CHECK(waited >= 250ms);
        CHECK(waited < 2000ms);
        CHECK(eventually([&] { return daemon.server().connection_count() == 0; }));
    }
    SECTION("activity restarts the clock") {
        RawClient chatty(daemon.path);
        for (int i = 1; i <= 6; ++i) {
            std::this_thread::sleep_for(100ms);
            chatty.send(echo_request(i, "x"));
            CHECK(chatty.read_line() == echo_answer(i, "x"));
        }
        CHECK(daemon.server().connection_count() == 1);  // 600 ms in all, never 300 idle
    }
    SECTION("a request answered after longer than the timeout") {
        RawClient waiting(daemon.path);
        waiting.send(R"({"id":1,"command":"hold"})"
                     "\n");
        auto reply = daemon.take_held();
        REQUIRE(reply);
        std::this_thread::sleep_for(700ms);
        CHECK(daemon.server().connection_count() == 1);
        reply->ok(rapidjson::Value("late"));
        CHECK(waiting.read_line() == R"({"id":1,"ok":true,"result":"late"})"
                                     "\n");
        // Idle again from the answer on.
        CHECK(waiting.wait_closed(3000ms));
    }
}
