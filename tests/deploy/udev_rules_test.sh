#!/usr/bin/env bash
# Runs the real `udevadm test` on deploy/udev/70-cellfleet-quectel.rules (the ports' names,
# and the modem's USB node for the recovery ladder's USB reset) against the fake
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
  if [ -f "$dir/busnum" ]; then  # its node in /dev/bus/usb (major 189)
    bus=$(cat "$dir/busnum") dev=$(cat "$dir/devnum")
    printf 'MAJOR=189\nMINOR=%d\nDEVNAME=bus/usb/%03d/%03d\n' $(((bus - 1) * 128 + dev - 1)) "$bus" "$dev" >>"$dir/uevent"
  fi
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
run_udev() {  # the properties udevadm test computes for /sys/$1 (a class/tty name: ttyUSB3)
  local output path=$1
  [[ $path == */* ]] || path=class/tty/$path
  if ! output=$(unshare -m -- sh -c "
    mount --bind '$sys' /sys &&
    mount --bind '$root/rules' /lib/udev/rules.d &&
    mount --bind '$root/empty' /etc/udev/rules.d &&
    mkdir -p /run/udev && mount -t tmpfs tmpfs /run/udev &&
    mount -t tmpfs tmpfs /dev && mknod -m 666 /dev/null c 1 3 &&
    mkdir -p /dev/bus/usb/001 && mknod /dev/bus/usb/001/004 c 189 3 &&
    cp /etc/group '$root/group' && echo cellfleet:x:4242: >>'$root/group' &&
    mount --bind '$root/group' /etc/group &&
    SYSTEMD_DEVICE_VERIFY_SYSFS=0 udevadm test --action=add /sys/$path" 2>&1); then
    fail "udevadm test for $1 failed in its mount namespace:
$output"
  fi
  echo "$output" | grep -E '^[A-Z_]+=|Setting permissions' || fail "udevadm test printed no properties for $1:
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
# The EC25's USB device node, for the recovery ladder's USB reset: the agent's group only
# (4242 stands for cellfleet, which the package creates).
usb=$(run_udev devices/pci0000:00/usb1/1-1/1-1.2)
echo "$usb" | grep -q 'Setting permissions /dev/bus/usb/001/004, uid=0, gid=4242, mode=0660' ||
  fail "the EC25's USB node is not given to group cellfleet: $usb"
ftdi_usb=$(run_udev devices/pci0000:00/usb1/1-1/1-1.1)
echo "$ftdi_usb" | grep -q 'gid=4242' && fail "the FTDI adapter's USB node must be left alone: $ftdi_usb"
echo "udev rules test: 4 ports and 2 USB devices checked"
echo "1 passed, 0 failed"
