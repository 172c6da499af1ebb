# SPDX-License-Identifier: GPL-2.0
#
# Debian's own kernel, unmodified (tests/vm/stock-run.sh, issue 13): it
# boots with its own modules, every SCSI upper driver the tests use gets
# its device, a module built out of tree against Debian's linux-headers
# loads, and the stock behaviour that sgfilter fixes is there:
# CVE-2012-4542, a user who may only read the scsi_debug disk (lbpu=1)
# sends UNMAP (0x42, READ SUB-CHANNEL in mainline's read-safe list) through
# SG_IO on a read-only open and the data is gone.

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

# The node name of SCSI device $1 (H:C:T:L) in class $2 (scsi_tape:
# the rewinding st node, not nst; scsi_changer), or nothing
stock_class_node() {
	ls "/sys/bus/scsi/devices/$1/$2" 2>/dev/null | grep -v '^n' | head -1
}

# Is LBA $1 of $SGF_DISK (512 bytes) all zeros?
stock_lba_zero() {
	[ -z "$(dd if="$SGF_DISK" bs=512 skip="$1" count=1 iflag=direct 2>/dev/null |
		od -A n -v -t x1 | tr -d ' 0\n')" ]
}

suite_stock_smoke() {
	local m missing="" mods hctl tape changer node out rc i
	ktap_print_header
	ktap_set_plan 17

	ktap_print_msg "$(cat /proc/version)"
	ktap_test_result "the kernel is Debian's own" grep -q 'Debian' /proc/version

	# Built in in the harness's kernel, modules here (loaded by /init,
	# tests/vm/stock/preinit.sh, or the fixtures)
	mods=$(cut -d' ' -f1 /proc/modules)
	for m in scsi_mod sd_mod sr_mod sg st ch virtio_scsi configfs scsi_debug \
		 target_core_mod target_core_file tcm_loop; do
		echo "$mods" | grep -qx "$m" || missing="$missing $m"
	done
	[ -z "$missing" ] || ktap_print_msg "not loaded:$missing"
	ktap_test_result "Debian's SCSI, virtio-scsi and LIO modules are loaded" [ -z "$missing" ]

	# sd: the scsi_debug disk and QEMU's disk; sr: QEMU's CD-ROM; sg, bsg
	case ${SGF_DISK:-none} in /dev/sd*) [ -b "$SGF_DISK" ] ;; *) false ;; esac
	ktap_test_status $? "sd: the scsi_debug disk is ${SGF_DISK:-missing}"
	ktap_test_result "sd: QEMU's scsi-hd is ${SGF_QEMU_DISK:-missing}" [ -b "${SGF_QEMU_DISK:-/none}" ]
	case ${SGF_CDROM:-none} in /dev/sr*) [ -b "$SGF_CDROM" ] ;; *) false ;; esac
	ktap_test_status $? "sr: QEMU's scsi-cd is ${SGF_CDROM:-missing}"
	missing=
	for node in "$SGF_DISK_SG" "$SGF_CDROM_SG" "$SGF_LIO_SG" "$SGF_DISK_BSG" "$SGF_CDROM_BSG" "$SGF_LIO_BSG"; do
		[ -c "$node" ] || missing="$missing ${node:-unset}"
	done
	[ -z "$missing" ] || ktap_print_msg "missing:$missing"
	ktap_test_result "sg and bsg nodes of the scsi_debug disk, CD-ROM and LIO LUN" [ -z "$missing" ]
	ktap_test_result "the scsi_debug disk takes UNMAP (lbpu=1: discard_max_bytes > 0)" \
		[ "$(cat /sys/block/${SGF_DISK#/dev/}/queue/discard_max_bytes)" -gt 0 ]

	# st and ch: scsi_debug hosts of peripheral type 1 (tape), 8 (changer)
	echo 1 > $SDEBUG/ptype
	hctl=$(sdebug_add_host)
	tape=$(stock_class_node "$hctl" scsi_tape)
	echo 8 > $SDEBUG/ptype
	hctl=$(sdebug_add_host)
	changer=$(stock_class_node "$hctl" scsi_changer)
	echo 0 > $SDEBUG/ptype
	for i in $(seq 20); do [ -c "/dev/$tape" ] && [ -c "/dev/$changer" ] && break; sleep 0.1; done
	ktap_test_result "st: a scsi_debug tape (ptype 1) is /dev/${tape:-missing}" [ -c "/dev/${tape:-none}" ]
	ktap_test_result "ch: a scsi_debug changer (ptype 8) is /dev/${changer:-missing}" [ -c "/dev/${changer:-none}" ]
	echo -2 > $SDEBUG/add_host

	# An unsigned module built out of tree against linux-headers-RELEASE
	# (MODULE_SIG=y, MODULE_SIG_FORCE unset: it loads and taints)
	dmesg -c > /dev/null
	insmod "/lib/modules/$(uname -r)/extra/hello.ko"
	ktap_test_status $? "insmod hello.ko (built against Debian's linux-headers-$(uname -r))"
	out=$(dmesg)
	echo "$out" | sed 's/^/#   /'
	echo "$out" | grep -q 'sgfilter-stock-hello loaded'
	ktap_test_status $? "hello.ko logs \"sgfilter-stock-hello loaded\""
	ktap_print_msg "taint flags now: $(cat /proc/sys/kernel/tainted)"
	rmmod hello
	ktap_test_status $? "rmmod hello"

	# The stock behaviour, CVE-2012-4542. The disk readable, not writable,
	# by tester (0640 root:disk), a pattern in LBA 0-7.
	ktap_test_result "no sgfilter on this kernel: no queue/unpriv_sgio" \
		[ ! -e "/sys/block/${SGF_DISK#/dev/}/queue/unpriv_sgio" ]
	chmod 640 "$SGF_DISK"
	printf '\245%.0s' $(seq 4096) > /tmp/pattern.bin
	dd if=/tmp/pattern.bin of="$SGF_DISK" bs=4096 count=1 oflag=direct conv=fsync 2>/dev/null
	ktap_print_msg "LBA 0 before:"
	dd if="$SGF_DISK" bs=512 count=1 iflag=direct 2>/dev/null | od -A d -t x1 | head -2 | sed 's/^/#   /'
	as_user "dd if=/dev/zero of=$SGF_DISK bs=512 count=1 conv=notrunc" > /dev/null 2>&1
	rc=$?
	ktap_test_result "tester may only read $SGF_DISK (an open for write fails)" [ $rc != 0 ]

	# WRITE(10) from the reader: mainline's write list needs a writer
	out=$(as_user sg_raw -R -s 512 -i /tmp/pattern.bin "$SGF_DISK" 2a 00 00 00 00 00 00 00 01 00 2>&1)
	rc=$?
	echo "$out" | sed 's/^/#   /'
	[ $rc != 0 ] && echo "$out" | grep -q 'not permitted'
	ktap_test_status $? "tester, read-only open: WRITE(10) is refused (EPERM)"

	# UNMAP LBA 0, 8 blocks: the parameter list (24 bytes) with one descriptor
	printf '\0\026\0\020\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\010\0\0\0\0' > /tmp/unmap.bin
	ktap_print_msg "as user tester, read-only open: sg_raw -R $SGF_DISK UNMAP(LBA 0, 8 blocks)"
	out=$(as_user sg_raw -R -s 24 -i /tmp/unmap.bin "$SGF_DISK" 42 00 00 00 00 00 00 00 18 00 2>&1)
	rc=$?
	echo "$out" | sed 's/^/#   /'
	[ $rc = 0 ] && echo "$out" | grep -q 'SCSI Status: Good'
	ktap_test_status $? "tester, read-only open: UNMAP goes through (SCSI status Good)"
	ktap_print_msg "LBA 0 afterwards:"
	dd if="$SGF_DISK" bs=512 count=1 iflag=direct 2>/dev/null | od -A d -t x1 | head -2 | sed 's/^/#   /'
	stock_lba_zero 0 && stock_lba_zero 7
	ktap_test_status $? "the reader's UNMAP destroyed the data: LBA 0 and 7 read back as zeros"
	restore_node_perms
	# The fixtures' pattern again for the suites after this one
	dd if=/dev/urandom of="$SGF_DISK" bs=512 count=8 conv=fsync 2>/dev/null

	ktap_finished
}
