// What a receiver's answer means, per chat tool (reference: chat-webhooks.md).
#include <rapidjson/document.h>

#include <cctype>
#include <cmath>

#include "rosterd/base/text.hpp"
#include "rosterd/base/time_format.hpp"
#include "rosterd/notify/delivery.hpp"

namespace rosterd::notify {
namespace {

// A short, single-line excerpt of a receiver's body for the error column.
std::string excerpt(std::string_view body, std::string_view url) {
    std::string text = trimmed(body);
    for (char& c : text)
        if (c == '\n' || c == '\r' || c == '\t')
            c = ' ';
    return truncate_utf8(redact_url(std::move(text), url), 200);
}

bool slack_ok(std::string_view body) {
    std::string text = trimmed(body);
    if (text == "ok")
        return true;
    // Slack workflow webhooks answer {"ok": true}.
    rapidjson::Document doc;
    doc.Parse(text.c_str());
    return !doc.HasParseError() && doc.IsObject() && doc.HasMember("ok") && doc["ok"].IsBool() &&
           doc["ok"].GetBool();
}

// Legacy Teams connectors report failures inside a 200: "Webhook message delivery failed with
// error: Microsoft Teams endpoint returned HTTP error 429 ...".
bool teams_failure_text(std::string_view body) {
    return body.find("delivery failed") != std::string_view::npos ||
           body.find("returned HTTP error") != std::string_view::npos;
}

// Discord's 429 body: {"retry_after": <seconds, float>, ...}.
std::optional<std::chrono::milliseconds> discord_retry_after(std::string_view body) {
    rapidjson::Document doc;
    doc.Parse(body.data(), body.size());
    if (doc.HasParseError() || !doc.IsObject() || !doc.HasMember("retry_after") ||
        !doc["retry_after"].IsNumber())
        return std::nullopt;
    double seconds = doc["retry_after"].GetDouble();
    if (!(seconds >= 0) || seconds > 86400)
        return std::nullopt;
    return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(seconds * 1000)));
}

bool retryable_status(long status) {
    return status == 408 || status == 425 || status == 429 || status >= 500;
}

}  // namespace

std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, SysTime now) {
    std::string text = trimmed(value);
    if (text.empty())
        return std::nullopt;
    bool digits = true;
    for (char c : text)
        digits = digits && std::isdigit(static_cast<unsigned char>(c));
    if (digits) {
        if (text.size() > 6)  // more than 11 days: not a wait anyone means
            return std::nullopt;
        return std::chrono::seconds(std::stoll(text));
    }
    auto when = parse_http_date_ms(text);
    if (!when)
        return std::nullopt;
    std::int64_t wait = *when - now.time_since_epoch().count();
    return std::chrono::milliseconds(std::max<std::int64_t>(wait, 0));
}

AttemptVerdict judge_response(Format format, const http::Response& response, SysTime now,
                              std::string_view url) {
    AttemptVerdict verdict;
    verdict.status = response.status;
    if (!response.transport_ok()) {
        verdict.retryable = true;
        verdict.error = std::string(http::to_string(response.transport));
        if (!response.transport_message.empty())
            verdict.error += ": " + excerpt(response.transport_message, url);
        return verdict;
    }
    long status = response.status;
    bool success = status >= 200 && status < 300;
    if (success) {
        if (format == Format::slack && !slack_ok(response.body)) {
            verdict.error = "HTTP " + std::to_string(status) +
                            " without Slack's \"ok\": " + excerpt(response.body, url);
            return verdict;  // the payload was not accepted; sending it again will not help
        }
        if (format == Format::teams && teams_failure_text(response.body)) {
            verdict.retryable = true;
            verdict.error = "Teams reported a failed delivery: " + excerpt(response.body, url);
            return verdict;
        }
        verdict.delivered = true;
        return verdict;
    }
    verdict.retryable = retryable_status(status);
    if (auto header = response.header("Retry-After"))
        verdict.retry_after = parse_retry_after(*header, now);
    if (!verdict.retry_after && status == 429 && format == Format::discord)
        verdict.retry_after = discord_retry_after(response.body);
    verdict.error = "HTTP " + std::to_string(status);
    std::string body = excerpt(response.body, url);
    if (!body.empty())
        verdict.error += ": " + body;
    return verdict;
}

}  // namespace rosterd::notify
