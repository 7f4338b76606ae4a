#!/usr/bin/env bash
# Installs everything cellfleet builds, tests and demos with, from Debian 12's packages.
# Idempotent: installs only what is missing; runs apt-get update only then.
set -euo pipefail

packages=(
  build-essential cmake ninja-build pkg-config git ca-certificates
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  libabsl-dev libspdlog-dev libfmt-dev libgtest-dev libgmock-dev
  libcli11-dev libyaml-cpp-dev nlohmann-json3-dev libsystemd-dev openssl zlib1g-dev
  # The CLI's live fleet table (ncurses), its AT console's line editing (libedit), and
  # the terminal their tests drive (tmux).
  libncurses-dev libedit-dev tmux
  # The recovery ladder's power cycle drives a GPIO line through libgpiod.
  libgpiod-dev
  # The sanitizer builds: clang, its runtimes, and lld (links their large binaries fast);
  # llvm for llvm-symbolizer, without which TSan's reports carry no function names and
  # the suppressions, which match names, match nothing.
  clang libclang-rt-14-dev lld llvm
  ppp picocom dpkg-dev udev
  # CPack's Debian generator runs `file`; the package test verifies the unit with
  # systemd-analyze; the service-user tests switch ids with setpriv (util-linux).
  file systemd util-linux
  # The PPP end-to-end tests boot a throwaway VM: this kernel has no PPP (docs/install.md, "Proven
  # with the real pppd and chat"; tests/vm/run_in_vm.sh).
  libdtl-dev
  qemu-system-x86 linux-image-amd64 busybox-static cpio kmod iproute2 iputils-ping
  # The fleet benchmark's comparison: an ssh fan-out (pssh) to an sshd it starts on
  # loopback (the system's own ssh service is not wanted: see below).
  pssh openssh-server openssh-client
  # ... and GNU time for the CLI's peak memory; the collector's HTTP (cpp-httplib) and
  # the real Prometheus its tests scrape it with.
  time libcpp-httplib-dev prometheus curl jq
  # `cellfleet history --chart` and `cellfleet fleet-chart` draw with gnuplot; the tests
  # check the SVGs with xmllint.
  gnuplot-nox libxml2-utils
  # The flash-wear benchmark counts the agent's writes with strace (bc scales them).
  strace bc gawk
  # Man pages from the programs' --help (help2man), read back in their test with man.
  help2man man-db
  # The carrier's NAT in front of boards that dial out to a gateway (tests/nat): nftables
  # masquerade in a network namespace, and conntrack to drop its mappings.
  nftables conntrack
  # Gateways as a cluster (cluster/): etcd, and the etcd v3 API's .proto files the C++
  # client is generated from (etcd_api/), with the two packages their imports come from.
  etcd-server etcd-client golang-etcd-server-dev golang-github-gogo-protobuf-dev
  golang-github-grpc-ecosystem-grpc-gateway-dev
)

missing=()
for package in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$package")
  fi
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || { echo "setup: need root or sudo to install: ${missing[*]}" >&2; exit 1; }
  as_root=(sudo)
fi
echo "setup: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${as_root[@]}" apt-get update -qq
"${as_root[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
# Installing openssh-server or prometheus starts the system's own service where systemd
# runs (sshd on port 22, Prometheus on 9090); the benchmark and the tests start their own
# on loopback, so a service this script brought in is stopped and disabled again.
if command -v systemctl >/dev/null && [ -d /run/systemd/system ]; then
  for pair in "openssh-server ssh.service ssh.socket" "prometheus prometheus.service"; do
    read -r package units <<<"$pair"
    if [[ " ${missing[*]} " == *" $package "* ]]; then
      # shellcheck disable=SC2086
      "${as_root[@]}" systemctl disable --now $units >/dev/null 2>&1 || true
    fi
  done
fi
