#pragma once
// rosterctl's side of the control socket: a blocking client that sends one request at a time and
// reads progress lines and the final answer (protocol: include/rosterd/control_protocol.hpp).
#include <rapidjson/document.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace rosterd::cli {

// The daemon cannot be reached: rosterctl exits 3 with what(), e.g.
// "cannot reach rosterd at /run/rosterd/control.sock: no such socket (is it running? try:
// systemctl status rosterd)".
class ControlUnreachable : public std::runtime_error {
  public:
    enum class Reason { missing, refused, permission_denied, other };
    ControlUnreachable(std::string path, Reason reason, const std::string& detail);
    const std::string& path() const { return path_; }
    Reason reason() const { return reason_; }

  private:
    std::string path_;
    Reason reason_;
};

// The connection broke, timed out, or the daemon answered something outside the protocol.
class ControlProtocolError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Response {
    bool ok = false;
    rapidjson::Document result;  // when ok: the result (null if the command returns none)
    std::string error_code;      // when not ok: one of the protocol's error codes
    std::string error_message;
};

using ProgressHandler = std::function<void(const rapidjson::Value& progress)>;

class ControlClient {
  public:
    // Connects; throws ControlUnreachable.
    explicit ControlClient(std::string socket_path);
    ~ControlClient();
    ControlClient(const ControlClient&) = delete;
    ControlClient& operator=(const ControlClient&) = delete;

    // Longest wait for the next line from the daemon; zero (the default) waits for ever, as a sync
    // may run for minutes (its progress lines show it is alive).
    void set_timeout(std::chrono::milliseconds timeout) { timeout_ = timeout; }

    // Sends one request and waits for its answer, passing progress lines to `on_progress`.
    // A daemon-side error is a Response with ok == false; a broken connection throws
    // ControlProtocolError.
    Response call(std::string_view command, const rapidjson::Value* args = nullptr,
                  const ProgressHandler& on_progress = {});
    Response call(std::string_view command, const rapidjson::Value& args,
                  const ProgressHandler& on_progress = {}) {
        return call(command, &args, on_progress);
    }

    const std::string& socket_path() const { return path_; }

  private:
    void send_all(std::string_view bytes);
    // The message of an error line the daemon sent before closing, if one arrived.
    std::optional<std::string> refusal_received();
    std::string read_line();

    std::string path_;
    int fd_ = -1;
    std::string buffer_;  // bytes received after the last complete line
    std::int64_t next_id_ = 1;
    std::chrono::milliseconds timeout_{0};
};

}  // namespace rosterd::cli
