#!/bin/sh
# SPDX-License-Identifier: GPL-2.0
#
# /init of the sgfilter test VM. Sets up the SCSI targets, runs the suites
# named on the kernel command line (sgf.run=suite,suite,...) and reports on
# the second serial port, which the host reads:
#
#   SGF-SUITE <name>            a suite starts; TAP/KTAP lines follow
#   SGF-SUITE-END <name> <rc>   it ended with exit status rc
#   SGF-DONE                    everything ran; the VM powers off
#
# The setup suite always runs first. Kernel messages go to the first serial port; the host checks them for
# warnings, oopses, KASAN and lockdep reports.

export PATH=/usr/bin:/bin:/sbin
mount -t proc proc /proc
mount -t sysfs sysfs /sys
mount -t devtmpfs devtmpfs /dev
mount -t tmpfs tmpfs /tmp
mount -t configfs configfs /sys/kernel/config
chmod 1777 /tmp

exec 3>/dev/ttyS1
report() { echo "$@" >&3; }
log() { echo "init: $*" > /dev/kmsg; }

suites=$(sed -n 's/.*sgf\.run=\([^ ]*\).*/\1/p' /proc/cmdline | tr , ' ')
reloads=$(sed -n 's/.*sgf\.reloads=\([0-9]*\).*/\1/p' /proc/cmdline)
module_reloads=$(sed -n 's/.*sgf\.module_reloads=\([0-9]*\).*/\1/p' /proc/cmdline)

# --- targets -------------------------------------------------------------

