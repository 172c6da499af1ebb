# SPDX-License-Identifier: GPL-2.0
#
# The benchmark suites of the test VM. The initramfs carries this file as
# /tests/suites/bench-suites.sh, next to tests/vm/suites/*.sh, and the VM's
# /init (tests/vm/init.sh) runs each suite_bench_* function here as it runs
# theirs: in a shell of its own that sources this file.
#
# sgf.bench=ROUNDS,COUNT,PRCOUNT on the kernel command line (bench/run.sh
# sets it): alternating rounds, SG_IO commands per timed run, PR commands
# per guest run. Without it, two short rounds: enough to check that the
# machinery works (make vm runs bench_filter so), not to measure. Each timed
# run prints a line for the host to add up:
#
#   SGF-BENCH <bench> round=<r> <name>=<value>... ns=<ns per command>
#
# and each suite prints TAP for what must hold for its figures to mean
# anything (every command succeeded, the devices appeared), so a broken
# benchmark fails the run instead of reporting nonsense.

# settle, export_nodes, lio_add_lun and the SGF_* devices of the setup suite
. /tests/lib/fixtures.sh

bench_params=$(sed -n 's/.*sgf\.bench=\([0-9,]*\).*/\1/p' /proc/cmdline)
BENCH_ROUNDS=$(echo "${bench_params:-2,210,21}" | cut -d, -f1)
BENCH_COUNT=$(echo "${bench_params:-2,210,21}" | cut -d, -f2)
BENCH_PRCOUNT=$(echo "${bench_params:-2,210,21}" | cut -d, -f3)

# TAP: each suite calls bench_begin, btap STATUS TEXT per check, bench_end
bench_begin() { bench_n=0 bench_bad=0; }
btap() {
	bench_n=$((bench_n + 1))
	if [ "$1" = 0 ]; then
		echo "ok $bench_n - $2"
	else
		echo "not ok $bench_n - $2"
		bench_bad=1
	fi
}
bench_end() {
	echo "1..$bench_n"
	return $bench_bad
}

# The items of $2 in order on odd rounds $1, reversed on even ones, so that
# no configuration always runs first or last.
abba() {
	if [ $(($1 % 2)) = 1 ]; then
		echo "$2"
	else
		echo "$2" | tr ' ' '\n' | sed '1!G;h;$!d' | tr '\n' ' '
	fi
}

patched() { [ -e "/sys/block/${SGF_DISK#/dev/}/queue/unpriv_sgio" ]; }

# 200 disk-class entries that leave READ(10) and TEST UNIT READY alone:
# vendor-specific opcodes 0xc0-0xff, every service action of 0x9e, 0x9f,
# 0xa3 and 0xa4, and eight of 0x7f.
bench_entries() {
	local op sa
	for op in $(seq 192 255); do printf '%#x write\n' "$op"; done
	for op in 0x9e 0x9f 0xa3 0xa4; do
		for sa in $(seq 0 31); do printf '%s/%#x write\n' "$op" "$sa"; done
	done
	for sa in $(seq 0 7); do printf '0x7f/%#x write\n' "$sa"; done
}

# Put the kernel in configuration $1 of the filter benchmark.
bench_enter() {
	rmmod sgfilter 2>/dev/null
	case $1 in
	module|module200)
		modprobe sgfilter || return 1
		;;
	esac
	if [ "$1" = module200 ]; then
		bench_entries | while read -r entry; do
			echo "$entry" > /sys/kernel/sgfilter/disk/allow || exit 1
		done || return 1
		# (the listing folds an opcode whose service actions all agree)
		grep -q '^0xff write$' /sys/kernel/sgfilter/disk/table &&
			grep -q '^0x7f/0x0007 write$' /sys/kernel/sgfilter/disk/table || return 1
	fi
}

