#!/usr/bin/env bash
# systemd-analyze verify on both units. ExecStart must exist for verify to pass, so the units are
# checked on copies whose ExecStart points at a binary that exists on every machine.
set -euo pipefail
units_dir="$1"
if ! command -v systemd-analyze >/dev/null; then
    echo "systemd-analyze not installed (apt-get install systemd)"; exit 1
fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
for unit in rosterd.service rosterd@.service; do
    sed -e 's#/usr/sbin/rosterd#/bin/true#' "$units_dir/$unit" > "$work/$unit"
done
cp "$work/rosterd@.service" "$work/rosterd@example.service" 2>/dev/null || true
out=$(cd "$work" && SYSTEMD_LOG_LEVEL=notice systemd-analyze verify --man=no ./rosterd.service ./rosterd@example.service 2>&1 || true)
# Messages about the machine itself (no running systemd, missing users in a container) are not ours.
problems=$(printf '%s\n' "$out" | grep -v -E '^$|Failed to .* bus|not running|User .* not found|Unknown user|No such file or directory.*(rosterd\.yaml|api-key)|/etc/rosterd' || true)
if [ -n "$problems" ]; then
    printf 'systemd-analyze verify reported:\n%s\n' "$problems"
    exit 1
fi
echo "systemd units verify clean"
