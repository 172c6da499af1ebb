#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl in user space, against a made-up sysfs tree (SGFILTER_SYSFS):
# argument parsing, opcode names per class, policy files, JSON output.
#
#   sgfilterctl_test.sh PATH-TO-SGFILTERCTL
set -uo pipefail

tool=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
pass=0 fail=0

ok() { pass=$((pass + 1)); echo "ok $((pass + fail)) - $*"; }
not_ok() { fail=$((fail + 1)); echo "not ok $((pass + fail)) - $*"; }

# run EXPECTED-STATUS ARGS...: run the tool, keep out and err
run() {
	local want=$1
	shift
	"$tool" "$@" > "$tmp/out" 2> "$tmp/err"
	got=$?
	[ "$got" = "$want" ]
}

expect_status() {
	local want=$1 what=$2
	shift 2
	if run "$want" "$@"; then ok "$what"; else not_ok "$what (exit $got, want $want)"; sed 's/^/# /' "$tmp/err"; fi
}

# --- a sysfs without the module: two devices, a disk with a WWN and a CD-ROM
nomod=$tmp/nomod
mkdir -p "$nomod/bus/scsi/devices/1:0:0:0" "$nomod/bus/scsi/devices/0:0:1:0"
echo 0 > "$nomod/bus/scsi/devices/1:0:0:0/type"
echo 0 > "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
echo naa.6001405aaaabbbb1 > "$nomod/bus/scsi/devices/1:0:0:0/wwid"
echo 5 > "$nomod/bus/scsi/devices/0:0:1:0/type"
echo 0 > "$nomod/bus/scsi/devices/0:0:1:0/unpriv_sgio"
export SGFILTER_SYSFS=$nomod

expect_status 0 "--help" --help
expect_status 0 "--version" --version
expect_status 2 "no command is a usage error"
expect_status 2 "an unknown command is a usage error" frobnicate
expect_status 2 "show without a class is a usage error" show
expect_status 2 "show of an unknown class is a usage error" show floppy
expect_status 2 "allow with a permission that is not read or write" allow disk fly 0x5f
expect_status 2 "check without a command is a usage error" check 1:0:0:0
expect_status 1 "an unknown device is an error" unpriv 9:9:9:9
grep -q '9:9:9:9' "$tmp/err" && ok "... and the message names it" || not_ok "... and the message names it"

# without the module: reading works, changing tables is refused with a hint
expect_status 0 "show disk works without the module" show disk
grep -q '^0x28 .*read .*Read(10)' "$tmp/out" && ok "... and lists READ(10) as read" ||
	not_ok "... and lists READ(10) as read"
expect_status 1 "allow without the module is an error" allow disk write 0x5f
grep -q 'Hint: modprobe sgfilter' "$tmp/err" && ok "... with a Hint to load it" || not_ok "... with a Hint to load it"
expect_status 0 "unpriv works without the module" unpriv 1:0:0:0 on
[ "$(cat "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio")" = 1 ] && ok "... and wrote 1" || not_ok "... and wrote 1"
expect_status 2 "unpriv with a value that is not on/off" unpriv 1:0:0:0 maybe

# check: the verdict and why
echo 0 > "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
run 0 check 1:0:0:0 UNMAP --read-only
grep -q 'an unprivileged user: denied: the disk table allows 0x42 to openers with write access only' "$tmp/out" &&
	ok "check: UNMAP from a reader is denied, needing write access" || { not_ok "check UNMAP reader"; cat "$tmp/out"; }
run 0 check 1:0:0:0 UNMAP
grep -q 'an unprivileged user: allowed: the disk table allows 0x42' "$tmp/out" &&
	ok "check: UNMAP from a writer is allowed" || not_ok "check: UNMAP from a writer"
run 0 check 1:0:0:0 PERSISTENT_RESERVE_OUT/REGISTER
grep -q 'an unprivileged user: denied: the disk table has no entry for 0x5f/0x00' "$tmp/out" &&
	ok "check: PR OUT REGISTER has no entry" || not_ok "check: PR OUT REGISTER no entry"
echo 1 > "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
run 0 check 1:0:0:0 0x5f/0
grep -q 'an unprivileged user: allowed: unpriv_sgio is set' "$tmp/out" &&
	ok "check: with unpriv_sgio a writer may send PR OUT" || not_ok "check: unpriv_sgio writer"
