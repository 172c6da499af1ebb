# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl tests: per-device grants (issue 14): profiles, grant, revoke,
# show DEVICE, check's grant layer, multipath maps, the lock, the runtime
# state, grant lines in policy files. Every "allowed" has its "denied"
# twin, and bad input changes nothing.
# Sourced by sgfilterctl_test.sh, in its order: the made-up sysfs trees,
# the helpers and the counts are its.
# shellcheck shell=bash disable=SC2154

devs=$mod/bus/scsi/devices
top=$(cd "$here/../.." && pwd)
# the module's sysfs gives every SCSI device a grants file; none has grants
for d in "$devs"/*; do : > "$d/sgio_grants"; done
A=1:0:0:0 B=3:0:0:0 CD=0:0:1:0	# two disks and a CD-ROM
echo 0 > "$devs/$A/unpriv_sgio"
echo 0 > "$devs/$B/unpriv_sgio"
grants() { cat "$devs/$1/sgio_grants"; }
# every device's grants and the runtime state, to show that nothing changed
snap_grants() { for d in "$devs"/*; do echo "== $d"; cat "$d/sgio_grants"; done; cat "$SGFILTER_RUN_DIR/grants" 2>/dev/null || true; }
# refused WHAT STATUS ARGS...: refused with STATUS, and nothing changed
refused() {
	local what=$1 want=$2
	shift 2
	snap_grants > "$tmp/g.before"
	if run "$want" "$@" && snap_grants | cmp -s - "$tmp/g.before"; then
		ok "grant_bad: $what: exit $want, nothing changed"
	else
		not_ok "grant_bad: $what (exit $got, want $want)"; sed 's/^/# /' "$tmp/err"
		snap_grants | diff "$tmp/g.before" - | sed 's/^/# /'
	fi
}

# --- profiles: the codes against libsgutils2's names for a disk (T10's), the
# oracle written here by name, not copied from profiles.c
python3 - "$tool" <<'PY' && ok "profiles: pr, thin, fw, diag are the T10 commands they say" || not_ok "profiles: T10 names"
import json, subprocess, sys
want = {
    "pr": [("Persistent reserve in", "read"), ("Persistent reserve out", "write")],
    "thin": [("Write same(10)", "write"), ("Write same(16)", "write"), ("Write same(32)", "write"),
             ("Unmap", "write"), ("Get LBA status(16)", "read")],
    "fw": [("Write buffer", "write"), ("Read buffer(10)", "read")],
    "diag": [("Send diagnostic", "write"), ("Receive diagnostic results", "read"), ("Log sense", "read")],
}
d = json.loads(subprocess.check_output([sys.argv[1], "--json", "profiles"]))
got = {p["name"]: sorted((e["name"], e["perm"]) for e in p["entries"]) for p in d["profiles"]}
for name in want:
    assert got.get(name) == sorted(want[name]), (name, got.get(name))
assert set(got) == set(want), set(got) ^ set(want)
cls = {p["name"]: p["classes"] for p in d["profiles"]}
assert cls["thin"] == ["disk"] and len(cls["pr"]) == 6, cls
PY
expect_status 0 "profiles: text" profiles
grep -q '^pr: ' "$tmp/out" && grep -q '^  0x7f/0x000d   write Write same(32)$' "$tmp/out" &&
	ok "profiles: ... names each profile and its entries" || { not_ok "profiles: text"; sed 's/^/# /' "$tmp/out"; }
# no profile name is an opcode number or an opcode name of a class: a
# profile always wins, so it must never hide one
for p in $("$tool" --json profiles | python3 -c 'import json,sys; print(*[p["name"] for p in json.load(sys.stdin)["profiles"]])'); do
	for c in disk cdrom tape changer enclosure other; do
		run 1 allow "$c" read "$p" || { not_ok "profiles: \"$p\" is an opcode of $c"; continue 2; }
	done
	ok "profiles: \"$p\" is no opcode number or name of any class"
done
# the documentation lists them as the tool does (man page, admin guide)
doc_profiles() { # FILE SECTION-START PARAGRAPH-START: "NAME KEY PERM" per entry of each profile's paragraph
	python3 - "$@" <<'PY'
import re, sys
text = open(sys.argv[1]).read()
sec = re.search(sys.argv[2], text, re.M)
text = text[sec.end():] if sec else ""
out = []
for m in re.finditer(sys.argv[3], text, re.M):
    para = re.split(r"\n\n|\n\.TP|\n\.SH|\n``[a-z]+``: ", text[m.end():])[0]
    for k, p in re.findall(r"(0x[0-9a-f]{2}(?:/0x[0-9a-f]+)?) (read|write)", para):
        out.append(f"{m.group(1)} {k} {p}")
print("\n".join(sorted(out)))
PY
}
"$tool" --json profiles | python3 -c '
import json, sys
print("\n".join(sorted(" ".join((p["name"], e["key"], e["perm"])) for p in json.load(sys.stdin)["profiles"] for e in p["entries"])))' > "$tmp/prof.tool"
doc_profiles "$top/tools/sgfilterctl/sgfilterctl.8" '^\.SH PROFILES$' '^\.TP\n\.B ([a-z]+)$' > "$tmp/prof.man"
diff "$tmp/prof.tool" "$tmp/prof.man" > "$tmp/prof.diff" && ok "profiles_doc: sgfilterctl(8) lists each profile's entries as the tool does" ||
	{ not_ok "profiles_doc: sgfilterctl(8)"; sed 's/^/# /' "$tmp/prof.diff"; }
doc_profiles "$top/Documentation/admin-guide.rst" '^Per-device grants$' '^``([a-z]+)``: ' > "$tmp/prof.guide"
diff "$tmp/prof.tool" "$tmp/prof.guide" > "$tmp/prof.diff" && ok "profiles_doc: the admin guide lists each profile's entries as the tool does" ||
	{ not_ok "profiles_doc: admin guide"; sed 's/^/# /' "$tmp/prof.diff"; }

# --- grant and revoke
expect_status 0 "grant: grant A pr" grant "$A" pr
[ "$(grants $A)" = "$(printf '0x5e read\n0x5f write')" ] && ok "grant: ... A's set is PR IN read, PR OUT write" ||
	{ not_ok "grant: A's set"; grants $A | sed 's/^/# /'; }
[ ! -s "$devs/$B/sgio_grants" ] && [ ! -s "$devs/$CD/sgio_grants" ] &&
	ok "grant: ... and B's and the CD-ROM's sets stay empty" || not_ok "grant: other devices"
expect_status 0 "grant: several groups at once, by name" grant "$A" write UNMAP "write buffer" read "0x9e/get lba status(16)"
[ "$(grants $A)" = "$(printf '0x3b write\n0x42 write\n0x5e read\n0x5f write\n0x9e/0x12 read')" ] &&
	ok "grant: ... added to what A had, in the kernel's syntax" || { not_ok "grant: groups"; grants $A | sed 's/^/# /'; }
expect_status 0 "revoke: by name and number" revoke "$A" "write buffer" 0x42
[ "$(grants $A)" = "$(printf '0x5e read\n0x5f write\n0x9e/0x12 read')" ] &&
	ok "revoke: ... removes those, keeps the others" || { not_ok "revoke: names"; grants $A | sed 's/^/# /'; }
expect_status 0 "revoke: a profile" revoke "$A" pr
[ "$(grants $A)" = "0x9e/0x12 read" ] && ok "revoke: ... removes its entries" || { not_ok "revoke: profile"; grants $A | sed 's/^/# /'; }
expect_status 0 "revoke: all" revoke "$A" all
[ -z "$(grants $A | tr -d '\n')" ] && ok "revoke: ... leaves A without grants" || not_ok "revoke: all"
expect_status 0 "grant: write PR IN narrows a read entry to writers (the last word wins)" grant "$A" pr write 0x5e
[ "$(grants $A)" = "$(printf '0x5e write\n0x5f write')" ] && ok "grant: ... 0x5e write" || { not_ok "grant: narrowing"; grants $A | sed 's/^/# /'; }
"$tool" grant "$A" pr > /dev/null

# bad input: usage errors (2) and errors (1), and nothing changes
refused "an opcode without read or write" 2 grant "$A" 0x5e
refused "read with no opcode after it" 2 grant "$A" read
refused "write followed by a profile" 2 grant "$A" write pr
refused "an unknown profile" 2 grant "$A" frobnicate
refused "a misspelt name among good ones" 1 grant "$A" write 0x42 UNMAPP
grep -q 'nearest' "$tmp/err" && ok "grant_bad: ... the message lists the nearest names" || not_ok "grant_bad: nearest"
refused "a service action of READ(10)" 1 grant "$A" read 0x28/0x01
refused "a service action out of range" 1 grant "$A" write 0x9e/0x20
refused "thin on a CD-ROM" 1 grant "$CD" thin
grep -q 'profile thin is not for cdrom devices' "$tmp/err" && ok "grant_bad: ... says the profile is not for cdrom" || not_ok "grant_bad: thin on cdrom message"
refused "UNMAP is no CD-ROM command" 1 grant "$CD" write UNMAP
refused "revoke with read" 2 revoke "$A" read 0x5e
refused "revoke all with more" 2 revoke "$A" all pr
refused "grant without anything to grant" 2 grant "$A"
refused "an unknown device" 1 grant 9:9:9:9 pr
grep -q '9:9:9:9' "$tmp/err" && ok "grant_bad: ... the message names it" || not_ok "grant_bad: names the device"
refused "65 entries" 2 grant "$A" write $(seq -f '0x%02g' 10 74)
# non-root: the kernel (here: the file mode) refuses, with the usual hint
chmod o+x "$tmp"
snap_grants > "$tmp/g.before"
setpriv --reuid=65534 --regid=65534 --clear-groups "$tool" grant "$A" fw > "$tmp/out" 2> "$tmp/err"
got=$?
[ $got = 1 ] && snap_grants | cmp -s - "$tmp/g.before" && grep -q '^Hint: changing the policy needs root' "$tmp/err" &&
	ok "grant_bad: a non-root grant: exit 1, the Hint that it needs root, nothing changed" ||
	{ not_ok "grant_bad: non-root grant (exit $got)"; sed 's/^/# /' "$tmp/err"; }
chmod o-x "$tmp"
# without the module: no grants file
SGFILTER_SYSFS=$nomod expect_status 1 "grant_nomod: grant without the module is an error" grant "$A" pr
grep -q 'Hint: modprobe sgfilter' "$tmp/err" && [ ! -e "$nomod/bus/scsi/devices/$A/sgio_grants" ] &&
	ok "grant_nomod: ... with a Hint to load it, and writes nothing" || { not_ok "grant_nomod"; sed 's/^/# /' "$tmp/err"; }

# two admins at once: each read-modify-write under the lock, none lost
: > "$devs/$B/sgio_grants"
pids=()
for op in 0x3b 0x1d 0x41 0x42 0x93 0x5e 0x5f 0x4c; do "$tool" grant "$B" write "$op" & pids+=($!); done
fails=0
for p in "${pids[@]}"; do wait "$p" || fails=$((fails + 1)); done
[ $fails = 0 ] && [ "$(grants $B | wc -l)" = 8 ] && ok "grant_lock: 8 grants at once to one device: none lost" ||
	{ not_ok "grant_lock: $fails failed, $(grants $B | wc -l) of 8 entries"; grants $B | sed 's/^/# /'; }
[ -e "$SGFILTER_RUN_DIR/lock" ] && ok "grant_lock: ... serialized on \$SGFILTER_RUN_DIR/lock" || not_ok "grant_lock: lock file"
: > "$devs/$B/sgio_grants"
# a system without /run (the test VM's): the directory is made with its parents
SGFILTER_RUN_DIR=$tmp/norun/run/sgfilter expect_status 0 "grant_lock: the run directory's parents are made" grant "$B" pr
[ -e "$tmp/norun/run/sgfilter/lock" ] && [ "$(grants $B | wc -l)" = 2 ] &&
	ok "grant_lock: ... the lock is there and the grant given" || not_ok "grant_lock: no parents"
: > "$devs/$B/sgio_grants"
# ... but not through a file: refused, nothing changed
: > "$tmp/afile"
SGFILTER_RUN_DIR=$tmp/afile/sgfilter refused "a run directory under a file" 1 grant "$B" pr

# --- check: the layer that decided
check_says() { # WHAT WANT-ALLOWED WANT-LAYER ARGS...
	local what=$1 allowed=$2 layer=$3
	shift 3
	if "$tool" --json check "$@" > "$tmp/json" 2> "$tmp/err" && python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))["unprivileged"]
assert d["allowed"] == (sys.argv[2] == "allowed") and d["layer"] == sys.argv[3], d' "$tmp/json" "$allowed" "$layer"; then
		ok "check_grant: $what: $allowed by the $layer"
	else
		not_ok "check_grant: $what: want $allowed by the $layer"; sed 's/^/# /' "$tmp/json" "$tmp/err"
	fi
}
check_says "PR OUT from A's writer" allowed grant "$A" 0x5f/1
check_says "... from B's writer" denied table "$B" 0x5f/1
check_says "... from A's reader" denied table "$A" 0x5f/1 --read-only
grep -q 'a grant on this device allows it to openers with write access only' "$tmp/json" &&
	ok "check_grant: ... which says the grant is for writers" || not_ok "check_grant: reader reason"
check_says "PR IN from A's reader" allowed grant "$A" 0x5e --read-only
check_says "... from B's reader" denied table "$B" 0x5e --read-only
check_says "FORMAT UNIT from A's reader, the grant notwithstanding" denied table "$A" 0x04 --read-only
check_says "READ(10) from A's reader: the table" allowed table "$A" 0x28 --read-only
echo 1 > "$devs/$A/unpriv_sgio"
check_says "PR OUT from A's writer with unpriv_sgio" allowed unpriv_sgio "$A" 0x5f/0
echo 0 > "$devs/$A/unpriv_sgio"
# the disk table here allows 0x5f/0x00 to writers too: it comes first, as in the kernel
check_says "PR OUT REGISTER from A's writer, which table and grant allow" allowed table "$A" 0x5f/0
run 0 check "$A" 0x5f/1
grep -q '^  an unprivileged user: allowed: a grant on this device allows 0x5f/0x01 to openers with write access$' "$tmp/out" &&
	grep -q '^  you:  *allowed: CAP_SYS_RAWIO' "$tmp/out" && ok "check_grant: text names the grant, and root's CAP_SYS_RAWIO" ||
	{ not_ok "check_grant: text"; sed 's/^/# /' "$tmp/out"; }

# --- show DEVICE
expect_status 0 "show_device: show A" show "$A"
grep -q '^0x5e  *read  Persistent reserve in  \[grant\]$' "$tmp/out" && grep -q '^0x28  *read  Read(10)$' "$tmp/out" &&
	grep -q "^# $A (disk), WWID naa.6001405aaaabbbb1, unpriv_sgio off" "$tmp/out" &&
	ok "show_device: ... the grants marked, the table's entries unmarked, the flag" || { not_ok "show_device: A"; sed 's/^/# /' "$tmp/out"; }
expect_status 0 "show_device: show B" show "$B"
! grep -q '  \[grant' "$tmp/out" && ! grep -q '^0x5e' "$tmp/out" && grep -q '^# no grants' "$tmp/out" &&
	ok "show_device: ... B has no grant and no PR IN" || { not_ok "show_device: B"; sed 's/^/# /' "$tmp/out"; }
python3 - "$tool" "$A" <<'PY' && ok "show_device: --json: entries with table, grant and effective perm" || not_ok "show_device: --json"
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "--json", "show", sys.argv[2]]))
e = {x["key"]: x for x in d["entries"]}
assert d["grants"] == ["0x5e read", "0x5f write"] and d["unpriv_sgio"] is False and d["class"] == "disk"
assert e["0x5e"] == {"opcode": 0x5e, "sa": -1, "key": "0x5e", "perm": "read", "table": "none", "grant": "read", "name": "Persistent reserve in"}, e["0x5e"]
assert e["0x28"]["grant"] == "none" and e["0x28"]["perm"] == "read"
PY
expect_status 2 "show_device: an unknown class is still a usage error" show floppy

# --- dm-multipath: map dm-3 over paths 4:0:0:0 and 5:0:0:0 (one LUN), and a
# dm device that is not multipath (dm-4)
mkpath() { # H:C:T:L DISK WWID
	mkdir -p "$devs/$1/block/$2" "$mod/block/$2/holders"
	echo 0 > "$devs/$1/type"; echo 0 > "$devs/$1/unpriv_sgio"; echo "$3" > "$devs/$1/wwid"
	: > "$devs/$1/sgio_grants"
	ln -sfn "../../bus/scsi/devices/$1" "$mod/block/$2/device"
}
mkpath 4:0:0:0 sdd naa.6001405ccccdddd1
mkpath 5:0:0:0 sde naa.6001405ccccdddd1
mkdir -p "$mod/block/dm-3/dm" "$mod/block/dm-3/slaves/sdd" "$mod/block/dm-3/slaves/sde" \
	"$mod/block/sdd/holders/dm-3" "$mod/block/sde/holders/dm-3" "$mod/block/dm-4/dm" "$mod/dev/block"
echo mpath-36001405ccccdddd1 > "$mod/block/dm-3/dm/uuid"
echo LVM-Qw3rty > "$mod/block/dm-4/dm/uuid"
ln -sfn ../../block/dm-3 "$mod/dev/block/253:3"
ln -sfn ../../block/dm-4 "$mod/dev/block/253:4"
mkdir -p "$tmp/dev/mapper"
if mknod "$tmp/dev/dm-3" b 253 3 2>/dev/null && mknod "$tmp/dev/dm-4" b 253 4; then
	ln -s ../dm-3 "$tmp/dev/mapper/mpatha"
	expect_status 0 "multipath: grant through the map" grant "$tmp/dev/mapper/mpatha" pr
	[ "$(grants 4:0:0:0)" = "$(printf '0x5e read\n0x5f write')" ] && [ "$(grants 5:0:0:0)" = "$(grants 4:0:0:0)" ] &&
		ok "multipath: ... every path gets the set" || not_ok "multipath: paths' sets"
	[ "$(grants $B)" = "" ] && ok "multipath: ... a disk that is no path of it does not" || not_ok "multipath: other disk"
	grep -qx 'grant naa.6001405ccccdddd1 read 0x5e write 0x5f' "$SGFILTER_RUN_DIR/grants" &&
		ok "multipath: ... remembered by the LUN's WWID in the runtime state" || { not_ok "multipath: state"; sed 's/^/# /' "$SGFILTER_RUN_DIR/grants"; }
	refused "one path of a multipath map" 1 grant 4:0:0:0 fw
	grep -q 'path of the multipath map dm-3' "$tmp/err" && grep -q 'Hint: grant through the map, /dev/dm-3' "$tmp/err" &&
		ok "multipath: ... refused, naming the map" || { not_ok "multipath: path refusal"; sed 's/^/# /' "$tmp/err"; }
	refused "a dm device that is not multipath" 1 grant "$tmp/dev/dm-4" pr
	grep -q 'device-mapper device but not multipath (dm uuid "LVM-Qw3rty")' "$tmp/err" &&
		ok "multipath: ... refused with the reason" || { not_ok "multipath: non-mpath reason"; sed 's/^/# /' "$tmp/err"; }
	# a path that appears later gets the LUN's grants from apply-device (udev)
	mkpath 6:0:0:0 sdf naa.6001405ccccdddd1
	mkdir -p "$mod/block/dm-3/slaves/sdf" "$mod/block/sdf/holders/dm-3" "$tmp/noconf"
	SGFILTER_CONF_DIR=$tmp/noconf expect_status 0 "multipath: apply-device for a new path" apply-device 6:0:0:0
	[ "$(grants 6:0:0:0)" = "$(printf '0x5e read\n0x5f write')" ] && ok "multipath: ... the new path gets the LUN's grants" ||
		not_ok "multipath: new path"
	SGFILTER_CONF_DIR=$tmp/noconf expect_status 0 "multipath: apply-device for another disk" apply-device "$B"
	[ "$(grants $B)" = "" ] && ok "multipath: ... which gets nothing" || not_ok "multipath: apply-device other"
	expect_status 0 "multipath: show the map" show "$tmp/dev/dm-3"
	[ "$(grep -c '^0x5e .*\[grant\]$' "$tmp/out")" = 3 ] && grep -q '^# dm-3: multipath, WWID naa.6001405ccccdddd1, paths:' "$tmp/out" &&
		ok "multipath: ... each path's table" || { not_ok "multipath: show"; sed 's/^/# /' "$tmp/out"; }
	# save: one line for the LUN, not one per path
	run 0 save -
	[ "$(grep -c '^grant naa.6001405ccccdddd1 ' "$tmp/out")" = 1 ] && ok "multipath: save writes the LUN's grants once" ||
		{ not_ok "multipath: save"; grep '^grant' "$tmp/out" | sed 's/^/# /'; }
	expect_status 0 "multipath: revoke through the map" revoke "$tmp/dev/mapper/mpatha" all
	[ -z "$(cat "$devs"/[456]:0:0:0/sgio_grants | tr -d '\n')" ] &&
		! grep -q '^grant naa.6001405ccccdddd1' "$SGFILTER_RUN_DIR/grants" &&
		ok "multipath: ... clears every path, and the runtime state forgets the LUN" || not_ok "multipath: revoke"
	SGFILTER_CONF_DIR=$tmp/noconf expect_status 0 "multipath: apply-device after the revoke" apply-device 6:0:0:0
	[ -z "$(grants 6:0:0:0 | tr -d '\n')" ] && ok "multipath: ... gives the path nothing" || not_ok "multipath: after revoke"
	rm -rf "$devs"/[456]:0:0:0 "$mod/block" "$mod/dev/block/253:3" "$mod/dev/block/253:4"
else
	ok "multipath # SKIP mknod needs root"
fi

# --- policy files: grant lines
: > "$devs/$A/sgio_grants"
cat > "$tmp/grant.conf" <<'EOF'
disk 0x28 read
grant naa.6001405aaaabbbb1 pr   # the cluster LUN
grant naa.6001405aaaabbbb1 write 0x3b read 0x9e/0x12
EOF
reset_files
echo "0x42 write" > "$devs/$B/sgio_grants"
expect_status 0 "policy_grant: load grant lines" load "$tmp/grant.conf"
[ "$(grants $A)" = "$(printf '0x3b write\n0x5e read\n0x5f write\n0x9e/0x12 read')" ] &&
	ok "policy_grant: ... the device with that WWID gets exactly its lines' grants" || { not_ok "policy_grant: A"; grants $A | sed 's/^/# /'; }
[ "$(grants $B)" = "0x42 write" ] && ok "policy_grant: ... a device the file does not name keeps its own" || not_ok "policy_grant: B"
[ "$(cat "$mod/kernel/sgfilter/disk/load")" = "0x28 read" ] && ok "policy_grant: ... and the tables load as before" || not_ok "policy_grant: table"
echo "0x04 write" > "$devs/$A/sgio_grants"
expect_status 0 "policy_grant: load again over a grant the file does not have" load "$tmp/grant.conf"
[ "$(grants $A)" = "$(printf '0x3b write\n0x5e read\n0x5f write\n0x9e/0x12 read')" ] &&
	ok "policy_grant: ... it goes: the file's lines are the device's whole set" || not_ok "policy_grant: replaces"
expect_status 0 "policy_grant: save" save "$tmp/gsaved.conf"
grep -qx 'grant naa.6001405aaaabbbb1 read 0x5e 0x9e/0x12 write 0x3b 0x5f' "$tmp/gsaved.conf" &&
	grep -qx 'grant t10.ATA%20%20%20%20%20QEMU%20HARDDISK%20%20%20QM00001%20%231%20100%25%20 write 0x42' "$tmp/gsaved.conf" &&
	ok "policy_grant: ... writes one grant line per device with grants, by WWID" || { not_ok "policy_grant: save"; grep grant "$tmp/gsaved.conf" | sed 's/^/# /'; }
snap_grants > "$tmp/g.saved"
"$tool" revoke "$A" all && "$tool" revoke "$B" all
reset_files
expect_status 0 "policy_grant: load what save wrote" load "$tmp/gsaved.conf"
snap_grants | cmp -s - "$tmp/g.saved" && ok "policy_grant: ... gives every device its grants back" || not_ok "policy_grant: round trip"

# a grant line that does not fit a device it names: nothing is loaded
cd_wwid=naa.6001405eeeeffff1
echo "$cd_wwid" > "$devs/$CD/wwid"
printf 'disk 0x00 read\ngrant %s thin\n' "$cd_wwid" > "$tmp/gbad.conf"
reset_files
snap_grants > "$tmp/g.before"
expect_status 1 "policy_grant_bad: thin for the CD-ROM's WWID" load "$tmp/gbad.conf"
snap_grants | cmp -s - "$tmp/g.before" && [ -z "$(cat "$mod"/kernel/sgfilter/*/load)" ] &&
	grep -q 'gbad.conf:2: profile thin is not for cdrom devices' "$tmp/err" &&
	ok "policy_grant_bad: ... refused at its line, no table and no grant loaded" || { not_ok "policy_grant_bad: unfit"; sed 's/^/# /' "$tmp/err"; }
