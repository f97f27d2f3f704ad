#include "http_responder.hpp"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <array>
#include <asio/basic_socket_acceptor.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>
#include <asio/write.hpp>
#include <stdexcept>
#include <unordered_map>

namespace rosterd::metrics {
namespace {

using Protocol = asio::generic::stream_protocol;

const char* reason_phrase(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 408:
            return "Request Timeout";
        case 431:
            return "Request Header Fields Too Large";
        case 503:
            return "Service Unavailable";
        default:
            return "Error";
    }
}

std::string response_bytes(const HttpAnswer& a, bool head_only) {
    std::string out = "HTTP/1.1 " + std::to_string(a.status) + " " + reason_phrase(a.status) +
                      "\r\nContent-Type: " + a.content_type +
                      "\r\nContent-Length: " + std::to_string(a.body.size()) +
                      "\r\nConnection: close\r\nCache-Control: no-store\r\n";
    if (!a.allow.empty())
        out += "Allow: " + a.allow + "\r\n";
    out += "\r\n";
    if (!head_only)
        out += a.body;
    return out;
}

HttpAnswer plain(int status, std::string body) {
    return {status, "text/plain; charset=utf-8", std::move(body) + "\n", ""};
}

}  // namespace

class Connection;

struct HttpResponder::Core : std::enable_shared_from_this<HttpResponder::Core> {
    Core(asio::io_context& io, Handler h, HttpLimits l)
        : io(io), handler(std::move(h)), limits(l), acceptor(io), accept_retry(io) {}
    void accept_next();

    asio::io_context& io;
    Handler handler;
    HttpLimits limits;
    asio::basic_socket_acceptor<Protocol> acceptor;
    asio::steady_timer accept_retry;  // after accept errors such as EMFILE: pause, do not spin
    std::string unix_path;            // the socket file this responder created
    bool running = false;
    std::unordered_map<Connection*, std::shared_ptr<Connection>> connections;
};

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    Connection(std::shared_ptr<HttpResponder::Core> core, Protocol::socket socket)
        : core_(std::move(core)), socket_(std::move(socket)), deadline_(core_->io) {}

    void start() {
        arm(core_->limits.head_timeout, 408);
        read_head();
    }
    void close() {
        std::error_code ignored;
        deadline_.cancel();
        socket_.close(ignored);
    }

  private:
    // After `after`, answer `status` if the head is still incomplete, else just close.
    void arm(std::chrono::milliseconds after, int status) {
        deadline_.expires_after(after);
        deadline_.async_wait([self = shared_from_this(), status](const std::error_code& ec) {
            if (ec)
                return;
            if (!self->answered_)
                self->send(plain(status, "request timed out"), false);
            else
                self->finish();
        });
    }
    void read_head() {
        socket_.async_read_some(asio::buffer(chunk_), [self = shared_from_this()](
                                                          const std::error_code& ec,
                                                          std::size_t n) {
            if (ec)
                return self->finish();
            if (self->answered_)
                return;  // the deadline answered already
            self->head_.append(self->chunk_.data(), n);
            auto end = self->head_.find("\r\n\r\n");
            if (end == std::string::npos && self->head_.size() > self->core_->limits.max_head_bytes)
                return self->send(plain(431, "request head too large"), false);
            if (end == std::string::npos)
                return self->read_head();
            if (end > self->core_->limits.max_head_bytes)
                return self->send(plain(431, "request head too large"), false);
            self->dispatch(self->head_.substr(0, end));
        });
    }
    void dispatch(const std::string& head) {
        auto line_end = head.find("\r\n");
        std::string line = head.substr(0, line_end);
        auto sp1 = line.find(' ');
        auto sp2 = sp1 == std::string::npos ? sp1 : line.find(' ', sp1 + 1);
        if (sp2 == std::string::npos || line.compare(sp2 + 1, 7, "HTTP/1.") != 0)
            return send(plain(400, "malformed request line"), false);
        std::string method = line.substr(0, sp1);
        std::string target = line.substr(sp1 + 1, sp2 - sp1 - 1);
        bool head_only = method == "HEAD";
        answered_ = true;  // from here on the deadline only ends the exchange
        arm(core_->limits.answer_timeout, 0);
        core_->handler(method, target, [weak = weak_from_this(), head_only](HttpAnswer answer) {
            if (auto self = weak.lock())
                self->send(answer, head_only);
        });
    }
    void send(const HttpAnswer& answer, bool head_only) {
        if (sending_)
            return;
        sending_ = answered_ = true;
        out_ = response_bytes(answer, head_only);
        asio::async_write(socket_, asio::buffer(out_),
                          [self = shared_from_this()](const std::error_code&, std::size_t) {
                              std::error_code ignored;
                              self->socket_.shutdown(Protocol::socket::shutdown_both, ignored);
                              self->finish();
                          });
    }
    void finish() {
        close();
        core_->connections.erase(this);  // may destroy this: nothing after it
    }

    std::shared_ptr<HttpResponder::Core> core_;
    Protocol::socket socket_;
    asio::steady_timer deadline_;
    std::array<char, 2048> chunk_{};
    std::string head_;
    std::string out_;
    bool answered_ = false;
    bool sending_ = false;
};

