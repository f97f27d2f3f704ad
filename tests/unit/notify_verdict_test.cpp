// What each receiver's answer means, backoff, give-up and URL redaction.
#include <catch2/catch.hpp>

#include "rosterd/base/time_format.hpp"
#include "rosterd/notify/delivery.hpp"

using namespace rosterd;
using namespace rosterd::notify;
using namespace std::chrono_literals;

namespace {

const SysTime kNow(std::chrono::milliseconds(*parse_iso8601_ms("2026-04-24T06:00:00Z")));
const char* kUrl = "https://hooks.slack.com/services/T000/B000/SECRETTOKEN";

http::Response answer(long status, std::string body, http::Headers headers = {}) {
    http::Response r;
    r.status = status;
    r.body = std::move(body);
    r.headers = std::move(headers);
    return r;
}

AttemptVerdict judge(Format format, const http::Response& r) {
    return judge_response(format, r, kNow, kUrl);
}

}  // namespace

TEST_CASE("Slack: 200 ok is delivered, anything else is not", "[notify]") {
    CHECK(judge(Format::slack, answer(200, "ok")).delivered);
    CHECK(judge(Format::slack, answer(200, "{\"ok\":true}")).delivered);  // workflow webhooks
    auto odd = judge(Format::slack, answer(200, "no_text"));
    CHECK_FALSE(odd.delivered);
    CHECK_FALSE(odd.retryable);
    CHECK(odd.error == "HTTP 200 without Slack's \"ok\": no_text");
    auto bad = judge(Format::slack, answer(400, "invalid_payload"));
    CHECK_FALSE(bad.delivered);
    CHECK_FALSE(bad.retryable);
    CHECK(bad.error == "HTTP 400: invalid_payload");
    auto gone = judge(Format::slack, answer(410, "channel_is_archived"));
    CHECK_FALSE(gone.retryable);
    auto busy = judge(Format::slack, answer(429, "", {{"Retry-After", "30"}}));
    CHECK(busy.retryable);
    CHECK(busy.retry_after == 30s);
    CHECK(judge(Format::slack, answer(500, "rollup_error")).retryable);
}

TEST_CASE("Teams: legacy 200 \"1\", Workflows 202, and errors inside a 200", "[notify]") {
    CHECK(judge(Format::teams, answer(200, "1")).delivered);
    CHECK(judge(Format::teams, answer(202, "")).delivered);
    auto inside = judge(
        Format::teams,
        answer(200,
               "Webhook message delivery failed with error: Microsoft Teams endpoint returned "
               "HTTP error 429 with ContextId tcid=0,server=msgapi-production"));
    CHECK_FALSE(inside.delivered);
    CHECK(inside.retryable);
    CHECK_THAT(inside.error, Catch::StartsWith("Teams reported a failed delivery: Webhook message "
                                               "delivery failed with error"));
    auto bad = judge(Format::teams, answer(400, "Summary or Text is required."));
    CHECK_FALSE(bad.retryable);
}

TEST_CASE("Discord: 204, and 429 with retry_after in the body", "[notify]") {
    CHECK(judge(Format::discord, answer(204, "")).delivered);
    CHECK(judge(Format::discord, answer(200, "{\"id\":\"1\"}")).delivered);  // ?wait=true
    auto limited = judge(
        Format::discord,
        answer(429,
               R"({"message":"You are being rate limited.","retry_after":1.25,"global":false})"));
    CHECK(limited.retryable);
    CHECK(limited.retry_after == 1250ms);
    // The header wins when both are present.
    auto both = judge(Format::discord, answer(429, R"({"retry_after":9})", {{"retry-after", "2"}}));
    CHECK(both.retry_after == 2s);
    auto unknown = judge(Format::discord, answer(404, R"({"message":"Unknown Webhook"})"));
    CHECK_FALSE(unknown.retryable);
}

TEST_CASE("Google Chat and json: any 2xx", "[notify]") {
    CHECK(judge(Format::google_chat, answer(200, "{\"name\":\"spaces/x/messages/y\"}")).delivered);
    CHECK(judge(Format::json, answer(201, "")).delivered);
    CHECK(judge(Format::json, answer(204, "")).delivered);
    CHECK_FALSE(judge(Format::json, answer(302, "")).delivered);
    CHECK(judge(Format::json, answer(503, "")).retryable);
    CHECK(judge(Format::json, answer(408, "")).retryable);
    CHECK_FALSE(judge(Format::json, answer(403, "")).retryable);
}

TEST_CASE("transport failures are retryable and never show the URL", "[notify]") {
    http::Response r;
    r.transport = http::TransportError::timeout;
    r.transport_message = "Operation timed out after 1000 milliseconds for " + std::string(kUrl);
    auto v = judge(Format::slack, r);
    CHECK_FALSE(v.delivered);
    CHECK(v.retryable);
    CHECK(v.status == 0);
    CHECK(v.error == "timeout: Operation timed out after 1000 milliseconds for <webhook url>");
    // A receiver echoing the token in its body does not leak it either.
    auto echoed = judge(Format::json, answer(404, "no route /services/T000/B000/SECRETTOKEN"));
    CHECK(echoed.error == "HTTP 404: no route <webhook url>");
}

TEST_CASE("Retry-After: seconds or an HTTP date", "[notify]") {
    CHECK(parse_retry_after("120", kNow) == 120s);
    CHECK(parse_retry_after(" 0 ", kNow) == 0s);
    CHECK(parse_retry_after("Fri, 24 Apr 2026 06:00:30 GMT", kNow) == 30s);
    CHECK(parse_retry_after("Fri, 24 Apr 2026 05:00:00 GMT", kNow) == 0s);  // in the past
    CHECK_FALSE(parse_retry_after("soon", kNow));
    CHECK_FALSE(parse_retry_after("", kNow));
    CHECK_FALSE(parse_retry_after("99999999", kNow));
}

