# Sourced by the shell tests that drive a simulated fleet (cellfleet-fleet) and, some, a
# real terminal (tmux): one work directory, background processes stopped on exit
# (SIGTERM, then SIGKILL after 30 s), bounded waits, and a failure that shows what the
# test saw. Every wait is bounded.
#   source shell_test_lib.sh; cf_init NAME
#   cf_start_fleet FLEET_PROGRAM ARGS...   (sets `inventory`)
#   cf_background LOG COMMAND...           (a process stopped on exit)
#   wait_screen REGEX                      (tmux: sets `screen`)
#   until_ok SECONDS COMMAND...

# cf_init NAME: the work dir (`dir`), the tmux session name (`session`), cleanup on exit.
cf_init() {
  dir=$(mktemp -d "/tmp/cellfleet-$1.XXXXXX")
  session="cellfleet-$1-$$"
  pids=()
  fail_logs=()  # files whose tails a failure prints
  trap cf_cleanup EXIT
}

cf_cleanup() {
  tmux kill-session -t "$session" 2>/dev/null || true
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do
    timeout 30 tail --pid="$pid" -f /dev/null 2>/dev/null || kill -KILL "$pid" 2>/dev/null || true
  done
  rm -rf "$dir"
}

fail() {
  echo "FAIL: $*"
  if tmux has-session -t "$session" 2>/dev/null; then
    echo "--- screen:"
    tmux capture-pane -p -t "$session" 2>/dev/null || true
  fi
  for log in "${fail_logs[@]}"; do
    echo "--- $log (tail):"
    tail -20 "$log" 2>/dev/null || true
  done
  exit 1
}

# cf_background LOG COMMAND...: runs COMMAND in the background, output to LOG.
cf_background() {
  local log=$1
  shift
  "$@" >"$log" 2>&1 &
  pids+=($!)
}

# until_ok SECONDS COMMAND...: runs COMMAND every 0.1 s until it succeeds, at most SECONDS.
until_ok() {
  local deadline=$((SECONDS + $1))
  shift
  until "$@"; do
    [ "$SECONDS" -lt "$deadline" ] || return 1
    sleep 0.1
  done
}

# cf_start_fleet FLEET_PROGRAM ARGS...: a simulated fleet in $dir/fleet; `inventory` is
# its inventory file once every agent serves.
cf_start_fleet() {
  local program=$1
  shift
  fail_logs+=("$dir/fleet.log")
  cf_background "$dir/fleet.log" "$program" --dir "$dir/fleet" --ready-file "$dir/fleet.ready" "$@"
  until_ok 60 test -s "$dir/fleet.ready" || fail "the fleet did not start"
  inventory=$(cat "$dir/fleet.ready")
}

# wait_screen REGEX: until the tmux session's screen shows REGEX, at most 30 s.
wait_screen() {
  for _ in $(seq 1 300); do
    screen=$(tmux capture-pane -p -t "$session")
    grep -Eq "$1" <<<"$screen" && return 0
    sleep 0.1
  done
  fail "the screen never showed /$1/"
}
