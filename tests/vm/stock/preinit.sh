#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the stock-kernel test VM (tests/vm/stock-initramfs.sh): Debian's
# kernels have virtio-pci (6.1), virtio-scsi, sd, sr, sg, st, ch and configfs
# as modules, which tests/vm/init.sh expects built in. Load them (the list
# the image was built with, /etc/stock-modules, and any named by
# sgf.modules=a,b on the kernel command line), then become the harness's
# own init, /sgf-init (tests/vm/init.sh), which stays PID 1.

export PATH=/usr/bin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
extra=$(sed -n 's/.*sgf\.modules=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
for m in $(cat /etc/stock-modules) $extra; do
	modprobe "$m" || echo "stock-init: modprobe $m failed" > /dev/kmsg
done
echo "stock-init: loaded $(cut -d' ' -f1 /proc/modules | tr '\n' ' ')" > /dev/kmsg
umount /dev /sys /proc
exec /sgf-init
