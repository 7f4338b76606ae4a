#!/usr/bin/env bash
# Idle wakeups per second: context switches (voluntary + involuntary, from /proc) summed
# over every thread of a running cellfleet-agent with one on-change watcher, at the
# default poll interval, with a stable signal (the simulator's radio does not drift:
# an idle board) and with a drifting one; beside the floor: an empty gRPC server on the
# same libraries, idle and holding the same watcher's stream open. Per-thread figures
# for the agent follow. Loopback only; every wait is bounded. Prints; asserts nothing.
#   bench/idle_wakeups.sh [SECONDS] [POLL_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
# The benchmarks are not part of the default build (CI does not run them).
bash scripts/build.sh empty-grpc-server cellfleet cellfleet-agent cellfleet-modemsim >/dev/null
seconds=${1:-30}
poll=${2:-}
run_dir=$(mktemp -d /tmp/cellfleet-wakeups.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || true; done
  rm -rf "$run_dir"
}
trap cleanup EXIT

# "thread/tid switches" for every thread of `pid`.
per_thread() {
  for task in /proc/"$1"/task/*; do
    awk -v t="$(cat "$task/comm" 2>/dev/null)/${task##*/}" \
      '/^(voluntary|nonvoluntary)_ctxt_switches:/ { n += $2 } END { print t, n + 0 }' \
      "$task/status" 2>/dev/null || true
  done | sort
}
# measure PID LABEL: the total rate, then (with DETAIL=1) each thread's.
measure() {
  per_thread "$1" >"$run_dir/before"
  sleep "$seconds"
  per_thread "$1" >"$run_dir/after"
  join "$run_dir/before" "$run_dir/after" |
    awk -v s="$seconds" -v label="$2" -v detail="${DETAIL:-0}" '
      { rate = ($3 - $2) / s; total += rate; if (rate > 0) lines = lines sprintf("      %-24s %.2f\n", $1, rate) }
      END { printf "  %-58s %.1f\n", label, total; if (detail) printf "%s", lines }'
}
wait_file() { timeout 10 bash -c "until [ -s '$1' ]; do sleep 0.1; done"; }
watch_on() {  # watch_on ADDRESS: one on-change watcher in the background
  build/client/cellfleet watch --targets "$1" --on-change >/dev/null 2>&1 &
  pids+=($!)
}

echo "idle wakeups per second over ${seconds} s (context switches, all threads):"
build/bench/empty-grpc-server >"$run_dir/empty.addr" &
empty=$!
pids+=("$empty")
wait_file "$run_dir/empty.addr"
sleep 2
measure "$empty" "empty gRPC server, no client (floor)"
watch_on "$(cat "$run_dir/empty.addr")"
sleep 10  # past the connection's first seconds, which wake more
measure "$empty" "empty gRPC server holding the watcher's stream (floor)"

for drift in false true; do
  dir="$run_dir/drift-$drift"
  mkdir -p "$dir"
  printf 'initial: {radio_drift: %s}\n' "$drift" >"$dir/scenario.yaml"
  build/simulator/cellfleet-modemsim --boards 1 --dir "$dir/sim" --scenario "$dir/scenario.yaml" \
    --ready-file "$dir/sim.ready" >"$dir/sim.log" 2>&1 &
  pids+=($!)
  wait_file "$dir/sim.ready"
  read -r _ at _ <"$dir/sim.ready"
  build/agent/cellfleet-agent --at-port "${at#at=}" --listen 127.0.0.1:0 --lock-dir "$dir" \
    --unauthenticated-role viewer \
    --state-dir "$dir/state" --ready-file "$dir/agent.ready" ${poll:+--poll-interval "$poll"} \
    >"$dir/agent.log" 2>&1 &
  agent=$!
  pids+=("$agent")
  wait_file "$dir/agent.ready"
  watch_on "$(cat "$dir/agent.ready")"
  sleep 10  # past the modem's initialisation and the first samples
  signal=$([ "$drift" = false ] && echo "stable signal" || echo "drifting signal")
  DETAIL=1 measure "$agent" "cellfleet-agent, 1 on-change watcher, ${poll:-default} s polls, $signal"
done
