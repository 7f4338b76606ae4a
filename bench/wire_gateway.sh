#!/usr/bin/env bash
# Bytes a carrier bills a board behind its NAT that dials out to cellfleet-gateway, at
# the IP level on the carrier's side of the link (a veth pair from a "carrier" namespace
# that masquerades, with the board's namespace behind it; the gateway and the operator
# on this host), mutual TLS end to end, a simulated modem with a stable signal. Measures:
# the attachment's set-up; its keepalive pings (bytes per ping, measured over PINGS pings
# at a short interval, and what that costs an hour at the interval the keepalive starts
# with and at the one it settles on under a carrier that keeps TCP mappings 30 minutes);
# one `cellfleet status` through the gateway; an on-change `cellfleet watch` through the
# gateway held for SECONDS, scaled to an hour. IP bytes are the veth's frame bytes less
# 14 (the Ethernet header) per packet. Root only; everything is removed on exit.
#   wire_gateway.sh BUILD_DIR [SECONDS] [PINGS]   (defaults 1200 and 30)
set -euo pipefail
build=$(cd "$1" && pwd)
seconds=${2:-1200}
pings=${3:-30}
here=$(cd "$(dirname "$0")/.." && pwd)
[ "$(id -u)" -eq 0 ] || { echo "wire_gateway: needs root (network namespaces)" >&2; exit 77; }
s=$(($$ % 10000))
carrier=cfgwc$s board=cfgwb$s
wan_host=cfgh$s wan_carrier=cfgw$s lan_carrier=cfgl$s lan_board=cfgb$s
dir=$(mktemp -d /tmp/cellfleet-wire-gw.XXXXXX)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do timeout 10 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true; done
  ip netns del "$board" 2>/dev/null || true
  ip netns del "$carrier" 2>/dev/null || true
  ip link del "$wan_host" 2>/dev/null || true
  rm -rf "$dir"
}
trap cleanup EXIT

for args in "agent board-00" "client ops" "gateway gw IP:10.204.0.1 IP:127.0.0.1"; do
  # shellcheck disable=SC2086
  bash "$here/deploy/make-certs.sh" "$dir/pki" $args >/dev/null
done
# The carrier: 10.204.0.2 towards this host (10.204.0.1), 192.168.204.1 towards the
# board (192.168.204.2). No IPv6 and fixed neighbours: a PPP link carries neither.
ip netns add "$carrier"
ip netns add "$board"
ip link add "$wan_host" type veth peer name "$wan_carrier"
ip link set "$wan_carrier" netns "$carrier"
ip -n "$carrier" link add "$lan_carrier" type veth peer name "$lan_board" netns "$board"
sysctl -qw "net.ipv6.conf.$wan_host.disable_ipv6=1"
ip netns exec "$carrier" sysctl -qw "net.ipv6.conf.$wan_carrier.disable_ipv6=1" \
  "net.ipv6.conf.$lan_carrier.disable_ipv6=1" net.ipv4.ip_forward=1
ip netns exec "$board" sysctl -qw "net.ipv6.conf.$lan_board.disable_ipv6=1"
ip addr add 10.204.0.1/30 dev "$wan_host"
ip link set "$wan_host" up
ip -n "$carrier" addr add 10.204.0.2/30 dev "$wan_carrier"
ip -n "$carrier" addr add 192.168.204.1/24 dev "$lan_carrier"
ip -n "$carrier" link set "$wan_carrier" up
ip -n "$carrier" link set "$lan_carrier" up
ip -n "$board" addr add 192.168.204.2/24 dev "$lan_board"
ip -n "$board" link set "$lan_board" up
ip -n "$board" link set lo up
ip -n "$board" route add default via 192.168.204.1
mac() { ip netns exec "$1" cat "/sys/class/net/$2/address"; }
ip neigh replace 10.204.0.2 lladdr "$(mac "$carrier" "$wan_carrier")" dev "$wan_host" nud permanent
ip -n "$carrier" neigh replace 10.204.0.1 lladdr "$(cat "/sys/class/net/$wan_host/address")" dev "$wan_carrier" nud permanent
ip -n "$carrier" neigh replace 192.168.204.2 lladdr "$(mac "$board" "$lan_board")" dev "$lan_carrier" nud permanent
ip -n "$board" neigh replace 192.168.204.1 lladdr "$(mac "$carrier" "$lan_carrier")" dev "$lan_board" nud permanent
ip netns exec "$carrier" nft -f - <<NFT
table ip carrier {
  chain postrouting { type nat hook postrouting priority srcnat; oifname "$wan_carrier" masquerade; }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "$lan_carrier" oifname "$wan_carrier" accept
  }
}
NFT

"$build/gateway/cellfleet-gateway" --board-listen 10.204.0.1:0 --operator-listen 127.0.0.1:0 \
  --cert "$dir/pki/gateway-gw.crt" --key "$dir/pki/gateway-gw.key" --boards-ca "$dir/pki/ca.crt" \
  --operators-ca "$dir/pki/ca.crt" --operator ops --ready-file "$dir/gateway.ready" \
  >"$dir/gateway.log" 2>&1 &
pids+=($!)
timeout 20 bash -c "until [ -s '$dir/gateway.ready' ]; do sleep 0.1; done"
board_listen=$(sed -n 1p "$dir/gateway.ready")
operator_listen=$(sed -n 2p "$dir/gateway.ready")

