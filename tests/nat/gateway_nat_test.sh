#!/usr/bin/env bash
# Boards behind a real carrier NAT reach operators only through cellfleet-gateway. Two
# network namespaces: a "carrier" that masquerades (nftables) and drops what it has no
# mapping for, as a CGNAT does, and the "board" side behind it, where a simulated fleet's
# agents run and dial out to the gateway on this host. The test shows: a direct
# connection to an agent fails (from inside, it works); status, watch, diagnose, at,
# dial, a commit-confirmed config push and the collector all work through the gateway;
# a board with another CA's certificate is refused; a mapping the carrier drops silently
# (conntrack flushed) is found by the keepalive and the board is back within the bound;
# a gateway restart brings every board back, spread over the reconnect window, and a
# push waiting for its confirm meanwhile is rolled back by the board alone. Root only
# (namespaces, nftables); skipped (77) with the reason otherwise. Every wait is bounded.
#   gateway_nat_test.sh GATEWAY FLEET CELLFLEET COLLECTOR MAKE_CERTS FAKE_PPPD
set -euo pipefail
gateway_program=$1
fleet_program=$2
cli=$3
collector=$4
make_certs=$5
fake_pppd=$6
[ "$(id -u)" -eq 0 ] || { echo "SKIP: needs root (network namespaces, nftables)"; exit 77; }
for tool in ip nft conntrack curl jq; do
  command -v "$tool" >/dev/null || { echo "SKIP: $tool is not installed (scripts/setup.sh installs it)"; exit 77; }
done
source "$(dirname "$0")/../support/shell_test_lib.sh"
cf_init nat

# --- the carrier's NAT and the board behind it -------------------------------------
s=$(($$ % 10000))
carrier="cf-carrier-$s" board="cf-board-$s"
wan_host="cfh$s" wan_carrier="cfw$s" lan_carrier="cfl$s" lan_board="cfb$s"
host_ip=10.231.0.1 carrier_ip=10.231.0.2 board_ip=192.168.231.2
teardown_net() {
  ip route del 192.168.231.0/24 2>/dev/null || true
  ip netns del "$board" 2>/dev/null || true
  ip netns del "$carrier" 2>/dev/null || true
  ip link del "$wan_host" 2>/dev/null || true
}
trap 'cf_cleanup; teardown_net' EXIT
ip netns add "$carrier"
ip netns add "$board"
ip link add "$wan_host" type veth peer name "$wan_carrier"
ip link set "$wan_carrier" netns "$carrier"
ip addr add "$host_ip/30" dev "$wan_host"
ip link set "$wan_host" up
ip -n "$carrier" link set lo up
ip -n "$carrier" addr add "$carrier_ip/30" dev "$wan_carrier"
ip -n "$carrier" link set "$wan_carrier" up
ip -n "$carrier" link add "$lan_carrier" type veth peer name "$lan_board" netns "$board"
ip -n "$carrier" addr add 192.168.231.1/24 dev "$lan_carrier"
ip -n "$carrier" link set "$lan_carrier" up
ip -n "$board" link set lo up
ip -n "$board" addr add "$board_ip/24" dev "$lan_board"
ip -n "$board" link set "$lan_board" up
ip -n "$board" route add default via 192.168.231.1
# This host routes to the boards' network through the carrier: a direct connection
# reaches the NAT and dies there, as one to a CGNAT'd SIM does.
ip route add 192.168.231.0/24 via "$carrier_ip"
ip netns exec "$carrier" sysctl -qw net.ipv4.ip_forward=1
ip netns exec "$carrier" nft -f - <<NFT
table ip carrier {
  chain postrouting { type nat hook postrouting priority srcnat; oifname "$wan_carrier" masquerade; }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state invalid drop
    ct state established,related accept
    iifname "$lan_carrier" oifname "$wan_carrier" accept
  }
  chain input {
    type filter hook input priority filter; policy accept;
    ct state invalid drop
    iifname "$wan_carrier" ct state new drop
  }
}
NFT
# Packets of a connection it has no mapping for are invalid, not picked up again: a
# flushed mapping is gone for good, silently (no RST), as at a carrier.
ip netns exec "$carrier" sysctl -qw net.netfilter.nf_conntrack_tcp_loose=0

