#pragma once
// A fixed one-minute window that opens at its first request (not at the wall-clock minute), so
// a test that makes N+1 quick requests always sees exactly one 429.
#include <cstdint>

namespace rosterd::sim {

class RateWindow {
  public:
    static constexpr std::int64_t kWindowMs = 60'000;

    struct Verdict {
        bool allowed = true;
        int limit = 0;
        int remaining = 0;
        std::int64_t reset_ms = 0;  // when the window closes (X-RateLimit-Reset)
    };

    // Counts one request at `now_ms` against `limit` requests per window. Refused requests do
    // not count.
    Verdict hit(std::int64_t now_ms, int limit);

  private:
    std::int64_t window_start_ms_ = -1;
    int used_ = 0;
};

}  // namespace rosterd::sim
