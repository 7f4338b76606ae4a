#!/usr/bin/env bash
# Cross-builds the agent, the CLI, the collector, the gateway and the simulator for arm64
# into build-arm64/ and makes their .deb packages. Installs the cross toolchain and arm64
# libraries when missing.
set -euo pipefail
cd "$(dirname "$0")/.."

packages=(g++-aarch64-linux-gnu qemu-user-static
  libgrpc++-dev:arm64 libprotobuf-dev:arm64 libabsl-dev:arm64 libspdlog-dev:arm64 libfmt-dev:arm64
  libsystemd-dev:arm64 libyaml-cpp0.7:arm64 libncurses-dev:arm64 libedit-dev:arm64 libcpp-httplib-dev:arm64
  libgpiod-dev:arm64 zlib1g-dev:arm64)
as_root=()
[ "$(id -u)" -eq 0 ] || as_root=(sudo)
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  "${as_root[@]}" dpkg --add-architecture arm64
  need_update=1
fi
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -gt 0 ]; then
  echo "build-arm64: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${as_root[@]}" apt-get update -qq
  "${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

source scripts/cmake_generator.sh
cmake_generator build-arm64
cmake -S . -B build-arm64 "${generator[@]}" -DCMAKE_TOOLCHAIN_FILE=cmake/toolchain-aarch64.cmake -DCMAKE_BUILD_TYPE=Release \
  -DCELLFLEET_BUILD_TESTS=OFF -DCELLFLEET_WERROR=ON >/dev/null
cmake --build build-arm64 -j "$(nproc)" --target cellfleet cellfleet-collector cellfleet-gateway cellfleet-agent cellfleet-modemsim
(cd build-arm64 && cpack -G DEB -B packages >/dev/null)
ls build-arm64/packages/*.deb
