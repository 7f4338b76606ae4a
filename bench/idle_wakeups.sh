#!/usr/bin/env bash
# Idle wakeups per second: context switches (voluntary + involuntary, summed over every
# thread, from /proc) of a running cellfleet-agent with one on-change subscriber and
# the default poll interval, and of an empty gRPC server on the same libraries (the
# floor). Loopback only; every wait is bounded. Prints figures; asserts nothing.
#   bench/idle_wakeups.sh [SECONDS] [AGENT_BINARY]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
agent=${2:-build/agent/cellfleet-agent}
run_dir=$(mktemp -d /tmp/cellfleet-wakeups.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || true; done
  rm -rf "$run_dir"
}
trap cleanup EXIT

# Context switches of every thread of `pid` so far.
switches() {
  cat /proc/"$1"/task/*/status 2>/dev/null |
    awk '/^(voluntary|nonvoluntary)_ctxt_switches:/ { n += $2 } END { print n + 0 }'
}
rate() {  # rate PID: switches per second over $seconds
  local before after
  before=$(switches "$1")
  sleep "$seconds"
  after=$(switches "$1")
  awk -v a="$after" -v b="$before" -v s="$seconds" 'BEGIN { printf "%.1f", (a - b) / s }'
}

build/bench/empty-grpc-server >"$run_dir/empty.addr" &
empty=$!
pids+=("$empty")
build/simulator/cellfleet-modemsim --boards 1 --dir "$run_dir/sim" \
  --ready-file "$run_dir/sim.ready" >"$run_dir/sim.log" 2>&1 &
pids+=($!)
timeout 10 bash -c "until [ -s '$run_dir/sim.ready' ]; do sleep 0.1; done"
read -r _ at _ <"$run_dir/sim.ready"
"$agent" --at-port "${at#at=}" --listen 127.0.0.1:0 --lock-dir "$run_dir" \
  --state-dir "$run_dir/state" --ready-file "$run_dir/agent.ready" >"$run_dir/agent.log" 2>&1 &
agent_pid=$!
pids+=("$agent_pid")
timeout 10 bash -c "until [ -s '$run_dir/agent.ready' ]; do sleep 0.1; done"
build/client/cellfleet watch --targets "$(cat "$run_dir/agent.ready")" --on-change >/dev/null 2>&1 &
pids+=($!)
sleep 10  # past the modem's initialisation and the first samples

echo "idle wakeups per second over ${seconds} s (context switches, all threads):"
echo "  empty gRPC server (floor): $(rate "$empty")"
echo "  cellfleet-agent ($agent), 1 watcher, 2 s polls: $(rate "$agent_pid")"
