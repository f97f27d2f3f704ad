#pragma once
// A tiny deterministic PRNG (splitmix64). The simulated organization must be identical on every
// machine and standard library, so nothing here goes through std:: distributions.
#include <cstdint>
#include <string>
#include <string_view>

namespace rosterd::sim {

class SplitMix64 {
  public:
    explicit SplitMix64(std::uint64_t seed) : state_(seed) {}

    std::uint64_t next() {
        std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
        return z ^ (z >> 31);
    }

    // Uniform in [0, 1) with 53 bits, exact in IEEE doubles on every platform.
    double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    bool chance(double probability) { return unit() < probability; }

    // Uniform integer in [0, bound); bound 0 yields 0. The modulo bias is irrelevant here.
    std::uint64_t below(std::uint64_t bound) { return bound == 0 ? 0 : next() % bound; }

    // Uniform integer in [low, high] (inclusive), for spans of time in milliseconds.
    std::int64_t between(std::int64_t low, std::int64_t high) {
        if (high <= low)
            return low;
        return low + static_cast<std::int64_t>(below(static_cast<std::uint64_t>(high - low) + 1));
    }

    // A random (version 4 shaped) UUID in lower-case canonical form.
    std::string uuid();

    // `count` lower-case hexadecimal digits.
    std::string hex(std::size_t count);

  private:
    std::uint64_t state_;
};

// Mixes two values into a seed for an independent stream (per user, per site...).
std::uint64_t mix_seed(std::uint64_t a, std::uint64_t b);

// FNV-1a, used for filter hashes and cursor checks (stable across runs and machines).
std::uint64_t fnv1a64(std::string_view data, std::uint64_t basis = 0xcbf29ce484222325ULL);

}  // namespace rosterd::sim
