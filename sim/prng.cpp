#include "prng.hpp"

namespace rosterd::sim {

namespace {
constexpr char kHexDigits[] = "0123456789abcdef";
}

std::string SplitMix64::hex(std::size_t count) {
    std::string out;
    out.reserve(count);
    std::uint64_t bits = 0;
    int available = 0;
    for (std::size_t i = 0; i < count; ++i) {
        if (available == 0) {
            bits = next();
            available = 16;
        }
        out.push_back(kHexDigits[bits & 0xF]);
        bits >>= 4;
        --available;
    }
    return out;
}

std::string SplitMix64::uuid() {
    std::string h = hex(32);
    h[12] = '4';                             // version 4
    h[16] = kHexDigits[8 + (next() & 0x3)];  // RFC 4122 variant
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) +
           "-" + h.substr(20, 12);
}

std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b) {
    SplitMix64 mixer(a ^ (b * 0xD1B54A32D192ED03ULL));
    mixer.next();
    return mixer.next();
}

std::uint64_t fnv1a64(std::string_view data, std::uint64_t basis) {
    std::uint64_t hash = basis;
    for (unsigned char c : data) {
        hash ^= c;
        hash *= 0x100000001b3ULL;
    }
    return hash;
}

}  // namespace rosterd::sim
