// SPDX-License-Identifier: GPL-2.0
/*
 * decide: the cost of one SG_IO decision on this machine's own CPU, outside
 * the emulator. The kernel's drivers/scsi/scsi_sgio.c is compiled in through
 * the user-space shim (tools/shim), as the unit tests do, and timed in
 * three forms, alternating in ROUNDS rounds:
 *
 *   mainline  mainline 6.12.117's opcode switch (tests/unit/mainline.h)
 *   builtin   what scsi_cmd_allowed() does with no module: class, default
 *             table, scsi_sgio_permitted()
 *   module    what it does with sgfilter.ko: an indirect call to a function
 *             out of line that looks the class table up through a pointer,
 *             calls scsi_sgio_permitted() and increments a counter
 *
 *   decide ROUNDS COUNT
 *
 * Prints "decide round=R form=F op=OP count=COUNT ns=N" lines (mean ns per
 * decision, over COUNT decisions) for bench/report.py.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include <scsi/scsi_proto.h>
#include <scsi/scsi_sgio.h>

#include "../tests/unit/mainline.h"

static const u8 cdb_read10[10] = { READ_10, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
static const u8 cdb_tur[6] = { TEST_UNIT_READY };

static const struct scsi_sgio_table *tables[SCSI_SGIO_NR_CLASSES];
static unsigned long allowed[SCSI_SGIO_NR_CLASSES];

/* The sd device type arrives through memory, as sdev->type does */
static volatile int dev_type = TYPE_DISK;

static __attribute__((noinline)) bool decide_mainline(const u8 *cdb,
						      unsigned int len __attribute__((unused)),
						      bool writer)
{
	switch (mainline_perm(cdb[0])) {
	case SCSI_SGIO_READ:
		return true;
	case SCSI_SGIO_WRITE:
		return writer;
	default:
		return false;
	}
}

static __attribute__((noinline)) bool decide_builtin(const u8 *cdb, unsigned int len,
						     bool writer)
{
	return scsi_sgio_permitted(scsi_sgio_default_table(scsi_sgio_class(dev_type)),
				   cdb, len, writer);
}

static __attribute__((noinline)) bool module_cmd_allowed(const u8 *cdb, unsigned int len,
							 bool writer)
{
	enum scsi_sgio_class class = scsi_sgio_class(dev_type);

	if (scsi_sgio_permitted(tables[class], cdb, len, writer)) {
		allowed[class]++;
		return true;
	}
	return false;
}

static bool (*volatile policy)(const u8 *cdb, unsigned int len, bool writer) =
	module_cmd_allowed;

static __attribute__((noinline)) bool decide_module(const u8 *cdb, unsigned int len,
						    bool writer)
{
	return policy(cdb, len, writer);
}

static long long now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static unsigned long parse(const char *s)
{
	char *end;
	unsigned long v;

	v = strtoul(s, &end, 10);
	if (end == s || *end || !v || s[0] == '-') {
		fprintf(stderr, "Invalid number \"%s\": a positive integer\n", s);
		exit(2);
	}
	return v;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		bool (*fn)(const u8 *cdb, unsigned int len, bool writer);
	} forms[] = {
		{ "mainline", decide_mainline },
		{ "builtin", decide_builtin },
		{ "module", decide_module },
	};
	static const struct {
		const char *name;
		const u8 *cdb;
		unsigned int len;
	} ops[] = {
		{ "read10", cdb_read10, sizeof(cdb_read10) },
		{ "tur", cdb_tur, sizeof(cdb_tur) },
	};
	unsigned long rounds, count, r, i, yes;
	unsigned int f, o, k;
	long long t0;

	if (argc != 3) {
		fprintf(stderr, "usage: %s ROUNDS COUNT\n", argv[0]);
		return 2;
	}
	rounds = parse(argv[1]);
	count = parse(argv[2]);
	scsi_sgio_init_defaults();
	for (k = 0; k < SCSI_SGIO_NR_CLASSES; k++)
		tables[k] = scsi_sgio_default_table(k);

	/* what they allow, they must also be able to refuse */
	for (f = 0; f < 3; f++) {
		static const u8 prout[10] = { PERSISTENT_RESERVE_OUT, 0x06 };

		if (forms[f].fn(prout, sizeof(prout), false)) {
			fprintf(stderr, "%s allowed PERSISTENT RESERVE OUT to a reader\n",
				forms[f].name);
			return 1;
		}
	}
	for (r = 1; r <= rounds; r++) {
		for (k = 0; k < 3; k++) {
			/* ABBA: reversed on even rounds */
			f = r % 2 ? k : 2 - k;
			for (o = 0; o < 2; o++) {
				yes = 0;
				t0 = now_ns();
				for (i = 0; i < count; i++)
					yes += forms[f].fn(ops[o].cdb, ops[o].len, false);
				t0 = now_ns() - t0;
				if (yes != count) {
					fprintf(stderr, "%s refused %s\n", forms[f].name, ops[o].name);
					return 1;
				}
				printf("decide round=%lu form=%s op=%s count=%lu ns=%.3f\n", r,
				       forms[f].name, ops[o].name, count, (double)t0 / count);
			}
		}
	}
	return kshim_warnings ? 1 : 0;
}
