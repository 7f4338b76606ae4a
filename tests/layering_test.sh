#!/bin/bash
# The house rules the build alone cannot see, checked on the tree and the binaries:
#   - modem/ includes neither gRPC nor the generated protos;
#   - fleet/ and collector/ include neither client/ (the CLI) nor agent/; client/ never agent/;
#   - agent/status/ sees no other agent folder; agent/service/ is only the gRPC layer;
#   - no absl::Now() outside base/ (time comes from base::Clock, injectable);
#   - the daemons (cellfleet-agent, cellfleet-collector) link no terminal library.
# Each rule is first shown to catch a planted breach (its positive control).
# Usage: layering_test.sh SOURCE_DIR BUILD_DIR
set -euo pipefail
src=$1
build=$2
source "$(dirname "$0")/support/rules_lib.sh"

# rule_includes ROOT FOLDER PATTERN: files of FOLDER whose #include lines match PATTERN.
rule_includes() {
  grep -rlE "^#include \"($3)" --include='*.cc' --include='*.h' "$1/$2" 2>/dev/null || true
}
# rule_now ROOT: files outside base/ that call absl::Now().
rule_now() {
  grep -rl 'absl::Now()' --include='*.cc' --include='*.h' "$1" 2>/dev/null | grep -v "^$1/base/" |
    grep -v "^$1/build" || true
}
# rule_terminal BINARY: the terminal libraries it needs.
rule_terminal() {
  readelf -d "$1" | grep -oE 'lib(ncursesw?|edit|tinfo)\.so[.0-9]*' || true
}

# Positive controls: a planted breach of each rule is caught.
plant=$(mktemp -d /tmp/cellfleet-layering.XXXXXX)
trap 'rm -rf "$plant"' EXIT
mkdir -p "$plant/modem" "$plant/fleet" "$plant/base"
echo '#include "grpcpp/grpcpp.h"' >"$plant/modem/bad.cc"
echo '#include "client/report.h"' >"$plant/fleet/bad.h"
echo 'auto t = absl::Now();' >"$plant/fleet/time.cc"
echo 'auto t = absl::Now();' >"$plant/base/clock.cc"
[[ -n "$(rule_includes "$plant" modem 'grpc|cellfleet/v1/')" ]] || { echo "FAIL: control: modem rule"; exit 1; }
[[ -n "$(rule_includes "$plant" fleet 'client/|agent/')" ]] || { echo "FAIL: control: fleet rule"; exit 1; }
[[ "$(rule_now "$plant")" == "$plant/fleet/time.cc" ]] || { echo "FAIL: control: clock rule"; exit 1; }
[[ -n "$(rule_terminal "$build/client/cellfleet")" ]] || { echo "FAIL: control: the CLI links no terminal library"; exit 1; }
echo "ok: each rule catches a planted breach (and the CLI, which may, links $(rule_terminal "$build/client/cellfleet" | tr '\n' ' '))"

report "modem/ includes no gRPC or proto" "$(rule_includes "$src" modem 'grpc|cellfleet/v1/|proto/')"
report "fleet/ includes no client/ or agent/" "$(rule_includes "$src" fleet 'client/|agent/')"
report "collector/ includes no client/ or agent/" "$(rule_includes "$src" collector 'client/|agent/')"
report "client/ includes no agent/" "$(rule_includes "$src" client 'agent/')"
report "agent/status/ includes no other agent folder" \
  "$(rule_includes "$src" agent/status 'agent/(at|checks|config|link|recovery|security|service|settings|usage)/')"
report "agent/service/ holds only the gRPC layer" \
  "$(ls "$src/agent/service" | grep -vE '^(CMakeLists.txt|agent_service|certificate_calls|watch_reactor|grpc_status)' || true)"
report "no absl::Now() outside base/" "$(rule_now "$src")"
for daemon in agent/cellfleet-agent collector/cellfleet-collector; do
  report "$(basename $daemon) links no terminal library" "$(rule_terminal "$build/$daemon")"
done
exit_with_failures
