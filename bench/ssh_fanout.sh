#!/usr/bin/env bash
# The way operators query a fleet today, for the fleet benchmark's comparison: an ssh
# fan-out (Debian's pssh: a new ssh connection per board, PARALLEL at a time) to a
# loopback sshd started here, running bench/board_at_query.sh on each board's simulated
# AT port. Prints "ssh_fanout boards=N ok=K wall_s=W". Root only (it runs sshd and makes a
# user); everything it starts is stopped, and the user removed, on exit.
# The logins are a throwaway user's whose login runs nothing (its own empty home, empty
# start-up files), as a board's service login would: root's start-up files on a
# development machine may do far more (a version manager in .bashrc costs seconds a login
# under load), which flattered cellfleet's ratio. It reaches the simulated AT ports as a
# member of their group (the simulator's --port-group dialout, as udev gives real ones).
#   ssh_fanout.sh PORTS_FILE PARALLEL WORK_DIR
set -euo pipefail
ports_file=$1
parallel=$2
dir=$3
here=$(cd "$(dirname "$0")" && pwd)
[ "$(id -u)" -eq 0 ] || { echo "ssh_fanout: needs root (it runs sshd)" >&2; exit 77; }
command -v parallel-ssh >/dev/null && [ -x /usr/sbin/sshd ] ||
  { echo "ssh_fanout: needs pssh and openssh-server (scripts/setup.sh)" >&2; exit 77; }
mkdir -p "$dir" /run/sshd
ssh-keygen -q -t ed25519 -N '' -f "$dir/host_key" <<<y >/dev/null
ssh-keygen -q -t ed25519 -N '' -f "$dir/client_key" <<<y >/dev/null
user=cellfleet-bench-ssh
# What the login user reads lives where it can reach it: the keys, the query script, and
# the ports as the devices they point at (the simulator's links sit in private dirs).
login_dir=$(mktemp -d /tmp/cellfleet-ssh-login.XXXXXX)
chmod 755 "$login_dir"
home="$login_dir/home"
sshd_pid=""
cleanup() {
  [ -n "$sshd_pid" ] && { kill "$sshd_pid" 2>/dev/null || true; wait "$sshd_pid" 2>/dev/null || true; }
  userdel "$user" >/dev/null 2>&1 || true
  rm -rf "$login_dir"
}
trap cleanup EXIT
cp "$dir/client_key.pub" "$login_dir/authorized_keys"
cp "$here/board_at_query.sh" "$login_dir/"
while read -r link; do readlink -f "$link"; done <"$ports_file" >"$login_dir/ports"
userdel "$user" >/dev/null 2>&1 || true  # left by a run that was killed
mkdir -p "$home"
: >"$home/.bashrc"
: >"$home/.profile"
# Password "*": no password, but not locked ("!"), which sshd without PAM refuses.
useradd --system --no-create-home --home-dir "$home" --shell /bin/bash --groups dialout \
  --password '*' "$user"
chown -R "$user:" "$home"
chmod -R a+rX "$login_dir"
# A free loopback port (sshd cannot be asked for port 0).
port=""
for _ in $(seq 1 50); do
  candidate=$((20000 + RANDOM % 40000))
  ss -Htln "sport = :$candidate" | grep -q . || { port=$candidate; break; }
done
[ -n "$port" ] || { echo "ssh_fanout: no free port" >&2; exit 1; }
cat >"$dir/sshd_config" <<CONFIG
ListenAddress 127.0.0.1
Port $port
HostKey $dir/host_key
PidFile $dir/sshd.pid
AuthorizedKeysFile $login_dir/authorized_keys
PermitRootLogin no
AllowUsers $user
PasswordAuthentication no
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
AcceptEnv PSSH_NODENUM
MaxStartups 2000:30:4000
MaxSessions 10
LogLevel ERROR
CONFIG
/usr/sbin/sshd -f "$dir/sshd_config" -D -e 2>"$dir/sshd.log" &
sshd_pid=$!
for _ in $(seq 1 50); do
  ssh -q -p "$port" -i "$dir/client_key" -o StrictHostKeyChecking=no \
    -o UserKnownHostsFile=/dev/null -o BatchMode=yes "$user@127.0.0.1" true 2>/dev/null && break
  sleep 0.1
done
boards=$(wc -l <"$ports_file")
# Distinct names (for pssh's per-host output files), all reaching the loopback sshd.
seq -f 'board-%04g' 0 $((boards - 1)) >"$dir/hosts"
# pssh numbers its hosts from 0 in PSSH_NODENUM; sent to the board, it picks the port.
remote="bash $login_dir/board_at_query.sh \"\$(sed -n \"\$((PSSH_NODENUM + 1))p\" $login_dir/ports)\""
start=$EPOCHREALTIME
set +e
parallel-ssh -h "$dir/hosts" -l "$user" -p "$parallel" -t 120 -o "$dir/out" \
  -x "-o HostName=127.0.0.1 -p $port -i $dir/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o SendEnv=PSSH_NODENUM -o LogLevel=ERROR" \
  "$remote" >"$dir/pssh.log" 2>&1
set -e
end=$EPOCHREALTIME
ok=$(grep -c "\[SUCCESS\]" "$dir/pssh.log" || true)
# A board counts when its output has every one of the six final results.
complete=0
for f in "$dir"/out/*; do
  [ -f "$f" ] || continue
  [ "$(grep -cE '^(OK|ERROR|\+CME ERROR.*)$' "$f" 2>/dev/null || true)" -ge 6 ] && complete=$((complete + 1))
done
echo "ssh_fanout boards=$boards ok=$ok complete=$complete parallel=$parallel login=$user(empty-home) wall_s=$(awk "BEGIN { printf \"%.2f\", $end - $start }")"
