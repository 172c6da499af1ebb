# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl tests: load: complete or nothing, --fail-closed; reading a table whole.
# Sourced by sgfilterctl_test.sh, in its order: the made-up sysfs trees,
# the helpers and the counts are its.
# shellcheck shell=bash disable=SC2154

# --- load is complete and atomic, or changes nothing (item 4)
page=$(getconf PAGESIZE)
snapshot() { for f in "$sg"/*/*; do [ -f "$f" ] && { echo "== $f"; cat "$f"; }; done; }
# N lines of disk entries, 17 bytes each in the module's syntax; alternate
# permissions so that no two lines merge
vl_lines() { local i; for ((i = 0; i < $1; i++)); do
	printf 'disk 0x7f/0x%04x %s\n' $i "$( ((i % 2)) && echo read || echo write)"; done; }
if [ "$page" -le 4096 ]; then
	{ vl_lines 256; echo "cdrom 0x28 read"; } > "$tmp/big.conf"
	reset_files
	snapshot > "$tmp/before"
	expect_status 1 "load_page: a class whose table is longer than a page is refused" load "$tmp/big.conf"
	snapshot > "$tmp/after"
	cmp -s "$tmp/before" "$tmp/after" && ok "load_page: ... nothing written, to any class" ||
		not_ok "load_page: something was written"
	grep -q "the disk table is $((256 * 18 - 256 / 2)) bytes, more than the $page bytes" "$tmp/err" &&
		grep -q '^Hint: ' "$tmp/err" && ok "load_page: ... saying which class, how many bytes, with a Hint" ||
		{ not_ok "load_page: message"; sed 's/^/# /' "$tmp/err"; }
	{ vl_lines 200; echo "cdrom 0x28 read"; } > "$tmp/big.conf"
	reset_files
	expect_status 0 "load_page: a table under a page is loaded" load "$tmp/big.conf"
	[ "$(wc -l < "$sg/disk/load")" = 200 ] && [ "$(cat "$sg/cdrom/load")" = "0x28 read" ] &&
		ok "load_page: ... whole" || not_ok "load_page: under a page"
else
	ok "load_page # SKIP page size $page"
fi

# a write the kernel refuses midway: the classes already loaded get their
# earlier tables back
printf 'disk 0x28 read\ncdrom 0x28 read\ntape 0x00 read\n' > "$tmp/three.conf"
reset_files
expect_status 0 "load_restore: the three classes load" load "$tmp/three.conf"
[ "$(cat "$sg/disk/load")" = "0x28 read" ] && [ "$(cat "$sg/tape/load")" = "0x00 read" ] &&
	ok "load_restore: ... each its table" || not_ok "load_restore: loaded"
reset_files
rm "$sg/cdrom/load"
mkdir "$sg/cdrom/load"		# open(O_WRONLY) fails with EISDIR
expect_status 1 "load_restore: a class the kernel refuses fails the load" load "$tmp/three.conf"
cmp -s "$sg/disk/load" "$sg/disk/table" && ok "load_restore: ... the class loaded before it gets its earlier table back" ||
	{ not_ok "load_restore: disk not restored"; head -3 "$sg/disk/load" | sed 's/^/# /'; }
grep -q 'restored class disk' "$tmp/err" && grep -q 'cdrom' "$tmp/err" &&
	ok "load_restore: ... and says so" || { not_ok "load_restore: message"; sed 's/^/# /' "$tmp/err"; }
[ ! -s "$sg/tape/load" ] && ok "load_restore: ... the class after it is not touched" || not_ok "load_restore: tape written"
# an earlier table longer than a page (allow can make one) goes back as a
# load of its first page, then allow for the rest
if [ "$page" -le 4096 ]; then
	cp "$sg/disk/table" "$tmp/disk.table.orig"
	vl_lines 256 | sed 's/^disk //' > "$sg/disk/table"
	reset_files
	expect_status 1 "load_restore: again, the disk table longer than a page" load "$tmp/three.conf"
	n=$(wc -l < "$sg/disk/load")
	[ "$(wc -c < "$sg/disk/load")" -le "$page" ] && cmp -s "$sg/disk/load" <(head -n "$n" "$sg/disk/table") &&
		grep -q '^0x7f/0x00ff read' "$sg/disk/allow" &&	# the last write; no O_TRUNC here
		ok "load_restore: ... goes back as its first page through load, the rest through allow" ||
		not_ok "load_restore: long table ($n lines loaded, allow \"$(cat "$sg/disk/allow")\")"
	cp "$tmp/disk.table.orig" "$sg/disk/table"
fi

# --fail-closed, as sgfilter.service loads: what cannot be applied gets an
# empty table, loudly, and the exit status fails the unit
reset_files
expect_status 1 "fail_closed: a class the kernel refuses fails the load" load --fail-closed "$tmp/three.conf"
[ "$(cat "$sg/disk/load")" = "0x28 read" ] && [ "$(cat "$sg/tape/load")" = "0x00 read" ] &&
	ok "fail_closed: ... the classes that could be loaded have the saved tables" || not_ok "fail_closed: saved tables"
grep -q 'cdrom.*keeps its earlier table' "$tmp/err" && ok "fail_closed: ... and it says loudly which class could not be closed" ||
	{ not_ok "fail_closed: message"; sed 's/^/# /' "$tmp/err"; }
rmdir "$sg/cdrom/load"
: > "$sg/cdrom/load"
reset_files
printf 'disk 0x28 read\nfloppy 0x28 read\n' > "$tmp/broken.conf"
expect_status 1 "fail_closed: a policy file that does not parse" load --fail-closed "$tmp/broken.conf"
all_empty=1
for c in disk cdrom tape changer enclosure other; do [ "$(cat "$sg/$c/load")" = "" ] && [ "$(wc -c < "$sg/$c/load")" = 1 ] || all_empty=0; done
[ $all_empty = 1 ] && grep -q 'loaded an EMPTY disk table' "$tmp/err" &&
	ok "fail_closed: ... loads an empty table into every class, and says so" || { not_ok "fail_closed: empty tables"; sed 's/^/# /' "$tmp/err"; }
reset_files
expect_status 1 "fail_closed: without it, the same file" load "$tmp/broken.conf"
[ -z "$(cat "$sg"/*/load)" ] && ok "fail_closed: ... changes nothing" || not_ok "fail_closed: plain load wrote"
if [ "$page" -le 4096 ]; then
	{ vl_lines 256; echo "cdrom 0x28 read"; } > "$tmp/big.conf"
	reset_files
	expect_status 1 "fail_closed: a class larger than a page" load --fail-closed "$tmp/big.conf"
	[ "$(wc -c < "$sg/disk/load")" = 1 ] && [ "$(cat "$sg/cdrom/load")" = "0x28 read" ] && [ ! -s "$sg/tape/load" ] &&
		ok "fail_closed: ... gets the empty table, the others their saved tables, absent classes nothing" ||
		not_ok "fail_closed: larger than a page"
