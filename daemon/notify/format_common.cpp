// Format names, dispatch and the text helpers shared by the renderers.
#include "json_writer.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/notify/format.hpp"

namespace rosterd::notify {

std::string_view to_string(Severity severity) {
    switch (severity) {
        case Severity::info:
            return "info";
        case Severity::warning:
            return "warning";
        case Severity::critical:
            return "critical";
    }
    return "info";
}

std::string render_payload(Format format, const Event& event, const RenderContext& context) {
    Message message = describe_event(event, context);
    switch (format) {
        case Format::slack:
            return render_slack(message, context);
        case Format::teams:
            return render_teams(message, context);
        case Format::google_chat:
            return render_google_chat(message, context);
        case Format::discord:
            return render_discord(message, context);
        case Format::json:
            return render_envelope(event, message, context);
    }
    return render_envelope(event, message, context);
}

std::string truncate_utf8(std::string_view text, std::size_t max_bytes) {
    if (text.size() <= max_bytes)
        return std::string(text);
    constexpr std::string_view kEllipsis = "...";
    if (max_bytes <= kEllipsis.size())
        return std::string(kEllipsis.substr(0, max_bytes));
    std::size_t cut = max_bytes - kEllipsis.size();
    // Back up over continuation bytes (10xxxxxx) so a character is never split.
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;
    return std::string(text.substr(0, cut)) + std::string(kEllipsis);
}

namespace detail {

std::string human_time(std::int64_t epoch_ms) {
    std::string iso = format_iso8601_s(epoch_ms);  // YYYY-MM-DDTHH:MM:SSZ
    return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

std::string origin_line(std::int64_t at_ms, const std::string& host, const std::string& version) {
    return "rosterd " + version + " on " + host + " \xC2\xB7 " + human_time(at_ms);
}

std::string escape_markup(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            default:
                out.push_back(c);
        }
    }
    return out;
}

}  // namespace detail

}  // namespace rosterd::notify
