// SPDX-License-Identifier: GPL-2.0
/*
 * User-space test of the sgfilter module's table edits
 * (kernel/sgfilter/edits.c, compiled unchanged with the kernel's
 * drivers/scsi/scsi_sgio.c through the shim in tools/shim).
 */
#include <errno.h>
#include <scsi/scsi_proto.h>

#include "check.h"
#include "../../kernel/sgfilter/sgfilter.h"

static int parse(const char *s, bool with_perm, struct sgf_entry *e)
{
	return sgf_parse_entry(s, strlen(s), with_perm, e);
}

static void test_parse(void)
{
	static const struct { const char *s; bool perm; int op, sa, p; } good[] = {
		{ "0x5f write", true, 0x5f, -1, SCSI_SGIO_WRITE },
		{ "5f read\n", true, 0x5f, -1, SCSI_SGIO_READ },
		{ "0x5F/0x00 write", true, 0x5f, 0, SCSI_SGIO_WRITE },
		{ "0x7f/0x000d write", true, 0x7f, 0x0d, SCSI_SGIO_WRITE },
		{ "1b", false, 0x1b, -1, SCSI_SGIO_NONE },
		{ "0x5f/1f\n", false, 0x5f, 0x1f, SCSI_SGIO_NONE },
	};
	static const struct { const char *s; bool perm; } bad[] = {
		{ "", true }, { "\n", false }, { "0x5f", true }, { "0x5f write", false },
		{ "0x5f fly", true }, { "0x100 read", true }, { "0xzz read", true },
		{ "0x5f/ read", true }, { "/0x01 read", true }, { "0x5f/0x10000 read", true },
		{ "0x5f  read", true }, { "0x5f read extra", true }, { " 0x5f read", true },
		{ "0x5f read\n\n", true }, { "0x", false }, { "0x5f/0x1/2", false },
		{ "0x000000005f read", true }, { "banana", false },
	};
	struct sgf_entry e;
	unsigned int i, bad_good = 0, bad_bad = 0;

	for (i = 0; i < ARRAY_SIZE(good); i++) {
		memset(&e, 0xaa, sizeof(e));
		if (parse(good[i].s, good[i].perm, &e) || e.opcode != good[i].op ||
		    e.sa != good[i].sa || e.perm != (enum scsi_sgio_perm)good[i].p) {
			diag("\"%s\" did not parse as expected", good[i].s);
			bad_good++;
		}
	}
	check(!bad_good, "%u well-formed edits parse", i);
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		if (parse(bad[i].s, bad[i].perm, &e) != -EINVAL) {
			diag("\"%s\" was accepted", bad[i].s);
			bad_bad++;
		}
	}
	check(!bad_bad, "%u malformed edits are refused with EINVAL", i);
	check(sgf_parse_entry("0x5f\0 read", 10, true, &e) == -EINVAL,
	      "an edit with a NUL byte in it is refused");
}

/* Count the bytes in which two tables differ */
static unsigned int table_diff(const struct scsi_sgio_table *a, const struct scsi_sgio_table *b)
{
	const u8 *x = (const u8 *)a, *y = (const u8 *)b;
	unsigned int i, n = 0;

	for (i = 0; i < sizeof(*a); i++)
		n += x[i] != y[i];
	return n;
}

static bool apply(struct scsi_sgio_table *t, const char *s, bool with_perm)
{
	struct sgf_entry e;

	return !parse(s, with_perm, &e) && !sgf_table_apply(t, &e);
}

static bool allowed(const struct scsi_sgio_table *t, u8 op, u8 sa, bool wr)
{
	const u8 cdb[16] = { op, sa };

	return scsi_sgio_permitted(t, cdb, sizeof(cdb), wr);
}

