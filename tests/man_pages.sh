#!/usr/bin/env bash
# The manual pages list everything the programs declare: every control command with its access
# level (rosterd(8) and rosterctl(1)), every rosterctl command (rosterctl(1)), every key of the
# settings table (rosterd.yaml(5)); the generator found no key without a row in
# docs/configuration.md and no row without a key; and groff renders each page without a warning
# at lintian's width.
# usage: man_pages.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
docgen=$build/man/rosterd-docgen
man_dir=$build/man
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
# A name as it appears in roff: minus signs escaped.
roffed() { printf '%s' "$1" | sed 's/-/\\-/g'; }
# Text as a literal in an extended regular expression.
ere() { printf '%s' "$1" | sed -e 's/[][\\.*^$()+?{}|]/\\&/g'; }
has_line() { grep -qxF -- "$2" "$man_dir/$1" || fail "$1 has no line: $2"; }

for page in rosterd.8 rosterctl.1 rosterd.yaml.5; do
    [ -s "$man_dir/$page" ] || fail "$page was not generated"
    [ -s "$man_dir/$page.gz" ] || fail "$page.gz was not generated"
done
[ "$failures" -eq 0 ] || exit 1

commands=$("$docgen" --list commands)
[ "$(printf '%s\n' "$commands" | wc -l)" -gt 20 ] || fail "the registry lists too few commands"
while read -r name level; do
    line="\\fB$(roffed "$name")\\fR (\\fI$(roffed "$level")\\fR)"
    has_line rosterd.8 "$line"
    has_line rosterctl.1 "$line"
done <<<"$commands"

while read -r path; do
    has_line rosterctl.1 ".SS \"$path\""
done < <("$docgen" --list cli)
for path in "sync history" "key set" "runs undo" "tasks enable" "users" "bulk"; do
    has_line rosterctl.1 ".SS \"$path\""
done

keys=$("$docgen" --list config-keys --source-dir "$src")
for key in atlassian.org_id sync.daily_at notifications.webhooks[].url tasks[].schedule; do
    printf '%s\n' "$keys" | grep -qxF "$key" || fail "the settings table walk misses $key"
done
while read -r key; do
    case $key in
        filters.\<name\>.* | tasks\[\].filter.*)
            has_line rosterd.yaml.5 "\\fB$(roffed "${key##*.}")\\fR" ;;
        *.*)
            # The key's own entry, or the entry of its items (inactivity.per_product.<product>),
            # or, for a mapping of further keys (control.access), the entries of those.
            grep -qE "^$(ere "\\fB$(roffed "$key")")(\\\\fR| |\.|\[)" "$man_dir/rosterd.yaml.5" ||
                fail "rosterd.yaml.5 has no entry for $key" ;;
        *)
            has_line rosterd.yaml.5 ".SS $key" ;;
    esac
done <<<"$keys"

if grep -n UNDOCUMENTED "$man_dir"/*.[158]; then fail "a key has no row in docs/configuration.md"; fi
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
if ! "$docgen" --source-dir "$src" --out-dir "$work" 2>"$work/stderr" || [ -s "$work/stderr" ]; then
    fail "rosterd-docgen reported: $(cat "$work/stderr")"
fi
for page in rosterd.8 rosterctl.1 rosterd.yaml.5; do
    cmp -s "$work/$page" "$man_dir/$page" || fail "$page is stale (rebuild)"
    # What lintian runs (groff-message).
    warnings=$(LC_ALL=C.UTF-8 MANWIDTH=80 man --warnings -E UTF-8 -l -Tutf8 -Z "$man_dir/$page" 2>&1 >/dev/null || true)
    [ -z "$warnings" ] || fail "$page: groff warns: $warnings"
done

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "manual pages list every command and key; groff renders them cleanly"
