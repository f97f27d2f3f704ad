#pragma once
// Retry and rate-limit policy as pure functions, so the arithmetic is tested without a server.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>

#include "rosterd/clock.hpp"
#include "rosterd/http.hpp"

namespace rosterd::atlassian {

struct RetryPolicy {
    int max_attempts = 6;  // including the first request
    std::chrono::milliseconds base_delay{500};
    std::chrono::milliseconds max_delay{60000};  // cap for exponential backoff
    // Cap for waits the server asks for (Retry-After, X-RateLimit-Reset), so a bogus date far in
    // the future cannot park a sync forever.
    std::chrono::milliseconds max_server_wait{15 * 60 * 1000};
};

// Full-jitter exponential backoff before retry number `retry` (1 = the first retry):
// uniform in [0, min(max_delay, base_delay * 2^(retry-1))].
std::chrono::milliseconds backoff_delay(const RetryPolicy& policy, int retry, std::mt19937_64& rng);

// The wait a 429 asks for: Retry-After (delta seconds or an HTTP date), else X-RateLimit-Reset
// (ISO-8601 instant; plain digits are taken as epoch seconds). Clamped to [0, max_server_wait].
// nullopt when neither header is usable, meaning "fall back to backoff".
std::optional<std::chrono::milliseconds> server_retry_wait(const http::Response& response,
                                                           SysTime now, const RetryPolicy& policy);

struct RateLimitSnapshot {
    std::optional<std::int64_t> limit;      // X-RateLimit-Limit
    std::optional<std::int64_t> remaining;  // X-RateLimit-Remaining
    std::optional<SysTime> reset;           // X-RateLimit-Reset
};
RateLimitSnapshot read_rate_limit(const http::Response& response);

// When fewer than low_fraction * limit requests remain before the reset, the gap to keep between
// requests so the remainder lasts until the reset (the full wait when none remain). nullopt when
// the budget is healthy or the headers are incomplete.
std::optional<std::chrono::milliseconds> pacing_interval(const RateLimitSnapshot& snapshot,
                                                         double low_fraction, SysTime now);

// A token bucket that hands out reservations: reserve() returns how long to wait before the
// request may go (0 when a token is available now). Time is passed in, so it is testable.
class TokenBucket {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    TokenBucket(double per_minute, double burst, TimePoint now);
    std::chrono::milliseconds reserve(TimePoint now);

  private:
    double per_ms_;
    double burst_;
    double tokens_;
    TimePoint last_;
};

}  // namespace rosterd::atlassian
