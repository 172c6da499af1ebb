#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test kernel in QEMU and run suites in it.
#
#   run.sh [--mainline] [--no-debug | --bench] [--timeout S] [--out DIR]
#          [--append ARGS] [--keep-image] SUITE...
#
# Builds (or reuses) the kernel and the initramfs, boots with a virtio-scsi
# controller carrying a QEMU scsi-hd and scsi-cd, and prints what the suites
# reported. The host decides (judge-run.sh): the run fails if a suite fails,
# if the VM does not finish, or if the kernel log shows a warning, an oops, a
# KASAN, lockdep or RCU report. The last line is kselftest's
# "# Totals: pass:N fail:N xfail:0 xpass:0 skip:N error:0".
#
# A SUITE is a suite_SUITE function in tests/vm/suites/SUITE.sh or
# bench/bench-suites.sh. A suite that boots the nested guest says so
# ("# needs: nested-guest" above its function): the guest then gets the
# patched kernel without the debug options (TCG in TCG is slow enough
# without KASAN), or with --bench the benchmark kernel, which is one
# already. Other runs carry the test kernel there, unused.
#
# --bench boots the benchmark kernel (kernel.sh --bench); --append adds
# kernel command line arguments; --keep-image boots DIR's initramfs again
# if it has one (bench/run.sh's later boots of a kernel: the same image).
# SGF_RELOADS sets the module reload cycles of the stress suite (default 20).
# The QEMU command line is tests/vm/lib/boot.sh's, shared with stock-run.sh.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kopts=() timeout=900 out= append= bench=0 keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--mainline|--no-debug) kopts+=("$1") ;;
	--bench) kopts+=("$1"); bench=1 ;;
	--timeout) timeout=$2; shift ;;
	--out) out=$2; shift ;;
	--append) append=$2; shift ;;
	--keep-image) keep=1 ;;
	-*) echo "usage: $0 [--mainline] [--no-debug | --bench] [--timeout S] [--out DIR] [--append ARGS] [--keep-image] SUITE..." >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || { echo "$0: name at least one suite" >&2; exit 2; }
suites=$(IFS=,; echo "$*")
needs=$("$top/tests/vm/initramfs.sh" --needs "$@") || exit 2

obj=$("$top/tests/vm/kernel.sh" ${kopts[@]+"${kopts[@]}"})
src=$(dirname "$obj")/src
guest_obj=$obj
if grep -qx nested-guest <<< "$needs" && [ $bench = 0 ]; then
	guest_obj=$("$top/tests/vm/kernel.sh" --no-debug)
fi
out=${out:-$(dirname "$obj")/run}
mkdir -p "$out"

[ $keep = 1 ] && [ -s "$out/initramfs.cpio.gz" ] ||
	"$top/tests/vm/initramfs.sh" "$out/initramfs.cpio.gz" "$obj" "$src" \
		"$guest_obj/arch/x86/boot/bzImage" "$needs"
. "$top/tests/vm/lib/boot.sh"
vm_boot_and_judge "$obj/arch/x86/boot/bzImage" "$out/initramfs.cpio.gz" "$out" "$timeout" "$suites" "$append"
