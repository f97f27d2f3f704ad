// Backoff, the give-up rule and URL redaction for the outbox.
#include <algorithm>

#include "rosterd/notify/delivery.hpp"

namespace rosterd::notify {
namespace {

constexpr std::chrono::milliseconds kLongestServerWait{24LL * 3600 * 1000};

void replace_all(std::string& text, std::string_view needle, std::string_view with) {
    if (needle.empty())
        return;
    std::size_t at = 0;
    while ((at = text.find(needle, at)) != std::string::npos) {
        text.replace(at, needle.size(), with);
        at += with.size();
    }
}

}  // namespace

std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempts,
                                      std::optional<std::chrono::milliseconds> retry_after,
                                      double jitter) {
    jitter = std::clamp(jitter, 0.5, 1.0);
    std::chrono::milliseconds delay = policy.backoff_initial;
    for (int i = 1; i < attempts && delay < policy.backoff_max; ++i)
        delay *= 2;
    delay = std::min(delay, policy.backoff_max);
    delay = std::chrono::milliseconds(static_cast<std::int64_t>(delay.count() * jitter));
    if (retry_after)
        delay = std::max(delay, std::min(*retry_after, kLongestServerWait));
    return delay;
}

bool gives_up(const RetryPolicy& policy, int attempts, bool retryable, SysTime window_start,
              SysTime next_attempt) {
    if (!retryable || attempts >= policy.max_attempts)
        return true;
    return next_attempt > window_start + policy.max_age;
}

std::string redact_url(std::string text, std::string_view url) {
    constexpr std::string_view kMark = "<webhook url>";
    constexpr std::string_view kSecret = "<redacted>";
    replace_all(text, url, kMark);
    // The token may also appear without the scheme and host (curl messages, echoed paths).
    auto scheme = url.find("://");
    if (scheme != std::string_view::npos) {
        auto path = url.find('/', scheme + 3);
        if (path != std::string_view::npos && url.size() - path > 1)
            replace_all(text, url.substr(path), kMark);
        auto query = url.find('?');
        if (query != std::string_view::npos && url.size() - query > 1)
            replace_all(text, url.substr(query), kMark);
    }
    // And on its own: a receiver may quote just the token ("invalid token XXXX"). Longest first,
    // so a part that contains another is replaced whole.
    for (const auto& secret : webhook_url_secrets(url))
        replace_all(text, secret, kSecret);
    return text;
}

}  // namespace rosterd::notify
