#!/usr/bin/env bash
# Issue #16: moves the public headers into include/rosterd/<module>/ (and the few sources and
# private headers that change module), then rewrites every include in daemon/ tests/ sim/ bench/
# man/ fuzz/ to the new paths. Idempotent: a move whose old path is gone is skipped, and the
# rewrite only touches includes still naming an old path, so it can be run again after merging a
# branch that added files with the old includes.
# Usage: scripts/dev/move-headers.sh (from anywhere inside the repository)
set -eu
cd "$(git rev-parse --show-toplevel)"

# Public headers: old name under include/rosterd/ -> new path under include/rosterd/.
headers='
access_scope.hpp model/access_scope.hpp
api_key_source.hpp keys/api_key_source.hpp
atlassian.hpp atlassian/atlassian.hpp
atlassian_client.hpp atlassian/client.hpp
atlassian_parse.hpp atlassian/parse.hpp
atlassian_policy.hpp atlassian/policy.hpp
atlassian_types.hpp atlassian/types.hpp
audit.hpp audit/audit.hpp
clock.hpp base/clock.hpp
config.hpp config/config.hpp
control_access.hpp control/access.hpp
control_db_reply.hpp control/db_reply.hpp
control_json.hpp base/json.hpp
control_protocol.hpp control/protocol.hpp
control_registry.hpp control/registry.hpp
control_server.hpp control/server.hpp
daemon.hpp app/daemon.hpp
db_executor.hpp store/db_executor.hpp
events.hpp model/events.hpp
http.hpp http/http.hpp
keys.hpp keys/keys.hpp
logging.hpp base/logging.hpp
metrics.hpp metrics/metrics.hpp
money.hpp money/money.hpp
money_report.hpp money/report.hpp
notice.hpp notice/notice.hpp
notify.hpp notify/notify.hpp
notify_delivery.hpp notify/delivery.hpp
notify_format.hpp notify/format.hpp
notify_mail.hpp notify/mail.hpp
ops_action.hpp model/action.hpp
ops_plan.hpp ops/plan.hpp
ops_scope.hpp ops/scope.hpp
ops_seat_target.hpp ops/seat_target.hpp
pricing.hpp query/pricing.hpp
query.hpp query/query.hpp
query_csv.hpp query/csv.hpp
query_held.hpp query/held.hpp
query_json.hpp query/json.hpp
query_snapshot.hpp query/snapshot.hpp
schedule.hpp schedule/schedule.hpp
seat_alerts.hpp seats/seat_alerts.hpp
snapshot_slots.hpp store/snapshot_slots.hpp
state_files.hpp store/state_files.hpp
store.hpp store/store.hpp
subsystem.hpp service/subsystem.hpp
sync.hpp sync/sync.hpp
systemd_notify.hpp app/systemd_notify.hpp
time_format.hpp base/time_format.hpp
user_filter.hpp model/user_filter.hpp
user_filter_args.hpp query/user_filter_args.hpp
'

# Private headers other modules (or tests) need: daemon/<old> -> include/rosterd/<new>.
promoted='
atlassian/user_batch_read.hpp atlassian/user_batch_read.hpp
ops/run_store.hpp ops/run_store.hpp
ops/run_stage.hpp ops/run_stage.hpp
'

# Sources that change module: daemon/<old> -> daemon/<new>.
sources='
core/logging.cpp base/logging.cpp
core/time_format.cpp base/time_format.cpp
core/systemd_notify.cpp app/systemd_notify.cpp
metrics/listen_address.cpp config/listen_address.cpp
control/scope.cpp model/access_scope.cpp
ops/action.cpp model/action.cpp
query/user_filter_fields.cpp model/user_filter_fields.cpp
query/user_filter_json.cpp model/user_filter_json.cpp
'

# sed -i that leaves a file alone (and its mtime, so nothing rebuilds) when nothing changes.
rewrite() {  # sed-args... file
    local file=${@: -1}
    sed "$@" >"$file.tmp.$$" || { rm -f "$file.tmp.$$"; return 1; }
    if cmp -s "$file" "$file.tmp.$$"; then rm -f "$file.tmp.$$"; else cat "$file.tmp.$$" >"$file"; rm -f "$file.tmp.$$"; fi
}

move() {  # old new
    if [ -e "$1" ] && [ ! -e "$2" ]; then
        mkdir -p "$(dirname "$2")"
        git mv "$1" "$2"
    fi
}

script=$(mktemp)
trap 'rm -f "$script"' EXIT
while read -r old new; do
    [ -n "$old" ] || continue
    move "include/rosterd/$old" "include/rosterd/$new"
    echo "s|\"rosterd/$old\"|\"rosterd/$new\"|g" >>"$script"
done <<<"$headers"
while read -r old new; do
    [ -n "$old" ] || continue
    move "daemon/$old" "include/rosterd/$new"
    module=${old%%/*}
    file=${old#*/}
    # From another module or a test ("../m/x.hpp", "../../daemon/m/x.hpp", "daemon/m/x.hpp").
    echo "s|\"\\(\\.\\./\\)*\\(daemon/\\)\\?$module/$file\"|\"rosterd/$new\"|g" >>"$script"
    # From inside the module: only files of that module say "x.hpp".
done <<<"$promoted"
while read -r old new; do
    [ -n "$old" ] || continue
    move "daemon/$old" "daemon/$new"
done <<<"$sources"
# White-box tests, benchmarks and tools name private headers from the repository root (their
# targets add it as an include dir) instead of climbing out of their folder.
echo 's|"\(\.\./\)\+daemon/|"daemon/|g' >>"$script"
echo 's|"\(\.\./\)\+fuzz/|"fuzz/|g' >>"$script"

files=$(git ls-files -- daemon tests sim bench man fuzz | grep -E '\.(cpp|hpp|h|cc|in)$' || true)
for f in $files; do
    [ -f "$f" ] || continue
    rewrite -f "$script" "$f"
done
# The promoted headers as their own module's files name them.
while read -r old new; do
    [ -n "$old" ] || continue
    module=${old%%/*}
    file=${old#*/}
    for f in daemon/"$module"/*.?pp include/rosterd/"$module"/*.hpp; do
        [ -f "$f" ] && rewrite "s|#include \"$file\"|#include \"rosterd/$new\"|" "$f"
    done
done <<<"$promoted"
# Inside include/rosterd too (headers include each other).
for f in $(git ls-files -- include/rosterd | grep -E '\.hpp$'); do
    [ -f "$f" ] && rewrite -f "$script" "$f"
done
# DaemonContext lives with the Subsystem interface (rosterd/service/subsystem.hpp): only app/
# includes the daemon itself.
for f in $(git ls-files -- daemon | grep -E '\.(cpp|hpp)$' | grep '^daemon/[^/]*/' | grep -v '^daemon/app/'); do
    [ -f "$f" ] || continue
    grep -q '#include "rosterd/app/daemon.hpp"' "$f" || continue
    rewrite 's|#include "rosterd/app/daemon.hpp"|#include "rosterd/service/subsystem.hpp"|' "$f"
    # Once is enough when the file included both.
    awk '!/^#include "rosterd\/service\/subsystem.hpp"/ || !seen++' "$f" >"$f.tmp" && mv "$f.tmp" "$f"
done
exit 0
