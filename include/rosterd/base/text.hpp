#pragma once
// Small text helpers every module needs: one definition each (ASCII; the configuration, the
// control protocol and the Admin API's keys are ASCII where these are used).
#include <algorithm>
#include <string>
#include <string_view>

namespace rosterd {

// `text` without leading and trailing spaces, tabs, CR and LF.
inline std::string_view trim(std::string_view text) {
    constexpr std::string_view kSpace = " \t\r\n\f\v";
    auto first = text.find_first_not_of(kSpace);
    if (first == std::string_view::npos)
        return {};
    auto last = text.find_last_not_of(kSpace);
    return text.substr(first, last - first + 1);
}

// The same, as a string of its own.
inline std::string trimmed(std::string_view text) {
    return std::string(trim(text));
}

inline char ascii_lower(char c) {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

inline std::string lowercase(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(), ascii_lower);
    return out;
}

// Case-insensitive equality (HTTP header names, product keys people type).
inline bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return ascii_lower(x) == ascii_lower(y);
           });
}

}  // namespace rosterd