fi
reset_files
expect_status 0 "fail_closed: a good policy file" load --fail-closed "$tmp/three.conf"
[ "$(cat "$sg/cdrom/load")" = "0x28 read" ] && ok "fail_closed: ... loads as without it" || not_ok "fail_closed: good file"
grep -q 'sgfilterctl load --fail-closed' "$(dirname "$tool")/sgfilter.service" &&
	ok "fail_closed: sgfilter.service loads with --fail-closed" || not_ok "fail_closed: sgfilter.service"

# reading a table: to the end, in one version (item 4). A FIFO stands for
# the module's table file: the test writes it the way the kernel would.
reset_files
cp "$sg/disk/table" "$tmp/disk.table"
{ vl_lines 256 | sed 's/^disk //'; } > "$tmp/long.table"
rm "$sg/disk/table"
mkfifo "$sg/disk/table"
# longer than a page, a page at a time
( exec > "$sg/disk/table"; split -b "$page" --filter='cat; sleep 0.1' "$tmp/long.table" ) &
writer=$!
run 0 show disk
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
grep -q '^0x7f/0x0000 *write' "$tmp/out" && grep -q '^0x7f/0x00ff *read' "$tmp/out" &&
	ok "table_read: a listing longer than a page, given a page per read, is read whole" ||
	{ not_ok "table_read: long listing"; tail -3 "$tmp/out" | sed 's/^/# /'; }
# a listing torn between two versions: the generation moved, read again.
# next_fifo: a new FIFO in the table's place before the writer closes the
# old one, so that the reader's next open waits for the next listing
next_fifo() { mkfifo "$sg/disk/.next" && mv -f "$sg/disk/.next" "$sg/disk/table"; }
echo 7 > "$sg/disk/generation"
(
	{ printf '0x00 read\n'; echo 8 > "$sg/disk/generation"; printf '0x5f/0x00 write\n'; next_fifo; } > "$sg/disk/table"
	printf '0x28 read\n0x5f/0x00 write\n' > "$sg/disk/table"
) &
writer=$!
timeout 10 "$tool" show disk > "$tmp/out" 2> "$tmp/err"
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
grep -q '^0x28 *read' "$tmp/out" && grep -q '^0x00 *-' "$tmp/out" &&
	ok "table_read: a listing torn by a change (generation moved) is read again" ||
	{ not_ok "table_read: torn listing"; grep -E '^0x(00|28|5f)' "$tmp/out" | sed 's/^/# /'; }
# a table that changes on every read: an error, not a torn table
(
	for g in 9 10 11 12 13 14; do
		{ printf '0x00 read\n'; echo $g > "$sg/disk/generation"; printf '0x28 read\n'; next_fifo; } > "$sg/disk/table"
	done
) &
writer=$!
timeout 10 "$tool" show disk > "$tmp/out" 2> "$tmp/err"
got=$?
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null
[ $got = 1 ] && grep -q 'the disk table changed while it was being read' "$tmp/err" &&
	ok "table_read: a table that changes on every read is an error" || { not_ok "table_read: changing (exit $got)"; sed 's/^/# /' "$tmp/err"; }
rm -f "$sg/disk/table" "$sg/disk/generation"
cp "$tmp/disk.table" "$sg/disk/table"
