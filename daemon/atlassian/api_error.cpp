#include "rosterd/atlassian/types.hpp"

namespace rosterd::atlassian {

const char* to_string(ApiError::Kind kind) {
    switch (kind) {
        case ApiError::Kind::transport:
            return "transport";
        case ApiError::Kind::http:
            return "http";
        case ApiError::Kind::parse:
            return "parse";
        case ApiError::Kind::auth_rejected:
            return "auth_rejected";
        case ApiError::Kind::rate_limited:
            return "rate_limited";
        case ApiError::Kind::cancelled:
            return "cancelled";
    }
    return "unknown";
}

std::string ApiError::describe() const {
    std::string text = to_string(kind);
    if (status != 0)
        text += " " + std::to_string(status);
    if (!code.empty())
        text += " " + code;
    if (!message.empty())
        text += ": " + message;
    if (attempts > 0) {
        text += " (" + std::to_string(attempts) + (attempts == 1 ? " attempt)" : " attempts)");
    }
    return text;
}

}  // namespace rosterd::atlassian
