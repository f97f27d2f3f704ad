#include "rate_window.hpp"

namespace rosterd::sim {

RateWindow::Verdict RateWindow::hit(std::int64_t now_ms, int limit) {
    if (window_start_ms_ < 0 || now_ms >= window_start_ms_ + kWindowMs) {
        window_start_ms_ = now_ms;
        used_ = 0;
    }
    Verdict verdict;
    verdict.limit = limit;
    verdict.reset_ms = window_start_ms_ + kWindowMs;
    if (used_ >= limit) {
        verdict.allowed = false;
        verdict.remaining = 0;
        return verdict;
    }
    ++used_;
    verdict.remaining = limit - used_;
    return verdict;
}

}  // namespace rosterd::sim
