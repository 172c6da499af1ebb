// SPDX-License-Identifier: GPL-2.0
/*
 * Print this machine's TSC frequency in kHz, measured against
 * CLOCK_MONOTONIC_RAW over 200 ms.
 *
 * Under TCG, QEMU's guest reads the host's TSC, but a small kernel without
 * ACPI has no HPET or PM timer to calibrate it against, fails with the PIT
 * now and then and falls back to jiffies: 4 ms steps. make bench boots
 * with tsc_early_khz= set from this and tsc=reliable.
 */
#include <stdio.h>
#include <time.h>
#include <x86intrin.h>

static double now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_RAW, &ts);
	return ts.tv_sec * 1e9 + ts.tv_nsec;
}

int main(void)
{
	const struct timespec pause = { 0, 200000000 };
	unsigned long long c0, c1;
	double t0, t1;

	t0 = now_ns();
	c0 = __rdtsc();
	nanosleep(&pause, NULL);
	t1 = now_ns();
	c1 = __rdtsc();
	printf("%.0f\n", (c1 - c0) / (t1 - t0) * 1e6);
	return 0;
}
