// Percent-encoding and the links.next cursor extraction shared by both pagination styles.
#include <cctype>

#include "rosterd/atlassian/parse.hpp"

namespace rosterd::atlassian {

namespace {

bool unreserved(unsigned char c) {
    return std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~';
}

std::string encode(std::string_view text, bool path_segment) {
    static constexpr char kHex[] = "0123456789ABCDEF";
    std::string out;
    out.reserve(text.size());
    for (unsigned char c : text) {
        if (unreserved(c) || (path_segment && (c == ':' || c == '@'))) {
            out.push_back(static_cast<char>(c));
        } else {
            out.push_back('%');
            out.push_back(kHex[c >> 4]);
            out.push_back(kHex[c & 0x0F]);
        }
    }
    return out;
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string percent_encode(std::string_view text) {
    return encode(text, false);
}

std::string percent_encode_path_segment(std::string_view text) {
    return encode(text, true);
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            int high = hex_value(text[i + 1]);
            int low = hex_value(text[i + 2]);
            if (high >= 0 && low >= 0) {
                out.push_back(static_cast<char>(high * 16 + low));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

std::optional<std::string> extract_cursor(std::string_view next_link) {
    if (next_link.empty())
        return std::nullopt;
    // Only an absolute URL carries its cursor as a query parameter; anything else is the token.
    const bool is_url = next_link.starts_with("https://") || next_link.starts_with("http://") ||
                        next_link.starts_with("/");
    if (!is_url)
        return std::string(next_link);
    auto question = next_link.find('?');
    if (question == std::string_view::npos)
        return std::nullopt;  // a URL without a cursor
    std::string_view query = next_link.substr(question + 1);
    if (auto hash = query.find('#'); hash != std::string_view::npos)
        query = query.substr(0, hash);
    while (!query.empty()) {
        auto amp = query.find('&');
        std::string_view pair = query.substr(0, amp);
        if (pair.starts_with("cursor=")) {
            std::string cursor = percent_decode(pair.substr(7));
            if (cursor.empty())
                return std::nullopt;
            return cursor;
        }
        if (amp == std::string_view::npos)
            break;
        query.remove_prefix(amp + 1);
    }
    return std::nullopt;
}

std::string normalize_group_id(std::string_view id) {
    constexpr std::string_view kPrefix = "ari:cloud:identity::group/";
    if (id.starts_with(kPrefix))
        id.remove_prefix(kPrefix.size());
    return std::string(id);
}

}  // namespace rosterd::atlassian