static void test_apply(void)
{
	const struct scsi_sgio_table *def = scsi_sgio_default_table(SCSI_SGIO_DISK);
	const int pr_out = scsi_sgio_sa_index(PERSISTENT_RESERVE_OUT);
	struct scsi_sgio_table t = *def, before;
	struct sgf_entry e;

	check(!allowed(&t, 0x5f, 0x00, true), "disk: PR OUT REGISTER denied by default");
	check(apply(&t, "0x5f write", true) && allowed(&t, 0x5f, 0x00, true) &&
	      allowed(&t, 0x5f, 0x01, true) && !allowed(&t, 0x5f, 0x00, false),
	      "allow 0x5f write: every PR OUT service action to writers, not readers");
	check(table_diff(&t, def) == SCSI_SGIO_NR_SA,
	      "... and nothing but the 32 service actions of 0x5f changed");

	t = *def;
	check(apply(&t, "0x5f/0x00 write", true) && allowed(&t, 0x5f, 0x00, true) &&
	      !allowed(&t, 0x5f, 0x01, true),
	      "allow 0x5f/0x00 write: REGISTER allowed, RESERVE still denied");
	check(table_diff(&t, def) == 1 && t.sa[pr_out][0] == SCSI_SGIO_WRITE,
	      "... and only that one entry changed");

	check(apply(&t, "0x5f/0x00", false) && !table_diff(&t, def),
	      "deny 0x5f/0x00 gives the default table back");

	t = *def;
	check(allowed(&t, 0x1b, 0, true) && apply(&t, "0x1b", false) &&
	      !allowed(&t, 0x1b, 0, true) && table_diff(&t, def) == 1,
	      "deny 0x1b: START STOP UNIT denied to disk writers, one entry changed");
	check(apply(&t, "0x1b write", true) && !table_diff(&t, def),
	      "allow 0x1b write restores it");

	t = *def;
	check(apply(&t, "0x7f/0x000b write", true) && table_diff(&t, def) == 1,
	      "allow 0x7f/0x000b write (WRITE(32)): one entry");

	/* refused edits change nothing */
	before = t = *def;
	check(!parse("0x28/0x01 read", true, &e) && sgf_table_apply(&t, &e) == -EINVAL &&
	      !table_diff(&t, &before),
	      "a service action of READ(10), which has none, is refused, table unchanged");
	check(!parse("0x5f/0x20 write", true, &e) && sgf_table_apply(&t, &e) == -EINVAL &&
	      !table_diff(&t, &before),
	      "service action 0x20 of 0x5f (5 bits) is refused, table unchanged");
	check(!parse("0x7f/0x0100 write", true, &e) && sgf_table_apply(&t, &e) == -EINVAL &&
	      !table_diff(&t, &before),
	      "VARIABLE LENGTH service action 0x0100 is refused, table unchanged");

	/* 0x48 is keyed by service action on disks only */
	t = *scsi_sgio_default_table(SCSI_SGIO_CDROM);
	check(!parse("0x48/0x01 read", true, &e) && sgf_table_apply(&t, &e) == -EINVAL,
	      "cdrom: 0x48 (PLAY AUDIO TRACK INDEX) has no service action");
	t = *def;
	check(apply(&t, "0x48/0x01 write", true) && allowed(&t, 0x48, 0x01, true) &&
	      !allowed(&t, 0x48, 0x02, true), "disk: 0x48/0x01 (SANITIZE OVERWRITE) alone");
}

/* Listing a table and applying the listing to an empty table gives it back */
static void test_format_roundtrip(void)
{
	unsigned int c, bad = 0, lines = 0;
	char buf[32768];

	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		struct scsi_sgio_table t = *scsi_sgio_default_table(c), empty = t;
		unsigned int i;
		size_t len;
		char *line, *save;

		/* some edits of each kind first */
		apply(&t, "0x5f/0x00 write", true);
		apply(&t, "0x5e read", true);
		apply(&t, "0x7f/0x000b write", true);
		/* the same table with no permissions, keeping the SA keying */
		for (i = 0; i < SGF_NR_OPCODES; i++)
			if (!scsi_sgio_by_sa(empty.op[i]))
				empty.op[i] = SCSI_SGIO_NONE;
		memset(empty.sa, 0, sizeof(empty.sa));
		memset(empty.vl, 0, sizeof(empty.vl));

		len = sgf_table_format(&t, buf, sizeof(buf));
		if (len >= sizeof(buf) || sgf_table_format(&t, NULL, 0) != len) {
			bad++;
			continue;
		}
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			lines++;
			if (!apply(&empty, line, true)) {
				diag("%s: listed line \"%s\" does not apply", scsi_sgio_class_name(c), line);
				bad++;
			}
		}
		if (table_diff(&t, &empty)) {
			diag("%s: the listing does not give the table back", scsi_sgio_class_name(c));
			bad++;
		}
	}
	check(!bad, "listings of all classes (%u lines) apply back to the same tables", lines);
	{
		struct scsi_sgio_table t = *scsi_sgio_default_table(SCSI_SGIO_DISK);
		char small[16];
		size_t len = sgf_table_format(&t, small, sizeof(small));

		check(len > sizeof(small) && strlen(small) == sizeof(small) - 1,
		      "a short buffer gets a cut listing and the full length");
	}
}

