#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The host's judge of a VM run (tests/vm/judge-run.sh) must be able to say
# no: feed it made-up runs and check what it decides.
set -uo pipefail

vm=$(cd "$(dirname "$0")/../vm" && pwd)
. "$vm/lib/ktap.sh"
judge=$vm/judge-run.sh
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT

# expect NAME WANTED-STATUS RESULTS CONSOLE
expect() {
	printf '%b' "$3" > "$dir/results.log"
	printf '%b' "$4" > "$dir/console.log"
	"$judge" "$dir" 0 1 > "$dir/out" 2>&1
	local got=$?
	if { [ "$2" = 0 ] && [ $got = 0 ]; } || { [ "$2" != 0 ] && [ $got != 0 ]; }; then
		ktap_test_pass "$1"
	else
		ktap_test_fail "$1 (exit status $got)"
		sed 's/^/# /' "$dir/out"
	fi
}

ktap_print_header
good='SGF-SUITE a\r\nok 1 x\r\nok 2 y # SKIP z\r\nSGF-SUITE-END a 0\r\nSGF-DONE\r\n'
boot='[    0.1] Linux version 6.12.117\n'
expect "a clean run passes" 0 "$good" "$boot"
expect "a failed test fails the run" 1 \
	'SGF-SUITE a\r\nnot ok 1 x\r\nSGF-SUITE-END a 1\r\nSGF-DONE\r\n' "$boot"
expect "a suite that exits non-zero without a result fails the run" 1 \
	'SGF-SUITE a\r\nSGF-SUITE-END a 2\r\nSGF-DONE\r\n' "$boot"
expect "a VM that does not finish fails the run" 1 'SGF-SUITE a\r\nok 1 x\r\n' "$boot"
expect "no results at all fail the run" 1 '' "$boot"
for splat in 'WARNING: CPU: 0 PID: 1 at drivers/scsi/scsi_sgio.c:99' \
	     'BUG: KASAN: slab-use-after-free in scsi_cmd_allowed' \
	     'WARNING: possible circular locking dependency detected' \
	     'WARNING: suspicious RCU usage' \
	     'BUG: sleeping function called from invalid context' \
	     'Oops: general protection fault'; do
	expect "kernel log: $splat" 1 "$good" "$boot[    9.9] $splat\n"
done
ktap_finished