# bench_rounds BENCH CONFIGS [BACKEND]: BENCH_ROUNDS rounds, CONFIGS in
# ABBA order (bench_enter each), READ(10) and TEST UNIT READY timed in each
# as the reader (root for "root"): "SGF-BENCH BENCH round= config= op= ns="
# lines. Counts into the caller's runs and failed; with BACKEND, the
# "module" configuration must run that backend (/sys/kernel/sgfilter/backend).
bench_rounds() {
	local bench=$1 configs=$2 backend=${3:-} r cfg op ns
	for r in $(seq 1 "$BENCH_ROUNDS"); do
		for cfg in $(abba "$r" "$configs"); do
			bench_enter "$cfg" || { failed=$((failed + 1)); continue; }
			if [ $cfg = module ] && [ -n "$backend" ] &&
			   [ "$(cat /sys/kernel/sgfilter/backend 2>/dev/null)" != "$backend" ]; then
				failed=$((failed + 1))
				continue
			fi
			for op in read10 tur; do
				runs=$((runs + 1))
				if ns=$(bench_run "$([ $cfg = root ] && echo root || echo tester)" \
					   "$op" "$SGF_DISK" "$BENCH_COUNT"); then
					echo "SGF-BENCH $bench round=$r config=$cfg op=$op ns=$ns"
				else
					failed=$((failed + 1))
				fi
			done
		done
	done
}

# One timed run: bench_run tester|root [-w] OP NODE COUNT
bench_run() {
	local who=$1
	shift
	if [ "$who" = root ]; then
		/tests/sgbench "$@"
	else
		su tester -s /bin/sh -c "/tests/sgbench $*"
	fi
}

# Whether this kernel has ftrace's function profiler (the benchmark kernel)
bench_has_profiler() {
	local t=/sys/kernel/tracing
	[ -e $t/function_profile_enabled ] || mount -t tracefs tracefs $t 2>/dev/null
	[ -e $t/function_profile_enabled ]
}

# bench_refused [-w] NODE: whether the unprivileged user gets EPERM for
# PERSISTENT RESERVE OUT, opening NODE read-only (-w: read-write). No table
# lets a reader send it (mainline's list neither), nor a writer of a device
# whose unpriv_sgio is 0.
bench_refused() {
	local mode=
	[ "$1" = -w ] && { mode=-w; shift; }
	case $(bench_run tester $mode prout "$1" 21 2>&1) in
	*"Operation not permitted"*) return 0 ;;
	*) return 1 ;;
	esac
}

# ftrace's function profiler over one run as the unprivileged reader: hits
# and mean time of the whole ioctl and of the decision in it.
#   bench_profile CONFIG ROUND
bench_profile() {
	local t=/sys/kernel/tracing
	: > $t/set_ftrace_filter
	# Not the functions the decision calls: the profiler's own cost on
	# each of them would count as the decision's
	echo sd_ioctl > $t/set_ftrace_filter
	echo scsi_cmd_allowed >> $t/set_ftrace_filter
	echo 1 > $t/function_profile_enabled
	bench_run tester read10 "$SGF_DISK" "$BENCH_COUNT" > /dev/null
	echo 0 > $t/function_profile_enabled
	# "  Function  Hit  Time  Avg  s^2" per CPU; times in us
	cat $t/trace_stat/function* | awk -v c="$1" -v r="$2" '
		$1 !~ /^(Function|-+)$/ && NF >= 5 && $2 ~ /^[0-9]+$/ {
			hits[$1] += $2; us[$1] += $3 }
		END { for (f in hits) printf "SGF-BENCH profile round=%d config=%s func=%s hits=%d ns=%.0f\n",
			r, c, f, hits[f], us[f] * 1000 / hits[f] }'
	: > $t/set_ftrace_filter
}

