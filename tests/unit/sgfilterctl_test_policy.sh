# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl tests: policy files: parse, save, load, apply-device, device IDs, atomic save.
# Sourced by sgfilterctl_test.sh, in its order: the made-up sysfs trees,
# the helpers and the counts are its.
# shellcheck shell=bash disable=SC2154

# policy files
cat > "$tmp/good.conf" <<'EOF'
# comments and blank lines are fine

disk 0x00 read   # trailing comments too
disk 0x5f/0x00 write
cdrom 0x28 read
unpriv naa.6001405aaaabbbb1 on
EOF
reset_files
echo 0 > "$mod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
expect_status 0 "load a good policy file" load "$tmp/good.conf"
[ "$(cat "$mod/kernel/sgfilter/disk/load")" = "$(printf '0x00 read\n0x5f/0x00 write')" ] &&
	ok "... the disk class gets exactly its lines, in one write" || not_ok "... disk load: $(cat "$mod/kernel/sgfilter/disk/load")"
[ ! -s "$mod/kernel/sgfilter/tape/load" ] && ok "... a class not in the file is left alone" ||
	not_ok "... a class not in the file is left alone"
[ "$(cat "$mod/bus/scsi/devices/1:0:0:0/unpriv_sgio")" = 1 ] &&
	ok "... and the device with that WWN gets unpriv_sgio" || not_ok "... device unpriv by WWN"

bad_file() { # WHAT LINE-NO CONTENT
	printf '%b' "$3" > "$tmp/bad.conf"
	reset_files
	if run 1 load "$tmp/bad.conf" && grep -q "bad.conf:$2:" "$tmp/err" &&
	   [ -z "$(cat "$mod"/kernel/sgfilter/*/load)" ]; then
		ok "a policy file with $1 is refused at line $2, nothing loaded"
	else
		not_ok "a policy file with $1 is refused at line $2 (exit $got)"; sed 's/^/# /' "$tmp/err"
	fi
}
bad_file "an unknown class" 3 "disk 0x00 read\n\nfloppy 0x28 read\n"
bad_file "a bad permission" 2 "# x\ndisk 0x28 fly\n"
bad_file "an opcode out of range" 1 "disk 0x100 read\n"
bad_file "a service action of READ(10)" 2 "disk 0x00 read\ndisk 0x28/0x01 read\n"
bad_file "a bad device line" 1 "unpriv naa.1234 maybe\n"
expect_status 1 "a missing policy file is an error" load "$tmp/none.conf"
grep -q 'none.conf' "$tmp/err" && ok "... naming the file" || not_ok "... naming the file"

# save, then load: the same tables
echo 1 > "$mod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
expect_status 0 "save" save "$tmp/saved.conf"
grep -q '^unpriv naa.6001405aaaabbbb1 on$' "$tmp/saved.conf" && ok "save keeps the device by its WWN" ||
	not_ok "save keeps the device by its WWN"
reset_files
expect_status 0 "load what save wrote" load "$tmp/saved.conf"
same=1
for c in disk cdrom tape changer enclosure other; do
	cmp -s <(sort "$mod/kernel/sgfilter/$c/table") <(sort "$mod/kernel/sgfilter/$c/load") || same=0
done
[ $same = 1 ] && ok "... loads every class table exactly as it was" || not_ok "save/load round trip"

# apply-device, as the udev rule runs it
mkdir -p "$tmp/conf"
echo "unpriv wwn-0x6001405aaaabbbb1 on" > "$tmp/conf/vm.conf"
echo 0 > "$mod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
SGFILTER_CONF_DIR=$tmp/conf expect_status 0 "apply-device" apply-device 1:0:0:0
[ "$(cat "$mod/bus/scsi/devices/1:0:0:0/unpriv_sgio")" = 1 ] &&
	ok "... sets unpriv_sgio of the device named by its by-id WWN" || not_ok "apply-device by wwn-0x"
echo 0 > "$mod/bus/scsi/devices/0:0:1:0/unpriv_sgio"
SGFILTER_CONF_DIR=$tmp/conf expect_status 0 "apply-device on another device" apply-device 0:0:1:0
[ "$(cat "$mod/bus/scsi/devices/0:0:1:0/unpriv_sgio")" = 0 ] &&
	ok "... leaves a device the file does not name alone" || not_ok "apply-device other device"