void HttpResponder::Core::accept_next() {
    acceptor.async_accept(
        [self = shared_from_this()](const std::error_code& ec, Protocol::socket socket) {
            if (!self->running)
                return;
            if (!ec) {
                if (self->connections.size() >= self->limits.max_connections) {
                    std::error_code ignored;
                    socket.close(ignored);  // a flood must not grow memory; Prometheus retries
                } else {
                    auto connection = std::make_shared<Connection>(self, std::move(socket));
                    self->connections.emplace(connection.get(), connection);
                    connection->start();
                }
            } else if (ec == asio::error::operation_aborted) {
                return;
            }
            self->accept_next();
        });
}

HttpResponder::HttpResponder(asio::io_context& loop, Handler handler, HttpLimits limits)
    : core_(std::make_shared<Core>(loop, std::move(handler), limits)) {}

HttpResponder::~HttpResponder() {
    stop();
}

void HttpResponder::start(const ListenAddress& address) {
    try {
        Protocol::endpoint endpoint;
        if (address.is_unix()) {
            // A socket file left by a daemon that died is in the way; anything else is not ours.
            struct stat st {};
            if (::lstat(address.unix_path.c_str(), &st) == 0) {
                if (!S_ISSOCK(st.st_mode))
                    throw std::runtime_error("exists and is not a socket");
                ::unlink(address.unix_path.c_str());
            }
            endpoint = asio::local::stream_protocol::endpoint(address.unix_path);
        } else {
            endpoint = asio::ip::tcp::endpoint(asio::ip::make_address(address.host),
                                               static_cast<unsigned short>(address.port));
        }
        core_->acceptor.open(endpoint.protocol());
        if (!address.is_unix())
            core_->acceptor.set_option(asio::socket_base::reuse_address(true));
        core_->acceptor.bind(endpoint);
        if (address.is_unix()) {
            core_->unix_path = address.unix_path;
            ::chmod(address.unix_path.c_str(), 0660);
        }
        core_->acceptor.listen();
    } catch (const std::exception& e) {
        std::error_code ignored;
        core_->acceptor.close(ignored);
        throw std::runtime_error("metrics: cannot listen on " + address.describe() + ": " +
                                 e.what());
    }
    core_->running = true;
    core_->accept_next();
}

void HttpResponder::stop() {
    if (!core_->running)
        return;
    core_->running = false;
    std::error_code ignored;
    core_->acceptor.close(ignored);
    core_->accept_retry.cancel();
    auto connections = std::move(core_->connections);
    core_->connections.clear();
    for (auto& [raw, connection] : connections)
        connection->close();
    if (!core_->unix_path.empty())
        ::unlink(core_->unix_path.c_str());
}

std::size_t HttpResponder::connections() const {
    return core_->connections.size();
}

}  // namespace rosterd::metrics
