# SPDX-License-Identifier: GPL-2.0
#
# Hot-unplug with commands in flight, unpriv_sgio set and grants given and
# taken in a loop (issue 14): the device comes back at 0 and with a grants
# file of its own; removing the host under load splats nothing (the host
# checks the kernel log; the debug kernel's KASAN would see grants used
# after their device).

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

suite_hotunplug() {
	local host hctl i loops grantloop loaded=0 g
	ktap_print_header
	# grants are the module's files: loaded here if nobody has
	[ -d /sys/kernel/sgfilter ] || { modprobe sgfilter && loaded=1; }
	hctl=$(sdebug_add_host)
	host=${hctl%%:*}
	g=/sys/bus/scsi/devices/$hctl/sgio_grants
	chgrp disk /dev/bsg/$hctl && chmod 660 /dev/bsg/$hctl
	echo 1 > /sys/bus/scsi/devices/$hctl/unpriv_sgio
	# an unprivileged writer (unfiltered by the flag) and root, in loops
	su tester -s /bin/sh -c "while :; do sg_turs /dev/bsg/$hctl; sg_inq /dev/bsg/$hctl; done" \
		> /dev/null 2>&1 &
	loops=$!
	( while :; do sg_readcap /dev/bsg/$hctl; done ) > /dev/null 2>&1 &
	loops="$loops $!"
	# a reader's PR IN, granted and not, while the grants change
	su tester -s /bin/sh -c "while :; do sg_persist -i -k -r /dev/bsg/$hctl; done" \
		> /dev/null 2>&1 &
	loops="$loops $!"
	( while :; do printf '0x5e read\n0x5f write\n' > "$g"; echo > "$g"; done ) 2>/dev/null &
	grantloop=$!
	sleep 2
	echo 1 > /sys/bus/scsi/devices/$hctl/delete; ktap_test_status $? "delete $hctl with SG_IO in flight"
	sleep 1
	kill $grantloop 2>/dev/null
	echo "- - -" > /sys/class/scsi_host/host$host/scan
	for i in $(seq 50); do [ -e "$g" ] && break; sleep 0.1; done
	[ "$(cat /sys/bus/scsi/devices/$hctl/unpriv_sgio)" = 0 ]
	ktap_test_status $? "the device that comes back starts with unpriv_sgio 0"
	[ -e "$g" ] && [ -z "$(cat "$g")" ]
	ktap_test_status $? "... and with no grants"
	chgrp disk /dev/bsg/$hctl 2>/dev/null; chmod 660 /dev/bsg/$hctl 2>/dev/null
	echo 1 > /sys/bus/scsi/devices/$hctl/unpriv_sgio
	printf '0x5e read\n' > "$g"
	sleep 2
	echo -1 > $SDEBUG/add_host; ktap_test_status $? "remove the scsi_debug host with SG_IO in flight"
	sleep 1
	# the user's loops run in shells under su: kill them by their command
	# lines (busybox has no pkill)
	for i in /proc/[0-9]*; do
		grep -q "/dev/bsg/$hctl" "$i/cmdline" 2>/dev/null && kill "${i#/proc/}" 2>/dev/null
	done
	kill $loops 2>/dev/null
	wait 2>/dev/null
	[ ! -e /sys/class/scsi_host/host$host ]; ktap_test_status $? "the host is gone"
	[ $loaded = 0 ] || rmmod sgfilter
	ktap_finished
}
