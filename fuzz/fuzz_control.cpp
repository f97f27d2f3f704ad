// libFuzzer target: the control protocol's request-line parser and the error/ok line writers it
// feeds. Any line must parse to a request or a RequestError, never crash.
#include <cstddef>
#include <cstdint>
#include <string>
#include <variant>

#include "rosterd/control_protocol.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view line(reinterpret_cast<const char*>(data), size);
    auto parsed = rosterd::control::parse_request_line(line);
    if (auto* error = std::get_if<rosterd::control::RequestError>(&parsed)) {
        (void)rosterd::control::error_line(error->id_json, error->code, error->message);
    } else {
        auto& request = std::get<rosterd::control::ParsedRequest>(parsed);
        (void)rosterd::control::error_line(request.id_json, "x", request.command);
    }
    return 0;
}
