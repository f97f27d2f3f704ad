#pragma once
// The kill -9 loops of the reliability tests (syncs, applying runs) share this: the iteration count
// (quick in `make test`, ROSTERD_SOAK_ITERATIONS under `make soak`), a seeded random kill instant
// per iteration with the seed in the output so that a failure can be replayed, and the checks that
// must hold after any crash (integrity_check, a readable published snapshot).
#include <chrono>
#include <functional>

#include "daemon_fixture.hpp"
#include "snapshot_reader.hpp"

namespace rosterd::test {

// ROSTERD_SOAK_ITERATIONS when set (make soak), else `quick`.
int soak_iterations(int quick);

// ROSTERD_CRASH_SEED when set (to replay a failed run), else `fallback`.
unsigned crash_seed(unsigned fallback);

struct CrashLoop {
    int iterations = 1;
    unsigned seed = 0;
    std::chrono::milliseconds max_delay{0};  // kill instants are uniform in [0, max_delay]
};

// Calls round(iteration, delay) `loop.iterations` times with seeded random delays. Prints the seed
// first and tags every assertion of a round with its iteration, delay and seed.
void repeat_with_random_kills(
    const CrashLoop& loop,
    const std::function<void(int iteration, std::chrono::milliseconds delay)>& round);

// Sleeps `delay`, kills rosterd with SIGKILL, then REQUIREs what any crash must leave: PRAGMA
// integrity_check answers ok and a published snapshot is readable. Returns that snapshot.
SnapshotView kill9_after(DaemonFixture& daemon, std::chrono::milliseconds delay);

}  // namespace rosterd::test
