# SPDX-License-Identifier: GPL-2.0
#
# sgfilter.ko's stock-kernel backend on Debian's own kernel (stock-run.sh):
# before modprobe the stock behaviour (a reader's UNMAP destroys data), after
# it the protection on every entry point the backend hooks, the unpriv_sgio
# files and their rules, modules that load after sgfilter (ch, st), and after
# rmmod the stock behaviour again with the files gone.

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

# LBA $1 (8 blocks) holds 0xa5s again
stock_pattern() {
	printf '\245%.0s' $(seq 4096) > /tmp/pattern.bin
	dd if=/tmp/pattern.bin of="$SGF_DISK" bs=512 seek="$1" count=8 oflag=direct conv=fsync 2>/dev/null
}

# Whether LBA $1 reads as zeros
stock_zero() {
	[ "$(dd if="$SGF_DISK" bs=512 skip="$1" count=1 iflag=direct 2>/dev/null | od -v -A n -t x1 | tr -d ' \n' | tr -d 0)" = "" ]
}

# As tester, read-only (-R) or read-write, UNMAP of LBA $3, 8 blocks, on node $2:
# prints sg_raw's output, exit status 0 if the command went through
stock_unmap() {
	local ro=$1 node=$2 lba=$3
	# header (8 bytes), LBA (8), 8 blocks (4), reserved (4)
	printf '\0\026\0\020\0\0\0\0\0\0\0\0\0\0\0%b\0\0\0\010\0\0\0\0' \
		"\\$(printf %03o "$lba")" > /tmp/unmap.bin
	as_user sg_raw $ro -s 24 -i /tmp/unmap.bin "$node" 42 00 00 00 00 00 00 00 18 00 2>&1
}

# As tester, sg_raw $1 (-R or "") on $2 of CDB $3...: 0 if not refused (EPERM)
stock_sent() {
	local ro=$1 node=$2 out
	shift 2
	out=$(as_user sg_raw $ro "$node" "$@" 2>&1)
	! echo "$out" | grep -q 'not permitted'
}

# A tracer on scsi_cmd_allowed()'s return, which replaces its return
# address: $1 kretprobe (a rethook, as perf probe and bpftrace make) or
# graph (the function graph tracer); on, or off with $2 = off. Prints the
# calls it saw when turned off.
stock_tracer() {
	local t=/sys/kernel/tracing
	[ -e $t/trace ] || mount -t tracefs nodev $t 2>/dev/null || return 1
	case $1/${2:-on} in
	kretprobe/on)
		echo 'r:sgf_test/sgf_ret scsi_cmd_allowed' >> $t/kprobe_events &&
			echo 1 > $t/events/sgf_test/sgf_ret/enable ;;
	kretprobe/off)
		echo 0 > $t/events/sgf_test/sgf_ret/enable
		awk '$1 == "sgf_ret" { print $2 }' $t/kprobe_profile
		echo '-:sgf_test/sgf_ret' >> $t/kprobe_events ;;
	graph/on)
		: > $t/trace
		echo scsi_cmd_allowed > $t/set_graph_function &&
			echo function_graph > $t/current_tracer ;;
	graph/off)
		# (before the tracer goes, which empties the buffer)
		grep -c 'scsi_cmd_allowed' $t/trace
		echo nop > $t/current_tracer
		: > $t/set_graph_function ;;
	esac
}

