#!/usr/bin/env bash
# Builds and runs the benchmarks; figures go to docs/measurements.md. They measure and print;
# nothing is asserted.
#   bash scripts/bench.sh [ARGS]          the agent: latency, memory, CPU, TCP payload
#                                         (about 6 minutes)
#   bash scripts/bench.sh fleet [ARGS]    the fleet at 100, 500 and 1,000 real agents with
#                                         the real CLI and collector, beside an ssh fan-out
#                                         (about 25 minutes; the ssh part needs root)
#   bash scripts/bench.sh wire [SECONDS]  bytes a carrier bills, at the IP level on a veth
#                                         pair into a network namespace (root; 20 minutes)
#   bash scripts/bench.sh wire-gateway [SECONDS] [PINGS]
#                                         the same for a board behind a NAT that dials out
#                                         to cellfleet-gateway (root; 22 minutes)
#   bash scripts/bench.sh wear [SECONDS]  bytes the agent writes to flash a day at the
#                                         default settings, link up (2 minutes)
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
case "${1:-}" in
  fleet)
    shift
    bash scripts/build.sh cellfleet-fleet-bench
    build/bench/cellfleet-fleet-bench "$@"
    ;;
  wire)
    shift
    bash scripts/build.sh cellfleet cellfleet-agent cellfleet-modemsim
    bash bench/wire_ip.sh build "$@"
    ;;
  wire-gateway)
    shift
    bash scripts/build.sh cellfleet cellfleet-agent cellfleet-modemsim cellfleet-gateway
    bash bench/wire_gateway.sh build "$@"
    ;;
  wear)
    shift
    bash scripts/build.sh cellfleet cellfleet-agent cellfleet-modemsim cellfleet-fleet
    bash bench/flash_wear.sh build "$@"
    ;;
  *)
    bash scripts/build.sh cellfleet-bench
    build/bench/cellfleet-bench "$@"
    ;;
esac
