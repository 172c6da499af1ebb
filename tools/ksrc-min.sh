#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The smallest patched kernel tree sgfilterctl builds against (KSRC for
# tools/sgfilterctl/Makefile), without the 150 MB linux-source package:
#
#   drivers/scsi/scsi_sgio.c, include/scsi/scsi_sgio.h   created by kernel/patches
#   include/scsi/scsi_proto.h   Linux 6.12's, from Debian's
#                               linux-headers-6.12.*-common, plus the series' change
#
#   ksrc-min.sh DIR        (make does this: DIR is build/ksrc-min)
#
# SGF_KERNEL_HEADERS=/usr/src/linux-headers-... picks the headers; the default
# is the newest 6.12 one installed. DIR is remade only when the series or the
# header changes.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: ksrc-min.sh DIR}
files=(drivers/scsi/scsi_sgio.c include/scsi/scsi_sgio.h include/scsi/scsi_proto.h)
say() { echo "ksrc-min.sh: $*" >&2; }

hdrs=${SGF_KERNEL_HEADERS:-$(ls -d /usr/src/linux-headers-6.12*-common 2>/dev/null | sort -V | tail -1)}
if [ ! -r "$hdrs/include/scsi/scsi_proto.h" ]; then
	say "no Linux 6.12 headers (/usr/src/linux-headers-6.12.*-common): tools/build-deps.sh installs them"
	say "or build against a patched tree: make KSRC=/path/to/linux"
	exit 1
fi
patches=()
while read -r p; do
	[ -n "$p" ] && [ "${p#\#}" = "$p" ] && patches+=("$top/kernel/patches/$p")
done < "$top/kernel/patches/series"

key=$(cat "${patches[@]}" "$hdrs/include/scsi/scsi_proto.h" | sha256sum | cut -c1-16)
[ "$(cat "$dir/.key" 2>/dev/null)" != "$key" ] || exit 0

rm -rf "$dir"
mkdir -p "$dir/include/scsi"
cp "$hdrs/include/scsi/scsi_proto.h" "$dir/include/scsi/"
includes=()
for f in "${files[@]}"; do
	includes+=(--include="$f")
done
# git apply outside any repository (DIR may lie inside this one, where paths
# would be taken from the top of the work tree)
for p in "${patches[@]}"; do
	(cd "$dir" && GIT_CEILING_DIRECTORIES=$(dirname "$PWD") git apply "${includes[@]}" "$p") ||
		{ say "$(basename "$p") does not apply to $hdrs/include/scsi/scsi_proto.h"; rm -rf "$dir"; exit 1; }
done
for f in "${files[@]}"; do
	[ -s "$dir/$f" ] || { say "kernel/patches did not create $f"; rm -rf "$dir"; exit 1; }
done
echo "$key" > "$dir/.key"
