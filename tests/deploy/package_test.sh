#!/usr/bin/env bash
# Builds the .deb packages, installs them with dpkg, checks what an operator relies on
# (unit file verifies, binaries run, conffile and service user in place), then removes
# and purges them and checks nothing is left. Needs root; skipped (77) otherwise.
set -euo pipefail
build_dir=$1
if [ "$(id -u)" -ne 0 ]; then echo "SKIPPED: installing packages needs root"; exit 77; fi
if dpkg-query -W cellfleet-agent >/dev/null 2>&1; then
  echo "SKIPPED: cellfleet-agent is already installed on this machine; not touching it"; exit 77
fi
out=$(mktemp -d)
cleanup() {
  dpkg -P cellfleet-agent cellfleet cellfleet-gateway >/dev/null 2>&1 || true
  rm -rf "$out"
}
trap cleanup EXIT
(cd "$build_dir" && cpack -G DEB -B "$out" >/dev/null)
agent_deb=$(ls "$out"/cellfleet-agent_*.deb)
cli_deb=$(ls "$out"/cellfleet_*.deb)
gateway_deb=$(ls "$out"/cellfleet-gateway_*.deb)

fail() { echo "FAIL: $*"; exit 1; }
dpkg -i "$agent_deb" "$cli_deb" >/dev/null || fail "dpkg -i failed"
dpkg-query -W -f='${Status}\n' cellfleet-agent | grep -q "install ok installed" || fail "agent not installed"
/usr/bin/cellfleet-agent --version | grep -q "cellfleet-agent" || fail "cellfleet-agent --version"
/usr/bin/cellfleet --help >/dev/null || fail "cellfleet --help"
/usr/bin/cellfleet-collector --help >/dev/null || fail "cellfleet-collector --help"
/usr/bin/cellfleet-modemsim --help >/dev/null || fail "cellfleet-modemsim --help"
[ -f /etc/cellfleet/agent.yaml ] || fail "no /etc/cellfleet/agent.yaml"
dpkg-query --showformat='${Conffiles}\n' --show cellfleet-agent | grep -q /etc/cellfleet/agent.yaml || fail "agent.yaml is not a conffile"
getent passwd cellfleet >/dev/null || fail "service user cellfleet missing"
[ -d /var/lib/cellfleet ] || fail "state dir missing"
[ "$(stat -c %U /var/lib/cellfleet)" = cellfleet ] || fail "state dir not owned by cellfleet"
/usr/bin/cellfleet-agent --config /etc/cellfleet/agent.yaml --list-modems >/dev/null || fail "--list-modems"
unit=/lib/systemd/system/cellfleet-agent.service
[ -f "$unit" ] || fail "unit file missing"
verify=$(systemd-analyze verify "$unit" 2>&1) || fail "systemd-analyze verify: $verify"
# Lines about other units on this machine are not ours; any about ours is a failure.
if echo "$verify" | grep -q "cellfleet-agent.service"; then fail "systemd-analyze verify: $verify"; fi
[ -f /lib/udev/rules.d/70-cellfleet-quectel.rules ] || fail "udev rules missing"
# pppd takes privileged options only from root's own files.
peers=/etc/ppp/peers/cellfleet
[ "$(stat -c '%U %a' "$peers")" = "root 644" ] || fail "$peers is not root's, mode 644: $(stat -c '%U %a' "$peers")"
grep -qx noauth "$peers" || fail "$peers lacks noauth"
dpkg-query --showformat='${Conffiles}\n' --show cellfleet-agent | grep -q "$peers" || fail "$peers is not a conffile"
[ -f /lib/modules-load.d/cellfleet.conf ] || fail "modules-load.d file missing"
# What a Debian user expects of a command-line tool: man pages and completion.
for page in man1/cellfleet.1.gz man1/cellfleet-collector.1.gz man8/cellfleet-agent.8.gz; do
  [ -f "/usr/share/man/$page" ] || fail "man page /usr/share/man/$page missing"
done
man -l /usr/share/man/man1/cellfleet.1.gz 2>/dev/null | grep -q "cellfleet config apply" ||
  fail "the installed cellfleet(1) does not describe config apply"
[ -f /usr/share/bash-completion/completions/cellfleet ] || fail "bash completion missing"

