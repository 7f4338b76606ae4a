#!/usr/bin/env bash
# The arm64 agent and CLI (cross-built by scripts/build-arm64.sh) under qemu-user,
# against the native simulator: `cellfleet status` must show the simulated modem.
# Skipped (77), with the reason, when the cross build or qemu-user is not there.
set -euo pipefail
native_build=$1 arm64_build=$2
agent="$arm64_build/agent/cellfleet-agent"
cli="$arm64_build/client/cellfleet"
qemu=/usr/bin/qemu-aarch64-static
for needed in "$agent" "$cli" "$qemu"; do
  [ -x "$needed" ] || { echo "SKIPPED: $needed not found (run scripts/build-arm64.sh)"; exit 77; }
done
file "$agent" | grep -q "ARM aarch64" || { echo "FAIL: $agent is not an arm64 binary"; exit 1; }

dir=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -9 "$pid" 2>/dev/null || true; done
  rm -rf "$dir"
}
trap cleanup EXIT
wait_for() { timeout "$2" bash -c "until [ -s '$1' ]; do sleep 0.1; done"; }

"$native_build/simulator/cellfleet-modemsim" --boards 1 --dir "$dir/sim" --ready-file "$dir/sim.ready" >"$dir/sim.log" 2>&1 &
pids+=($!)
wait_for "$dir/sim.ready" 10
imei=$(sed -n 's/.* imei=\([0-9]*\).*/\1/p' "$dir/sim.ready")

# The arm64 loader and libraries come from Debian's multiarch packages (/lib and
# /usr/lib/aarch64-linux-gnu). Do not point QEMU_LD_PREFIX at the cross toolchain's
# libc: mixing the two C libraries deadlocks at the first thread.
unset QEMU_LD_PREFIX
timeout -s KILL 60 "$qemu" "$agent" --version | grep -q cellfleet-agent || { echo "FAIL: arm64 agent --version"; exit 1; }
"$qemu" "$agent" --at-port "$dir/sim/board-00/at" --lock-dir "$dir" --listen 127.0.0.1:0 \
  --unauthenticated-role viewer --ready-file "$dir/agent.ready" >"$dir/agent.log" 2>&1 &
pids+=($!)
wait_for "$dir/agent.ready" 60 || { echo "FAIL: arm64 agent did not start"; cat "$dir/agent.log"; exit 1; }
address=$(cat "$dir/agent.ready")

deadline=$((SECONDS + 60))
while :; do
  out=$(timeout -s KILL 60 "$qemu" "$cli" --output json --timeout 10 status --targets "$address" || true)
  if echo "$out" | grep -q '"modem_state":"MODEM_STATE_READY"' && echo "$out" | grep -q '"serving_cell"'; then break; fi
  [ $SECONDS -lt $deadline ] || { echo "FAIL: arm64 CLI never saw READY: $out"; cat "$dir/agent.log"; exit 1; }
  sleep 0.5
done
echo "$out" | grep -q "\"imei\":\"$imei\"" || { echo "FAIL: wrong IMEI in $out"; exit 1; }
echo "arm64 smoke test: agent and CLI under qemu-user answered cellfleet status (IMEI $imei)"
echo "1 passed, 0 failed"
