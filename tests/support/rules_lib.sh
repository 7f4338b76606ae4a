# Sourced by the tests of rules no compiler checks (layering, docs, man pages): one way to
# report a rule, and the count of those broken for the exit status.
#   source rules_lib.sh; report NAME PROBLEMS; ...; exit_with_failures
failures=0

# report NAME PROBLEMS: "ok: NAME" when PROBLEMS is empty, else "FAIL: NAME:" and each
# problem indented.
report() {
  if [[ -n "$2" ]]; then
    echo "FAIL: $1:"
    echo "$2" | sed 's/^/  /'
    failures=$((failures + 1))
  else
    echo "ok: $1"
  fi
}

exit_with_failures() { exit $((failures > 0)); }
