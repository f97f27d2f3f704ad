#!/usr/bin/env bash
# rosterctl's bash and zsh completion (generated from rosterctl's command tree and rosterd's
# command registry) complete commands, subcommands, options, option values and `help COMMAND`.
# usage: completion_test.sh COMPLETION_DIR
set -euo pipefail
dir=$(cd "$1" && pwd)
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
for tool in bash zsh; do
    command -v $tool >/dev/null || { echo "$tool is not installed (make deps)"; exit 1; }
done

# bash: what COMPREPLY holds for a command line whose last word is being completed.
bash_complete() {
    bash --norc --noprofile -c '
        source "$1"; shift
        COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
        _rosterctl
        ((${#COMPREPLY[@]})) && printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " "; true' _ "$dir/rosterctl" "$@"
}
expect_bash() {
    local want=$1; shift
    local got; got=$(bash_complete "$@")
    [ "$got" = "$want" ] || fail "bash: rosterctl ${*:2}<TAB>: got '$got', want '$want'"
}
bash -n "$dir/rosterctl" || fail "bash: syntax error"
bash --norc -c "source '$dir/rosterctl'; complete -p rosterctl" | grep -qx 'complete -F _rosterctl rosterctl' ||
    fail "bash: no 'complete -F _rosterctl rosterctl'"
expect_bash "runs " rosterctl ru
expect_bash "reload " rosterctl rel
expect_bash "cancel show undo " rosterctl runs ""
expect_bash "--apply " rosterctl runs undo 12 --ap
expect_bash "history " rosterctl --socket /tmp/s sync h
expect_bash "history " rosterctl --json sync ""
expect_bash "--wait " rosterctl sync --wa
expect_bash "sync sync.history " rosterctl help sync
expect_bash "disable enable run " rosterctl tasks ""
expect_bash "--expires " rosterctl key set --ex
expect_bash "" rosterctl sync history -n ""
got=$(cd "$dir" && bash_complete rosterctl --socket "")
case " $got " in *" rosterctl "*) ;; *) fail "bash: --socket does not complete file names: '$got'" ;; esac

# zsh: _describe and _files stubbed to print what they were offered that matches the word being
# completed (as the real _describe does).
zsh_complete() {
    zsh -f -c '
        _describe() { local name=${@[-1]}; print -l -- ${(M)${${(P)name}%%:*}:#${words[CURRENT]}*} }
        _files() { print -- "<files>" }
        file=$1; shift
        words=("$@"); CURRENT=$#
        source $file | sort | tr "\n" " "' _ "$dir/_rosterctl" "$@"
}
expect_zsh() {
    local want=$1; shift
    local got; got=$(zsh_complete "$@")
    [ "$got" = "$want" ] || fail "zsh: rosterctl ${*:2}<TAB>: got '$got', want '$want'"
}
zsh -n "$dir/_rosterctl" || fail "zsh: syntax error"
head -1 "$dir/_rosterctl" | grep -qx '#compdef rosterctl' || fail "zsh: no #compdef line"
expect_zsh "runs " rosterctl ru
expect_zsh "cancel show undo " rosterctl runs ""
expect_zsh "history " rosterctl --socket /tmp/s sync h
expect_zsh "sync sync.history " rosterctl help sync
expect_zsh "--expires " rosterctl key set --ex
expect_zsh "<files> " rosterctl --socket ""
expect_zsh "" rosterctl sync history -n ""

[ "$failures" -eq 0 ] || { echo "$failures failure(s)"; exit 1; }
echo "bash and zsh completion of rosterctl work"
