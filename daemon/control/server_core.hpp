#pragma once
// State shared by ControlServer and its connections (internal to daemon/control). Everything here
// is touched on the loop thread only, except open_connections.
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "rosterd/control/server.hpp"
#include "socket_file.hpp"

namespace rosterd::control {

namespace detail {
class Connection;
}

struct ControlServer::Core : std::enable_shared_from_this<ControlServer::Core> {
    Core(asio::io_context& io, const CommandRegistry& registry, AccessPolicy policy,
         ControlServerOptions options);

    void accept_next();
    void on_accepted(const std::error_code& error, asio::local::stream_protocol::socket socket);
    // Why `caller` may not have one more connection now; nullopt when it may.
    std::optional<std::string> refusal_for(const Caller& caller) const;
    // Answers one `unavailable` line and closes, without keeping the connection: refused ones
    // must not take slots themselves while a flood of them is being turned away.
    void refuse(asio::local::stream_protocol::socket& socket, const Caller& caller,
                const std::string& reason);
    // A connection closed itself.
    void forget(detail::Connection* connection);

    asio::io_context& io;
    const CommandRegistry& registry;
    AccessPolicy policy;
    const ControlServerOptions options;
    ConnectionLimits limits;  // options.limits, then whatever a reload set
    asio::local::stream_protocol::acceptor acceptor;
    asio::steady_timer accept_retry;  // after accept errors such as EMFILE: pause, do not spin
    bool running = false;
    std::optional<std::string> refusal;  // set: new requests are answered `unavailable`
    std::optional<detail::FileIdentity> socket_file;
    // The server owns its connections: a connection waiting for a slow handler has no pending I/O
    // that would keep it alive.
    std::unordered_map<detail::Connection*, std::shared_ptr<detail::Connection>> connections;
    std::unordered_map<std::uint32_t, std::size_t> connections_per_uid;
    std::atomic<std::size_t> open_connections{0};
    // Refusals are logged at most every few seconds: a flood of them must not flood the log.
    std::chrono::steady_clock::time_point refusals_logged_at{};
    std::size_t refusals_unlogged = 0;
};

}  // namespace rosterd::control
