#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# make bench-publish: put the last make bench run (build/bench, or
# SGF_BENCH_OUT) into bench/ for committing: its logs as bench/logs.tar.xz
# (meta, every boot's suite and console logs, the native decision's log,
# the kernels' sizes and configs; xz, as the configs and console logs are
# large), and bench/results.md and results.png made from that archive, so
# that what is committed is what make bench-report (and the unit test)
# makes of it. The archive is made the same way every time (sorted, no
# owners or dates), so publishing the same logs twice changes nothing.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
out=${SGF_BENCH_OUT:-$top/build/bench}
[ -e "$out/logs/meta" ] || { echo "bench-publish: no make bench run in $out (no logs/meta)" >&2; exit 1; }
tar --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -C "$out" -cf - logs |
	xz -9 > "$top/bench/logs.tar.xz"
python3 "$top/bench/report.py" "$top/bench/logs.tar.xz" "$top/bench"
cmp -s "$out/results.md" "$top/bench/results.md" ||
	echo "bench-publish: note: bench/results.md differs from $out/results.md (the tree changed since make bench?)" >&2
echo "bench-publish: bench/logs.tar.xz ($(du -k "$top/bench/logs.tar.xz" | cut -f1) kB), results.md, results.png: commit them together" >&2
