#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: CVE-2012-4542, before and after. Boots the unpatched 6.12 kernel
# and the patched one with the same devices; in each, an unprivileged user
# who may only read a scsi_debug disk sends UNMAP with "sg_raw -R".
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)

# show TITLE [--mainline] SUITE...: boot, print what the suites said
show() {
	local title=$1 out s
	shift
	echo
	echo "=== $title"
	out=$("$top/tests/vm/run.sh" "$@" 2>&1)
	for s in "$@"; do
		case $s in --*) continue ;; esac
		echo "$out" | sed -n "/^SGF-SUITE $s/,/^SGF-SUITE-END $s/p" |
			sed '1d;$d;s/\r$//;s/^# //'
	done
	echo "$out" | grep -E 'the kernel log has a splat|did not finish' || true
}

show "Linux 6.12.117 as shipped (kernel/patches not applied)" --mainline demo
show "Linux 6.12.117 with the sgfilter patch series" demo
echo
echo "The real client: an unprivileged QEMU passes the LIO disk to a guest"
echo "(scsi-block); the guest runs sg_persist --out --register."
show "Linux 6.12.117 with the sgfilter patch series, unpriv_sgio 0 then 1" qemu_client