# --- certificates: one CA for the project, another that must not work -------------------
pki="$dir/pki" other="$dir/other-pki"
for b in 0 1 2 3 4; do bash "$make_certs" "$pki" agent "board-0$b" >/dev/null; done
bash "$make_certs" "$pki" client ops >/dev/null
bash "$make_certs" "$pki" gateway gw "IP:$host_ip" "IP:127.0.0.1" >/dev/null
bash "$make_certs" "$other" agent board-05 >/dev/null
tls=(--ca "$pki/ca.crt" --cert "$pki/client-ops.crt" --key "$pki/client-ops.key")

# --- the gateway on this host ---------------------------------------------------------
start_gateway() {  # start_gateway BOARD_LISTEN OPERATOR_LISTEN
  rm -f "$dir/gateway.ready"
  cf_background "$dir/gateway.log" "$gateway_program" --board-listen "$1" --operator-listen "$2" \
    --cert "$pki/gateway-gw.crt" --key "$pki/gateway-gw.key" --boards-ca "$pki/ca.crt" \
    --operators-ca "$pki/ca.crt" --operator ops --ready-file "$dir/gateway.ready"
  gateway_pid=${pids[-1]}
  until_ok 20 test -s "$dir/gateway.ready" || fail "the gateway did not start"
  board_listen=$(sed -n 1p "$dir/gateway.ready")
  operator_listen=$(sed -n 2p "$dir/gateway.ready")
}
fail_logs+=("$dir/gateway.log")
start_gateway "$host_ip:0" "127.0.0.1:0"

# --- six boards behind the NAT: five with the project's certificates, one another CA's ---
for b in 0 1 2 3 4 5; do
  name="board-0$b"
  crt="$pki/agent-$name.crt" key="$pki/agent-$name.key"
  [ "$b" = 5 ] && crt="$other/agent-$name.crt" key="$other/agent-$name.key"
  cat >"$dir/$name.yaml" <<YAML
security:
  tls: {cert: $crt, key: $key, client_ca: $pki/ca.crt}
  roles: {ops: operator}
  audit_log: $dir/$name-audit.log
gateway:
  address: "$board_listen"
  ca: $pki/ca.crt
  server_name: gw
  keepalive: 2s
  keepalive_min: 1s
  keepalive_max: 4s
  keepalive_timeout: 2s
connection: {apn: internet.example}
YAML
done
export FAKE_PPPD_MODE=by-apn FAKE_PPPD_REFUSED_APN=refused.example
fail_logs+=("$dir/fleet.log" "$dir/fleet/agent0.log" "$dir/fleet/agent5.log")
cf_background "$dir/fleet.log" ip netns exec "$board" "$fleet_program" --boards 6 --dir "$dir/fleet" \
  --listen-host "$board_ip" --agent-arg="--config=$dir/{name}.yaml" --agent-arg="--pppd=$fake_pppd" \
  --poll-interval 0.5 --ready-file "$dir/fleet.ready"
until_ok 90 test -s "$dir/fleet.ready" || fail "the fleet did not start"
direct_inventory=$(cat "$dir/fleet.ready")
# Operators' inventories: the five good boards, and all six.
echo "boards:" >"$dir/good.yaml"
for b in 0 1 2 3 4; do
  printf '  - name: board-0%s\n    via: "%s"\n' "$b" "$operator_listen" >>"$dir/good.yaml"
done
cp "$dir/good.yaml" "$dir/all.yaml"
printf '  - name: board-05\n    via: "%s"\n' "$operator_listen" >>"$dir/all.yaml"
via=(--inventory "$dir/good.yaml")
fine() { "$cli" -o json --timeout 10 "${tls[@]}" "$@"; }

