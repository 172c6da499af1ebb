#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test initramfs for one of Debian's own kernels (issue 13).
#
#   stock-initramfs.sh RELEASE OUT.cpio.gz [GUEST-BZIMAGE]
#
# RELEASE as for tests/vm/stock-kernel.sh, which this calls (it fetches the
# kernel and installs linux-headers-RELEASE). The image holds what the
# patched kernel's holds (tests/vm/initramfs.sh; the shared steps are in
# tests/vm/lib/initramfs-common.sh): busybox, sg3_utils, sgfilterctl, the
# matrix, bad input, stress and benchmark programs, the selftests, the
# fixtures, KTAP helper and suites, with tests/vm/init.sh as /sgf-init. And:
#
#   - Debian's own modules that the tests need, with their dependencies
#     (modules.dep of the package), uncompressed (6.12 ships .ko.xz;
#     busybox modprobe reads plain .ko), still signed by Debian; depmod run
#     for RELEASE inside the image, so modprobe works in the VM;
#   - /init: tests/vm/stock/preinit.sh, which modprobes what init.sh
#     expects built in (/etc/stock-modules: virtio, SCSI upper drivers,
#     configfs) and execs /sgf-init;
#   - extra/hello.ko, tests/vm/stock/hello built against
#     /usr/src/linux-headers-RELEASE (make M=), unsigned;
#   - extra/sgfilter.ko, kernel/sgfilter (tools/module-source.sh) built by
#     Debian's dkms (installed if missing) for RELEASE against the same
#     headers, in a DKMS tree of its own ($SGF_CACHE/stock-RELEASE/dkms).
#
# With GUEST-BZIMAGE, also QEMU and in /guest the nested guest it boots,
# with that kernel (lib/initramfs-common.sh's ic_add_guest; stock-run.sh
# gives the patched kernel without debug options when a suite needs it:
# what is under test is the host's kernel and sgfilter.ko, not the guest's).
#
# SGF_NEEDS: the suites' "# needs:" words (stock-run.sh sets it), for
# what lib/initramfs-common.sh's ic_add_needs adds (fio).
# SGF_STOCK_MODULES adds modules to the image (space-separated names).
# SGF_POLICY_SRC: the kernel tree with the patch series that sgfilterctl,
# the matrix and bad input programs compile the tables from, and whose
# kselftest_harness.h the selftests use (default: one already in the cache,
# else tests/vm/kernel.sh --source). Like initramfs.sh, this runs make in
# tools/sgfilterctl.
set -euo pipefail

[ $# = 2 ] || [ $# = 3 ] || { echo "usage: $0 RELEASE OUT.cpio.gz [GUEST-BZIMAGE]" >&2; exit 2; }
release=$1 out=$2 guest_kernel=${3:-}
top=$(cd "$(dirname "$0")/../.." && pwd)
. "$top/tests/vm/lib/initramfs-common.sh"

say() { echo "stock-initramfs.sh: $*" >&2; }

dir=$("$top/tests/vm/stock-kernel.sh" "$release")
kroot=$dir/root
kmod=$kroot/lib/modules/$release
headers=/usr/src/linux-headers-$release

# Loaded at boot, before init.sh: what the harness's own kernel has built in
# (virtio_pci is built in on 6.12, a module on 6.1: a built-in one is left
# out of the list)
boot_modules="virtio_pci virtio_scsi sd_mod sr_mod sg st ch configfs"
# In the image, loaded by the fixtures and suites (modprobe)
required="$boot_modules scsi_mod scsi_common cdrom scsi_debug target_core_mod
	target_core_file target_core_iblock tcm_loop loop dm_mod dm_multipath"
# In the image if the kernel has them as modules: multipath path handlers
# and selectors, the crypto the T10 PI code of scsi_debug asks for by alias
optional="dm_round_robin dm_queue_length dm_service_time scsi_dh_alua
	scsi_dh_rdac scsi_dh_emc scsi_dh_hp_sw crc_t10dif crct10dif_generic
	crct10dif_pclmul crc64_rocksoft crc64_rocksoft_generic t10_pi
	${SGF_STOCK_MODULES:-}"

# The package ships no modules.dep (its postinst runs depmod)
[ -e "$kmod/modules.dep" ] || depmod -b "$kroot" "$release"

stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"
smod=$stage/lib/modules/$release

# add_module NAME: NAME and its dependencies into the image; "builtin"
# (status 0, prints nothing) if the kernel has it built in, status 1 if
# the kernel has no such module
add_module() {
	local deps line path rel
	deps=$(modprobe -d "$kroot" -S "$release" --show-depends "$1" 2>/dev/null) || return 1
	while read -r line; do
		case $line in
		insmod\ *) ;;
		*) continue ;;	# builtin NAME
		esac
		path=${line#insmod }
		path=${path%% *}
		rel=${path#"$kmod"/}
		[ -e "$smod/${rel%.xz}" ] && continue
		mkdir -p "$smod/$(dirname "$rel")"
		case $rel in
		*.ko.xz) xz -dc "$path" > "$smod/${rel%.xz}" ;;
		*.ko) cp "$path" "$smod/$rel" ;;
		*) say "$1: unexpected module file $rel"; return 1 ;;
		esac
	done <<< "$deps"
	if grep -q '^insmod ' <<< "$deps"; then echo "$1"; fi
}

