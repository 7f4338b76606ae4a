#!/usr/bin/env bash
# Sets up, builds and runs every test through ctest. CI runs exactly this.
#   1. build/: the normal build (gcc, warnings are errors): unit, end-to-end, deployment
#      tests, the fleet tests (200 real agents; the live table in tmux), and the PPP
#      tests with the real pppd and chat inside a throwaway VM (tests/vm); build-arm64/:
#      the arm64 cross build that the qemu-user smoke test runs.
#   2. build-asan/: clang with ASan+UBSan and libFuzzer: the unit tests again, and a
#      bounded fuzz run over the AT framing and every parser.
#   3. build-tsan/: clang with ThreadSanitizer: the unit, integration and end-to-end
#      tests again (their agent, simulator and CLI TSan-built too). Both clang builds
#      warn with -Wthread-safety, as errors.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/cmake_generator.sh
# The tests' scratch files (gtest's TempDir(), TMPDIR) go to one directory of this run,
# removed at the end, so that runs leave nothing in /tmp. Mode 1777 like /tmp: some tests
# hand files to the agent running as its service user.
scratch=$(mktemp -d /tmp/cellfleet-test-run.XXXXXX)
chmod 1777 "$scratch"
trap 'rm -rf "$scratch"' EXIT
export TEST_TMPDIR="$scratch" TMPDIR="$scratch"
bash scripts/setup.sh
bash scripts/build.sh
bash scripts/build-arm64.sh
ctest --test-dir build --output-on-failure -j 2 --timeout 300

cmake_generator build-asan
cmake -S . -B build-asan "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=Debug \
  -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld \
  -DCELLFLEET_SANITIZE=ON -DCELLFLEET_FUZZ=ON -DCELLFLEET_WERROR=ON >/dev/null
cmake --build build-asan -j "$(nproc)" --target base_tests modem_tests hardware_tests replies_tests quectel_tests simulator_tests ppp_tests convert_tests relay_tests dialout_tests agent_tests fleet_tests client_tests collector_tests \
  at_replies_fuzzer agent_inputs_fuzzer
ctest --test-dir build-asan --output-on-failure -j 2 --timeout 300 -L 'unit|fuzz'

# -O1 -g1: TSan needs some optimisation to run at speed and line tables for its reports.
cmake_generator build-tsan
cmake -S . -B build-tsan "${generator[@]}" -DCMAKE_CXX_COMPILER=clang++ -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" -DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld \
  -DCELLFLEET_TSAN=ON -DCELLFLEET_WERROR=ON >/dev/null
cmake --build build-tsan -j "$(nproc)" --target base_tests modem_tests hardware_tests replies_tests quectel_tests simulator_tests \
  ppp_tests convert_tests relay_tests dialout_tests agent_tests fleet_tests client_tests collector_tests e2e_tests config_push_e2e_tests \
  history_e2e_tests security_e2e_tests gateway_e2e_tests \
  serial_clients_tests cellfleet-agent cellfleet-modemsim cellfleet tsan_annotations_selftest
TSAN_OPTIONS="suppressions=$PWD/tests/tsan/suppressions.txt ${TSAN_OPTIONS:-}" \
  ctest --test-dir build-tsan --output-on-failure -j 2 --timeout 300 -L 'unit|integration|e2e'
