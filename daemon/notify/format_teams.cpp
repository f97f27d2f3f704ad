// Microsoft Teams: an Adaptive Card in an attachments array, which both legacy connectors and
// Workflows ("When a Teams webhook request is received") accept.
#include "json_writer.hpp"
#include "rosterd/notify/format.hpp"

namespace rosterd::notify {
namespace {

const char* card_color(Severity severity) {
    switch (severity) {
        case Severity::critical:
            return "Attention";
        case Severity::warning:
            return "Warning";
        case Severity::info:
            return "Good";
    }
    return "Default";
}

}  // namespace

std::string render_teams(const Message& message, const RenderContext& context) {
    detail::JsonOut out;
    out.begin_object();
    out.field("type", "message");
    out.key("attachments").begin_array().begin_object();
    out.field("contentType", "application/vnd.microsoft.card.adaptive");
    out.key("contentUrl").null();
    out.key("content").begin_object();
    out.field("$schema", "http://adaptivecards.io/schemas/adaptive-card.json");
    out.field("type", "AdaptiveCard");
    out.field("version", "1.2");
    out.key("body").begin_array();

    out.begin_object()
        .field("type", "TextBlock")
        .field("text", message.title)
        .field("size", "Large")
        .field("weight", "Bolder")
        .field("color", card_color(message.severity))
        .field("wrap", true)
        .end_object();
    out.begin_object()
        .field("type", "TextBlock")
        .field("text", message.summary)
        .field("wrap", true)
        .end_object();
    if (!message.facts.empty()) {
        out.begin_object().field("type", "FactSet").key("facts").begin_array();
        for (const auto& [label, value] : message.facts)
            out.begin_object().field("title", label).field("value", value).end_object();
        out.end_array().end_object();
    }
    if (!message.action.empty())
        out.begin_object()
            .field("type", "TextBlock")
            .field("text", "**What to do:** " + message.action)
            .field("wrap", true)
            .end_object();
    out.begin_object()
        .field("type", "TextBlock")
        .field("text", detail::origin_line(message.at_ms, context.host, context.version))
        .field("isSubtle", true)
        .field("size", "Small")
        .field("wrap", true)
        .end_object();

    out.end_array();  // body
    out.key("msteams").begin_object().field("width", "Full").end_object();
    out.end_object();              // content
    out.end_object().end_array();  // attachment, attachments
    out.end_object();
    return out.str();
}

}  // namespace rosterd::notify
