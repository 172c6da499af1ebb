# SPDX-License-Identifier: GPL-2.0
#
# The test devices, before every other suite: scsi_debug, QEMU's disk and
# CD-ROM, a LIO LUN (lib/fixtures.sh). The init runs this suite in its own
# shell, so the SGF_* variables the fixtures export reach every suite after
# it. KTAP, so that a target that fails to appear is a failure the host
# counts, not a silent skip.

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

suite_setup() {
	local step
	ktap_print_header
	for step in setup_scsi_debug setup_qemu_devices setup_lio; do
		if $step > /tmp/setup.log 2>&1 && { set +x; } 2>/dev/null; then
			ktap_test_pass "$step"
		else
			{ set +x; } 2>/dev/null
			ktap_test_fail "$step"
			sed 's/^/# /' /tmp/setup.log
		fi
	done
	env | grep '^SGF_' | sort | sed 's/^/# /'
	ktap_finished
}
