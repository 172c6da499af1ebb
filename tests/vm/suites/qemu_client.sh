# SPDX-License-Identifier: GPL-2.0
#
# The real client: QEMU, run by the unprivileged user, passes the LIO disk
# to a guest with scsi-block; the guest (tests/vm/nested-guest-init.sh)
# registers a reservation key. Refused with unpriv_sgio=0, done with 1
# (written where libvirt writes it), and the key is then visible from the
# host.
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

suite_qemu_client() {
	local flag key=0x5347 rc t0 v
	ktap_print_header
	flag=$(unpriv_flag "$SGF_LIO")
	sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" >/dev/null 2>&1
	for v in 0 1; do
		echo $v > "$flag"
		t0=$(date +%s)
		run_guest $key /tmp/guest$v.log
		ktap_print_msg "unpriv_sgio=$v: guest ran $(($(date +%s) - t0)) s"
		sed -n 's/\r$//; s/^SGF-GUEST/#  /p' /tmp/guest$v.log
		rc=$(sed -n 's/\r$//; s/^SGF-GUEST register rc=\([0-9]*\).*/\1/p' /tmp/guest$v.log)
		if [ -z "$rc" ]; then
			ktap_test_fail "unpriv_sgio=$v: the guest did not report"
			sed 's/^/# qemu: /' /tmp/qemu.out; tail -5 /tmp/guest$v.log | sed 's/^/# guest: /'
		elif [ $v = 0 ] && [ "$rc" != 0 ]; then
			ktap_test_pass "unpriv_sgio=0: the guest's PERSISTENT RESERVE OUT fails"
		elif [ $v = 1 ] && [ "$rc" = 0 ]; then
			ktap_test_pass "unpriv_sgio=1: the guest registers key $key"
		else
			ktap_test_fail "unpriv_sgio=$v: sg_persist in the guest exited $rc"
		fi
		if sg_persist --in --read-keys "$SGF_LIO" 2>/dev/null | grep -qi "$key"; then
			[ $v = 1 ] && ktap_test_pass "unpriv_sgio=1: the host sees key $key" ||
				ktap_test_fail "unpriv_sgio=0: key $key registered anyway"
		else
			[ $v = 0 ] && ktap_test_pass "unpriv_sgio=0: no key registered" ||
				ktap_test_fail "unpriv_sgio=1: the host does not see key $key"
		fi
	done
	echo 0 > "$flag"
	sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" >/dev/null 2>&1
	ktap_finished
}