# Print the H:C:T:L of the first SCSI device whose model starts with $1
# (and whose LUN is $2, if given).
find_dev() {
	local d
	for d in /sys/bus/scsi/devices/*:*:*:${2:-*}; do
		[ -e "$d/model" ] || continue
		case $(cat "$d/model") in "$1"*) basename "$d"; return 0 ;; esac
	done
	return 1
}

wait_dev() {
	local i=0
	while ! find_dev "$1" "$2" >/dev/null; do
		i=$((i + 1))
		[ $i -le 100 ] || { log "no device with model $1"; return 1; }
		sleep 0.1
	done
	find_dev "$1" "$2"
}

# Export NAME=node, NAME_SG=node, NAME_BSG=node for device $2; make the
# nodes readable and writable by group disk, as a distribution would.
export_nodes() {
	local name=$1 hctl=$2 d=/sys/bus/scsi/devices/$2 blk sg node
	blk=$(ls "$d/block" 2>/dev/null | head -1)
	sg=$(ls "$d/scsi_generic" 2>/dev/null | head -1)
	[ -n "$blk" ] && eval "export $name=/dev/$blk"
	[ -n "$sg" ] && eval "export ${name}_SG=/dev/$sg"
	eval "export ${name}_BSG=/dev/bsg/$hctl"
	for node in ${blk:+/dev/$blk} ${sg:+/dev/$sg} /dev/bsg/$hctl; do
		chgrp disk "$node" && chmod 660 "$node"
	done
}

# Give the nodes of every exported test device group disk and mode 0660 again
restore_node_perms() {
	local node
	for node in $(env | sed -n 's/^SGF_[A-Z_]*=\(\/dev\/.*\)/\1/p'); do
		[ -e "$node" ] && chgrp disk "$node" && chmod 660 "$node"
	done
}

# Two TEST UNIT READYs: the first commands after a LUN appears may get
# UNIT ATTENTION.
settle() { sg_turs "$1" >/dev/null 2>&1; sg_turs "$1" >/dev/null 2>&1; }

setup_scsi_debug() {
	local hctl
	modprobe scsi_debug lbpu=1 dev_size_mb=16 || return 1
	hctl=$(wait_dev scsi_debug) || return 1
	export_nodes SGF_DISK "$hctl"
	settle "$SGF_DISK"
	# A pattern that the UNMAP tests check is still there afterwards
	dd if=/dev/urandom of="$SGF_DISK" bs=512 count=8 conv=fsync 2>/dev/null
}

setup_qemu_devices() {
	local hctl
	hctl=$(wait_dev "QEMU CD-ROM") || return 1
	export_nodes SGF_CDROM "$hctl"
	hctl=$(wait_dev "QEMU HARDDISK") || return 1
	export_nodes SGF_QEMU_DISK "$hctl"
}

# LIO fileio LUNs behind tcm_loop: the target with full SPC-4 persistent
# reservations. Reservation metadata goes to /etc/target/pr.
LIO_TPG=/sys/kernel/config/target/loopback/naa.5001405000000001/tpgt_1

# Add LUN $1 of 16 MiB (backing file /tmp/lio$1.img); print its H:C:T:L.
lio_add_lun() {
	local core=/sys/kernel/config/target/core/fileio_0/lio$1
	mkdir -p "$core" || return 1
	echo "fd_dev_name=/tmp/lio$1.img,fd_dev_size=16777216" > "$core/control"
	echo 1 > "$core/enable" || return 1
	echo 1 > "$core/attrib/emulate_tpu" || return 1
	mkdir "$LIO_TPG/lun/lun_$1" || return 1
	ln -s "$core" "$LIO_TPG/lun/lun_$1/lio$1" || return 1
	# LIO's INQUIRY product identification is the backstore type
	wait_dev FILEIO "$1"
}

setup_lio() {
	local hctl
	set -x
	modprobe tcm_loop && modprobe target_core_file || return 1
	mkdir -p "$LIO_TPG" || return 1
	# tcm_loop adds the SCSI device when the LUN is linked: nexus first
	echo naa.5001405000000002 > "$LIO_TPG/nexus" || return 1
	hctl=$(lio_add_lun 0) || return 1
	export_nodes SGF_LIO "$hctl"
	settle "$SGF_LIO"
	set +x
}

# --- suites --------------------------------------------------------------

# Run a command as the unprivileged user, with the SGF_* environment.
as_user() {
	local envs
	envs=$(env | grep '^SGF_' | tr '\n' ' ')
	su tester -s /bin/sh -c "cd /tmp && env $envs $*"
}

run_suite() {
	local name=$1 rc
	shift
	report "SGF-SUITE $name"
	"$@" >&3 2>&1
	rc=$?
	report "SGF-SUITE-END $name $rc"
}

# TAP for the setup steps, so that a target that fails to appear is a
# failure the host counts, not a silent skip.
suite_setup() {
	local no=0 bad=0 step
	for step in setup_scsi_debug setup_qemu_devices setup_lio; do
		no=$((no + 1))
		if $step > /tmp/setup.log 2>&1 && { set +x; } 2>/dev/null; then
			echo "ok $no - $step"
		else
			{ set +x; } 2>/dev/null
			echo "not ok $no - $step"
			sed 's/^/# /' /tmp/setup.log
			bad=1
		fi
	done
	echo "1..$no"
	env | grep '^SGF_' | sort | sed 's/^/# /'
	return $bad
}

suite_selftests_user() { as_user /tests/sgio_filter_test; }
suite_selftests_root() { /tests/sgio_filter_test; }
suite_unpriv_sgio() { /tests/unpriv_sgio_test; }
suite_module() { SGF_MODULE_RELOADS=${module_reloads:-50} /tests/sgfilter_module_test; }

# The real client: QEMU, run by the unprivileged user, passes the LIO disk to
# a guest with scsi-block; the guest registers a reservation key. Refused
# with unpriv_sgio=0, done with 1 (written where libvirt writes it), and the
# key is then visible from the host.
run_guest() {
	local key=$1 log=$2
	rm -f "$log"
	timeout 300 su tester -s /bin/sh -c "qemu-system-x86_64 -accel tcg -m 256 \
		-nographic -no-reboot -nodefaults \
		-kernel /guest/bzImage -initrd /guest/initramfs.cpio.gz \
		-append 'console=ttyS0 panic=-1 reboot=t nowatchdog sgf.key=$key' \
		-serial file:$log \
		-device virtio-scsi-pci,id=scsi0 \
		-drive file=$SGF_LIO,if=none,format=raw,id=lun0 \
		-device scsi-block,drive=lun0,bus=scsi0.0" </dev/null >/tmp/qemu.out 2>&1
}

suite_qemu_client() {
	local flag key=0x5347 n=0 bad=0 rc t0
	flag=/sys/dev/block/$(cat "/sys/block/${SGF_LIO#/dev/}/dev")/queue/unpriv_sgio
	sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" >/dev/null 2>&1
	for v in 0 1; do
		echo $v > "$flag"
		t0=$(date +%s)
		run_guest $key /tmp/guest$v.log
		echo "# unpriv_sgio=$v: guest ran $(($(date +%s) - t0)) s"
		sed -n 's/\r$//; s/^SGF-GUEST/#  /p' /tmp/guest$v.log
		rc=$(sed -n 's/\r$//; s/^SGF-GUEST register rc=\([0-9]*\).*/\1/p' /tmp/guest$v.log)
		n=$((n + 1))
		if [ -z "$rc" ]; then
			echo "not ok $n - unpriv_sgio=$v: the guest did not report"
			sed 's/^/# qemu: /' /tmp/qemu.out; tail -5 /tmp/guest$v.log | sed 's/^/# guest: /'
			bad=1
		elif [ $v = 0 ] && [ "$rc" != 0 ]; then
			echo "ok $n - unpriv_sgio=0: the guest's PERSISTENT RESERVE OUT fails"
		elif [ $v = 1 ] && [ "$rc" = 0 ]; then
			echo "ok $n - unpriv_sgio=1: the guest registers key $key"
		else
			echo "not ok $n - unpriv_sgio=$v: sg_persist in the guest exited $rc"
			bad=1
		fi
		n=$((n + 1))
		if sg_persist --in --read-keys "$SGF_LIO" 2>/dev/null | grep -qi "$key"; then
			[ $v = 1 ] && echo "ok $n - unpriv_sgio=1: the host sees key $key" ||
				{ echo "not ok $n - unpriv_sgio=0: key $key registered anyway"; bad=1; }
		else
			[ $v = 0 ] && echo "ok $n - unpriv_sgio=0: no key registered" ||
				{ echo "not ok $n - unpriv_sgio=1: the host does not see key $key"; bad=1; }
		fi
	done
	echo 0 > "$flag"
	sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" >/dev/null 2>&1
	echo "1..$n"
	return $bad
}

