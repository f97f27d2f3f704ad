#pragma once
// State shared by ControlServer and its connections (internal to daemon/control). Everything here
// is touched on the loop thread only, except open_connections.
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>

#include <atomic>
#include <memory>
#include <optional>
#include <string>
#include <unordered_map>

#include "rosterd/control_server.hpp"
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
    // A connection closed itself.
    void forget(detail::Connection* connection);

    asio::io_context& io;
    const CommandRegistry& registry;
    AccessPolicy policy;
    const ControlServerOptions options;
    asio::local::stream_protocol::acceptor acceptor;
    asio::steady_timer accept_retry;  // after accept errors such as EMFILE: pause, do not spin
    bool running = false;
    std::optional<std::string> refusal;  // set: new requests are answered `unavailable`
    std::optional<detail::FileIdentity> socket_file;
    // The server owns its connections: a connection waiting for a slow handler has no pending I/O
    // that would keep it alive.
    std::unordered_map<detail::Connection*, std::shared_ptr<detail::Connection>> connections;
    std::atomic<std::size_t> open_connections{0};
};

}  // namespace rosterd::control
