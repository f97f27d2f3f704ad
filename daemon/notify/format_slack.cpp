// Slack incoming webhooks: blocks for the channel, `text` as the notification fallback.
#include "json_writer.hpp"
#include "rosterd/notify/format.hpp"

namespace rosterd::notify {
namespace {

void mrkdwn(detail::JsonOut& out, const std::string& text) {
    out.begin_object().field("type", "mrkdwn").field("text", text).end_object();
}

}  // namespace

std::string render_slack(const Message& message, const RenderContext& context) {
    // Limits: header text 150, section text 3000, 10 fields of 2000 each (larger is a 400).
    detail::JsonOut out;
    out.begin_object();
    out.field("text", truncate_utf8(detail::escape_markup(message.summary), 3000));
    out.key("blocks").begin_array();

    out.begin_object().field("type", "header").key("text");
    out.begin_object()
        .field("type", "plain_text")
        .field("text", truncate_utf8(message.title, 150))
        .end_object();
    out.end_object();

    out.begin_object().field("type", "section").key("text");
    mrkdwn(out, truncate_utf8(detail::escape_markup(message.summary), 3000));
    out.end_object();

    if (!message.facts.empty()) {
        out.begin_object().field("type", "section").key("fields").begin_array();
        std::size_t shown = 0;
        for (const auto& [label, value] : message.facts) {
            if (++shown > 10)
                break;
            mrkdwn(out, truncate_utf8("*" + detail::escape_markup(label) + "*\n" +
                                          detail::escape_markup(value),
                                      2000));
        }
        out.end_array().end_object();
    }

    if (!message.action.empty()) {
        out.begin_object().field("type", "section").key("text");
        mrkdwn(out, truncate_utf8("*What to do:* " + detail::escape_markup(message.action), 3000));
        out.end_object();
    }

    out.begin_object().field("type", "context").key("elements").begin_array();
    mrkdwn(out, detail::escape_markup(
                    detail::origin_line(message.at_ms, context.host, context.version)) +
                    " \xC2\xB7 `" + message.event_type + "`");
    out.end_array().end_object();

    out.end_array();
    out.end_object();
    return out.str();
}

}  // namespace rosterd::notify
