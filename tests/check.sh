#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make check: the fast user-space tests first, then the VM tests. Each stage
# ends with kselftest's totals line (tests/vm/lib/ktap.sh for the shell
# tests, tests/unit/check.h for the C checkers, tests/vm/judge-run.sh for a
# VM run):
#
#   # Totals: pass:N fail:N xfail:N xpass:N skip:N error:N
#
# This adds up each stage's last such line (an xfail counts as passed, an
# xpass or an error as failed; a stage without one as one failure) into the
# last line of all: "N passed, N failed, N skipped".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
log=$(mktemp)
trap 'rm -f "$log"' EXIT
total_pass=0 total_fail=0 total_skip=0 rc=0

stage() {
	local name=$1 line p f s
	shift
	echo "=== $name"
	"$@" 2>&1 | tee "$log"
	local status=${PIPESTATUS[0]}
	# the stage's own totals come last (a VM run's log holds each suite's too)
	line=$(grep -E '^# Totals: pass:[0-9]+ fail:[0-9]+ xfail:[0-9]+ xpass:[0-9]+ skip:[0-9]+ error:[0-9]+' "$log" | tail -1)
	if [ -z "$line" ]; then
		echo "# $name printed no totals line (exit status $status)"
		line="# Totals: pass:0 fail:1 xfail:0 xpass:0 skip:0 error:0"
	fi
	read -r p f s < <(echo "$line" | awk '{
		for (i = 3; i <= NF; i++) { split($i, kv, ":"); n[kv[1]] = kv[2] }
		print n["pass"] + n["xfail"], n["fail"] + n["xpass"] + n["error"], n["skip"] + 0 }')
	[ "$status" = 0 ] || [ "$f" != 0 ] || f=1
	total_pass=$((total_pass + p)) total_fail=$((total_fail + f)) total_skip=$((total_skip + s))
	[ "$f" = 0 ] || rc=1
}

"$top/tests/deps.sh" || exit 1
stage "unit tests: built-in policy (user space)" make -s -C "$top" unit-builtin-tables
stage "unit tests: opcode audit against libsgutils2" make -s -C "$top" unit-audit
stage "unit tests: sgfilter.ko table edits (user space)" make -s -C "$top" unit-table-edits
stage "unit tests: sgfilterctl (user space, made-up sysfs)" make -s -C "$top" unit-tool
stage "unit tests: documentation matches the patch series; checkpatch" make -s -C "$top" unit-docs
stage "fuzzing: entry syntax and sgfilterctl's parsers (15 s each)" make -s -C "$top" unit-fuzz
stage "unit tests: the judge of a VM run (tests/vm/judge-run.sh)" make -s -C "$top" unit-harness
stage "unit tests: the benchmark report's arithmetic" make -s -C "$top" unit-bench
stage "VM tests (patched kernel, debug config)" make -s -C "$top" vm
stage "VM tests: sgfilter.ko's lifetime (no-debug kernel, CONFIG_DEBUG_KOBJECT_RELEASE)" \
	make -s -C "$top" vm-lifetime
for release in 6.12.117+deb12-amd64 6.1.0-56-amd64; do
	stage "VM tests: the stock backend on Debian's own $release" \
		make -s -C "$top" vm-stock STOCK_RELEASE="$release"
done

echo "=== total"
echo "$total_pass passed, $total_fail failed, $total_skip skipped"
exit $rc
