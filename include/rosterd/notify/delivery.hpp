#pragma once
// One delivery attempt's rules, as pure functions: the json format's signature, whether a
// receiver's answer means delivered (each chat tool says so differently), how long to wait
// before the next attempt, and keeping the webhook URL out of error text.
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "rosterd/base/clock.hpp"
#include "rosterd/http/http.hpp"
#include "rosterd/notify/format.hpp"

namespace rosterd::notify {

// Lower-case hex HMAC-SHA256 of `message` under `key`.
std::string hmac_sha256_hex(std::string_view key, std::string_view message);

// The X-Rosterd-Signature value: "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>">".
std::string signature_header(std::string_view secret, std::int64_t unix_seconds,
                             std::string_view body);

// A random RFC 4122 version-4 UUID (the X-Rosterd-Delivery id, stable across a delivery's retries).
std::string random_uuid();

// What one attempt's answer means.
struct AttemptVerdict {
    bool delivered = false;
    bool retryable = false;  // when not delivered: worth another attempt
    // The receiver asked for this wait (Retry-After, Discord's retry_after), when it did.
    std::optional<std::chrono::milliseconds> retry_after;
    std::string error;  // when not delivered; never contains the URL
    long status = 0;    // HTTP status, 0 when none arrived
};

// Success per receiver: Slack 2xx with body "ok" (or JSON {"ok":true}); Teams any 2xx (legacy
// 200 "1", Workflows 202) unless the body reports a failed delivery, which Teams returns with 200;
// Google Chat, Discord (204, or 200 with ?wait=true) and json any 2xx. 408, 425, 429 and 5xx and
// transport failures are retryable; other 4xx are not (the payload or the URL is wrong).
// `url` is removed from any error text.
AttemptVerdict judge_response(Format format, const http::Response& response, SysTime now,
                              std::string_view url);

// A Retry-After header: delta seconds or an HTTP date; nullopt when absent or unusable.
std::optional<std::chrono::milliseconds> parse_retry_after(std::string_view value, SysTime now);

struct RetryPolicy {
    int max_attempts = 12;
    std::chrono::milliseconds max_age{48LL * 3600 * 1000};  // from the first enqueue (or requeue)
    std::chrono::milliseconds backoff_initial{10000};
    std::chrono::milliseconds backoff_max{30 * 60 * 1000};
};

// The wait after `attempts` failed attempts (1 = after the first): backoff_initial doubled per
// further attempt, capped at backoff_max, scaled by `jitter` in [0.5, 1] so receivers coming back
// are not hit by every sender at once; a longer wait the receiver asked for wins (up to 24 h).
std::chrono::milliseconds retry_delay(const RetryPolicy& policy, int attempts,
                                      std::optional<std::chrono::milliseconds> retry_after,
                                      double jitter);

// Whether a delivery that failed its `attempts`-th attempt at `now` is dead: no attempts left,
// a permanent failure, or the next attempt would fall after `window_start + max_age`.
bool gives_up(const RetryPolicy& policy, int attempts, bool retryable, SysTime window_start,
              SysTime next_attempt);

// Removes every occurrence of `url` (and of its path and query, which carry the token) from
// `text`, replacing them with "<webhook url>", and then every secret part of it on its own
// (webhook_url_secrets) with "<redacted>": receivers echo bare tokens in their error bodies.
std::string redact_url(std::string text, std::string_view url);

// The parts of a webhook URL that are credentials, longest first, each also percent-decoded:
// path segments that look like ids or tokens (Slack's T…/B…/token, Discord's id/token), the
// values of credential query parameters (key, token, sig, …) and of any token-like parameter,
// and user info.
std::vector<std::string> webhook_url_secrets(std::string_view url);

}  // namespace rosterd::notify
