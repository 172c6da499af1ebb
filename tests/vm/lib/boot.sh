# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=bash
#
# Boot a test VM and judge the run: what tests/vm/run.sh (our kernels) and
# tests/vm/stock-run.sh (Debian's own) share. A host-side helper (bash),
# sourced by them.
#
#   vm_boot_and_judge KERNEL INITRAMFS OUT TIMEOUT SUITES [APPEND]
#
# QEMU under TCG, a virtio-scsi controller carrying a scsi-hd and a scsi-cd
# (their images in OUT), the kernel's log on the first serial port
# (OUT/console.log), the suites' on the second (OUT/results.log); prints
# the suites' output, then execs tests/vm/judge-run.sh, which decides.
# Under TCG the guest's clock runs in fits and starts when the host is
# busy, so the lockup detectors are off (nowatchdog): they report the
# emulator. SGF_QEMU_ACCEL replaces "-accel tcg" (multi-threaded TCG, one
# host thread per vCPU), e.g. SGF_QEMU_ACCEL=tcg,thread=single runs both
# vCPUs in one host thread, to tell an emulator effect from a kernel one.

vm_boot_and_judge() {
	local kernel=$1 initrd=$2 out=$3 timeout=$4 suites=$5 append=${6:-}
	local here start qrc elapsed

	here=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
	rm -f "$out"/{console,results}.log
	truncate -s 16M "$out/hd.img"
	truncate -s 4M "$out/cd.img"
	start=$(date +%s.%N)
	set +e
	timeout --foreground "$timeout" qemu-system-x86_64 \
		-accel "${SGF_QEMU_ACCEL:-tcg}" -cpu max -smp 2 -m 1536 \
		-nographic -no-reboot -nodefaults \
		-kernel "$kernel" \
		-initrd "$initrd" \
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
	exec "$here/judge-run.sh" "$out" "$qrc" "$elapsed"
}
