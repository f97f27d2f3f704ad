#!/usr/bin/env bash
# docs/architecture.md's module table must list exactly the modules and dependencies the build
# declares (build/module-graph.txt, written by cmake/CheckModules.cmake), and the graph must
# have no cycle. Usage: module_graph_test.sh BUILD_DIR SOURCE_DIR
set -eu
build=$1
src=$2
graph=$build/module-graph.txt
[ -s "$graph" ] || { echo "FAIL: $graph is missing (the module check did not run)"; exit 1; }

# "| module | deps | text |" rows under "## Modules", as "module: dep dep".
documented=$(awk -F'|' '/^## Modules/ {on=1; next} /^## / {on=0}
  on && /^\| [a-z_]+ \|/ && $2 !~ /module/ { gsub(/^ +| +$/, "", $2); gsub(/^ +| +$/, "", $3); print $2 ": " $3 }' \
  "$src/docs/architecture.md" | sed "s/ *$//" | sort)
declared=$(sed 's/ *$//' "$graph" | sort)
if [ "$documented" != "$declared" ]; then
    echo "FAIL: docs/architecture.md and the build disagree (< docs, > build):"
    diff <(echo "$documented") <(echo "$declared") || true
    exit 1
fi

# No cycle: repeatedly remove modules whose dependencies are all removed (Kahn).
remaining=$declared
while [ -n "$remaining" ]; do
    names=$(echo "$remaining" | cut -d: -f1)
    ready=$(echo "$remaining" | while IFS=: read -r m deps; do
        blocked=0
        for d in $deps; do echo "$names" | grep -qx "$d" && blocked=1; done
        if [ $blocked -eq 0 ]; then echo "$m"; fi
    done)
    [ -n "$ready" ] || { echo "FAIL: the module graph has a cycle among: $(echo $names)"; exit 1; }
    remaining=$(echo "$remaining" | while IFS=: read -r m deps; do
        if ! echo "$ready" | grep -qx "$m"; then echo "$m:$deps"; fi; done)
done
echo "ok: $(echo "$declared" | wc -l) modules, the table matches the build, no cycle"
