#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Judge a VM run from what it left behind: pass or fail.
#
#   judge-run.sh DIR QEMU-EXIT-STATUS SECONDS
#
# DIR holds results.log (the second serial port: the suites' KTAP between
# the init's SGF-SUITE markers) and console.log (the kernel's). Counts each
# suite's KTAP results ("ok N", "not ok N"; an "ok" with a SKIP directive is
# a skip; indented subtest lines count through their parent), adds one
# failure per suite that exited non-zero without a failing result, per
# kernel splat, and for a VM that did not finish. Prints a line per suite
# and, last, kselftest's totals line:
#
#   # Totals: pass:N fail:N xfail:0 xpass:0 skip:N error:0
#
# (which tests/check.sh adds up) and exits non-zero on any failure.
set -uo pipefail

dir=$1 qrc=$2 secs=$3
results=$dir/results.log console=$dir/console.log

# A line per suite, then "total PASS FAIL SKIP"
mapfile -t counts < <(awk '
	{ sub(/\r$/, "") }	# the serial port sends CRLF
	/^SGF-SUITE / { suite = $2; spass = sfail = sskip = 0; next }
	/^SGF-SUITE-END / {
		if ($3 != 0 && !sfail) { fail++; sfail++ }
		printf "# suite %s: pass:%d fail:%d skip:%d, exit status %s\n", $2, spass, sfail, sskip, $3
		suite = ""
		next
	}
	/^not ok [0-9]/ { fail++; sfail++; next }
	/^ok [0-9]/ { if ($0 ~ /# SKIP/) { skip++; sskip++ } else { pass++; spass++ } }
	END {
		if (suite != "") printf "# suite %s: pass:%d fail:%d skip:%d, did not end\n", suite, spass, sfail, sskip
		print "total", pass + 0, fail + 0, skip + 0
	}' "$results" 2>/dev/null)
n=${#counts[@]}
[ "$n" -gt 0 ] || { counts=("total 0 0 0"); n=1; }
read -r _ pass fail skip <<< "${counts[n - 1]}"
[ "$n" = 1 ] || printf '%s\n' "${counts[@]:0:n - 1}"

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
echo "# Totals: pass:$pass fail:$fail xfail:0 xpass:0 skip:$skip error:0"
[ "$fail" = 0 ]
