#include <sys/stat.h>

#include <spdlog/spdlog.h>

#include <cerrno>
#include <chrono>
#include <cstring>

#include "admission.hpp"
#include "connection.hpp"
#include "rosterd/control/server.hpp"
#include "server_core.hpp"
#include "socket_file.hpp"

namespace rosterd::control {

using Protocol = asio::local::stream_protocol;

ControlServer::Core::Core(asio::io_context& io_context, const CommandRegistry& commands,
                          AccessPolicy access, ControlServerOptions opts)
    : io(io_context),
      registry(commands),
      policy(std::move(access)),
      options(std::move(opts)),
      limits(options.limits),
      acceptor(io_context),
      accept_retry(io_context) {}

void ControlServer::Core::accept_next() {
    acceptor.async_accept(
        [core = shared_from_this()](const std::error_code& error, Protocol::socket socket) {
            core->on_accepted(error, std::move(socket));
        });
}

void ControlServer::Core::on_accepted(const std::error_code& error, Protocol::socket socket) {
    if (!running)
        return;
    if (error) {
        if (error == asio::error::operation_aborted)
            return;
        spdlog::warn("control: accept failed: {}", error.message());
        accept_retry.expires_after(std::chrono::milliseconds(100));
        accept_retry.async_wait([core = shared_from_this()](const std::error_code& waited) {
            if (!waited && core->running)
                core->accept_next();
        });
        return;
    }
    auto credentials = detail::peer_credentials(socket.native_handle());
    if (!credentials) {
        spdlog::warn("control: cannot read the peer credentials of a connection; closed it");
    } else {
        Caller caller = policy.identify(credentials->uid, credentials->gid, credentials->pid);
        spdlog::debug("control: connection from {} pid {} ({} access)", caller.describe(),
                      caller.pid, caller.level ? to_string(*caller.level) : "no");
        if (auto refusal = refusal_for(caller)) {
            refuse(socket, caller, *refusal);
        } else {
            auto connection =
                std::make_shared<detail::Connection>(std::move(socket), shared_from_this(), caller);
            connections.emplace(connection.get(), connection);
            ++connections_per_uid[caller.uid];
            open_connections = connections.size();
            connection->start();
        }
    }
    accept_next();
}

std::optional<std::string> ControlServer::Core::refusal_for(const Caller& caller) const {
    auto mine = connections_per_uid.find(caller.uid);
    return detail::admission_refusal(limits, connections.size(),
                                     mine == connections_per_uid.end() ? 0 : mine->second, caller);
}

void ControlServer::Core::refuse(Protocol::socket& socket, const Caller& caller,
                                 const std::string& reason) {
    // The socket's buffer is empty: one short line fits, and a client that does not read loses
    // nothing but the explanation.
    std::error_code ignored;
    socket.non_blocking(true, ignored);
    std::string line = error_line("null", kUnavailable, reason);
    socket.write_some(asio::buffer(line), ignored);
    socket.close(ignored);
    ++refusals_unlogged;
    auto now = std::chrono::steady_clock::now();
    if (now - refusals_logged_at >= std::chrono::seconds(10)) {
        spdlog::warn("control: refused {} connection(s), the last from {} pid {}: {}",
                     refusals_unlogged, caller.describe(), caller.pid, reason);
        refusals_logged_at = now;
        refusals_unlogged = 0;
    }
}

void ControlServer::Core::forget(detail::Connection* connection) {
    if (auto count = connections_per_uid.find(connection->uid());
        count != connections_per_uid.end() && --count->second == 0)
        connections_per_uid.erase(count);
    connections.erase(connection);
    open_connections = connections.size();
}

ControlServer::ControlServer(asio::io_context& io, const CommandRegistry& registry,
                             AccessPolicy policy, ControlServerOptions options)
    : core_(std::make_shared<Core>(io, registry, std::move(policy), std::move(options))) {}

ControlServer::~ControlServer() {
    stop();
}

void ControlServer::start() {
    Core& core = *core_;
    if (core.running)
        return;
    const std::string& path = core.options.socket_path;
    detail::clear_stale_socket(path);

    std::error_code error;
    core.acceptor.open(Protocol(), error);
    if (!error)
        core.acceptor.bind(Protocol::endpoint(path), error);
    if (error) {
        core.acceptor.close(error);
        throw ControlSocketError("control socket " + path + ": cannot bind: " + error.message());
    }
    core.socket_file = detail::identify_file(path);
    // chmod right after bind rather than a umask dance: umask is process-wide and other threads
    // may be creating files. Until then the socket has the daemon's umask (0022 under systemd),
    // which lets nobody else connect; and access is checked per connection anyway.
    if (::chmod(path.c_str(), static_cast<mode_t>(core.options.socket_mode)) != 0) {
        int chmod_errno = errno;
        stop_listening_and_remove();
        throw ControlSocketError("control socket " + path +
                                 ": cannot set its mode: " + std::strerror(chmod_errno));
    }
    core.acceptor.listen(asio::socket_base::max_listen_connections, error);
    if (error) {
        stop_listening_and_remove();
        throw ControlSocketError("control socket " + path + ": cannot listen: " + error.message());
    }
    core.running = true;
    core.accept_next();
    spdlog::info("control: listening on {}", path);
}

void ControlServer::stop() {
    Core& core = *core_;
    if (!core.running)
        return;
    core.running = false;
    core.accept_retry.cancel();
    auto connections = std::move(core.connections);
    core.connections.clear();
    for (auto& [raw, connection] : connections)
        connection->close();
    core.connections_per_uid.clear();
    core.open_connections = 0;
    stop_listening_and_remove();
    spdlog::info("control: stopped listening on {}", core.options.socket_path);
}

void ControlServer::stop_listening_and_remove() {
    Core& core = *core_;
    std::error_code ignored;
    core.acceptor.close(ignored);
    if (core.socket_file)
        detail::remove_if_same_file(core.options.socket_path, *core.socket_file);
    core.socket_file.reset();
}

void ControlServer::refuse_new_requests(std::string reason) {
    core_->refusal = std::move(reason);
}

void ControlServer::set_access_policy(AccessPolicy policy) {
    core_->policy = std::move(policy);
}

void ControlServer::set_limits(ConnectionLimits limits) {
    core_->limits = limits;
}

std::size_t ControlServer::connection_count() const {
    return core_->open_connections.load();
}

const std::string& ControlServer::socket_path() const {
    return core_->options.socket_path;
}

}  // namespace rosterd::control
