#!/bin/bash
# cellfleet's bash completion, driven as bash drives it (COMP_WORDS, COMP_CWORD) against
# the built CLI: subcommands at any depth, options of the command typed and the global
# ones, fixed values, and nothing for a word no command has.
# Usage: bash_completion_test.sh SOURCE_DIR CLI
set -euo pipefail
src=$1
cli=$(realpath "$2")
bin=$(mktemp -d /tmp/cellfleet-completion.XXXXXX)
trap 'rm -rf "$bin"' EXIT
ln -s "$cli" "$bin/cellfleet"
export PATH="$bin:$PATH"
# shellcheck source=/dev/null
source "$src/deploy/bash-completion/cellfleet"

failures=0
complete_line() {  # complete_line WORD...: what completing the last word offers
  COMP_WORDS=("$@")
  COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
  _cellfleet
  printf '%s\n' "${COMPREPLY[@]}" | sort | tr '\n' ' ' | sed 's/ $//'
}
expect() {  # expect "WANT" WORD...
  local want=$1
  shift
  local got
  got=$(complete_line "$@")
  if [[ "$got" == "$want" ]]; then
    echo "ok: [$*] -> $got"
  else
    echo "FAIL: [$*]: want '$want', got '$got'"
    failures=$((failures + 1))
  fi
}
expect "status" cellfleet sta
expect "decode diagnose dial doctor" cellfleet d
expect "apply" cellfleet config ap
expect "--inventory" cellfleet status --inv
expect "--timeout" cellfleet status --inventory f.yaml --time
expect "csv json table" cellfleet -o ""
expect "" cellfleet nosuchcommand
expect "" cellfleet status --no-such-optio
exit $((failures > 0))
