/* SPDX-License-Identifier: GPL-2.0 */
/*
 * KTAP output for the sgfilter C checkers (the unit tests; the VM's matrix,
 * bad input and stress programs): the lines tests/vm/lib/ktap.sh prints for
 * the shell tests, after the kernel's kselftest.h.
 *
 *   check_header()          "TAP version 13", first
 *   check(OK, FMT, ...)     "ok N - ..." or "not ok N - ..."; returns OK
 *   check_skip(FMT, ...)    "ok N - ... # SKIP"
 *   diag(FMT, ...)          "# ...", a diagnostic line
 *   check_finished()        the plan "1..N" and kselftest's
 *                           "# Totals: pass:N fail:N xfail:0 xpass:0 skip:N error:0";
 *                           returns the exit status: 1 if a check failed
 */
#ifndef SGFILTER_CHECK_H
#define SGFILTER_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned int check_passed, check_failed, check_skipped;

static inline void check_header(void)
{
	printf("TAP version 13\n");
}

static inline void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static inline unsigned int check_number(void)
{
	return check_passed + check_failed + check_skipped + 1;
}

static inline bool __attribute__((format(printf, 2, 3)))
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", check_number());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		check_passed++;
	else
		check_failed++;
	return ok;
}

static inline void __attribute__((format(printf, 1, 2))) check_skip(const char *fmt, ...)
{
	va_list ap;

	printf("ok %u - ", check_number());
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf(" # SKIP\n");
	check_skipped++;
}

/* The plan and the totals line the runner reads; return the exit status. */
static inline int check_finished(void)
{
	printf("1..%u\n", check_number() - 1);
	printf("# Totals: pass:%u fail:%u xfail:0 xpass:0 skip:%u error:0\n",
	       check_passed, check_failed, check_skipped);
	return check_failed ? 1 : 0;
}

#endif