run 0 check 1:0:0:0 0x5f/0 --read-only
grep -q 'an unprivileged user: denied' "$tmp/out" &&
	ok "check: with unpriv_sgio a reader still may not" || not_ok "check: unpriv_sgio reader"
run 0 check 0:0:1:0 0x42 --read-only
grep -q 'Read sub-channel' "$tmp/out" && grep -q 'an unprivileged user: allowed' "$tmp/out" &&
	ok "check: 0x42 on the CD-ROM is READ SUB-CHANNEL, allowed to readers" || not_ok "check: cdrom 0x42"

# check of an opcode keyed by service action, given without one: one
# verdict for the opcode when every service action gets the same, else one
# per service action that libsgutils2 names (issue 11, item 6)
echo 0 > "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
expect_status 0 "check_sa_uniform: check of PR OUT without a service action answers" check 1:0:0:0 0x5f
grep -q '^1:0:0:0 (disk), Persistent reserve out (every service action)' "$tmp/out" &&
	grep -q 'an unprivileged user: denied: the disk table has no entry for any service action of 0x5f' "$tmp/out" &&
	[ "$(grep -c 'an unprivileged user' "$tmp/out")" = 1 ] &&
	ok "check_sa_uniform: ... one verdict for the whole opcode, denied" || { not_ok "check_sa_uniform: one verdict"; sed 's/^/# /' "$tmp/out" "$tmp/err"; }
echo 1 > "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
expect_status 0 "check_sa_uniform: with unpriv_sgio" check 1:0:0:0 0x5f
grep -q 'an unprivileged user: allowed: unpriv_sgio is set' "$tmp/out" && [ "$(grep -c 'an unprivileged user' "$tmp/out")" = 1 ] &&
	ok "check_sa_uniform: ... one verdict for the whole opcode, allowed" || not_ok "check_sa_uniform: allowed twin"
echo 0 > "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
expect_status 0 "check_sa_each: check of SERVICE ACTION IN(16) without a service action answers" check 1:0:0:0 0x9e --read-only
grep -q 'the verdict depends on the service action' "$tmp/out" &&
	grep -A2 '^  0x9e/0x10 Read capacity(16)$' "$tmp/out" | grep -q 'an unprivileged user: allowed: the disk table allows 0x9e/0x10 to every opener' &&
	grep -A2 '^  0x9e/0x14 Stream control$' "$tmp/out" | grep -q 'an unprivileged user: denied: the disk table allows 0x9e/0x14 to openers with write access only' &&
	! grep -q '0x9e/0x1f' "$tmp/out" &&
	ok "check_sa_each: ... one verdict per named service action, allowed and denied" ||
	{ not_ok "check_sa_each: per service action"; sed 's/^/# /' "$tmp/out" "$tmp/err"; }
python3 - "$tool" <<'PY' && ok "check_sa_each: --json gives an array of service actions" || not_ok "check_sa_each: --json array"
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "--json", "check", "1:0:0:0", "0x9e", "--read-only"]))
s = {x["key"]: x for x in d["service_actions"]}
assert d["opcode"] == 0x9e and d["sa"] == -1
assert s["0x9e/0x10"]["unprivileged"]["allowed"] is True and s["0x9e/0x10"]["name"] == "Read capacity(16)"
assert s["0x9e/0x14"]["unprivileged"]["allowed"] is False
d = json.loads(subprocess.check_output([sys.argv[1], "--json", "check", "1:0:0:0", "0x5f"]))
assert "service_actions" not in d and d["unprivileged"]["allowed"] is False and d["sa"] == -1
PY

