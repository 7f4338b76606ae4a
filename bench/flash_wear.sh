#!/usr/bin/env bash
# Bytes the agent writes to the board's flash a day at the default settings, on a
# simulated board whose link is up and carrying traffic: the history (a sample a minute,
# a flush every 5 minutes), the usage ledger (saved every 5 minutes while bytes flow),
# the audit log, the run marker and, when pushed, the config. The bench runs at 60x
# speed (a sample a second, a flush and a ledger save every 5 s, the ppp0 counters moving
# every second) and scales its window to a day. strace counts every write(2) the agent
# makes to a file, by file, and every fsync: each fsync'd write costs the card at least
# one 4 KB page, so that figure is given beside the bytes. A config push and the
# operator's calls are counted apart (they are not a function of time).
#   flash_wear.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=$(realpath "$1")
seconds=${2:-120}
source=$(cd "$(dirname "$0")/.." && pwd)
dir=$(mktemp -d /tmp/cellfleet-wear.XXXXXX)
fleet_pid= strace_pid=
cleanup() {
  [ -n "$strace_pid" ] && kill "$strace_pid" 2>/dev/null && wait "$strace_pid" 2>/dev/null
  [ -n "$fleet_pid" ] && kill "$fleet_pid" 2>/dev/null && wait "$fleet_pid" 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
printf 'history:\n  interval: 1s\n  flush_interval: 5s\nusage:\n  save_interval: 5s\n' >"$dir/agent.yaml"
ppp0=$dir/sys/class/net/ppp0
mkdir -p "$ppp0/statistics"
echo 7 >"$ppp0/ifindex"
echo 0 >"$ppp0/statistics/rx_bytes"
echo 0 >"$ppp0/statistics/tx_bytes"
FAKE_PPPD_MODE=connect "$build/tests/support/cellfleet-fleet" --boards 1 --dir "$dir/fleet" \
  --ready-file "$dir/ready" --simulator "$build/simulator/cellfleet-modemsim" \
  --agent "$build/agent/cellfleet-agent" --agent-arg=--config="$dir/agent.yaml" \
  --agent-arg=--pppd="$source/modem/ppp/testdata/fake-pppd.sh" --agent-arg=--sysfs="$dir/sys" \
  --agent-arg=--audit-log="$dir/audit.log" --agent-arg=--unauthenticated-role=operator \
  --agent-arg=--log-level=warn >"$dir/fleet.log" 2>&1 &
fleet_pid=$!
for _ in $(seq 1 300); do [ -s "$dir/ready" ] && break; sleep 0.1; done
[ -s "$dir/ready" ] || { echo "flash_wear: the fleet did not start" >&2; cat "$dir/fleet.log" >&2; exit 1; }
address=$(cat "$dir/fleet/agent0.ready")
agent_pid=$(pgrep -f -- "--ready-file $dir/fleet/agent0.ready" | head -1)
cli() { "$build/client/cellfleet" "$@" --targets "$address" >/dev/null; }
state=$dir/fleet/state0
size() { stat -c %s "$1" 2>/dev/null || echo 0; }

# The operator's part, apart: a dial and a config push (a plan with a cap).
cli dial
config_before=$(size "$state/config.json")
cli config apply --data-cap 1GB --data-warn 800MB --at-cap hang-up
echo "one config push: config.json $(size "$state/config.json") bytes (was $config_before)," \
  "rewritten whole; audit log $(size "$dir/audit.log") bytes for 2 calls"

sleep 3  # the push redials with the new version: its PPP files belong to the push
strace -f -qq -yy -e trace=write,pwrite64,writev,fsync,fdatasync -p "$agent_pid" \
  -o "$dir/trace" 2>/dev/null &
strace_pid=$!
sleep 1  # strace attached
rx=0
for _ in $(seq 1 "$seconds"); do  # about 100 kB a second through the link
  rx=$((rx + 90000))
  echo "$rx" >"$ppp0/statistics/rx_bytes"
  echo $((rx / 9)) >"$ppp0/statistics/tx_bytes"
  sleep 1
done
kill "$strace_pid"; wait "$strace_pid" 2>/dev/null || true
strace_pid=

# Bytes written to files under the bench's directory (the state dir, the audit log), by
# file; temp files of atomic replacements count as the file they replace.
awk -v dir="$dir/" -v days="$(echo "1440 / $seconds" | bc -l)" '
  match($0, /^[0-9]+ +(write|pwrite64|writev)\([0-9]+<([^>]*)>/, m) {
    path = m[2]
    if (index(path, dir) != 1) next
    sub(/\.tmp-.*$/, "", path); sub(dir, "", path)
    if (match($0, /= ([0-9]+)$/, r)) { bytes[path] += r[1]; writes[path]++ }
  }
  match($0, /^[0-9]+ +f(data)?sync\([0-9]+<([^>]*)>/, m) {
    path = m[2]; sub(/\.tmp-.*$/, "", path); sub(dir, "", path)
    syncs++; synced[path == "" ? "(dir)" : path]++
  }
  END {
    for (p in bytes) {
      total += bytes[p]
      printf "%-28s %8d bytes in %4d writes: %7.1f KB a day\n", p, bytes[p], writes[p], bytes[p] * days / 1024
    }
    printf "all files: %.1f KB a day at the defaults (goal: 1024 KB)\n", total * days / 1024
    for (p in synced) printf "fsync %-28s %4d in the window\n", p, synced[p]
    printf "fsyncs: %d in the window, %.0f a day: at least %.1f MB of 4 KB card pages a day\n", syncs, syncs * days, syncs * days * 4 / 1024
  }' "$dir/trace"
