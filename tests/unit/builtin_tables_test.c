// SPDX-License-Identifier: GPL-2.0
/*
 * User-space test of the built-in SG_IO policy (drivers/scsi/scsi_sgio.c of
 * the patched kernel, compiled unchanged through the shim in shim/).
 *
 * The expectation is written independently of the code under test: it is
 * mainline 6.12's scsi_cmd_allowed() list, copied below, with the
 * differences listed in Documentation/default-policy.rst applied on top.
 * Every class, opcode, service action and open mode is compared.
 *
 * Usage: builtin_tables_test DEFAULT-POLICY.rst
 */
#include <ctype.h>
#include <errno.h>
#include "check.h"
#include "mainline.h"

/* One row of the differences table in Documentation/default-policy.rst */
struct diff {
	int opcode;
	int sa_lo, sa_hi;	/* a range of service actions; -1: the whole opcode */
	unsigned int classes;	/* bit mask */
	enum scsi_sgio_perm old, new;
	int line;
};

static struct diff diffs[256];
static int nr_diffs;

static int parse_perm(const char *s, enum scsi_sgio_perm *perm)
{
	if (!strcmp(s, "read"))
		*perm = SCSI_SGIO_READ;
	else if (!strcmp(s, "write"))
		*perm = SCSI_SGIO_WRITE;
	else if (!strcmp(s, "none"))
		*perm = SCSI_SGIO_NONE;
	else
		return -EINVAL;
	return 0;
}

static int parse_classes(char *s, unsigned int *mask)
{
	const unsigned int all = (1u << SCSI_SGIO_NR_CLASSES) - 1;
	char *tok, *save;

	if (!strcmp(s, "all")) {
		*mask = all;
		return 0;
	}
	if (!strcmp(s, "!cdrom")) {
		*mask = all & ~(1u << SCSI_SGIO_CDROM);
		return 0;
	}
	*mask = 0;
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int c;

		for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
			if (!strcmp(tok, scsi_sgio_class_name(c)))
				break;
		if (c == SCSI_SGIO_NR_CLASSES)
			return -EINVAL;
		*mask |= 1u << c;
	}
	return *mask ? 0 : -EINVAL;
}

/*
 * The SA column: "\\-" (the whole opcode) or a comma-separated list of
 * service actions and ranges ("0x00-0x0e,0x15"): one diff per range, all
 * copies of *d.
 */
