#!/bin/sh
# Inside the test VM (as root): an EC25 the way Linux sees one on USB, from the kernel's
# own parts: a USB gadget on dummy_hcd with the EC25's ids (2c7c:0125) and four serial
# functions, which Linux's option driver binds as ttyUSB0..3 (interface 2 the AT port,
# 3 the modem port); the gadget's own ends are /dev/ttyGS0..3. The package's udev rules
# are applied by a real systemd-udevd (started here with them in /etc/udev/rules.d).
#   ec25_gadget.sh RULES_FILE    prints the gadget's tty for interface 2 (the AT port)
set -eu
rules=$1
modprobe dummy_hcd
modprobe libcomposite
modprobe usb_f_serial
modprobe option
mountpoint -q /sys/kernel/config || mount -t configfs none /sys/kernel/config
g=/sys/kernel/config/usb_gadget/ec25
mkdir "$g"
echo 0x2c7c >"$g/idVendor"
echo 0x0125 >"$g/idProduct"
mkdir -p "$g/strings/0x409"
echo EC25GADGET01 >"$g/strings/0x409/serialnumber"
echo Quectel >"$g/strings/0x409/manufacturer"
echo EC25 >"$g/strings/0x409/product"
mkdir "$g/configs/c.1"
for i in 0 1 2 3; do
  mkdir "$g/functions/gser.$i"
  ln -s "$g/functions/gser.$i" "$g/configs/c.1/"
done
mount -t tmpfs tmpfs /etc/udev/rules.d
cp "$rules" /etc/udev/rules.d/
/lib/systemd/systemd-udevd --daemon >/dev/null 2>&1
ls /sys/class/udc | head -n 1 >"$g/UDC"
# The host side enumerates it in a second or two; then udev handles its ports.
tries=0
until [ -e /sys/class/tty/ttyUSB3 ]; do
  tries=$((tries + 1))
  [ "$tries" -le 300 ] || { echo "ec25_gadget: the option driver made no ttyUSB3 in 30 s" >&2; exit 1; }
  sleep 0.1
done
udevadm settle -t 30
echo "/dev/ttyGS$(cat "$g/functions/gser.2/port_num")"
