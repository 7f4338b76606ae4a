#!/usr/bin/env bash
# Builds and runs the agent benchmarks (about 6 minutes); figures go to the README.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh cellfleet-bench
build/bench/cellfleet-bench "$@"