static int parse_sas(char *s, struct diff *d)
{
	char *tok, *save, *end;

	if (!strcmp(s, "\\-")) {
		d->sa_lo = d->sa_hi = -1;
		nr_diffs++;
		return 0;
	}
	for (tok = strtok_r(s, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		struct diff *r = &diffs[nr_diffs];

		if (nr_diffs == (int)ARRAY_SIZE(diffs))
			return -ENOSPC;
		*r = *d;
		r->sa_lo = strtol(tok, &end, 16);
		r->sa_hi = *end == '-' ? strtol(end + 1, &end, 16) : r->sa_lo;
		if (*end || r->sa_lo < 0 || r->sa_hi < r->sa_lo)
			return -EINVAL;
		nr_diffs++;
	}
	return 0;
}

/*
 * Read the table rows: indented lines that start with an opcode (prose lines
 * are not indented). Complain about malformed ones.
 */
static int load_diffs(const char *path)
{
	char line[1024];
	int lineno = 0, err = 0;
	FILE *f = fopen(path, "r");

	if (!f) {
		fprintf(stderr, "Failed to open \"%s\": %s\n", path, strerror(errno));
		return -errno;
	}
	while (fgets(line, sizeof(line), f)) {
		char op[16], sa[64], cls[128], old[16], new[16];
		struct diff *d;
		char *p = line;

		lineno++;
		while (isspace((unsigned char)*p))
			p++;
		if (p == line || strncmp(p, "0x", 2))
			continue;
		if (nr_diffs == (int)ARRAY_SIZE(diffs) ||
		    sscanf(p, "%15s %63s %127s %15s %15s", op, sa, cls, old, new) != 5) {
			fprintf(stderr, "%s:%d: malformed row\n", path, lineno);
			err = -EINVAL;
			continue;
		}
		d = &diffs[nr_diffs];
		d->line = lineno;
		d->opcode = strtol(op, NULL, 16);
		if (parse_classes(cls, &d->classes) || parse_perm(old, &d->old) ||
		    parse_perm(new, &d->new)) {
			fprintf(stderr, "%s:%d: bad classes or permission\n", path, lineno);
			err = -EINVAL;
			continue;
		}
		if (parse_sas(sa, d)) {
			fprintf(stderr, "%s:%d: bad service actions \"%s\"\n", path, lineno, sa);
			err = -EINVAL;
		}
	}
	fclose(f);
	return err ? err : nr_diffs ? 0 : -ENOENT;
}

/* What the documented policy says for one command. */
static enum scsi_sgio_perm expected_perm(int class, u8 opcode, int sa)
{
	enum scsi_sgio_perm perm = mainline_perm(opcode);
	int i;

	for (i = 0; i < nr_diffs; i++) {
		const struct diff *d = &diffs[i];

		if (d->opcode != opcode || !(d->classes & (1u << class)))
			continue;
		if (d->sa_lo >= 0 && (sa < d->sa_lo || sa > d->sa_hi))
			continue;
		perm = d->new;
	}
	return perm;
}

static bool perm_allows(enum scsi_sgio_perm perm, bool open_for_write)
{
	return perm == SCSI_SGIO_READ || (perm == SCSI_SGIO_WRITE && open_for_write);
}

static const char *const verdict[] = { "denied", "allowed" };
static unsigned int mismatches;	/* only the first few are shown */

/* Compare code and documentation for one CDB; returns the mismatches. */
static int compare(int class, const u8 *cdb, unsigned int len, int sa)
{
	const struct scsi_sgio_table *t = scsi_sgio_default_table(class);
	enum scsi_sgio_perm want = expected_perm(class, cdb[0], sa);
	int wr, bad = 0;

	for (wr = 0; wr <= 1; wr++) {
		bool got = scsi_sgio_permitted(t, cdb, len, wr);

		if (got != perm_allows(want, wr)) {
			if (mismatches++ < 20)
					diag("%s: opcode 0x%02x sa %d %s: %s, documented %s",
				     scsi_sgio_class_name(class), cdb[0], sa,
				     wr ? "writer" : "reader", verdict[got],
				     verdict[perm_allows(want, wr)]);
			bad++;
		}
	}
	return bad;
}

static void test_documented_rows_match_mainline(void)
{
	int i, bad = 0;

	for (i = 0; i < nr_diffs; i++) {
		const struct diff *d = &diffs[i];

		if (mainline_perm(d->opcode) != d->old &&
		    !(d->opcode == VARIABLE_LENGTH_CMD && d->old == SCSI_SGIO_NONE)) {
			diag("line %d: opcode 0x%02x: column old does not match mainline",
			     d->line, d->opcode);
			bad++;
		}
		if (d->old == d->new) {
			diag("line %d: opcode 0x%02x: old == new", d->line, d->opcode);
			bad++;
		}
	}
	check(!bad, "%d documented differences state mainline's permission correctly",
	      nr_diffs);
}

static void test_class_matrix(int class)
{
	unsigned int combos = 0;
	int op, sa, bad = 0;
	u8 cdb[32];

	for (op = 0; op < 256; op++) {
		memset(cdb, 0, sizeof(cdb));
		cdb[0] = op;
		if (op == VARIABLE_LENGTH_CMD) {
			for (sa = 0; sa <= 0xffff; sa++) {
				cdb[8] = sa >> 8;
				cdb[9] = sa & 0xff;
				bad += compare(class, cdb, 32, sa);
				combos += 2;
			}
			continue;
		}
		for (sa = 0; sa < 32; sa++) {
			cdb[1] = sa | 0xe0;	/* bits 5-7 must not matter */
			bad += compare(class, cdb, 16, scsi_sgio_sa_index(op) >= 0 ? sa : -1);
			combos += 2;
		}
	}
	check(!bad, "%s: %u (opcode, service action, open mode) verdicts match the documentation",
	      scsi_sgio_class_name(class), combos);
}

static bool allowed(int class, const u8 *cdb, unsigned int len, bool wr)
{
	return scsi_sgio_permitted(scsi_sgio_default_table(class), cdb, len, wr);
}

/* The cases the issue names, spelled out so that a failure reads plainly. */
static void test_named_cases(void)
{
	const u8 unmap[10] = { UNMAP }, sanitize[10] = { SANITIZE, 0x01 };
	const u8 maint_out[12] = { MAINTENANCE_OUT, 0x0a };
	const u8 read10[10] = { READ_10 }, inquiry[6] = { INQUIRY };
	const u8 rsoc[12] = { MAINTENANCE_IN, 0x0c };
	const u8 ws16[16] = { WRITE_SAME_16 }, ata12[12] = { ATA_12 };
	const u8 op0d[6] = { 0x0d };
	const u8 ws32[32] = { VARIABLE_LENGTH_CMD, [7] = 0x18, [9] = WRITE_SAME_32 };
	const u8 write32[32] = { VARIABLE_LENGTH_CMD, [7] = 0x18, [9] = 0x0b };
	const u8 subchan[10] = { GPCMD_READ_SUBCHANNEL };
	const u8 report_key[12] = { GPCMD_REPORT_KEY }, send_key[12] = { GPCMD_SEND_KEY };
	const u8 pr_out[10] = { PERSISTENT_RESERVE_OUT };
	const int D = SCSI_SGIO_DISK, C = SCSI_SGIO_CDROM;

	check(!allowed(D, unmap, 10, false), "disk reader: UNMAP denied");
	check(allowed(D, unmap, 10, true), "disk writer: UNMAP allowed");
	check(!allowed(D, sanitize, 10, false) && !allowed(D, sanitize, 10, true),
	      "disk: SANITIZE denied to readers and writers");
	check(allowed(C, (const u8[10]){ GPCMD_PLAY_AUDIO_TI }, 10, false),
	      "cdrom reader: PLAY AUDIO TRACK INDEX (0x48) allowed");
	check(!allowed(D, maint_out, 12, false) && !allowed(D, maint_out, 12, true),
	      "disk: MAINTENANCE OUT denied to readers and writers");
	check(allowed(D, read10, 10, false), "disk reader: READ(10) allowed");
	check(!allowed(SCSI_SGIO_CHANGER, (const u8[10]){ READ_DEFECT_DATA }, 10, false),
	      "changer reader: 0x37 (INITIALIZE ELEMENT STATUS WITH RANGE) denied");
	check(allowed(D, inquiry, 6, false), "disk reader: INQUIRY allowed");
	check(allowed(D, rsoc, 12, false), "disk reader: REPORT SUPPORTED OPERATION CODES allowed");
	check(allowed(D, ws16, 16, true), "disk writer: WRITE SAME(16) allowed");
	check(!allowed(D, ws16, 16, false), "disk reader: WRITE SAME(16) denied");
	check(allowed(D, ws32, 32, true), "disk writer: WRITE SAME(32) allowed");
	check(!allowed(D, ws32, 32, false), "disk reader: WRITE SAME(32) denied");
	check(!allowed(D, write32, 32, true), "disk writer: WRITE(32) denied");
	check(!allowed(SCSI_SGIO_TAPE, ws32, 32, true), "tape writer: WRITE SAME(32) denied");
	check(!allowed(D, ata12, 12, true), "disk writer: ATA PASS-THROUGH(12) denied");
	check(allowed(C, ata12, 12, true), "cdrom writer: BLANK (0xa1) allowed");
	check(!allowed(D, op0d, 6, true), "disk writer: opcode 0x0d denied");
	check(allowed(C, subchan, 10, false), "cdrom reader: READ SUB-CHANNEL allowed");
	check(allowed(C, report_key, 12, false), "cdrom reader: REPORT KEY allowed");
	check(!allowed(C, send_key, 12, false), "cdrom reader: SEND KEY denied");
	check(allowed(C, send_key, 12, true), "cdrom writer: SEND KEY allowed");
	check(!allowed(D, pr_out, 10, true), "disk writer: PERSISTENT RESERVE OUT denied by default");
}

/*
 * Tapes and changers: what st's and ch's ioctls send, readers' and
 * writers' (each allowed case has its denied twin)
 */
static void test_tape_and_changer(void)
{
	const int T = SCSI_SGIO_TAPE, M = SCSI_SGIO_CHANGER, D = SCSI_SGIO_DISK;
	const u8 rewind[6] = { REZERO_UNIT }, space[6] = { SPACE };
	const u8 weof[6] = { WRITE_FILEMARKS }, erase[6] = { ERASE };
	const u8 locate[10] = { SEEK_10 }, read_pos[10] = { READ_POSITION };
	const u8 mode_select[6] = { MODE_SELECT }, format[6] = { FORMAT_UNIT };
	const u8 res[12] = { READ_ELEMENT_STATUS }, move[12] = { MOVE_MEDIUM };
	const u8 exchange[12] = { EXCHANGE_MEDIUM }, init[6] = { INITIALIZE_ELEMENT_STATUS };

	check(allowed(T, rewind, 6, false) && allowed(T, space, 6, false) &&
	      allowed(T, locate, 10, false) && allowed(T, read_pos, 10, false),
	      "tape reader: REWIND, SPACE(6), LOCATE(10), READ POSITION allowed");
	check(!allowed(D, rewind, 6, true) && !allowed(D, space, 6, true) &&
	      !allowed(D, read_pos, 10, true) && !allowed(M, rewind, 6, true),
	      "disk and changer writers: REZERO UNIT, 0x11, PRE-FETCH(10) denied");
	check(!allowed(T, weof, 6, false) && !allowed(T, erase, 6, false) &&
	      !allowed(T, mode_select, 6, false),
	      "tape reader: WRITE FILEMARKS, ERASE, MODE SELECT denied");
	check(allowed(T, weof, 6, true) && allowed(T, erase, 6, true) &&
	      allowed(T, mode_select, 6, true),
	      "tape writer: WRITE FILEMARKS, ERASE, MODE SELECT allowed");
	check(!allowed(T, format, 6, true), "tape writer: FORMAT MEDIUM denied");
	check(allowed(M, res, 12, false), "changer reader: READ ELEMENT STATUS allowed");
	check(!allowed(D, res, 12, true), "disk writer: 0xb8 denied");
	check(!allowed(M, move, 12, false) && !allowed(M, exchange, 12, false) &&
	      !allowed(M, init, 6, false) && !allowed(M, locate, 10, false),
	      "changer reader: MOVE, EXCHANGE, INITIALIZE ELEMENT STATUS, POSITION denied");
	check(allowed(M, move, 12, true) && allowed(M, exchange, 12, true) &&
	      allowed(M, init, 6, true) && allowed(M, locate, 10, true),
	      "changer writer: MOVE, EXCHANGE, INITIALIZE ELEMENT STATUS, POSITION allowed");
	check(!allowed(D, move, 12, true) && !allowed(T, exchange, 12, true),
	      "disk writer: MOVE MEDIUM denied; tape writer: EXCHANGE MEDIUM denied");
}

/* Service actions that destroy data, and their reading neighbours */
static void test_service_actions(void)
{
	const u8 rcap16[16] = { SERVICE_ACTION_IN_16, SAI_READ_CAPACITY_16 };
	const u8 truncate[16] = { SERVICE_ACTION_IN_16, 0x18 };
	const u8 rebuild[16] = { SERVICE_ACTION_IN_16, 0x19 };
	const u8 report_zones[16] = { ZBC_IN, ZI_REPORT_ZONES };
	const u8 activate[16] = { ZBC_IN, 0x08 };
	const u8 reset_wp[16] = { ZBC_OUT, ZO_RESET_WRITE_POINTER };
	const u8 zbc_out_0[16] = { ZBC_OUT, 0x00 };
	const u8 rsoc[12] = { MAINTENANCE_IN, 0x0c }, mi_vendor[12] = { MAINTENANCE_IN, 0x1f };
	const u8 stop[6] = { START_STOP };
	const int D = SCSI_SGIO_DISK, C = SCSI_SGIO_CDROM;

	check(allowed(D, rcap16, 16, false), "disk reader: READ CAPACITY(16) allowed");
	check(!allowed(D, truncate, 16, false) && !allowed(D, truncate, 16, true),
	      "disk: REMOVE ELEMENT AND TRUNCATE (0x9e/0x18) denied to readers and writers");
	check(!allowed(D, rebuild, 16, true), "disk writer: RESTORE ELEMENTS AND REBUILD denied");
	check(allowed(D, report_zones, 16, false), "disk reader: REPORT ZONES allowed");
	check(!allowed(D, activate, 16, false), "disk reader: ZONE ACTIVATE denied");
	check(allowed(D, activate, 16, true), "disk writer: ZONE ACTIVATE allowed");
	check(allowed(D, reset_wp, 16, true), "disk writer: RESET WRITE POINTER allowed");
	check(!allowed(D, reset_wp, 16, false), "disk reader: RESET WRITE POINTER denied");
	check(!allowed(D, zbc_out_0, 16, true), "disk writer: unassigned ZBC OUT 0x00 denied");
	check(allowed(D, rsoc, 12, false), "disk reader: REPORT SUPPORTED OPERATION CODES allowed");
	check(!allowed(D, mi_vendor, 12, false), "disk reader: vendor MAINTENANCE IN denied");
	check(!allowed(D, stop, 6, false), "disk reader: START STOP UNIT denied");
	check(allowed(D, stop, 6, true), "disk writer: START STOP UNIT allowed");
	check(allowed(C, stop, 6, false), "cdrom reader: START STOP UNIT (eject) allowed");
}

/*
 * An opcode keyed by service action names the row of its service actions
 * in its op[] entry (SCSI_SGIO_SA_ROW0 + its index in scsi_sgio_sa_ops[];
 * VARIABLE LENGTH: SCSI_SGIO_BY_SA), which the inline decision reads; the
 * out-of-line lookup (scsi_sgio_permitted_slow(), through
 * scsi_sgio_lookup_sa()) finds the same verdict for every command, and
 * scsi_sgio_permitted_inline() too for all but VARIABLE LENGTH, which it
 * leaves to scsi_cmd_allowed_slow().
 */
static void test_keyed_entries(void)
{
	unsigned int class, op, b1, w, bad = 0, rows = 0, vl = 0, perms = 0, differ = 0;
	unsigned int fast = 0;
	bool slow;

	for (class = 0; class < SCSI_SGIO_NR_CLASSES; class++) {
		const struct scsi_sgio_table *t = scsi_sgio_default_table(class);

		for (op = 0; op < 256; op++) {
			u8 e = t->op[op];
			u8 cdb[16] = { op };

			if (!scsi_sgio_by_sa(e))
				perms++;
			else if (e == SCSI_SGIO_BY_SA && op == VARIABLE_LENGTH_CMD)
				vl++;
			else if (scsi_sgio_sa_index(op) >= 0 &&
				 e == SCSI_SGIO_SA_ROW0 + scsi_sgio_sa_index(op))
				rows++;
			else
				bad++;
			for (b1 = 0; b1 < 256; b1++)
				for (w = 0; w < 2; w++) {
					cdb[1] = b1;
					slow = scsi_sgio_permitted_slow(t, cdb, 16, w);
					differ += scsi_sgio_permitted(t, cdb, 16, w) != slow;
					/* the SG_IO path's: VARIABLE LENGTH left out */
					fast += scsi_sgio_permitted_inline(t, cdb, 16, w) !=
						(slow && op != VARIABLE_LENGTH_CMD);
				}
		}
	}
	check(bad == 0 && vl == SCSI_SGIO_NR_CLASSES && rows > 0 && perms > 0,
	      "op[] entries: permissions, VARIABLE LENGTH's BY_SA, and each keyed opcode's own row");
	check(differ == 0, "the inline decision and the out-of-line lookup agree on every opcode and byte 1");
	check(fast == 0, "scsi_sgio_permitted_inline() allows what the lookup allows, VARIABLE LENGTH aside");
}

/* A service action that is not in the CDB cannot be looked up. */
static void test_short_cdbs(void)
{
	const u8 ws32[32] = { VARIABLE_LENGTH_CMD, [7] = 0x18, [9] = WRITE_SAME_32 };
	const u8 ws32_hi[32] = { VARIABLE_LENGTH_CMD, [7] = 0x18, [8] = 0x01,
				 [9] = WRITE_SAME_32 };
	const u8 rcap16[16] = { SERVICE_ACTION_IN_16, 0x10 };
	const int D = SCSI_SGIO_DISK;

	check(allowed(D, ws32, 10, true), "WRITE SAME(32) with its service action in 10 bytes allowed");
	check(!allowed(D, ws32, 9, true), "WRITE SAME(32) cut before its service action denied");
	check(!allowed(D, ws32_hi, 32, true), "VARIABLE LENGTH service action 0x010d denied");
	check(allowed(D, rcap16, 2, false), "READ CAPACITY(16) with 2 valid bytes allowed");
	check(!allowed(D, rcap16, 1, false), "SERVICE ACTION IN(16) without its service action denied");
	check(!allowed(D, (const u8[6]){ TEST_UNIT_READY }, 0, false), "empty CDB denied");
	check(allowed(D, (const u8[6]){ TEST_UNIT_READY }, 1, false), "TEST UNIT READY allowed");
}

static void test_classes(void)
{
	static const struct { u8 type; enum scsi_sgio_class class; } map[] = {
		{ TYPE_DISK, SCSI_SGIO_DISK }, { TYPE_ZBC, SCSI_SGIO_DISK },
		{ TYPE_RBC, SCSI_SGIO_DISK }, { TYPE_MOD, SCSI_SGIO_DISK },
		{ TYPE_ROM, SCSI_SGIO_CDROM }, { TYPE_WORM, SCSI_SGIO_CDROM },
		{ TYPE_TAPE, SCSI_SGIO_TAPE }, { TYPE_MEDIUM_CHANGER, SCSI_SGIO_CHANGER },
		{ TYPE_ENCLOSURE, SCSI_SGIO_ENCLOSURE }, { TYPE_PROCESSOR, SCSI_SGIO_OTHER },
		{ TYPE_SCANNER, SCSI_SGIO_OTHER }, { TYPE_RAID, SCSI_SGIO_OTHER },
		{ TYPE_NO_LUN, SCSI_SGIO_OTHER },
	};
	unsigned int i, type, bad = 0, other = 0, tables = 0;

	for (i = 0; i < ARRAY_SIZE(map); i++) {
		if (scsi_sgio_class(map[i].type) != map[i].class) {
			diag("type 0x%02x: class %d, want %d", map[i].type,
			     scsi_sgio_class(map[i].type), map[i].class);
			bad++;
		}
	}
	check(!bad, "%u peripheral device types map to their class", i);
	/* every other 5-bit type is OTHER; the per-type tables follow the class */
	for (type = 0; type < 32; type++) {
		enum scsi_sgio_class want = SCSI_SGIO_OTHER;

		for (i = 0; i < ARRAY_SIZE(map); i++)
			if (map[i].type == type)
				want = map[i].class;
		if (scsi_sgio_class(type) != want) {
			diag("type 0x%02x: class %d, want %d", type, scsi_sgio_class(type), want);
			other++;
		}
		if (scsi_sgio_type_table(type) != scsi_sgio_default_table(want)) {
			diag("type 0x%02x: its current table is not class %d's", type, want);
			tables++;
		}
	}
	check(!other, "the types not listed (of 32) are class other");
	check(!tables, "each of the 32 types' current table is its class's built-in one");
	check(scsi_sgio_class_name(SCSI_SGIO_NR_CLASSES) == NULL,
	      "class name out of range is NULL");
}

int main(int argc, char **argv)
{
	int class;

	if (argc != 2) {
		fprintf(stderr, "usage: %s DEFAULT-POLICY.rst\n", argv[0]);
		return 2;
	}
	check_header();
	if (load_diffs(argv[1]))
		return 1;

	scsi_sgio_init_defaults();
	check(kshim_warnings == 0, "the built-in rules build without a warning");
	test_documented_rows_match_mainline();
	test_classes();
	for (class = 0; class < SCSI_SGIO_NR_CLASSES; class++)
		test_class_matrix(class);
	test_named_cases();
	test_tape_and_changer();
	test_service_actions();
	test_short_cdbs();
	test_keyed_entries();
	check(kshim_warnings == 0, "no kernel warning fired during the tests");
	return check_finished();
}
