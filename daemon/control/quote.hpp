#pragma once
// Client-supplied names are echoed in error messages: keep them short and valid UTF-8.
#include <string>
#include <string_view>

namespace rosterd::control::detail {

inline std::string shortened(std::string_view text, std::size_t max_bytes = 64) {
    if (text.size() <= max_bytes)
        return std::string(text);
    std::size_t cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80)
        --cut;  // do not split a UTF-8 sequence
    return std::string(text.substr(0, cut)) + "...";
}

// "name", shortened.
inline std::string quoted(std::string_view text) {
    return "\"" + shortened(text) + "\"";
}

}  // namespace rosterd::control::detail
