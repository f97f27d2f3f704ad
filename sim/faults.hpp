#pragma once
// Fault injection for API paths: one-off forced failures (POST /_sim/fail), random failures from
// a seeded sequence, and the rate-limit windows. Thread-safe.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "prng.hpp"
#include "rate_window.hpp"

namespace rosterd::sim {

struct FailRule {
    std::string path_contains;
    int status = 500;
    int remaining = 1;
};

// The random numbers one request draws, always the same count per request so that a request's
// faults do not depend on which knobs happen to be on.
struct FaultDraws {
    double error = 1.0;
    bool error_is_503 = false;
    double rate_429 = 1.0;
    double truncate = 1.0;
    double reset = 1.0;
    double slow = 1.0;
};

class FaultInjector {
  public:
    explicit FaultInjector(std::uint64_t seed) : rng_(seed) {}

    void reseed(std::uint64_t seed);
    void add_rule(FailRule rule);
    void clear_rules();
    // The status of the first rule matching `path`, consuming one of its uses.
    std::optional<int> take_forced_failure(std::string_view path);
    FaultDraws draw();

    RateWindow::Verdict hit_key_limit(std::int64_t now_ms, int limit);
    RateWindow::Verdict hit_last_active_limit(std::int64_t now_ms, int limit);

  private:
    std::mutex mutex_;
    SplitMix64 rng_;
    std::vector<FailRule> rules_;
    RateWindow key_window_;
    RateWindow last_active_window_;
};

}  // namespace rosterd::sim
