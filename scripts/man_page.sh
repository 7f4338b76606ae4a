#!/usr/bin/env bash
# Builds a program's man page from its own --help (help2man), so that the page and the
# program cannot disagree: the options from --help, a COMMANDS section from each
# subcommand's --help (walked to any depth), and the hand-written sections of
# docs/man/NAME.h2m (description, files, examples, see also). Gzipped, as Debian installs.
# Usage: man_page.sh PROGRAM NAME SECTION SUMMARY INCLUDE OUT.gz
set -euo pipefail
program=$1 name=$2 section=$3 summary=$4 include=$5 out=$6

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp "$include" "$work/include.h2m"

# The subcommands listed in the --help of `program ARGS...`.
subcommands() {
  "$program" "$@" --help | awk '/^Subcommands:/ { on = 1; next }
                                 on && /^  [a-z]/ { print $1 }
                                 on && /^[^ ]/ { exit }'
}
# Roff-safe verbatim text: backslashes doubled, no line read as a request.
verbatim() { sed -e 's/\\/\\e/g' -e 's/^[.'"'"']/\\\&&/'; }
walk() {
  local sub
  for sub in $(subcommands "$@"); do
    echo ".SS \"$name${*:+ $*} $sub\""
    echo ".nf"
    "$program" "$@" "$sub" --help | verbatim
    echo ".fi"
    walk "$@" "$sub"
  done
}
if [[ -n "$(subcommands)" ]]; then
  { echo "[COMMANDS]"; walk; } >>"$work/include.h2m"
fi
# help2man reads --version; SOURCE_DATE_EPOCH (set by the build) dates the page.
help2man --no-info --no-discard-stderr --section="$section" --name="$summary" --include="$work/include.h2m" \
  --output="$work/$name.$section" "$program"
gzip -9n <"$work/$name.$section" >"$out.tmp"
mv "$out.tmp" "$out"
