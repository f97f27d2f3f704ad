#include "base64.hpp"

#include <array>

namespace rosterd::sim {

namespace {

constexpr std::string_view kStandard =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
constexpr std::string_view kUrlSafe =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

std::string encode(std::string_view bytes, std::string_view alphabet, bool pad) {
    std::string out;
    out.reserve((bytes.size() + 2) / 3 * 4);
    std::size_t i = 0;
    for (; i + 3 <= bytes.size(); i += 3) {
        unsigned v = (static_cast<unsigned char>(bytes[i]) << 16) |
                     (static_cast<unsigned char>(bytes[i + 1]) << 8) |
                     static_cast<unsigned char>(bytes[i + 2]);
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        out.push_back(alphabet[(v >> 6) & 63]);
        out.push_back(alphabet[v & 63]);
    }
    std::size_t rest = bytes.size() - i;
    if (rest > 0) {
        unsigned v = static_cast<unsigned char>(bytes[i]) << 16;
        if (rest == 2)
            v |= static_cast<unsigned char>(bytes[i + 1]) << 8;
        out.push_back(alphabet[(v >> 18) & 63]);
        out.push_back(alphabet[(v >> 12) & 63]);
        if (rest == 2)
            out.push_back(alphabet[(v >> 6) & 63]);
        if (pad)
            out.append(rest == 1 ? "==" : "=");
    }
    return out;
}

std::optional<std::string> decode(std::string_view text, std::string_view alphabet, bool padded) {
    std::array<int, 256> value{};
    value.fill(-1);
    for (std::size_t i = 0; i < alphabet.size(); ++i)
        value[static_cast<unsigned char>(alphabet[i])] = i;

    if (padded) {
        if (text.size() % 4 != 0)
            return std::nullopt;
        std::size_t padding = 0;
        while (padding < 2 && !text.empty() && text.back() == '=') {
            text.remove_suffix(1);
            ++padding;
        }
    } else if (text.size() % 4 == 1) {
        return std::nullopt;
    }

    std::string out;
    unsigned buffer = 0;
    int bits = 0;
    for (char c : text) {
        int v = value[static_cast<unsigned char>(c)];
        if (v < 0)
            return std::nullopt;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
        }
    }
    return out;
}

}  // namespace

std::string base64_encode(std::string_view bytes) {
    return encode(bytes, kStandard, true);
}
std::optional<std::string> base64_decode(std::string_view text) {
    return decode(text, kStandard, true);
}
std::string base64url_encode(std::string_view bytes) {
    return encode(bytes, kUrlSafe, false);
}
std::optional<std::string> base64url_decode(std::string_view text) {
    return decode(text, kUrlSafe, false);
}

}  // namespace rosterd::sim
