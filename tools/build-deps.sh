#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Install the Debian packages that building sgfilterctl needs (make, make
# install), and any PACKAGE given (tests/deps.sh adds what the tests need),
# if any is missing. -n: say what would be installed, install nothing.
#
#   build-deps.sh [-n] [PACKAGE...]
#
# The tool compiles three files of a patched 6.12 tree (tools/ksrc-min.sh):
# two come from kernel/patches, scsi_proto.h from linux-headers-6.12.*-common
# (11 MB; the newest one the archive has, unless a 6.12 one is installed).
set -euo pipefail

dry=0
[ "${1:-}" != -n ] || { dry=1; shift; }
pkgs=(gcc make libc6-dev libsgutils2-dev libxml2-dev pkg-config git "$@")
missing=()
for p in "${pkgs[@]}"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing+=("$p")
done
headers=0
compgen -G "/usr/src/linux-headers-6.12*-common/include/scsi/scsi_proto.h" >/dev/null || headers=1
[ ${#missing[@]} = 0 ] && [ $headers = 0 ] && exit 0

say() { echo "build-deps.sh: $*" >&2; }
# linux-headers-6.12.N+debM-common: its name changes with every 6.12 update
headers_pkg() {
	apt-cache search --names-only '^linux-headers-6\.12\.[0-9]+.*-common$' |
		cut -d' ' -f1 | sort -V | tail -1
}
if [ $dry = 1 ] || [ "$(id -u)" != 0 ]; then
	[ $headers = 0 ] || missing+=("$(headers_pkg)")
	say "missing packages: ${missing[*]}"
	[ $dry = 1 ] && exit 0
	say "Hint: sudo apt-get install ${missing[*]}"
	exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if [ $headers = 1 ]; then
	p=$(headers_pkg)
	[ -n "$p" ] || { say "the archive has no linux-headers-6.12.*-common"; exit 1; }
	missing+=("$p")
fi
say "installing ${missing[*]}"
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