# --- a board behind the NAT cannot be dialed; from its own side it answers ------------------
direct=$(awk '/address:/ {gsub(/"/, "", $2); print $2; exit}' "$direct_inventory")
[ -n "$direct" ] || fail "no agent address in $direct_inventory"
if timeout 30 "$cli" --timeout 3 "${tls[@]}" --tls-server-name board-00 status --targets "$direct" \
    >"$dir/direct.out" 2>&1; then
  fail "a direct connection to $direct through the NAT worked"
fi
ip netns exec "$board" "$cli" --timeout 5 "${tls[@]}" --tls-server-name board-00 status \
  --targets "$direct" >"$dir/inside.out" 2>&1 || fail "the agent does not answer from its own side: $(cat "$dir/inside.out")"
echo "ok: $direct cannot be dialed through the NAT; it answers from behind it"

# --- every command through the gateway --------------------------------------------------
until_ok 60 bash -c "[ \$(grep -o 'board \"board-0[0-4]\" attached' '$dir/gateway.log' | sort -u | wc -l) -eq 5 ]" ||
  fail "the five boards did not attach"
until_ok 30 bash -c "'$cli' -o json --timeout 10 ${tls[*]} status ${via[*]} --select name=board-00 | jq -e '.status.identity.imei' >/dev/null" ||
  fail "status through the gateway"
fine status --inventory "$dir/all.yaml" >"$dir/status.out" || true
[ "$(jq -s '[.[] | select(.status.identity.imei != null)] | length' "$dir/status.out")" = 5 ] ||
  fail "status through the gateway: not five boards: $(cat "$dir/status.out")"
grep -q '"board-05"' "$dir/status.out" || fail "board-05 missing from the report"
jq -e 'select(.board == "board-05") | .error.message | test("404")' "$dir/status.out" >/dev/null ||
  fail "board-05 (another CA) is not refused as unattached: $(grep board-05 "$dir/status.out")"
grep -q "cannot attach" "$dir/fleet/agent5.log" || fail "board-05's agent does not say it cannot attach"
fine status --gateway "$operator_listen" --targets board-03,board-04 >"$dir/by-name.out" ||
  fail "status --gateway --targets NAMES: $(cat "$dir/by-name.out")"
[ "$(jq -s '[.[] | select(.status.identity.imei != null)] | length' "$dir/by-name.out")" = 2 ] ||
  fail "status --gateway --targets NAMES: $(cat "$dir/by-name.out")"
echo "ok: status of 5 boards through the gateway (by inventory and by --gateway with names); board-05 (another CA's certificate) refused"

fine watch "${via[@]}" --count 1 >"$dir/watch.out" || fail "watch: $(cat "$dir/watch.out")"
[ "$(jq -s 'length' "$dir/watch.out")" -ge 5 ] || fail "watch through the gateway: $(cat "$dir/watch.out")"
fine diagnose "${via[@]}" >"$dir/diagnose.out" || true
[ "$(jq -s '[.[] | select(.checks != null)] | length' "$dir/diagnose.out")" = 5 ] ||
  fail "diagnose through the gateway: $(cat "$dir/diagnose.out")"
fine at "${via[@]}" 'AT+CSQ' >"$dir/at.out" || fail "at: $(cat "$dir/at.out")"
[ "$(grep -c '+CSQ:' "$dir/at.out")" = 5 ] || fail "at through the gateway: $(cat "$dir/at.out")"
fine dial "${via[@]}" >"$dir/dial.out" || fail "dial: $(cat "$dir/dial.out")"
"$cli" --timeout 60 "${tls[@]}" apn set backup.example --confirm 30s "${via[@]}" \
  >"$dir/push.out" 2>&1 || fail "a commit-confirmed push through the gateway: $(cat "$dir/push.out")"
fine config get "${via[@]}" >"$dir/config.out"
[ "$(jq -s '[.[] | select(.config.current.config.apn == "backup.example")] | length' "$dir/config.out")" = 5 ] ||
  fail "the pushed APN is not in force on five boards: $(cat "$dir/config.out")"
