#!/usr/bin/env bash
# The main job: a simulated fleet of 3 EC25 boards, one agent per board on loopback,
# and `cellfleet watch` streaming their signal. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
boards=${CELLFLEET_DEMO_BOARDS:-3}
bash scripts/setup.sh
bash scripts/build.sh cellfleet cellfleet-fleet

run_dir=$(mktemp -d /tmp/cellfleet-demo.XXXXXX)
fleet_pid=""
cleanup() {
  trap - EXIT INT TERM
  if [ -n "$fleet_pid" ]; then
    kill -TERM "$fleet_pid" 2>/dev/null || true
    # Bounded: the fleet stops its agents (each drains its streams within 5 s) and the
    # simulator; then it is killed.
    timeout 30 tail --pid="$fleet_pid" -f /dev/null 2>/dev/null || kill -KILL "$fleet_pid" 2>/dev/null || true
  fi
  rm -rf "$run_dir"
  echo "demo: stopped; logs were in $run_dir (removed)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# The fleet harness: one simulator with the boards, one real agent per board on a
# loopback port, and an inventory with labels. Its scenario gives board-02 a SIM that is
# not seated, for diagnose and doctor to find. Callers on loopback without a certificate
# are operators here (a board's default is viewer), so the demo can run AT queries.
build/tests/support/cellfleet-fleet --boards "$boards" --dir "$run_dir" \
  --scenario tests/testdata/scenarios/demo-fleet.yaml \
  --agent-arg=--unauthenticated-role=operator \
  --ready-file "$run_dir/fleet.ready" >"$run_dir/fleet.log" 2>&1 &
fleet_pid=$!
timeout 60 bash -c "until [ -s '$run_dir/fleet.ready' ]; do sleep 0.1; done" || {
  echo "demo: the fleet did not start:" >&2
  cat "$run_dir/fleet.log" >&2
  exit 1
}
inventory=$(cat "$run_dir/fleet.ready")

echo "demo: $boards simulated boards, agents listening on loopback; inventory $inventory:"
sed 's/^/  /' "$inventory"
echo "demo: try in a second terminal (this fleet runs until Ctrl-C here):"
echo "  cd $PWD"
echo "  build/client/cellfleet status --inventory $inventory"
echo "  build/client/cellfleet diagnose --inventory $inventory --select name=board-02"
echo "  build/client/cellfleet history --inventory $inventory --select name=board-00 --since 1h"
# The modems answer at a real EC25's pace: wait (bounded) until each has initialised.
timeout 30 bash -c "until [ \$(build/client/cellfleet --output json status --inventory '$inventory' 2>/dev/null |
  grep -c MODEM_STATE_READY) -ge $boards ]; do sleep 0.5; done" || true
build/client/cellfleet status --inventory "$inventory" || true
build/client/cellfleet diagnose --inventory "$inventory" || true
echo "demo: the hand checklist, live on each board ('cellfleet doctor')"
build/client/cellfleet doctor --inventory "$inventory" || true
echo "demo: the neighbour cells, by an AT command through each agent ('cellfleet at')"
build/client/cellfleet at 'AT+QENG="neighbourcell"' --inventory "$inventory" || true
echo "demo: streaming with 'cellfleet watch' (Ctrl-C to stop)"
build/client/cellfleet watch --inventory "$inventory" --interval 2