# sgfilterctl against the real module and devices, as root and as tester.
suite_tool() {
	local n=0 bad=0 rc flag host hctl wwid i d
	tap() {
		n=$((n + 1))
		if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=1; fi
	}
	tables() { for d in /sys/kernel/sgfilter/*/table; do echo "== $d"; cat "$d"; done; }
	flag=/sys/dev/block/$(cat "/sys/block/${SGF_LIO#/dev/}/dev")/queue/unpriv_sgio

	modprobe sgfilter; tap $? "modprobe sgfilter"
	as_user sgfilterctl status > /tmp/o 2>&1; tap $? "status, as the user"
	grep -q "sgfilter module" /tmp/o; tap $? "... names the module as the backend"
	as_user sgfilterctl show disk > /tmp/o 2>&1; tap $? "show disk, as the user"
	as_user sgfilterctl --json stats > /tmp/o 2>&1
	[ $? = 1 ] && grep -q "root" /tmp/o; tap $? "stats, as the user, fails: the counters are root's"
	sgfilterctl --json stats > /tmp/o 2>&1; tap $? "stats --json, as root"
	as_user sgfilterctl allow disk write PERSISTENT_RESERVE_OUT > /tmp/o 2>&1
	[ $? = 1 ]; tap $? "allow, as the user, fails with exit status 1"
	grep -q "Hint: changing the policy needs root" /tmp/o; tap $? "... and says why"
	as_user sgfilterctl unpriv "$SGF_LIO" on > /tmp/o 2>&1
	[ $? = 1 ] && [ "$(cat "$flag")" = 0 ]; tap $? "unpriv on, as the user, fails and changes nothing"

	sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" > /dev/null 2>&1
	as_user sg_persist --out --register --param-sark=0x77 "$SGF_LIO" > /dev/null 2>&1
	[ $? != 0 ]; tap $? "before: the user's sg_persist --out --register fails"
	sgfilterctl allow disk write PERSISTENT_RESERVE_OUT; tap $? "allow disk write PERSISTENT_RESERVE_OUT"
	as_user sg_persist --out --register --param-sark=0x77 "$SGF_LIO" > /dev/null 2>&1
	tap $? "after: the user registers a key with sg_persist"
	sgfilterctl deny disk persistent-reserve-out; tap $? "deny disk persistent-reserve-out"
	as_user sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" > /dev/null 2>&1
	[ $? != 0 ]; tap $? "then the user's PR OUT fails again"
	sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" > /dev/null 2>&1

	as_user sgfilterctl check "$SGF_DISK" UNMAP --read-only > /tmp/o 2>&1
	grep -q "an unprivileged user: denied" /tmp/o; tap $? "check $SGF_DISK UNMAP --read-only: denied"
	as_user sgfilterctl check "$SGF_DISK" UNMAP > /tmp/o 2>&1
	grep -q "an unprivileged user: allowed" /tmp/o; tap $? "check $SGF_DISK UNMAP: allowed to writers"
	sed 's/^/#   /' /tmp/o

	sgfilterctl unpriv "$SGF_LIO" on && [ "$(cat "$flag")" = 1 ]; tap $? "unpriv $SGF_LIO on"
	sgfilterctl unpriv "$SGF_LIO_BSG" off && [ "$(cat "$flag")" = 0 ]; tap $? "unpriv $SGF_LIO_BSG off"

	sgfilterctl allow disk read PERSISTENT_RESERVE_IN && sgfilterctl deny disk 0x1b &&
		sgfilterctl allow cdrom write 0x5f/0x00
	tap $? "three edits"
	tables > /tmp/before
	sgfilterctl save /tmp/policy.conf; tap $? "save"
	sgfilterctl reset; tap $? "reset"
	tables > /tmp/reset
	! cmp -s /tmp/before /tmp/reset; tap $? "reset changed the tables"
	sgfilterctl load /tmp/policy.conf; tap $? "load"
	tables > /tmp/after
	cmp -s /tmp/before /tmp/after; tap $? "save, reset, load: the exact tables again"

	# A disk appears: the udev rule runs "sgfilterctl apply-device %k"; here
	# mdev (busybox) runs the same command for the same event.
	host=$(ls /sys/class/scsi_host | sed 's/host//' | sort -n | tail -1)
	echo 1 > /sys/bus/pseudo/drivers/scsi_debug/add_host
	host=$((host + 1))
	for i in $(seq 50); do ls -d /sys/bus/scsi/devices/$host:* > /dev/null 2>&1 && break; sleep 0.1; done
	hctl=$(basename "$(ls -d /sys/bus/scsi/devices/$host:* | head -1)")
	wwid=$(cat "/sys/bus/scsi/devices/$hctl/wwid")
	echo "# new scsi_debug device $hctl, $wwid"
	echo 1 > "/sys/bus/scsi/devices/$hctl/delete"
	echo "unpriv $wwid on" > /etc/sgfilter/vm.conf
	echo 'sd[a-z]+ 0:6 660 */usr/bin/sgfilterctl apply-device /dev/$MDEV' > /etc/mdev.conf
	mdev -d
	echo "- - -" > /sys/class/scsi_host/host$host/scan
	for i in $(seq 50); do
		[ "$(cat /sys/bus/scsi/devices/$hctl/unpriv_sgio 2>/dev/null)" = 1 ] && break
		sleep 0.1
	done
	[ "$(cat /sys/bus/scsi/devices/$hctl/unpriv_sgio)" = 1 ]
	tap $? "a disk named by WWN in /etc/sgfilter gets unpriv_sgio when it appears"
	killall mdev 2>/dev/null
	rm -f /etc/sgfilter/vm.conf /etc/mdev.conf
	# mdev -d rescans /sys at startup and gives every node its default
	# owner: the test devices' nodes get group disk back
	restore_node_perms
	echo -1 > /sys/bus/pseudo/drivers/scsi_debug/add_host

	modprobe -r sgfilter; tap $? "modprobe -r sgfilter"
	as_user sgfilterctl status > /tmp/o 2>&1 && grep -q "built-in" /tmp/o
	tap $? "status without the module: built-in tables"
	echo "1..$n"
	return $bad
}

# The exhaustive decision matrix, on a scsi_debug device of each class
# (fresh hosts: root's commands really run) and the QEMU CD-ROM.
suite_matrix() {
	local sd=/sys/bus/pseudo/drivers/scsi_debug nodes="" p host hctl i rc added=0
	echo 0 > $sd/delay
	for p in 0 1 8 13; do
		host=$(ls /sys/class/scsi_host | sed 's/host//' | sort -n | tail -1)
		echo $p > $sd/ptype
		echo 1 > $sd/add_host
		added=$((added + 1))
		host=$((host + 1))
		for i in $(seq 50); do ls -d /sys/bus/scsi/devices/$host:* > /dev/null 2>&1 && break; sleep 0.1; done
		hctl=$(basename "$(ls -d /sys/bus/scsi/devices/$host:* | head -1)")
		echo "# ptype $p: $hctl"
		chgrp disk /dev/bsg/$hctl && chmod 660 /dev/bsg/$hctl
		nodes="$nodes /dev/bsg/$hctl"
	done
	echo 0 > $sd/ptype
	/tests/matrix $nodes $SGF_CDROM_BSG $SGF_DISK $SGF_CDROM
	rc=$?
	echo -$added > $sd/add_host
	return $rc
}

# dm-multipath over two tcm_loop paths to LIO LUN 0: the dm device has no
# unpriv_sgio file (a flag there would be accepted and ignored, since dm
# passes SG_IO to a path); the paths' flags are what count.
suite_multipath() {
	local n=0 bad=0 tpg2=/sys/kernel/config/target/loopback/naa.5001405000000003/tpgt_1
	local d p1 p2 hctl2="" size dm i q1 q2
	tap() {
		n=$((n + 1))
		if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=1; fi
	}
	p1=${SGF_LIO#/dev/}
	mkdir -p "$tpg2" && echo naa.5001405000000004 > "$tpg2/nexus" &&
		mkdir "$tpg2/lun/lun_0" &&
		ln -s /sys/kernel/config/target/core/fileio_0/lio0 "$tpg2/lun/lun_0/lio0"
	for i in $(seq 100); do
		for d in /sys/bus/scsi/devices/*:*:*:0; do
			case $(cat "$d/model" 2>/dev/null) in FILEIO*) ;; *) continue ;; esac
			[ "$(ls "$d/block" 2>/dev/null)" = "$p1" ] && continue
			p2=$(ls "$d/block" 2>/dev/null) && hctl2=$(basename "$d")
		done
		[ -n "$p2" ] && break
		sleep 0.1
	done
	tap $([ -n "$p2" ]; echo $?) "a second path to LIO LUN 0: $hctl2 ${p2:-none}"
	[ -n "$p2" ] || { echo "1..$n"; return 1; }
	settle "/dev/$p2"
	size=$(cat "/sys/block/$p1/size")
	dmsetup --noudevsync create sgfmp --table \
		"0 $size multipath 0 0 1 1 round-robin 0 2 1 $(cat /sys/block/$p1/dev) 1 $(cat /sys/block/$p2/dev) 1"
	tap $? "dmsetup create: multipath over $p1 and $p2"
	dm=$(basename "$(dirname "$(dirname "$(grep -l '^sgfmp$' /sys/block/dm-*/dm/name)")")")
	case $dm in dm-*) ;; *) echo "1..$n"; return 1 ;; esac
	chgrp disk "/dev/$dm" && chmod 660 "/dev/$dm"
	q1=/sys/block/$p1/queue/unpriv_sgio q2=/sys/block/$p2/queue/unpriv_sgio

	[ ! -e "/sys/block/$dm/queue/unpriv_sgio" ]
	tap $? "$dm (multipath) has no queue/unpriv_sgio file"
	[ -e "$q1" ] && [ -e "$q2" ]
	tap $? "its paths $p1 and $p2 have one"
	echo 0 > "$q1"; echo 0 > "$q2"
	as_user sg_persist --in --read-keys "/dev/$dm" > /tmp/o 2>&1
	grep -q "not permitted" /tmp/o
	tap $? "path flags 0: an unprivileged writer's PERSISTENT RESERVE IN through $dm is refused"
	echo 1 > "$q1"; echo 1 > "$q2"
	as_user sg_persist --in --read-keys "/dev/$dm" > /tmp/o 2>&1
	tap $? "path flags 1: the same command through $dm succeeds"
	sed 's/^/# /' /tmp/o
	echo 0 > "$q1"; echo 0 > "$q2"

	dmsetup --noudevsync remove sgfmp
	rm "$tpg2/lun/lun_0/lio0" && rmdir "$tpg2/lun/lun_0" && rmdir "$tpg2" &&
		rmdir "$(dirname "$tpg2")"
	tap $? "the second path goes again"
	echo "1..$n"
	return $bad
}

