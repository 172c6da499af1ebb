# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# What every test initramfs holds, for the scripts that build one:
# tests/vm/initramfs.sh (our kernels) and tests/vm/stock-initramfs.sh
# (Debian's own kernels, issue 13). Both use all of it but ic_policy_src
# (stock-initramfs.sh) and ic_add_libvirt (initramfs.sh, for the suites that
# need it); the init's path is a parameter (the stock image has a pre-init
# as /init).
#
# A host-side helper: bash, not run in the VM (initramfs.sh copies
# tests/vm/lib/*.sh into /tests/lib of the image; this file is then
# unused there).
#
#   ic_add_busybox DIR                 busybox and a link for each applet
#   ic_add_progs DIR PROG...           dynamically linked programs and the
#                                      libraries they need (into DIR/usr/bin)
#   ic_pack DIR OUT.cpio.gz            DIR as a gzipped newc cpio archive
#   ic_add_guest DIR TOP BZIMAGE       QEMU (qemu-system-x86_64, its TCG
#                                      module and firmware, qemu-pr-helper)
#                                      and in DIR/guest the nested guest it
#                                      boots: BZIMAGE and an initramfs with
#                                      tests/vm/nested-guest-init.sh as /init
#   ic_add_userspace DIR TOP POLICY-SRC
#                                      sgfilterctl, the matrix, bad input,
#                                      stress and benchmark programs, the
#                                      selftests (POLICY-SRC: a kernel tree
#                                      with the patch series)
#   ic_add_tests DIR TOP INIT-PATH     the init (tests/vm/init.sh) at
#                                      INIT-PATH, /tests/lib, /tests/suites,
#                                      users, /etc/target/pr, /etc/sgfilter
#   ic_add_libvirt DIR TOP             Debian's libvirtd, virtlogd and virsh
#                                      with the qemu driver, a qemu.conf fit
#                                      for the VM, sgfilter's hook in
#                                      /etc/libvirt/hooks/qemu.d (the suites
#                                      that say "# needs: libvirt")
#   ic_add_needs DIR TOP NEEDS         what the suites' "# needs:" words ask
#                                      for that only some images carry: fio
#                                      (Debian's, for bench/bench-fio.sh; its
#                                      libraries are some 80 MB) and the
#                                      shmget() it preloads there
#                                      (bench/fio-shm.c)
#   ic_policy_src TOP                  print a patched kernel source tree
#                                      already in the cache, else the one
#                                      tests/vm/kernel.sh --source makes

