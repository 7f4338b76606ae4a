#!/usr/bin/env bash
# Runs a command as root inside a throwaway VM whose kernel has PPP (this machine's kernel
# has none; see shared/PPP_VM.md). The guest sees the host's / read-only over virtio-9p,
# so it runs the binaries just built here; it gets tmpfs wherever it must write.
#   run_in_vm.sh WORK_DIR TIMEOUT_SECONDS COMMAND [ARG...]
# WORK_DIR holds the initramfs (rebuilt when the kernel changes) and the guest script.
# Exits with the command's status as the guest reports it; 124 if the VM ran out of time;
# 125 if the VM never reported a result.
set -euo pipefail

if [ $# -lt 3 ]; then
  echo "usage: $0 WORK_DIR TIMEOUT_SECONDS COMMAND [ARG...]" >&2
  exit 2
fi
work_dir=$(realpath -m "$1")
timeout_s=$2
shift 2
here=$(cd "$(dirname "$0")" && pwd)

for tool in qemu-system-x86_64 cpio busybox modinfo; do
  command -v "$tool" >/dev/null || { echo "run_in_vm: $tool missing: run scripts/setup.sh" >&2; exit 1; }
done
kernel=$(ls -1 /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1 || true)
[ -n "$kernel" ] || { echo "run_in_vm: no kernel in /boot: run scripts/setup.sh" >&2; exit 1; }
version=${kernel#/boot/vmlinuz-}
mkdir -p "$work_dir"

# The initramfs: static busybox and the modules that mount the 9p root, in load order.
initramfs="$work_dir/initramfs-$version.cpio"
if [ ! -s "$initramfs" ]; then
  staging=$(mktemp -d "$work_dir/initramfs.XXXXXX")
  trap 'rm -rf "$staging"' EXIT
  mkdir -p "$staging/bin" "$staging/modules"
  cp "$(command -v busybox)" "$staging/bin/busybox"
  modules=(virtio_ring virtio virtio_pci_legacy_dev virtio_pci_modern_dev virtio_pci netfs fscache
    9pnet 9pnet_virtio 9p)
  : >"$staging/modules/order"
  for module in "${modules[@]}"; do
    path=$(modinfo -k "$version" -n "$module" 2>/dev/null || true)
    case "$path" in
      /*) ;;
      *) continue ;;  # built into this kernel
    esac
    case "$path" in
      *.ko) cp "$path" "$staging/modules/$module.ko" ;;
      *.ko.xz) xz -dc "$path" >"$staging/modules/$module.ko" ;;
      *.ko.zst) zstd -qdc "$path" >"$staging/modules/$module.ko" ;;
      *) echo "run_in_vm: cannot unpack $path" >&2; exit 1 ;;
    esac
    echo "$module" >>"$staging/modules/order"
  done
  cp "$here/guest_init.sh" "$staging/init"
  chmod 755 "$staging/init"
  (cd "$staging" && find . | cpio -o -H newc --quiet) >"$initramfs.tmp"
  mv "$initramfs.tmp" "$initramfs"
  rm -rf "$staging"
  trap - EXIT
fi

# The guest runs this script from the shared root: the prelude, then the command.
guest_script=$(mktemp "$work_dir/guest.XXXXXX.sh")
trap 'rm -f "$guest_script"' EXIT
# What the guest must still see where its prelude lays tmpfs: the source tree, the
# directory the test runs in, the command's and this run's files.
source_root=$(cd "$here/../.." && pwd)
command_dir=$(dirname "$(realpath -m "$1")")
{
  echo "#!/bin/sh"
  printf 'CELLFLEET_VM_KEEP=%q\n' "$source_root $PWD $command_dir $work_dir"
  printf '. %q\n' "$here/guest_prelude.sh"
  printf 'cd %q\n' "$PWD"
  printf '%q ' "$@"
  echo
  echo 'cellfleet_vm_finish $?'
} >"$guest_script"
chmod 755 "$guest_script"

log="$work_dir/console.log"
set +e
# TCG: this machine's KVM does not run these guests (shared/PPP_VM.md). SIGKILL bounds
# the run even if qemu ignores SIGTERM.
timeout -s KILL "$timeout_s" qemu-system-x86_64 -accel tcg -smp 2 -m 768 -nographic -no-reboot \
  -kernel "$kernel" -initrd "$initramfs" \
  -append "console=ttyS0 quiet loglevel=3 panic=-1 cellfleet.run=$guest_script" \
  -virtfs local,path=/,mount_tag=root,security_model=none,readonly=on,multidevs=remap \
  -nic none </dev/null | tee "$log"
qemu_status=${PIPESTATUS[0]}
set -e
if [ "$qemu_status" -eq 137 ]; then
  echo "run_in_vm: the VM did not finish within ${timeout_s}s" >&2
  exit 124
fi
result=$(tr -d '\r' <"$log" | sed -n 's/^CELLFLEET_VM_EXIT=\([0-9]*\)$/\1/p' | tail -n 1)
if [ -z "$result" ]; then
  echo "run_in_vm: the VM ended (qemu status $qemu_status) without reporting a result" >&2
  exit 125
fi
exit "$result"
