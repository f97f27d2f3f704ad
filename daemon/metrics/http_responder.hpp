#pragma once
// A minimal HTTP/1.1 responder on the daemon's loop, for GET /metrics: one request per
// connection (answered with Connection: close), a bounded request head and a deadline to send
// it, a bounded number of connections. Not a web server: no bodies, no keep-alive, no chunking.
// (cpp-httplib is for the simulator and test servers only: it wants threads of its own.)
#include <asio/generic/stream_protocol.hpp>
#include <asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "rosterd/metrics/metrics.hpp"

namespace rosterd::metrics {

struct HttpAnswer {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
    std::string allow;  // for 405
};

struct HttpLimits {
    std::size_t max_head_bytes = 8192;                 // else 431
    std::chrono::milliseconds head_timeout{10'000};    // else 408
    std::chrono::milliseconds answer_timeout{30'000};  // the whole exchange, then closed
    std::size_t max_connections = 64;                  // more are closed at once
};

class HttpResponder {
  public:
    // Called on the loop with the method and the target; answers once through `answer` (possibly
    // later: the answer may wait for a database read).
    using Handler = std::function<void(const std::string& method, const std::string& target,
                                       std::function<void(HttpAnswer)> answer)>;

    HttpResponder(asio::io_context& loop, Handler handler, HttpLimits limits = {});
    ~HttpResponder();

    // Binds and listens; throws std::runtime_error naming the address when it cannot.
    void start(const ListenAddress& address);
    // Closes the listener and every connection (and removes a UNIX socket file it created).
    void stop();
    std::size_t connections() const;

    struct Core;  // shared with the connections, which may outlive a call into it

  private:
    std::shared_ptr<Core> core_;
};

}  // namespace rosterd::metrics
