#pragma once
// Base64 in the two alphabets the Admin API's cursors use: standard (with + / and = padding,
// v1 cursors) and URL-safe without padding (v2 cursors).
#include <optional>
#include <string>
#include <string_view>

namespace rosterd::sim {

std::string base64_encode(std::string_view bytes);                // standard, padded
std::optional<std::string> base64_decode(std::string_view text);  // standard, padded

std::string base64url_encode(std::string_view bytes);                // URL-safe, no padding
std::optional<std::string> base64url_decode(std::string_view text);  // URL-safe, no padding

}  // namespace rosterd::sim
