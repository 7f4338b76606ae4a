#!/bin/bash
# Every command and every option of each program appears in its man page (as rendered by
# man), walked from the program's own --help. Control: the check does fail on a page
# that lacks them (the CLI's commands against the collector's page).
# Usage: man_pages_test.sh BUILD_DIR
set -euo pipefail
build=$1
[[ -d "$build/man" ]] || { echo "SKIPPED: no man pages in this build (cross or sanitizer)"; exit 77; }

subcommands() {  # subcommands PROGRAM ARGS...: those listed in its --help
  local program=$1
  shift
  "$program" "$@" --help | awk '/^Subcommands:/ { on = 1; next }
                                 on && /^  [a-z]/ { print $1 }
                                 on && /^[^ ]/ { exit }'
}
options() {  # options PROGRAM ARGS...: the long options in its --help
  local program=$1
  shift
  "$program" "$@" --help | awk '/^Options:/ { on = 1; next } on && /^[^ ]/ { exit } on' |
    grep -oE -- '--[a-z][a-z0-9-]*' | sort -u
}
# missing PROGRAM PAGE [ARGS...]: each command path and option of PROGRAM ARGS... absent from PAGE.
missing() {
  local program=$1 page=$2 sub option
  shift 2
  for option in $(options "$program" "$@"); do
    grep -qF -- "$option" "$page" || echo "${*:-(top)}: $option"
  done
  for sub in $(subcommands "$program" "$@"); do
    grep -qF -- "$(basename "$program") ${*:+$* }$sub" "$page" || echo "command: $* $sub"
    missing "$program" "$page" "$@" "$sub"
  done
}

work=$(mktemp -d /tmp/cellfleet-man.XXXXXX)
trap 'rm -rf "$work"' EXIT
render() { MANWIDTH=200 man -l "$1" 2>/dev/null | col -b >"$2"; }
render "$build/man/cellfleet.1.gz" "$work/cellfleet"
render "$build/man/cellfleet-collector.1.gz" "$work/cellfleet-collector"
render "$build/man/cellfleet-agent.8.gz" "$work/cellfleet-agent"
render "$build/man/cellfleet-gateway.8.gz" "$work/cellfleet-gateway"

[[ -n "$(missing "$build/client/cellfleet" "$work/cellfleet-collector")" ]] ||
  { echo "FAIL: control: the collector's page passed for the CLI's commands"; exit 1; }
echo "ok: control: a page without the commands fails the check"

source "$(dirname "$0")/../support/rules_lib.sh"
for program in client/cellfleet collector/cellfleet-collector agent/cellfleet-agent \
  gateway/cellfleet-gateway; do
  name=$(basename "$program")
  count=$(($(options "$build/$program" | wc -l) + $(subcommands "$build/$program" | wc -l)))
  report "$name: every command and option is in its man page ($count at the top level)" \
    "$(missing "$build/$program" "$work/$name")"
done
exit_with_failures
