# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl tests: the module's tables: names per class, allow, deny, reset, show, --json.
# Sourced by sgfilterctl_test.sh, in its order: the made-up sysfs trees,
# the helpers and the counts are its.
# shellcheck shell=bash disable=SC2154

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
"$tool" stats > "$tmp/out" 2>&1
grep -q '^disk  *denied 2$' "$tmp/out" && ! grep -q allowed "$tmp/out" &&
	ok "stats: the denied counter, no allowed one (nothing counts allowed commands)" || not_ok "stats: denied only"
python3 - "$tool" <<'EOF' && ok "--json show disk has the entries and names" || not_ok "--json show disk content"
import json, subprocess, sys
d = json.loads(subprocess.check_output([sys.argv[1], "--json", "show", "disk"]))
e = {x["key"]: x for x in d["entries"]}
assert e["0x28"]["perm"] == "read" and e["0x28"]["name"] == "Read(10)"
assert e["0x5f/0x00"]["perm"] == "write" and e["0x5f/0x00"]["default"] == "none"
EOF
