#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Documentation checks:
#  - the Documentation/ABI/testing/ files that the patch series adds are in
#    the repository unchanged;
#  - every sysfs attribute the patch series or sgfilter.ko adds has a
#    "What:" entry there;
#  - every patch passes scripts/checkpatch.pl --strict, and so do the
#    module's sources.
#
#   docs_test.sh KERNEL-SRC   (the patched tree)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ksrc=$1
diffs=$(mktemp)
trap 'rm -f "$diffs"' EXIT
# shellcheck source=../vm/lib/ktap.sh
. "$top/tests/vm/lib/ktap.sh"
result() { ktap_test_status "$@"; }
ktap_print_header

for f in "$top"/Documentation/ABI/testing/*; do
	name=ABI/testing/$(basename "$f")
	grep -q "^+++ b/Documentation/$name\$" "$top"/kernel/patches/*.patch || continue
	diff -u "$ksrc/Documentation/$name" "$f" > $diffs 2>&1
	result $? "$name is the patch series' copy"
	[ -s $diffs ] && sed 's/^/# /' $diffs | head -20
done

# Attributes added by the series (queue entries and device attributes) and
# by the module (kobject and binary attributes)
attrs=$( { cat "$top"/kernel/patches/*.patch | sed -nE \
	-e 's/^\+QUEUE_RW_ENTRY\([a-z_]+, "([a-z_]+)"\);/\1/p' \
	-e 's/^\+static DEVICE_ATTR(_RW|_RO|_WO)?\(([a-z_]+).*/\2/p'
	sed -nE -e 's/.*= __ATTR_(RO|WO|RW)\(([a-z_]+)\);/\2/p' \
	-e 's/^static BIN_ATTR_(RO|WO|RW)\(([a-z_]+),.*/\2/p' "$top"/kernel/sgfilter/*.c
	} | sort -u)
[ -n "$attrs" ]
result $? "sysfs attributes found: $(echo $attrs)"
for a in $attrs; do
	grep -hE "^What:.*/$a\$" "$top"/Documentation/ABI/testing/* >/dev/null
	result $? "sysfs attribute $a has an ABI entry"
done
# checkpatch, run from outside any git work tree: inside one it checks a
# git-tracked .patch file as a source file (git_is_single_file())
for p in "$top"/kernel/patches/*.patch; do
	(cd / && perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse "$p") > "$diffs" 2>&1
	[ ! -s "$diffs" ]
	result $? "checkpatch --strict: $(basename "$p")"
	sed 's/^/# /' "$diffs" | head -10
done
(cd / && perl "$ksrc/scripts/checkpatch.pl" --strict --no-tree --terse -f \
	"$top"/kernel/sgfilter/*.[ch]) > "$diffs" 2>&1
[ ! -s "$diffs" ]
result $? "checkpatch --strict -f: kernel/sgfilter/*.[ch]"
sed 's/^/# /' "$diffs" | head -10

ktap_finished
