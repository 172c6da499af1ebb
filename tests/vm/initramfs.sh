#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test initramfs, or say what suites need.
#
#   initramfs.sh OUT.cpio.gz KERNEL-OBJ KERNEL-SRC GUEST-BZIMAGE [NEEDS]
#   initramfs.sh --needs SUITE...
#
# The initramfs holds busybox, sg3_utils and QEMU with their libraries, the
# kernel's modules and sgfilter.ko, then what tests/vm/stock-initramfs.sh's
# image holds too (tests/vm/lib/initramfs-common.sh's ic_add_userspace and
# ic_add_tests): sgfilterctl, the checkers, the selftests (built standalone,
# against the patched tree's kselftest harness), tests/vm/init.sh as /init,
# the fixtures library and the KTAP helper in /tests/lib, the suite files in
# /tests/suites (tests/vm/suites/*.sh and the benchmarks'
# bench/bench-*.sh); and in /guest a kernel and initramfs for the QEMU
# that runs inside the VM.
#
# --needs prints what the named suites need, one word per line: the
# "# needs: WORD..." comment lines above a suite's function (suite_NAME) in
# its file. "nested-guest": the suite boots the guest in /guest (run.sh then
# packs a kernel fit for TCG in TCG there); "libvirt": the image gets
# Debian's libvirtd (NEEDS, from run.sh, holds the words: the daemon and its
# libraries add 40 MB, which only runs of suites that use it pay for). A
# suite that no file defines is an error.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
suite_files=("$top"/tests/vm/suites/*.sh "$top"/bench/bench-*.sh)

if [ "${1:-}" = --needs ]; then
	shift
	for suite; do
		awk -v want="$suite" '
			/^# needs:/ { sub(/^# needs:/, ""); needs = needs $0; next }
			/^suite_[A-Za-z0-9_]+\(\) *\{/ {
				name = $0; sub(/\(.*/, "", name)
				if (name == "suite_" want) { found = 1; n = split(needs, w, " "); for (i = 1; i <= n; i++) print w[i] }
				needs = ""
			}
			END { exit !found }' "${suite_files[@]}" ||
			{ echo "$0: no suite $suite (no suite_$suite() in tests/vm/suites/*.sh or bench/bench-*.sh)" >&2; exit 2; }
	done | sort -u
	exit "${PIPESTATUS[0]}"
fi

out=$1 obj=$2 src=$3 guest_kernel=$4 needs=${5:-}
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"

# busybox, programs with their libraries, packing: tests/vm/lib/initramfs-common.sh
. "$top/tests/vm/lib/initramfs-common.sh"

# QEMU and the guest it boots inside the test VM
ic_add_guest "$stage" "$top" "$guest_kernel"

ic_add_busybox "$stage"
if grep -qw libvirt <<< "$needs"; then
	ic_add_libvirt "$stage" "$top"
fi
ic_add_needs "$stage" "$top" "$needs"
ln -s ../bin/busybox "$stage/sbin/modprobe"	# the kernel's request_module()
ic_add_progs "$stage" sg_raw sg_persist sg_inq sg_turs sg_unmap sg_write_same \
	sg_readcap sg_opcodes dmsetup

make -s -C "$src" O="$obj" ARCH=x86_64 INSTALL_MOD_PATH="$stage" INSTALL_MOD_STRIP=1 \
	modules_install >/dev/null

# sgfilter.ko, built out of tree (M=) from a copy, next to the kernel's
# modules; only a kernel with the patch series can load it
release=$(cat "$obj/include/config/kernel.release")
if [ -e "$src/include/scsi/scsi_sgio.h" ]; then
	mod=$(dirname "$obj")/sgfilter-module
	rm -rf "$mod"
	cp -r "$top/kernel/sgfilter" "$mod"
	make -s -C "$obj" M="$mod" modules >/dev/null
	mkdir -p "$stage/lib/modules/$release/extra"
	cp "$mod/sgfilter.ko" "$stage/lib/modules/$release/extra/"
	depmod -b "$stage" "$release"
fi

# sgfilterctl and the checkers compile the policy from the patched tree,
# also when the VM boots an unpatched kernel (which then shows where it
# differs); the selftests use its kselftest harness
policy_src=$("$top/tests/vm/kernel.sh" --source)
ic_add_userspace "$stage" "$top" "$policy_src"
ic_add_tests "$stage" "$top" /init

ic_pack "$stage" "$out"
