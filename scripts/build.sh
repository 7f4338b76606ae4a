#!/usr/bin/env bash
# Configures and builds cellfleet in build/ (warnings are errors). Extra arguments are
# build targets; none builds everything.
set -euo pipefail
cd "$(dirname "$0")/.."
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCELLFLEET_WERROR=ON >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build -j "$(nproc)" "${targets[@]}"