# Bad input: 1000 random writes to every sysfs attribute, random CDBs
suite_badinput() {
	local n=1000 q s f rc=0
	q=/sys/dev/block/$(cat "/sys/block/${SGF_DISK#/dev/}/dev")/queue/unpriv_sgio
	s=$(readlink -f "/sys/block/${SGF_DISK#/dev/}/device")/unpriv_sgio
	/tests/badinput sysfs $n "$q" || rc=1
	/tests/badinput sysfs $n "$s" "$q" || rc=1
	modprobe sgfilter || return 1
	for f in allow deny load reset; do
		/tests/badinput sysfs $n /sys/kernel/sgfilter/disk/$f /sys/kernel/sgfilter/disk/table || rc=1
	done
	/tests/badinput sysfs $n /sys/kernel/sgfilter/reset_counters /sys/kernel/sgfilter/disk/denied || rc=1
	modprobe -r sgfilter || rc=1
	echo 0 > "$q"
	/tests/badinput cdbs 5000 "$SGF_DISK_BSG" || rc=1
	/tests/badinput cdbs 2000 "$SGF_CDROM_BSG" || rc=1
	# A reader may send START STOP UNIT (mainline's list allows it, and the
	# tables keep it), so the random CDBs may have stopped the devices:
	# leave them started, for the suites that follow
	sg_raw "$SGF_DISK" 1b 00 00 00 01 00 >/dev/null 2>&1
	sg_raw "$SGF_CDROM" 1b 00 00 00 01 00 >/dev/null 2>&1
	return $rc
}

