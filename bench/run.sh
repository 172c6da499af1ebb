#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the benchmark kernel patched and unpatched (mainline),
# and Debian's own 6.12 kernel (sgfilter.ko's stock backend against the
# kernel as shipped, tests/vm/stock-run.sh), SGF_BENCH_BOOTS times each,
# interleaved: pass 1 boots them in the order patched, mainline, stock,
# pass 2 in the reverse order, and so on (ABC CBA ...), so that no kernel
# always boots first and a comparison between two kernels pairs the boots
# of one pass. The suites (bench/bench-suites.sh, bench/bench-fio.sh) run in
# every boot; the scale and PR benchmarks in the first pass only (they
# compare nothing across boots). Then the decision alone, natively
# (bench/decide.c), and bench/report.py.
#
#   SGF_BENCH=ROUNDS,COUNT,PRCOUNT   default 40,10000,200: alternating rounds,
#                                   SG_IO commands per timed run, PR commands
#                                   per timed run in the nested guest
#   SGF_FIO=ROUNDS,SECONDS,DISKS,JOBS   default 10,5,4,2: fio --ioengine=sg
#                                   (bench/bench-fio.sh): alternating rounds,
#                                   seconds per run, disks, jobs per disk
#   SGF_BENCH_BOOTS=N                default 2: boots of each kernel (2 or
#                                   more for an interval across boots)
#   SGF_BENCH_KERNELS="patched mainline stock"   which kernels (default all)
#   SGF_BENCH_ONCE="scale pr"        the first pass's extra suites (default
#                                   both; empty: none, for a quick check)
#   SGF_BENCH_OUT=DIR                default build/bench
#
# Everything goes to DIR: DIR/logs holds what the report is made from (the
# suites' log of each boot, its console log, the native decision's log and
# its instruction counts, the
# kernels' sizes and configs, and "meta": the commit and whether the tree
# was dirty, the hashes of kernel/patches and kernel/sgfilter, the host's
# CPU, QEMU's version, the parameters, the order of the boots); DIR/runs
# the VM runs; DIR/results.md and DIR/results.png the report. make
# bench-publish (bench/publish.sh) copies the report and the logs into
# bench/ for committing; make bench-report makes the report again from
# the committed logs. No figure here is asserted anywhere: the runs fail
# only if a benchmark could not do what it measures.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
params=${SGF_BENCH:-40,10000,200}
fio=${SGF_FIO:-10,5,4,2}
boots=${SGF_BENCH_BOOTS:-2}
kernels=${SGF_BENCH_KERNELS:-patched mainline stock}
once_suites=${SGF_BENCH_ONCE-scale pr}
out=${SGF_BENCH_OUT:-$top/build/bench}
stock=6.12.117+deb12-amd64	# the stock backend's kernel (tests/vm/stock-kernel.sh)
[[ $params =~ ^[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*$ ]] ||
	{ echo "bench: SGF_BENCH=\"$params\" is not ROUNDS,COUNT,PRCOUNT" >&2; exit 2; }
[[ $fio =~ ^[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*$ ]] ||
	{ echo "bench: SGF_FIO=\"$fio\" is not ROUNDS,SECONDS,DISKS,JOBS" >&2; exit 2; }
[[ $boots =~ ^[1-9][0-9]*$ ]] || { echo "bench: SGF_BENCH_BOOTS=\"$boots\" is not a number" >&2; exit 2; }

"$top/tests/deps.sh"
logs=$out/logs
rm -rf "$logs" "$out/runs" "$out/results.md" "$out/results.png"
mkdir -p "$logs" "$out/runs"

# What was measured, where: bench/report.py prints it at the top
ksrc=$("$top/tests/vm/kernel.sh" --source)
pobj= mobj=
for k in $kernels; do
	case $k in
	patched) pobj=$("$top/tests/vm/kernel.sh" --bench); cp "$pobj/.config" "$logs/config-$k" ;;
	mainline) mobj=$("$top/tests/vm/kernel.sh" --bench --mainline); cp "$mobj/.config" "$logs/config-$k" ;;
	stock) cp "$("$top/tests/vm/stock-kernel.sh" "$stock")/root/boot/config-$stock" "$logs/config-$k" ;;
	*) echo "bench: SGF_BENCH_KERNELS: no kernel $k (patched, mainline, stock)" >&2; exit 2 ;;
	esac
