// rosterd's own JSON envelope (format `json`), versioned and documented in docs/webhooks.md.
#include <charconv>
#include <set>

#include "json_writer.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/notify/format.hpp"

namespace rosterd::notify {
namespace {

// Facts that are counts or ids are numbers in the envelope; everything else stays a string.
const std::set<std::string, std::less<>> kIntegerFacts = {
    "run_id", "users", "groups", "requests", "days_left", "lead_days", "ok", "failed", "skipped"};

std::optional<std::int64_t> as_integer(std::string_view text) {
    std::int64_t value = 0;
    auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || text.empty())
        return std::nullopt;
    return value;
}

void optional_string(detail::JsonOut& out, std::string_view name, const Event& event,
                     const std::string& fact) {
    out.key(name);
    auto found = event.facts.find(fact);
    if (found == event.facts.end() || found->second.empty())
        out.null();
    else
        out.string(found->second);
}

}  // namespace

std::string render_envelope(const Event& event, const Message& message,
                            const RenderContext& context) {
    detail::JsonOut out;
    out.begin_object();
    out.field("version", kEnvelopeVersion);
    out.field("event", event.type);
    out.field("event_id", context.event_id);
    out.field("delivery_id", context.delivery_id);
    out.field("occurred_at", format_iso8601_ms(event.at_ms));
    out.field("severity", to_string(message.severity));
    out.field("title", message.title);
    out.field("summary", message.summary);
    out.key("action");
    if (message.action.empty())
        out.null();
    else
        out.string(message.action);
    out.key("organization").begin_object();
    optional_string(out, "id", event, "org_id");
    optional_string(out, "name", event, "org_name");
    out.end_object();
    out.key("data").begin_object();
    for (const auto& [name, value] : event.facts) {  // std::map: sorted, so stable
        if (name == "org_id" || name == "org_name")
            continue;
        out.key(name);
        auto number = kIntegerFacts.count(name) ? as_integer(value) : std::nullopt;
        if (number)
            out.integer(*number);
        else
            out.string(value);
    }
    out.end_object();
    out.key("daemon")
        .begin_object()
        .field("host", context.host)
        .field("version", context.version)
        .end_object();
    out.end_object();
    return out.str();
}

}  // namespace rosterd::notify
