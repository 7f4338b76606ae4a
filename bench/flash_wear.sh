#!/usr/bin/env bash
# Bytes the agent writes to its state dir (the SD card of a board) per day at the default
# history settings, measured on a simulated board: the history keeps a sample a minute and
# flushes every 5 minutes, so each flush carries 5 samples and the events since. The
# bench keeps that ratio at 60x speed (a sample a second, a flush every 5 s) and scales
# the bytes by the flushes a day has (288). Also counted: the run marker and whatever
# else lands in the state dir (the pushed config, not pushed here).
#   flash_wear.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=$(realpath "$1")
seconds=${2:-120}
dir=$(mktemp -d /tmp/cellfleet-wear.XXXXXX)
fleet_pid=
cleanup() { [ -n "$fleet_pid" ] && kill "$fleet_pid" 2>/dev/null && wait "$fleet_pid" 2>/dev/null; rm -rf "$dir"; }
trap cleanup EXIT
printf 'history:\n  interval: 1s\n  flush_interval: 5s\n' >"$dir/agent.yaml"
"$build/tests/support/cellfleet-fleet" --boards 1 --dir "$dir/fleet" --ready-file "$dir/ready" \
  --simulator "$build/simulator/cellfleet-modemsim" --agent "$build/agent/cellfleet-agent" \
  --agent-arg=--config="$dir/agent.yaml" >"$dir/fleet.log" 2>&1 &
fleet_pid=$!
for _ in $(seq 1 300); do [ -s "$dir/ready" ] && break; sleep 0.1; done
[ -s "$dir/ready" ] || { echo "flash_wear: the fleet did not start" >&2; cat "$dir/fleet.log" >&2; exit 1; }
state=$dir/fleet/state0
size() { du -sb --apparent-size "$state" | cut -f1; }
# From the first flush on: the start's own writes are counted apart.
for _ in $(seq 1 100); do [ "$(stat -c %s "$state/history.log" 2>/dev/null || echo 0)" -gt 0 ] && break; sleep 0.1; done
start=$(size)
sleep "$seconds"
end=$(size)
flushes=$((seconds / 5))
per_flush=$(((end - start) / flushes))
echo "state dir at start (config, run marker, first flush): $start bytes"
echo "history: $((end - start)) bytes in $flushes flushes: $per_flush bytes a flush (5 samples and their events)"
echo "a day at the defaults (288 flushes): $((per_flush * 288 / 1024)) KB"
