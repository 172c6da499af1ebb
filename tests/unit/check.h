/* SPDX-License-Identifier: GPL-2.0 */
/* Minimal TAP output for the sgfilter user-space tests. */
#ifndef SGFILTER_CHECK_H
#define SGFILTER_CHECK_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

static unsigned int check_passed, check_failed;

static void __attribute__((format(printf, 1, 2))) diag(const char *fmt, ...)
{
	va_list ap;

	printf("# ");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
}

static bool __attribute__((format(printf, 2, 3)))
check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%sok %u - ", ok ? "" : "not ", check_passed + check_failed + 1);
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

/* Print the summary line the runner reads; return the exit status. */
static int check_summary(void)
{
	printf("1..%u\n%u passed, %u failed\n", check_passed + check_failed,
	       check_passed, check_failed);
	return check_failed ? 1 : 0;
}

#endif
