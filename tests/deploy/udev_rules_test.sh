#!/usr/bin/env bash
# Runs the real `udevadm test` on deploy/udev/70-cellfleet-quectel.rules against the fake
# device tree in modem/testdata/sysfs-ec25-renumbered.tree (an EC25 whose ports became
# ttyUSB1..4 because an FTDI adapter enumerated first), inside a private mount namespace
# so that /sys, /dev, /run/udev and the rules directories are the test's own.
# Needs root (mount namespaces); skipped (77) otherwise.
set -euo pipefail
source_dir=$1
if [ "$(id -u)" -ne 0 ] || ! command -v udevadm >/dev/null || ! command -v unshare >/dev/null; then
  echo "SKIPPED: needs root, udevadm and unshare"; exit 77
fi
# unshare -m makes every mount below / private so that nothing leaks to the host; in a
# chroot / is not a mount point and that cannot be done safely.
if ! mountpoint -q /; then
  echo "SKIPPED: / is not a mount point (a chroot?): no private mount namespace can be made"
  exit 77
fi
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
sys=$root/sys
mkdir -p "$sys/bus/usb" "$sys/bus/usb-serial" "$sys/class/tty" "$root/rules" "$root/empty"

# relative LINK from directory FROM to the absolute fake-sysfs path TO
rel() { realpath -m --relative-to="$1" "$2"; }
while read -r kind a b c; do
  case "$kind" in
    attr) mkdir -p "$(dirname "$sys/$a")"; echo "$b" >"$sys/$a" ;;
    tty)  # tty NAME INTERFACE-DIR MAJOR:MINOR
      port=$sys/$b/$a; node=$port/tty/$a
      mkdir -p "$node"
      printf 'MAJOR=%s\nMINOR=%s\nDEVNAME=%s\n' "${c%%:*}" "${c##*:}" "$a" >"$node/uevent"
      echo "$c" >"$node/dev"
      ln -s "$(rel "$node" "$sys/class/tty")" "$node/subsystem"
      printf 'DRIVER=option1\n' >"$port/uevent"
      ln -s "$(rel "$port" "$sys/bus/usb-serial")" "$port/subsystem"
      ln -s "$(rel "$sys/class/tty" "$node")" "$sys/class/tty/$a" ;;
  esac
done < <(grep -E '^(attr|tty) ' "$source_dir/modem/testdata/sysfs-ec25-renumbered.tree")
# USB devices and interfaces: the uevent and subsystem links the kernel gives them.
while read -r file; do
  dir=$(dirname "$file")
  printf 'DEVTYPE=usb_device\nDRIVER=usb\n' >"$dir/uevent"
  ln -s "$(rel "$dir" "$sys/bus/usb")" "$dir/subsystem"
done < <(find "$sys/devices" -name idVendor)
while read -r file; do
  dir=$(dirname "$file")
  printf 'DEVTYPE=usb_interface\nDRIVER=option\n' >"$dir/uevent"
  ln -s "$(rel "$dir" "$sys/bus/usb")" "$dir/subsystem"
done < <(find "$sys/devices" -name bInterfaceNumber)
cp "$source_dir/deploy/udev/70-cellfleet-quectel.rules" "$root/rules/"

fail() { echo "FAIL: $*" >&2; exit 1; }
for dir in /lib/udev/rules.d /etc/udev/rules.d; do
  [ -d "$dir" ] || fail "$dir does not exist: is the udev package installed (scripts/setup.sh)?"
done
run_udev() {  # the properties udevadm test computes for /sys/class/tty/$1
  local output
  if ! output=$(unshare -m -- sh -c "
    mount --bind '$sys' /sys &&
    mount --bind '$root/rules' /lib/udev/rules.d &&
    mount --bind '$root/empty' /etc/udev/rules.d &&
    mkdir -p /run/udev && mount -t tmpfs tmpfs /run/udev &&
    mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3 &&
    SYSTEMD_DEVICE_VERIFY_SYSFS=0 udevadm test --action=add /sys/class/tty/$1" 2>&1); then
    fail "udevadm test for $1 failed in its mount namespace:
$output"
  fi
  echo "$output" | grep -E '^[A-Z_]+=' || fail "udevadm test printed no properties for $1:
$output"
}

at=$(run_udev ttyUSB3)
echo "$at" | grep -qx 'DEVLINKS=/dev/cellfleet/0123456789ABCDEF/at' || fail "ttyUSB3 (interface 2): $at"
echo "$at" | grep -qx 'ID_MM_DEVICE_IGNORE=1' || fail "ttyUSB3 not hidden from ModemManager: $at"
modem=$(run_udev ttyUSB4)
echo "$modem" | grep -qx 'DEVLINKS=/dev/cellfleet/0123456789ABCDEF/modem' || fail "ttyUSB4 (interface 3): $modem"
echo "$modem" | grep -qx 'ID_MM_DEVICE_IGNORE=1' || fail "ttyUSB4 not hidden from ModemManager: $modem"
diag=$(run_udev ttyUSB1)
echo "$diag" | grep -q 'cellfleet' && fail "interface 0 must get no cellfleet name: $diag"
ftdi=$(run_udev ttyUSB0)
echo "$ftdi" | grep -q 'CELLFLEET\|ID_MM_DEVICE_IGNORE' && fail "the FTDI adapter must be left alone: $ftdi"
echo "udev rules test: 4 ports checked"
echo "1 passed, 0 failed"
