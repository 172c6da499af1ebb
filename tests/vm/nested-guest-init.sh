#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the guest that the unprivileged QEMU inside the test VM boots.
# Its disks are the host's LIO LUNs, passed through with scsi-block.
#
# sgf.key=KEY: register the reservation key KEY on its disk and report
#   SGF-GUEST register rc=<sg_persist exit status>
# sgf.stay: then keep running (libvirt's domain stays up until virsh
#   destroy) instead of rebooting
# sgf.bench=ROUNDS,COUNT (make bench): time COUNT PERSISTENT RESERVE IN and
# OUT commands on the disk at SCSI id 0 ("direct") and at id 1 ("helper")
# in alternating rounds, and report
#   SGF-GUEST bench round=<r> path=<direct|helper> op=<prin|prout> ns=<mean>
#   SGF-GUEST done rc=<0 if every run succeeded>
export PATH=/usr/bin:/bin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev

# The disk node of the device at SCSI target id $1
disk_at() {
	ls /sys/bus/scsi/devices/*:0:"$1":0/block 2>/dev/null | head -1
}

wait_disk() {
	local i=0
	while [ -z "$(disk_at "$1")" ] && [ $i -lt 300 ]; do
		sleep 0.1
		i=$((i + 1))
	done
	echo /dev/"$(disk_at "$1")"
}

bench() {
	local rounds=${1%,*} count=${1#*,} direct helper r path op ns rc=0
	direct=$(wait_disk 0)
	helper=$(wait_disk 1)
	for d in $direct $helper; do
		sg_turs "$d" >/dev/null 2>&1
		sg_turs "$d" >/dev/null 2>&1
	done
	for r in $(seq 1 "$rounds"); do
		if [ $((r % 2)) = 1 ]; then paths="direct helper"; else paths="helper direct"; fi
		for path in $paths; do
			for op in prin prout; do
				eval "dev=\$$path"
				if ns=$(/usr/bin/sgbench -w $op "$dev" "$count" 2>/tmp/err); then
					echo "SGF-GUEST bench round=$r path=$path op=$op ns=$ns"
				else
					sed 's/^/SGF-GUEST   /' /tmp/err
					rc=1
				fi
			done
		done
	done
	echo "SGF-GUEST done rc=$rc"
}

params=$(sed -n 's/.*sgf\.bench=\([0-9,]*\).*/\1/p' /proc/cmdline)
if [ -n "$params" ]; then
	bench "$params"
else
	key=$(sed -n 's/.*sgf\.key=\([^ ]*\).*/\1/p' /proc/cmdline)
	dev=$(wait_disk 0)
	sg_turs "$dev" >/dev/null 2>&1
	sg_turs "$dev" >/dev/null 2>&1
	sg_persist --out --register --param-sark="$key" "$dev" > /tmp/out 2>&1
	echo "SGF-GUEST register rc=$?"
	sed 's/^/SGF-GUEST   /' /tmp/out
	if grep -q 'sgf\.stay' /proc/cmdline; then
		echo "SGF-GUEST staying"
		while :; do sleep 3600; done
	fi
fi
sync
reboot -f
