// metrics.listen: parsing and the loopback rule. Only IP literals are accepted: resolving a name
// would block (and could resolve differently tomorrow), and the loopback check must be exact.
#include <asio/ip/address.hpp>

#include <charconv>

#include "rosterd/config/listen_address.hpp"

namespace rosterd::metrics {
namespace {

// sockaddr_un.sun_path holds 108 bytes with the terminating NUL.
constexpr std::size_t kMaxUnixPath = 107;

}  // namespace

bool ListenAddress::is_local() const {
    if (is_unix())
        return true;
    std::error_code ec;
    auto address = asio::ip::make_address(host, ec);
    return !ec && address.is_loopback();
}

std::string ListenAddress::describe() const {
    if (is_unix())
        return unix_path;
    bool v6 = host.find(':') != std::string::npos;
    return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

std::optional<ListenAddress> parse_listen_address(std::string_view text, std::string* error) {
    auto fail = [&](std::string why) -> std::optional<ListenAddress> {
        if (error)
            *error = std::move(why);
        return std::nullopt;
    };
    ListenAddress out;
    if (!text.empty() && text.front() == '/') {
        if (text.size() > kMaxUnixPath)
            return fail("a UNIX socket path of at most 107 bytes");
        out.unix_path = std::string(text);
        return out;
    }
    const char* expected =
        "expected HOST:PORT with an IP address (127.0.0.1:9817, [::1]:9817) or an absolute "
        "UNIX socket path";
    std::string_view host, port;
    if (!text.empty() && text.front() == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':')
            return fail(expected);
        host = text.substr(1, close - 1);
        port = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos || text.find(':') != colon)
            return fail(expected);
        host = text.substr(0, colon);
        port = text.substr(colon + 1);
    }
    int number = 0;
    auto [end, ec] = std::from_chars(port.data(), port.data() + port.size(), number);
    if (port.empty() || ec != std::errc() || end != port.data() + port.size() || number < 1 ||
        number > 65535)
        return fail("the port must be a number from 1 to 65535");
    if (host == "localhost")
        host = "127.0.0.1";
    std::error_code bad;
    auto address = asio::ip::make_address(std::string(host), bad);
    if (bad)
        return fail(expected);
    out.host = address.to_string();
    out.port = number;
    return out;
}

}  // namespace rosterd::metrics
