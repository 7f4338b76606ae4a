#!/usr/bin/env bash
# What an operator runs on a board by hand today, over ssh: the agent's six status
# queries straight on the modem's AT port, each read until its final result (3 s at
# most per line). Used by bench/ssh_fanout.sh as the per-board command.
#   board_at_query.sh /dev/ttyUSB2
set -euo pipefail
port=$1
stty -F "$port" raw -echo 115200
exec 3<>"$port"
for command in 'AT+CPIN?' 'AT+CREG?' 'AT+CEREG?' 'AT+COPS?' 'AT+CSQ' 'AT+QENG="servingcell"'; do
  printf '%s\r' "$command" >&3
  while IFS= read -r -t 3 -u 3 line; do
    line=${line%$'\r'}
    [ -n "$line" ] && printf '%s\n' "$line"
    case $line in OK | ERROR | *"CME ERROR"*) break ;; esac
  done
done
