#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Decide a VM run from what it left behind.
#
#   verdict.sh DIR QEMU-EXIT-STATUS SECONDS
#
# DIR holds results.log (the second serial port) and console.log (the
# kernel's). Counts TAP results (a "# SKIP" result is a skip), adds one
# failure per suite that exited non-zero without a failing result, per
# kernel splat, and for a VM that did not finish. Prints the summary line
# and exits non-zero on any failure.
set -uo pipefail

dir=$1 qrc=$2 secs=$3
results=$dir/results.log console=$dir/console.log

read -r pass fail skip < <(awk '
	{ sub(/\r$/, "") }	# the serial port sends CRLF
	/^SGF-SUITE / { suite = $2; sfail = 0; next }
	/^SGF-SUITE-END / { if ($3 != 0 && !sfail) { fail++; print "# suite " $2 " exited " $3 > "/dev/stderr" } next }
	/^not ok [0-9]/ { fail++; sfail = 1; next }
	/^ok [0-9]/ { if ($0 ~ /# SKIP/) skip++; else pass++ }
	END { print pass + 0, fail + 0, skip + 0 }' "$results")

splats='WARNING:|BUG:|Oops|Kernel panic|KASAN|UBSAN|possible circular locking|possible recursive locking|inconsistent lock state|suspicious RCU usage|sleeping function called from invalid context|INFO: task .* blocked|soft lockup|general protection fault'
if grep -Eq "$splats" "$console"; then
	echo "# the kernel log has a splat:"
	grep -E -m5 -A20 "$splats" "$console" | sed 's/^/#   /' | head -60
	fail=$((fail + 1))
fi
if ! grep -q '^SGF-DONE' "$results" 2>/dev/null; then
	echo "# the VM did not finish (qemu exit status $qrc); last kernel messages:"
	tail -30 "$console" | sed 's/^/#   /'
	fail=$((fail + 1))
fi
echo "# VM run: ${secs%.*} s (boot, setup and suites)"
echo "$pass passed, $fail failed, $skip skipped"
[ "$fail" = 0 ]
