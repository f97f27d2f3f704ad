#pragma once
// Webhook payloads. An event is first described as a Message (title, one-line summary, facts,
// what to do), then rendered per format: Slack blocks with a text fallback, a Teams Adaptive Card
// in an attachments array, Google Chat cardsV2, Discord embeds, or rosterd's versioned JSON
// envelope (docs/webhooks.md). Rendering is deterministic: same event and context, same bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "rosterd/model/events.hpp"
#include "rosterd/model/webhook_formats.hpp"

namespace rosterd::notify {

// The formats and their names are declared once, in model/webhook_formats.hpp.
using Format = WebhookFormat;
inline std::optional<Format> parse_format(std::string_view name) {
    return parse_webhook_format(name);
}

// The version of the json format's envelope; bumped only for incompatible changes.
inline constexpr int kEnvelopeVersion = 1;

enum class Severity { info, warning, critical };
std::string_view to_string(Severity severity);

// What a person needs to read, independent of the chat tool.
struct Message {
    std::string event_type;
    std::int64_t at_ms = 0;
    Severity severity = Severity::info;
    std::string title;    // short, e.g. "Atlassian API key expires in 7 days"
    std::string summary;  // one or two sentences; also the notification fallback text
    std::vector<std::pair<std::string, std::string>> facts;  // label -> value, in display order
    std::string action;                                      // what to do; empty when nothing
};

// Where and by what the message was produced.
struct RenderContext {
    std::string host;     // the daemon's host name
    std::string version;  // rosterd's version
    std::int64_t event_id = 0;
    std::string delivery_id;  // also sent as X-Rosterd-Delivery
};

// Describes an event. Facts used (all optional, strings): org_id, org_name; fingerprint, source,
// expires (YYYY-MM-DD), days_left, lead_days, error; run_id, users, groups, requests; task, ok,
// failed, skipped; webhook, requested_by. Unknown facts are shown under their own names.
Message describe_event(const Event& event, const RenderContext& context);

// The request body for `format`.
std::string render_payload(Format format, const Event& event, const RenderContext& context);

std::string render_slack(const Message& message, const RenderContext& context);
std::string render_teams(const Message& message, const RenderContext& context);
std::string render_google_chat(const Message& message, const RenderContext& context);
std::string render_discord(const Message& message, const RenderContext& context);
std::string render_envelope(const Event& event, const Message& message,
                            const RenderContext& context);

// Shortens UTF-8 text to at most `max_bytes`, cutting at a character boundary and ending with
// "..." when cut.
std::string truncate_utf8(std::string_view text, std::size_t max_bytes);

}  // namespace rosterd::notify