# Hot-unplug with commands in flight and unpriv_sgio set: the device comes
# back at 0; removing the host under load splats nothing (the host checks).
suite_hotunplug() {
	local sd=/sys/bus/pseudo/drivers/scsi_debug host hctl i n=0 bad=0 loops
	tap() {
		n=$((n + 1))
		if [ "$1" = 0 ]; then echo "ok $n - $2"; else echo "not ok $n - $2"; bad=1; fi
	}
	host=$(ls /sys/class/scsi_host | sed 's/host//' | sort -n | tail -1)
	echo 1 > $sd/add_host
	host=$((host + 1))
	for i in $(seq 50); do ls -d /sys/bus/scsi/devices/$host:* > /dev/null 2>&1 && break; sleep 0.1; done
	hctl=$(basename "$(ls -d /sys/bus/scsi/devices/$host:* | head -1)")
	chgrp disk /dev/bsg/$hctl && chmod 660 /dev/bsg/$hctl
	echo 1 > /sys/bus/scsi/devices/$hctl/unpriv_sgio
	# an unprivileged writer (unfiltered by the flag) and root, in loops
	su tester -s /bin/sh -c "while :; do sg_turs /dev/bsg/$hctl; sg_inq /dev/bsg/$hctl; done" \
		> /dev/null 2>&1 &
	loops=$!
	( while :; do sg_readcap /dev/bsg/$hctl; done ) > /dev/null 2>&1 &
	loops="$loops $!"
	sleep 2
	echo 1 > /sys/bus/scsi/devices/$hctl/delete; tap $? "delete $hctl with SG_IO in flight"
	sleep 1
	echo "- - -" > /sys/class/scsi_host/host$host/scan
	for i in $(seq 50); do [ -e /sys/bus/scsi/devices/$hctl ] && break; sleep 0.1; done
	[ "$(cat /sys/bus/scsi/devices/$hctl/unpriv_sgio)" = 0 ]
	tap $? "the device that comes back starts with unpriv_sgio 0"
	chgrp disk /dev/bsg/$hctl 2>/dev/null; chmod 660 /dev/bsg/$hctl 2>/dev/null
	echo 1 > /sys/bus/scsi/devices/$hctl/unpriv_sgio
	sleep 2
	echo -1 > $sd/add_host; tap $? "remove the scsi_debug host with SG_IO in flight"
	sleep 1
	# the user's loop runs in a shell under su: kill it by its command line
	pkill -f "sg_turs /dev/bsg/$hctl"
	kill $loops 2>/dev/null
	wait 2>/dev/null
	[ ! -e /sys/class/scsi_host/host$host ]; tap $? "the host is gone"
	echo "1..$n"
	return $bad
}

