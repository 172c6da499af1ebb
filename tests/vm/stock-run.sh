#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot one of Debian's own kernels, unmodified, in QEMU and run suites in it
# (issue 13): the stock-kernel counterpart of tests/vm/run.sh.
#
#   stock-run.sh RELEASE [--timeout S] [--out DIR] [--append ARGS] [--keep-image] SUITE...
#
# RELEASE: 6.12.117+deb12-amd64 or 6.1.0-56-amd64 (tests/vm/stock-kernel.sh
# fetches it). The initramfs is tests/vm/stock-initramfs.sh's: Debian's
# modules, loaded before tests/vm/init.sh runs, our init, fixtures and
# suites. The QEMU command line is run.sh's (virtio-scsi with a scsi-hd and
# a scsi-cd, the console on the first serial port, the suites' KTAP on the
# second, panic_on_warn); the host judges the run with judge-run.sh, whose
# last line is kselftest's "# Totals: ..." line. A suite that boots the
# nested guest ("# needs: nested-guest", qemu_client) gets QEMU and a guest
# in the image, as in run.sh's.
#
# --out defaults to $SGF_CACHE/stock-RELEASE/run (SGF_CACHE default
# /var/tmp/sgfilter-cache). --append adds kernel command line arguments,
# e.g. sgf.modules=a,b to modprobe more modules at boot.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
usage="usage: $0 RELEASE [--timeout S] [--out DIR] [--append ARGS] [--keep-image] SUITE..."
[ $# -gt 0 ] && [ "${1#-}" = "$1" ] || { echo "$usage" >&2; exit 2; }
release=$1
shift
timeout=900 out= append= keep=0
while [ $# -gt 0 ]; do
	case $1 in
	--timeout) timeout=$2; shift ;;
	--out) out=$2; shift ;;
	--append) append=$2; shift ;;
	--keep-image) keep=1 ;;	# as run.sh's
	-*) echo "$usage" >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || { echo "$0: name at least one suite" >&2; exit 2; }
suites=$(IFS=,; echo "$*")
needs=$("$top/tests/vm/initramfs.sh" --needs "$@") || exit 2
# A suite that boots the nested guest (qemu_client): QEMU in the image, and
# the patched kernel without debug options as the guest's (kernel.sh
# --no-debug; run.sh gives its nested guests the same)
guest=()
if grep -qx nested-guest <<< "$needs"; then
	guest=("$("$top/tests/vm/kernel.sh" --no-debug)/arch/x86/boot/bzImage")
fi

dir=$("$top/tests/vm/stock-kernel.sh" "$release")
out=${out:-$dir/run}
mkdir -p "$out"

[ $keep = 1 ] && [ -s "$out/initramfs.cpio.gz" ] ||
	SGF_NEEDS=$needs "$top/tests/vm/stock-initramfs.sh" "$release" "$out/initramfs.cpio.gz" ${guest[@]+"${guest[@]}"}
# Both vCPUs in one host thread (lib/boot.sh): under multi-threaded TCG,
# loading and unloading sgfilter.ko while other vCPUs run through the
# functions it hooks oopsed both Debian kernels (RIP 0 with interrupts off,
# at the entry of a hooked function: kprobe_int3_handler() stepping an
# ftrace-based kprobe, which has no instruction slot, i.e. an int3 that
# text_poke_bp() no longer owned) in 3 of 4 runs with reloads, at 20 to 50
# load/unload cycles; single-threaded, 100 cycles passed. Most likely QEMU
# 7.2's multi-threaded TCG running a stale translation of the int3 after
# the patching finished; SGF_QEMU_ACCEL=tcg brings the other mode back.
export SGF_QEMU_ACCEL=${SGF_QEMU_ACCEL:-tcg,thread=single}
. "$top/tests/vm/lib/boot.sh"
vm_boot_and_judge "$dir/root/boot/vmlinuz-$release" "$out/initramfs.cpio.gz" "$out" "$timeout" "$suites" "$append"
