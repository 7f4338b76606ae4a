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
