#pragma once
// ISO-8601 parsing and formatting for the timestamps the Admin API sends and rosterd stores.
// Instants are kept as UTC milliseconds since the epoch everywhere inside rosterd.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace rosterd {

// Parses "YYYY-MM-DD", "YYYY-MM-DDTHH:MM:SS[.fraction][Z|+HH:MM|-HH:MM]" (fraction of any length,
// e.g. nanoseconds) into UTC epoch milliseconds (fraction truncated). nullopt if malformed.
std::optional<std::int64_t> parse_iso8601_ms(std::string_view text);

// Formats UTC epoch milliseconds as "YYYY-MM-DDTHH:MM:SS.mmmZ".
std::string format_iso8601_ms(std::int64_t epoch_ms);

// Formats UTC epoch milliseconds as "YYYY-MM-DDTHH:MM:SSZ" (no fraction).
std::string format_iso8601_s(std::int64_t epoch_ms);

// Parses a calendar date "YYYY-MM-DD" (strict), returning days since the epoch.
std::optional<std::int64_t> parse_date_days(std::string_view text);

// Parses an HTTP date (RFC 7231 IMF-fixdate, e.g. "Sun, 06 Nov 1994 08:49:37 GMT") to epoch ms.
std::optional<std::int64_t> parse_http_date_ms(std::string_view text);

}  // namespace rosterd
