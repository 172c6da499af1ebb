#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make demo: CVE-2012-4542, before and after. Boots the unpatched 6.12 kernel,
# the patched one, and Debian's own 6.12.117+deb12-amd64 (unmodified, where
# sgfilter.ko's stock backend is loaded halfway) with the same devices; in
# each, an unprivileged user who may only read a scsi_debug disk sends UNMAP
# with "sg_raw -R". Then, on the patched kernel and on Debian's with
# sgfilter.ko, the real client: an unprivileged QEMU's guest registering a
# reservation key through unpriv_sgio.
#
#   demo.sh [mainline] [patched] [stock]    the parts to show (default all)
set -uo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
stock=6.12.117+deb12-amd64
out=

# boot RUNNER ARG...: boot a VM with tests/vm/RUNNER (run.sh or
# stock-run.sh) and ARGs, keep what it printed
boot() {
	local runner=$1
	shift
	out=$("$top/tests/vm/$runner" "$@" 2>&1)
}

# said SUITE: what SUITE printed in the last boot, as plain text (its
# results and diagnostics, not KTAP's header, plan and totals)
said() {
	echo "$out" | sed 's/\r$//' | sed -n "/^SGF-SUITE $1\$/,/^SGF-SUITE-END $1 /p" |
		sed '1d;$d;/^TAP version/d;/^1\.\.[0-9]/d;/^# Totals:/d;s/^# //;s/^#$//'
}

# what went wrong with the last boot, if anything did
trouble() {
	echo "$out" | grep -E 'the kernel log has a splat|did not finish' || true
}

client() {
	echo
	echo "The real client on $1:"
	echo "an unprivileged QEMU passes the LIO disk to a guest (scsi-block); the guest"
	echo "runs sg_persist --out --register, with the disk's unpriv_sgio at 0, then at 1."
	said qemu_client
}

parts=${*:-mainline patched stock}
for part in $parts; do
	echo
	case $part in
	mainline)
		echo "=== Linux 6.12.117 as shipped (kernel/patches not applied)"
		boot run.sh --mainline demo
		said demo
		;;
	patched)
		echo "=== Linux 6.12.117 with the sgfilter patch series"
		boot run.sh demo qemu_client
		said demo
		client "the patched kernel"
		;;
	stock)
		echo "=== Debian's own kernel, linux-image-$stock, unmodified:"
		echo "=== before and after modprobe sgfilter (sgfilter.ko's stock backend, as DKMS installs it)"
		boot stock-run.sh "$stock" demo_stock qemu_client
		said demo_stock
		client "Debian's kernel with sgfilter.ko"
		;;
	*)
		echo "usage: $0 [mainline] [patched] [stock]" >&2
		exit 2
		;;
	esac
	trouble
done
