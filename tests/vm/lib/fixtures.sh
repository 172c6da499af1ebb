# SPDX-License-Identifier: GPL-2.0
#
# The test VM's fixtures: the SCSI targets the suites test against, their
# nodes, and the unprivileged user. Sourced (as /tests/lib/fixtures.sh) by
# every suite file: tests/vm/suites/*.sh and bench/bench-suites.sh.
#
# The setup suite (suites/setup.sh) calls setup_scsi_debug,
# setup_qemu_devices and setup_lio in the init's own shell; they export, for
# each device NAME, NAME=/dev/sdX, NAME_SG=/dev/sgN and NAME_BSG=/dev/bsg/H:C:T:L
# (export_nodes), and every later suite inherits them:
#
#   SGF_DISK*        scsi_debug disk (lbpu=1: UNMAP works), 16 MiB
#   SGF_CDROM*       QEMU's scsi-cd on the virtio-scsi controller
#   SGF_QEMU_DISK*   QEMU's scsi-hd on the same controller
#   SGF_LIO*         LIO fileio LUN 0 behind tcm_loop (SPC-4 persistent
#                    reservations)
#
# The selftests read these variables; as_user passes them on to tester.

SDEBUG=/sys/bus/pseudo/drivers/scsi_debug

log() { echo "sgf: $*" > /dev/kmsg; }

# The value of sgf.NAME= on the kernel command line; $2, if given, is the
# bracket expression its characters must match (default: not a space).
sgf_param() {
	sed -n "s/.*sgf\.$1=\(${2:-[^ ]}*\).*/\1/p" /proc/cmdline
}

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

# The queue/unpriv_sgio file of block node $1, by device number (the path
# libvirt writes)
unpriv_flag() {
	echo "/sys/dev/block/$(cat "/sys/block/${1#/dev/}/dev")/queue/unpriv_sgio"
}

# Two TEST UNIT READYs: the first commands after a LUN appears may get
# UNIT ATTENTION.
settle() { sg_turs "$1" >/dev/null 2>&1; sg_turs "$1" >/dev/null 2>&1; }

# Whether this is Debian's own kernel (tests/vm/stock-initramfs.sh's image),
# where the tables and the unpriv_sgio files come with sgfilter.ko
stock_kernel() { [ -e /etc/stock-modules ]; }

# Run a command as the unprivileged user, with the SGF_* environment.
as_user() {
	local envs
	envs=$(env | grep '^SGF_' | tr '\n' ' ')
	su tester -s /bin/sh -c "cd /tmp && env $envs $*"
}

# --- scsi_debug ------------------------------------------------------------

setup_scsi_debug() {
	local hctl
	modprobe scsi_debug lbpu=1 dev_size_mb=16 || return 1
	hctl=$(wait_dev scsi_debug) || return 1
	export_nodes SGF_DISK "$hctl"
	settle "$SGF_DISK"
	# A pattern that the UNMAP tests check is still there afterwards
	dd if=/dev/urandom of="$SGF_DISK" bs=512 count=8 conv=fsync 2>/dev/null
}

# Add a scsi_debug host (its device of the driver's current ptype); wait
# up to 5 s for its device and print its H:C:T:L.
sdebug_add_host() {
	local host hctl i
	host=$(ls /sys/class/scsi_host | sed 's/host//' | sort -n | tail -1)
	echo 1 > $SDEBUG/add_host
	host=$((host + 1))
	for i in $(seq 50); do ls -d /sys/bus/scsi/devices/$host:* > /dev/null 2>&1 && break; sleep 0.1; done
	hctl=$(basename "$(ls -d /sys/bus/scsi/devices/$host:* | head -1)")
	# its bsg node comes a moment after the device (devtmpfs; under load,
	# a tape's was not there yet for the matrix suite's chgrp)
	for i in $(seq 50); do [ -e "/dev/bsg/$hctl" ] && break; sleep 0.1; done
	echo "$hctl"
}

# --- QEMU's own devices (run.sh puts them on a virtio-scsi controller) ------

setup_qemu_devices() {
	local hctl
	hctl=$(wait_dev "QEMU CD-ROM") || return 1
	export_nodes SGF_CDROM "$hctl"
	hctl=$(wait_dev "QEMU HARDDISK") || return 1
	export_nodes SGF_QEMU_DISK "$hctl"
}

# --- LIO -------------------------------------------------------------------

# LIO fileio LUNs behind tcm_loop: the target with full SPC-4 persistent
# reservations. Reservation metadata goes to /etc/target/pr.
LIO_TPG=/sys/kernel/config/target/loopback/naa.5001405000000001/tpgt_1

# Add LUN $1 of 16 MiB (backing file /tmp/lio$1.img); print its H:C:T:L.
# $2, if given: its unit serial (as targetcli sets one), from which LIO
# makes the NAA designator: the LUN then has a WWID (the kernel's wwid
# file); without one it has none.
lio_add_lun() {
	local core=/sys/kernel/config/target/core/fileio_0/lio$1
	mkdir -p "$core" || return 1
	echo "fd_dev_name=/tmp/lio$1.img,fd_dev_size=16777216" > "$core/control"
	if [ -n "${2:-}" ]; then echo "$2" > "$core/wwn/vpd_unit_serial" || return 1; fi
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