# 1. Filter overhead: READ(10) and TEST UNIT READY from an unprivileged
# read-only opener of the scsi_debug disk (delay=0: commands complete at
# once, so the decision is as large a share of the time as it can be).
suite_bench_filter() {
	local r cfg configs runs=0 failed=0
	bench_begin
	echo 0 > /sys/bus/pseudo/drivers/scsi_debug/delay
	settle "$SGF_DISK"
	if patched; then
		configs="builtin module module200 root"
	else
		configs="mainline root"
	fi
	bench_rounds filter "$configs"
	btap $failed "$runs timed runs of $BENCH_COUNT commands ($configs), every command allowed"
	# and the twin: the same reader is refused a command the table denies
	bench_enter builtin
	bench_refused "$SGF_DISK"
	btap $? "the reader is refused PERSISTENT RESERVE OUT (the filter is on)"
	if bench_has_profiler; then
		for r in $(seq 1 10); do
			for cfg in $(abba $r "$(patched && echo builtin module || echo mainline)"); do
				bench_enter $cfg
				bench_profile $cfg $r
			done
		done
		bench_enter builtin
	else
		echo "# no function profiler in this kernel"
	fi
	bench_end
}

# 2. Persistent reservations from a guest of an unprivileged QEMU: LUN 0
# of the LIO target directly (unpriv_sgio=1), LUN 1 through qemu-pr-helper
# (unpriv_sgio=0), in one QEMU; the guest alternates between them.
# needs: nested-guest
suite_bench_pr() {
	local hctl1 lio1 q0 q1 i rc t0 clock r op ns
	bench_begin
	hctl1=$(lio_add_lun 1)
	btap $? "LIO LUN 1 appeared ($hctl1)"
	export_nodes SGF_LIO1 "$hctl1"
	lio1=$SGF_LIO1
	# a new LUN gives LUN 0 a unit attention (REPORTED LUNS DATA HAS CHANGED)
	settle "$lio1"
	settle "$SGF_LIO"
	q0=/sys/dev/block/$(cat "/sys/block/${SGF_LIO#/dev/}/dev")/queue/unpriv_sgio
	q1=/sys/dev/block/$(cat "/sys/block/${lio1#/dev/}/dev")/queue/unpriv_sgio
	echo 1 > "$q0" && echo 0 > "$q1"

	# the same commands from a process of the VM itself: what the guest's
	# figures cost before QEMU and the guest's emulation add to them
	for r in 1 2 3 4 5; do
		for op in prin prout; do
			ns=$(bench_run tester -w $op "$SGF_LIO" "$BENCH_PRCOUNT") &&
				echo "SGF-BENCH prvm round=$r op=$op ns=$ns"
		done
	done

	rm -f /tmp/pr.sock
	qemu-pr-helper -d -f /tmp/pr.pid -k /tmp/pr.sock
	i=0
	while [ ! -S /tmp/pr.sock ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i + 1)); done
	[ -S /tmp/pr.sock ]; btap $? "qemu-pr-helper runs as root"
	# the unprivileged QEMU must be able to connect
	chmod 666 /tmp/pr.sock

	t0=$(date +%s)
	# the guest's TSC is the host's too: the same clock arguments
	clock=$(tr ' ' '\n' < /proc/cmdline | grep -E '^(tsc|tsc_early_khz|clocksource)=' | tr '\n' ' ')
	timeout 1200 su tester -s /bin/sh -c "qemu-system-x86_64 -accel tcg -m 256 \
		-nographic -no-reboot -nodefaults \
		-kernel /guest/bzImage -initrd /guest/initramfs.cpio.gz \
		-append 'console=ttyS0 panic=-1 reboot=t nowatchdog $clock sgf.bench=$BENCH_ROUNDS,$BENCH_PRCOUNT' \
		-serial file:/tmp/guest-bench.log \
		-object pr-manager-helper,id=pr0,path=/tmp/pr.sock \
		-device virtio-scsi-pci,id=scsi0 \
		-drive file=$SGF_LIO,if=none,format=raw,id=direct \
		-device scsi-block,drive=direct,bus=scsi0.0,scsi-id=0,lun=0 \
		-drive if=none,id=helper,driver=raw,file.driver=host_device,file.filename=$lio1,file.pr-manager=pr0 \
		-device scsi-block,drive=helper,bus=scsi0.0,scsi-id=1,lun=0" \
		</dev/null >/tmp/qemu-bench.out 2>&1
	echo "# guest ran $(($(date +%s) - t0)) s"
	sed -n 's/\r$//; s/^SGF-GUEST bench /SGF-BENCH pr /p' /tmp/guest-bench.log
	rc=$(sed -n 's/\r$//; s/^SGF-GUEST done rc=\([0-9]*\).*/\1/p' /tmp/guest-bench.log)
	[ "$rc" = 0 ]; btap $? "the guest timed every PR command on both paths (rc=${rc:-none})"
	if [ "$rc" != 0 ]; then
		sed 's/^/# qemu: /' /tmp/qemu-bench.out
		tail -20 /tmp/guest-bench.log | sed 's/^/# guest: /'
	fi
	# the helper path is the only way LUN 1 could work: the twin check
	bench_refused -w "$lio1"
	btap $? "without the helper, tester is refused PR OUT on LUN 1 (unpriv_sgio=0)"

	kill "$(cat /tmp/pr.pid)" 2>/dev/null
	echo 0 > "$q0"
	bench_end
}

