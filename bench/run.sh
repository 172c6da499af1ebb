#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench: boot the benchmark kernel twice (patched, then mainline), then
# Debian's own 6.12 kernel (sgfilter.ko's stock backend against the kernel
# as shipped, tests/vm/stock-run.sh), run the benchmark suites
# (bench/bench-suites.sh) and write bench/results.md and bench/results.png
# (bench/report.py).
#
#   SGF_BENCH=ROUNDS,COUNT,PRCOUNT   default 40,10000,200: alternating rounds,
#                                   SG_IO commands per timed run, PR commands
#                                   per timed run in the nested guest
#   SGF_BENCH_OUT=DIR                the VM runs' logs (default build/bench)
#
# The two kernels build on first use (about 6 minutes each on 2 cores) and
# are cached like the test kernels; Debian's is fetched (stock-kernel.sh).
# No figure here is asserted anywhere: the runs fail only if a benchmark
# could not do what it measures.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
params=${SGF_BENCH:-40,10000,200}
out=${SGF_BENCH_OUT:-$top/build/bench}
stock=6.12.117+deb12-amd64	# the stock backend's kernel (tests/vm/stock-kernel.sh)
[[ $params =~ ^[1-9][0-9]*,[1-9][0-9]*,[1-9][0-9]*$ ]] ||
	{ echo "bench: SGF_BENCH=\"$params\" is not ROUNDS,COUNT,PRCOUNT" >&2; exit 2; }

"$top/tests/deps.sh"
mkdir -p "$out"
# loglevel=5: the 1024 LUNs of the scale benchmark would otherwise print
# some 6000 lines on the emulated serial console while the clock runs.
# The guest's TSC is the host's (TCG): give the kernel its frequency.
gcc -O2 -Wall -o "$out/tsc_khz" "$top/bench/tsc_khz.c"
khz=$("$out/tsc_khz")
# slab_debug=U on the two caches the memory figures come from: SLUB then
# keeps none of their objects in a per-CPU slab, so the counts are exact.
args="loglevel=5 slab_nomerge slab_debug=U,kmalloc-1k,kernfs_node_cache"
args+=" tsc_early_khz=$khz tsc=reliable clocksource=tsc sgf.bench=$params"

echo "bench: patched kernel: filter, scale, persistent reservations" >&2
"$top/tests/vm/run.sh" --bench --timeout 5400 --out "$out/patched" --append "$args" \
	bench_filter bench_scale bench_pr
echo "bench: mainline kernel: filter, scale" >&2
"$top/tests/vm/run.sh" --bench --mainline --timeout 3600 --out "$out/mainline" --append "$args" \
	bench_filter bench_scale

echo "bench: Debian's own $stock: the stock backend against the kernel as shipped" >&2
"$top/tests/vm/stock-run.sh" "$stock" --timeout 3600 --out "$out/stock" --append "$args" \
	bench_stock

echo "bench: the decision alone, natively (bench/decide.c)" >&2
ksrc=$("$top/tests/vm/kernel.sh" --source)
gcc -O2 -Wall -Wextra -Wno-sign-compare -Werror -I"$top/tools/shim" \
	-idirafter "$ksrc/include" -o "$out/decide" "$top/bench/decide.c" \
	"$ksrc/drivers/scsi/scsi_sgio.c" "$top/tools/shim/kshim.c"
"$out/decide" "${params%%,*}" 20000000 | sed 's/^decide /SGF-BENCH decide /' > "$out/decide.log"

python3 "$top/bench/report.py" "$out/patched/results.log" "$out/mainline/results.log" \
	"$out/decide.log" \
	"$("$top/tests/vm/kernel.sh" --bench)" "$("$top/tests/vm/kernel.sh" --bench --mainline)" \
	"$top/bench" "$out/stock/results.log"
echo "bench: wrote bench/results.md and bench/results.png" >&2
