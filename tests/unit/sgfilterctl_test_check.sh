# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl tests: check: the verdict and why.
# Sourced by sgfilterctl_test.sh, in its order: the made-up sysfs trees,
# the helpers and the counts are its.
# shellcheck shell=bash disable=SC2154

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
