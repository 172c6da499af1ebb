# SPDX-License-Identifier: GPL-2.0
#
# Four SG_IO processes (root and tester, read-only and read-write, through
# sd, sg and bsg) while unpriv_sgio toggles, the disk table changes and the
# module reloads sgf.reloads= times (default 20); tests/vm/stress.c checks
# each verdict against the states it could have seen: on a stock kernel,
# unloaded means mainline's list (a reader's UNMAP passes), loaded the
# protection.

. /tests/lib/fixtures.sh

suite_stress() {
	local reloads rc=0
	reloads=$(sgf_param reloads '[0-9]')
	/tests/stress "${reloads:-20}" "$SGF_DISK" "$SGF_DISK_SG" "$SGF_DISK_BSG" "$(unpriv_flag "$SGF_DISK")" || rc=1
	# stress leaves the module unloaded; a stock kernel has the tables only
	# with it, for the suites that follow
	if stock_kernel; then modprobe sgfilter || rc=1; fi
	return $rc
}
