#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: CVE-2012-4542, before and after. Boots the unpatched 6.12 kernel
# and the patched one with the same devices; in each, an unprivileged user
# who may only read a scsi_debug disk sends UNMAP with "sg_raw -R".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

show() {
	local title=$1 out
	shift
	echo
	echo "=== $title"
	out=$("$top/tests/vm/run.sh" "$@" demo 2>&1)
	echo "$out" | sed -n '/^SGF-SUITE demo/,/^SGF-SUITE-END demo/p' | sed '1d;$d;s/^# //'
	echo "$out" | grep -E 'the kernel log has a splat|did not finish' || true
}

show "Linux 6.12.117 as shipped (kernel/patches not applied)" --mainline
show "Linux 6.12.117 with the sgfilter patch series"
