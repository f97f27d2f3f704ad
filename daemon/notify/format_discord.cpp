// Discord webhooks: one embed, no pings.
#include "json_writer.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/notify/format.hpp"

namespace rosterd::notify {
namespace {

// Embed colours are decimal integers.
std::int64_t embed_color(Severity severity) {
    switch (severity) {
        case Severity::critical:
            return 0xD70000;
        case Severity::warning:
            return 0xE8A317;
        case Severity::info:
            return 0x2EB67D;
    }
    return 0;
}

}  // namespace

std::string render_discord(const Message& message, const RenderContext& context) {
    // Limits: title 256, description 4096, 25 fields (name 256, value 1024), 6000 in total.
    detail::JsonOut out;
    out.begin_object();
    out.field("username", "rosterd");
    out.key("allowed_mentions").begin_object().key("parse").begin_array().end_array().end_object();
    out.key("embeds").begin_array().begin_object();
    out.field("title", truncate_utf8(message.title, 256));
    out.field("description", truncate_utf8(message.summary, 2048));
    out.field("color", embed_color(message.severity));
    out.key("fields").begin_array();
    std::size_t shown = 0;
    for (const auto& [label, value] : message.facts) {
        if (++shown > 24)
            break;
        out.begin_object()
            .field("name", truncate_utf8(label, 256))
            .field("value", value.empty() ? std::string("-") : truncate_utf8(value, 1024))
            .field("inline", true)
            .end_object();
    }
    if (!message.action.empty())
        out.begin_object()
            .field("name", "What to do")
            .field("value", truncate_utf8(message.action, 1024))
            .field("inline", false)
            .end_object();
    out.end_array();
    out.key("footer")
        .begin_object()
        .field("text", "rosterd " + context.version + " on " + context.host)
        .end_object();
    out.field("timestamp", format_iso8601_ms(message.at_ms));
    out.end_object().end_array();
    out.end_object();
    return out.str();
}

}  // namespace rosterd::notify
