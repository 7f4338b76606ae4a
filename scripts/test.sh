#!/usr/bin/env bash
# Sets up, builds and runs every test through ctest. CI runs exactly this.
#   1. build/: the normal build (gcc, warnings are errors): unit, end-to-end, deployment
#      tests, and the PPP tests with the real pppd and chat inside a throwaway VM
#      (tests/vm); build-arm64/: the arm64 cross build that the qemu-user smoke test runs.
#   2. build-asan/: clang with ASan+UBSan and libFuzzer: the unit tests again, and a
#      bounded fuzz run over the AT framing and every parser.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/build-arm64.sh
ctest --test-dir build --output-on-failure -j 2 --timeout 300

cmake -S . -B build-asan -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DCELLFLEET_SANITIZE=ON -DCELLFLEET_FUZZ=ON -DCELLFLEET_WERROR=ON >/dev/null
cmake --build build-asan -j "$(nproc)" --target modem_tests quectel_tests sim_tests ppp_tests agent_tests client_tests at_replies_fuzzer
ctest --test-dir build-asan --output-on-failure -j 2 --timeout 300 -L 'unit|fuzz'
