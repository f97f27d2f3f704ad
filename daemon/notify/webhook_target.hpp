#pragma once
// A configured webhook as the outbox sends to it: format and URL (read from url_file at each
// attempt, so a rotated URL takes effect without a reload). The URL is a secret: it is only ever
// handed to the HTTP client.
#include <optional>
#include <string>

#include "rosterd/config/config.hpp"
#include "rosterd/notify/format.hpp"

namespace rosterd::notify {

struct WebhookTarget {
    const WebhookConfig* config = nullptr;
    Format format = Format::json;
    std::string url;    // secret
    std::string error;  // why the target cannot be used now (never contains the URL)
};

// Finds `name` in the configuration and resolves its URL; `error` is set when it cannot.
WebhookTarget resolve_webhook(const Config& config, const std::string& name);

}  // namespace rosterd::notify
