#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test initramfs.
#
#   initramfs.sh OUT.cpio.gz KERNEL-OBJ KERNEL-SRC
#
# It holds busybox, sg3_utils with its libraries, the kernel's modules, the
# selftests (built inside the kernel tree, as kselftests are) and
# tests/vm/init.sh as /init.
set -euo pipefail

out=$1 obj=$2 src=$3
top=$(cd "$(dirname "$0")/../.." && pwd)
stage=$(mktemp -d)
trap 'rm -rf "$stage"' EXIT
chmod 755 "$stage"

mkdir -p "$stage"/{bin,sbin,etc/target/pr,proc,sys,dev,tmp,root,tests,usr/bin,lib64}
cp /bin/busybox "$stage/bin/busybox"
for applet in $("$stage/bin/busybox" --list); do
	[ -e "$stage/bin/$applet" ] || ln -s busybox "$stage/bin/$applet"
done
ln -s ../bin/busybox "$stage/sbin/modprobe"	# the kernel's request_module()

# A dynamically linked program and the libraries it needs
copy_prog() {
	local prog lib
	prog=$(command -v "$1")
	cp "$prog" "$stage/usr/bin/"
	for lib in $(ldd "$prog" | grep -o '/[^ ]*'); do
		mkdir -p "$stage$(dirname "$lib")"
		cp -L "$lib" "$stage$lib"
	done
}
for p in sg_raw sg_persist sg_inq sg_turs sg_unmap sg_write_same sg_readcap sg_opcodes; do
	copy_prog "$p"
done

make -s -C "$src" O="$obj" ARCH=x86_64 INSTALL_MOD_PATH="$stage" INSTALL_MOD_STRIP=1 \
	modules_install >/dev/null

# The selftests, built where kselftests live
rm -rf "$src/tools/testing/selftests/sgfilter"
cp -r "$top/selftests/sgfilter" "$src/tools/testing/selftests/sgfilter"
make -s -C "$src/tools/testing/selftests/sgfilter" OUTPUT="$stage/tests" >/dev/null

cp "$top/tests/vm/init.sh" "$stage/init"
chmod 755 "$stage/init"

cat > "$stage/etc/passwd" <<'EOF'
root:x:0:0:root:/root:/bin/sh
tester:x:1000:1000:unprivileged test user:/tmp:/bin/sh
EOF
cat > "$stage/etc/group" <<'EOF'
root:x:0:
disk:x:6:tester
tester:x:1000:
EOF

(cd "$stage" && find . | cpio -o -H newc --quiet | gzip -1) > "$out"