# The installed agent as its service user (the unit's user, groups and umask), its TLS
# files in its state dir: enrolled from nothing with a one-time token by the installed CLI
# and make-certs.sh (the CA key staying on the operator's side), then renewed and given a
# revocation list, each written by the agent itself.
make_certs=/usr/share/cellfleet/make-certs.sh
[ -f "$make_certs" ] || fail "$make_certs missing"
ops=$out/ops
bash "$make_certs" "$ops" client ops >/dev/null
bash "$make_certs" "$ops" client lost-laptop >/dev/null
bash "$make_certs" "$ops" token board-pkg >/dev/null 2>&1
install -o root -g cellfleet -m 640 "$ops/tokens/board-pkg.token" /etc/cellfleet/enrollment-token
chmod 755 "$out"
tls=/var/lib/cellfleet/tls
cat >"$out/agent.yaml" <<YAML
server: {listen: "127.0.0.1:0", board_name: board-pkg}
security:
  tls: {cert: $tls/agent.crt, key: $tls/agent.key, client_ca: $tls/ca.crt, crl_dir: $tls/crl,
        enrollment_token: /etc/cellfleet/enrollment-token, reload_interval: 1s}
  roles: {ops: operator}
  audit_log: /var/lib/cellfleet/audit.log
YAML
chmod 644 "$out/agent.yaml"
unit_groups=$(sed -n 's/^SupplementaryGroups=//p' "$unit" | tr ' ' ',')
unit_umask=$(sed -n 's/^UMask=//p' "$unit")
ready=/var/lib/cellfleet/ready
(umask "$unit_umask" && exec setpriv --reuid=cellfleet --regid=cellfleet --groups="$unit_groups" \
  --inh-caps=-all /usr/bin/cellfleet-agent --config "$out/agent.yaml" --ready-file "$ready") \
  >"$out/agent.out" 2>&1 &
agent_pid=$!
stop_agent() { kill -TERM "$agent_pid" 2>/dev/null || true; wait "$agent_pid" 2>/dev/null || true; }
wait_ready() { for _ in $(seq 1 100); do [ -s "$ready" ] && return 0; sleep 0.1; done; stop_agent; fail "$1: $(cat "$out/agent.out")"; }
wait_ready "the installed agent did not wait to be enrolled"
enroll_address=$(cat "$ready")
rm -f "$ready"
/usr/bin/cellfleet cert enroll --address "$enroll_address" --name board-pkg --pki "$ops" >"$out/enroll.out" 2>&1 ||
  { stop_agent; fail "cert enroll: $(cat "$out/enroll.out") $(cat "$out/agent.out")"; }
wait_ready "the enrolled agent did not serve"
address=$(cat "$ready")
as_ops=(/usr/bin/cellfleet --ca "$ops/ca.crt" --cert "$ops/client-ops.crt" --key "$ops/client-ops.key" --tls-server-name board-pkg)
"${as_ops[@]}" -o json status --targets "$address" >"$out/status.out" 2>&1 ||
  { stop_agent; fail "status after enrollment: $(cat "$out/status.out")"; }
grep -q '"subject":"CN=board-pkg"' "$out/status.out" || { stop_agent; fail "not serving its certificate: $(cat "$out/status.out")"; }
[ "$(stat -c '%U %a' "$tls/agent.key")" = "cellfleet 600" ] || { stop_agent; fail "$tls/agent.key: $(stat -c '%U %a' "$tls/agent.key")"; }
[ ! -e "$ops/agent-board-pkg.key" ] || { stop_agent; fail "a board key on the operator's side"; }
first_key=$(md5sum <"$tls/agent.key")
"${as_ops[@]}" cert renew --force --targets "$address" --pki "$ops" >"$out/renew.out" 2>&1 ||
  { stop_agent; fail "cert renew: $(cat "$out/renew.out")"; }
[ "$(md5sum <"$tls/agent.key")" != "$first_key" ] || { stop_agent; fail "renewal kept the key"; }
bash "$make_certs" "$ops" revoke client-lost-laptop >/dev/null
"${as_ops[@]}" -o json cert crl --targets "$address" --pki "$ops" >"$out/crl.out" 2>&1 ||
  { stop_agent; fail "cert crl: $(cat "$out/crl.out")"; }
grep -q '"revoked":1' "$out/crl.out" || { stop_agent; fail "cert crl: $(cat "$out/crl.out")"; }
stop_agent

