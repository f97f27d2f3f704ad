#!/usr/bin/env bash
# make package builds two packages: rosterd (daemon, rosterctl, units, manuals, completion; no
# simulator) and rosterd-sim; lintian reports no error on either (its warnings are printed).
# usage: package_test.sh BUILD_DIR
set -euo pipefail
build=$(cd "$1" && pwd)
for tool in cpack lintian dpkg-deb; do
    command -v $tool >/dev/null || { echo "$tool is not installed (make deps)"; exit 1; }
done
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
(cd "$out" && cpack --config "$build/CPackConfig.cmake" -G DEB -B "$out" >cpack.log 2>&1) ||
    { cat "$out/cpack.log"; exit 1; }
version=$(sed -n 's/^set(CPACK_PACKAGE_VERSION "\(.*\)")/\1/p' "$build/CPackConfig.cmake")
arch=$(dpkg --print-architecture)
main=$out/rosterd_${version}_$arch.deb
sim=$out/rosterd-sim_${version}_$arch.deb
ls "$out"/*.deb
[ -f "$main" ] && [ -f "$sim" ] || { fail "expected $main and $sim"; exit 1; }

contents() { dpkg-deb -c "$1" | awk '{print $6}' | sed 's#^\./#/#'; }
main_files=$(contents "$main")
sim_files=$(contents "$sim")
for file in /usr/sbin/rosterd /usr/bin/rosterctl /usr/lib/systemd/system/rosterd.service \
    /usr/lib/systemd/system/rosterd@.service /usr/lib/sysusers.d/rosterd.conf \
    /usr/share/man/man8/rosterd.8.gz /usr/share/man/man1/rosterctl.1.gz \
    /usr/share/man/man5/rosterd.yaml.5.gz /usr/share/bash-completion/completions/rosterctl \
    /usr/share/zsh/vendor-completions/_rosterctl /etc/rosterd/rosterd.example.yaml \
    /usr/share/doc/rosterd/copyright /usr/share/doc/rosterd/changelog.gz; do
    printf '%s\n' "$main_files" | grep -qxF "$file" || fail "rosterd package lacks $file"
done
printf '%s\n' "$main_files" | grep -q 'rosterd-sim' && fail "the rosterd package ships the simulator"
for file in /usr/bin/rosterd-sim /usr/share/doc/rosterd-sim/copyright /usr/share/doc/rosterd-sim/changelog.gz; do
    printf '%s\n' "$sim_files" | grep -qxF "$file" || fail "rosterd-sim package lacks $file"
done
printf '%s\n' "$sim_files" | grep -qE '/(rosterd|rosterctl)$' && fail "the rosterd-sim package ships the daemon"
dpkg-deb -x "$main" "$out/root"
exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$out/root/usr/lib/systemd/system/rosterd.service")
[ -x "$out/root$exec_start" ] || fail "the packaged unit runs $exec_start, not in the package"
dpkg-deb -e "$main" "$out/control"
grep -qxF /etc/rosterd/rosterd.example.yaml "$out/control/conffiles" || fail "the example is not a conffile"

for deb in "$main" "$sim"; do
    report=$(lintian --tag-display-limit 0 "$deb" 2>&1 || true)
    echo "lintian $(basename "$deb"):"
    printf '%s\n' "$report" | sed 's/^/  /'
    printf '%s\n' "$report" | grep -q '^E: ' && fail "lintian reports errors on $(basename "$deb")"
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "two packages, lintian: no errors"
