# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl tests: the libvirt qemu hook (issue 15), against the made-up
# sysfs, with the domain XML of tests/unit/libvirt/*.xml (@DEV@: the test's
# /dev): prepare and release, a LUN shared by domains that ask the same,
# conflicts, a second prepare, a release of an unknown domain, bad XML and
# metadata, LUNs the domain does not have, the hook's base (what the LUN had
# before) coming back, libvirt-reconcile. Every refusal changes nothing.
# Sourced by sgfilterctl_test.sh after the grants tests.
# shellcheck shell=bash disable=SC2154

devs=$mod/bus/scsi/devices
xmls=$here/libvirt
A=1:0:0:0 B=3:0:0:0
for d in "$devs"/*; do : > "$d/sgio_grants"; echo 0 > "$d/unpriv_sgio"; done
state=$SGFILTER_RUN_DIR/libvirt
export SGFILTER_LIBVIRT_RUN_DIR=$tmp/libvirt-run
mkdir -p "$SGFILTER_LIBVIRT_RUN_DIR"
grants() { cat "$devs/$1/sgio_grants"; }
flag() { cat "$devs/$1/unpriv_sgio"; }
PR=$(printf '0x5e read\n0x5f write')
# hook WANT XML OPERATION [SUB]: the hook, as libvirt runs it, on a fixture
hook() {
	local want=$1 xml=$2 op=$3 sub=${4:-}
	[ -n "$sub" ] || { [ "$op" = prepare ] && sub=begin || sub=end; }
	sed "s|@DEV@|$tmp/dev|g" "$xml" > "$tmp/dom.xml"
	name=$(sed -n 's:.*<name>\(.*\)</name>.*:\1:p' "$tmp/dom.xml")
	run "$want" libvirt-hook "$name" "$op" "$sub" - < "$tmp/dom.xml"
}
expect_hook() { # WANT WHAT XML OP
	local want=$1 what=$2
	shift 2
	if hook "$want" "$@"; then ok "libvirt: $what"; else not_ok "libvirt: $what (exit $got, want $want)"; sed 's/^/# /' "$tmp/err"; fi
}
snap() { for d in "$devs"/*; do echo "== $d $(cat "$d/unpriv_sgio")"; cat "$d/sgio_grants" 2>/dev/null; done; cat "$state" 2>/dev/null || true; }
# refused_hook WHAT XML OP MESSAGE: exit 1, the message on stderr, nothing changed
refused_hook() {
	local what=$1 xml=$2 op=$3 msg=$4
	snap > "$tmp/lv.before"
	if hook 1 "$xml" "$op" && grep -q -- "$msg" "$tmp/err" && snap | cmp -s - "$tmp/lv.before"; then
		ok "libvirt_refused: $what: exit 1, says so, nothing changed"
	else
		not_ok "libvirt_refused: $what (exit $got)"; sed 's/^/# /' "$tmp/err"
		snap | diff "$tmp/lv.before" - | sed 's/^/# /'
	fi
}

if [ -b "$tmp/dev/sdb" ]; then
	mkdir -p "$tmp/dev/disk/by-id"
	ln -s ../../sdb "$tmp/dev/disk/by-id/wwn-0x6001405aaaabbbb1"

	# --- operations the hook leaves alone: exit 0, stdout empty (libvirt
	# would take output as a new XML for migrate and restore)
	for op in "start begin" "started begin" "stopped end" "migrate begin" "restore begin" "reconnect begin" "attach begin"; do
		# shellcheck disable=SC2086
		hook 0 "$xmls/vm1-pr.xml" $op
		[ ! -s "$tmp/out" ] && [ -z "$(grants $A)" ] && [ ! -e "$state" ] || { not_ok "libvirt: $op is left alone"; continue; }
		ok "libvirt: \"$op\" does nothing and prints nothing"
	done

	# --- prepare, release
	expect_hook 0 "prepare vm1 (pr for target sda, its source a by-id link)" "$xmls/vm1-pr.xml" prepare
	[ "$(grants $A)" = "$PR" ] && [ "$(flag $A)" = 0 ] && [ -z "$(grants $B)" ] &&
		ok "libvirt: ... the LUN has the pr grants, the flag stays 0, the other disk nothing" ||
		{ not_ok "libvirt: prepare vm1's grants"; grants $A | sed 's/^/# /'; }
	[ ! -s "$tmp/out" ] && ok "libvirt: ... and prints nothing on stdout" || not_ok "libvirt: prepare's stdout"
	grep -qx 'lun naa.6001405aaaabbbb1 disk .*/dev/disk/by-id/wwn-0x6001405aaaabbbb1 0' "$state" &&
		grep -qx 'use 11111111-1111-4111-8111-111111111111 vm1 naa.6001405aaaabbbb1 read 0x5e write 0x5f' "$state" &&
		ok "libvirt: ... recorded: the LUN's base (no grants, flag 0) and vm1's request" ||
		{ not_ok "libvirt: state after vm1"; sed 's/^/# /' "$state"; }
	snap > "$tmp/lv.one"
	expect_hook 0 "prepare vm1 again (libvirtd restarted mid-start)" "$xmls/vm1-pr.xml" prepare
	snap | cmp -s - "$tmp/lv.one" && ok "libvirt: ... replaces its record: grants and state as after the first" ||
		{ not_ok "libvirt: second prepare"; snap | diff "$tmp/lv.one" - | sed 's/^/# /'; }

	# --- a shared LUN: vm2 asks the same set, written out, by source
	expect_hook 0 "prepare vm2 (the same set as pr, by source H:C:T:L, <source file>)" "$xmls/vm2-pr-entries.xml" prepare
	[ "$(grants $A)" = "$PR" ] && [ "$(grep -c '^use ' "$state")" = 2 ] &&
		ok "libvirt: ... shares the LUN: two uses, the same grants" || { not_ok "libvirt: shared"; sed 's/^/# /' "$state"; }
	refused_hook "vm3 asks unfiltered for the LUN vm1 and vm2 use with pr" "$xmls/vm3-unfiltered.xml" prepare \
		'LUN naa.6001405aaaabbbb1 is in use by domain vm[12], which asked for read 0x5e write 0x5f; this domain asks for unfiltered: not starting it'
	sed 's/grant="pr"/grant="thin"/; s/vm1/vm5/; s/11111111-1111/55555555-5555/' "$xmls/vm1-pr.xml" > "$tmp/vm5.xml"
	refused_hook "vm5 asks thin for the same LUN" "$tmp/vm5.xml" prepare 'is in use by domain vm[12], which asked for read 0x5e write 0x5f; this domain asks for read 0x9e/0x12 write 0x41 0x42 0x7f/0x000d 0x93'
	expect_hook 0 "release vm1" "$xmls/vm1-pr.xml" release
	[ "$(grants $A)" = "$PR" ] && [ "$(grep -c '^use ' "$state")" = 1 ] &&
		ok "libvirt: ... vm2 still uses the LUN: the grants stay" || not_ok "libvirt: release of one of two"
	expect_hook 0 "release vm1 a second time (unknown now)" "$xmls/vm1-pr.xml" release
	expect_hook 0 "release vm3, which never started" "$xmls/vm3-unfiltered.xml" release
	[ "$(grants $A)" = "$PR" ] && ok "libvirt: ... neither changes anything" || not_ok "libvirt: unknown release"
	expect_hook 0 "release vm2, the last user" "$xmls/vm2-pr-entries.xml" release
	[ -z "$(grants $A)" ] && [ "$(flag $A)" = 0 ] && [ ! -e "$state" ] &&
		ok "libvirt: ... the grants are gone and so is the state file" || { not_ok "libvirt: last release"; grants $A | sed 's/^/# /'; }

	# --- unfiltered; the base comes back: an administrator's own grant stays
	echo "0x42 write" > "$devs/$A/sgio_grants"
	expect_hook 0 "prepare vm3 (unfiltered, by alias)" "$xmls/vm3-unfiltered.xml" prepare
	[ "$(flag $A)" = 1 ] && [ "$(grants $A)" = "0x42 write" ] &&
		ok "libvirt: ... unpriv_sgio is 1, the administrator's grant untouched" || not_ok "libvirt: unfiltered"
	refused_hook "vm1 asks pr for the LUN vm3 uses unfiltered" "$xmls/vm1-pr.xml" prepare 'in use by domain vm3, which asked for unfiltered'
	expect_hook 0 "release vm3" "$xmls/vm3-unfiltered.xml" release
	[ "$(flag $A)" = 0 ] && [ "$(grants $A)" = "0x42 write" ] && ok "libvirt: ... the flag is 0 again" || not_ok "libvirt: unfiltered release"
	expect_hook 0 "prepare vm1 over the administrator's 0x42" "$xmls/vm1-pr.xml" prepare
	[ "$(grants $A)" = "$(printf '0x42 write\n0x5e read\n0x5f write')" ] && ok "libvirt: ... the LUN has both" ||
		{ not_ok "libvirt: base + request"; grants $A | sed 's/^/# /'; }
	expect_hook 0 "release vm1" "$xmls/vm1-pr.xml" release
	[ "$(grants $A)" = "0x42 write" ] && ok "libvirt: ... back to the administrator's own" || not_ok "libvirt: base restored"
	echo 1 > "$devs/$A/unpriv_sgio"
	expect_hook 0 "prepare vm3 on a LUN whose flag the administrator set" "$xmls/vm3-unfiltered.xml" prepare
	expect_hook 0 "release vm3" "$xmls/vm3-unfiltered.xml" release
	[ "$(flag $A)" = 1 ] && ok "libvirt: ... the flag stays 1: it was 1 before" || not_ok "libvirt: flag base"
	echo 0 > "$devs/$A/unpriv_sgio"; : > "$devs/$A/sgio_grants"

	# --- a domain changes its request between two prepares
	expect_hook 0 "prepare vm1 (pr)" "$xmls/vm1-pr.xml" prepare
	sed 's/grant="pr"/grant="pr diag"/' "$xmls/vm1-pr.xml" > "$tmp/vm1b.xml"
	expect_hook 0 "prepare vm1 again, now pr and diag" "$tmp/vm1b.xml" prepare
	[ "$(grants $A)" = "$(printf '0x1c read\n0x1d write\n0x4d read\n0x5e read\n0x5f write')" ] &&
		[ "$(grep -c '^use ' "$state")" = 1 ] && ok "libvirt: ... the new request replaces the old" ||
		{ not_ok "libvirt: changed request"; grants $A | sed 's/^/# /'; }
	sed 's/grant="pr"/unfiltered="yes"/' "$xmls/vm1-pr.xml" > "$tmp/vm1c.xml"
	expect_hook 0 "prepare vm1 again, now unfiltered" "$tmp/vm1c.xml" prepare
	[ -z "$(grants $A)" ] && [ "$(flag $A)" = 1 ] && ok "libvirt: ... the grants go, the flag is 1" || not_ok "libvirt: to unfiltered"
	sed '/<metadata>/,/<\/metadata>/d' "$xmls/vm1-pr.xml" > "$tmp/vm1-nometa.xml"
	expect_hook 0 "prepare vm1 again, without metadata" "$tmp/vm1-nometa.xml" prepare
	[ -z "$(grants $A)" ] && [ "$(flag $A)" = 0 ] && [ ! -e "$state" ] &&
		ok "libvirt: ... its record goes, the LUN is as before" || not_ok "libvirt: to nothing"
	expect_hook 0 "a domain without metadata" "$tmp/vm1-nometa.xml" prepare
	[ ! -e "$state" ] && ok "libvirt: ... is left alone" || not_ok "libvirt: no metadata"

	# --- a SCSI hostdev, a domain name with spaces, a WWID with spaces and %
	expect_hook 0 "prepare \"vm4 with spaces\" (hostdev scsi_host3 0:0:0, diag and WRITE BUFFER)" "$xmls/vm4-hostdev.xml" prepare
	[ "$(grants $B)" = "$(printf '0x1c read\n0x1d write\n0x3b write\n0x4d read')" ] && [ -z "$(grants $A)" ] &&
		ok "libvirt: ... 3:0:0:0 has them, the disk the metadata does not name nothing" || { not_ok "libvirt: hostdev"; grants $B | sed 's/^/# /'; }
	grep -q '^use 44444444-4444-4444-8444-444444444444 vm4%20with%20spaces t10.ATA%20%20' "$state" &&
		ok "libvirt: ... its record has the name and WWID %XX-encoded" || { not_ok "libvirt: encoding"; sed 's/^/# /' "$state"; }
	expect_hook 0 "prepare vm1 meanwhile" "$xmls/vm1-pr.xml" prepare
	# --- reconcile: vm1 runs (its pid file names a live process), vm4 crashed
	echo $$ > "$SGFILTER_LIBVIRT_RUN_DIR/vm1.pid"
	echo 2147483 > "$SGFILTER_LIBVIRT_RUN_DIR/vm4 with spaces.pid"
	expect_status 0 "libvirt_reconcile: with vm1 running and vm4 gone" libvirt-reconcile
	grep -q '^domain vm1: running, LUN naa.6001405aaaabbbb1: read 0x5e write 0x5f$' "$tmp/out" &&
		grep -q '^domain vm4 with spaces: not running, its record of LUN t10.ATA' "$tmp/out" &&
		[ -z "$(grants $B)" ] && [ "$(grants $A)" = "$PR" ] &&
		ok "libvirt_reconcile: ... vm4's grants go, vm1's stay" || { not_ok "libvirt_reconcile"; sed 's/^/# /' "$tmp/out" "$tmp/err"; }
	rm -f "$SGFILTER_LIBVIRT_RUN_DIR/vm1.pid"
	expect_status 0 "libvirt_reconcile: after vm1 stopped without a release" libvirt-reconcile
	[ -z "$(grants $A)" ] && [ ! -e "$state" ] && ok "libvirt_reconcile: ... nothing left" || not_ok "libvirt_reconcile: all gone"
	expect_status 0 "libvirt_reconcile: with nothing recorded" libvirt-reconcile
	grep -q '^no domain has asked for a LUN$' "$tmp/out" && ok "libvirt_reconcile: ... says so" || not_ok "libvirt_reconcile: empty"

	# --- bad XML and bad metadata: the domain does not start, nothing changes
	expect_hook 0 "prepare vm1 (pr), to have a state to keep" "$xmls/vm1-pr.xml" prepare
	printf '<domain><name>vm1</name>\n<devices><disk></devices></domain>\n' > "$tmp/bad.xml"
	refused_hook "XML that does not parse" "$tmp/bad.xml" prepare 'the XML on stdin does not parse: line [0-9]*: Premature end of data'
	echo '<network><name>x</name></network>' > "$tmp/bad.xml"
	refused_hook "XML that is no domain" "$tmp/bad.xml" prepare 'is not a <domain>'
	: > "$tmp/bad.xml"
	refused_hook "no XML at all" "$tmp/bad.xml" prepare 'does not parse'
	bad_meta() { # WHAT SED-EXPRESSION MESSAGE
		sed "$2; s/vm1/vm6/; s/11111111-1111/66666666-6666/" "$xmls/vm1-pr.xml" > "$tmp/bad.xml"
		refused_hook "$1" "$tmp/bad.xml" prepare "$3"
	}
	bad_meta "a <lun> for a disk the domain does not have" 's/target="sda"/target="sdz"/' \
		'domain vm6: <sgfilter:lun> #1 (line 7) target="sdz": the domain has no <disk device=.lun.> or SCSI <hostdev> with target "sdz"'
	bad_meta "a <lun> for a disk that is not device='lun'" 's/target="sda"/target="vda"/' 'with target "vda"'
	bad_meta "a <lun> for a source no device of it has" 's|target="sda"|source="3:0:0:0"|' 'with source "3:0:0:0"'
	bad_meta "a misspelt attribute" 's/grant=/grnat=/' 'unknown attribute "grnat"'
	bad_meta "grant and unfiltered at once" 's/grant="pr"/grant="pr" unfiltered="yes"/' 'exactly one of grant'
	bad_meta "neither grant nor unfiltered" 's/ grant="pr"//' 'exactly one of grant'
	bad_meta "target and source at once" 's/target="sda"/target="sda" source="1:0:0:0"/' 'exactly one of target, alias, source'
	bad_meta "unfiltered=\"no\"" 's/grant="pr"/unfiltered="no"/' 'the only value is "yes"'
	bad_meta "an unknown profile" 's/grant="pr"/grant="prr"/' 'neither a profile'
	bad_meta "a misspelt opcode name" 's/grant="pr"/grant="write UNMAPP"/' 'UNMAPP'
	bad_meta "an empty grant=\"\"" 's|<target dev=.sda. bus=.scsi./>|<target dev="sda" bus="scsi"/><alias name="ua-x"/>|; s/grant="pr"/grant=""/' 'grants nothing'
	bad_meta "an unknown element of ours" 's|<sgfilter:lun |<sgfilter:lnu |' 'unknown element <lnu>'
	bad_meta "the same LUN asked twice, differently" 's|<sgfilter:lun target="sda" grant="pr"/>|<sgfilter:lun target="sda" grant="pr"/><sgfilter:lun source="1:0:0:0" grant="thin"/>|' 'asked for twice, differently'
	bad_meta "a source path that is no SCSI device" "s|$(echo '@DEV@/disk/by-id/wwn-0x6001405aaaabbbb1')|/dev/null|" 'its source is no SCSI device or multipath map that can take a grant'
	sed 's/vm1/vm6/; s/11111111-1111/66666666-6666/; s|<sgfilter:lun target="sda" grant="pr"/>|<sgfilter:lun target="sda" grant="pr"/><sgfilter:lun source="1:0:0:0" grant="read 0x5e write 0x5f"/>|' \
		"$xmls/vm1-pr.xml" > "$tmp/dup.xml"
	expect_hook 0 "the same LUN asked twice, the same way (shares with vm1)" "$tmp/dup.xml" prepare
	[ "$(grep -c '^use 66666666' "$state")" = 1 ] && ok "libvirt: ... one record" || not_ok "libvirt: duplicate"
	expect_hook 0 "release vm6" "$tmp/dup.xml" release
	printf 'garbage line\n' >> "$state"
	refused_hook "a state file with a line it did not write" "$xmls/vm2-pr-entries.xml" prepare 'neither a lun nor a use line'
	sed -i '$d' "$state"
	printf '<<<' > "$tmp/bad1.xml"
	run 0 libvirt-hook vm1 release end - < "$tmp/bad1.xml"
	[ -z "$(grants $A)" ] && [ ! -e "$state" ] && ok "libvirt: ... release of vm1 with XML that does not parse: by its name" ||
		{ not_ok "libvirt: release by name (exit $got)"; sed 's/^/# /' "$tmp/err"; }

	# --- grants need the module: without an sgio_grants file a grant request fails
	rm -f "$devs/$A/sgio_grants"
	refused_hook "pr on a LUN without sgio_grants (no module)" "$xmls/vm1-pr.xml" prepare 'grants need the sgfilter module'
	expect_hook 0 "... while unfiltered needs no module" "$xmls/vm3-unfiltered.xml" prepare
	expect_hook 0 "release vm3" "$xmls/vm3-unfiltered.xml" release
	[ "$(flag $A)" = 0 ] && [ ! -e "$state" ] && ok "libvirt: ... and its release puts the flag back" || not_ok "libvirt: unfiltered without module"
	: > "$devs/$A/sgio_grants"

	# --- a dm-multipath map as the disk's source: every path, and the WWID
	# remembered for paths that appear later; one path of it is refused
	if [ -b "$tmp/dev/dm-3" ]; then
		mkpath 4:0:0:0 sdd naa.6001405ccccdddd1
		mkpath 5:0:0:0 sde naa.6001405ccccdddd1
		mkdir -p "$mod/block/dm-3/dm" "$mod/block/dm-3/slaves/sdd" "$mod/block/dm-3/slaves/sde" \
			"$mod/block/sdd/holders/dm-3" "$mod/block/sde/holders/dm-3" "$mod/dev/block"
		echo mpath-36001405ccccdddd1 > "$mod/block/dm-3/dm/uuid"
		ln -sfn ../../block/dm-3 "$mod/dev/block/253:3"
		sed "s|@DEV@/disk/by-id/wwn-0x6001405aaaabbbb1|@DEV@/mapper/mpatha|; s/vm1/vm7/; s/11111111-1111/77777777-7777/" \
			"$xmls/vm1-pr.xml" > "$tmp/vm7.xml"
		expect_hook 0 "prepare vm7 (pr, its source /dev/mapper/mpatha)" "$tmp/vm7.xml" prepare
		[ "$(grants 4:0:0:0)" = "$PR" ] && [ "$(grants 5:0:0:0)" = "$PR" ] && [ -z "$(grants $A)" ] &&
			grep -qx 'grant naa.6001405ccccdddd1 read 0x5e write 0x5f' "$SGFILTER_RUN_DIR/grants" &&
			ok "libvirt_multipath: ... both paths have the pr grants, remembered by WWID for new paths" ||
			{ not_ok "libvirt_multipath: prepare"; sed 's/^/# /' "$tmp/err"; }
		expect_hook 0 "release vm7" "$tmp/vm7.xml" release
		[ -z "$(grants 4:0:0:0)" ] && [ -z "$(grants 5:0:0:0)" ] &&
			! grep -q 'naa.6001405ccccdddd1' "$SGFILTER_RUN_DIR/grants" && [ ! -e "$state" ] &&
			ok "libvirt_multipath: ... both paths cleared, the WWID forgotten" || not_ok "libvirt_multipath: release"
		mknod "$tmp/dev/sdd" b 8 48 && mkdir -p "$mod/dev/block/8:48" &&
			ln -sfn ../../../bus/scsi/devices/4:0:0:0 "$mod/dev/block/8:48/device"
		sed 's|@DEV@/mapper/mpatha|@DEV@/sdd|' "$tmp/vm7.xml" > "$tmp/vm7p.xml"
		refused_hook "a disk whose source is one path of a multipath map" "$tmp/vm7p.xml" prepare 'is a path of the multipath map dm-3'
		rm -rf "$devs"/[45]:0:0:0 "$mod/block" "$mod/dev/block/253:3" "$mod/dev/block/8:48"
	else
		ok "libvirt_multipath # SKIP no dm node"
	fi

	# --- argument errors
	expect_status 2 "libvirt: libvirt-hook without an operation" libvirt-hook vm1
else
	ok "libvirt # SKIP mknod needs root"
fi
for d in "$devs"/*; do rm -f "$d/sgio_grants"; done
