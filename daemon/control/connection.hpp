#pragma once
// One client of the control socket: reads lines (capped, never an unbounded buffer), runs one
// request at a time so answers come in order, and queues output so a slow reader blocks nobody.
#include <asio/local/stream_protocol.hpp>
#include <asio/steady_timer.hpp>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <memory>
#include <string>

#include "rosterd/control/access.hpp"
#include "rosterd/control/protocol.hpp"
#include "rosterd/control/registry.hpp"
#include "server_core.hpp"

namespace rosterd::control::detail {

class Connection : public std::enable_shared_from_this<Connection> {
  public:
    using Socket = asio::local::stream_protocol::socket;

    Connection(Socket socket, std::shared_ptr<ControlServer::Core> core, Caller caller);

    void start();
    // Idempotent; answers still in flight are dropped when they arrive.
    void close();
    // Safe from any thread: reply sinks check it before posting to the loop.
    bool closed() const { return closed_.load(); }
    std::uint32_t uid() const { return caller_.uid; }

  private:
    // Something was read or written, or a request finished: the idle clock starts again.
    void touch() { last_activity_ = std::chrono::steady_clock::now(); }
    void arm_idle_timer();
    void on_idle_timer();
    void process();
    void handle(LineFramer::Event event);
    Reply::Sink make_sink();
    void deliver(std::string line, bool final);
    void read_more();
    void on_read(const std::error_code& error, std::size_t bytes);
    void enqueue(std::string line);
    void write_next();
    void on_written(const std::error_code& error);

    Socket socket_;
    asio::steady_timer idle_timer_;
    std::chrono::steady_clock::time_point last_activity_;
    std::shared_ptr<ControlServer::Core> core_;
    const Caller caller_;
    LineFramer framer_;
    std::array<char, 16 * 1024> read_buffer_;
    std::deque<std::string> output_;
    std::size_t output_bytes_ = 0;
    bool reading_ = false;
    bool writing_ = false;
    bool busy_ = false;     // a request is running; the next waits for its final line
    bool eof_ = false;      // the client has finished sending
    bool closing_ = false;  // close once the output is written
    std::atomic<bool> closed_{false};
};

}  // namespace rosterd::control::detail