expect_status 1 "policy_grant_bad: the same with --fail-closed" load --fail-closed "$tmp/gbad.conf"
[ "$(cat "$mod/kernel/sgfilter/disk/load")" = "0x00 read" ] && snap_grants | cmp -s - "$tmp/g.before" &&
	ok "policy_grant_bad: ... loads the tables, gives no grant, fails" || not_ok "policy_grant_bad: --fail-closed"
rm -f "$devs/$CD/wwid"
grant_bad_file() { # WHAT CONTENT
	printf '%b' "$2" > "$tmp/gbad.conf"
	reset_files
	snap_grants > "$tmp/g.before"
	if run 1 load "$tmp/gbad.conf" && grep -q 'gbad.conf:1:' "$tmp/err" && snap_grants | cmp -s - "$tmp/g.before" &&
	   [ -z "$(cat "$mod"/kernel/sgfilter/*/load)" ]; then
		ok "policy_grant_bad: $1 is refused at its line, nothing loaded"
	else
		not_ok "policy_grant_bad: $1 (exit $got)"; sed 's/^/# /' "$tmp/err"
	fi
}
grant_bad_file "a grant line without entries" "grant naa.6001405aaaabbbb1\n"
grant_bad_file "write with no opcode" "grant naa.6001405aaaabbbb1 pr write\n"
grant_bad_file "an opcode name (files take numbers)" "grant naa.6001405aaaabbbb1 write UNMAP\n"
grant_bad_file "an opcode out of range" "grant naa.6001405aaaabbbb1 read 0x100\n"
grant_bad_file "an unknown profile" "grant naa.6001405aaaabbbb1 prr\n"
grant_bad_file "a bad %XX escape" "grant naa.600%4 pr\n"

