#!/usr/bin/env bash
# Runs every libFuzzer target for a bounded time: fuzz/run.sh BUILD_DIR [SECONDS]
# The working corpus grows in BUILD_DIR/corpus/<target> (seeded from fuzz/corpus/<target>);
# crashers land in BUILD_DIR/artifacts/ and make the run fail: add each as a regression case to
# the unit tests, then fix it.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-build-fuzz}" && pwd)"
seconds="${2:-60}"
status=0
mkdir -p "$build/artifacts"
for target in config control atlassian; do
    bin="$build/fuzz_$target"
    corpus="$build/corpus/$target"
    mkdir -p "$corpus"
    echo "== fuzz_$target for ${seconds}s =="
    log="$build/fuzz_$target.log"
    ASAN_OPTIONS=alloc_dealloc_mismatch=0:detect_leaks=1 \
    UBSAN_OPTIONS="halt_on_error=1:print_stacktrace=1:suppressions=$here/../tests/sanitizers/ubsan.supp" \
    "$bin" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
        -print_final_stats=1 -artifact_prefix="$build/artifacts/${target}-" \
        "$corpus" "$here/corpus/$target" >"$log" 2>&1
    rc=$?
    grep -E "^(#[0-9]+ +DONE|stat::number_of_executed_units|==[0-9]+==ERROR|SUMMARY)|artifact|uncaught|deadly" "$log"
    if [ "$rc" -ne 0 ]; then
        echo "fuzz_$target FOUND A CRASH (see $build/artifacts)"
        status=1
    fi
done
exit $status
