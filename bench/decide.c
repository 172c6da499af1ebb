// SPDX-License-Identifier: GPL-2.0
/*
 * decide: the cost of one SG_IO decision on this machine's own CPU, outside
 * the emulator. The kernel's drivers/scsi/scsi_sgio.c is compiled in through
 * the user-space shim (tools/shim), as the unit tests do, and timed in
 * three forms, alternating in ROUNDS rounds:
 *
 *   mainline  mainline 6.12.117's opcode switch (tests/unit/mainline.h)
 *   builtin   what scsi_cmd_allowed() does with no module: the device
 *             type's default table, scsi_sgio_permitted()
 *   module    what it does with sgfilter.ko: an indirect call to a function
 *             out of line that looks the class table up through a pointer,
 *             calls scsi_sgio_permitted() and increments a counter
 *   nogrant   builtin, on a device without grants: the test of its grants
 *             pointer first (patch 0008)
 *   grantpr   builtin, on a device with the "pr" grants (PERSISTENT
 *             RESERVE IN/OUT): the grants looked up first, then the table
 *
 * on three commands: READ(10) and TEST UNIT READY (an opcode decides) and
 * READ CAPACITY(16) (SERVICE ACTION IN(16): its service action decides).
 *
 *   decide ROUNDS COUNT [FORM OP]
 *
 * Prints "decide round=R form=F op=OP count=COUNT ns=N" lines (mean ns per
 * decision, over COUNT decisions) for bench/report.py. With FORM and OP,
 * only that pair runs: bench/decide-insns.sh counts its instructions.
 */
#define _GNU_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <scsi/scsi_proto.h>
#include <scsi/scsi_sgio.h>

#include "../tests/unit/mainline.h"

static const u8 cdb_read10[10] = { READ_10, 0, 0, 0, 0, 0, 0, 0, 1, 0 };
static const u8 cdb_tur[6] = { TEST_UNIT_READY };
static const u8 cdb_rc16[16] = { SERVICE_ACTION_IN_16, 0x10, [13] = 32 };

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
	return scsi_sgio_permitted(scsi_sgio_type_default_table(dev_type), cdb, len, writer);
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

/* A device's grants pointer, as scsi_device::sgio_grants: read each time */
static const struct scsi_sgio_table *volatile dev_grants;
static struct scsi_sgio_table grants_pr;

static __attribute__((noinline)) bool decide_grants(const u8 *cdb, unsigned int len,
						    bool writer)
{
	const struct scsi_sgio_table *g = dev_grants;

	if (g && scsi_sgio_permitted(g, cdb, len, writer))
		return true;
	return scsi_sgio_permitted(scsi_sgio_type_default_table(dev_type), cdb, len, writer);
}

/* The same function, measured with and without grants on the device */
static __attribute__((noinline)) bool decide_nogrant(const u8 *cdb, unsigned int len,
						     bool writer)
{
	dev_grants = NULL;
	return decide_grants(cdb, len, writer);
}

static __attribute__((noinline)) bool decide_grantpr(const u8 *cdb, unsigned int len,
						     bool writer)
{
	dev_grants = &grants_pr;
	return decide_grants(cdb, len, writer);
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
		{ "nogrant", decide_nogrant },
		{ "grantpr", decide_grantpr },
	};
	const unsigned int nr_forms = sizeof(forms) / sizeof(forms[0]);
	static const struct {
		const char *name;
		const u8 *cdb;
		unsigned int len;
	} ops[] = {
		{ "read10", cdb_read10, sizeof(cdb_read10) },
		{ "tur", cdb_tur, sizeof(cdb_tur) },
		{ "rc16", cdb_rc16, sizeof(cdb_rc16) },
	};
	const unsigned int nr_ops = sizeof(ops) / sizeof(ops[0]);
	const char *only_form = NULL, *only_op = NULL;
	unsigned long rounds, count, r, i, yes;
	unsigned int f, o, k;
	long long t0;

	if (argc != 3 && argc != 5) {
		fprintf(stderr, "usage: %s ROUNDS COUNT [FORM OP]\n", argv[0]);
		return 2;
	}
	if (argc == 5) {
		only_form = argv[3];
		only_op = argv[4];
		for (f = 0; f < nr_forms && strcmp(forms[f].name, only_form); f++)
			;
		for (o = 0; o < nr_ops && strcmp(ops[o].name, only_op); o++)
			;
		if (f == nr_forms || o == nr_ops) {
			fprintf(stderr, "Unknown form or command \"%s %s\"\n", only_form, only_op);
			return 2;
		}
	}
	rounds = parse(argv[1]);
	count = parse(argv[2]);
	scsi_sgio_init_defaults();
	for (k = 0; k < SCSI_SGIO_NR_CLASSES; k++)
		tables[k] = scsi_sgio_default_table(k);
	/* the "pr" profile on a disk: the disk table's keying, two opcodes */
	grants_pr = *scsi_sgio_default_table(SCSI_SGIO_DISK);
	for (k = 0; k < 256; k++)
		if (!scsi_sgio_by_sa(grants_pr.op[k]))
			grants_pr.op[k] = SCSI_SGIO_NONE;
	memset(grants_pr.sa, SCSI_SGIO_NONE, sizeof(grants_pr.sa));
	memset(grants_pr.vl, SCSI_SGIO_NONE, sizeof(grants_pr.vl));
	memset(grants_pr.sa[scsi_sgio_sa_index(PERSISTENT_RESERVE_IN)], SCSI_SGIO_READ,
	       SCSI_SGIO_NR_SA);
	memset(grants_pr.sa[scsi_sgio_sa_index(PERSISTENT_RESERVE_OUT)], SCSI_SGIO_WRITE,
	       SCSI_SGIO_NR_SA);

	/* what they allow, they must also be able to refuse */
	for (f = 0; f < nr_forms; f++) {
		static const u8 prout[10] = { PERSISTENT_RESERVE_OUT, 0x06 };

		if (forms[f].fn(prout, sizeof(prout), false)) {
			fprintf(stderr, "%s allowed PERSISTENT RESERVE OUT to a reader\n",
				forms[f].name);
			return 1;
		}
	}
	/* and the grants must count: PR OUT to a writer with them, not without */
	{
		static const u8 prout[10] = { PERSISTENT_RESERVE_OUT, 0x06 };

		if (!decide_grantpr(prout, sizeof(prout), true) ||
		    decide_nogrant(prout, sizeof(prout), true)) {
			fprintf(stderr, "the pr grants do not decide PERSISTENT RESERVE OUT\n");
			return 1;
		}
	}
	for (r = 1; r <= rounds; r++) {
		for (k = 0; k < nr_forms; k++) {
			/* ABBA: reversed on even rounds */
			f = r % 2 ? k : nr_forms - 1 - k;
			for (o = 0; o < nr_ops; o++) {
				if (only_form && (strcmp(forms[f].name, only_form) ||
						  strcmp(ops[o].name, only_op)))
					continue;
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
