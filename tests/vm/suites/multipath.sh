# SPDX-License-Identifier: GPL-2.0
#
# dm-multipath over two tcm_loop paths to one LIO LUN of the suite's own
# (LUN 1 of the setup's target, and LUN 0 of a second one), with a unit
# serial, so that it has a WWID as an array's LUN has; the map as
# multipathd makes it (dm uuid "mpath-" and the WWID), made with dmsetup:
#
# - unpriv_sgio: the dm device has no unpriv_sgio file (a flag there would
#   be accepted and ignored, since dm passes SG_IO to a path); the paths'
#   flags are what count.
# - grants (issue 14), with sgfilter.ko: "sgfilterctl grant /dev/dm-N pr"
#   gives every path the grant, and an unprivileged writer of the map and
#   of each path then sends PERSISTENT RESERVE IN/OUT (sg_persist), but not
#   WRITE BUFFER or SANITIZE, nor FORMAT UNIT where the disk table denies it
#   (sg_raw); a path deleted and rescanned gets the grant back from
#   apply-device (what the udev rule runs), by the LUN's WWID in
#   /run/sgfilter/grants; revoke through the map clears every path, and a
#   path that comes back after it gets nothing; a grant to one path alone
#   is refused and changes nothing. Every "allowed" has its "denied" twin.

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

MP_TPG2=/sys/kernel/config/target/loopback/naa.5001405000000003/tpgt_1
MP_KEY=0x5eed
MP_PR="$(printf '0x5e read\n0x5f write')"	# the pr profile's sgio_grants

# The block device of SCSI device $1, once sd has it (up to 10 s); its
# node gets group disk and mode 0660, as a distribution's rules give it
mp_block() {
	local b i
	for i in $(seq 100); do
		b=$(ls "/sys/bus/scsi/devices/$1/block" 2>/dev/null) && [ -n "$b" ] && [ -e "/dev/$b" ] && break
		sleep 0.1
	done
	[ -n "$b" ] || return 1
	chgrp disk "/dev/$b" && chmod 660 "/dev/$b" && settle "/dev/$b" && echo "$b"
}

# The second path (MP_HCTL2, MP_P2): the SCSI device with the LUN's WWID
# that is not $MP_HCTL1; waits up to 10 s for it
mp_find_path2() {
	local d i
	MP_P2="" MP_HCTL2=""
	for i in $(seq 100); do
		for d in /sys/bus/scsi/devices/*:*:*:*; do
			[ "$(basename "$d")" = "$MP_HCTL1" ] && continue
			[ "$(cat "$d/wwid" 2>/dev/null)" = "$MP_WWID" ] && MP_HCTL2=$(basename "$d")
		done
		[ -n "$MP_HCTL2" ] && break
		sleep 0.1
	done
	[ -n "$MP_HCTL2" ] && MP_P2=$(mp_block "$MP_HCTL2")
}

# The map's table over the block devices $@, one priority group
mp_table() {
	local t="0 $MP_SIZE multipath 0 0 1 1 round-robin 0 $# 1" b
	for b; do t="$t $(cat "/sys/block/$b/dev") 1"; done
	echo "$t"
}

# Load the map's table over the block devices $@ (multipathd's reload when
# a path goes or comes)
mp_reload() {
	dmsetup reload sgfmp --table "$(mp_table "$@")" > /tmp/mp.dm 2>&1 &&
		dmsetup --noudevsync resume sgfmp >> /tmp/mp.dm 2>&1 ||
		{ sed 's/^/# /' /tmp/mp.dm; return 1; }
}

# The second path goes (out of the map, then its SCSI device deleted) and
# comes back by a rescan of its host, as a new SCSI device with no grants;
# not back in the map yet: multipathd would add it after udev's rules ran
mp_cycle_path2() {
	local hctl=$MP_HCTL2
	mp_reload "$MP_P1" || return 1
	echo 1 > "/sys/bus/scsi/devices/$hctl/delete" || return 1
	[ ! -e "/sys/bus/scsi/devices/$hctl" ] || return 1
	echo "- - -" > "/sys/class/scsi_host/host${hctl%%:*}/scan"
	mp_find_path2 && ktap_print_msg "the path came back as $MP_HCTL2 $MP_P2"
}

# As tester, CMD...: 0 if it went through and the device said GOOD
mp_ok() {
	as_user "$@" > /tmp/mp.o 2>&1 && ! grep -q "not permitted" /tmp/mp.o && return 0
	sed 's/^/#   /' /tmp/mp.o
	return 1
}

# As tester, CMD...: 0 if SG_IO failed with EPERM
mp_eperm() {
	as_user "$@" > /tmp/mp.o 2>&1
	grep -q "not permitted" /tmp/mp.o && return 0
	sed 's/^/#   /' /tmp/mp.o
	return 1
}

mp_pr_out() { echo "sg_persist --out --register-ignore --param-sark=$MP_KEY $1"; }
mp_pr_in() { echo "sg_persist --in --read-keys $1"; }
# Commands that pr does not give, each harmless if it were sent: FORMAT
# UNIT (LIO has none), WRITE BUFFER mode 0x02 (data) of nothing, SANITIZE
# EXIT FAILURE MODE
MP_FORMAT="04 00 00 00 00 00"
MP_WBUF="3b 02 00 00 00 00 00 00 00 00"
MP_SANITIZE="48 1f 00 00 00 00 00 00 00 00"

# Every SCSI device's sgio_grants and the runtime state: what a refused
# grant must leave as it was
mp_snap() {
	local d
	for d in /sys/bus/scsi/devices/*/sgio_grants; do echo "== $d"; cat "$d"; done
	cat /run/sgfilter/grants 2>/dev/null
}