# apply-device, as udev runs it: the conf directory's grant lines
mkdir -p "$tmp/gconf"
echo "grant wwn-0x6001405aaaabbbb1 thin" > "$tmp/gconf/lun.conf"
"$tool" revoke "$A" all; "$tool" revoke "$B" all
SGFILTER_CONF_DIR=$tmp/gconf expect_status 0 "policy_grant: apply-device" apply-device "$A"
[ "$(grants $A | wc -l)" = 5 ] && grep -qx '0x7f/0x000d write' "$devs/$A/sgio_grants" &&
	ok "policy_grant: ... gives the device named by its by-id WWN the profile" || { not_ok "policy_grant: apply-device"; grants $A | sed 's/^/# /'; }
SGFILTER_CONF_DIR=$tmp/gconf expect_status 0 "policy_grant: apply-device on another device" apply-device "$B"
[ -z "$(grants $B | tr -d '\n')" ] && ok "policy_grant: ... gives the other nothing" || not_ok "policy_grant: apply-device other"
"$tool" revoke "$A" all

# status lists the devices with grants, and only those
expect_status 0 "status: with no grants" status
grep -qx 'devices with grants (sgfilterctl show DEVICE): none' "$tmp/out" &&
	ok "status: ... says none" || { not_ok "status: none"; sed 's/^/# /' "$tmp/out"; }
"$tool" grant "$B" pr
expect_status 0 "status: with B granted" status
grep -qx "devices with grants (sgfilterctl show DEVICE): $B" "$tmp/out" &&
	ok "status: ... lists B, not A" || { not_ok "status: B"; sed 's/^/# /' "$tmp/out"; }
run 0 --json status
python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["granted"] == [sys.argv[2]], d' "$tmp/out" "$B" &&
	ok "status: ... --json: granted is [B]" || { not_ok "status: --json granted"; sed 's/^/# /' "$tmp/out"; }
"$tool" revoke "$B" all
for d in "$devs"/*; do rm -f "$d/sgio_grants"; done