ic_suite_files() {
	echo "$1"/tests/vm/suites/*.sh "$1"/bench/bench-*.sh
}

ic_add_busybox() {
	local applet
	mkdir -p "$1"/{bin,sbin,proc,sys,dev,tmp,usr/bin}
	cp /bin/busybox "$1/bin/busybox"
	for applet in $("$1/bin/busybox" --list); do
		[ -e "$1/bin/$applet" ] || ln -s busybox "$1/bin/$applet"
	done
}

ic_add_progs() {
	local dest=$1 prog lib
	shift
	for prog; do
		prog=$(command -v "$prog")
		cp "$prog" "$dest/usr/bin/"
		for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
			mkdir -p "$dest$(dirname "$lib")"
			cp -L "$lib" "$dest$lib"
		done
	done
}

ic_pack() {
	(cd "$1" && find . | cpio -o -H newc --quiet | gzip -1) > "$2"
}

ic_add_guest() {
	local stage=$1 top=$2 bzimage=$3 guest
	# The guest that the unprivileged QEMU boots inside the test VM: its own
	# kernel, busybox, sg_persist, sgbench
	guest=$(mktemp -d)
	chmod 755 "$guest"
	ic_add_busybox "$guest"
	ic_add_progs "$guest" sg_persist sg_turs
	gcc -static -O2 -Wall -o "$guest/usr/bin/sgbench" "$top/bench/sgbench.c"
	cp "$top/tests/vm/nested-guest-init.sh" "$guest/init"
	mkdir -p "$stage/guest" "$stage/usr/bin"
	ic_pack "$guest" "$stage/guest/initramfs.cpio.gz"
	rm -rf "$guest"
	cp "$bzimage" "$stage/guest/bzImage"
	# QEMU finds its firmware relative to its binary; Debian builds the TCG
	# accelerator as a module
	ic_add_progs "$stage" qemu-system-x86_64 qemu-pr-helper
	mkdir -p "$stage/usr/share/seabios" "$stage/usr/share/qemu" \
		"$stage/usr/lib/x86_64-linux-gnu/qemu"
	cp /usr/share/seabios/bios-256k.bin "$stage/usr/share/seabios/"
	cp /usr/share/qemu/kvmvapic.bin /usr/share/qemu/linuxboot_dma.bin "$stage/usr/share/qemu/"
	cp /usr/lib/x86_64-linux-gnu/qemu/accel-tcg-x86_64.so "$stage/usr/lib/x86_64-linux-gnu/qemu/"
}

ic_add_needs() {
	if grep -qw fio <<< "$3"; then
		ic_add_progs "$1" fio
		mkdir -p "$1/usr/lib"
		gcc -shared -fPIC -O2 -Wall -o "$1/usr/lib/sgf-shm.so" "$2/bench/fio-shm.c"
	fi
}

# libvirt inside the test VM (design.md, section 6): no systemd, no D-Bus,
# no cgroups; QEMU runs as libvirt-qemu. Only the qemu connection driver:
# libvirtd does without the others. /etc/libvirt gets what the package's
# libvirt-daemon-system would install, cut down: qemu.conf with no mount
# namespace (the initramfs has no /dev to bind) and no owner xattrs.
ic_add_libvirt() {
	local stage=$1 top=$2 so lib
	ic_add_progs "$stage" libvirtd virtlogd virsh
	so=/usr/lib/x86_64-linux-gnu/libvirt/connection-driver/libvirt_driver_qemu.so
	mkdir -p "$stage$(dirname "$so")"
	cp "$so" "$stage$so"
	for lib in $(ldd "$so" | grep -o '/[^ ]*'); do
		[ -e "$stage$lib" ] && continue
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
	mkdir -p "$stage/usr/share" "$stage/etc/libvirt/hooks/qemu.d" \
		"$stage"/var/{log/libvirt/qemu,lib/libvirt/qemu,cache/libvirt/qemu} \
		"$stage/run/libvirt"
	# virsh looks for the daemon's socket under /var/run
	ln -sfn ../run "$stage/var/run"
	cp -r /usr/share/libvirt "$stage/usr/share/"
	rm -f "$stage/usr/share/libvirt/test-screenshot.png"
	cat > "$stage/etc/libvirt/qemu.conf" <<'EOF'
user = "libvirt-qemu"
group = "libvirt-qemu"
namespaces = [ ]
remember_owner = 0
EOF
	# the hook as make install ships it, pointing at the image's sgfilterctl
	sed 's|/usr/sbin/sgfilterctl|/usr/bin/sgfilterctl|' "$top/tools/sgfilterctl/libvirt-hook" \
		> "$stage/etc/libvirt/hooks/qemu.d/sgfilter"
	chmod 755 "$stage/etc/libvirt/hooks/qemu.d/sgfilter"
}

# A tree with the patch series that is already there costs nothing; calling
# kernel.sh --source when one is there could remove trees of other keys
# (kernel.sh keeps one per kind), which another build may be using.
ic_policy_src() {
	local t
	if [ -n "${SGF_POLICY_SRC:-}" ]; then
		echo "$SGF_POLICY_SRC"
		return
	fi
	for t in "${SGF_CACHE:-/var/tmp/sgfilter-cache}"/sgfilter-*/src; do
		if [ -e "$t/include/scsi/scsi_sgio.h" ] &&
		   [ -e "$t/tools/testing/selftests/kselftest_harness.h" ]; then
			echo "$t"
			return
		fi
	done
	"$1/tests/vm/kernel.sh" --source
}

ic_add_userspace() {
	local stage=$1 top=$2 policy_src=$3 prog tmp
	# sgfilterctl with its libraries (libxml2: without it only a run that
	# also holds libvirt's libraries had a working sgfilterctl), and its
	# policy directory
	make -s -C "$top/tools/sgfilterctl" KSRC="$policy_src" >/dev/null
	ic_add_progs "$stage" "$top/tools/sgfilterctl/sgfilterctl"
	mkdir -p "$stage/etc/sgfilter" "$stage/tests"

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
	gcc -static -O2 -Wall -o "$stage/tests/sgbench" "$top/bench/sgbench.c"

	# The selftests, built standalone (their Makefile's KSRC mode) from a
	# copy, against the kselftest harness of POLICY-SRC; the tree is not
	# written to
	tmp=$(mktemp -d)
	cp -r "$top/selftests/sgfilter/." "$tmp/"
	make -s -C "$tmp" KSRC="$policy_src" OUTPUT="$stage/tests" >/dev/null
	rm -rf "$tmp"
}

ic_add_tests() {
	local stage=$1 top=$2 init=$3
	mkdir -p "$stage"/{etc/target/pr,etc/sgfilter,root,tests/lib,tests/suites,lib64}
	cp "$top/tests/vm/init.sh" "$stage$init"
	chmod 755 "$stage$init"
	cp "$top"/tests/vm/lib/*.sh "$stage/tests/lib/"
	rm -f "$stage/tests/lib/initramfs-common.sh"
	# shellcheck disable=SC2046
	cp $(ic_suite_files "$top") "$stage/tests/suites/"

	# libvirt-qemu and kvm: the user and group libvirtd runs QEMU as
	# (ic_add_libvirt)
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
}