mp_grants() { cat "/sys/bus/scsi/devices/$1/sgio_grants"; }

# Both paths' grants are $1 ("" for none)
mp_paths_have() {
	[ "$(mp_grants "$MP_HCTL1")" = "$1" ] && [ "$(mp_grants "$MP_HCTL2")" = "$1" ] && return 0
	ktap_print_msg "$MP_HCTL1: $(mp_grants "$MP_HCTL1" | tr '\n' ' ')"
	ktap_print_msg "$MP_HCTL2: $(mp_grants "$MP_HCTL2" | tr '\n' ' ')"
	return 1
}

# sgfilterctl $@ (a grant to one path of the map) is refused, names the
# map, and changes no device's grants nor the runtime state
mp_refused() {
	mp_snap > /tmp/mp.before
	sgfilterctl "$@" > /tmp/mp.o 2>&1
	[ $? = 1 ]
	ktap_test_status $? "sgfilterctl $*: refused (exit 1)"
	grep -q "is a path of the multipath map $MP_DM" /tmp/mp.o &&
		grep -q "grant through the map, /dev/$MP_DM" /tmp/mp.o
	ktap_test_status $? "... with the reason, naming the map $MP_DM"
	sed 's/^/#   /' /tmp/mp.o
	mp_snap | cmp -s - /tmp/mp.before
	ktap_test_status $? "... and nothing changed (every device's grants, /run/sgfilter/grants)"
}

# The unpriv_sgio flags of the paths decide for the map
mp_flags() {
	local q1=/sys/block/$MP_P1/queue/unpriv_sgio q2=/sys/block/$MP_P2/queue/unpriv_sgio
	[ ! -e "/sys/block/$MP_DM/queue/unpriv_sgio" ]
	ktap_test_status $? "$MP_DM (multipath) has no queue/unpriv_sgio file"
	[ -e "$q1" ] && [ -e "$q2" ]
	ktap_test_status $? "its paths $MP_P1 and $MP_P2 have one"
	echo 0 > "$q1"; echo 0 > "$q2"
	mp_eperm "$(mp_pr_in "/dev/$MP_DM")"
	ktap_test_status $? "path flags 0: an unprivileged writer's PERSISTENT RESERVE IN through $MP_DM is refused"
	echo 1 > "$q1"; echo 1 > "$q2"
	mp_ok "$(mp_pr_in "/dev/$MP_DM")"
	ktap_test_status $? "path flags 1: the same command through $MP_DM succeeds"
	echo 0 > "$q1"; echo 0 > "$q2"
}

