# SPDX-License-Identifier: GPL-2.0
#
# make demo (tests/demo.sh): an unprivileged read-only opener sends UNMAP.
# A demonstration for people, not a test: it prints what happened as
# diagnostic lines and asserts nothing, so it has no KTAP results.

. /tests/lib/fixtures.sh

# What the reader's UNMAP of LBA 0-7 does; $1 says where LBA 0's data came from
demo_unmap() {
	printf '\0\026\0\020\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\010\0\0\0\0' > /tmp/unmap.bin
	echo "# LBA 0, $1:"
	dd if="$SGF_DISK" bs=512 count=1 iflag=direct 2>/dev/null | od -A d -t x1 | head -2
	echo "# as user tester, read-only open: sg_raw -R $SGF_DISK UNMAP(LBA 0, 8 blocks)"
	as_user sg_raw -R -s 24 -i /tmp/unmap.bin "$SGF_DISK" 42 00 00 00 00 00 00 00 18 00 2>&1 |
		sed 's/^/#   /'
	echo "# LBA 0 afterwards:"
	dd if="$SGF_DISK" bs=512 count=1 iflag=direct 2>/dev/null | od -A d -t x1 | head -2
	if command -v sgfilterctl > /dev/null && [ -e /sys/block/${SGF_DISK#/dev/}/queue/unpriv_sgio ]; then
		echo "# why: sgfilterctl check $SGF_DISK UNMAP --read-only (as tester)"
		as_user sgfilterctl check "$SGF_DISK" UNMAP --read-only 2>&1 | sed 's/^/#   /'
	fi
}

suite_demo() {
	demo_unmap "as written at boot"
}

# Debian's own kernel (tests/vm/stock-run.sh): the same before and after
# modprobe sgfilter (the stock backend, as DKMS installs it). Leaves the
# module loaded, for qemu_client after it.
suite_demo_stock() {
	echo "# $(sgfilterctl status 2>&1 | grep '^backend:')"
	echo "#"
	echo "# --- before modprobe sgfilter"
	demo_unmap "as written at boot"
	echo "#"
	echo "# --- modprobe sgfilter"
	modprobe sgfilter 2>&1 | sed 's/^/#   /'
	restore_node_perms
	echo "# $(sgfilterctl status 2>&1 | grep '^backend:')"
	dd if=/dev/urandom of="$SGF_DISK" bs=512 count=8 oflag=direct conv=fsync 2>/dev/null
	demo_unmap "new data written by root"
}
