# SPDX-License-Identifier: GPL-2.0
#
# selftests/sgfilter's sgfilter_module_test: sgfilter.ko loaded (defaults,
# edits, counters, the denial log, bad writes) and reloaded sgf.module_reloads=
# times (default 50) while two processes send SG_IO. make vm-lifetime runs
# it on the kernel with CONFIG_DEBUG_KOBJECT_RELEASE.

. /tests/lib/fixtures.sh

suite_module() {
	local reloads
	reloads=$(sgf_param module_reloads '[0-9]')
	SGF_MODULE_RELOADS=${reloads:-50} /tests/sgfilter_module_test
}