# An unprivileged writer's verdicts on node $1 with the pr grant: PR IN and
# OUT sent; WRITE BUFFER and SANITIZE refused (the disk table gives writers
# neither)
mp_granted_verdicts() {
	mp_ok "$(mp_pr_out "$1")"
	ktap_test_status $? "granted: the user's PERSISTENT RESERVE OUT (register) through $1 succeeds"
	mp_ok "$(mp_pr_in "$1")"
	ktap_test_status $? "granted: the user's PERSISTENT RESERVE IN through $1 succeeds"
	mp_eperm sg_raw "$1" $MP_WBUF
	ktap_test_status $? "granted: the user's WRITE BUFFER through $1 is still EPERM"
	mp_eperm sg_raw "$1" $MP_SANITIZE
	ktap_test_status $? "granted: the user's SANITIZE through $1 is still EPERM"
}

# FORMAT UNIT is a writer's command in mainline's list and the disk table:
# a cluster LUN's site denies it in the table (the grant adds PR only, and
# takes nothing away); root's commands reach LIO, which answers them
# (the twins: the EPERMs are the filter's)
mp_format_verdicts() {
	local node
	sgfilterctl deny disk FORMAT_UNIT
	ktap_test_status $? "sgfilterctl deny disk FORMAT_UNIT"
	for node in "$@"; do
		mp_eperm sg_raw "$node" $MP_FORMAT
		ktap_test_status $? "granted, FORMAT UNIT denied in the disk table: the user's FORMAT UNIT through $node is EPERM"
	done
	mp_ok "$(mp_pr_out "$1")"
	ktap_test_status $? "... while the user's PERSISTENT RESERVE OUT through $1 still succeeds"
	sgfilterctl reset disk
	ktap_test_status $? "sgfilterctl reset disk"
	mp_sent_as_root "$1" $MP_FORMAT
	ktap_test_status $? "root's FORMAT UNIT through $1 is sent (LIO: $(grep -i -m1 'additional sense' /tmp/mp.o))"
	mp_sent_as_root "$1" $MP_WBUF
	ktap_test_status $? "root's WRITE BUFFER through $1 is sent"
	mp_sent_as_root "$1" $MP_SANITIZE
	ktap_test_status $? "root's SANITIZE through $1 is sent (LIO: $(grep -i -m1 'additional sense' /tmp/mp.o))"
}

# Root's sg_raw on $1 of CDB $2...: 0 if SG_IO took it (the device may
# still answer CHECK CONDITION)
mp_sent_as_root() {
	local node=$1
	shift
	sg_raw "$node" "$@" > /tmp/mp.o 2>&1
	! grep -q "not permitted" /tmp/mp.o
}

# ... and without it: PR IN and OUT refused
mp_denied_verdicts() {
	mp_eperm "$(mp_pr_out "$1")"
	ktap_test_status $? "$2: the user's PERSISTENT RESERVE OUT through $1 is EPERM"
	mp_eperm "$(mp_pr_in "$1")"
	ktap_test_status $? "$2: the user's PERSISTENT RESERVE IN through $1 is EPERM"
}

# sgfilter.ko, unless a suite before loaded it (stock_load does): grants
# need it, and on Debian's own kernel the unpriv_sgio files come with it.
# MP_LOADED: this suite loaded it, and unloads it at the end.
MP_LOADED=0
mp_load_module() {
	[ -d /sys/module/sgfilter ] && return 0
	modprobe sgfilter
	ktap_test_status $? "modprobe sgfilter ($1)"
	MP_LOADED=1
}

