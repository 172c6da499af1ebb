# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl_test.sh's helpers: test results, running the tool, and the
# made-up sysfs trees (without the module, then with its class files).
# Sourced by sgfilterctl_test.sh, which sets tool and tmp and sources the
# KTAP helper (tests/vm/lib/ktap.sh) first.
# shellcheck shell=bash disable=SC2154

ok() { ktap_test_pass "$*"; }
not_ok() { ktap_test_fail "$*"; }

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
make_sysfs_without_module() {
	nomod=$tmp/nomod
	mkdir -p "$nomod/bus/scsi/devices/1:0:0:0" "$nomod/bus/scsi/devices/0:0:1:0"
	echo 0 > "$nomod/bus/scsi/devices/1:0:0:0/type"
	echo 0 > "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio"
	echo naa.6001405aaaabbbb1 > "$nomod/bus/scsi/devices/1:0:0:0/wwid"
	echo 5 > "$nomod/bus/scsi/devices/0:0:1:0/type"
	echo 0 > "$nomod/bus/scsi/devices/0:0:1:0/unpriv_sgio"
	export SGFILTER_SYSFS=$nomod
}

# --- the module's sysfs: the class files, filled from the built-in tables
make_sysfs_with_module() {
	mod=$tmp/mod
	cp -r "$nomod" "$mod"
	export SGFILTER_SYSFS=$mod
	SGFILTER_SYSFS=$nomod "$tool" save "$tmp/builtin.conf" || not_ok "save without the module"
	for c in disk cdrom tape changer enclosure other; do
		d=$mod/kernel/sgfilter/$c
		mkdir -p "$d"
		sed -n "s/^$c //p" "$tmp/builtin.conf" > "$d/table"
		: > "$d/allow"; : > "$d/deny"; : > "$d/reset"; : > "$d/load"
		echo 2 > "$d/denied"; printf '0x42 2\n' > "$d/denied_opcodes"
	done
}

# empty the files the tool writes its edits to
reset_files() { for f in "$mod"/kernel/sgfilter/*/{allow,deny,load}; do [ -d "$f" ] || : > "$f"; done; }
