// Google Chat incoming webhooks: `text` for the notification, a cardsV2 card with the details.
#include "json_writer.hpp"
#include "rosterd/notify/format.hpp"

namespace rosterd::notify {
namespace {

void paragraph(detail::JsonOut& out, const std::string& html) {
    out.begin_object().key("textParagraph").begin_object().field("text", html).end_object();
    out.end_object();
}

}  // namespace

std::string render_google_chat(const Message& message, const RenderContext& context) {
    detail::JsonOut out;
    out.begin_object();
    out.field("text", message.summary);
    out.key("cardsV2").begin_array().begin_object();
    out.field("cardId", "rosterd-" + message.event_type);
    out.key("card").begin_object();
    out.key("header")
        .begin_object()
        .field("title", message.title)
        .field("subtitle", "rosterd on " + context.host)
        .end_object();
    out.key("sections").begin_array();

    if (!message.facts.empty()) {
        out.begin_object().field("header", "Details").key("widgets").begin_array();
        for (const auto& [label, value] : message.facts) {
            out.begin_object().key("decoratedText").begin_object();
            // Chat refuses messages over 32,000 bytes; long values (errors) are cut well below.
            out.field("topLabel", label)
                .field("text", detail::escape_markup(truncate_utf8(value, 2000)));
            out.end_object().end_object();
        }
        out.end_array().end_object();
    }
    out.begin_object().key("widgets").begin_array();
    if (!message.action.empty())
        paragraph(out, "<b>What to do:</b> " + detail::escape_markup(message.action));
    paragraph(out, "<font color=\"#80868b\">" +
                       detail::escape_markup(
                           detail::origin_line(message.at_ms, context.host, context.version)) +
                       "</font>");
    out.end_array().end_object();

    out.end_array();   // sections
    out.end_object();  // card
    out.end_object().end_array();
    out.end_object();
    return out.str();
}

}  // namespace rosterd::notify
