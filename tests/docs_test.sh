#!/bin/bash
# The documentation against the tree:
#   - every relative link in README.md and docs/*.md names a file that exists, and every
#     #anchor a heading of that file;
#   - docs/architecture.md's folder table says, for each folder, exactly the folders its
#     non-test sources include.
# Each check is first shown to fail on a planted mistake (its control).
# Usage: docs_test.sh SOURCE_DIR
set -euo pipefail
source "$(dirname "$0")/support/rules_lib.sh"
cd "$1"

# GitHub's anchor of a heading: lower case, punctuation dropped, spaces to hyphens.
anchors() {
  grep -E '^#+ ' "$1" | sed -E 's/^#+ //' | tr 'A-Z' 'a-z' | sed -E 's/[^a-z0-9 _-]//g; s/ /-/g'
}
# broken_links FILE...: "file: link" for each relative link that does not resolve.
broken_links() {
  local file link target anchor
  for file in "$@"; do
    grep -oE '\]\([^)]+\)' "$file" | sed -E 's/^\]\(//; s/\)$//' | grep -vE '^(https?|mailto):' |
      while read -r link; do
        target=${link%%#*}
        anchor=
        [[ $link == *'#'* ]] && anchor=${link#*#}
        if [[ -z $target ]]; then target=$file; else target=$(dirname "$file")/$target; fi
        if [[ ! -e $target ]]; then
          echo "$file: $link (no such file)"
        elif [[ -n $anchor ]] && ! anchors "$target" | grep -qxF -- "$anchor"; then
          echo "$file: $link (no such heading)"
        fi
      done
  done
}

# The unit a header belongs to: an agent part, else a top-level folder; the generated
# API is proto/.
unit_of() {
  case $1 in
    cellfleet/v1/*) echo proto/ ;;
    agent/*/*) echo "$(cut -d/ -f1-2 <<<"$1")/" ;;
    agent/*) echo agent/ ;;
    */*) echo "$(cut -d/ -f1 <<<"$1")/" ;;
  esac
}
unit_sources() {
  if [[ $1 == agent/ ]]; then
    find agent -maxdepth 1 \( -name '*.cc' -o -name '*.h' \)
  else
    find "${1%/}" \( -name '*.cc' -o -name '*.h' \) -not -name '*_test.cc' \
      -not -name '*_fuzzer.cc' -not -path '*/testing/*'
  fi
}
# What a unit's sources include, as units: "a/ b/ c/".
sees() {
  unit_sources "$1" | xargs -r grep -hoE '^#include "[^"]+"' | sed -E 's/^#include "//; s/"$//' |
    while read -r header; do
      if [[ -e $header || $header == cellfleet/v1/* ]]; then unit_of "$header"; fi
    done | sort -u | grep -vxF "$1" | tr '\n' ' ' | sed 's/ $//'
}
# table_mismatches DOC: "unit: doc says X, includes say Y" for each row that differs.
table_mismatches() {
  grep -E '^\| `[a-z/]+/` \|' "$1" | while IFS='|' read -r _ unit _ said _; do
    unit=$(tr -d ' `' <<<"$unit")
    said=$(grep -oE '`[a-z/]+/`' <<<"$said" | tr -d '`' | sort -u | tr '\n' ' ' | sed 's/ $//')
    actual=$(sees "$unit")
    [[ "$said" == "$actual" ]] || echo "$unit: the table says [$said], the includes say [$actual]"
  done
}

plant=$(mktemp -d /tmp/cellfleet-docs.XXXXXX)
trap 'rm -rf "$plant"' EXIT
printf '# T\n\n## A heading\n\n[ok](#a-heading) [bad](#no-heading) [gone](missing.md)\n' >"$plant/page.md"
[[ $(broken_links "$plant/page.md" | wc -l) -eq 2 ]] || { echo "FAIL: control: link check"; exit 1; }
sed 's/^| `fleet\/` \(.*\)`yamlconf\/` |$/| `fleet\/` \1|/' docs/architecture.md >"$plant/architecture.md"
[[ -n "$(table_mismatches "$plant/architecture.md")" ]] ||
  { echo "FAIL: control: a row missing a folder passed"; exit 1; }
echo "ok: controls: a broken link, a missing heading and a wrong table row are caught"

report "README and docs links resolve" "$(broken_links README.md docs/*.md)"
rows=$(grep -cE '^\| `[a-z/]+/` \|' docs/architecture.md)
report "docs/architecture.md's $rows folders match their includes" "$(table_mismatches docs/architecture.md)"
folders=$(for d in */ agent/*/; do
  [[ -n "$(find "$d" -maxdepth 1 -name '*.cc' -not -name '*_test.cc' 2>/dev/null)" ]] && echo "$d"
done | grep -vE '^(build|tests|bench)' | grep -vE '^(modem/|client/)[a-z]' || true)
missing=$(for d in $folders; do grep -qE "^\| \`$d\` \|" docs/architecture.md || echo "$d"; done)
report "every folder with sources has a row" "$missing"
exit_with_failures
