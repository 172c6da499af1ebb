# SPDX-License-Identifier: GPL-2.0
#
# The exhaustive decision matrix (tests/vm/matrix.c), on a scsi_debug device
# of each class (disk, tape, changer, enclosure; fresh hosts: root's
# commands really run) and on QEMU's CD-ROM.

. /tests/lib/fixtures.sh

suite_matrix() {
	local nodes="" p hctl rc added=0
	echo 0 > $SDEBUG/delay
	for p in 0 1 8 13; do
		echo $p > $SDEBUG/ptype
		hctl=$(sdebug_add_host)
		added=$((added + 1))
		echo "# ptype $p: $hctl"
		chgrp disk /dev/bsg/$hctl && chmod 660 /dev/bsg/$hctl
		nodes="$nodes /dev/bsg/$hctl"
	done
	echo 0 > $SDEBUG/ptype
	/tests/matrix $nodes $SGF_CDROM_BSG $SGF_DISK $SGF_CDROM
	rc=$?
	echo -$added > $SDEBUG/add_host
	return $rc
}