/* sgf_grants_load(): what a write to a device's sgio_grants stores */
static void test_grants(void)
{
	static const char pr[] = "0x5e read\n0x5f write\n";
	struct scsi_sgio_table t;
	char buf[256];

	check(!sgf_grants_load(&t, SCSI_SGIO_DISK, pr, strlen(pr), 4096) &&
	      sgf_table_format(&t, buf, sizeof(buf)) && !strcmp(buf, pr),
	      "grants: a listing is stored and listed back");
	check(scsi_sgio_permitted(&t, (const u8[]){ 0x5f, 0x00 }, 10, true) &&
	      !scsi_sgio_permitted(&t, (const u8[]){ 0x5f, 0x00 }, 10, false) &&
	      scsi_sgio_permitted(&t, (const u8[]){ 0x5e, 0x00 }, 10, false) &&
	      !scsi_sgio_permitted(&t, (const u8[]){ 0x3b, 0x05 }, 10, true),
	      "grants: PR OUT to writers, PR IN to readers, nothing else");
	check(!sgf_grants_load(&t, SCSI_SGIO_DISK, "\n", 1, 4096) &&
	      !sgf_table_format(&t, NULL, 0), "grants: a lone newline is no grants");
	check(sgf_grants_load(&t, SCSI_SGIO_DISK, "\n\n", 2, 4096) == -EINVAL,
	      "grants: an empty line is not");
	check(sgf_grants_load(&t, SCSI_SGIO_DISK, "0x5e read\nbogus\n", 16, 4096) == -EINVAL,
	      "grants: one bad line refuses the listing");
	/* SANITIZE is keyed by service action on disks only */
	check(!sgf_grants_load(&t, SCSI_SGIO_DISK, "0x48/0x01 write\n", 16, 4096),
	      "grants: SANITIZE's service action on a disk");
	check(sgf_grants_load(&t, SCSI_SGIO_CDROM, "0x48/0x01 write\n", 16, 4096) == -EINVAL,
	      "grants: no service action for 0x48 on a CD-ROM");
	check(sgf_grants_load(&t, SCSI_SGIO_DISK, pr, strlen(pr), 20) == -E2BIG,
	      "grants: a set that does not list in the room is refused");
}

/*
 * scsi_sgio_publish_table(): what sgfilter.ko does with an edited copy of a
 * class table, and with NULL at unload
 */
static void test_publish(void)
{
	static const u8 inquiry[6] = { INQUIRY, 0, 0, 0, 36 };
	static const u8 types[] = { TYPE_DISK, TYPE_MOD, TYPE_RBC, TYPE_ZBC };
	struct scsi_sgio_table copy = *scsi_sgio_default_table(SCSI_SGIO_DISK);
	struct sgf_entry deny = { .opcode = INQUIRY, .sa = -1, .perm = SCSI_SGIO_NONE };
	const struct scsi_sgio_table *builtin = scsi_sgio_default_table(SCSI_SGIO_DISK);
	struct scsi_sgio_table rekeyed = copy;
	unsigned int i, mine = 0, nbuiltin = 0;

	/* a table whose keys are not the built-in ones: SERVICE ACTION IN(16) by opcode */
	rekeyed.op[SERVICE_ACTION_IN_16] = SCSI_SGIO_READ;
	check(scsi_sgio_publish_table(SCSI_SGIO_DISK, &rekeyed) == -EINVAL &&
	      scsi_sgio_type_table(TYPE_DISK) == builtin,
	      "publish: a table that keys an opcode otherwise is refused, nothing changes");
	rekeyed = copy;
	rekeyed.op[INQUIRY] = SCSI_SGIO_SA_ROW0;
	check(scsi_sgio_publish_table(SCSI_SGIO_DISK, &rekeyed) == -EINVAL &&
	      scsi_sgio_type_table(TYPE_DISK) == builtin,
	      "publish: a table that keys an opcode the built-in one does not is refused");
	check(scsi_sgio_publish_table(SCSI_SGIO_NR_CLASSES, NULL) == -EINVAL,
	      "publish: a class out of range is refused");
	check(!sgf_table_apply(&copy, &deny), "publish: INQUIRY denied in a copy of the disk table");
	check(!scsi_sgio_publish_table(SCSI_SGIO_DISK, &copy), "publish: the edited copy is taken");
	for (i = 0; i < ARRAY_SIZE(types); i++)
		mine += scsi_sgio_type_table(types[i]) == &copy &&
			!scsi_sgio_permitted_inline(scsi_sgio_type_table(types[i]), inquiry,
						    sizeof(inquiry), true);
	check(mine == ARRAY_SIZE(types), "publish: every disk type decides with the copy");
	check(scsi_sgio_type_table(TYPE_ROM) == scsi_sgio_default_table(SCSI_SGIO_CDROM),
	      "publish: the other classes keep their tables");
	check(!scsi_sgio_publish_table(SCSI_SGIO_DISK, NULL), "publish: NULL is taken");
	for (i = 0; i < ARRAY_SIZE(types); i++)
		nbuiltin += scsi_sgio_type_table(types[i]) == builtin;
	check(nbuiltin == ARRAY_SIZE(types) &&
	      scsi_sgio_permitted_inline(scsi_sgio_type_table(TYPE_DISK), inquiry,
					 sizeof(inquiry), false),
	      "publish: NULL puts the built-in table back");
}

int main(void)
{
	check_header();
	scsi_sgio_init_defaults();
	test_parse();
	test_apply();
	test_format_roundtrip();
	test_grants();
	test_publish();
	check(kshim_warnings == 0, "no kernel warning fired");
	return check_finished();
}
