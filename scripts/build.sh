#!/usr/bin/env bash
# Configures and builds cellfleet in build/ (warnings are errors). Extra arguments are
# build targets; none builds everything.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cmake_generator.sh
cmake_generator build
# -g1: line tables for backtraces, without the full debug info that makes the build slower.
cmake -S . -B build "${generator[@]}" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O2 -g1 -DNDEBUG" \
  -DCELLFLEET_WERROR=ON >/dev/null
targets=()
for target in "$@"; do targets+=(--target "$target"); done
cmake --build build -j "$(nproc)" "${targets[@]}"
