#!/usr/bin/env bash
# cmake/CheckModules.cmake must stop the build on an include the module graph does not allow: a
# header of an undeclared module, a "../" reach into another folder, a flat rosterd/x.hpp; and
# pass a tree that keeps to its declarations. Runs the check on small made-up trees.
# Usage: module_check_test.sh SOURCE_DIR CMAKE
set -eu
src=$1
cmake=${2:-cmake}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# Modules `low` (no dependency) and `high` (DEPENDS low); $1 is one line of high's source.
check() {
    rm -rf "$work/tree"
    mkdir -p "$work/tree/daemon/low" "$work/tree/daemon/high" "$work/tree/include/rosterd/low"
    echo '#pragma once' >"$work/tree/include/rosterd/low/low.hpp"
    echo '#include "rosterd/low/low.hpp"' >"$work/tree/daemon/low/low.cpp"
    printf '%s\n' "$1" >"$work/tree/daemon/high/high.cpp"
    printf '%s\n' "$2" >>"$work/tree/daemon/low/low.cpp"
    cat >"$work/graph.cmake" <<'GRAPH'
list(APPEND MODULES low)
set(DEPS_low "")
set(DIR_low "daemon/low")
list(APPEND MODULES high)
set(DEPS_high "low")
set(DIR_high "daemon/high")
GRAPH
    "$cmake" -DGRAPH="$work/graph.cmake" -DSOURCE_DIR="$work/tree" -DOUTPUT="$work/graph.txt" \
        -P "$src/cmake/CheckModules.cmake" >"$work/out" 2>&1
}

fail=0
expect_ok() {
    if ! check "$1" "$2"; then
        echo "FAIL: refused a tree that keeps to its declarations ($1 / $2):"; cat "$work/out"; fail=1
    fi
}
expect_refused() {  # what, high's line, low's line
    if check "$2" "$3"; then
        echo "FAIL: accepted $1"; fail=1
    elif ! grep -q "$4" "$work/out"; then
        echo "FAIL: $1 refused without saying why:"; cat "$work/out"; fail=1
    fi
}

expect_ok '#include "rosterd/low/low.hpp"' '#include "low_private.hpp"'
expect_refused "an undeclared module's header" '' '#include "rosterd/high/high.hpp"' "does not DEPEND on 'high'"
expect_refused "a reach into another folder" '#include "../low/low_private.hpp"' '' "reaches into another module"
expect_refused "a flat header" '#include "rosterd/low.hpp"' '' "belongs to no module"
[ $fail -eq 0 ] && echo "ok: the module check refuses undeclared, ../ and flat includes"
exit $fail
