#pragma once
// An HMAC-SHA256 built by hand from SHA-256 (RFC 2104), as a webhook receiver without an HMAC
// library would compute it: tests check rosterd's signatures against it, not against the same
// OpenSSL call rosterd makes.
#include <openssl/sha.h>

#include <string>

namespace rosterd::test {

// H((K ^ opad) || H((K ^ ipad) || m)), as lowercase hex.
inline std::string textbook_hmac_sha256(std::string key, const std::string& message) {
    constexpr std::size_t kBlock = 64;
    unsigned char digest[SHA256_DIGEST_LENGTH];
    if (key.size() > kBlock) {
        SHA256(reinterpret_cast<const unsigned char*>(key.data()), key.size(), digest);
        key.assign(reinterpret_cast<char*>(digest), SHA256_DIGEST_LENGTH);
    }
    key.resize(kBlock, '\0');
    std::string inner(kBlock, '\0'), outer(kBlock, '\0');
    for (std::size_t i = 0; i < kBlock; ++i) {
        inner[i] = static_cast<char>(key[i] ^ 0x36);
        outer[i] = static_cast<char>(key[i] ^ 0x5c);
    }
    inner += message;
    SHA256(reinterpret_cast<const unsigned char*>(inner.data()), inner.size(), digest);
    outer.append(reinterpret_cast<char*>(digest), SHA256_DIGEST_LENGTH);
    SHA256(reinterpret_cast<const unsigned char*>(outer.data()), outer.size(), digest);
    static const char* hex = "0123456789abcdef";
    std::string out;
    for (unsigned char b : digest) {
        out.push_back(hex[b >> 4]);
        out.push_back(hex[b & 15]);
    }
    return out;
}

}  // namespace rosterd::test