echo "ok: watch, diagnose, at, dial and a confirmed push through the gateway"

fail_logs+=("$dir/collector.log")
cf_background "$dir/collector.log" "$collector" --inventory "$dir/good.yaml" "${tls[@]}" \
  --listen 127.0.0.1:0 --heartbeat 5 --ready-file "$dir/collector.ready"
until_ok 20 test -s "$dir/collector.ready" || fail "the collector did not start"
until_ok 60 bash -c "curl -sf http://$(cat "$dir/collector.ready")/metrics | grep -q '^cellfleet_collector_streams_connected 5$'" ||
  fail "the collector never had the 5 boards' streams through the gateway"
echo "ok: the collector streams the 5 boards through the gateway"

# --- a mapping dropped silently: found by the keepalive, the board back within the bound ---
before=$(grep -c "no answer to a keepalive" "$dir/fleet/agent0.log" || true)
ip netns exec "$carrier" conntrack -F >/dev/null 2>&1
dropped_at=$SECONDS
# Bound: the longest keepalive (4 s) + its timeout (2 s) + attaching again (at once) + slack.
until_ok 20 bash -c "[ \$(grep -c 'no answer to a keepalive' '$dir/fleet/agent0.log') -gt $before ]" ||
  fail "board-00 never found its mapping dropped"
until_ok 20 bash -c "'$cli' -o json --timeout 5 ${tls[*]} status ${via[*]} --select name=board-00 | jq -e '.status' >/dev/null" ||
  fail "board-00 not back after its mapping was dropped"
echo "ok: a silently dropped mapping found and board-00 back in $((SECONDS - dropped_at)) s"

# --- a push awaiting its confirm when the gateway restarts: the board rolls back alone ---
"$cli" --timeout 30 "${tls[@]}" apn set third.example --confirm 15s --manual-confirm "${via[@]}" \
  --select name=board-01 >"$dir/manual.out" 2>&1 || fail "manual-confirm push: $(cat "$dir/manual.out")"
fine config get "${via[@]}" --select name=board-01 | jq -e '.config.current.config.apn == "third.example"' \
  >/dev/null || fail "the push to be left unconfirmed is not in force on board-01"
restart_at=$(date +%s.%N)
kill -TERM "$gateway_pid"
timeout 30 tail --pid="$gateway_pid" -f /dev/null || fail "the gateway did not stop"
cp "$dir/gateway.log" "$dir/gateway.log.before"
start_gateway "$board_listen" "$operator_listen"
until_ok 60 bash -c "[ \$(grep -o 'board \"board-0[0-4]\" attached' '$dir/gateway.log' | sort -u | wc -l) -eq 5 ]" ||
  fail "the five boards did not come back after the gateway restarted"
# When each came back (the gateway log's times), seconds after the restart.
spread=$(grep 'board "board-0[0-4]" attached' "$dir/gateway.log" | sed -E 's/^\[([^]]+)\].*/\1/' |
  while read -r stamp; do date -d "$stamp" +%s.%N; done |
  awk -v t0="$restart_at" 'NR == 1 {lo = hi = $1} {if ($1 < lo) lo = $1; if ($1 > hi) hi = $1}
    END {printf "%.1f %.1f", lo - t0, hi - lo}')
read -r first_after spread_s <<<"$spread"
awk -v s="$spread_s" 'BEGIN {exit !(s >= 1.0)}' ||
  fail "the boards came back within ${spread_s} s of each other: not spread by the jitter"
echo "ok: after a gateway restart the 5 boards came back from ${first_after} s, spread over ${spread_s} s"
until_ok 40 bash -c "'$cli' -o json --timeout 5 ${tls[*]} config get ${via[*]} --select name=board-01 | jq -e '.config.current.config.apn == \"backup.example\"' >/dev/null" ||
  fail "board-01 did not roll back its unconfirmed push by itself"
echo "ok: the push left unconfirmed across the restart was rolled back by board-01 alone"
echo "gateway NAT test: passed"