# The H:C:T:L of each scsi_debug disk that has its block device, by LUN
sdebug_disks() {
	ls -d /sys/bus/pseudo/devices/adapter*/host*/target*/*:*:*:*/block 2>/dev/null |
		sed 's|.*/\([0-9:]*\)/block$|\1|' | sort -t: -k4,4n
}

# 3. Scale: scsi_debug with 1024 LUNs. Memory from the slab counters
# before and after the LUNs appear (exact for the caches that run.sh boots
# with slab_debug=U: SLUB then keeps no object in a per-CPU slab); the
# decision on LUN 0 against the last.
suite_bench_scale() {
	local luns=1024 slab=/sys/kernel/slab nodes0 nodes1 slab0 slab1 i n first last
	local r which ns k0 k1 t0 node failed
	bench_begin
	rmmod scsi_debug || { btap 1 "scsi_debug unloads"; bench_end; return; }
	nodes0=$(cut -d' ' -f1 $slab/kernfs_node_cache/objects)
	slab0=$(sed -n 's/^Slab: *\([0-9]*\).*/\1/p' /proc/meminfo)
	t0=$(date +%s)
	modprobe scsi_debug max_luns=$luns delay=0 dev_size_mb=16
	i=0
	while [ "$(sdebug_disks | wc -l)" -lt $luns ] && [ $i -lt 1800 ]; do
		sleep 1; i=$((i + 1))
	done
	n=$(sdebug_disks | wc -l)
	[ "$n" = $luns ]; btap $? "$n scsi_debug disks with a block device (of $luns) in $(($(date +%s) - t0)) s"
	sleep 2
	nodes1=$(cut -d' ' -f1 $slab/kernfs_node_cache/objects)
	slab1=$(sed -n 's/^Slab: *\([0-9]*\).*/\1/p' /proc/meminfo)
	echo "SGF-BENCH scale devices=$n kernfs_nodes_before=$nodes0 kernfs_nodes_after=$nodes1" \
	     "kernfs_node_size=$(cat $slab/kernfs_node_cache/object_size)" \
	     "slab_kb_before=$slab0 slab_kb_after=$slab1" \
	     "unpriv_sgio_files=$(ls /sys/block/*/queue/unpriv_sgio /sys/bus/scsi/devices/*/unpriv_sgio 2>/dev/null | wc -l)"

	first=$(sdebug_disks | head -1)
	last=$(sdebug_disks | tail -1)
	export_nodes SGF_LUN_FIRST "$first"
	export_nodes SGF_LUN_LAST "$last"
	settle "$SGF_LUN_FIRST"; settle "$SGF_LUN_LAST"
	failed=0
	for r in $(seq 1 "$BENCH_ROUNDS"); do
		for which in $(abba "$r" "first last"); do
			eval "node=\$SGF_LUN_$(echo $which | tr a-z A-Z)"
			if ns=$(bench_run tester read10 "$node" "$BENCH_COUNT"); then
				echo "SGF-BENCH scale round=$r lun=$which hctl=$([ $which = first ] && echo $first || echo $last) ns=$ns"
			else
				failed=$((failed + 1))
			fi
		done
	done
	btap $failed "READ(10) on LUN $first and $last as the reader, $BENCH_ROUNDS rounds"
	bench_refused "$SGF_LUN_LAST"
	btap $? "and refused PERSISTENT RESERVE OUT on LUN $last"

	if patched; then
		# the module: its size, and the slab objects loading it takes
		k0=$(cut -d' ' -f1 $slab/kmalloc-1k/objects)
		slab0=$(sed -n 's/^Slab: *\([0-9]*\).*/\1/p' /proc/meminfo)
		modprobe sgfilter
		k1=$(cut -d' ' -f1 $slab/kmalloc-1k/objects)
		slab1=$(sed -n 's/^Slab: *\([0-9]*\).*/\1/p' /proc/meminfo)
		echo "SGF-BENCH module coresize=$(cat /sys/module/sgfilter/coresize)" \
		     "kmalloc1k_before=$k0 kmalloc1k_after=$k1 slab_kb_before=$slab0 slab_kb_after=$slab1"
		rmmod sgfilter
	fi
	bench_end
}