mp_grants_suite() {
	local dm=/dev/$MP_DM node wwid=$MP_WWID
	mp_load_module "grants need it"

	# Before any grant: the denied twins
	mp_paths_have ""
	ktap_test_status $? "before: neither path has grants"
	for node in "$dm" "/dev/$MP_P1" "/dev/$MP_P2"; do mp_denied_verdicts "$node" before; done
	mp_refused grant "/dev/$MP_P1" pr

	sgfilterctl grant "$dm" pr
	ktap_test_status $? "sgfilterctl grant $dm pr"
	mp_paths_have "$MP_PR"
	ktap_test_status $? "... each path's sgio_grants ($MP_HCTL1, $MP_HCTL2) shows 0x5e read, 0x5f write"
	grep -q "^grant $wwid " /run/sgfilter/grants
	ktap_test_status $? "... remembered by the LUN's WWID ($wwid) in /run/sgfilter/grants"
	for node in "$dm" "/dev/$MP_P1" "/dev/$MP_P2"; do mp_granted_verdicts "$node"; done
	sg_persist --in --read-keys "$dm" 2>/dev/null | grep -qi "$MP_KEY"
	ktap_test_status $? "... the device has the user's key $MP_KEY"
	mp_format_verdicts "$dm" "/dev/$MP_P1" "/dev/$MP_P2"
	# A reader of the map: pr gives PR IN to readers, OUT to writers only
	mp_ok sg_raw -R -r 8 "$dm" 5e 00 00 00 00 00 00 00 08 00
	ktap_test_status $? "granted: a read-only opener's PERSISTENT RESERVE IN through $dm succeeds"
	head -c 24 /dev/zero > /tmp/mp.param && chmod 644 /tmp/mp.param
	mp_eperm sg_raw -R -s 24 -i /tmp/mp.param "$dm" 5f 06 00 00 00 00 00 00 18 00
	ktap_test_status $? "granted: a read-only opener's PERSISTENT RESERVE OUT through $dm is EPERM"
	mp_refused grant "$MP_HCTL2" fw

	# A path that appears after the grant: nothing until apply-device
	mp_cycle_path2
	ktap_test_status $? "path $MP_HCTL2 deleted and rescanned"
	[ -z "$(mp_grants "$MP_HCTL2")" ]
	ktap_test_status $? "... it appears without grants"
	mp_eperm "$(mp_pr_out "/dev/$MP_P2")"
	ktap_test_status $? "... and the user's PERSISTENT RESERVE OUT through /dev/$MP_P2 is EPERM"
	sgfilterctl apply-device "$MP_HCTL2"
	ktap_test_status $? "sgfilterctl apply-device $MP_HCTL2 (the udev rule's command)"
	[ "$(mp_grants "$MP_HCTL2")" = "$MP_PR" ]
	ktap_test_status $? "... gives it the map's grant, from /run/sgfilter/grants"
	mp_ok "$(mp_pr_out "/dev/$MP_P2")"
	ktap_test_status $? "... and the user's PERSISTENT RESERVE OUT through /dev/$MP_P2 succeeds"
	mp_reload "$MP_P1" "$MP_P2"
	ktap_test_status $? "the path is back in the map"
	sgfilterctl show "$dm" > /tmp/mp.o 2>&1 && grep -q "^# $MP_DM: multipath, WWID $wwid, paths:" /tmp/mp.o &&
		[ "$(grep -c '^0x5f .*\[grant\]$' /tmp/mp.o)" = 2 ]
	ktap_test_status $? "sgfilterctl show $dm: both paths, each with the grant"
	mp_ok "$(mp_pr_out "$dm")"
	ktap_test_status $? "the user's PERSISTENT RESERVE OUT through $dm succeeds"

	sgfilterctl revoke "$dm" pr
	ktap_test_status $? "sgfilterctl revoke $dm pr"
	mp_paths_have ""
	ktap_test_status $? "... clears every path"
	! grep -q "^grant $wwid " /run/sgfilter/grants 2>/dev/null
	ktap_test_status $? "... and /run/sgfilter/grants forgets the LUN"
	for node in "$dm" "/dev/$MP_P1" "/dev/$MP_P2"; do mp_denied_verdicts "$node" revoked; done

	# A path that comes back after the revoke gets nothing
	mp_cycle_path2
	ktap_test_status $? "path $MP_HCTL2 deleted and rescanned again"
	sgfilterctl apply-device "$MP_HCTL2"
	ktap_test_status $? "sgfilterctl apply-device $MP_HCTL2"
	[ -z "$(mp_grants "$MP_HCTL2")" ]
	ktap_test_status $? "... gives it nothing after the revoke"
	mp_eperm "$(mp_pr_out "/dev/$MP_P2")"
	ktap_test_status $? "... and the user's PERSISTENT RESERVE OUT through /dev/$MP_P2 is EPERM"
	mp_reload "$MP_P1" "$MP_P2"
	ktap_test_status $? "the path is back in the map"
	mp_refused grant "/dev/$MP_P1" pr

	# the user's registrations go (one per path, each path its own I_T nexus)
	for node in "/dev/$MP_P1" "/dev/$MP_P2"; do
		sg_persist --out --register-ignore --param-sark=0 "$node" > /dev/null 2>&1
	done
	if [ $MP_LOADED = 1 ]; then
		rmmod sgfilter
		ktap_test_status $? "rmmod sgfilter"
	fi
}

