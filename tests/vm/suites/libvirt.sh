# SPDX-License-Identifier: GPL-2.0
#
# libvirt's qemu hook with a real client (issue 15): Debian's libvirtd 9.0
# (which refuses sgio='unfiltered') with sgfilter's hook in
# /etc/libvirt/hooks/qemu.d, its qemu driver starting QEMU as libvirt-qemu
# with the LIO disk as a <disk device='lun'> (scsi-block). The guest
# (tests/vm/nested-guest-init.sh, sgf.stay: it stays up) registers a
# reservation key when the domain's metadata asks for the pr grant, and is
# refused without it; a second domain that asks for a conflicting request
# on the shared LUN does not start, and says why; after virsh destroy the
# grant is gone, and then the other domain starts.
#
# The daemons run without systemd or D-Bus (design.md, section 6);
# tests/vm/lib/initramfs-common.sh's ic_add_libvirt packs them. The guest
# boots under TCG in TCG: run.sh gives it the kernel without the debug
# options.
# needs: nested-guest libvirt

. /tests/lib/fixtures.sh
. /tests/lib/ktap.sh

LV_KEY=0x5347
LV_NS=urn:x-sgfilter:libvirt:1
LV_LOGS=/var/log/libvirt/qemu

lv_virsh() { virsh -q -c qemu:///system "$@"; }

# A transient domain NAME UUID [LUN-ATTRIBUTES]: the guest on the LIO LUN
# (target sda, shareable); the metadata asks for LUN-ATTRIBUTES
# (grant='pr', unfiltered='yes'), or nothing without them
lv_domain() {
	local meta=
	[ -z "${3:-}" ] || meta="<metadata><sgfilter:sgio xmlns:sgfilter='$LV_NS'><sgfilter:lun target='sda' $3/></sgfilter:sgio></metadata>"
	cat <<EOF
<domain type='qemu'>
  <name>$1</name>
  <uuid>$2</uuid>
  $meta
  <memory unit='MiB'>256</memory>
  <vcpu>1</vcpu>
  <os>
    <type arch='x86_64' machine='pc'>hvm</type>
    <kernel>/guest/bzImage</kernel>
    <initrd>/guest/initramfs.cpio.gz</initrd>
    <cmdline>console=ttyS0 panic=-1 reboot=t nowatchdog sgf.key=$LV_KEY sgf.stay</cmdline>
  </os>
  <on_poweroff>destroy</on_poweroff>
  <on_reboot>destroy</on_reboot>
  <on_crash>destroy</on_crash>
  <devices>
    <emulator>/usr/bin/qemu-system-x86_64</emulator>
    <controller type='usb' model='none'/>
    <controller type='scsi' index='0' model='virtio-scsi'/>
    <disk type='block' device='lun'>
      <driver name='qemu' type='raw'/>
      <source dev='$SGF_LIO'/>
      <target dev='sda' bus='scsi'/>
      <shareable/>
    </disk>
    <serial type='file'>
      <source path='$LV_LOGS/$1-serial.log'/>
      <target port='0'/>
    </serial>
    <memballoon model='none'/>
  </devices>
</domain>
EOF
}

lv_grants() { cat "/sys/class/block/${SGF_LIO#/dev/}/device/sgio_grants"; }

# The guest's report (sg_persist's exit status), waiting up to $2 s
lv_guest_rc() {
	local log=$LV_LOGS/$1-serial.log i=0 rc
	while [ $i -lt "$2" ]; do
		rc=$(sed -n 's/\r$//; s/^SGF-GUEST register rc=\([0-9]*\).*/\1/p' "$log" 2>/dev/null)
		[ -n "$rc" ] && { echo "$rc"; return 0; }
		sleep 1
		i=$((i + 1))
	done
	return 1
}

# lv_create NAME UUID ATTRS WHAT: create the domain (ATTRS: the <lun>'s
# request, "" for no metadata), one test: "WHAT starts (N s)"
lv_create() {
	lv_domain "$1" "$2" "$3" > "/tmp/lv-$1.xml"
	lv_t0=$(date +%s)
	if lv_virsh create "/tmp/lv-$1.xml" > /tmp/lv-create.err 2>&1; then
		ktap_test_pass "$4 starts ($(($(date +%s) - lv_t0)) s)"
	else
		ktap_test_fail "$4 does not start"
		lv_diag "$1"
	fi
}

# lv_guest_report NAME: wait for the guest's result, show its lines; rc=its
# sg_persist status (empty if it never reported)
lv_guest_report() {
	rc=$(lv_guest_rc "$1" 400)
	ktap_print_msg "$1: the guest reported after $(($(date +%s) - lv_t0)) s"
	sed -n 's/\r$//; s/^SGF-GUEST/#  /p' "$LV_LOGS/$1-serial.log" 2>/dev/null
}

lv_unregister() { sg_persist --out --register-ignore --param-sark=0 "$SGF_LIO" >/dev/null 2>&1; }
lv_has_key() { sg_persist --in --read-keys "$SGF_LIO" 2>/dev/null | grep -qi "$LV_KEY"; }

lv_diag() {
	sed 's/^/# create: /' /tmp/lv-create.err
	tail -5 "$LV_LOGS/$1.log" 2>/dev/null | sed 's/^/# qemu log: /'
	grep -i error /var/log/libvirt/libvirtd.log 2>/dev/null | tail -5 | sed 's/^/# libvirtd: /'
}

lv_start_daemons() {
	local i
	mkdir -p /run/libvirt /var/log/libvirt/qemu /var/lib/libvirt/qemu /var/cache/libvirt/qemu
	virtlogd -d || return 1
	LIBVIRT_LOG_OUTPUTS="3:file:/var/log/libvirt/libvirtd.log" libvirtd -d || return 1
	# the first connection probes QEMU's capabilities: TCG, KASAN, slow
	for i in $(seq 60); do
		timeout 120 virsh -q -c qemu:///system version > /tmp/lv-version.out 2>&1 && return 0
		sleep 1
	done
	sed 's/^/# virsh version: /' /tmp/lv-version.out
	return 1
}

lv_stop_daemons() {
	[ -e /run/libvirtd.pid ] && kill "$(cat /run/libvirtd.pid)" 2>/dev/null
	[ -e /run/virtlogd.pid ] && kill "$(cat /run/virtlogd.pid)" 2>/dev/null
	sleep 1
}

suite_libvirt() {
	local loaded=0 flag t0 rc pr user
	ktap_print_header
	flag=$(unpriv_flag "$SGF_LIO")
	echo 0 > "$flag"
	lv_unregister
	if [ ! -d /sys/kernel/sgfilter ]; then
		modprobe sgfilter && loaded=1
	fi
	pr=$(printf '0x5e read\n0x5f write')
	t0=$(date +%s)
	if ! lv_start_daemons; then
		ktap_test_fail "libvirtd and virtlogd start"
		tail -20 /var/log/libvirt/libvirtd.log 2>/dev/null | sed 's/^/# /'
		lv_stop_daemons
		ktap_finished
		return
	fi
	ktap_test_pass "libvirtd and virtlogd start, virsh connects ($(($(date +%s) - t0)) s; $(grep -i 'running hypervisor' /tmp/lv-version.out | tr -s ' '))"

	# libvirt 9 refuses what the admin guide used to say
	lv_domain sgf-old 5f000000-0000-4000-8000-000000000000 |
		sed "s|<disk type='block' device='lun'>|<disk type='block' device='lun' sgio='unfiltered'>|" \
		> /tmp/lv-old.xml
	lv_virsh define /tmp/lv-old.xml > /tmp/lv-create.err 2>&1
	rc=$?
	[ $rc != 0 ] && grep -q 'unfiltered sgio is no longer supported' /tmp/lv-create.err
	ktap_test_status $? "define: libvirt 9 refuses sgio='unfiltered' (the hook's reason to be)"

	# 1. the metadata asks for pr: the hook grants it, the guest registers
	lv_create sgf-pr 5f000001-0000-4000-8000-000000000001 "grant='pr'" \
		"create: sgf-pr, whose metadata asks pr for the LIO LUN,"
	[ "$(lv_grants)" = "$pr" ] && [ "$(cat "$flag")" = 0 ]
	ktap_test_status $? "create: ... the hook gave the LUN the pr grants, unpriv_sgio stays 0"
	user=$(awk '/^Uid:/ { print $2 }' "/proc/$(cat /run/libvirt/qemu/sgf-pr.pid 2>/dev/null)/status" 2>/dev/null)
	[ "$user" = 64055 ]
	ktap_test_status $? "create: ... QEMU runs as libvirt-qemu (uid ${user:-unknown})"
	lv_guest_report sgf-pr
	[ "$rc" = 0 ]
	ktap_test_status $? "pr: the guest registers key $LV_KEY (sg_persist rc=${rc:-none})"
	lv_has_key
	ktap_test_status $? "pr: ... the host sees the key"

	# 2. a second domain on the shared LUN asks for unfiltered: refused
	lv_domain sgf-unf 5f000002-0000-4000-8000-000000000002 "unfiltered='yes'" > /tmp/lv-unf.xml
	if lv_virsh create /tmp/lv-unf.xml > /tmp/lv-create.err 2>&1; then
		ktap_test_fail "conflict: sgf-unf (unfiltered) started on the LUN sgf-pr uses with pr"
		lv_virsh destroy sgf-unf >/dev/null 2>&1
	else
		grep -q 'is in use by domain sgf-pr, which asked for read 0x5e write 0x5f; this domain asks for unfiltered' /tmp/lv-create.err
		ktap_test_status $? "conflict: sgf-unf (unfiltered) does not start; virsh shows the hook's reason"
		grep -q 'Hook script execution failed' /tmp/lv-create.err ||
			sed 's/^/# /' /tmp/lv-create.err
	fi
	! lv_virsh list --name 2>/dev/null | grep -qx sgf-unf && [ "$(lv_grants)" = "$pr" ] &&
		[ "$(cat "$flag")" = 0 ]
	ktap_test_status $? "conflict: ... sgf-pr's grants stand, unpriv_sgio is still 0"

	# 3. virsh destroy: release takes the grant back
	lv_virsh destroy sgf-pr > /tmp/lv-create.err 2>&1
	ktap_test_status $? "destroy: virsh destroy sgf-pr"
	[ -z "$(lv_grants)" ] && [ ! -e /run/sgfilter/libvirt ]
	ktap_test_status $? "destroy: ... the grant is gone, and the hook's record"
	lv_unregister

	# 4. no metadata: the guest's PERSISTENT RESERVE OUT is refused
	lv_create sgf-none 5f000003-0000-4000-8000-000000000003 "" \
		"none: sgf-none, without metadata (the LUN has no grants),"
	lv_guest_report sgf-none
	[ -n "$rc" ] && [ "$rc" != 0 ]
	ktap_test_status $? "none: the guest's PERSISTENT RESERVE OUT fails (sg_persist rc=${rc:-none})"
	! lv_has_key
	ktap_test_status $? "none: ... no key registered"
	lv_virsh destroy sgf-none >/dev/null 2>&1
	lv_unregister

	# 5. with sgf-pr gone, the unfiltered domain starts: the flag while it runs
	if lv_virsh create /tmp/lv-unf.xml > /tmp/lv-create.err 2>&1; then
		[ "$(cat "$flag")" = 1 ]
		ktap_test_status $? "unfiltered: sgf-unf starts now; unpriv_sgio is 1 while it runs"
	else
		ktap_test_fail "unfiltered: sgf-unf does not start with the LUN free"
		lv_diag sgf-unf
	fi
	lv_virsh destroy sgf-unf >/dev/null 2>&1
	[ "$(cat "$flag")" = 0 ] && [ ! -e /run/sgfilter/libvirt ]
	ktap_test_status $? "unfiltered: ... and 0 again after virsh destroy"

	lv_stop_daemons
	lv_unregister
	echo 0 > "$flag"
	[ $loaded = 0 ] || rmmod sgfilter
	ktap_print_msg "the suite took $(($(date +%s) - t0)) s"
	ktap_finished
}
