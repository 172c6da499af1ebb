# SPDX-License-Identifier: GPL-2.0
#
# The exhaustive decision matrix (tests/vm/matrix.c), on a scsi_debug device
# of each class (disk, tape, changer, enclosure; fresh hosts: root's
# commands really run) and on QEMU's CD-ROM; the ioctls that send a
# command on the disk, the CD-ROM, and the tape's and changer's st and ch
# nodes. Then once more on the disk with the "pr" grants (issue 14), with
# sgfilter.ko (loaded here if it is not).

. /tests/lib/fixtures.sh

suite_matrix() {
	local nodes="" ionodes="" node p hctl rc added=0
	echo 0 > $SDEBUG/delay
	for p in 0 1 8 13; do
		echo $p > $SDEBUG/ptype
		hctl=$(sdebug_add_host)
		added=$((added + 1))
		echo "# ptype $p: $hctl"
		chgrp disk /dev/bsg/$hctl && chmod 660 /dev/bsg/$hctl
		nodes="$nodes /dev/bsg/$hctl"
		# the tape's st node and the changer's ch node: their ioctls
		for node in /sys/bus/scsi/devices/$hctl/scsi_tape/nst[0-9]* \
			    /sys/bus/scsi/devices/$hctl/scsi_changer/sch*; do
			node=/dev/$(basename "$node")
			# nst0, not its mode nodes nst0l, nst0m, nst0a
			case $node in */nst*[!0-9]) continue ;; esac
			[ -e "$node" ] || continue
			chgrp disk "$node" && chmod 660 "$node"
			ionodes="$ionodes $node"
		done
	done
	echo 0 > $SDEBUG/ptype
	/tests/matrix $nodes $SGF_CDROM_BSG $SGF_DISK $SGF_CDROM $ionodes
	rc=$?
	# the disk: the first node
	set -- $nodes
	if [ -d /sys/kernel/sgfilter ]; then
		/tests/matrix --grant-pr "$1" || rc=1
	elif modprobe sgfilter; then
		/tests/matrix --grant-pr "$1" || rc=1
		rmmod sgfilter || rc=1
	else
		rc=1
	fi
	echo -$added > $SDEBUG/add_host
	return $rc
}
