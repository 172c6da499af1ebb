# SPDX-License-Identifier: GPL-2.0
#
# dm-multipath over two tcm_loop paths to LIO LUN 0: the dm device has no
# unpriv_sgio file (a flag there would be accepted and ignored, since dm
# passes SG_IO to a path); the paths' flags are what count.

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

suite_multipath() {
	local tpg2=/sys/kernel/config/target/loopback/naa.5001405000000003/tpgt_1
	local d p1 p2 hctl2="" size dm i q1 q2
	ktap_print_header
	p1=${SGF_LIO#/dev/}
	mkdir -p "$tpg2" && echo naa.5001405000000004 > "$tpg2/nexus" &&
		mkdir "$tpg2/lun/lun_0" &&
		ln -s /sys/kernel/config/target/core/fileio_0/lio0 "$tpg2/lun/lun_0/lio0"
	for i in $(seq 100); do
		for d in /sys/bus/scsi/devices/*:*:*:0; do
			case $(cat "$d/model" 2>/dev/null) in FILEIO*) ;; *) continue ;; esac
			[ "$(ls "$d/block" 2>/dev/null)" = "$p1" ] && continue
			p2=$(ls "$d/block" 2>/dev/null) && hctl2=$(basename "$d")
		done
		[ -n "$p2" ] && break
		sleep 0.1
	done
	ktap_test_status $([ -n "$p2" ]; echo $?) "a second path to LIO LUN 0: $hctl2 ${p2:-none}"
	[ -n "$p2" ] || { ktap_finished; return 1; }
	settle "/dev/$p2"
	size=$(cat "/sys/block/$p1/size")
	dmsetup --noudevsync create sgfmp --table \
		"0 $size multipath 0 0 1 1 round-robin 0 2 1 $(cat /sys/block/$p1/dev) 1 $(cat /sys/block/$p2/dev) 1"
	ktap_test_status $? "dmsetup create: multipath over $p1 and $p2"
	dm=$(basename "$(dirname "$(dirname "$(grep -l '^sgfmp$' /sys/block/dm-*/dm/name)")")")
	case $dm in dm-*) ;; *) ktap_finished; return 1 ;; esac
	chgrp disk "/dev/$dm" && chmod 660 "/dev/$dm"
	q1=/sys/block/$p1/queue/unpriv_sgio q2=/sys/block/$p2/queue/unpriv_sgio

	[ ! -e "/sys/block/$dm/queue/unpriv_sgio" ]
	ktap_test_status $? "$dm (multipath) has no queue/unpriv_sgio file"
	[ -e "$q1" ] && [ -e "$q2" ]
	ktap_test_status $? "its paths $p1 and $p2 have one"
	echo 0 > "$q1"; echo 0 > "$q2"
	as_user sg_persist --in --read-keys "/dev/$dm" > /tmp/o 2>&1
	grep -q "not permitted" /tmp/o
	ktap_test_status $? "path flags 0: an unprivileged writer's PERSISTENT RESERVE IN through $dm is refused"
	echo 1 > "$q1"; echo 1 > "$q2"
	as_user sg_persist --in --read-keys "/dev/$dm" > /tmp/o 2>&1
	ktap_test_status $? "path flags 1: the same command through $dm succeeds"
	sed 's/^/# /' /tmp/o
	echo 0 > "$q1"; echo 0 > "$q2"

	dmsetup --noudevsync remove sgfmp
	rm "$tpg2/lun/lun_0/lio0" && rmdir "$tpg2/lun/lun_0" && rmdir "$tpg2" &&
		rmdir "$(dirname "$tpg2")"
	ktap_test_status $? "the second path goes again"
	ktap_finished
}
