#pragma once
// The control socket: a Unix stream socket on the daemon's Asio loop. Each connection is identified
// by SO_PEERCRED, mapped to an access level once, and served one request at a time in order;
// connections are independent of each other. See docs/control-protocol.md.
#include <asio/io_context.hpp>

#include <chrono>
#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "rosterd/control/access.hpp"
#include "rosterd/control/registry.hpp"

namespace rosterd::control {

// How many connections the server keeps, and for how long (control.* in the configuration).
// Connections are counted by the uid the kernel reports for the peer (SO_PEERCRED), so that no
// process can pass for someone else, and one user cannot take every slot.
struct ConnectionLimits {
    std::size_t max_connections = 256;  // in all
    std::size_t max_per_user = 32;      // from one uid below admin
    // Of max_connections, this many are only for admins (root included): when everyone else has
    // filled the rest, an admin can still connect and see what is going on.
    std::size_t admin_reserve = 16;
    // A connection with no request running and no byte read or written for this long is closed.
    // Zero: never.
    std::chrono::milliseconds idle_timeout{60000};
};

struct ControlServerOptions {
    std::string socket_path{};
    unsigned socket_mode = 0660;
    // Output queued for one client beyond which a client that stopped reading is dropped. A single
    // larger answer is still sent whole: the cap applies only on top of what is queued already.
    std::size_t max_queued_output_bytes = 64 * 1024 * 1024;
    // Above this much queued output, the next request waits until the client has read some.
    std::size_t pause_reading_output_bytes = 1024 * 1024;
    ConnectionLimits limits{};
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
    // Replaces the connection limits, for connections accepted from now on (the idle timeout
    // also for the others, from their next activity). Loop thread.
    void set_limits(ConnectionLimits limits);

    // Open connections; safe from any thread (for tests and status).
    std::size_t connection_count() const;
    const std::string& socket_path() const;

    struct Core;  // shared with the connections; defined in daemon/control

  private:
    void stop_listening_and_remove();

    std::shared_ptr<Core> core_;
};

}  // namespace rosterd::control
