#!/usr/bin/env bash
# Bytes a carrier bills a board for: its traffic at the IP level, measured on a veth
# pair into a network namespace that holds the agent (as the board), the CLI outside
# (as the operator), mutual TLS on, a simulated modem with a stable signal. Measures one
# `cellfleet status` on a new connection, and an on-change `cellfleet watch` held for
# SECONDS (its connection set-up apart), scaled to an hour. IP bytes are the veth's
# frame bytes less 14 (the Ethernet header) per packet. Root only; the namespace, the
# link and every process are removed on exit.
#   wire_ip.sh BUILD_DIR [SECONDS]   (default 1200: a whole number of heartbeats and pings)
set -euo pipefail
build=$(cd "$1" && pwd)
seconds=${2:-1200}
here=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "wire_ip: needs root (network namespace)" >&2; exit 77; }
ns=cfwire$$
host_if=cfh$$
board_if=cfb$$
dir=$(mktemp -d /tmp/cellfleet-wire.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
  ip link del "$host_if" 2>/dev/null || true
  ip netns del "$ns" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

for args in "agent board-00" "client ops"; do
  # shellcheck disable=SC2086
  bash "$here/deploy/make-certs.sh" "$dir/pki" $args >/dev/null
done
# The board's side: 10.203.0.2 in its own namespace; the operator's: 10.203.0.1.
# A PPP link carries neither ARP nor IPv6 router solicitations: neither is counted here
# (IPv6 off on the pair, the neighbours' addresses fixed).
ip netns add "$ns"
ip link add "$host_if" type veth peer name "$board_if"
ip link set "$board_if" netns "$ns"
sysctl -qw "net.ipv6.conf.$host_if.disable_ipv6=1"
ip netns exec "$ns" sysctl -qw "net.ipv6.conf.$board_if.disable_ipv6=1"
ip addr add 10.203.0.1/30 dev "$host_if"
ip link set "$host_if" up
ip netns exec "$ns" ip link set lo up
ip netns exec "$ns" ip addr add 10.203.0.2/30 dev "$board_if"
ip netns exec "$ns" ip link set "$board_if" up
host_mac=$(cat "/sys/class/net/$host_if/address")
board_mac=$(ip netns exec "$ns" cat "/sys/class/net/$board_if/address")
ip neigh replace 10.203.0.2 lladdr "$board_mac" dev "$host_if" nud permanent
ip netns exec "$ns" ip neigh replace 10.203.0.1 lladdr "$host_mac" dev "$board_if" nud permanent

printf 'initial: {radio_drift: false}\n' >"$dir/stable.yaml"
"$build/simulator/cellfleet-modemsim" --boards 1 --dir "$dir/sim" --scenario "$dir/stable.yaml" \
  --ready-file "$dir/sim.ready" >"$dir/sim.log" 2>&1 &
pids+=($!)
timeout 20 bash -c "until [ -s '$dir/sim.ready' ]; do sleep 0.1; done"
printf 'security:\n  roles: {ops: viewer}\n' >"$dir/agent.yaml"
ip netns exec "$ns" "$build/agent/cellfleet-agent" --config "$dir/agent.yaml" \
  --at-port "$dir/sim/board-00/at" --listen 10.203.0.2:50051 --board-name board-00 \
  --tls-cert "$dir/pki/agent-board-00.crt" --tls-key "$dir/pki/agent-board-00.key" \
  --tls-client-ca "$dir/pki/ca.crt" --lock-dir "$dir" --state-dir "$dir/state" \
  --ready-file "$dir/agent.ready" >"$dir/agent.log" 2>&1 &
pids+=($!)
timeout 20 bash -c "until [ -s '$dir/agent.ready' ]; do sleep 0.1; done"
cli=("$build/client/cellfleet" --ca "$dir/pki/ca.crt" --cert "$dir/pki/client-ops.crt"
  --key "$dir/pki/client-ops.key" --tls-server-name board-00)
sleep 3  # the first sample

# counters: "IP_BYTES PACKETS" through the operator's end of the link, both directions.
counters() {
  local s=/sys/class/net/$host_if/statistics
  local bytes=$(($(cat "$s/rx_bytes") + $(cat "$s/tx_bytes")))
  local packets=$(($(cat "$s/rx_packets") + $(cat "$s/tx_packets")))
  echo "$((bytes - 14 * packets)) $packets"
}
delta() { # delta "B0 P0" "B1 P1" -> "bytes packets"
  read -r b0 p0 <<<"$1"
  read -r b1 p1 <<<"$2"
  echo "$((b1 - b0)) $((p1 - p0))"
}

c0=$(counters)
"${cli[@]}" status --targets 10.203.0.2:50051 >"$dir/status.out"
sleep 2  # the connection's close (FIN, ACK)
read -r status_bytes status_packets <<<"$(delta "$c0" "$(counters)")"
echo "wire_ip: one status call on a new connection: $status_bytes IP bytes, $status_packets packets"

# WIRE_PCAP=FILE: also capture the watch's packets (tcpdump), to see what they are.
if [ -n "${WIRE_PCAP:-}" ] && command -v tcpdump >/dev/null; then
  tcpdump -i "$host_if" -w "$WIRE_PCAP" -U >/dev/null 2>&1 &
  pids+=($!)
  sleep 1
fi
c0=$(counters)
"${cli[@]}" watch --on-change --lines --targets 10.203.0.2:50051 --duration $((seconds + 60)) \
  >"$dir/watch.out" 2>&1 &
watch_pid=$!
pids+=("$watch_pid")
sleep 30  # connection, TLS, the stream's first update
c1=$(counters)
sleep "$seconds"
c2=$(counters)
read -r setup_bytes setup_packets <<<"$(delta "$c0" "$c1")"
read -r steady_bytes steady_packets <<<"$(delta "$c1" "$c2")"
updates=$(grep -c . "$dir/watch.out" || true)
echo "wire_ip: on-change watch, stable signal: set-up $setup_bytes IP bytes ($setup_packets packets);" \
  "then $steady_bytes IP bytes, $steady_packets packets in $seconds s =" \
  "$(awk "BEGIN { printf \"%.1f\", $steady_bytes * 3600 / $seconds / 1000 }") KB per hour," \
  "$(awk "BEGIN { printf \"%.0f\", $steady_packets * 3600 / $seconds }") packets per hour ($updates lines printed)"
