# SPDX-License-Identifier: GPL-2.0
#
# On Debian's own kernel (stock-run.sh): load sgfilter.ko, the stock
# backend, for the suites that follow, which then run as on the patched
# kernel (where they would find the built-in tables without the module).

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

suite_stock_load() {
	ktap_print_header
	ktap_test_result "a stock kernel (the stock image)" stock_kernel
	modprobe sgfilter
	ktap_test_status $? "modprobe sgfilter"
	ktap_test_result "its backend is stock" \
		[ "$(cat /sys/kernel/sgfilter/backend 2>/dev/null)" = stock ]
	restore_node_perms
	ktap_finished
}
