#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# bench/report.py must compute the ratios the figures imply and reach the
# verdict they call for, either way, from the intervals: feed it made-up
# benchmark logs. And the committed report (bench/results.md) must be what
# report.py makes of the committed logs (bench/logs.tar.xz), byte for byte.
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
report=$top/bench/report.py
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
# shellcheck source=../vm/lib/ktap.sh
. "$(dirname "$0")/../vm/lib/ktap.sh"
tap() { ktap_test_status "$@"; }
ktap_print_header

logs=$dir/logs
# runs FILE BENCH [FIELD] CONFIG=VALUE...: 10 rounds of SGF-BENCH lines;
# odd rounds take twice as long (half the IOPS), every configuration
# alike, as a slow phase of the emulator would
runs() {
	local file=$1 bench=$2 field=ns r kv v
	shift 2
	[ "$1" != iops ] || { field=iops; shift; }
	for r in $(seq 1 10); do
		for kv; do
			v=${kv#*=}
			if [ $field = ns ]; then v=$((v * (1 + r % 2))); else v=$((v / (1 + r % 2))); fi
			echo "SGF-BENCH $bench round=$r config=${kv%=*} op=read10 $field=$v"
		done
	done >> "$logs/$file"
}

# new_logs [HASHES]: an empty logs directory with a meta file; the tree's
# own hashes unless given
new_logs() {
	rm -rf "$logs" "$dir/results.md" "$dir/results.png"
	mkdir -p "$logs"
	{ echo "commit=0123456789abcdef0123456789abcdef01234567"
	  echo "dirty=no"
	  echo "cpu=Made-up CPU 3000"
	  echo "qemu=QEMU emulator version 0.0.1"
	  echo "bench=10,1000,100"
	  echo "boots=2"
	  if [ -n "${1:-}" ]; then echo "$1"; else python3 "$report" --tree-hash; fi
	} > "$logs/meta"
	printf 'patched-1 10:00:00\nmainline-1 10:01:00\nmainline-2 10:02:00\npatched-2 10:03:00\n' > "$logs/order"
	for r in $(seq 1 10); do
		echo "SGF-BENCH decide round=$r form=builtin op=read10 count=1000 ns=7.5" >> "$logs/decide.log"
	done
}
# pr PASS HELPER-NS: PR figures in the patched boot of PASS
pr() {
	local r
	for r in $(seq 1 10); do
		echo "SGF-BENCH pr round=$r path=direct op=prin ns=1000"
		echo "SGF-BENCH pr round=$r path=helper op=prin ns=$2"
	done >> "$logs/patched-$1.log"
}
make_report() {
	python3 "$report" "${1:-$logs}" "$dir" > "$dir/out" 2>&1
}
# two_passes MODULE-NS HELPER-NS: new logs, two passes of the filter
# benchmark (module takes MODULE-NS where the others take 1000) and the PR
# benchmark in the first; the report
two_passes() {
	new_logs
	for i in 1 2; do
		runs patched-$i.log filter builtin=1000 module=$1 module200=1000 root=1000
		runs mainline-$i.log filter mainline=1000 root=1000
	done
	pr 1 "$2"
	for r in 1 2 3 4 5; do
		echo "SGF-BENCH prvm round=$r op=prin ns=400"
	done >> "$logs/patched-1.log"
	make_report
}

two_passes 1100 3000
tap $? "report.py runs on made-up logs"
[ -s "$dir/results.png" ] && [ "$(head -c 4 "$dir/results.png" | od -An -c | tr -d ' ')" = 211PNG ]
tap $? "it draws the chart (a PNG)"
grep -q '| read10 | module | [0-9]* | 1100 | 1.100 (1.100-1.100; 1.10-1.10) ' "$dir/results.md"
tap $? "module against builtin: 1.100 when it takes 10% longer, in both boots"
grep -q '| read10 | module | +10.00% (+10.00% to +10.00%) ' "$dir/results.md"
tap $? "... and +10.00% against mainline, anchored on root, per pass"
grep -q 'at most 1% slower than mainline .*: \*\*missed\*\*; read10 builtin met; read10 module missed' "$dir/results.md"
tap $? "10% over mainline in every pass misses the 1% goal"
grep -q 'PR IN READ KEYS | 1000 | 3000 | 3.000 ' "$dir/results.md" &&
	grep -q 'direct at least 2x faster .*: prin met' "$dir/results.md"
tap $? "a helper 3 times slower meets the 2x goal"
grep -q '^| PR IN READ KEYS | 400 | 600 | 2000 | 2.00 |$' "$dir/results.md"
tap $? "the PR breakdown: the command from the VM, the guest and QEMU, the helper hop"
grep -q '^Measured at commit `0123456789abcdef0123456789abcdef01234567` ' "$dir/results.md" &&
	grep -q 'Host: Made-up CPU 3000, .*QEMU emulator version 0.0.1' "$dir/results.md" &&
	grep -q 'Boots in this order: patched-1, mainline-1, mainline-2, patched-2 ' "$dir/results.md"
tap $? "the report names the commit, the CPU, QEMU and the order of the boots"
[ "$(head -c 2 "$dir/results.md")" = "# " ]
tap $? "the tree's own patches and module: no notice at the top"

two_passes 1005 1500
grep -q '\*\*met\*\*; read10 builtin met; read10 module met' "$dir/results.md"
tap $? "0.5% over mainline in every pass meets the 1% goal"
grep -q 'direct at least 2x faster .*: prin missed (1.50-1.50)' "$dir/results.md"
tap $? "a helper 1.5 times slower misses the 2x goal"

new_logs
runs patched-1.log filter builtin=1000 module=1000 module200=1000 root=1000
runs patched-2.log filter builtin=1000 module=1060 module200=1000 root=1000
runs mainline-1.log filter mainline=1000 root=1000
runs mainline-2.log filter mainline=1000 root=1000
make_report
grep -q '| read10 | module | +2.96% (-2[0-9].[0-9]*% to +4[0-9].[0-9]*%) ' "$dir/results.md" &&
	grep -q '\*\*undecided\*\*; .*read10 module undecided' "$dir/results.md"
tap $? "0% in one pass and 6% in the other: an interval across passes that straddles 1%, undecided"
grep -q '| read10 | module | [0-9]* | 1000 | 1.030 (0.7[0-9]*-1.4[0-9]*; 1.00-1.06) ' "$dir/results.md"
tap $? "... and the ratio within the patched kernel has its interval across boots too"

new_logs
runs patched-1.log filter builtin=1000 module=1000 module200=1000 root=1000
runs mainline-1.log filter mainline=1100 root=1100
sed -i 's/^boots=2/boots=1/' "$logs/meta"
make_report
grep -q '| read10 | builtin | +0.00% (one pass: no interval) | -9.09% (one pass: no interval) |' "$dir/results.md"
tap $? "a slower mainline boot cancels out when anchored on root, not raw"
grep -q 'undecided' "$dir/results.md" && grep -q '^\*\*A short run' "$dir/results.md"
tap $? "one boot of each: no interval across boots, no verdict, a short run"
grep -q '^## 2. Persistent reservations' "$dir/results.md" && grep -q '^Not measured in this run' "$dir/results.md"
tap $? "no PR or scale figures: their sections say they were not measured"
grep -q 'stock backend' "$dir/results.md"
[ $? != 0 ]; tap $? "without a stock backend log, no stock backend section"

# The stock backend's boots (bench_stock): module against Debian's kernel
# as shipped, in the same boots
for i in 1 2; do
	echo "SGF-BENCH stockkernel release=6.12.117+deb12-amd64" > "$logs/stock-$i.log"
	runs stock-$i.log stock stock=1000 module=1050 root=900
	echo "SGF-BENCH stockmodule coresize=65536" >> "$logs/stock-$i.log"
done
make_report
tap $? "report.py runs with stock backend logs"
grep -q '| read10 | module | [0-9]* | 1050 | 1.050 (1.050-1.050; 1.05-1.05) ' "$dir/results.md" &&
	grep -q "mainline's decision (the same boots; the interval's upper bound): read10 +5.00% (+5.00% to +5.00%): missed" "$dir/results.md"
tap $? "the stock backend 5% slower than the kernel as shipped: 1.050, +5.00%, missed"
grep -q '| read10 | stock | [0-9]* | 1000 | 1 | 1.111 ' "$dir/results.md" &&
	grep -q "Debian's own kernel \`6.12.117+deb12-amd64\`" "$dir/results.md" &&
	grep -q '65536 bytes of module core' "$dir/results.md"
tap $? "... the kernel as shipped against root, the release, the module's size"

# fio: IOPS, higher is better
new_logs
for i in 1 2; do
	runs patched-$i.log fio iops builtin=1000 module=1000 grant=900 root=1000
	runs mainline-$i.log fio iops mainline=1000 root=1000
	runs stock-$i.log fio iops stock=1000 module=996 root=1000
done
make_report
grep -q '| patched | grant | [0-9]* | 0.900 (0.900-0.900; 0.90-0.90) | 0.900 ' "$dir/results.md" &&
	grep -q "the interval's lower bound): builtin met; module met; grant missed; stock backend met" "$dir/results.md"
tap $? "fio: 10% fewer IOPS with grants misses 99% of mainline's, 0.4% fewer meets it"
grep -q 'the stock backend/as shipped 0.996 ' "$dir/results.md"
tap $? "fio: the stock backend against Debian's kernel as shipped, in the same boots"

# Instructions per decision (insns.log, bench/decide-insns.sh): exact
# counts against mainline's, goals 1.2x (READ(10)) and 1.5x (a command
# keyed by service action), either way
new_logs
runs patched-1.log filter builtin=1000 root=1000
printf 'SGF-BENCH insns form=%s op=%s insns=%s\n' mainline read10 10 builtin read10 12 \
	module read10 13 mainline rc16 20 builtin rc16 30 module rc16 31 > "$logs/insns.log"
make_report
grep -q '| read10 | 10 | 12 (1.20x) | 13 (1.30x) | 1.2x |' "$dir/results.md" &&
	grep -q '| rc16 | 20 | 30 (1.50x) | 31 (1.55x) | 1.5x |' "$dir/results.md"
tap $? "instructions: each form's count and its multiple of mainline's, per command"
grep -q '^Goal, instructions per decision: \*\*missed\*\* (read10 module, rc16 module over the goal)' "$dir/results.md"
tap $? "... 1.2x and 1.5x meet their goals, 1.3x and 1.55x miss them"
sed -i '/form=module/d' "$logs/insns.log"
make_report
grep -q '^Goal, instructions per decision: \*\*met\*\*\.' "$dir/results.md"
tap $? "... and every form at or under its goal: met"

# The patches or the module changed since the measurement: said at the top
new_logs "patches=0000000000000000
module=0000000000000000"
runs patched-1.log filter builtin=1000 root=1000
make_report
head -1 "$dir/results.md" | grep -q '^\*\*Measured at 0123456789ab; the patches and module have changed since: figures describe 0123456789ab.\*\*$'
tap $? "other patches or module than this tree's: the first line says the figures describe the commit measured"
cp "$dir/results.md" "$dir/from-dir.md"
tar -C "$dir" -cJf "$dir/logs.tar.xz" logs
make_report "$dir/logs.tar.xz"
cmp -s "$dir/results.md" "$dir/from-dir.md"
tap $? "the logs as a tar.xz (what make bench-publish commits) give the same report"

# The committed report is what report.py makes of the committed logs, byte
# for byte: edited by hand, or left behind by a change to report.py, it
# fails here (make bench-report writes it again from the logs). When
# kernel/patches or kernel/sgfilter change after the measurement, the
# regenerated report starts with the notice that the figures describe the
# measured commit, and this fails until make bench-report has put that
# notice in the committed one: no results file describes another tree
# than HEAD's without saying so.
if [ -e "$top/bench/logs.tar.xz" ]; then
	make_report "$top/bench/logs.tar.xz"
	if cmp -s "$dir/results.md" "$top/bench/results.md"; then
		tap 0 "bench/results.md is what bench/report.py makes of bench/logs.tar.xz"
	else
		tap 1 "bench/results.md is what bench/report.py makes of bench/logs.tar.xz"
		head -1 "$dir/results.md" | grep -q '^\*\*Measured at' &&
			echo "# the patches or the module changed since the measurement: run make bench-report"
		diff "$top/bench/results.md" "$dir/results.md" | head -20 | sed 's/^/# /'
	fi
else
	tap 1 "bench/logs.tar.xz exists (make bench-publish commits it with the report)"
fi

[ "$KTAP_CNT_FAIL" = 0 ] || sed 's/^/# /' "$dir/out" "$dir/results.md" 2>/dev/null | head -80
ktap_finished
