#include <algorithm>
#include <cctype>

#include "rosterd/base/text.hpp"
#include "rosterd/http/http.hpp"

namespace rosterd::http {

std::string_view to_string(TransportError error) {
    switch (error) {
        case TransportError::none:
            return "none";
        case TransportError::timeout:
            return "timeout";
        case TransportError::connect:
            return "connect";
        case TransportError::reset:
            return "reset";
        case TransportError::tls:
            return "tls";
        case TransportError::cancelled:
            return "cancelled";
        case TransportError::other:
            return "other";
    }
    return "other";
}

std::optional<std::string_view> Response::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name))
            return std::string_view(value);
    }
    return std::nullopt;
}

}  // namespace rosterd::http
