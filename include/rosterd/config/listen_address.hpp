#pragma once
// Where the metrics endpoint listens (metrics.listen): parsed with the configuration, so a bad
// address is a configuration error with its line, and served by daemon/metrics/.
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::metrics {

// metrics.listen: "HOST:PORT" with an IP literal ("127.0.0.1:9817", "[::1]:9817"; "localhost"
// means 127.0.0.1), or an absolute path for a UNIX socket.
struct ListenAddress {
    std::string unix_path;  // set for a UNIX socket
    std::string host;       // an IP literal otherwise
    int port = 0;
    bool is_unix() const { return !unix_path.empty(); }
    // A UNIX socket, or an address in 127.0.0.0/8 or ::1: reachable from this host only.
    bool is_local() const;
    std::string describe() const;
};

// nullopt and `error` set when the text is not an address rosterd can listen on.
std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error);

}  // namespace rosterd::metrics
