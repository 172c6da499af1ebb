#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Fetch one of Debian's own kernels, unmodified, for the stock-kernel tests
# (issue 13), and print its cache directory.
#
#   stock-kernel.sh RELEASE         e.g. 6.12.117+deb12-amd64, 6.1.0-56-amd64
#
# Downloads linux-image-RELEASE from the archive (apt-get download; the
# signed package, which is what Debian installs, falling back to
# linux-image-RELEASE-unsigned if the signed one holds no vmlinuz),
# extracts it (dpkg-deb -x) into $SGF_CACHE/stock-RELEASE/root (default
# cache /var/tmp/sgfilter-cache) and installs linux-headers-RELEASE with
# apt-get (which pulls linux-headers-*-common and linux-kbuild-*), so that
# out-of-tree modules build with make -C /usr/src/linux-headers-RELEASE M=.
#
# The directory it prints holds:
#   root/boot/vmlinuz-RELEASE, root/boot/config-RELEASE
#   root/lib/modules/RELEASE/...   Debian's modules (signed by Debian)
#   version                        the package version extracted
# A second run finds it all there and only prints the directory.
set -euo pipefail

[ $# = 1 ] && [ -n "$1" ] && [ "${1#-}" = "$1" ] ||
	{ echo "usage: $0 RELEASE   (e.g. 6.12.117+deb12-amd64, 6.1.0-56-amd64)" >&2; exit 2; }
release=$1
cache=${SGF_CACHE:-/var/tmp/sgfilter-cache}
dir=$cache/stock-$release

say() { echo "stock-kernel.sh: $*" >&2; }

headers_installed() {
	[ -e "/usr/src/linux-headers-$release/Makefile" ] &&
		[ "$(dpkg-query -W -f '${Status}' "linux-headers-$release" 2>/dev/null)" = "install ok installed" ]
}

if [ -e "$dir/.extracted" ] && headers_installed; then
	echo "$dir"
	exit 0
fi

apt_opts=(-o DPkg::Lock::Timeout=600 -q)

if [ ! -e "$dir/.extracted" ]; then
	rm -rf "$dir/root" "$dir/debs"
	mkdir -p "$dir/debs"
	# apt-get download runs as _apt where it may: give it the directory
	chown _apt "$dir/debs" 2>/dev/null || true
	found=
	for pkg in "linux-image-$release" "linux-image-$release-unsigned"; do
		if ! apt-cache show "$pkg" >/dev/null 2>&1; then
			say "the archive has no $pkg"
			continue
		fi
		say "downloading $pkg"
		(cd "$dir/debs" && apt-get "${apt_opts[@]}" download "$pkg" >&2)
		deb=$(ls "$dir/debs/${pkg}_"*.deb | head -1)
		if dpkg-deb -c "$deb" | awk -v f="./boot/vmlinuz-$release" \
			'$NF == f { found = 1 } END { exit !found }'; then
			found=$deb
			break
		fi
		say "$pkg holds no boot/vmlinuz-$release"
	done
	[ -n "$found" ] || { say "no package of the archive holds vmlinuz-$release"; exit 1; }
	say "extracting $(basename "$found")"
	mkdir -p "$dir/root"
	dpkg-deb -x "$found" "$dir/root"
	dpkg-deb -f "$found" Package Version > "$dir/version"
	[ -d "$dir/root/lib/modules/$release/kernel" ] ||
		{ say "$(basename "$found") has no lib/modules/$release/kernel"; exit 1; }
	# The extracted tree is all we keep
	rm -rf "$dir/debs"
	touch "$dir/.extracted"
fi

if ! headers_installed; then
	say "installing linux-headers-$release"
	# Debian's 6.12 headers depend on the image package, which then
	# installs on this host too: INITRD=No spares its initramfs (minutes
	# of update-initramfs; nothing here boots it).
	INITRD=No DEBIAN_FRONTEND=noninteractive apt-get "${apt_opts[@]}" install -y \
		--no-install-recommends "linux-headers-$release" >&2
	headers_installed || { say "linux-headers-$release did not install"; exit 1; }
fi

echo "$dir"
