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
expect_status 2 "check of an opcode with service actions wants one" check 1:0:0:0 0x5f

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
reset_files() { for f in "$mod"/kernel/sgfilter/*/{allow,deny,load}; do : > "$f"; done; }

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

echo "1..$((pass + fail))"
echo "$pass passed, $fail failed"
[ $fail = 0 ]
