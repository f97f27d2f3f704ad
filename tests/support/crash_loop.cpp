#include "crash_loop.hpp"

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstdlib>
#include <random>
#include <thread>

#include "truth_check.hpp"

namespace rosterd::test {

int soak_iterations(int quick) {
    if (const char* env = std::getenv("ROSTERD_SOAK_ITERATIONS"))
        return std::max(1, std::atoi(env));
    return quick;
}

unsigned crash_seed(unsigned fallback) {
    if (const char* env = std::getenv("ROSTERD_CRASH_SEED"); env && *env)
        return static_cast<unsigned>(std::strtoul(env, nullptr, 10));
    return fallback;
}

void repeat_with_random_kills(
    const CrashLoop& loop,
    const std::function<void(int iteration, std::chrono::milliseconds delay)>& round) {
    // WARN is printed even when the test passes, so a soak log always says how to replay it.
    WARN("kill -9 loop: " << loop.iterations << " iterations, kill instants in [0, "
                          << loop.max_delay.count() << "] ms, seed " << loop.seed
                          << " (ROSTERD_CRASH_SEED=" << loop.seed << " replays them)");
    std::mt19937 rng(loop.seed);
    std::uniform_int_distribution<long> when(0, loop.max_delay.count());
    for (int i = 0; i < loop.iterations; ++i) {
        const std::chrono::milliseconds delay(when(rng));
        INFO("iteration " << i << " of " << loop.iterations << ", kill -9 after " << delay.count()
                          << " ms (max " << loop.max_delay.count() << " ms), seed " << loop.seed);
        round(i, delay);
    }
}

SnapshotView kill9_after(DaemonFixture& daemon, std::chrono::milliseconds delay) {
    std::this_thread::sleep_for(delay);
    daemon.kill9();
    REQUIRE(database_is_sound(daemon.db_path()));
    auto view = read_snapshot(daemon.db_path());
    REQUIRE(view.snapshot_id);
    return view;
}

}  // namespace rosterd::test
