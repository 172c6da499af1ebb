// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilterctl's output: messages on stderr ("sgfilterctl: ..." and "Hint:
 * ..."), and results on stdout through one API with two backends, text and
 * JSON (in the manner of iproute2's print_*()), so that a command writes
 * each value once whatever the format.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include "sgfilterctl.h"

/* --- messages --------------------------------------------------------------- */

static void message(const char *prefix, const char *fmt, va_list ap)
{
	fputs(prefix, stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

void error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message("sgfilterctl: ", fmt, ap);
	va_end(ap);
}

void hint(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message("Hint: ", fmt, ap);
	va_end(ap);
}

/* A Hint: line for the usual reasons a sysfs write fails */
void hint_errno(int err)
{
	if (err == EACCES || err == EPERM)
		hint("changing the policy needs root (CAP_SYS_ADMIN)");
	else if (err == ENOENT)
		hint("is the sgfilter module loaded? modprobe sgfilter");
}

/* An argument not understood: say which; main() adds the usage line */
int usage_error(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	message("sgfilterctl: ", fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* --- results ---------------------------------------------------------------- */

#define OUT_MAX_DEPTH	8

static bool json;
static int depth;			/* JSON objects and lists open */
static bool first[OUT_MAX_DEPTH];	/* nothing written yet at that depth */

void out_init(bool as_json)
{
	json = as_json;
	depth = 0;
}

static void json_str(const char *s)
{
	putchar('"');
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			printf("\\%c", c);
		else if (c < 0x20)
			printf("\\u%04x", c);
		else
			putchar(c);
	}
	putchar('"');
}

/* The ", " before every value but a container's first, and its key */
static void json_key(const char *key)
{
	if (depth && !first[depth - 1])
		fputs(", ", stdout);
	if (depth)
		first[depth - 1] = false;
	if (key) {
		json_str(key);
		fputs(": ", stdout);
	}
}

static void json_open(const char *key, char bracket)
{
	if (!json)
		return;
	json_key(key);
	putchar(bracket);
	if (depth < OUT_MAX_DEPTH)
		first[depth] = true;
	depth++;
}

static void json_close(char bracket)
{
	if (!json)
		return;
	putchar(bracket);
	if (--depth == 0)
		putchar('\n');
}

void out_open(const char *key)
{
	json_open(key, '{');
}

void out_close(void)
{
	json_close('}');
}

void out_open_list(const char *key)
{
	json_open(key, '[');
}

void out_close_list(void)
{
	json_close(']');
}

/* Is a value for @to written in the format in use? In JSON, its key first */
static bool begin_value(enum out_to to, const char *key, const char *fmt)
{
	if (json ? to == OUT_TEXT : to == OUT_JSON || !fmt)
		return false;
	if (json)
		json_key(key);
	return true;
}

void out_str(enum out_to to, const char *key, const char *fmt, const char *val)
{
	if (!begin_value(to, key, fmt))
		return;
	if (json)
		json_str(val);
	else
		printf(fmt, val);
}

void out_int(enum out_to to, const char *key, const char *fmt, long val)
{
	if (begin_value(to, key, fmt))
		printf(json ? "%ld" : fmt, val);
}

void out_bool(const char *key, bool val)
{
	if (!json)
		return;
	json_key(key);
	fputs(val ? "true" : "false", stdout);
}

void out_text(const char *fmt, ...)
{
	va_list ap;

	if (json)
		return;
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
}
