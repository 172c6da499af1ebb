#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Documentation checks:
#  - Documentation/ABI/testing/* are the files the patch series adds, unchanged;
#  - every sysfs attribute the patch series adds has a "What:" entry there.
#
#   docs_test.sh KERNEL-SRC   (the patched tree)
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ksrc=$1
pass=0 fail=0
diffs=$(mktemp)
trap 'rm -f "$diffs"' EXIT
result() {
	if [ "$1" = 0 ]; then
		pass=$((pass + 1)); echo "ok $((pass + fail)) - $2"
	else
		fail=$((fail + 1)); echo "not ok $((pass + fail)) - $2"
	fi
}

for f in "$top"/Documentation/ABI/testing/*; do
	name=ABI/testing/$(basename "$f")
	diff -u "$ksrc/Documentation/$name" "$f" > $diffs 2>&1
	result $? "$name is the patch series' copy"
	[ -s $diffs ] && sed 's/^/# /' $diffs | head -20
done

# Attributes added by the series: queue entries and device attributes
attrs=$(cat "$top"/kernel/patches/*.patch | sed -nE \
	-e 's/^\+QUEUE_RW_ENTRY\([a-z_]+, "([a-z_]+)"\);/\1/p' \
	-e 's/^\+static DEVICE_ATTR(_RW|_RO|_WO)?\(([a-z_]+).*/\2/p' | sort -u)
[ -n "$attrs" ]
result $? "the patch series adds sysfs attributes ($(echo $attrs))"
for a in $attrs; do
	grep -hE "^What:.*/$a\$" "$top"/Documentation/ABI/testing/* >/dev/null
	result $? "sysfs attribute $a has an ABI entry"
done
echo "1..$((pass + fail))"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
