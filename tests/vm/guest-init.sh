#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the guest that the unprivileged QEMU inside the test VM boots.
# Its disk is the host's LIO LUN, passed through with scsi-block. It
# registers the reservation key given as sgf.key= and reports on its console:
#   SGF-GUEST register rc=<sg_persist exit status>
export PATH=/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
key=$(sed -n 's/.*sgf\.key=\([^ ]*\).*/\1/p' /proc/cmdline)
i=0
while [ ! -e /dev/sda ] && [ $i -lt 300 ]; do
	sleep 0.1
	i=$((i + 1))
done
sg_turs /dev/sda >/dev/null 2>&1
sg_turs /dev/sda >/dev/null 2>&1
sg_persist --out --register --param-sark="$key" /dev/sda > /tmp/out 2>&1
echo "SGF-GUEST register rc=$?"
sed 's/^/SGF-GUEST   /' /tmp/out
sync
reboot -f
