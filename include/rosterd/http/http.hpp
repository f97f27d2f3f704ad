#pragma once
// Async HTTP client: libcurl's multi socket API driven by a standalone-Asio io_context.
// No thread per request and nothing blocks the loop: curl's sockets are watched by Asio, curl's
// timeout is an Asio timer, and every completion callback runs on the io_context thread.
// Not thread-safe: use a Client only from the thread that runs its io_context.
#include <asio/io_context.hpp>
#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rosterd::http {

struct Options {
    // Requests beyond this many wait in a FIFO queue; also the per-host connection limit.
    std::size_t max_in_flight = 8;
    std::chrono::milliseconds connect_timeout{10000};
    // Whole-transfer limit, unless a Request sets its own timeout.
    std::chrono::milliseconds total_timeout{60000};
    // Abort a transfer that moves fewer than low_speed_limit bytes/s for low_speed_time.
    long low_speed_limit = 1;
    std::chrono::seconds low_speed_time{30};
    std::string ca_file;  // empty = the system CA store; verification is always on
    std::string proxy;    // empty = curl's standard environment variables (https_proxy, no_proxy)
    bool http2 = true;    // HTTP/2 over TLS when the server offers it
    std::string user_agent;  // empty = "rosterd/<kVersion>"
    // A response body larger than this fails the transfer (a broken or hostile server cannot
    // make the daemon grow without bound).
    std::size_t max_response_bytes = 64 * 1024 * 1024;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

struct Request {
    std::string method = "GET";
    std::string url;
    Headers headers;
    std::string body;
    std::optional<std::chrono::milliseconds> timeout;  // overrides Options::total_timeout
};

enum class TransportError { none, timeout, connect, reset, tls, cancelled, other };

std::string_view to_string(TransportError error);

struct Response {
    long status = 0;  // 0 when the transfer failed before a status line arrived
    Headers headers;  // of the final response, in arrival order, names as sent
    std::string body;
    TransportError transport = TransportError::none;
    std::string transport_message;  // curl's explanation; never contains request headers
    std::chrono::milliseconds elapsed{0};

    bool transport_ok() const { return transport == TransportError::none; }
    // Case-insensitive lookup of the first header with this name.
    std::optional<std::string_view> header(std::string_view name) const;
};

using ResponseHandler = std::function<void(Response)>;

class Client {
  public:
    Client(asio::io_context& io, Options options = {});
    // Drops outstanding requests WITHOUT calling their handlers; call cancel_all() first to have
    // them complete with TransportError::cancelled.
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // Queues the request; on_done runs later on the io_context thread, never inside send().
    void send(Request request, ResponseHandler on_done);
    // Completes every queued and in-flight request with TransportError::cancelled (handlers are
    // posted to the io_context). The client stays usable.
    void cancel_all();
    std::size_t in_flight() const;
    std::size_t queued() const;
    const Options& options() const;

  private:
    class Impl;
    std::shared_ptr<Impl> impl_;
};

}  // namespace rosterd::http