# check knows the node by its device number, not by its name (item 5): sg
# (char major 21) filters read-only openers only and never a scanner; st
# sends nothing without CAP_SYS_RAWIO; bsg's major is dynamic (its sysfs
# subsystem says). Device nodes need root (mknod).
dev=$tmp/dev
mkdir -p "$dev" "$nomod/bus/scsi/devices/2:0:0:0" "$nomod/class/bsg"
echo 6 > "$nomod/bus/scsi/devices/2:0:0:0/type"
echo 0 > "$nomod/bus/scsi/devices/2:0:0:0/unpriv_sgio"
echo 0 > "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
node() { # NAME b|c MAJOR MINOR H:C:T:L [SUBSYSTEM]
	local d=$nomod/dev/$([ "$2" = b ] && echo block || echo char)/$3:$4
	mknod "$dev/$1" "$2" "$3" "$4" 2>/dev/null || return 1
	mkdir -p "$d"
	ln -sfn "../../../bus/scsi/devices/$5" "$d/device"
	[ -z "${6:-}" ] || ln -sfn "../../../class/$6" "$d/subsystem"
}
if node oddname c 21 7 1:0:0:0 && node sdb b 8 16 1:0:0:0 && node st0 c 9 0 1:0:0:0 &&
   node scanner-sg c 21 8 2:0:0:0 && node scanner-bsg c 249 4 2:0:0:0 bsg; then
	ln -s oddname "$dev/link-to-sg"
	run 0 check "$dev/link-to-sg" 0x5f/0
	grep -q 'an unprivileged user: allowed: sg does not filter files open for writing' "$tmp/out" &&
		ok "check_sg_by_number: a link to an sg node gets sg's verdict: a writer is not filtered" ||
		{ not_ok "check_sg_by_number: link to sg, writer"; sed 's/^/# /' "$tmp/out" "$tmp/err"; }
	run 0 check "$dev/oddname" 0x5f/0 --read-only
	grep -q 'an unprivileged user: denied: the disk table has no entry for 0x5f/0x00' "$tmp/out" &&
		ok "check_sg_by_number: ... a reader of the oddly named sg node is filtered" ||
		{ not_ok "check_sg_by_number: oddname reader"; sed 's/^/# /' "$tmp/out"; }
	run 0 check "$dev/sdb" 0x5f/0
	grep -q 'an unprivileged user: denied: the disk table has no entry for 0x5f/0x00' "$tmp/out" &&
		ok "check_sg_by_number: ... a writer of the disk's block node is filtered" ||
		{ not_ok "check_sg_by_number: block writer"; sed 's/^/# /' "$tmp/out"; }
	run 0 check "$dev/scanner-sg" 0x2a --read-only
	grep -q 'an unprivileged user: allowed: sg does not filter scanners' "$tmp/out" &&
		ok "check_sg_scanner: a scanner through sg is not filtered, even for a reader" ||
		{ not_ok "check_sg_scanner: scanner through sg"; sed 's/^/# /' "$tmp/out" "$tmp/err"; }
	run 0 check "$dev/scanner-bsg" 0x2a --read-only
	grep -q 'an unprivileged user: denied: the other table' "$tmp/out" &&
		ok "check_sg_scanner: ... through bsg, the other table decides" ||
		{ not_ok "check_sg_scanner: scanner through bsg"; sed 's/^/# /' "$tmp/out"; }
	echo 1 > "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
	run 0 check "$dev/st0" 0x00
	grep -q 'an unprivileged user: denied: st sends no command without CAP_SYS_RAWIO' "$tmp/out" &&
		ok "check_st: st refuses SG_IO to the unprivileged, whatever unpriv_sgio says" ||
		{ not_ok "check_st: st"; sed 's/^/# /' "$tmp/out"; }
	run 0 check "$dev/sdb" 0x00
	grep -q 'an unprivileged user: allowed' "$tmp/out" &&
		ok "check_st: ... the same device's block node allows it" || not_ok "check_st: block twin"
	echo 0 > "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
else
	ok "check_sg_by_number # SKIP mknod needs root"
fi

# --- the module's sysfs: the class files, filled from the built-in tables
mod=$tmp/mod
cp -r "$nomod" "$mod"
export SGFILTER_SYSFS=$mod
SGFILTER_SYSFS=$nomod "$tool" save "$tmp/builtin.conf" || not_ok "save without the module"
for c in disk cdrom tape changer enclosure other; do
	d=$mod/kernel/sgfilter/$c
	mkdir -p "$d"
	sed -n "s/^$c //p" "$tmp/builtin.conf" > "$d/table"
	: > "$d/allow"; : > "$d/deny"; : > "$d/reset"; : > "$d/load"
	echo 7 > "$d/allowed"; echo 2 > "$d/denied"; printf '0x42 2\n' > "$d/denied_opcodes"