# Behind carrier NAT: the installed gateway as its user, and the same agent as its user
# dialing out to it (its renewed certificate names it there); the installed CLI reaches
# the board through the gateway, its TLS ending on the board.
dpkg -i "$gateway_deb" >/dev/null || fail "dpkg -i cellfleet-gateway failed"
bash "$make_certs" "$ops" gateway localhost IP:127.0.0.1 >/dev/null
gw=$out/gw
install -d -o root -g cellfleet-gateway -m 750 "$gw"
install -o root -g cellfleet-gateway -m 640 "$ops/gateway-localhost.crt" "$ops/gateway-localhost.key" "$ops/ca.crt" "$gw/"
cat >"$gw/gateway.yaml" <<YAML
board_listen: "127.0.0.1:0"
operator_listen: "127.0.0.1:0"
tls: {cert: $gw/gateway-localhost.crt, key: $gw/gateway-localhost.key, boards_ca: $gw/ca.crt, operators_ca: $gw/ca.crt}
operators: [ops]
YAML
chmod 644 "$gw/gateway.yaml"
install -d -o cellfleet-gateway -m 700 "$out/gwrun"
setpriv --reuid=cellfleet-gateway --regid=cellfleet-gateway --clear-groups --inh-caps=-all \
  /usr/bin/cellfleet-gateway --config "$gw/gateway.yaml" --ready-file "$out/gwrun/ready" >"$out/gw.out" 2>&1 &
gw_pid=$!
stop_gateway() { kill -TERM "$gw_pid" 2>/dev/null || true; wait "$gw_pid" 2>/dev/null || true; }
for _ in $(seq 1 100); do [ "$(grep -c . "$out/gwrun/ready" 2>/dev/null)" = 2 ] && break; sleep 0.1; done
board_port=$(sed -n 1p "$out/gwrun/ready")
operator_port=$(sed -n 2p "$out/gwrun/ready")
[ -n "$operator_port" ] || { stop_gateway; fail "the installed gateway did not serve: $(cat "$out/gw.out")"; }
cat >>"$out/agent.yaml" <<YAML
gateway: {address: "$board_port", ca: $tls/ca.crt, server_name: localhost}
YAML
rm -f "$ready"
(umask "$unit_umask" && exec setpriv --reuid=cellfleet --regid=cellfleet --groups="$unit_groups" \
  --inh-caps=-all /usr/bin/cellfleet-agent --config "$out/agent.yaml" --ready-file "$ready") \
  >"$out/agent.out" 2>&1 &
agent_pid=$!
wait_ready "the dialing-out agent did not serve"
via_ok=
for _ in $(seq 1 50); do
  if "${as_ops[@]}" -o json status --targets board-pkg --gateway "$operator_port" >"$out/via.out" 2>&1 &&
    grep -q '"subject":"CN=board-pkg"' "$out/via.out"; then via_ok=1; break; fi
  sleep 0.2
done
stop_agent
stop_gateway
[ -n "$via_ok" ] || fail "status through the installed gateway: $(cat "$out/via.out") $(cat "$out/agent.out") $(cat "$out/gw.out")"
grep -q 'board "board-pkg" attached' "$out/gw.out" || fail "the gateway did not name the board: $(cat "$out/gw.out")"
dpkg -P cellfleet-gateway >/dev/null || fail "dpkg -P cellfleet-gateway failed"
# Each step in the audit log the agent wrote as its user: enrollment by the token, the
# operator's renewal and list, begin lines before each.
audit=/var/lib/cellfleet/audit.log
[ "$(stat -c '%U %a' "$audit")" = "cellfleet 640" ] || fail "$audit: $(stat -c '%U %a' "$audit")"
for step in '"identity":"enrollment token".*"method":"InstallCertificate".*"phase":"begin"' \
  '"identity":"enrollment token".*"method":"InstallCertificate".*"result":"OK"' \
  '"identity":"ops".*"method":"CreateCertificateRequest".*"result":"OK"' \
  '"identity":"ops".*"method":"InstallCertificate".*"result":"OK"' \
  '"method":"InstallRevocationList".*"phase":"begin"' \
  '"identity":"ops".*"method":"InstallRevocationList".*"result":"OK"'; do
  grep -Eq "$step" "$audit" || fail "audit log lacks $step: $(cat "$audit") agent: $(cat "$out/agent.out")"
