#!/usr/bin/env bash
# make bench: every benchmark against rosterd-sim, a table on stdout, the figures in
# bench/results/*.json (with the machine's core count). Not part of `make test`.
#
#   bench/run.sh BUILD_DIR
#
# Environment: BENCH_USERS (default 10000,100000,500000; the 500k organization adds ~4 minutes),
# BENCH_NAIVE_MAX (100000: the naive sequential client, bench/naive_sync.py, also runs at sizes up
# to this), BENCH_DAYS (30 daily syncs of BENCH_DAYS_USERS, 10000, for the database's growth; 0
# skips), BENCH_LATENCY_MS (20),
# BENCH_ACTIVITY_SECONDS (120; 0 skips the per-user activity fallback), BENCH_QUERY_USERS (100000),
# BENCH_OPS_USERS (5000), BENCH_OPS_RATE (the sim's --rate-limit, 5000 a minute),
# BENCH_OPS_RETRY_AFTER (both: one run with Retry-After on 429s and one with X-RateLimit-* only;
# on; off). bench/ops takes about 2 minutes per run at the defaults.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
build="$(cd "${1:-build}" && pwd)"
results="$here/results"
mkdir -p "$results"

find_bin() {
    for candidate in "$build/$1" "$build/bench/$1" "$build/daemon/$1" "$build/daemon/cli/$1" "$build/sim/$1"; do
        [ -x "$candidate" ] && { echo "$candidate"; return; }
    done
    echo "benchmark: $1 not found under $build" >&2
    exit 1
}

echo "== bench/sync: rosterd syncing rosterd-sim (cores: $(nproc)) =="
python3 "$here/sync.py" "$build" \
    --users "${BENCH_USERS:-10000,100000,500000}" \
    --naive-max "${BENCH_NAIVE_MAX:-100000}" \
    --days "${BENCH_DAYS:-30}" --days-users "${BENCH_DAYS_USERS:-10000}" \
    --latency-ms "${BENCH_LATENCY_MS:-20}" \
    --activity-seconds "${BENCH_ACTIVITY_SECONDS:-120}" \
    --socket-bench \
    --out "$results/sync.json"

echo
echo "== bench/query: queries on a ${BENCH_QUERY_USERS:-100000}-user snapshot =="
"$(find_bin query_bench)" --users "${BENCH_QUERY_USERS:-100000}" --out "$results/query.json"

echo
echo "== bench/ops: bulk suspend of ${BENCH_OPS_USERS:-5000} users, sim limit ${BENCH_OPS_RATE:-5000}/min =="
python3 "$here/ops.py" "$build" \
    --users "${BENCH_OPS_USERS:-5000}" \
    --rate-limit "${BENCH_OPS_RATE:-5000}" \
    --retry-after "${BENCH_OPS_RETRY_AFTER:-both}" \
    --out "$results/ops.json"

echo
python3 "$here/table.py" "$results/sync.json" "$results/query.json" "$results/ops.json"