suite_multipath() {
	local tpg1_lun=$LIO_TPG/lun/lun_1 core=/sys/kernel/config/target/core/fileio_0/lio1
	ktap_print_header
	MP_HCTL1=$(lio_add_lun 1 sgfilter-mpath-lun1) && MP_P1=$(mp_block "$MP_HCTL1") &&
		MP_WWID=$(cat "/sys/bus/scsi/devices/$MP_HCTL1/wwid")
	ktap_test_status $? "LIO LUN 1 with a unit serial: $MP_HCTL1 ${MP_P1:-none}, WWID ${MP_WWID:-none}"
	mkdir -p "$MP_TPG2" && echo naa.5001405000000004 > "$MP_TPG2/nexus" &&
		mkdir "$MP_TPG2/lun/lun_0" && ln -s "$core" "$MP_TPG2/lun/lun_0/lio1"
	mp_find_path2
	ktap_test_status $? "a second path to it: ${MP_HCTL2:-none} ${MP_P2:-none}"
	[ -n "$MP_P2" ] && [ -n "$MP_WWID" ] || { ktap_finished; return 1; }
	MP_SIZE=$(cat "/sys/block/$MP_P1/size")
	# multipathd names a map's dm uuid "mpath-" and the LUN's WWID
	dmsetup --noudevsync create sgfmp --uuid "mpath-$MP_WWID" --table "$(mp_table "$MP_P1" "$MP_P2")"
	ktap_test_status $? "dmsetup create: multipath over $MP_P1 and $MP_P2"
	MP_DM=$(basename "$(dirname "$(dirname "$(grep -l '^sgfmp$' /sys/block/dm-*/dm/name)")")")
	case $MP_DM in dm-*) ;; *) ktap_finished; return 1 ;; esac
	chgrp disk "/dev/$MP_DM" && chmod 660 "/dev/$MP_DM"

	# the patched kernel's flags work without the module: tested so there
	! stock_kernel || mp_load_module "the stock backend's unpriv_sgio files"
	mp_flags
	mp_grants_suite

	dmsetup --noudevsync remove sgfmp
	rm "$MP_TPG2/lun/lun_0/lio1" && rmdir "$MP_TPG2/lun/lun_0" && rmdir "$MP_TPG2" &&
		rmdir "$(dirname "$MP_TPG2")" && rm "$tpg1_lun/lio1" && rmdir "$tpg1_lun" &&
		rmdir "$core" && rm -f /tmp/lio1.img
	ktap_test_status $? "the map, the second path and LUN 1 go again"
	ktap_finished
}
