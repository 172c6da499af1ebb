#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test initramfs, or say what suites need.
#
#   initramfs.sh OUT.cpio.gz KERNEL-OBJ KERNEL-SRC GUEST-BZIMAGE [NEEDS]
#   initramfs.sh --needs SUITE...
#
# The initramfs holds busybox, sg3_utils and QEMU with their libraries, the
# kernel's modules, the selftests (built inside the kernel tree, as
# kselftests are), tests/vm/init.sh as /init, the fixtures library and the
# KTAP helper in /tests/lib, the suite files in /tests/suites
# (tests/vm/suites/*.sh and the benchmarks' bench/bench-suites.sh), and in
# /guest a kernel and initramfs for the QEMU that runs inside the VM.
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
mkdir -p "$stage"/{etc/target/pr,root,tests,lib64}
ln -s ../bin/busybox "$stage/sbin/modprobe"	# the kernel's request_module()
ic_add_progs "$stage" sg_raw sg_persist sg_inq sg_turs sg_unmap sg_write_same \
	sg_readcap sg_opcodes dmsetup

make -s -C "$src" O="$obj" ARCH=x86_64 INSTALL_MOD_PATH="$stage" INSTALL_MOD_STRIP=1 \
	modules_install >/dev/null

# The user-space tools compile the policy from the patched tree, also when
# the VM boots an unpatched kernel (which then shows where it differs).
policy_src=$("$top/tests/vm/kernel.sh" --source)

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

# sgfilterctl, and its policy directory
make -s -C "$top/tools/sgfilterctl" KSRC="$policy_src" >/dev/null
cp "$top/tools/sgfilterctl/sgfilterctl" "$stage/usr/bin/"
mkdir -p "$stage/etc/sgfilter"

# The decision matrix and bad input checkers: the tables compiled in
for prog in matrix badinput; do
	gcc -static -O2 -Wall -Wno-sign-compare -I"$top/tools/shim" \
		-idirafter "$policy_src/include" -o "$stage/tests/$prog" \
		"$top/tests/vm/$prog.c" "$policy_src/drivers/scsi/scsi_sgio.c" \
		"$top/tools/shim/kshim.c"
done
# stress: mainline's list (tests/unit/mainline.h), for a stock kernel
gcc -static -O2 -Wall -I"$top/tools/shim" -idirafter "$policy_src/include" \
	-o "$stage/tests/stress" "$top/tests/vm/stress.c"

# The benchmarks' timing program (their suites are in bench/bench-suites.sh)
gcc -static -O2 -Wall -o "$stage/tests/sgbench" "$top/bench/sgbench.c"

# The selftests, built where kselftests live
rm -rf "$src/tools/testing/selftests/sgfilter"
cp -r "$top/selftests/sgfilter" "$src/tools/testing/selftests/sgfilter"
make -s -C "$src/tools/testing/selftests/sgfilter" OUTPUT="$stage/tests" >/dev/null

# /init, the fixtures library and KTAP helper it and the suites source,
# and the suites
cp "$top/tests/vm/init.sh" "$stage/init"
chmod 755 "$stage/init"
mkdir -p "$stage/tests/lib" "$stage/tests/suites"
cp "$top"/tests/vm/lib/*.sh "$stage/tests/lib/"
cp "${suite_files[@]}" "$stage/tests/suites/"

cat > "$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
tester:x:1000:1000:unprivileged test user:/tmp:/bin/sh
libvirt-qemu:x:64055:64055:libvirt's QEMU:/var/lib/libvirt:/bin/false
EOF
cat > "$stage/etc/group" <<'EOF'
root:x:0:
disk:x:6:tester
kvm:x:108:libvirt-qemu
tester:x:1000:
libvirt-qemu:x:64055:
EOF

ic_pack "$stage" "$out"