# Four SG_IO processes while unpriv_sgio toggles, tables change and the
# module reloads (sgf.reloads= cycles, default 20)
suite_stress() {
	local q
	q=/sys/dev/block/$(cat "/sys/block/${SGF_DISK#/dev/}/dev")/queue/unpriv_sgio
	/tests/stress "${reloads:-20}" "$SGF_DISK" "$SGF_DISK_SG" "$SGF_DISK_BSG" "$q"
}

# The main job, for people: an unprivileged read-only opener sends UNMAP.
suite_demo() {
	printf '\0\026\0\020\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\010\0\0\0\0' > /tmp/unmap.bin
	echo "# LBA 0, as written at boot:"
	dd if="$SGF_DISK" bs=512 count=1 iflag=direct 2>/dev/null | od -A d -t x1 | head -2
	echo "# as user tester, read-only open: sg_raw -R $SGF_DISK UNMAP(LBA 0, 8 blocks)"
	as_user sg_raw -R -s 24 -i /tmp/unmap.bin "$SGF_DISK" 42 00 00 00 00 00 00 00 18 00 2>&1 |
		sed 's/^/#   /'
	echo "# LBA 0 afterwards:"
	dd if="$SGF_DISK" bs=512 count=1 iflag=direct 2>/dev/null | od -A d -t x1 | head -2
	if command -v sgfilterctl > /dev/null && [ -e /sys/block/${SGF_DISK#/dev/}/queue/unpriv_sgio ]; then
		echo "# why: sgfilterctl check $SGF_DISK UNMAP --read-only (as tester)"
		as_user sgfilterctl check "$SGF_DISK" UNMAP --read-only 2>&1 | sed 's/^/#   /'
	fi
}

# The benchmarks, when the initramfs carries them (make bench)
[ -r /tests/bench.sh ] && . /tests/bench.sh

log "suites: $suites"
run_suite setup suite_setup
for s in $suites; do
	run_suite "$s" "suite_$s"
done
report "SGF-DONE"
sync
# No ACPI in this kernel: reboot (reboot=t, a triple fault) and QEMU,
# started with -no-reboot, exits.
reboot -f
