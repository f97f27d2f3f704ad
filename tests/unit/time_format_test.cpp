#include <catch2/catch.hpp>

#include "rosterd/base/time_format.hpp"

using namespace rosterd;

TEST_CASE("ISO-8601 timestamps parse with any fraction length and offset", "[time]") {
    CHECK(parse_iso8601_ms("1970-01-01T00:00:00Z") == 0);
    CHECK(parse_iso8601_ms("2026-08-01T09:15:02Z") == 1785575702000);
    CHECK(parse_iso8601_ms("2026-08-01T09:15:02.1Z") == 1785575702100);
    CHECK(parse_iso8601_ms("2026-08-01T09:15:02.123456789Z") == 1785575702123);
    CHECK(parse_iso8601_ms("2026-08-01T11:15:02.5+02:00") == 1785575702500);
    CHECK(parse_iso8601_ms("2026-08-01T04:15:02-0500") == 1785575702000);
    CHECK(parse_iso8601_ms("2026-08-01") == 1785542400000);
}

TEST_CASE("malformed ISO-8601 timestamps are rejected", "[time]") {
    CHECK_FALSE(parse_iso8601_ms(""));
    CHECK_FALSE(parse_iso8601_ms("2026-13-01T00:00:00Z"));
    CHECK_FALSE(parse_iso8601_ms("2026-02-30"));
    CHECK_FALSE(parse_iso8601_ms("2026-08-01T09:15:02"));  // no zone
    CHECK_FALSE(parse_iso8601_ms("2026-08-01T09:15:02.Z"));
    CHECK_FALSE(parse_iso8601_ms("2026-08-01T25:00:00Z"));
    CHECK_FALSE(parse_iso8601_ms("2026-08-01T09:15:02Zjunk"));
}

TEST_CASE("timestamps format back to ISO-8601 UTC", "[time]") {
    CHECK(format_iso8601_ms(1785575702123) == "2026-08-01T09:15:02.123Z");
    CHECK(format_iso8601_s(1785575702123) == "2026-08-01T09:15:02Z");
    CHECK(parse_iso8601_ms(format_iso8601_ms(1785575702123)) == 1785575702123);
}

TEST_CASE("dates and HTTP dates parse strictly", "[time]") {
    CHECK(parse_date_days("1970-01-02") == 1);
    CHECK_FALSE(parse_date_days("2026-1-02"));
    CHECK_FALSE(parse_date_days("2026-01-02T00:00:00Z"));
    CHECK(parse_http_date_ms("Sun, 06 Nov 1994 08:49:37 GMT") == 784111777000);
    CHECK_FALSE(parse_http_date_ms("Sun, 06 Foo 1994 08:49:37 GMT"));
    CHECK_FALSE(parse_http_date_ms("784111777"));
}
