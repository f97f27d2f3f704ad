#include "sim_server.hpp"

#include <sys/socket.h>

#include <chrono>
#include <stdexcept>

#include "gateway.hpp"
#include "routes.hpp"

namespace rosterd::sim {

SimServer::SimServer(Model model, SimSettings settings)
    : state_(std::make_unique<SimState>(std::move(model), std::move(settings))),
      server_(std::make_unique<WideBacklogServer>()) {
    server_->new_task_queue = [] { return new httplib::ThreadPool(kWorkerThreads); };
    // Responses go out in two writes (head, then body): without TCP_NODELAY a client's
    // delayed ACK would add ~40 ms to every request.
    server_->set_tcp_nodelay(true);
    server_->set_keep_alive_max_count(10000);
    install_gateway(*server_, *state_);
    Routes routes(*server_);
    register_org_routes(routes, *state_);
    register_domain_routes(routes, *state_);
    register_workspace_routes(routes, *state_);
    register_user_read_routes(routes, *state_);
    register_v1_user_routes(routes, *state_);
    register_group_routes(routes, *state_);
    register_role_routes(routes, *state_);
    register_membership_routes(routes, *state_);
    register_lifecycle_routes(routes, *state_);
    register_control_routes(routes, *state_);
    register_sink_routes(routes, *state_);
}

void WideBacklogServer::widen_backlog(int backlog) {
    // listen() again on a listening socket only changes its backlog.
    ::listen(svr_sock_, backlog);
}

SimServer::~SimServer() {
    stop();
}

int SimServer::start(const std::string& host, int port) {
    if (thread_.joinable())
        throw std::runtime_error("the simulator is already running");
    host_ = host;
    if (port == 0) {
        port_ = server_->bind_to_any_port(host);
        if (port_ < 0)
            throw std::runtime_error("cannot bind " + host + " to a free port");
    } else {
        if (!server_->bind_to_port(host, port)) {
            throw std::runtime_error("cannot bind " + host + ":" + std::to_string(port));
        }
        port_ = port;
    }
    server_->widen_backlog(SOMAXCONN);
    thread_ = std::thread([this] { server_->listen_after_bind(); });
    // stop() only works once the accept loop runs; wait for it so start();stop() never hangs.
    while (!server_->is_running())
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    return port_;
}

void SimServer::stop() {
    if (!thread_.joinable())
        return;
    server_->stop();
    thread_.join();
}

}  // namespace rosterd::sim