suite_stock_backend() {
	local q s out hctl
	ktap_print_header
	q=/sys/block/${SGF_DISK#/dev/}/queue/unpriv_sgio
	s=$(readlink -f "/sys/block/${SGF_DISK#/dev/}/device")/unpriv_sgio
	rmmod sgfilter 2>/dev/null

	# Stock: a reader's UNMAP goes through and destroys data
	stock_pattern 64
	out=$(stock_unmap -R "$SGF_DISK" 64)
	echo "$out" | sed 's/^/#   /'
	stock_zero 64
	ktap_test_status $? "stock kernel: a reader's UNMAP on $SGF_DISK destroys LBA 64"
	ktap_test_result "stock kernel: no unpriv_sgio files" [ ! -e "$q" -a ! -e "$s" ]

	modprobe sgfilter
	ktap_test_status $? "modprobe sgfilter"
	ktap_test_result "/sys/kernel/sgfilter/backend says stock" \
		[ "$(cat /sys/kernel/sgfilter/backend 2>/dev/null)" = stock ]
	ktap_test_result "unpriv_sgio at queue/ and at the SCSI device, 0" \
		[ "$(cat "$q" 2>/dev/null)" = 0 -a "$(cat "$s" 2>/dev/null)" = 0 ]

	# The reader's UNMAP through every entry point: refused, data kept
	stock_pattern 64
	for node in "$SGF_DISK" "$SGF_DISK_SG" "$SGF_DISK_BSG"; do
		out=$(stock_unmap -R "$node" 64)
		echo "$out" | grep -q 'not permitted'
		ktap_test_status $? "a reader's UNMAP on $node: EPERM"
	done
	! stock_zero 64
	ktap_test_status $? "LBA 64 kept its data"
	# ... and the writer's goes through (UNMAP is a disk writer's command)
	out=$(stock_unmap "" "$SGF_DISK" 64)
	stock_zero 64
	ktap_test_status $? "a writer's UNMAP on $SGF_DISK: sent, LBA 64 discarded"

	# Commands keyed by service action: READ CAPACITY(16) a reader's,
	# REMOVE ELEMENT AND TRUNCATE (0x9e/0x18) nobody's
	stock_sent -R "$SGF_DISK" 9e 10 00 00 00 00 00 00 00 00 00 00 00 20 00 00
	ktap_test_status $? "a reader's READ CAPACITY(16): sent"
	! stock_sent "" "$SGF_DISK" 9e 18 00 00 00 00 00 00 00 00 00 00 00 00 00 00
	ktap_test_status $? "a writer's REMOVE ELEMENT AND TRUNCATE: EPERM"
	# SCSI_IOCTL_SEND_COMMAND (sg_raw cannot send it): START STOP UNIT by
	# the ioctl is a disk writer's
	! stock_sent -R "$SGF_DISK" 1b 00 00 00 00 00
	ktap_test_status $? "a reader's START STOP UNIT through SG_IO: EPERM"

	# The flag: a writer may send anything, a reader stays on the table
	! stock_sent "" "$SGF_DISK" 5f 00 00 00 00 00 00 00 18 00
	ktap_test_status $? "unpriv_sgio 0: a writer's PERSISTENT RESERVE OUT: EPERM"
	echo 1 > "$q"
	ktap_test_result "unpriv_sgio 1 (queue/), the SCSI device's file says 1" [ "$(cat "$s")" = 1 ]
	stock_sent "" "$SGF_DISK" 5f 00 00 00 00 00 00 00 18 00
	ktap_test_status $? "unpriv_sgio 1: a writer's PERSISTENT RESERVE OUT: sent"
	! stock_sent -R "$SGF_DISK" 5f 00 00 00 00 00 00 00 18 00
	ktap_test_status $? "unpriv_sgio 1: a reader's PERSISTENT RESERVE OUT: EPERM"
	# A tracer on the function's return hides its caller behind a
	# trampoline: the backend looks through it (the flag still applies)
	for tr in kretprobe graph; do
		if ! stock_tracer $tr; then
			ktap_test_skip "a $tr on scsi_cmd_allowed(): no such tracer here"
			continue
		fi
		stock_sent "" "$SGF_DISK" 5f 00 00 00 00 00 00 00 18 00
		ktap_test_status $? "unpriv_sgio 1, a $tr on scsi_cmd_allowed(): a writer's PERSISTENT RESERVE OUT: sent"
		! stock_sent -R "$SGF_DISK" 5f 00 00 00 00 00 00 00 18 00
		ktap_test_status $? "unpriv_sgio 1, a $tr on scsi_cmd_allowed(): a reader's PERSISTENT RESERVE OUT: EPERM"
		out=$(stock_tracer $tr off)
		ktap_test_result "the $tr saw those calls ($out)" [ "${out:-0}" -ge 2 ]
	done
	echo 2 > "$q" 2>/dev/null
	ktap_test_result "writing 2: refused, the flag stays 1" [ $? != 0 -a "$(cat "$q")" = 1 ]
	echo 0 > "$s"
	ktap_test_result "unpriv_sgio 0 through the SCSI device's file" [ "$(cat "$q")" = 0 ]
	as_user "echo 1 > $q" 2>/dev/null
	ktap_test_result "a user cannot set the flag" [ "$(cat "$q")" = 0 ]

	# A module that loads after sgfilter is hooked when it comes: ch and st
	# here (matrix and tape_changer, later in the run, send CHIO and MT
	# ioctls through them)
	rmmod ch && modprobe ch
	ktap_test_status $? "ch unloaded and loaded again after sgfilter"
	rmmod st && modprobe st
	ktap_test_status $? "st unloaded and loaded again after sgfilter"

	rmmod sgfilter
	ktap_test_status $? "rmmod sgfilter"
	ktap_test_result "the unpriv_sgio files are gone" [ ! -e "$q" -a ! -e "$s" ]
	stock_pattern 64
	out=$(stock_unmap -R "$SGF_DISK" 64)
	stock_zero 64
	ktap_test_status $? "unloaded: the stock behaviour again (a reader's UNMAP goes through)"
	restore_node_perms
	dd if=/dev/urandom of="$SGF_DISK" bs=512 count=8 conv=fsync 2>/dev/null
	ktap_finished
}