# --- policy files: device IDs with spaces, long lines, atomic save (item 1-3)
sg=$mod/kernel/sgfilter
dev3=$mod/bus/scsi/devices/3:0:0:0
mkdir -p "$dev3"
echo 0 > "$dev3/type"
echo 1 > "$dev3/unpriv_sgio"
# a SCSI t10 identifier, as the kernel shows it: spaces inside and at the end,
# and the bytes the file format uses itself
printf 't10.ATA     QEMU HARDDISK   QM00001 #1 100%% \n' > "$dev3/wwid"
echo 0 > "$mod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
expect_status 0 "wwid_spaces: save with a t10. WWID that has spaces" save "$tmp/t10.conf"
grep -q '^unpriv t10\.ATA%20%20%20%20%20QEMU%20HARDDISK%20%20%20QM00001%20%231%20100%25%20 on$' "$tmp/t10.conf" &&
	ok "wwid_spaces: ... written as one field, %XX-encoded" || { not_ok "wwid_spaces: encoding"; grep unpriv "$tmp/t10.conf" | sed 's/^/# /'; }
echo 0 > "$dev3/unpriv_sgio"
echo 0 > "$mod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
reset_files
expect_status 0 "wwid_spaces: load takes what save wrote" load "$tmp/t10.conf"
[ "$(cat "$dev3/unpriv_sgio")" = 1 ] && ok "wwid_spaces: ... and sets unpriv_sgio of the device with that WWID" ||
	not_ok "wwid_spaces: device flag after load"
[ "$(cat "$mod/bus/scsi/devices/1:0:0:0/unpriv_sgio")" = 0 ] &&
	ok "wwid_spaces: ... and of no other device" || not_ok "wwid_spaces: other device"
bad_file "a bad %XX escape in a device ID" 2 "# x\nunpriv t10.ATA%2 on\n"
bad_file "a %00 escape in a device ID" 1 "unpriv t10.ATA%00x on\n"
bad_file "a device ID with a bare space" 1 "unpriv t10.ATA QEMU on\n"
echo 1 > "$dev3/unpriv_sgio"

# lines of any length, never split (item 2): the tail of a long comment
# line must not become a rule
# (the old parser read 255 bytes at a time: here the tail starts at byte 255)
pad=$(printf '%0252d' 0)
printf 'disk 0x28 read\n# %s disk 0x5f/0x00 write\n' "$pad" > "$tmp/long.conf"
reset_files
expect_status 0 "long_line: a 300-byte comment line is accepted" load "$tmp/long.conf"
[ "$(cat "$sg/disk/load")" = "0x28 read" ] &&
	ok "long_line: ... and its tail is no rule" || not_ok "long_line: disk got \"$(cat "$sg/disk/load")\""
printf 'disk 0x28 read\n# %s\ndisk 0x5f/0x00 write\n' "$pad" > "$tmp/long2.conf"
reset_files
expect_status 0 "long_line: the same rule on its own line" load "$tmp/long2.conf"
[ "$(cat "$sg/disk/load")" = "$(printf '0x28 read\n0x5f/0x00 write')" ] &&
	ok "long_line: ... is a rule" || not_ok "long_line: own line: \"$(cat "$sg/disk/load")\""
printf 'disk 0x28 read %s 0x5f write\n' "$pad" > "$tmp/long3.conf"
bad_file "a 300-byte entry line" 1 "$(cat "$tmp/long3.conf")\n"

# save replaces the file atomically (item 3): a failure midway leaves the
# old file as it was, and no temporary file
mkdir -p "$tmp/etc"
printf '# the old policy\ndisk 0x28 read\n' > "$tmp/etc/site.conf"
chmod 640 "$tmp/etc/site.conf"
cp "$tmp/etc/site.conf" "$tmp/site.orig"
mv "$sg/tape/table" "$tmp/tape.table"
mkdir "$sg/tape/table"		# unreadable: read() fails with EISDIR
expect_status 1 "save_atomic: save fails when a table cannot be read" save "$tmp/etc/site.conf"
cmp -s "$tmp/etc/site.conf" "$tmp/site.orig" && ok "save_atomic: ... and leaves the old file untouched" ||
	{ not_ok "save_atomic: the old file changed"; head -3 "$tmp/etc/site.conf" | sed 's/^/# /'; }
[ "$(ls -A "$tmp/etc")" = site.conf ] && ok "save_atomic: ... and no temporary file" ||
	not_ok "save_atomic: left $(ls -A "$tmp/etc")"
rmdir "$sg/tape/table"
mv "$tmp/tape.table" "$sg/tape/table"
expect_status 1 "save_atomic: save into a directory that does not exist fails" save "$tmp/nodir/site.conf"
grep -q 'nodir/site.conf' "$tmp/err" && ok "save_atomic: ... naming the file" || not_ok "save_atomic: names the file"
expect_status 0 "save_atomic: save over the old file" save "$tmp/etc/site.conf"
grep -q '^tape ' "$tmp/etc/site.conf" && [ "$(stat -c %a "$tmp/etc/site.conf")" = 640 ] &&
	[ "$(ls -A "$tmp/etc")" = site.conf ] &&
	ok "save_atomic: ... replaces it, keeping its mode" || not_ok "save_atomic: replace"