TEST_CASE("backoff doubles up to the cap, with jitter, and the receiver's wait wins", "[notify]") {
    RetryPolicy policy;
    policy.backoff_initial = 1000ms;
    policy.backoff_max = 10000ms;
    CHECK(retry_delay(policy, 1, std::nullopt, 1.0) == 1000ms);
    CHECK(retry_delay(policy, 2, std::nullopt, 1.0) == 2000ms);
    CHECK(retry_delay(policy, 3, std::nullopt, 1.0) == 4000ms);
    CHECK(retry_delay(policy, 4, std::nullopt, 1.0) == 8000ms);
    CHECK(retry_delay(policy, 5, std::nullopt, 1.0) == 10000ms);
    CHECK(retry_delay(policy, 50, std::nullopt, 1.0) == 10000ms);
    CHECK(retry_delay(policy, 3, std::nullopt, 0.5) == 2000ms);
    CHECK(retry_delay(policy, 3, std::nullopt, 0.1) == 2000ms);  // jitter clamped to [0.5, 1]
    CHECK(retry_delay(policy, 1, 30s, 1.0) == 30000ms);
    CHECK(retry_delay(policy, 4, 1s, 1.0) == 8000ms);  // backoff longer than the asked wait
    CHECK(retry_delay(policy, 1, std::chrono::hours(100), 1.0) == std::chrono::hours(24));
}

TEST_CASE("a delivery gives up after its attempts or its age", "[notify]") {
    RetryPolicy policy;
    policy.max_attempts = 3;
    policy.max_age = std::chrono::hours(1);
    SysTime start = kNow;
    CHECK_FALSE(gives_up(policy, 1, true, start, start + 1s));
    CHECK_FALSE(gives_up(policy, 2, true, start, start + std::chrono::minutes(60)));
    CHECK(gives_up(policy, 3, true, start, start + 1s));
    CHECK(gives_up(policy, 1, false, start, start + 1s));  // permanent failure
    CHECK(gives_up(policy, 2, true, start, start + std::chrono::minutes(61)));
}

TEST_CASE("redaction removes the URL, its path and its query", "[notify]") {
    CHECK(redact_url("x https://chat.googleapis.com/v1/spaces/S/messages?key=K&token=T y",
                     "https://chat.googleapis.com/v1/spaces/S/messages?key=K&token=T") ==
          "x <webhook url> y");
    CHECK(redact_url("bad token=T in ?key=K&token=T",
                     "https://chat.googleapis.com/v1/spaces/S/messages?key=K&token=T") ==
          "bad token=T in <webhook url>");
    CHECK(redact_url("nothing here", kUrl) == "nothing here");
}

TEST_CASE("redaction removes every secret part of a webhook URL where it stands alone",
          "[notify]") {
    SECTION("Slack: the team, channel and token of /services/T/B/XXXX") {
        const char* url =
            "https://hooks.slack.com/services/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";
        CHECK(redact_url("invalid_token Zq81xTOKENvxQWERTYuiopAS for T0A1B2C3D", url) ==
              "invalid_token <redacted> for <redacted>");
        auto v = judge_response(Format::slack,
                                answer(400,
                                       "{\"error\":\"no_service\",\"token\":"
                                       "\"Zq81xTOKENvxQWERTYuiopAS\"}"),
                                kNow, url);
        CHECK(v.error == "HTTP 400: {\"error\":\"no_service\",\"token\":\"<redacted>\"}");
    }
    SECTION("Discord: the id and token of /api/webhooks/ID/TOKEN") {
        const char* url =
            "https://discord.com/api/webhooks/112233445566778899/abcDEF-ghiJKL_mnoPQR";
        CHECK(redact_url("Unknown Webhook 112233445566778899 abcDEF-ghiJKL_mnoPQR", url) ==
              "Unknown Webhook <redacted> <redacted>");
        // Path words are not secrets: the text stays readable.
        CHECK(redact_url("api webhooks discord", url) == "api webhooks discord");
    }
    SECTION("Google Chat: key and token, also percent-decoded") {
        const char* url =
            "https://chat.googleapis.com/v1/spaces/AAAAbcd1234/messages?key=AIzaSyKEY-0123&token="
            "tok%3Den-4567";
        CHECK(redact_url("key AIzaSyKEY-0123 token tok=en-4567 space AAAAbcd1234", url) ==
              "key <redacted> token <redacted> space <redacted>");
        CHECK(redact_url("raw tok%3Den-4567", url) == "raw <redacted>");
    }
    SECTION("Teams / Power Automate: sig") {
        const char* url =
            "https://prod-12.westeurope.logic.azure.com:443/workflows/0a1b2c3d4e5f/triggers/manual/"
            "paths/invoke?api-version=2016-06-01&sp=%2Ftriggers%2Fmanual%2Frun&sv=1.0&sig=SIGabc";
        CHECK(redact_url("The signature SIGabc is invalid (workflow 0a1b2c3d4e5f)", url) ==
              "The signature <redacted> is invalid (workflow <redacted>)");
        CHECK(redact_url("triggers manual invoke 1.0", url) == "triggers manual invoke 1.0");
    }
    SECTION("user info") {
        CHECK(redact_url("denied for hookuser:pa55word",
                         "https://hookuser:pa55word@example.com/in") ==
              "denied for <redacted>:<redacted>");
    }
    SECTION("the parts, longest first") {
        CHECK(webhook_url_secrets("https://x.example/hooks/abc123def/XYZ?sig=s1gn&v=2") ==
              std::vector<std::string>{"abc123def", "s1gn"});
    }
}
