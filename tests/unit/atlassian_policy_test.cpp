// Retry/rate-limit arithmetic: backoff, server-requested waits, low-budget pacing, token bucket.
#include <catch2/catch.hpp>

#include "rosterd/atlassian_policy.hpp"
#include "rosterd/time_format.hpp"

using namespace rosterd;
using namespace rosterd::atlassian;
using namespace std::chrono_literals;

namespace {

http::Response with_headers(http::Headers headers) {
    http::Response response;
    response.status = 429;
    response.headers = std::move(headers);
    return response;
}

SysTime at(const char* iso) {
    return SysTime(std::chrono::milliseconds(*parse_iso8601_ms(iso)));
}

}  // namespace

TEST_CASE("backoff is full jitter under a doubling, capped ceiling", "[atlassian]") {
    RetryPolicy policy;
    policy.base_delay = 500ms;
    policy.max_delay = 60000ms;
    std::mt19937_64 rng(7);
    for (int retry = 1; retry <= 12; ++retry) {
        const auto ceiling = std::min<std::int64_t>(60000, 500LL << (retry - 1));
        std::chrono::milliseconds largest{0};
        for (int i = 0; i < 200; ++i) {
            auto delay = backoff_delay(policy, retry, rng);
            CHECK(delay.count() >= 0);
            CHECK(delay.count() <= ceiling);
            largest = std::max(largest, delay);
        }
        CHECK(largest.count() > ceiling / 2);  // really spread over the range
    }
    policy.base_delay = 0ms;
    CHECK(backoff_delay(policy, 3, rng) == 0ms);
}

TEST_CASE("Retry-After in seconds or as an HTTP date sets the 429 wait", "[atlassian]") {
    RetryPolicy policy;
    const SysTime now = at("1994-11-06T08:49:30Z");
    CHECK(server_retry_wait(with_headers({{"Retry-After", "7"}}), now, policy) == 7000ms);
    CHECK(server_retry_wait(with_headers({{"retry-after", "Sun, 06 Nov 1994 08:49:37 GMT"}}), now,
                            policy) == 7000ms);
    // A date in the past means "now".
    CHECK(server_retry_wait(with_headers({{"Retry-After", "Sun, 06 Nov 1994 08:49:00 GMT"}}), now,
                            policy) == 0ms);
}

TEST_CASE("X-RateLimit-Reset is the fallback, then nothing", "[atlassian]") {
    RetryPolicy policy;
    const SysTime now = at("2026-08-01T09:00:00Z");
    CHECK(server_retry_wait(with_headers({{"X-RateLimit-Reset", "2026-08-01T09:00:12.500Z"}}), now,
                            policy) == 12500ms);
    // Retry-After wins over the reset.
    CHECK(server_retry_wait(
              with_headers({{"X-RateLimit-Reset", "2026-08-01T09:00:12Z"}, {"Retry-After", "2"}}),
              now, policy) == 2000ms);
    // Epoch seconds are accepted for the reset too; a whole second means its end (the window may
    // close up to a second after the rounded-down value).
    CHECK(server_retry_wait(with_headers({{"X-RateLimit-Reset", "1785574803"}}), now, policy) ==
          4000ms);
    CHECK(server_retry_wait(with_headers({{"X-RateLimit-Reset", "2026-08-01T09:00:12Z"}}), now,
                            policy) == 13000ms);
    CHECK_FALSE(server_retry_wait(with_headers({}), now, policy));
    CHECK_FALSE(server_retry_wait(with_headers({{"Retry-After", "soon"}}), now, policy));
}

TEST_CASE("a 429 in the last second of a whole-second reset still waits for the window",
          "[atlassian]") {
    // The reset names 09:00:12, rounded down; it is 09:00:12.400 and the window has not closed.
    RetryPolicy policy;
    const SysTime now = at("2026-08-01T09:00:12.400Z");
    CHECK(server_retry_wait(with_headers({{"X-RateLimit-Reset", "2026-08-01T09:00:12Z"}}), now,
                            policy) == 600ms);
    CHECK(server_retry_wait(with_headers({{"X-RateLimit-Reset", "1785574812"}}), now, policy) ==
          600ms);
    // An exact reset (with a fraction) is taken as written.
    CHECK(server_retry_wait(with_headers({{"X-RateLimit-Reset", "2026-08-01T09:00:12.000Z"}}), now,
                            policy) == 0ms);
}

TEST_CASE("server waits are clamped to max_server_wait", "[atlassian]") {
    RetryPolicy policy;
    policy.max_server_wait = 30000ms;
    CHECK(server_retry_wait(with_headers({{"Retry-After", "86400"}}), SysTime{}, policy) ==
          30000ms);
}

TEST_CASE("low remaining budget spreads requests until the reset", "[atlassian]") {
    const SysTime now = at("2026-08-01T09:00:00Z");
    RateLimitSnapshot snapshot =
        read_rate_limit(with_headers({{"X-RateLimit-Limit", "1000"},
                                      {"X-RateLimit-Remaining", "40"},
                                      {"X-RateLimit-Reset", "2026-08-01T09:00:20Z"}}));
    CHECK(snapshot.limit == 1000);
    CHECK(snapshot.remaining == 40);
    CHECK(pacing_interval(snapshot, 0.05, now) == 525ms);  // to the end of 09:00:20: 21 s / 40
    snapshot.remaining = 50;                               // exactly 5%: healthy
    CHECK_FALSE(pacing_interval(snapshot, 0.05, now));
    snapshot.remaining = 0;
    CHECK(pacing_interval(snapshot, 0.05, now) == 21000ms);  // wait for the reset
    snapshot.reset.reset();
    CHECK_FALSE(pacing_interval(snapshot, 0.05, now));
}

TEST_CASE("token bucket allows a burst, then one token per interval", "[atlassian]") {
    using Clock = std::chrono::steady_clock;
    const Clock::time_point t0{};
    TokenBucket bucket(600, 2, t0);  // 10/s = one token per 100 ms
    CHECK(bucket.reserve(t0) == 0ms);
    CHECK(bucket.reserve(t0) == 0ms);
    CHECK(bucket.reserve(t0) == 100ms);  // queued reservations stack up
    CHECK(bucket.reserve(t0) == 200ms);
    CHECK(bucket.reserve(t0 + 1000ms) == 0ms);  // refilled to the burst size
    CHECK(bucket.reserve(t0 + 1000ms) == 0ms);
    CHECK(bucket.reserve(t0 + 1000ms) == 100ms);

    TokenBucket unlimited(0, 1, t0);
    for (int i = 0; i < 5; ++i)
        CHECK(unlimited.reserve(t0) == 0ms);
}
