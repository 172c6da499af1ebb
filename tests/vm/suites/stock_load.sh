# SPDX-License-Identifier: GPL-2.0
#
# On Debian's own kernel (stock-run.sh): load sgfilter.ko, the stock
# backend, for the suites that follow, which then run as on the patched
# kernel (where they would find the built-in tables without the module).

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

# Whether module file $1 carries a signature (MODULE_SIG_STRING at its end)
module_signed() { [ "$(tail -c 28 "$1")" = "~Module signature appended~" ]; }

suite_stock_load() {
	local extra
	extra=/lib/modules/$(uname -r)/extra
	ktap_print_header
	ktap_test_result "a stock kernel (the stock image)" stock_kernel
	# dkms signs what it builds (stock-initramfs.sh: its own key, which the
	# kernel does not know): the sgfilter.ko here is dkms's; hello.ko,
	# built with make M=, is not signed
	ktap_test_result "sgfilter.ko was built by dkms (signed with its key)" \
		module_signed "$extra/sgfilter.ko"
	ktap_test_result "hello.ko, built with make M=, is not signed" \
		eval '! module_signed "$extra/hello.ko"'
	modprobe sgfilter
	ktap_test_status $? "modprobe sgfilter"
	ktap_test_result "its backend is stock" \
		[ "$(cat /sys/kernel/sgfilter/backend 2>/dev/null)" = stock ]
	restore_node_perms
	ktap_finished
}
