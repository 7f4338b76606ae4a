#!/usr/bin/env bash
# The main job: a simulated fleet of 3 EC25 boards, one agent per board on loopback,
# and `cellfleet watch` streaming their signal. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
boards=${CELLFLEET_DEMO_BOARDS:-3}
bash scripts/setup.sh
bash scripts/build.sh cellfleet cellfleet-agent cellfleet-modemsim

run_dir=$(mktemp -d /tmp/cellfleet-demo.XXXXXX)
pids=()
cleanup() {
  trap - EXIT INT TERM
  if [ ${#pids[@]} -gt 0 ]; then
    kill -TERM "${pids[@]}" 2>/dev/null || true
    for pid in "${pids[@]}"; do
      # Bounded: the agent drains streams within 5 s; then it is killed.
      timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
    done
  fi
  rm -rf "$run_dir"
  echo "demo: stopped; logs were in $run_dir (removed)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

build/simulator/cellfleet-modemsim --boards "$boards" --dir "$run_dir/sim" \
  --ready-file "$run_dir/sim.ready" >"$run_dir/sim.log" 2>&1 &
pids+=($!)
timeout 10 bash -c "until [ -s '$run_dir/sim.ready' ]; do sleep 0.1; done"

inventory="$run_dir/inventory.yaml"
echo "boards:" >"$inventory"
regions=(north south east west)
i=0
while read -r name at _; do
  at=${at#at=}
  build/agent/cellfleet-agent --at-port "$at" --listen 127.0.0.1:0 --board-name "$name" \
    --lock-dir "$run_dir" --state-dir "$run_dir/$name.state" \
    --ready-file "$run_dir/$name.ready" >"$run_dir/$name.log" 2>&1 &
  pids+=($!)
  timeout 10 bash -c "until [ -s '$run_dir/$name.ready' ]; do sleep 0.1; done"
  printf '  - name: %s\n    address: "%s"\n    labels: {region: %s}\n' \
    "$name" "$(cat "$run_dir/$name.ready")" "${regions[$((i % 4))]}" >>"$inventory"
  i=$((i + 1))
done <"$run_dir/sim.ready"

echo "demo: $boards simulated boards, agents listening on loopback; inventory:"
sed 's/^/  /' "$inventory"
# The modems answer at a real EC25's pace: wait (bounded) until each has initialised.
timeout 30 bash -c "until [ \$(build/client/cellfleet --output json status --inventory '$inventory' |
  grep -c MODEM_STATE_READY) -ge $boards ]; do sleep 0.5; done" || true
build/client/cellfleet status --inventory "$inventory" || true
build/client/cellfleet diagnose --inventory "$inventory" || true
echo "demo: streaming with 'cellfleet watch' (Ctrl-C to stop)"
build/client/cellfleet watch --inventory "$inventory" --interval 2
