#!/usr/bin/env bash
# The main job: a simulated fleet of 3 EC25 boards, one agent per board on loopback
# (mutual TLS), one of them behind a cellfleet-gateway as a board behind carrier NAT
# would be (it dials out; the others are dialed directly), and `cellfleet watch`
# streaming their signal. Ctrl-C stops everything.
set -euo pipefail
cd "$(dirname "$0")/.."
boards=${CELLFLEET_DEMO_BOARDS:-3}
bash scripts/setup.sh
bash scripts/build.sh cellfleet cellfleet-fleet cellfleet-gateway

run_dir=$(mktemp -d /tmp/cellfleet-demo.XXXXXX)
fleet_pid="" gateway_pid=""
cleanup() {
  trap - EXIT INT TERM
  for pid in $fleet_pid $gateway_pid; do
    kill -TERM "$pid" 2>/dev/null || true
    # Bounded: the fleet stops its agents (each drains its streams within 5 s) and the
    # simulator, the gateway its listeners; then they are killed.
    timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$run_dir"
  echo "demo: stopped; logs were in $run_dir (removed)"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Certificates from the project's script: each board's names it (and, for this demo on
# one machine, 127.0.0.1), the operator "demo", and the gateway.
pki=$run_dir/pki
for i in $(seq 0 $((boards - 1))); do
  bash deploy/make-certs.sh "$pki" agent "$(printf 'board-%02d' "$i")" IP:127.0.0.1 >/dev/null
done
bash deploy/make-certs.sh "$pki" client demo >/dev/null
bash deploy/make-certs.sh "$pki" gateway gateway IP:127.0.0.1 >/dev/null
cli=(build/client/cellfleet --ca "$pki/ca.crt" --cert "$pki/client-demo.crt" --key "$pki/client-demo.key")

# The gateway, on loopback: board-01 dials out to it, operators reach board-01 through it.
build/gateway/cellfleet-gateway --board-listen 127.0.0.1:0 --operator-listen 127.0.0.1:0 \
  --cert "$pki/gateway-gateway.crt" --key "$pki/gateway-gateway.key" --boards-ca "$pki/ca.crt" \
  --operators-ca "$pki/ca.crt" --operator demo --ready-file "$run_dir/gateway.ready" \
  >"$run_dir/gateway.log" 2>&1 &
gateway_pid=$!
timeout 20 bash -c "until [ -s '$run_dir/gateway.ready' ]; do sleep 0.1; done" || {
  echo "demo: the gateway did not start:" >&2
  cat "$run_dir/gateway.log" >&2
  exit 1
}
board_listen=$(sed -n 1p "$run_dir/gateway.ready")
operator_listen=$(sed -n 2p "$run_dir/gateway.ready")
for i in $(seq 0 $((boards - 1))); do
  name=$(printf 'board-%02d' "$i")
  {
    echo "security:"
    echo "  tls: {cert: $pki/agent-$name.crt, key: $pki/agent-$name.key, client_ca: $pki/ca.crt}"
    echo "  roles: {demo: operator}"
    [ "$i" = 1 ] && echo "gateway: {address: \"$board_listen\", ca: $pki/ca.crt, server_name: gateway}"
  } >"$run_dir/$name.yaml"
done

# The fleet harness: one simulator with the boards, one real agent per board on a
# loopback port, and an inventory with labels. Its scenario gives board-02 a SIM that is
# not seated, for diagnose and doctor to find.
build/tests/support/cellfleet-fleet --boards "$boards" --dir "$run_dir" \
  --scenario tests/testdata/scenarios/demo-fleet.yaml \
  --agent-arg="--config=$run_dir/{name}.yaml" \
  --ready-file "$run_dir/fleet.ready" >"$run_dir/fleet.log" 2>&1 &
fleet_pid=$!
timeout 60 bash -c "until [ -s '$run_dir/fleet.ready' ]; do sleep 0.1; done" || {
  echo "demo: the fleet did not start:" >&2
  cat "$run_dir/fleet.log" >&2
  exit 1
}
# The operators' inventory: board-01 by its name through the gateway, the rest directly.
awk -v via="$operator_listen" '
  /^  - name: / { board = $3 }
  /^    address: / && board == "board-01" { print "    via: \"" via "\""; next }
  { print }' "$(cat "$run_dir/fleet.ready")" >"$run_dir/operators.yaml"
inventory=$run_dir/operators.yaml

echo "demo: $boards simulated boards, agents listening on loopback (board-01 dials out to a gateway"
echo "  on $board_listen and is reached through it); inventory $inventory:"
sed 's/^/  /' "$inventory"
echo "demo: try in a second terminal (this fleet runs until Ctrl-C here):"
echo "  cd $PWD"
echo "  build/client/cellfleet ${cli[*]:1} status --inventory $inventory"
echo "  build/client/cellfleet ${cli[*]:1} diagnose --inventory $inventory --select name=board-02"
echo "  build/client/cellfleet ${cli[*]:1} status --gateway $operator_listen --targets board-01"
# The modems answer at a real EC25's pace: wait (bounded) until each has initialised.
timeout 30 bash -c "until [ \$(${cli[*]} --output json status --inventory '$inventory' 2>/dev/null |
  grep -c MODEM_STATE_READY) -ge $boards ]; do sleep 0.5; done" || true
"${cli[@]}" status --inventory "$inventory" || true
"${cli[@]}" diagnose --inventory "$inventory" || true
echo "demo: the hand checklist, live on each board ('cellfleet doctor')"
"${cli[@]}" doctor --inventory "$inventory" || true
echo "demo: the neighbour cells, by an AT command through each agent ('cellfleet at')"
"${cli[@]}" at 'AT+QENG="neighbourcell"' --inventory "$inventory" || true
echo "demo: streaming with 'cellfleet watch' (Ctrl-C to stop)"
"${cli[@]}" watch --inventory "$inventory" --interval 2
