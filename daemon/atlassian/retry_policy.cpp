#include <algorithm>
#include <charconv>
#include <cmath>
#include <string>

#include "rosterd/atlassian/policy.hpp"
#include "rosterd/base/time_format.hpp"

namespace rosterd::atlassian {

using std::chrono::milliseconds;

namespace {

std::optional<std::int64_t> parse_digits(std::string_view text) {
    while (!text.empty() && text.front() == ' ')
        text.remove_prefix(1);
    while (!text.empty() && text.back() == ' ')
        text.remove_suffix(1);
    if (text.empty())
        return std::nullopt;
    std::int64_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value < 0)
        return std::nullopt;
    return value;
}

// An instant given as ISO-8601, or as epoch seconds in plain digits.
std::optional<SysTime> parse_instant(std::string_view text) {
    if (auto seconds = parse_digits(text))
        return SysTime(milliseconds(*seconds * 1000));
    if (auto ms = parse_iso8601_ms(text))
        return SysTime(milliseconds(*ms));
    return std::nullopt;
}

// When a rate-limit window ends at the latest. X-RateLimit-Reset often names a whole second
// (epoch seconds, or ISO-8601 without a fraction) that was rounded down: the window closes up to
// a second later. Taking the instant as written made a 429 in that last second retry at once,
// six times in a millisecond, and fail; so a whole-second reset means the end of that second.
std::optional<SysTime> window_end(std::string_view text) {
    auto when = parse_instant(text);
    if (!when)
        return std::nullopt;
    if (text.find('.') == std::string_view::npos)
        *when += std::chrono::seconds(1);
    return when;
}

milliseconds clamp_wait(milliseconds wait, const RetryPolicy& policy) {
    return std::clamp(wait, milliseconds(0), policy.max_server_wait);
}

}  // namespace

milliseconds backoff_delay(const RetryPolicy& policy, int retry, std::mt19937_64& rng) {
    const double base = static_cast<double>(policy.base_delay.count());
    const double cap = static_cast<double>(policy.max_delay.count());
    const int exponent = std::clamp(retry - 1, 0, 30);
    const double ceiling = std::min(cap, base * std::pow(2.0, exponent));
    if (ceiling <= 0)
        return milliseconds(0);
    std::uniform_real_distribution<double> jitter(0.0, ceiling);
    return milliseconds(static_cast<std::int64_t>(jitter(rng)));
}

std::optional<milliseconds> server_retry_wait(const http::Response& response, SysTime now,
                                              const RetryPolicy& policy) {
    if (auto retry_after = response.header("Retry-After")) {
        if (auto seconds = parse_digits(*retry_after)) {
            return clamp_wait(milliseconds(*seconds * 1000), policy);
        }
        if (auto when = parse_http_date_ms(*retry_after)) {
            return clamp_wait(milliseconds(*when) - now.time_since_epoch(), policy);
        }
    }
    if (auto reset = response.header("X-RateLimit-Reset")) {
        if (auto when = window_end(*reset))
            return clamp_wait(*when - now, policy);
    }
    return std::nullopt;
}

RetryVerdict retry_verdict(const RetryPolicy& policy, int attempts, milliseconds elapsed,
                           milliseconds wait, milliseconds spent) {
    if (policy.max_attempts > 0 && attempts >= policy.max_attempts)
        return RetryVerdict::attempts_spent;
    if (spent >= policy.total_budget)
        return RetryVerdict::total_budget_spent;
    if (elapsed + wait > policy.request_budget)
        return RetryVerdict::request_budget_spent;
    return RetryVerdict::retry;
}

std::string describe(RetryVerdict verdict, const RetryPolicy& policy) {
    auto seconds = [](milliseconds d) { return std::to_string((d.count() + 999) / 1000) + " s"; };
    switch (verdict) {
        case RetryVerdict::retry:
            return "retrying";
        case RetryVerdict::attempts_spent:
            return "no attempts left (" + std::to_string(policy.max_attempts) + ")";
        case RetryVerdict::request_budget_spent:
            return "the request's retry budget (" + seconds(policy.request_budget) +
                   ", atlassian.retry.request_budget_s) is spent";
        case RetryVerdict::total_budget_spent:
            return "the retry budget of the whole sync or run (" + seconds(policy.total_budget) +
                   ", atlassian.retry.sync_budget_s) is spent";
    }
    return "";
}

void RetryWaitClock::begin(TimePoint now) {
    if (waiting_++ == 0)
        since_ = now;
}

void RetryWaitClock::end(TimePoint now) {
    if (waiting_ == 0)
        return;
    if (--waiting_ == 0)
        spent_ += std::chrono::duration_cast<milliseconds>(now - since_);
}

milliseconds RetryWaitClock::spent(TimePoint now) const {
    if (waiting_ == 0)
        return spent_;
    return spent_ + std::chrono::duration_cast<milliseconds>(now - since_);
}

RateLimitSnapshot read_rate_limit(const http::Response& response) {
    RateLimitSnapshot snapshot;
    if (auto limit = response.header("X-RateLimit-Limit"))
        snapshot.limit = parse_digits(*limit);
    if (auto remaining = response.header("X-RateLimit-Remaining")) {
        snapshot.remaining = parse_digits(*remaining);
    }
    if (auto reset = response.header("X-RateLimit-Reset"))
        snapshot.reset = window_end(*reset);
    return snapshot;
}

std::optional<milliseconds> pacing_interval(const RateLimitSnapshot& snapshot, double low_fraction,
                                            SysTime now) {
    if (!snapshot.limit || !snapshot.remaining || !snapshot.reset || *snapshot.limit <= 0) {
        return std::nullopt;
    }
    const double threshold = low_fraction * static_cast<double>(*snapshot.limit);
    if (static_cast<double>(*snapshot.remaining) >= threshold)
        return std::nullopt;
    const milliseconds until_reset = std::max(milliseconds(0), *snapshot.reset - now);
    if (until_reset.count() == 0)
        return std::nullopt;
    if (*snapshot.remaining <= 0)
        return until_reset;
    return until_reset / *snapshot.remaining;
}

TokenBucket::TokenBucket(double per_minute, double burst, TimePoint now)
    : per_ms_(per_minute / 60000.0), burst_(std::max(1.0, burst)), tokens_(burst_), last_(now) {}

milliseconds TokenBucket::reserve(TimePoint now) {
    if (per_ms_ <= 0)
        return milliseconds(0);  // pacing disabled
    if (now > last_) {
        const double elapsed = std::chrono::duration<double, std::milli>(now - last_).count();
        tokens_ = std::min(burst_, tokens_ + elapsed * per_ms_);
        last_ = now;
    }
    tokens_ -= 1.0;  // the reservation is taken now; a negative balance queues later callers
    if (tokens_ >= 0)
        return milliseconds(0);
    return milliseconds(static_cast<std::int64_t>(std::ceil(-tokens_ / per_ms_)));
}

}  // namespace rosterd::atlassian
