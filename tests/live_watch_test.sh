#!/usr/bin/env bash
# The live fleet table in a real terminal: `cellfleet watch` on a simulated fleet inside
# tmux, read back with capture-pane. Taller than the terminal it shows a count of the
# rest; resized taller it shows every board; 'q' ends it with exit 0. Every wait is
# bounded; skipped (77) with the reason where tmux is missing.
#   live_watch_test.sh CELLFLEET_CLI CELLFLEET_FLEET
set -euo pipefail
cli=$1
fleet_program=$2
command -v tmux >/dev/null || { echo "SKIP: tmux is not installed (scripts/setup.sh installs it)"; exit 77; }
source "$(dirname "$0")/support/shell_test_lib.sh"
cf_init live
cf_start_fleet "$fleet_program" --boards 12 --tick 0.5 --poll-interval 0.5

# The watch in a 120x10 terminal; its exit status is printed when it ends.
tmux new-session -d -s "$session" -x 120 -y 10 \
  "TERM=xterm '$cli' watch --inventory '$inventory' --sort name; echo \"EXIT=\$?\"; sleep 60"
wait_screen "^12 boards: READY 12 "
grep -Eq "^BOARD +STATE +SIM" <<<"$screen" || fail "no header line"
rows=$(grep -c "^board-[0-9][0-9] " <<<"$screen" || true)
[ "$rows" -eq 7 ] || fail "expected 7 board rows in 10 lines, saw $rows"
grep -q "^\.\.\. and 5 more boards" <<<"$screen" || fail "no count of the boards not shown"
grep -q "^board-00 .*READY" <<<"$screen" || fail "sorted by name: board-00 first"

# Taller: every board, no count.
tmux resize-window -t "$session" -x 120 -y 20
wait_screen "^board-11 "
grep -q "more boards" <<<"$screen" && fail "all 12 fit in 20 lines, yet a count is shown"

tmux send-keys -t "$session" q
wait_screen "^EXIT=0$"
echo "PASS: live table drawn, resized and quit in a real terminal"
