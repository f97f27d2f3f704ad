#include "test_http_server.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <memory>
#include <regex>
#include <stdexcept>

namespace rosterd::test {

std::string RecordedRequest::header(const std::string& name) const {
    auto found = headers.find(name);
    return found == headers.end() ? std::string() : found->second;
}

std::string RecordedRequest::param(const std::string& name) const {
    auto found = params.find(name);
    return found == params.end() ? std::string() : found->second;
}

TestHttpServer::TestHttpServer() {
    // Short keep-alive so a client that forgets to close cannot hold up the server's shutdown long.
    server_.set_keep_alive_timeout(1);
    // Without it, Nagle plus delayed ACKs add ~40 ms to every loopback response.
    server_.set_tcp_nodelay(true);
    auto dispatch = [this](const httplib::Request& req, httplib::Response& res) {
        this->dispatch(req, res);
    };
    server_.Get(".*", dispatch);
    server_.Post(".*", dispatch);
    server_.Put(".*", dispatch);
    server_.Patch(".*", dispatch);
    server_.Delete(".*", dispatch);
    port_ = server_.bind_to_any_port("127.0.0.1");
    if (port_ <= 0)
        throw std::runtime_error("test server could not bind");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    // stop() is a no-op until the accept loop runs, so wait for it.
    while (!server_.is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
}

TestHttpServer::~TestHttpServer() {
    server_.stop();
    if (thread_.joinable())
        thread_.join();
}

void TestHttpServer::route(const std::string& method, const std::string& path_regex,
                           Handler handler) {
    std::lock_guard lock(mutex_);
    routes_.push_back(Route{method, path_regex, std::move(handler)});
}

void TestHttpServer::script(const std::string& method, const std::string& path_regex,
                            std::vector<Reply> replies) {
    if (replies.empty())
        throw std::invalid_argument("a script needs at least one reply");
    auto state = std::make_shared<std::pair<std::mutex, std::vector<Reply>>>();
    state->second = std::move(replies);
    auto next = std::make_shared<std::size_t>(0);
    route(method, path_regex, [state, next](const httplib::Request&, httplib::Response& res) {
        Reply reply;
        {
            std::lock_guard lock(state->first);
            const auto& replies = state->second;
            reply = replies[std::min(*next, replies.size() - 1)];
            ++*next;
        }
        if (reply.delay.count() > 0)
            std::this_thread::sleep_for(reply.delay);
        apply(reply, res);
    });
}

void TestHttpServer::apply(const Reply& reply, httplib::Response& res) {
    res.status = reply.status;
    for (const auto& [name, value] : reply.headers)
        res.set_header(name, value);
    if (!reply.body.empty())
        res.set_content(reply.body, reply.content_type.c_str());
}

std::vector<RecordedRequest> TestHttpServer::requests() const {
    std::lock_guard lock(mutex_);
    return requests_;
}

std::size_t TestHttpServer::request_count() const {
    std::lock_guard lock(mutex_);
    return requests_.size();
}

void TestHttpServer::dispatch(const httplib::Request& req, httplib::Response& res) {
    Handler handler;
    {
        std::lock_guard lock(mutex_);
        RecordedRequest recorded;
        recorded.method = req.method;
        recorded.path = req.path;
        recorded.target = req.target;
        for (const auto& [name, value] : req.params)
            recorded.params.emplace(name, value);
        recorded.headers = req.headers;
        recorded.body = req.body;
        recorded.remote_port = req.remote_port;
        requests_.push_back(std::move(recorded));
        for (const auto& route : routes_) {
            if (route.method == req.method &&
                std::regex_match(req.path, std::regex(route.pattern))) {
                handler = route.handler;
                break;
            }
        }
    }
    if (!handler) {
        ++unmatched_;
        res.status = 404;
        res.set_content(R"({"errors":[{"status":"404","code":"TEST-404","title":"no route"}]})",
                        "application/json");
        return;
    }
    handler(req, res);
}

namespace {

int listen_on_loopback(int& port_out) {
    int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        throw std::runtime_error("socket failed");
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    address.sin_port = 0;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
        ::listen(fd, 16) != 0) {
        ::close(fd);
        throw std::runtime_error("bind/listen failed");
    }
    socklen_t length = sizeof(address);
    ::getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length);
    port_out = ntohs(address.sin_port);
    return fd;
}

// Reads until the end of the request head (or 500 ms pass); bodies are ignored.
std::string read_request_head(int fd) {
    std::string head;
    char buffer[4096];
    while (head.find("\r\n\r\n") == std::string::npos) {
        pollfd watch{fd, POLLIN, 0};
        if (::poll(&watch, 1, 500) <= 0)
            break;
        ssize_t got = ::recv(fd, buffer, sizeof(buffer), 0);
        if (got <= 0)
            break;
        head.append(buffer, static_cast<std::size_t>(got));
    }
    return head;
}

}  // namespace

RawTcpServer::RawTcpServer(Behaviour behaviour) : behaviour_(std::move(behaviour)) {
    listen_fd_ = listen_on_loopback(port_);
    if (::pipe2(wake_pipe_, O_CLOEXEC) != 0)
        throw std::runtime_error("pipe failed");
    thread_ = std::thread([this] { run(); });
}

RawTcpServer::~RawTcpServer() {
    char byte = 1;
    [[maybe_unused]] auto written = ::write(wake_pipe_[1], &byte, 1);
    if (thread_.joinable())
        thread_.join();
    for (int fd : held_)
        ::close(fd);
    ::close(listen_fd_);
    ::close(wake_pipe_[0]);
    ::close(wake_pipe_[1]);
}

void RawTcpServer::run() {
    for (;;) {
        pollfd watch[2] = {{listen_fd_, POLLIN, 0}, {wake_pipe_[0], POLLIN, 0}};
        if (::poll(watch, 2, -1) < 0)
            continue;
        if (watch[1].revents)
            return;
        if (!(watch[0].revents & POLLIN))
            continue;
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
        if (fd < 0)
            continue;
        ++connections_;
        Action action = behaviour_(read_request_head(fd));
        std::size_t sent = 0;
        while (sent < action.write.size()) {
            ssize_t n =
                ::send(fd, action.write.data() + sent, action.write.size() - sent, MSG_NOSIGNAL);
            if (n <= 0)
                break;
            sent += static_cast<std::size_t>(n);
        }
        if (action.keep_open) {
            held_.push_back(fd);
        } else {
            ::close(fd);
        }
    }
}

bool run_until(asio::io_context& io, const std::function<bool()>& done,
               std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!done() && std::chrono::steady_clock::now() < deadline) {
        io.restart();
        if (io.run_one_for(std::chrono::milliseconds(5)) == 0) {
            std::this_thread::sleep_for(std::chrono::milliseconds(1));  // no work queued yet
        }
    }
    return done();
}

void run_for(asio::io_context& io, std::chrono::milliseconds duration) {
    run_until(
        io, [] { return false; }, duration);
}

int unused_local_port() {
    int port = 0;
    int fd = listen_on_loopback(port);
    ::close(fd);
    return port;
}

}  // namespace rosterd::test
