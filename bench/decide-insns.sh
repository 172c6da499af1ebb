#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The instructions of one SG_IO decision (issue 16's measure: repeatable
# on a noisy machine, unlike nanoseconds): bench/decide.c built from the
# kernel sources the test kernels build, each form on each command run
# alone COUNT times under valgrind's callgrind, collecting inside the
# form's function only. Prints one line per pair:
#
#   decide-insns form=F op=OP insns=N ratio=R     (R: N / mainline's N)
#
#   bench/decide-insns.sh KSRC [OUTDIR]
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
ksrc=${1:?usage: decide-insns.sh KSRC [OUTDIR]}
out=${2:-$top/build/bench}
count=100000
mkdir -p "$out"
command -v valgrind >/dev/null ||
	{ echo "decide-insns: valgrind is not installed (apt-get install valgrind)" >&2; exit 2; }
gcc -O2 -Wall -Wextra -Wno-sign-compare -Werror -I"$top/tools/shim" \
	-idirafter "$ksrc/include" -o "$out/decide" "$top/bench/decide.c" \
	"$ksrc/drivers/scsi/scsi_sgio.c" "$top/tools/shim/kshim.c"

declare -A base
for op in read10 tur rc16; do
	for form in mainline builtin module nogrant grantpr; do
		valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.out" \
			--toggle-collect="decide_$form" "$out/decide" 1 $count $form $op \
			>/dev/null 2>"$out/callgrind.err" ||
			{ cat "$out/callgrind.err" >&2; exit 1; }
		total=$(sed -n 's/^summary: *//p' "$out/callgrind.out")
		n=$(( (total + count / 2) / count ))
		[ $form = mainline ] && base[$op]=$n
		echo "decide-insns form=$form op=$op insns=$n" \
			"ratio=$(awk -v a=$n -v b="${base[$op]}" 'BEGIN { printf "%.2f", a / b }')"
	done
done
rm -f "$out/callgrind.out" "$out/callgrind.err"
