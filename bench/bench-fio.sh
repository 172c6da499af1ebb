# SPDX-License-Identifier: GPL-2.0
#
# The SG_IO throughput benchmark of the test VM (issue 16): fio
# --ioengine=sg, run as the unprivileged user tester, on several scsi_debug
# disks with delay=0 at once, several jobs per disk. The initramfs carries
# this file in /tests/suites next to bench-suites.sh, whose helpers it uses
# (bench_enter, abba, btap).
#
# sgf.fio=ROUNDS,SECONDS,DISKS,JOBS on the kernel command line (bench/run.sh
# sets it from SGF_FIO): alternating rounds, the length of one timed fio
# run, the disks, the jobs per disk. Without it, 2 rounds of 2 seconds, 2
# disks, 2 jobs: the machinery, not figures.
# Each fio run prints
#
#   SGF-BENCH fio round=<r> config=<config> disks=<n> jobs=<n> iops=<IOPS>
#
# Configurations, in ABBA order per round: on the patched kernel `builtin`
# (the built-in tables), `module` (sgfilter.ko), `grant` (sgfilter.ko, which
# keeps the grants, and `sgfilterctl grant DISK pr` on every disk: the
# grants are looked up first, then the table), `root`; on mainline `mainline` and `root`; on Debian's own kernel
# `stock` (as shipped), `module` (the stock backend) and `root`.

. /tests/suites/bench-suites.sh

fio_params=$(sed -n 's/.*sgf\.fio=\([0-9,]*\).*/\1/p' /proc/cmdline)
FIO_ROUNDS=$(echo "${fio_params:-2,2,2,2}" | cut -d, -f1)
FIO_SECONDS=$(echo "${fio_params:-2,2,2,2}" | cut -d, -f2)
FIO_DISKS=$(echo "${fio_params:-2,2,2,2}" | cut -d, -f3)
FIO_JOBS=$(echo "${fio_params:-2,2,2,2}" | cut -d, -f4)

# The configurations of this kernel
fio_configs() {
	if stock_kernel 2>/dev/null; then
		echo "stock module root"
	elif patched; then
		echo "builtin module grant root"
	else
		echo "mainline root"
	fi
}

# fio_grants grant|revoke: the pr profile on every disk of the benchmark
fio_grants() {
	local d msg
	for d in $FIO_NODES; do
		msg=$(sgfilterctl "$1" "$d" pr 2>&1) ||
			{ echo "$msg" | sed 's/^/# /'; return 1; }
	done
}

# Put the kernel in configuration $1 (bench_enter's, plus grant)
fio_enter() {
	[ -z "$fio_granted" ] || { fio_grants revoke || return 1; fio_granted=; }
	case $1 in
	grant)
		bench_enter module && fio_grants grant && fio_granted=1
		;;
	*)
		bench_enter "$1"
		;;
	esac
}

# One timed fio run as tester (root for "root"): the read IOPS of all jobs
# (terse output, field 8: read IOPS, jobs added up by group_reporting).
# Read-only opens of the block nodes: fio's sg engine sends READ through
# SG_IO there, one ioctl per command, each through the decision.
fio_run() {
	local cmd d files=
	for d in $FIO_NODES; do
		files="$files --name=$(basename "$d") --filename=$d"
	done
	# (fio's job table in the shared memory of bench/fio-shm.c: our
	# kernels have no System V IPC)
	cmd="LD_PRELOAD=/usr/lib/sgf-shm.so fio --ioengine=sg --rw=randread --bs=4k --readonly --thread \
		--numjobs=$FIO_JOBS --time_based --runtime=$FIO_SECONDS \
		--group_reporting --minimal $files"
	if [ "$1" = root ]; then
		sh -c "$cmd"
	else
		su tester -s /bin/sh -c "$cmd"
	fi > /tmp/fio.out 2> /tmp/fio.err || return 1
	awk -F';' 'NF > 8 { print $8; n++ } END { exit n != 1 }' /tmp/fio.out
}

# FIO_DISKS scsi_debug disks (SGF_DISK and hosts added here) with delay=0
# needs: fio
suite_bench_fio() {
	local r cfg configs iops runs=0 failed=0 i d hctl fio_granted=
	bench_begin
	echo 0 > /sys/bus/pseudo/drivers/scsi_debug/delay
	FIO_NODES=$SGF_DISK
	for i in $(seq 2 "$FIO_DISKS"); do
		hctl=$(sdebug_add_host)
		export_nodes SGF_FIO$i "$hctl"
		eval "FIO_NODES=\"\$FIO_NODES \$SGF_FIO$i\""
	done
	for d in $FIO_NODES; do settle "$d"; done
	[ "$(echo $FIO_NODES | wc -w)" = "$FIO_DISKS" ]
	btap $? "$FIO_DISKS scsi_debug disks: $FIO_NODES"
	configs=$(fio_configs)
	for r in $(seq 1 "$FIO_ROUNDS"); do
		for cfg in $(abba "$r" "$configs"); do
			runs=$((runs + 1))
			if fio_enter "$cfg" && iops=$(fio_run "$([ $cfg = root ] && echo root || echo tester)"); then
				echo "SGF-BENCH fio round=$r config=$cfg disks=$FIO_DISKS jobs=$FIO_JOBS iops=$iops"
			else
				failed=$((failed + 1))
				sed 's/^/# fio: /' /tmp/fio.err | tail -5
			fi
		done
	done
	btap $failed "$runs fio runs of $FIO_SECONDS s ($configs), $FIO_JOBS jobs on each of $FIO_DISKS disks, no error"
	# the twin: the reader is refused what no table gives it, and the
	# grant configuration gave PR OUT to writers only
	fio_enter "$(set -- $configs; echo $1)"
	bench_refused "$SGF_DISK"
	btap $? "the reader is refused PERSISTENT RESERVE OUT (the filter is on)"
	if patched; then
		fio_enter grant
		bench_refused -w "$SGF_DISK"
		[ $? != 0 ]; btap $? "with the pr grant a writer may send PERSISTENT RESERVE OUT"
		fio_enter builtin
	fi
	bench_end
}