done
reset_files() { for f in "$mod"/kernel/sgfilter/*/{allow,deny,load}; do [ -d "$f" ] || : > "$f"; done; }

# names, per class
name_case() { # CLASS PERM NAME WANT-LINE
	reset_files
	if run 0 allow "$1" "$2" "$3" && [ "$(cat "$mod/kernel/sgfilter/$1/allow")" = "$4" ]; then
		ok "allow $1 $2 \"$3\" writes \"$4\""
	else
		not_ok "allow $1 $2 \"$3\" writes \"$4\" (got \"$(cat "$mod/kernel/sgfilter/$1/allow")\")"
		sed 's/^/# /' "$tmp/err"
	fi
}
name_case disk write UNMAP "0x42 write"
name_case cdrom read "read sub-channel" "0x42 read"
name_case disk write PERSISTENT_RESERVE_OUT "0x5f write"
name_case disk write "persistent reserve out" "0x5f write"
name_case disk write persistent-reserve-out "0x5f write"
name_case disk write PERSISTENT_RESERVE_OUT/REGISTER "0x5f/0x00 write"
name_case disk write "Persistent reserve out, register" "0x5f/0x00 write"
name_case disk write 0x5f/register "0x5f/0x00 write"
name_case disk read READ_10 "0x28 read"
name_case disk read 28 "0x28 read"
name_case disk write "write same(32)" "0x7f/0x000d write"
name_case cdrom write send_key "0xa3 write"

reset_files
expect_status 1 "\"read sub-channel\" is no disk command" allow disk read "read sub-channel"
grep -q 'nearest' "$tmp/err" && grep -q '^  0x' "$tmp/err" && ok "... and the error lists the nearest names" ||
	not_ok "... and the error lists the nearest names"
expect_status 1 "UNMAP is no cdrom command" allow cdrom write UNMAP
expect_status 1 "a misspelt name is an error" allow disk write "persistent reserve outt"
grep -q 'Persistent reserve out' "$tmp/err" && ok "... that suggests the right one" || not_ok "... that suggests the right one"
expect_status 1 "READ(10) has no service action" allow disk read 0x28/0x01
expect_status 1 "an unknown service action name" allow disk write 0x5f/frobnicate
[ ! -s "$mod/kernel/sgfilter/disk/allow" ] && ok "refused names wrote nothing" || not_ok "refused names wrote nothing"
reset_files
expect_status 1 "one bad name among good ones changes nothing" allow disk write 0x5f UNMAPP
[ ! -s "$mod/kernel/sgfilter/disk/allow" ] && ok "... nothing at all" || not_ok "... nothing at all"
expect_status 0 "deny by name" deny disk start-stop-unit
[ "$(cat "$mod/kernel/sgfilter/disk/deny")" = "0x1b" ] && ok "... writes 0x1b" || not_ok "... writes 0x1b"
expect_status 0 "reset one class" reset tape
expect_status 2 "reset of an unknown class" reset floppy

# show marks what differs from the built-in table
echo "0x5f/0x00 write" >> "$mod/kernel/sgfilter/disk/table"
sed -i '/^0x1b /d' "$mod/kernel/sgfilter/disk/table"
run 0 show disk
grep -q '^0x5f/0x00 .*write.*\[added\]' "$tmp/out" && ok "show marks an added entry" || not_ok "show marks an added entry"
grep -q '^0x1b .*-.*\[removed\]' "$tmp/out" && ok "show marks a removed entry" || not_ok "show marks a removed entry"
grep -q '^0x28 .*read  Read(10)$' "$tmp/out" && ok "show leaves an unchanged entry unmarked" ||
	not_ok "show leaves an unchanged entry unmarked"

# JSON: every reading command gives one valid document
for args in "status" "show disk" "show cdrom" "stats" "unpriv 1:0:0:0" "check 1:0:0:0 UNMAP --read-only"; do
	# shellcheck disable=SC2086
	if "$tool" --json $args > "$tmp/json" 2>"$tmp/err" && python3 -m json.tool "$tmp/json" > /dev/null; then
		ok "--json $args is valid JSON"
	else
		not_ok "--json $args is valid JSON"; head -c 300 "$tmp/json" | sed 's/^/# /'
	fi
done
python3 - "$tool" <<'EOF' && ok "--json show disk has the entries and names" || not_ok "--json show disk content"
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "--json", "show", "disk"]))
e = {x["key"]: x for x in d["entries"]}
assert e["0x28"]["perm"] == "read" and e["0x28"]["name"] == "Read(10)"
assert e["0x5f/0x00"]["perm"] == "write" and e["0x5f/0x00"]["default"] == "none"
EOF

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

echo "1..$((pass + fail))"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
