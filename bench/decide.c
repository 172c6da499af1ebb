// SPDX-License-Identifier: GPL-2.0
/*
 * decide: the cost of one SG_IO decision on this machine's own CPU, outside
 * the emulator. The kernel's drivers/scsi/scsi_sgio.c is compiled in through
 * the user-space shim (tools/shim), as the unit tests do, and timed in
 * three forms, alternating in ROUNDS rounds:
 *
 *   mainline  mainline 6.12.117's opcode switch (tests/unit/mainline.h)
 *   builtin   what scsi_cmd_allowed() does with no module: the device
 *             type's current table (scsi_sgio_type_table(), the built-in
 *             one), scsi_sgio_permitted(); the grants and the policy only
 *             if the table refuses
 *   module    the same with sgfilter.ko loaded: its copies of the tables
 *             published in scsi_sgio_type_tables[] (patch 0010), so the
 *             same code on other tables, and no call into the module
 *             unless nothing allows the command (its denied() callback)
 *   nogrant   module, on a device without grants
 *   grantpr   module, on a device with the "pr" grants (PERSISTENT
 *             RESERVE IN/OUT): looked up only when the table refuses
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

/* sgfilter.ko's copies of the tables, and what its denied() counts */
static struct scsi_sgio_table module_tables[SCSI_SGIO_NR_CLASSES];
static unsigned long denied[SCSI_SGIO_NR_CLASSES];

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

static __attribute__((noinline)) void module_denied(const u8 *cdb __attribute__((unused)),
						    unsigned int len __attribute__((unused)),
						    bool writer __attribute__((unused)))
{
	denied[scsi_sgio_class(dev_type)]++;
}

/* A device's grants pointer, as scsi_device::sgio_grants: read each time */
static const struct scsi_sgio_table *volatile dev_grants;
static struct scsi_sgio_table grants_pr;
/* The registered policy's denied(), as the core's scsi_sgio_policy */
static void (*volatile policy_denied)(const u8 *cdb, unsigned int len, bool writer);

/*
 * scsi_cmd_allowed_slow(): the commands the table did not allow inline
 * (refused, or needing scsi_sgio_permitted_slow()), then the device's
 * grants, then the policy's denied(); the table last, as in the kernel
 */
static __attribute__((noinline)) bool decide_slow(const u8 *cdb, unsigned int len,
						  bool writer,
						  const struct scsi_sgio_table *table)
{
	const struct scsi_sgio_table *g;
	void (*denied_fn)(const u8 *cdb, unsigned int len, bool writer);

	if (scsi_sgio_permitted_slow(table, cdb, len, writer))
		return true;
	g = dev_grants;
	if (g && scsi_sgio_permitted(g, cdb, len, writer))
		return true;
	denied_fn = policy_denied;
	if (denied_fn)
		denied_fn(cdb, len, writer);
	return false;
}

/*
 * scsi_cmd_allowed() after CAP_SYS_RAWIO and unpriv_sgio, inline in each
 * form's function: the forms differ only in the tables published, the
 * device's grants and the policy registered (set_form())
 */
static inline __attribute__((always_inline)) bool decide(const u8 *cdb, unsigned int len,
							  bool writer)
{
	const struct scsi_sgio_table *table = scsi_sgio_type_table(dev_type);

	return likely(scsi_sgio_permitted_inline(table, cdb, len, writer)) ||
	       decide_slow(cdb, len, writer, table);
}

/* One function per form, for callgrind to count in (decide-insns.sh) */
#define FORM(name)									\
	static __attribute__((noinline)) bool decide_##name(const u8 *cdb, unsigned int len,	\
							    bool writer)			\
	{										\
		return decide(cdb, len, writer);					\
	}
FORM(builtin)
FORM(module)
FORM(nogrant)
FORM(grantpr)

/*
 * The kernel's state for a form, set outside the measured function: with
 * @module, sgfilter.ko's tables published and its denied() registered (as
 * its load does), else the built-in tables (as its unload leaves them)
 */
static void set_form(bool module, const struct scsi_sgio_table *grants)
{
	unsigned int k;

	for (k = 0; k < SCSI_SGIO_NR_CLASSES; k++)
		scsi_sgio_publish_table(k, module ? &module_tables[k] : NULL);
	policy_denied = module ? module_denied : NULL;
	dev_grants = grants;
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
		bool module;
		const struct scsi_sgio_table *grants;
	} forms[] = {
		{ "mainline", decide_mainline, false, NULL },
		{ "builtin", decide_builtin, false, NULL },
		{ "module", decide_module, true, NULL },
		{ "nogrant", decide_nogrant, true, NULL },
		{ "grantpr", decide_grantpr, true, &grants_pr },
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
		module_tables[k] = *scsi_sgio_default_table(k);
	/* an edit, so that the module's tables are seen to decide */
	module_tables[SCSI_SGIO_DISK].op[INQUIRY] = SCSI_SGIO_NONE;
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

		set_form(forms[f].module, forms[f].grants);
		if (forms[f].fn(prout, sizeof(prout), false)) {
			fprintf(stderr, "%s allowed PERSISTENT RESERVE OUT to a reader\n",
				forms[f].name);
			return 1;
		}
	}
	/* the refusals reach the module's denied(), and only the module's */
	if (denied[SCSI_SGIO_DISK] != 3) {
		fprintf(stderr, "denied() was told of %lu refusals, not 3\n",
			denied[SCSI_SGIO_DISK]);
		return 1;
	}
	/* the grants must count: PR OUT to a writer with them, not without */
	{
		static const u8 prout[10] = { PERSISTENT_RESERVE_OUT, 0x06 };
		bool with, without;

		set_form(true, &grants_pr);
		with = decide_grantpr(prout, sizeof(prout), true);
		set_form(true, NULL);
		without = decide_nogrant(prout, sizeof(prout), true);
		if (!with || without) {
			fprintf(stderr, "the pr grants do not decide PERSISTENT RESERVE OUT\n");
			return 1;
		}
	}
	/* the module's published tables decide, the built-in ones once it is gone */
	{
		static const u8 inquiry[6] = { INQUIRY, 0, 0, 0, 36 };
		bool module, builtin;

		set_form(true, NULL);
		module = decide_module(inquiry, sizeof(inquiry), false);
		set_form(false, NULL);
		builtin = decide_builtin(inquiry, sizeof(inquiry), false);
		if (module || !builtin) {
			fprintf(stderr, "the published tables do not decide INQUIRY\n");
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
				set_form(forms[f].module, forms[f].grants);
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
