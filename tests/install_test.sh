#!/usr/bin/env bash
# `make install` (cmake --install, here into a DESTDIR) puts the daemon where the installed units
# run it, and the manuals and completion in the standard places of the one prefix.
# usage: install_test.sh BUILD_DIR
set -euo pipefail
build=$1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
DESTDIR=$root cmake --install "$build" >/dev/null
prefix=$(sed -n 's/^CMAKE_INSTALL_PREFIX:PATH=//p' "$build/CMakeCache.txt")
[ "$prefix" = /usr ] || fail "the default prefix is $prefix, not /usr (did you configure another?)"

for unit in rosterd.service rosterd@.service; do
    file=$(find "$root" -name "$unit" -path '*/systemd/system/*')
    [ -n "$file" ] || { fail "$unit not installed"; continue; }
    case $file in "$root$prefix"/lib/systemd/system/*) ;; *) fail "$unit installed as $file" ;; esac
    exec_start=$(sed -n 's/^ExecStart=\([^ ]*\).*/\1/p' "$file")
    [ -x "$root$exec_start" ] || fail "$unit runs $exec_start, which make install did not install"
done
for file in sbin/rosterd bin/rosterctl bin/rosterd-sim \
    share/man/man8/rosterd.8.gz share/man/man1/rosterctl.1.gz share/man/man5/rosterd.yaml.5.gz \
    share/bash-completion/completions/rosterctl share/zsh/vendor-completions/_rosterctl \
    lib/sysusers.d/rosterd.conf share/doc/rosterd/copyright; do
    [ -s "$root$prefix/$file" ] || fail "$prefix/$file not installed"
done
[ -s "$root/etc/rosterd/rosterd.example.yaml" ] || fail "/etc/rosterd/rosterd.example.yaml not installed"
zcat "$root$prefix/share/man/man8/rosterd.8.gz" | grep -q '^\.SH CONTROL COMMANDS' ||
    fail "the installed rosterd.8.gz is not the generated page"

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "make install: one prefix ($prefix), units run the installed daemon"
