#!/bin/sh
# Stands in for pppd in the supervisor's unit tests (the test machines have no kernel
# PPP; the real pppd is exercised in the PPP VM test). Prints pppd's own log lines.
# The mode is $1, or $FAKE_PPPD_MODE when the caller passes pppd's own arguments.
mode=${FAKE_PPPD_MODE:-$1}
# Each run appends a line to $FAKE_PPPD_STARTS (when set): tests count the dials.
[ -n "${FAKE_PPPD_STARTS:-}" ] && echo "$mode" >>"$FAKE_PPPD_STARTS"
# The link comes up as on a real LTE modem, and stays up until SIGTERM.
up() {
  echo "Serial connection established."
  echo "Using interface ppp0"
  echo "Connect: ppp0 <--> /dev/ttyUSB3"
  echo "Could not determine remote IP address: defaulting to 10.64.64.64"
  echo "local  IP address 10.221.128.38"
  echo "remote IP address 10.64.64.64"
  echo "primary   DNS address 49.45.0.1"
  # The background sleep must not keep pppd's output open after it exits.
  # pppd's totals at the end ($FAKE_PPPD_SENT / $FAKE_PPPD_RECEIVED stand in for traffic).
  trap 'kill $! 2>/dev/null; echo "Terminating on signal 15"; echo "Connect time 0.1 minutes."
        echo "Sent ${FAKE_PPPD_SENT:-0} bytes, received ${FAKE_PPPD_RECEIVED:-0} bytes."
        echo "Connection terminated."; exit 5' TERM
  # wait (not a foreground sleep) so the trap runs as soon as SIGTERM arrives
  while :; do sleep 1 & wait $!; done
}

case "$mode" in
  connect) up ;;
  by-apn)  # the network refuses $FAKE_PPPD_REFUSED_APN: chat meets NO CARRIER (pppd 8)
    options=$(while [ $# -gt 0 ]; do [ "$1" = file ] && { echo "$2"; break; }; shift; done)
    connect_script=$(sed -n 's/^connect "[^ ]* -v -s -f \(.*\)"$/\1/p' "$options")
    if grep -q "\"$FAKE_PPPD_REFUSED_APN\"" "$connect_script"; then
      echo "Failed (NO CARRIER)"
      echo "Connect script failed"
      exit 8
    fi
    up ;;
  slow-dial)  # chat still waiting for CONNECT when the operator hangs up
    trap 'kill $! 2>/dev/null; echo "Terminating on signal 15"; exit 5' TERM
    while :; do sleep 1 & wait $!; done ;;
  auth-then-hangup)  # the network refuses PAP and drops the call before pppd exits 19
    echo "Serial connection established."
    echo "Using interface ppp0"
    echo "PAP authentication failed"
    echo "Modem hangup"
    exit 16 ;;
  chat-timeout)  # what chat -v -s and pppd (without debug) print when TIMEOUT expires
    echo "expect (OK)"
    echo "alarm"
    echo "Failed"
    echo "Connect script failed"
    exit 8 ;;
  echo-timeout)
    echo "Using interface ppp0"
    echo "local  IP address 10.0.0.2"
    echo "No response to 4 echo-requests"
    echo "Serial link appears to be disconnected."
    exit 15 ;;
  flaky)  # up for a moment, then the link dies (for keep-up tests)
    echo "Using interface ppp0"
    echo "local  IP address 10.0.0.2"
    echo "remote IP address 10.64.64.64"
    sleep 0.3
    echo "No response to 4 echo-requests"
    echo "Serial link appears to be disconnected."
    exit 15 ;;
  peer-terminates)  # up, then the network ends the session cleanly: pppd exits 0
    echo "Using interface ppp0"
    echo "local  IP address 10.0.0.2"
    echo "remote IP address 10.64.64.64"
    sleep 0.3
    echo "LCP terminated by peer"
    echo "Connection terminated."
    exit 0 ;;
  peer-terminates-then-hangup)  # as pppd logs it when the line drops after the peer's end
    echo "Using interface ppp0"
    echo "local  IP address 10.0.0.2"
    echo "remote IP address 10.64.64.64"
    sleep 0.3
    echo "LCP terminated by peer"
    echo "Modem hangup"
    echo "Connection terminated."
    exit 16 ;;
  ignore-term)
    trap '' TERM
    echo "Using interface ppp0"
    while :; do sleep 1; done ;;
esac
exit 1
