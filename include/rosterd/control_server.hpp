#pragma once
// The control socket: a Unix stream socket on the daemon's Asio loop. Each connection is identified
// by SO_PEERCRED, mapped to an access level once, and served one request at a time in order;
// connections are independent of each other. See docs/control-protocol.md.
#include <asio/io_context.hpp>

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "rosterd/control_access.hpp"
#include "rosterd/control_registry.hpp"

namespace rosterd::control {

struct ControlServerOptions {
    std::string socket_path{};
    unsigned socket_mode = 0660;
    // Output queued for one client beyond which a client that stopped reading is dropped. A single
    // larger answer is still sent whole: the cap applies only on top of what is queued already.
    std::size_t max_queued_output_bytes = 64 * 1024 * 1024;
    // Above this much queued output, the next request waits until the client has read some.
    std::size_t pause_reading_output_bytes = 1024 * 1024;
    std::size_t max_connections = 256;
};

// Raised by start(): the path is too long, in use by a live daemon, not a socket, or not bindable.
class ControlSocketError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

class ControlServer {
  public:
    // `registry` must outlive the server and every handler it runs.
    ControlServer(asio::io_context& io, const CommandRegistry& registry, AccessPolicy policy,
                  ControlServerOptions options);
    ~ControlServer();  // stop()
    ControlServer(const ControlServer&) = delete;
    ControlServer& operator=(const ControlServer&) = delete;

    // Binds and listens: a stale socket file (nobody answers) is replaced; a live one (another
    // daemon) makes this throw ControlSocketError. The socket gets `socket_mode` (0660).
    // Call on the loop thread, or before the loop runs.
    void start();
    // Closes the listener and every connection and removes the socket file. Answers still in flight
    // are dropped when they arrive. Idempotent. Call on the loop thread (or with the loop stopped).
    void stop();
    // From now on every new request is answered `unavailable` (the daemon is shutting down);
    // requests already running finish normally. Loop thread.
    void refuse_new_requests(std::string reason = "rosterd is shutting down");
    // Replaces the access policy for connections accepted from now on (e.g. after a reload).
    // Loop thread.
    void set_access_policy(AccessPolicy policy);

    // Open connections; safe from any thread (for tests and status).
    std::size_t connection_count() const;
    const std::string& socket_path() const;

    struct Core;  // shared with the connections; defined in daemon/control

  private:
    void stop_listening_and_remove();

    std::shared_ptr<Core> core_;
};

}  // namespace rosterd::control