done
{
	echo "commit=$(git -C "$top" rev-parse HEAD)"
	echo "dirty=$([ -z "$(git -C "$top" status --porcelain --untracked-files=no)" ] && echo no || echo yes)"
	echo "date=$(date -u '+%Y-%m-%d %H:%M UTC')"
	python3 "$top/bench/report.py" --tree-hash
	echo "cpu=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
	echo "cpus=$(nproc)"
	echo "qemu=$(qemu-system-x86_64 --version | head -1)"
	echo "host_kernel=$(uname -r)"
	echo "load_start=$(cut -d' ' -f1-3 /proc/loadavg)"
	for f in base bench; do
		echo "fragment_$f=$(sha256sum < "$top/kernel/config/$f.config" | cut -c1-16)"
	done
	for k in $kernels; do
		echo "config_$k=$(sha256sum < "$logs/config-$k" | cut -c1-16)"
	done
	echo "stock_release=$stock"
	echo "bench=$params"
	echo "fio=$fio"
	echo "boots=$boots"
	echo "once=$once_suites"
} > "$logs/meta"
cp "$top/kernel/config/base.config" "$top/kernel/config/bench.config" "$logs/"

# loglevel=5: the 1024 LUNs of the scale benchmark would otherwise print
# some 6000 lines on the emulated serial console while the clock runs.
# The guest's TSC is the host's (TCG): give the kernel its frequency.
gcc -O2 -Wall -o "$out/tsc_khz" "$top/bench/tsc_khz.c"
khz=$("$out/tsc_khz")
# slab_debug=U on the two caches the memory figures come from: SLUB then
# keeps none of their objects in a per-CPU slab, so the counts are exact.
args="loglevel=5 slab_nomerge slab_debug=U,kmalloc-1k,kernfs_node_cache"
args+=" tsc_early_khz=$khz tsc=reliable clocksource=tsc sgf.bench=$params sgf.fio=$fio"

# boot KERNEL PASS: one boot, its logs in $logs/KERNEL-PASS.log (the
# suites') and .console.log. A kernel's later boots reuse its first
# boot's image (--keep-image), which has what every pass needs.
boot() {
	local k=$1 i=$2 run=$out/runs/$1 once=()
	echo "bench: $(date -u +%H:%M:%S) boot $i of $boots: $k" >&2
	case $k in
	patched)
		[ "$i" != 1 ] || once=($(for s in $once_suites; do echo "bench_$s"; done))
		"$top/tests/vm/run.sh" --bench --timeout 5400 --out "$run" --append "$args" --keep-image \
			bench_filter bench_fio ${once[@]+"${once[@]}"}
		;;
	mainline)
		[ "$i" != 1 ] || once=($(for s in $once_suites; do [ "$s" = pr ] || echo "bench_$s"; done))
		"$top/tests/vm/run.sh" --bench --mainline --timeout 3600 --out "$run" --append "$args" --keep-image \
			bench_filter bench_fio ${once[@]+"${once[@]}"}
		;;
	stock)
		"$top/tests/vm/stock-run.sh" "$stock" --timeout 3600 --out "$run" --append "$args" --keep-image \
			bench_stock bench_fio
		;;
	esac
	cp "$run/results.log" "$logs/$k-$i.log"
	cp "$run/console.log" "$logs/$k-$i.console.log"
	echo "$k-$i $(date -u +%H:%M:%S)" >> "$logs/order"
}

for i in $(seq 1 "$boots"); do
	order=$kernels
	[ $((i % 2)) = 1 ] || order=$(echo "$kernels" | tr ' ' '\n' | tac | tr '\n' ' ')
	for k in $order; do
		boot "$k" "$i"
	done
done
echo "load_end=$(cut -d' ' -f1-3 /proc/loadavg)" >> "$logs/meta"

echo "bench: the decision alone, natively (bench/decide.c)" >&2
gcc -O2 -Wall -Wextra -Wno-sign-compare -Werror -I"$top/tools/shim" \
	-idirafter "$ksrc/include" -o "$out/decide" "$top/bench/decide.c" \
	"$ksrc/drivers/scsi/scsi_sgio.c" "$top/tools/shim/kshim.c"
"$out/decide" "${params%%,*}" 20000000 | sed 's/^decide /SGF-BENCH decide /' > "$logs/decide.log"
echo "bench: the instructions of one decision (bench/decide-insns.sh)" >&2
"$top/bench/decide-insns.sh" "$ksrc" "$out" | sed 's/^decide-insns /SGF-BENCH insns /' > "$logs/insns.log"
# the kernels' sizes, so that the report needs no kernel tree
python3 "$top/bench/report.py" --sizes ${pobj:+patched "$pobj"} ${mobj:+mainline "$mobj"} > "$logs/sizes.log"

python3 "$top/bench/report.py" "$logs" "$out"
echo "bench: wrote $out/results.md and results.png (make bench-publish copies them into bench/)" >&2
