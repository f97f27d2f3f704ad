#include "cursor.hpp"

#include "base64.hpp"
#include "prng.hpp"

namespace rosterd::sim {

namespace {

// Bytes 0xFB 0xFF encode as "+/" in standard base64; with the odd total length below the v1
// cursor also ends in "==".
constexpr char kV1Prefix[] = {static_cast<char>(0xFB), static_cast<char>(0xFF)};
constexpr std::size_t kPackedSize = 1 + 4 + 8 + 8 + 4;

void put_be(std::string& out, std::uint64_t value, int bytes) {
    for (int i = bytes - 1; i >= 0; --i)
        out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
}

std::uint64_t get_be(std::string_view in, std::size_t offset, int bytes) {
    std::uint64_t value = 0;
    for (int i = 0; i < bytes; ++i)
        value = (value << 8) | static_cast<unsigned char>(in[offset + i]);
    return value;
}

// Masks the payload so tokens look opaque and clients cannot build their own.
void mask(std::string& bytes, std::uint64_t secret) {
    SplitMix64 stream(secret);
    std::uint64_t bits = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (i % 8 == 0)
            bits = stream.next();
        bytes[i] = static_cast<char>(bytes[i] ^ static_cast<char>((bits >> (8 * (i % 8))) & 0xFF));
    }
}

}  // namespace

std::string CursorCodec::pack(const CursorState& state) const {
    std::string bytes;
    bytes.reserve(kPackedSize);
    bytes.push_back(static_cast<char>(state.kind));
    put_be(bytes, state.position, 4);
    put_be(bytes, state.filter_hash, 8);
    put_be(bytes, static_cast<std::uint64_t>(state.issued_ms), 8);
    std::uint32_t check = static_cast<std::uint32_t>(fnv1a64(bytes, secret_));
    put_be(bytes, check, 4);
    mask(bytes, secret_);
    return bytes;
}

std::optional<CursorState> CursorCodec::unpack(std::string_view masked) const {
    if (masked.size() != kPackedSize)
        return std::nullopt;
    std::string unmasked(masked);
    mask(unmasked, secret_);
    std::string_view bytes = unmasked;
    auto expected = static_cast<std::uint32_t>(fnv1a64(bytes.substr(0, kPackedSize - 4), secret_));
    if (get_be(bytes, kPackedSize - 4, 4) != expected)
        return std::nullopt;
    CursorState state;
    state.kind = static_cast<CursorKind>(static_cast<unsigned char>(bytes[0]));
    state.position = static_cast<std::uint32_t>(get_be(bytes, 1, 4));
    state.filter_hash = get_be(bytes, 5, 8);
    state.issued_ms = static_cast<std::int64_t>(get_be(bytes, 13, 8));
    return state;
}

std::string CursorCodec::encode_v2(const CursorState& state) const {
    return base64url_encode(pack(state));
}

std::optional<CursorState> CursorCodec::decode_v2(std::string_view token) const {
    auto bytes = base64url_decode(token);
    if (!bytes)
        return std::nullopt;
    return unpack(*bytes);
}

std::string CursorCodec::encode_v1(const CursorState& state) const {
    std::string bytes(kV1Prefix, sizeof kV1Prefix);
    bytes += pack(state);
    bytes.push_back('\0');  // 28 bytes: padding "==" at the end
    return base64_encode(bytes);
}

std::optional<CursorState> CursorCodec::decode_v1(std::string_view token) const {
    auto bytes = base64_decode(token);
    if (!bytes || bytes->size() != sizeof kV1Prefix + kPackedSize + 1)
        return std::nullopt;
    if (bytes->compare(0, sizeof kV1Prefix, kV1Prefix, sizeof kV1Prefix) != 0)
        return std::nullopt;
    return unpack(std::string_view(*bytes).substr(sizeof kV1Prefix, kPackedSize));
}

void FilterBook::remember(std::uint64_t hash, const std::string& canonical) {
    std::lock_guard lock(mutex_);
    if (entries_.size() >= kMaxEntries && !entries_.contains(hash))
        entries_.clear();
    entries_.emplace(hash, canonical);
}

std::optional<std::string> FilterBook::recall(std::uint64_t hash) const {
    std::lock_guard lock(mutex_);
    auto it = entries_.find(hash);
    if (it == entries_.end())
        return std::nullopt;
    return it->second;
}

}  // namespace rosterd::sim
