# Sourced first by every test VM's script (as root, the host's / read-only): writable
# tmpfs where programs write, pseudo-terminals, kernel PPP; and the function that reports
# the result on the console and powers the guest off.
cellfleet_vm_finish() {
  echo "CELLFLEET_VM_EXIT=$1"
  sync
  echo o >/proc/sysrq-trigger
  sleep 10  # the power-off is asynchronous; the host's timeout bounds this anyway
}

# The work tree and build (CELLFLEET_VM_KEEP, set by run_in_vm.sh) may lie below one of
# these, as a CI clone in /tmp does: bind them back from the host's view after the tmpfs.
mount -t tmpfs tmpfs /mnt
for dir in /tmp /run /var/tmp /var/lib /var/log /etc/ppp; do
  mkdir -p "/mnt/host$dir" && mount --bind "$dir" "/mnt/host$dir" &&
    mount -t tmpfs tmpfs "$dir" || { echo "prelude: cannot mount tmpfs on $dir"; cellfleet_vm_finish 1; }
  for keep in ${CELLFLEET_VM_KEEP:-}; do
    case "$keep/" in
      "$dir"/*)
        mkdir -p "$keep" && mount --bind "/mnt/host$keep" "$keep" ||
          { echo "prelude: cannot keep $keep visible"; cellfleet_vm_finish 1; } ;;
    esac
  done
done
mkdir -p /run/lock /run/systemd
[ -L /var/lock ] || mount -t tmpfs tmpfs /var/lock
mkdir -p /dev/pts /dev/shm
mount -t devpts -o ptmxmode=666 devpts /dev/pts
mount -t tmpfs tmpfs /dev/shm
modprobe ppp_async && modprobe ppp_generic && modprobe ppp_deflate ||
  { echo "prelude: cannot load the PPP modules"; cellfleet_vm_finish 1; }
[ -e /dev/ppp ] || mknod /dev/ppp c 108 0
ip link set lo up
export HOME=/tmp TMPDIR=/tmp PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
