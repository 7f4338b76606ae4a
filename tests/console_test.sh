#!/usr/bin/env bash
# The AT console in a real terminal: `cellfleet console` on a simulated board inside
# tmux, read back with capture-pane. A query answers, a write is refused by the agent's
# policy, Ctrl-C cancels a network scan in flight and clears a line being typed without
# leaving, the history recalls a command with the up arrow (and is kept in a file), and
# Ctrl-D leaves. The agent's audit log has a line for each call. Every wait is bounded;
# skipped (77) with the reason where tmux is missing.
#   console_test.sh CELLFLEET_CLI CELLFLEET_FLEET
set -euo pipefail
cli=$1
fleet_program=$2
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed (scripts/setup.sh installs it)"; exit 77; }
source "$(dirname "$0")/support/shell_test_lib.sh"
cf_init console
# Loopback callers are operators here, as a board's admin would allow on a bench.
cf_start_fleet "$fleet_program" --boards 1 --poll-interval 0.5 \
  --agent-arg=--unauthenticated-role=operator --agent-arg=--audit-log="$dir/audit.log"

mkdir -p "$dir/home"
tmux new-session -d -s "$session" -x 120 -y 40 \
  "HOME='$dir/home' TERM=xterm '$cli' console board-00 --inventory '$inventory'; echo \"EXIT=\$?\"; sleep 60"
# prompts: how many prompts the screen shows (each command ends with a new one).
prompts() { tmux capture-pane -p -t "$session" | grep -c "^board-00>" || true; }
wait_prompts() {
  for _ in $(seq 1 300); do [ "$(prompts)" -ge "$1" ] && return 0; sleep 0.1; done
  fail "expected $1 prompts"
}

wait_screen "^board-00> ?$"
# The modem answers as it would in picocom: a query and its OK.
tmux send-keys -t "$session" 'AT+CSQ' Enter
wait_screen "^OK  \([0-9]+ms\)$"
grep -Eq "^\+CSQ: [0-9]+,99$" <<<"$screen" || fail "no +CSQ reply line"
wait_prompts 2

# A write an operator may not run: the agent's refusal, and the console goes on.
tmux send-keys -t "$session" 'AT+CFUN=0' Enter
wait_screen "^error: PERMISSION_DENIED: operators may run queries only"
wait_prompts 3

# A network scan (3 s on the simulator), cancelled with Ctrl-C while in flight.
tmux send-keys -t "$session" 'AT+COPS=?' Enter
sleep 0.5
tmux send-keys -t "$session" C-c
wait_screen "^cancelled \(the modem may still finish AT\+COPS=\?\)$"
wait_prompts 4

# Ctrl-C while typing clears the line; the console stays.
tmux send-keys -t "$session" 'AT+CGM'
tmux send-keys -t "$session" C-c
wait_prompts 5
# The up arrow recalls the last command (the scan); Enter runs it again, to the end.
tmux send-keys -t "$session" Up
wait_screen "^board-00> AT\+COPS=\?$"
tmux send-keys -t "$session" Enter
wait_screen "^\+COPS: \(2,\"Telekom.de\""
wait_prompts 6

# Ctrl-D leaves; two calls failed (the refusal and the cancel), so the exit code is 1.
tmux send-keys -t "$session" C-d
wait_screen "^EXIT=1$"

grep -q "AT+CSQ" "$dir/home/.local/state/cellfleet/console_history" || fail "no history file kept"
# The audit log: one line per call, allowed or refused, with the reply's first line.
timeout 10 bash -c "until [ \$(grep -c RunAtCommand '$dir/audit.log') -ge 4 ]; do sleep 0.1; done" ||
  { cat "$dir/audit.log"; fail "expected 4 audit lines"; }
grep -q '"reply":"+CSQ: ' "$dir/audit.log" || fail "no reply in the audit line of AT+CSQ"
grep -q 'AT+CFUN=0.*"result":"PERMISSION_DENIED"' "$dir/audit.log" || fail "the refusal is not audited"
echo "PASS: console queried, refused, cancelled, recalled history and left in a real terminal"
