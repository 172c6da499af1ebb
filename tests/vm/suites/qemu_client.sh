# SPDX-License-Identifier: GPL-2.0
#
# The real client: QEMU, run by the unprivileged user, passes the LIO disk
# to a guest with scsi-block; the guest (tests/vm/nested-guest-init.sh)
# registers a reservation key. Refused with unpriv_sgio=0, done with 1
# (written where libvirt writes it), and done with the flag at 0 once
# "sgfilterctl grant LUN pr" gave the LUN's writers PERSISTENT RESERVE
# IN/OUT (issue 14); the key is then visible from the host.
#
# It boots a nested guest, which then gets the kernel without the debug
# options (TCG in TCG is slow enough without KASAN): run.sh reads this line
# needs: nested-guest

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

# Boot the guest as tester; it registers key $1; its console goes to $2
run_guest() {
	local key=$1 log=$2
	rm -f "$log"
	timeout 300 su tester -s /bin/sh -c "qemu-system-x86_64 -accel tcg -m 256 \
		-nographic -no-reboot -nodefaults \
		-kernel /guest/bzImage -initrd /guest/initramfs.cpio.gz \
		-append 'console=ttyS0 panic=-1 reboot=t nowatchdog sgf.key=$key' \
		-serial file:$log \
		-device virtio-scsi-pci,id=scsi0 \
		-drive file=$SGF_LIO,if=none,format=raw,id=lun0 \
		-device scsi-block,drive=lun0,bus=scsi0.0" </dev/null >/tmp/qemu.out 2>&1
}

# Take key $key off the LUN (root may)
unregister() { sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" >/dev/null 2>&1; }

suite_qemu_client() {
	local flag key=0x5347 rc t0 mode ok loaded=0
	ktap_print_header
	flag=$(unpriv_flag "$SGF_LIO")
	unregister
	# refused; unpriv_sgio=1 (libvirt 8.0's way); the pr grant, flag at 0
	# (issue 14), which needs sgfilter.ko
	for mode in flag0 flag1 grant; do
		echo 0 > "$flag"
		case $mode in
		flag1) echo 1 > "$flag" ;;
		grant)
			if [ ! -d /sys/kernel/sgfilter ]; then
				modprobe sgfilter && loaded=1
			fi
			sgfilterctl grant "$SGF_LIO" pr ||
				ktap_test_fail "grant: sgfilterctl grant $SGF_LIO pr failed"
			;;
		esac
		t0=$(date +%s)
		run_guest $key /tmp/guest-$mode.log
		ktap_print_msg "$mode: guest ran $(($(date +%s) - t0)) s"
		sed -n 's/\r$//; s/^SGF-GUEST/#  /p' /tmp/guest-$mode.log
		rc=$(sed -n 's/\r$//; s/^SGF-GUEST register rc=\([0-9]*\).*/\1/p' /tmp/guest-$mode.log)
		ok=$([ $mode = flag0 ] && echo 0 || echo 1)
		if [ -z "$rc" ]; then
			ktap_test_fail "$mode: the guest did not report"
			sed 's/^/# qemu: /' /tmp/qemu.out; tail -5 /tmp/guest-$mode.log | sed 's/^/# guest: /'
		elif [ $ok = 0 ] && [ "$rc" != 0 ]; then
			ktap_test_pass "$mode: the guest's PERSISTENT RESERVE OUT fails"
		elif [ $ok = 1 ] && [ "$rc" = 0 ]; then
			ktap_test_pass "$mode: the guest registers key $key"
		else
			ktap_test_fail "$mode: sg_persist in the guest exited $rc"
		fi
		if sg_persist --in --read-keys "$SGF_LIO" 2>/dev/null | grep -qi "$key"; then
			[ $ok = 1 ] && ktap_test_pass "$mode: the host sees key $key" ||
				ktap_test_fail "$mode: key $key registered anyway"
		else
			[ $ok = 0 ] && ktap_test_pass "$mode: no key registered" ||
				ktap_test_fail "$mode: the host does not see key $key"
		fi
		unregister
	done
	# the grant taken back: the device's set is empty again
	sgfilterctl revoke "$SGF_LIO" pr
	[ -e "/sys/class/block/${SGF_LIO#/dev/}/device/sgio_grants" ] &&
		[ -z "$(cat "/sys/class/block/${SGF_LIO#/dev/}/device/sgio_grants")" ]
	ktap_test_status $? "grant: sgfilterctl revoke leaves no grants"
	echo 0 > "$flag"
	[ $loaded = 0 ] || rmmod sgfilter
	ktap_finished
}