# As tester, UNMAP of LBA 0-7 opening the scsi_debug disk read-only: 0 if
# refused (EPERM), 1 if it went through (the data is gone; the benchmarks
# do not need it)
bench_unmap_refused() {
	printf '\0\026\0\020\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\010\0\0\0\0' > /tmp/unmap.bin
	case $(su tester -s /bin/sh -c "sg_raw -R -s 24 -i /tmp/unmap.bin $SGF_DISK 42 00 00 00 00 00 00 00 18 00" 2>&1) in
	*"not permitted"*) return 0 ;;
	*"SCSI Status: Good"*) return 1 ;;
	*) return 2 ;;
	esac
}

# 4. The stock backend on Debian's own kernel (bench/run.sh boots it with
# tests/vm/stock-run.sh): the filter benchmark's reader, commands and
# rounds, in the configurations "stock" (the kernel as Debian ships it, no
# module: mainline's decision), "module" (sgfilter.ko loaded: its
# kprobes decide) and "root". One boot, so module/stock per
# round is the backend's cost against mainline's decision.
suite_bench_stock() {
	local configs="stock module root" runs=0 failed=0
	bench_begin
	stock_kernel
	btap $? "Debian's own kernel ($(uname -r)), not ours"
	echo "SGF-BENCH stockkernel release=$(uname -r)"
	echo 0 > /sys/bus/pseudo/drivers/scsi_debug/delay
	settle "$SGF_DISK"
	# (module: the stock backend's hooks, not a module for another kernel)
	bench_rounds stock "$configs" stock
	btap $failed "$runs timed runs of $BENCH_COUNT commands ($configs), every command allowed"
	# what the two configurations are: the reader's UNMAP goes through on
	# the kernel as shipped, and is refused with the stock backend loaded
	bench_enter stock
	bench_unmap_refused
	[ $? = 1 ]; btap $? "without sgfilter.ko the reader's UNMAP goes through (mainline's decision)"
	bench_enter module
	bench_unmap_refused
	btap $? "with sgfilter.ko (backend $(cat /sys/kernel/sgfilter/backend 2>/dev/null)) the reader's UNMAP is refused"
	echo "SGF-BENCH stockmodule coresize=$(cat /sys/module/sgfilter/coresize 2>/dev/null)"
	bench_enter stock
	bench_end
}
