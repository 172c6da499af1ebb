#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench/report.py must compute the ratios the figures imply and reach the
# verdict they call for, either way: feed it made-up benchmark runs.
set -uo pipefail

report=$(cd "$(dirname "$0")/../../bench" && pwd)/report.py
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=../vm/lib/ktap.sh
. "$(dirname "$0")/../vm/lib/ktap.sh"
tap() { ktap_test_status "$@"; }
ktap_print_header

# runs FILE ROUNDS: SGF-BENCH lines, ns given per configuration as
# CONFIG=NS arguments after the first two; odd rounds take twice as long,
# every configuration alike, as a slow phase of the emulator would
runs() {
	local file=$1 rounds=$2 r kv
	shift 2
	for r in $(seq 1 "$rounds"); do
		for kv; do
			echo "SGF-BENCH filter round=$r config=${kv%=*} op=read10 ns=$(( ${kv#*=} * (1 + r % 2) ))"
		done
	done >> "$file"
}

# make PATCHED-CONFIGS... -- MAINLINE-CONFIGS... -- HELPER-NS: write the logs, run the report
make_report() {
	local p=$dir/patched.log m=$dir/mainline.log d=$dir/decide.log r
	: > "$p"; : > "$m"; : > "$d"
	local args=() target=$p
	for a; do
		case $a in
		--) runs "$target" 10 "${args[@]}"; args=(); target=$m ;;
		*) args+=("$a") ;;
		esac
	done
	for r in $(seq 1 10); do
		echo "SGF-BENCH pr round=$r path=direct op=prin ns=1000" >> "$p"
		echo "SGF-BENCH pr round=$r path=helper op=prin ns=${args[0]}" >> "$p"
		echo "SGF-BENCH decide round=$r form=builtin op=read10 count=1000 ns=7.5" >> "$d"
	done
	rm -f "$dir/results.md" "$dir/results.png"
	python3 "$report" "$p" "$m" "$d" "$dir/none" "$dir/none" "$dir" > "$dir/out" 2>&1
}

make_report builtin=1000 module=1100 module200=1000 root=1000 -- mainline=1000 root=1000 -- 3000
tap $? "report.py runs on made-up figures"
[ -s "$dir/results.png" ] && [ "$(head -c 4 "$dir/results.png" | od -An -c | tr -d ' ')" = 211PNG ]
tap $? "it draws the chart (a PNG)"
grep -q '| read10 | module | [0-9]* | 1100 | 1.100 ' "$dir/results.md"
tap $? "module against builtin: 1.100 when it takes 10% longer"
grep -q '| read10 | module | +10.00% ' "$dir/results.md"
tap $? "... and +10.00% against mainline, anchored on root"
grep -q 'anchored: missed (largest +10.00%, read10 module)' "$dir/results.md"
tap $? "10% over mainline misses the 1% goal"
grep -q 'PR IN READ KEYS | 1000 | 3000 | 3.000 ' "$dir/results.md" &&
	grep -q 'Goal (direct at least 2x faster): \*\*met\*\*' "$dir/results.md"
tap $? "a helper 3 times slower meets the 2x goal"

make_report builtin=1000 module=1005 module200=1000 root=1000 -- mainline=1000 root=1000 -- 1500
grep -q 'anchored: met (largest +0.50%, read10 module)' "$dir/results.md"
tap $? "0.5% over mainline meets the 1% goal"
grep -q 'Goal (direct at least 2x faster): \*\*missed\*\* (smallest median ratio 1.50)' "$dir/results.md"
tap $? "a helper 1.5 times slower misses the 2x goal"

make_report builtin=1000 module=1000 module200=1000 root=1000 -- mainline=1100 root=1100 -- 2000
grep -q '| read10 | builtin | +0.00% | +0.00% | -9.09% |' "$dir/results.md"
tap $? "a slower second boot cancels out when anchored on root, not raw"

grep -q 'stock backend' "$dir/results.md"
[ $? != 0 ]; tap $? "without a stock backend log, no stock backend section"

# The stock backend's boot (bench_stock): module against Debian's kernel as
# shipped, per round, in that boot
stock_report() {
	: > "$dir/stock.tmp"
	runs "$dir/stock.tmp" 10 "$@"
	{ echo "SGF-BENCH stockkernel release=6.12.117+deb12-amd64"
	  sed 's/^SGF-BENCH filter /SGF-BENCH stock /' "$dir/stock.tmp"
	  echo "SGF-BENCH stockmodule coresize=65536"; } > "$dir/stock.log"
	rm -f "$dir/results.md"
	python3 "$report" "$dir/patched.log" "$dir/mainline.log" "$dir/decide.log" \
		"$dir/none" "$dir/none" "$dir" "$dir/stock.log" > "$dir/out" 2>&1
}
stock_report stock=1000 module=1050 root=900
tap $? "report.py runs with a stock backend log"
grep -q '| read10 | module | [0-9]* | 1050 | 1.050 ' "$dir/results.md" &&
	grep -q 'decision, the same boot, median of the per-round ratios (95% interval): read10 +5.00% ' "$dir/results.md"
tap $? "the stock backend 5% slower than the kernel as shipped: 1.050, +5.00%"
grep -q '| read10 | stock | [0-9]* | 1000 | 1 | 1.111 ' "$dir/results.md" &&
	grep -q "Debian's own kernel \`6.12.117+deb12-amd64\`" "$dir/results.md" &&
	grep -q '65536 bytes of module core' "$dir/results.md"
tap $? "... the kernel as shipped against root, the release, the module's size"
stock_report stock=1000 module=1000 root=1000
grep -q 'read10 +0.00% ' "$dir/results.md" && ! grep -q '| read10 | module | [0-9]* | [0-9]* | 1.050 ' "$dir/results.md"
tap $? "and +0.00% when it costs nothing"

[ "$KTAP_CNT_FAIL" = 0 ] || sed 's/^/# /' "$dir/out" "$dir/results.md" 2>/dev/null | head -80
ktap_finished
