#!/bin/busybox sh
# /init of the test VM's initramfs: load the virtio and 9p modules, mount the host's /
# (read-only) as the new root and hand over to the script named on the kernel command
# line (cellfleet.run=PATH). Runs under busybox only.
/bin/busybox mkdir -p /proc /sys /dev /newroot
/bin/busybox mount -t proc proc /proc
/bin/busybox mount -t sysfs sysfs /sys
/bin/busybox mount -t devtmpfs devtmpfs /dev
for module in $(/bin/busybox cat /modules/order); do
  /bin/busybox insmod "/modules/$module.ko" || echo "init: insmod $module failed"
done
if ! /bin/busybox mount -t 9p -o trans=virtio,version=9p2000.L,ro,msize=262144,cache=loose \
    root /newroot; then
  echo "init: cannot mount the host's root over 9p"
  echo o >/proc/sysrq-trigger
fi
# Read before /proc moves.
run=$(/bin/busybox sed -n 's/.*cellfleet\.run=\([^ ]*\).*/\1/p' /proc/cmdline)
/bin/busybox mount --move /proc /newroot/proc
/bin/busybox mount --move /sys /newroot/sys
/bin/busybox mount --move /dev /newroot/dev
exec /bin/busybox switch_root /newroot /bin/sh "$run"
