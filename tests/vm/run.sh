#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Boot the test kernel in QEMU and run suites in it.
#
#   run.sh [--mainline] [--no-debug | --bench] [--timeout S] [--out DIR]
#          [--append ARGS] SUITE...
#
# Builds (or reuses) the kernel and the initramfs, boots with a virtio-scsi
# controller carrying a QEMU scsi-hd and scsi-cd, and prints what the suites
# reported. The host decides (judge-run.sh): the run fails if a suite fails,
# if the VM does not finish, or if the kernel log shows a warning, an oops, a
# KASAN, lockdep or RCU report. The last line is kselftest's
# "# Totals: pass:N fail:N xfail:0 xpass:0 skip:N error:0".
#
# A SUITE is a suite_SUITE function in tests/vm/suites/SUITE.sh or
# bench/bench-suites.sh. A suite that boots the nested guest says so
# ("# needs: nested-guest" above its function): the guest then gets the
# patched kernel without the debug options (TCG in TCG is slow enough
# without KASAN), or with --bench the benchmark kernel, which is one
# already. Other runs carry the test kernel there, unused.
#
# --bench boots the benchmark kernel (kernel.sh --bench); --append adds
# kernel command line arguments.
# SGF_RELOADS sets the module reload cycles of the stress suite (default 20).
#
# Under TCG the guest's clock runs in fits and starts when the host is busy,
# so the lockup detectors are off (nowatchdog): they report the emulator.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
kopts=() timeout=900 out= append= bench=0
while [ $# -gt 0 ]; do
	case $1 in
	--mainline|--no-debug) kopts+=("$1") ;;
	--bench) kopts+=("$1"); bench=1 ;;
	--timeout) timeout=$2; shift ;;
	--out) out=$2; shift ;;
	--append) append=$2; shift ;;
	-*) echo "usage: $0 [--mainline] [--no-debug | --bench] [--timeout S] [--out DIR] [--append ARGS] SUITE..." >&2; exit 2 ;;
	*) break ;;
	esac
	shift
done
[ $# -gt 0 ] || { echo "$0: name at least one suite" >&2; exit 2; }
suites=$(IFS=,; echo "$*")
needs=$("$top/tests/vm/initramfs.sh" --needs "$@") || exit 2

obj=$("$top/tests/vm/kernel.sh" ${kopts[@]+"${kopts[@]}"})
src=$(dirname "$obj")/src
guest_obj=$obj
if grep -qx nested-guest <<< "$needs" && [ $bench = 0 ]; then
	guest_obj=$("$top/tests/vm/kernel.sh" --no-debug)
fi
out=${out:-$(dirname "$obj")/run}
mkdir -p "$out"
rm -f "$out"/{console,results}.log

"$top/tests/vm/initramfs.sh" "$out/initramfs.cpio.gz" "$obj" "$src" \
	"$guest_obj/arch/x86/boot/bzImage"
truncate -s 16M "$out/hd.img"
truncate -s 4M "$out/cd.img"

start=$(date +%s.%N)
set +e
timeout --foreground "$timeout" qemu-system-x86_64 \
	-accel tcg -cpu max -smp 2 -m 1536 \
	-nographic -no-reboot -nodefaults \
	-kernel "$obj/arch/x86/boot/bzImage" \
	-initrd "$out/initramfs.cpio.gz" \
	-append "console=ttyS0 panic_on_warn=1 panic=-1 oops=panic reboot=t loglevel=6 nowatchdog sgf.run=$suites sgf.reloads=${SGF_RELOADS:-20}${append:+ $append}" \
	-serial "file:$out/console.log" \
	-serial "file:$out/results.log" \
	-device virtio-scsi-pci,id=scsi0 \
	-drive "file=$out/hd.img,if=none,format=raw,id=hd0" \
	-device scsi-hd,drive=hd0,bus=scsi0.0 \
	-drive "file=$out/cd.img,if=none,format=raw,media=cdrom,id=cd0" \
	-device scsi-cd,drive=cd0,bus=scsi0.0 \
	</dev/null >"$out/qemu.log" 2>&1
qrc=$?
set -e
elapsed=$(echo "$(date +%s.%N) - $start" | bc)

cat "$out/results.log"
exec "$top/tests/vm/judge-run.sh" "$out" "$qrc" "$elapsed"