done
rm -f /etc/cellfleet/enrollment-token

dpkg -r cellfleet-agent cellfleet >/dev/null || fail "dpkg -r failed"
[ ! -e /usr/bin/cellfleet-agent ] || fail "binary left after dpkg -r"
[ ! -e "$unit" ] || fail "unit left after dpkg -r"
[ -f /etc/cellfleet/agent.yaml ] || fail "conffile must survive dpkg -r (until purge)"
dpkg -P cellfleet-agent >/dev/null || fail "dpkg -P failed"
[ ! -e /etc/cellfleet/agent.yaml ] || fail "conffile left after purge"
[ ! -e /etc/ppp/peers/cellfleet ] || fail "peers file left after purge"
[ ! -d /var/lib/cellfleet ] || fail "state dir left after purge"
! getent passwd cellfleet >/dev/null || fail "service user left after purge"

# The gateway's package: its unit verifies, its settings are a conffile only its user
# reads, and the installed gateway serves as that user from the shipped settings (with a
# test PKI in place of the operator's).
dpkg -i "$gateway_deb" >/dev/null || fail "dpkg -i cellfleet-gateway failed"
/usr/bin/cellfleet-gateway --version | grep -q "cellfleet-gateway" || fail "cellfleet-gateway --version"
getent passwd cellfleet-gateway >/dev/null || fail "service user cellfleet-gateway missing"
settings=/etc/cellfleet/gateway.yaml
[ "$(stat -c '%U:%G %a' "$settings")" = "root:cellfleet-gateway 640" ] ||
  fail "$settings is not root:cellfleet-gateway 640: $(stat -c '%U:%G %a' "$settings")"
dpkg-query --showformat='${Conffiles}\n' --show cellfleet-gateway | grep -q "$settings" ||
  fail "$settings is not a conffile"
gateway_unit=/lib/systemd/system/cellfleet-gateway.service
verify=$(systemd-analyze verify "$gateway_unit" 2>&1) || fail "systemd-analyze verify: $verify"
if echo "$verify" | grep -q "cellfleet-gateway.service"; then fail "systemd-analyze verify: $verify"; fi
[ -f /usr/share/man/man8/cellfleet-gateway.8.gz ] || fail "cellfleet-gateway(8) missing"
pki=$out/pki
bash /usr/share/cellfleet-gateway/make-certs.sh "$pki" gateway localhost IP:127.0.0.1 >/dev/null
chgrp -R cellfleet-gateway "$pki" && chmod 750 "$pki" && chmod 640 "$pki"/*.key
chmod 755 "$out"
sed -e "s#/etc/cellfleet/gateway.crt#$pki/gateway-localhost.crt#; s#/etc/cellfleet/gateway.key#$pki/gateway-localhost.key#" \
  -e "s#/etc/cellfleet/ca.crt#$pki/ca.crt#g" -e 's#"\[::\]:844[34]"#"127.0.0.1:0"#' "$settings" >"$out/gateway.yaml"
chmod 644 "$out/gateway.yaml"
user=(setpriv --reuid=cellfleet-gateway --regid=cellfleet-gateway --clear-groups --inh-caps=-all)
install -d -o cellfleet-gateway -m 700 "$out/run"
"${user[@]}" /usr/bin/cellfleet-gateway --config "$out/gateway.yaml" --ready-file "$out/run/ready" \
  >"$out/gateway.out" 2>&1 &
gateway_pid=$!
for _ in $(seq 1 100); do [ -s "$out/run/ready" ] && break; sleep 0.1; done
kill -TERM "$gateway_pid" 2>/dev/null || true
wait "$gateway_pid" 2>/dev/null || true
[ "$(grep -c '^127.0.0.1:' "$out/run/ready" 2>/dev/null)" = 2 ] ||
  fail "the installed gateway did not serve as its user: $(cat "$out/gateway.out")"
dpkg -P cellfleet-gateway >/dev/null || fail "dpkg -P cellfleet-gateway failed"
[ ! -e /usr/bin/cellfleet-gateway ] || fail "gateway binary left after purge"
! getent passwd cellfleet-gateway >/dev/null || fail "service user cellfleet-gateway left after purge"
echo "package test: 1 passed, 0 failed"
