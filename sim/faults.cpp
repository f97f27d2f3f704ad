#include "faults.hpp"

namespace rosterd::sim {

void FaultInjector::reseed(std::uint64_t seed) {
    std::lock_guard lock(mutex_);
    rng_ = SplitMix64(seed);
}

void FaultInjector::add_rule(FailRule rule) {
    std::lock_guard lock(mutex_);
    if (rule.remaining > 0)
        rules_.push_back(std::move(rule));
}

void FaultInjector::clear_rules() {
    std::lock_guard lock(mutex_);
    rules_.clear();
}

std::optional<int> FaultInjector::take_forced_failure(std::string_view path) {
    std::lock_guard lock(mutex_);
    for (auto it = rules_.begin(); it != rules_.end(); ++it) {
        if (path.find(it->path_contains) == std::string_view::npos)
            continue;
        int status = it->status;
        if (--it->remaining <= 0)
            rules_.erase(it);
        return status;
    }
    return std::nullopt;
}

FaultDraws FaultInjector::draw() {
    std::lock_guard lock(mutex_);
    FaultDraws d;
    d.error = rng_.unit();
    d.error_is_503 = rng_.chance(0.5);
    d.rate_429 = rng_.unit();
    d.truncate = rng_.unit();
    d.reset = rng_.unit();
    d.slow = rng_.unit();
    return d;
}

RateWindow::Verdict FaultInjector::hit_key_limit(std::int64_t now_ms, int limit) {
    std::lock_guard lock(mutex_);
    return key_window_.hit(now_ms, limit);
}

RateWindow::Verdict FaultInjector::hit_last_active_limit(std::int64_t now_ms, int limit) {
    std::lock_guard lock(mutex_);
    return last_active_window_.hit(now_ms, limit);
}

}  // namespace rosterd::sim