printf 'initial: {radio_drift: false}\n' >"$dir/stable.yaml"
ip netns exec "$board" "$build/simulator/cellfleet-modemsim" --boards 1 --dir "$dir/sim" \
  --scenario "$dir/stable.yaml" --ready-file "$dir/sim.ready" >"$dir/sim.log" 2>&1 &
pids+=($!)
timeout 20 bash -c "until [ -s '$dir/sim.ready' ]; do sleep 0.1; done"
# The agent's settings with a fixed keepalive interval (min = max): short to measure the
# pings' bytes, an hour for the status and the watch (whose heartbeats keep the mapping).
agent_yaml() {  # agent_yaml INTERVAL
  cat >"$dir/agent.yaml" <<YAML
security:
  tls: {cert: $dir/pki/agent-board-00.crt, key: $dir/pki/agent-board-00.key, client_ca: $dir/pki/ca.crt}
  roles: {ops: viewer}
gateway:
  address: "$board_listen"
  ca: $dir/pki/ca.crt
  server_name: gw
  keepalive: $1
  keepalive_min: $1
  keepalive_max: $1
YAML
}
start_agent() {
  : >"$dir/agent.log"
  ip netns exec "$board" "$build/agent/cellfleet-agent" --config "$dir/agent.yaml" \
    --at-port "$dir/sim/board-00/at" --listen 127.0.0.1:0 --board-name board-00 \
    --lock-dir "$dir" --state-dir "$dir/state" >>"$dir/agent.log" 2>&1 &
  agent_pid=$!
  pids+=("$agent_pid")
  timeout 30 bash -c "until grep -q 'attached to' '$dir/agent.log'; do sleep 0.1; done"
}
ping_every=5
agent_yaml "${ping_every}s"

counters() {  # "IP_BYTES PACKETS" through the carrier's side, both directions
  local st=/sys/class/net/$wan_host/statistics
  local bytes=$(($(cat "$st/rx_bytes") + $(cat "$st/tx_bytes")))
  local packets=$(($(cat "$st/rx_packets") + $(cat "$st/tx_packets")))
  echo "$((bytes - 14 * packets)) $packets"
}
delta() { read -r b0 p0 <<<"$1"; read -r b1 p1 <<<"$2"; echo "$((b1 - b0)) $((p1 - p0))"; }
kb_hour() { awk "BEGIN { printf \"%.2f\", $1 * 3600 / $2 / 1000 }"; }

c0=$(counters)
start_agent
sleep 1
read -r attach_bytes attach_packets <<<"$(delta "$c0" "$(counters)")"
echo "wire_gateway: attaching (TCP, mutual TLS, the attachment): $attach_bytes IP bytes, $attach_packets packets"

answered() { grep -c "keepalive after .* was answered" "$dir/agent.log" || true; }
# WIRE_PCAP=FILE: capture the pings' packets (tcpdump), to see what they are.
if [ -n "${WIRE_PCAP:-}" ] && command -v tcpdump >/dev/null; then
  tcpdump -i "$wan_host" -w "$WIRE_PCAP" -U >/dev/null 2>&1 &
  pids+=($!)
  sleep 1
fi
n0=$(answered)
c0=$(counters)
timeout $((pings * ping_every * 3)) bash -c "until [ \$(grep -c 'keepalive after .* was answered' '$dir/agent.log') -ge $((n0 + pings)) ]; do sleep 0.2; done"
read -r ping_bytes ping_packets <<<"$(delta "$c0" "$(counters)")"
n=$(($(answered) - n0))
per_ping=$((ping_bytes / n))
echo "wire_gateway: $n keepalive pings: $ping_bytes IP bytes, $ping_packets packets: $per_ping bytes a ping" \
  "with its answer and ACKs"
for every in 240 1440 1800; do
  echo "wire_gateway: idle board pinging every $((every / 60)) min: $(kb_hour "$per_ping" "$every") KB per hour"
done

kill -TERM "$agent_pid"
timeout 20 tail --pid="$agent_pid" -f /dev/null
agent_yaml 60m
start_agent
cli=("$build/client/cellfleet" --ca "$dir/pki/ca.crt" --cert "$dir/pki/client-ops.crt"
  --key "$dir/pki/client-ops.key")
"${cli[@]}" status --gateway "$operator_listen" --targets board-00 >/dev/null  # the first sample
c0=$(counters)
"${cli[@]}" status --gateway "$operator_listen" --targets board-00 >"$dir/status.out"
sleep 2
read -r status_bytes status_packets <<<"$(delta "$c0" "$(counters)")"
echo "wire_gateway: one status through the gateway (a new end-to-end TLS connection inside" \
  "the attachment): $status_bytes IP bytes, $status_packets packets"

c0=$(counters)
"${cli[@]}" watch --on-change --lines --gateway "$operator_listen" --targets board-00 \
  --duration $((seconds + 60)) >"$dir/watch.out" 2>&1 &
pids+=($!)
sleep 30
c1=$(counters)
sleep "$seconds"
c2=$(counters)
read -r setup_bytes setup_packets <<<"$(delta "$c0" "$c1")"
read -r steady_bytes steady_packets <<<"$(delta "$c1" "$c2")"
echo "wire_gateway: on-change watch through the gateway, stable signal: set-up $setup_bytes IP bytes" \
  "($setup_packets packets); then $steady_bytes IP bytes, $steady_packets packets in $seconds s =" \
  "$(kb_hour "$steady_bytes" "$seconds") KB per hour ($(grep -c . "$dir/watch.out" || true) lines printed)"
