#!/usr/bin/env bash
# The systemd units as the build generates them (systemd/*.in):
#  - ExecStart= runs the daemon where `make install` and the package put it (one prefix);
#  - every LoadCredential= has a SetCredential= default of the same id, so a missing credential
#    file (a key installed only with `rosterctl key set`) does not fail the unit (systemd.exec(5):
#    with both, "not being able to retrieve the credential from the path specified in
#    LoadCredential= is not considered fatal");
#  - systemd-analyze verify is clean, Documentation=man: pages included (looked up in the
#    generated pages).
# ExecStart must exist for verify to pass, so the units are verified on copies that run /bin/true.
# usage: systemd_verify.sh UNITS_DIR MAN_DIR INSTALLED_DAEMON
set -euo pipefail
units_dir=$1 man_dir=$2 daemon=$3
for tool in systemd-analyze man; do
    command -v $tool >/dev/null || { echo "$tool is not installed (make deps)"; exit 1; }
done
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

for unit in rosterd.service rosterd@.service; do
    file=$units_dir/$unit
    exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$file")
    [ "$exec_start" = "$daemon" ] || fail "$unit: ExecStart=$exec_start, the daemon is installed as $daemon"
    loads=$(sed -n 's/^LoadCredential=\([^:]*\):.*/\1/p' "$file")
    [ -n "$loads" ] || fail "$unit: no LoadCredential="
    for id in $loads; do
        grep -qE "^SetCredential=$id:.+" "$file" ||
            fail "$unit: LoadCredential=$id has no SetCredential=$id: default; a missing file fails the unit"
    done
    grep -q '^Documentation=man:rosterd(8)' "$file" || fail "$unit: no Documentation=man:rosterd(8)"
    sed -e "s#^ExecStart=[^ ]*#ExecStart=/bin/true#" "$file" > "$work/$unit"
done
cp "$work/rosterd@.service" "$work/rosterd@example.service"

# The generated pages, where man(1) finds them.
for page in rosterd.8 rosterctl.1 rosterd.yaml.5; do
    mkdir -p "$work/man/man${page##*.}"
    cp "$man_dir/$page" "$work/man/man${page##*.}/"
done
out=$(cd "$work" && MANPATH="$work/man" SYSTEMD_LOG_LEVEL=notice \
    systemd-analyze verify --man=yes ./rosterd.service ./rosterd@example.service 2>&1 || true)
# Messages about the machine itself (no running systemd, missing users in a container) are not ours.
problems=$(printf '%s\n' "$out" | grep -v -E '^$|Failed to .* bus|not running|User .* not found|Unknown user|No such file or directory.*(rosterd\.yaml|api-key)|/etc/rosterd' || true)
[ -z "$problems" ] || fail "systemd-analyze verify reported:
$problems"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "systemd units verify clean"
