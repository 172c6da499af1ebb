# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl against the real module and devices, as root and as tester.

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

tables() { for d in /sys/kernel/sgfilter/*/table; do echo "== $d"; cat "$d"; done; }

suite_tool() {
	local flag host hctl wwid i
	ktap_print_header
	flag=$(unpriv_flag "$SGF_LIO")

	modprobe sgfilter; ktap_test_status $? "modprobe sgfilter"
	as_user sgfilterctl status > /tmp/o 2>&1; ktap_test_status $? "status, as the user"
	grep -q "sgfilter module" /tmp/o; ktap_test_status $? "... names the module as the backend"
	as_user sgfilterctl show disk > /tmp/o 2>&1; ktap_test_status $? "show disk, as the user"
	as_user sgfilterctl --json stats > /tmp/o 2>&1
	[ $? = 1 ] && grep -q "root" /tmp/o; ktap_test_status $? "stats, as the user, fails: the counters are root's"
	sgfilterctl --json stats > /tmp/o 2>&1; ktap_test_status $? "stats --json, as root"
	as_user sgfilterctl allow disk write PERSISTENT_RESERVE_OUT > /tmp/o 2>&1
	[ $? = 1 ]; ktap_test_status $? "allow, as the user, fails with exit status 1"
	grep -q "Hint: changing the policy needs root" /tmp/o; ktap_test_status $? "... and says why"
	as_user sgfilterctl unpriv "$SGF_LIO" on > /tmp/o 2>&1
	[ $? = 1 ] && [ "$(cat "$flag")" = 0 ]; ktap_test_status $? "unpriv on, as the user, fails and changes nothing"

	sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" > /dev/null 2>&1
	as_user sg_persist --out --register --param-sark=0x77 "$SGF_LIO" > /dev/null 2>&1
	[ $? != 0 ]; ktap_test_status $? "before: the user's sg_persist --out --register fails"
	sgfilterctl allow disk write PERSISTENT_RESERVE_OUT; ktap_test_status $? "allow disk write PERSISTENT_RESERVE_OUT"
	as_user sg_persist --out --register --param-sark=0x77 "$SGF_LIO" > /dev/null 2>&1
	ktap_test_status $? "after: the user registers a key with sg_persist"
	sgfilterctl deny disk persistent-reserve-out; ktap_test_status $? "deny disk persistent-reserve-out"
	as_user sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" > /dev/null 2>&1
	[ $? != 0 ]; ktap_test_status $? "then the user's PR OUT fails again"
	sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" > /dev/null 2>&1

	as_user sgfilterctl check "$SGF_DISK" UNMAP --read-only > /tmp/o 2>&1
	grep -q "an unprivileged user: denied" /tmp/o; ktap_test_status $? "check $SGF_DISK UNMAP --read-only: denied"
	as_user sgfilterctl check "$SGF_DISK" UNMAP > /tmp/o 2>&1
	grep -q "an unprivileged user: allowed" /tmp/o; ktap_test_status $? "check $SGF_DISK UNMAP: allowed to writers"
	sed 's/^/#   /' /tmp/o

	sgfilterctl unpriv "$SGF_LIO" on && [ "$(cat "$flag")" = 1 ]; ktap_test_status $? "unpriv $SGF_LIO on"
	sgfilterctl unpriv "$SGF_LIO_BSG" off && [ "$(cat "$flag")" = 0 ]; ktap_test_status $? "unpriv $SGF_LIO_BSG off"

	sgfilterctl allow disk read PERSISTENT_RESERVE_IN && sgfilterctl deny disk 0x1b &&
		sgfilterctl allow cdrom write 0x5f/0x00
	ktap_test_status $? "three edits"
	tables > /tmp/before
	sgfilterctl save /tmp/policy.conf; ktap_test_status $? "save"
	sgfilterctl reset; ktap_test_status $? "reset"
	tables > /tmp/reset
	! cmp -s /tmp/before /tmp/reset; ktap_test_status $? "reset changed the tables"
	sgfilterctl load /tmp/policy.conf; ktap_test_status $? "load"
	tables > /tmp/after
	cmp -s /tmp/before /tmp/after; ktap_test_status $? "save, reset, load: the exact tables again"

	# A disk appears: the udev rule runs "sgfilterctl apply-device %k"; here
	# mdev (busybox) runs the same command for the same event.
	hctl=$(sdebug_add_host)
	host=${hctl%%:*}
	wwid=$(cat "/sys/bus/scsi/devices/$hctl/wwid")
	ktap_print_msg "new scsi_debug device $hctl, $wwid"
	echo 1 > "/sys/bus/scsi/devices/$hctl/delete"
	echo "unpriv $wwid on" > /etc/sgfilter/vm.conf
	echo 'sd[a-z]+ 0:6 660 */usr/bin/sgfilterctl apply-device /dev/$MDEV' > /etc/mdev.conf
	mdev -d
	echo "- - -" > /sys/class/scsi_host/host$host/scan
	for i in $(seq 50); do
		[ "$(cat /sys/bus/scsi/devices/$hctl/unpriv_sgio 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
	[ "$(cat /sys/bus/scsi/devices/$hctl/unpriv_sgio)" = 1 ]
	ktap_test_status $? "a disk named by WWN in /etc/sgfilter gets unpriv_sgio when it appears"
	killall mdev 2>/dev/null
	rm -f /etc/sgfilter/vm.conf /etc/mdev.conf
	# mdev -d rescans /sys at startup and gives every node its default
	# owner: the test devices' nodes get group disk back
	restore_node_perms
	echo -1 > $SDEBUG/add_host

	rmmod sgfilter; ktap_test_status $? "rmmod sgfilter"
	as_user sgfilterctl status > /tmp/o 2>&1 && grep -q "built-in" /tmp/o
	ktap_test_status $? "status without the module: built-in tables"
	ktap_finished
}
