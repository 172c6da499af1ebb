#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the sgfilter test VM (PID 1): mounts, runs the setup suite and
# then the suites named on the kernel command line (sgf.run=suite,suite,...),
# reports on the second serial port, which the host reads
# (tests/vm/judge-run.sh), and powers off:
#
#   SGF-SUITE <name>            a suite starts; its KTAP follows
#   SGF-SUITE-END <name> <rc>   it ended with exit status rc
#   SGF-DONE                    everything ran; the VM powers off
#
# A suite NAME is a shell function suite_NAME in a file under /tests/suites
# (tests/vm/suites/NAME.sh, bench/bench-suites.sh), which sources the
# fixtures library (/tests/lib/fixtures.sh) and the KTAP helper
# (/tests/lib/ktap.sh) itself. Each suite runs in a shell of its own, with
# the environment the setup suite exported (the test devices: SGF_DISK, ...).
# Kernel messages go to the first serial port; the host checks them for
# warnings, oopses, KASAN and lockdep reports.

export PATH=/usr/bin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t configfs configfs /sys/kernel/config
chmod 1777 /tmp

exec 3>/dev/ttyS1
report() { echo "$@" >&3; }

suites=$(sed -n 's/.*sgf\.run=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')

# run_suite NAME COMMAND...: COMMAND's output, between the markers
run_suite() {
	local name=$1 rc
	shift
	report "SGF-SUITE $name"
	"$@" >&3 2>&1
	rc=$?
	report "SGF-SUITE-END $name $rc"
}

# Suite $1 in a shell of its own: source the file that defines it, call it
in_own_shell() {
	local file
	file=$(grep -l "^suite_$1() {" /tests/suites/*.sh | head -1)
	[ -n "$file" ] || { echo "# no suite $1 in /tests/suites"; return 127; }
	sh -c ". $file && suite_$1"
}

echo "init: suites: $suites" > /dev/kmsg
# The setup suite runs in this shell, so that the variables it exports reach
# every suite after it; it always runs, and first.
. /tests/suites/setup.sh
run_suite setup suite_setup
for s in $suites; do
	[ "$s" = setup ] && continue
	run_suite "$s" in_own_shell "$s"
done
report "SGF-DONE"
sync
# No ACPI in this kernel: reboot (reboot=t, a triple fault) and QEMU,
# started with -no-reboot, exits.
reboot -f
