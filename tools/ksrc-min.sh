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
#   ksrc-min.sh --tables DIR   scsi_sgio.c and scsi_sgio.h only, no headers
#                              needed (tools/module-source.sh)
#
# SGF_KERNEL_HEADERS=/usr/src/linux-headers-... picks the headers; the default
# is the newest 6.12 one installed. DIR is remade only when the series or the
# header changes.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
tables=0
[ "${1:-}" != --tables ] || { tables=1; shift; }
dir=${1:?usage: ksrc-min.sh [--tables] DIR}
files=(drivers/scsi/scsi_sgio.c include/scsi/scsi_sgio.h)
[ $tables = 1 ] || files+=(include/scsi/scsi_proto.h)
say() { echo "ksrc-min.sh: $*" >&2; }

hdrs=${SGF_KERNEL_HEADERS:-$(ls -d /usr/src/linux-headers-6.12*-common 2>/dev/null | sort -V | tail -1)}
proto=$hdrs/include/scsi/scsi_proto.h
[ $tables = 0 ] || proto=/dev/null
if [ ! -r "$proto" ]; then
	say "no Linux 6.12 headers (/usr/src/linux-headers-6.12.*-common): tools/build-deps.sh installs them"
	say "or build against a patched tree: make KSRC=/path/to/linux"
	exit 1
fi
patches=()
while read -r p; do
	[ -n "$p" ] && [ "${p#\#}" = "$p" ] && patches+=("$top/kernel/patches/$p")
done < "$top/kernel/patches/series"

key=$(cat "${patches[@]}" "$proto" | sha256sum | cut -c1-16)
[ "$(cat "$dir/.key" 2>/dev/null)" != "$key" ] || exit 0

rm -rf "$dir"
mkdir -p "$dir/include/scsi"
[ $tables = 1 ] || cp "$proto" "$dir/include/scsi/"
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
