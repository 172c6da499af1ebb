# SPDX-License-Identifier: GPL-2.0
#
# Bad input (tests/vm/badinput.c): 1000 random writes to every sysfs
# attribute (a refused write must change nothing), then random CDBs from an
# unprivileged reader.

. /tests/lib/fixtures.sh

suite_badinput() {
	local n=1000 q s f rc=0
	q=$(unpriv_flag "$SGF_DISK")
	s=$(readlink -f "/sys/block/${SGF_DISK#/dev/}/device")/unpriv_sgio
	/tests/badinput sysfs $n "$q" || rc=1
	/tests/badinput sysfs $n "$s" "$q" || rc=1
	modprobe sgfilter || return 1
	for f in allow deny load reset; do
		/tests/badinput sysfs $n /sys/kernel/sgfilter/disk/$f /sys/kernel/sgfilter/disk/table || rc=1
	done
	/tests/badinput sysfs $n /sys/kernel/sgfilter/reset_counters /sys/kernel/sgfilter/disk/denied || rc=1
	rmmod sgfilter || rc=1
	# a stock kernel has the tables only with the module (stock backend)
	if stock_kernel; then modprobe sgfilter || rc=1; fi
	echo 0 > "$q"
	/tests/badinput cdbs 5000 "$SGF_DISK_BSG" || rc=1
	/tests/badinput cdbs 2000 "$SGF_CDROM_BSG" || rc=1
	# A reader may send START STOP UNIT (mainline's list allows it, and the
	# tables keep it), so the random CDBs may have stopped the devices:
	# leave them started, for the suites that follow
	sg_raw "$SGF_DISK" 1b 00 00 00 01 00 >/dev/null 2>&1
	sg_raw "$SGF_CDROM" 1b 00 00 00 01 00 >/dev/null 2>&1
	return $rc
}
