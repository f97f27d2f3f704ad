#pragma once
// The simulator as an embeddable server: tests start it in-process on an ephemeral port,
// rosterd-sim's main() runs it until a signal arrives.
#include <httplib.h>

#include <memory>
#include <string>
#include <thread>

#include "model.hpp"
#include "sim_state.hpp"

namespace rosterd::sim {

// httplib listens with a backlog of 5: a burst of parallel connections (rosterd's fetchers, a
// test's threads) overflows it and waits a second for SYN retransmission. This server lets us
// widen the backlog of its listening socket after binding.
class WideBacklogServer : public httplib::Server {
  public:
    void widen_backlog(int backlog);
};

class SimServer {
  public:
    // Worker threads: parallel requests with injected latency must proceed in parallel, and
    // every keep-alive connection holds a worker while it is open.
    static constexpr std::size_t kWorkerThreads = 32;

    SimServer(Model model, SimSettings settings = {});
    ~SimServer();
    SimServer(const SimServer&) = delete;
    SimServer& operator=(const SimServer&) = delete;

    // Binds (port 0 = ephemeral) and serves on a background thread; returns the bound port.
    // Throws std::runtime_error when the address cannot be bound.
    int start(const std::string& host = "127.0.0.1", int port = 0);
    void stop();

    int port() const { return port_; }
    const std::string& host() const { return host_; }
    std::string url() const { return "http://" + host_ + ":" + std::to_string(port_); }
    SimState& state() { return *state_; }

  private:
    std::unique_ptr<SimState> state_;
    std::unique_ptr<WideBacklogServer> server_;
    std::thread thread_;
    std::string host_;
    int port_ = -1;
};

}  // namespace rosterd::sim
