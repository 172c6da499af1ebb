# SPDX-License-Identifier: GPL-2.0
#
# Hot-unplug with commands in flight and unpriv_sgio set: the device comes
# back at 0; removing the host under load splats nothing (the host checks
# the kernel log).

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

suite_hotunplug() {
	local host hctl i loops
	ktap_print_header
	hctl=$(sdebug_add_host)
	host=${hctl%%:*}
	chgrp disk /dev/bsg/$hctl && chmod 660 /dev/bsg/$hctl
	echo 1 > /sys/bus/scsi/devices/$hctl/unpriv_sgio
	# an unprivileged writer (unfiltered by the flag) and root, in loops
	su tester -s /bin/sh -c "while :; do sg_turs /dev/bsg/$hctl; sg_inq /dev/bsg/$hctl; done" \
		> /dev/null 2>&1 &
	loops=$!
	( while :; do sg_readcap /dev/bsg/$hctl; done ) > /dev/null 2>&1 &
	loops="$loops $!"
	sleep 2
	echo 1 > /sys/bus/scsi/devices/$hctl/delete; ktap_test_status $? "delete $hctl with SG_IO in flight"
	sleep 1
	echo "- - -" > /sys/class/scsi_host/host$host/scan
	for i in $(seq 50); do [ -e /sys/bus/scsi/devices/$hctl ] && break; sleep 0.1; done
	[ "$(cat /sys/bus/scsi/devices/$hctl/unpriv_sgio)" = 0 ]
	ktap_test_status $? "the device that comes back starts with unpriv_sgio 0"
	chgrp disk /dev/bsg/$hctl 2>/dev/null; chmod 660 /dev/bsg/$hctl 2>/dev/null
	echo 1 > /sys/bus/scsi/devices/$hctl/unpriv_sgio
	sleep 2
	echo -1 > $SDEBUG/add_host; ktap_test_status $? "remove the scsi_debug host with SG_IO in flight"
	sleep 1
	# the user's loop runs in a shell under su: kill it by its command line
	pkill -f "sg_turs /dev/bsg/$hctl"
	kill $loops 2>/dev/null
	wait 2>/dev/null
	[ ! -e /sys/class/scsi_host/host$host ]; ktap_test_status $? "the host is gone"
	ktap_finished
}
