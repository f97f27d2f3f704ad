#pragma once
// Retry and rate-limit policy as pure functions, so the arithmetic is tested without a server.
#include <chrono>
#include <cstdint>
#include <optional>
#include <random>
#include <string>

#include "rosterd/base/clock.hpp"
#include "rosterd/http/http.hpp"

namespace rosterd::atlassian {

// Transient failures (429, 5xx, transport errors, unusable bodies) are retried against time
// budgets rather than a count: a storm of 429s and 5xx slows a sync down, a dead server fails
// it once a request has retried for request_budget.
struct RetryPolicy {
    int max_attempts = 0;  // including the first request; 0 = no count, only the budgets
    std::chrono::milliseconds base_delay{500};
    std::chrono::milliseconds max_delay{30000};  // cap for exponential backoff
    // Cap for waits the server asks for (Retry-After, X-RateLimit-Reset), so a bogus date far in
    // the future cannot park a sync forever.
    std::chrono::milliseconds max_server_wait{15 * 60 * 1000};
    // One request retries until this long after its first attempt (a wait that would end later
    // gives up at once).
    std::chrono::milliseconds request_budget{10 * 60 * 1000};
    // All requests of one client (one sync, one run) together: the time during which at least one
    // request was waiting to be retried. Spent, the next failure is final.
    std::chrono::milliseconds total_budget{30 * 60 * 1000};
};

enum class RetryVerdict {
    retry,
    attempts_spent,        // max_attempts reached
    request_budget_spent,  // the wait would end past the request's budget
    total_budget_spent,    // the client spent its total budget waiting
};

// Whether a request may be retried after `wait`, `elapsed` after its first attempt, having made
// `attempts` attempts, its client having spent `spent` waiting for retries. Pure.
RetryVerdict retry_verdict(const RetryPolicy& policy, int attempts,
                           std::chrono::milliseconds elapsed, std::chrono::milliseconds wait,
                           std::chrono::milliseconds spent);

// Why a request gave up, for its error message: "the request's retry budget (600 s) is spent".
std::string describe(RetryVerdict verdict, const RetryPolicy& policy);

// The time during which at least one request waits for its retry: overlapping waits count once,
// so a storm that parks every request at the same time costs what one wait costs.
class RetryWaitClock {
  public:
    using TimePoint = std::chrono::steady_clock::time_point;
    void begin(TimePoint now);
    void end(TimePoint now);
    std::chrono::milliseconds spent(TimePoint now) const;

  private:
    int waiting_ = 0;
    TimePoint since_{};
    std::chrono::milliseconds spent_{0};
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
