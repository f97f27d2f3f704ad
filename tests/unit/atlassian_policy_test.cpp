// Retry/rate-limit arithmetic: backoff, server-requested waits, low-budget pacing, token bucket.
#include <catch2/catch.hpp>

#include "rosterd/atlassian/policy.hpp"
#include "rosterd/base/time_format.hpp"

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

TEST_CASE("retries run against time budgets, not a count", "[atlassian][retry]") {
    RetryPolicy policy;
    policy.request_budget = 600s;
    policy.total_budget = 1800s;
    SECTION("no count by default: the hundredth attempt may still be retried") {
        CHECK(policy.max_attempts == 0);
        CHECK(retry_verdict(policy, 100, 300s, 5s, 0s) == RetryVerdict::retry);
    }
    SECTION("a wait that would end past the request's budget gives up now") {
        CHECK(retry_verdict(policy, 3, 590s, 10s, 0s) == RetryVerdict::retry);
        CHECK(retry_verdict(policy, 3, 590s, 11s, 0s) == RetryVerdict::request_budget_spent);
        // A server asking for more than the whole budget is not waited for.
        CHECK(retry_verdict(policy, 1, 0s, 601s, 0s) == RetryVerdict::request_budget_spent);
    }
    SECTION("the client's total budget ends every further retry") {
        CHECK(retry_verdict(policy, 1, 0s, 1s, 1799s) == RetryVerdict::retry);
        CHECK(retry_verdict(policy, 1, 0s, 1s, 1800s) == RetryVerdict::total_budget_spent);
    }
    SECTION("a count still applies when set (a person waiting for key check)") {
        policy.max_attempts = 3;
        CHECK(retry_verdict(policy, 2, 0s, 1s, 0s) == RetryVerdict::retry);
        CHECK(retry_verdict(policy, 3, 0s, 1s, 0s) == RetryVerdict::attempts_spent);
    }
    SECTION("the reasons name the budget and its key") {
        CHECK(describe(RetryVerdict::request_budget_spent, policy) ==
              "the request's retry budget (600 s, atlassian.retry.request_budget_s) is spent");
        CHECK(describe(RetryVerdict::total_budget_spent, policy) ==
              "the retry budget of the whole sync or run (1800 s, atlassian.retry.sync_budget_s) "
              "is spent");
    }
}

TEST_CASE("overlapping retry waits count once toward the total budget", "[atlassian][retry]") {
    using TP = RetryWaitClock::TimePoint;
    const TP t0{};
    RetryWaitClock clock;
    CHECK(clock.spent(t0 + 5s) == 0s);
    clock.begin(t0);       // a waits 0..10
    clock.begin(t0 + 2s);  // b waits 2..4
    CHECK(clock.spent(t0 + 3s) == 3s);
    clock.end(t0 + 4s);
    clock.end(t0 + 10s);
    CHECK(clock.spent(t0 + 20s) == 10s);  // not 12: the waits overlapped
    clock.begin(t0 + 30s);
    CHECK(clock.spent(t0 + 31s) == 11s);
    clock.end(t0 + 35s);
    clock.end(t0 + 40s);  // an unmatched end changes nothing
    CHECK(clock.spent(t0 + 50s) == 15s);
}

TEST_CASE("simulated on a fake clock: a storm slows a request, a dead server fails it in time",
          "[atlassian][retry]") {
    RetryPolicy policy;  // the defaults: 500 ms base, 30 s cap, 600 s per request
    std::mt19937_64 rng(2024);
    std::mt19937_64 server(99);
    std::uniform_real_distribution<double> draw(0.0, 1.0);
    // One request through 30 % 429 (one second each, as X-RateLimit-Reset says) and 15 % 5xx,
    // ten thousand times: every one gets through, however unlucky.
    std::chrono::milliseconds worst{0};
    int most_attempts = 0;
    for (int request = 0; request < 10000; ++request) {
        std::chrono::milliseconds elapsed{0};
        for (int attempts = 1;; ++attempts) {
            double d = draw(server);
            if (d >= 0.45) {
                worst = std::max(worst, elapsed);
                most_attempts = std::max(most_attempts, attempts);
                break;
            }
            auto wait =
                d < 0.30 ? std::chrono::milliseconds(1000) : backoff_delay(policy, attempts, rng);
            REQUIRE(retry_verdict(policy, attempts, elapsed, wait, 0s) == RetryVerdict::retry);
            elapsed += wait;
        }
    }
    CHECK(most_attempts > 6);  // what a count of six used to fail
    CHECK(worst < policy.request_budget);
    // A server that always fails: the request gives up, and never later than its budget.
    std::chrono::milliseconds elapsed{0};
    int attempts = 1;
    RetryVerdict verdict = RetryVerdict::retry;
    for (;; ++attempts) {
        auto wait = backoff_delay(policy, attempts, rng);
        verdict = retry_verdict(policy, attempts, elapsed, wait, 0s);
        if (verdict != RetryVerdict::retry)
            break;
        elapsed += wait;
    }
    CHECK(verdict == RetryVerdict::request_budget_spent);
    CHECK(elapsed <= policy.request_budget);
    CHECK(elapsed > policy.request_budget - policy.max_delay);  // it used its budget
}
