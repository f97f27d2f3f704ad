#pragma once
// The webhook formats rosterd renders events in, named once: the configuration accepts these
// names (`notify.webhooks[].format`), the notify module renders each.
#include <array>
#include <optional>
#include <string_view>

namespace rosterd {

enum class WebhookFormat { slack, teams, google_chat, discord, json };

struct WebhookFormatName {
    WebhookFormat format;
    std::string_view name;
};

inline constexpr std::array<WebhookFormatName, 5> kWebhookFormats = {{
    {WebhookFormat::slack, "slack"},
    {WebhookFormat::teams, "teams"},
    {WebhookFormat::google_chat, "google-chat"},
    {WebhookFormat::discord, "discord"},
    {WebhookFormat::json, "json"},
}};

inline std::optional<WebhookFormat> parse_webhook_format(std::string_view name) {
    for (const auto& entry : kWebhookFormats)
        if (entry.name == name)
            return entry.format;
    return std::nullopt;
}

inline std::string_view to_string(WebhookFormat format) {
    for (const auto& entry : kWebhookFormats)
        if (entry.format == format)
            return entry.name;
    return "json";
}

}  // namespace rosterd
