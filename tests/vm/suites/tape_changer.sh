# SPDX-License-Identifier: GPL-2.0
#
# selftests/sgfilter's tape_changer_test: st's MTIOCTOP/MTIOCPOS and ch's
# CHIO* ioctls get the filter's decision. It runs as root, adds a scsi_debug
# tape and changer of its own and sends the ioctls as the user tester: once
# with the built-in tables, once with sgfilter.ko's (whose edits the ioctls
# must follow too).

. /tests/lib/fixtures.sh

suite_tape_changer() {
	local rc=0
	/tests/tape_changer_test || rc=1
	modprobe sgfilter || return 1
	/tests/tape_changer_test || rc=1
	rmmod sgfilter || rc=1
	return $rc
}