mkdir -p "$smod/extra"
: > "$stage/etc-stock-modules"
for m in $required; do
	modular=$(add_module "$m") || { say "Debian's $release has no module $m (and it is not built in)"; exit 1; }
	case " $boot_modules " in
	*" $m "*) [ -n "$modular" ] && echo "$m" >> "$stage/etc-stock-modules" ;;
	esac
done
for m in $optional; do
	add_module "$m" >/dev/null || say "note: $release has no module $m"
done
for f in modules.order modules.builtin modules.builtin.modinfo; do
	[ -e "$kmod/$f" ] && cp "$kmod/$f" "$smod/"
done

# Out-of-tree modules against Debian's headers, built in copies under the
# cache directory (the source tree is not written to)
build_ext() {
	local name=$1 src=$2 b=$dir/build-$1
	rm -rf "$b"
	cp -r "$src" "$b"
	make -C "$headers" M="$b" modules > "$dir/build-$name.log" 2>&1
}
build_ext hello "$top/tests/vm/stock/hello" ||
	{ say "hello.ko does not build against $headers:"; tail -20 "$dir/build-hello.log" >&2; exit 1; }
cp "$dir/build-hello/hello.ko" "$smod/extra/"
# sgfilter.ko, the stock backend, built by Debian's dkms as on a host
# (make dkms-install), but for RELEASE, which does not run here, and in a
# DKMS tree of its own under the cache directory: dkms add and dkms build
# with --dkmstree/--sourcetree, its signing key there too (a key dkms makes
# itself; the kernel does not know it, so the module loads and taints as an
# unsigned one would). The tree is made anew each time, so nothing of an
# earlier build, nor the host's own DKMS state, is used. What the VM loads
# is the file dkms built.
dkms_version=$(sed -n 's/^PACKAGE_VERSION="\(.*\)"$/\1/p' "$top/kernel/sgfilter/dkms.conf")
[ -n "$dkms_version" ] || { say "kernel/sgfilter/dkms.conf has no PACKAGE_VERSION"; exit 1; }
# (openssl: dkms makes its signing key with it, and signs nothing without)
if ! command -v dkms >/dev/null || ! command -v openssl >/dev/null; then
	say "installing dkms and openssl"
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=600 -q install -y \
		--no-install-recommends dkms openssl >&2
fi
dkms_tree=$dir/dkms
rm -rf "$dkms_tree"
mkdir -p "$dkms_tree/tree" "$dkms_tree/src"
"$top/tools/module-source.sh" "$dkms_tree/src/sgfilter-$dkms_version"
dkms_run() {
	mok_signing_key=$dkms_tree/mok.key mok_certificate=$dkms_tree/mok.pub \
		dkms "$@" -m sgfilter -v "$dkms_version" \
		--dkmstree "$dkms_tree/tree" --sourcetree "$dkms_tree/src"
}
if ! { dkms_run add && dkms_run build -k "$release" --kernelsourcedir "$headers"; } \
	> "$dir/build-sgfilter.log" 2>&1; then
	say "dkms does not build sgfilter.ko against $headers:"
	tail -20 "$dir/build-sgfilter.log" >&2
	tail -20 "$dkms_tree/tree/sgfilter/$dkms_version/build/make.log" >&2 2>/dev/null || true
	exit 1
fi
built=$dkms_tree/tree/sgfilter/$dkms_version/$release/$(uname -m)/module/sgfilter.ko
if [ -e "$built.xz" ]; then
	xz -dc "$built.xz" > "$smod/extra/sgfilter.ko"
elif [ -e "$built" ]; then
	cp "$built" "$smod/extra/"
else
	say "dkms built no $built(.xz):"
	tail -20 "$dir/build-sgfilter.log" >&2
	exit 1
fi
depmod -b "$stage" "$release"

ic_add_busybox "$stage"
ln -s ../bin/busybox "$stage/sbin/modprobe"	# the kernel's request_module()
ic_add_progs "$stage" sg_raw sg_persist sg_inq sg_turs sg_unmap sg_write_same \
	sg_readcap sg_opcodes dmsetup
ic_add_tests "$stage" "$top" /sgf-init
ic_add_needs "$stage" "$top" "${SGF_NEEDS:-}"
mv "$stage/etc-stock-modules" "$stage/etc/stock-modules"
cp "$top/tests/vm/stock/preinit.sh" "$stage/init"
chmod 755 "$stage/init"
ic_add_userspace "$stage" "$top" "$(ic_policy_src "$top")"
[ -z "$guest_kernel" ] || ic_add_guest "$stage" "$top" "$guest_kernel"

ic_pack "$stage" "$out"
