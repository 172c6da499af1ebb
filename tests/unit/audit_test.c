// SPDX-License-Identifier: GPL-2.0
/*
 * The opcode audit behind the built-in tables, redone from libsgutils2's
 * per device type opcode names (sg3_utils), independently of the tables
 * and of Documentation/default-policy.rst:
 *
 *  1. An opcode that libsgutils2 names differently for MMC (type 0x05) than
 *     for the generic command sets (type 0x00) has an MMC meaning and
 *     another one elsewhere: no class but cdrom may keep mainline's
 *     permission for it.
 *  2. An opcode that libsgutils2 names differently for some device type
 *     than for both types 0x00 and 0x05 means something else on that type:
 *     the type's class may not allow it.
 *
 * Two opcodes of mainline's list are exempt from rule 1 on purpose, and
 * the test checks the exact permission they get instead: UNMAP (0x42) is
 * a write on disks, and MAINTENANCE IN (0xa3, which mainline meant; SEND
 * KEY on MMC) stays a read outside MMC.
 *
 * And per service action, for every opcode a class table keys by service
 * action (scsi_sgio_sa_ops[] and VARIABLE LENGTH):
 *
 *  3. Every service action that libsgutils2 names (for the device type, or
 *     for the generic command set where it knows no names for that type)
 *     must be classified below, by its T10 name: "r" only reads, "w" changes
 *     the medium or the device's state as a writer may, "n" destroys data,
 *     changes the device's configuration or is vendor specific. A new name
 *     in libsgutils2 fails the test until someone classifies it.
 *  4. The table may give an "r" command to readers, a "w" command to
 *     writers only, and an "n" command to nobody; a service action that
 *     libsgutils2 does not name gets nothing.
 *
 * And for the commands that st and ch send for their ioctls (MTIOCTOP,
 * MTIOCPOS, CHIO*), which the filter judges as it judges SG_IO:
 *
 *  5. On tapes and changers, an opcode whose libsgutils2 name is one of
 *     those commands gets exactly the permission listed below (rule 2 does
 *     not apply to it): positioning a tape and reading a changer's elements
 *     are a reader's, anything that writes the medium or moves it is a
 *     writer's. Every name listed must be found.
 *
 * With -v, prints the audit table: per opcode, the name per device type.
 */
#include <unistd.h>

#include "check.h"
#include "mainline.h"

/* From <scsi/sg_lib.h>, which clashes with the kernel's scsi_proto.h */
void sg_get_opcode_name(unsigned char cdb_byte0, int peri_type, int buff_len,
			char *buff);

/* Device types libsgutils2 knows names for, and one of each other class */
static const u8 types[] = {
	TYPE_DISK, TYPE_TAPE, TYPE_PRINTER, TYPE_PROCESSOR, TYPE_WORM,
	TYPE_ROM, TYPE_SCANNER, TYPE_MOD, TYPE_MEDIUM_CHANGER, TYPE_RAID,
	TYPE_ENCLOSURE, TYPE_RBC, TYPE_OSD, TYPE_ZBC,
};

void sg_get_opcode_sa_name(unsigned char cdb_byte0, int service_action,
			   int peri_type, int buff_len, char *buff);

/*
 * The oracle for rules 3 and 4: T10 names as libsgutils2 spells them, and
 * what each command does. Written from the T10 command sets (SPC-6, SBC-5,
 * ZBC-2, SSC-5), not from the tables.
 */
static const struct { const char *name; char kind; } sa_kinds[] = {
	/* SANITIZE (SBC) */
	{ "Sanitize, overwrite", 'n' }, { "Sanitize, block erase", 'n' },
	{ "Sanitize, cryptographic erase", 'n' },
	{ "Sanitize, exit failure mode", 'n' },
	/* PERSISTENT RESERVE IN / OUT (SPC) */
	{ "Persistent reserve in, read keys", 'r' },
	{ "Persistent reserve in, read reservation", 'r' },
	{ "Persistent reserve in, report capabilities", 'r' },
	{ "Persistent reserve in, read full status", 'r' },
	{ "Persistent reserve out, register", 'w' },
	{ "Persistent reserve out, reserve", 'w' },
	{ "Persistent reserve out, release", 'w' },
	{ "Persistent reserve out, clear", 'w' },
	{ "Persistent reserve out, preempt", 'w' },
	{ "Persistent reserve out, preempt and abort", 'w' },
	{ "Persistent reserve out, register and ignore existing key", 'w' },
	{ "Persistent reserve out, register and move", 'w' },
	{ "Persistent reserve out, replace lost reservation", 'w' },
	/* EXTENDED COPY / RECEIVE COPY RESULTS (SPC) */
	{ "Extended copy(LID1)", 'w' }, { "Extended copy", 'w' },
	{ "Populate token", 'w' }, { "Write using token", 'w' },
	{ "Set tape stream mirroring", 'n' }, { "Copy operation abort", 'w' },
	{ "Receive copy status(LID1)", 'r' }, { "Receive copy data(LID1)", 'r' },
	{ "Receive copy operating parameters", 'r' },
	{ "Receive copy failure details(LID1)", 'r' },
	{ "Receive copy status", 'r' }, { "Receive copy data", 'r' },
	{ "Receive ROD token information", 'r' },
	{ "Report all ROD tokens", 'r' },
	{ "Report tape stream mirroring", 'r' },
	/* ZBC OUT / ZBC IN (ZBC-2) */
	{ "Close zone", 'w' }, { "Finish zone", 'w' }, { "Open zone", 'w' },
	{ "Reset write pointer", 'w' }, { "Sequentialize zone", 'w' },
	{ "Report zones", 'r' }, { "Report realms", 'r' },
	{ "Report zone domains", 'r' }, { "Zone activate", 'w' },
	{ "Zone query", 'r' },
	/* SERVICE ACTION IN(16) (SBC, SPC) */
	{ "Receive binding report", 'r' }, { "Read capacity(16)", 'r' },
	{ "Read long(16)", 'r' }, { "Get LBA status(16)", 'r' },
	{ "Report referrals", 'r' }, { "Stream control", 'w' },
	{ "Background control", 'n' }, { "Get stream status", 'r' },
	{ "Get physical element status", 'r' },
	{ "Remove element and truncate", 'n' },
	{ "Restore elements and rebuild", 'n' },
	{ "Remove element and modify zones", 'n' },
	/* SERVICE ACTION OUT(16) (SBC, SPC) */
	{ "Test bind", 'n' }, { "Prepare bind report", 'n' },
	{ "Set affiliation", 'n' }, { "Bind", 'n' }, { "Unbind", 'n' },
	{ "Write long(16)", 'w' }, { "Write scattered(16)", 'w' },
	{ "Notify data transfer device(16)", 'w' },
	/* MAINTENANCE IN (SPC, SCC) */
	{ "Report assigned/unassigned p_extent", 'r' },
	{ "Report component device", 'r' },
	{ "Report component device attachments", 'r' },
	{ "Report peripheral device", 'r' },
	{ "Report peripheral device associations", 'r' },
	{ "Report identifying information", 'r' }, { "Report states", 'r' },
	{ "Report device identification", 'r' },
	{ "Report unconfigured capacity", 'r' },
	{ "Report supported configuration method", 'r' },
	{ "Report target port groups", 'r' }, { "Report aliases", 'r' },
	{ "Report supported operation codes", 'r' },
	{ "Report supported task management functions", 'r' },
	{ "Report priority", 'r' }, { "Report timestamp", 'r' },
	{ "Management protocol in", 'n' },	/* stateful, like SECURITY PROTOCOL IN */
	{ "Report provisioning initialization pattern", 'r' },
	{ "Receive recommended access order", 'r' },
	{ "Read dynamic runtime attribute", 'r' },
	{ "Maintenance in vendor specific", 'n' },
	/* MAINTENANCE OUT (SPC, SCC): the device's configuration */
	{ "Add peripheral device / component device", 'n' },
	{ "Attach to component device", 'n' }, { "Exchange p_extent", 'n' },
	{ "Exchange peripheral device / component device", 'n' },
	{ "Instruct component device", 'n' },
	{ "Remove peripheral device / component device", 'n' },
	{ "Set identifying information", 'n' },
	{ "Break peripheral device / component device", 'n' },
	{ "Set target port groups", 'n' }, { "Change aliases", 'n' },
	{ "Remove I_T nexus", 'n' }, { "Set priority", 'n' },
	{ "Set timestamp", 'n' }, { "Management protocol out", 'n' },
	{ "Generate recommended access order", 'n' },
	{ "write dynamic runtime attribute", 'n' },
	{ "Maintenance out vendor specific", 'n' },
	/* VARIABLE LENGTH (SBC) */
	{ "Rebuild(32)", 'w' }, { "Regenerate(32)", 'w' }, { "Xdread(32)", 'r' },
	{ "Xdwrite(32)", 'w' }, { "Xdwrite extended(32)", 'w' },
	{ "Xpwrite(32)", 'w' }, { "Xdwriteread(32)", 'w' },
	{ "Xdwrite extended(64)", 'w' }, { "Read(32)", 'r' },
	{ "Verify(32)", 'r' }, { "Write(32)", 'w' },
	{ "Write and verify(32)", 'w' }, { "Write same(32)", 'w' },
	{ "Orwrite(32)", 'w' }, { "Atomic write(32)", 'w' },
	{ "Write stream(32)", 'w' }, { "Write scattered(32)", 'w' },
	{ "Get LBA status(32)", 'r' },
};

/* The kind of a named service action, or 0 if the oracle lacks it */
static char sa_kind(const char *name)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(sa_kinds); i++)
		if (!strcmp(sa_kinds[i].name, name))
			return sa_kinds[i].kind;
	return 0;
}

/*
 * libsgutils2's name of a service action on a device type, or "" if it
 * names none. Where it knows no service actions of the opcode for that type
 * (it then returns the opcode's name), the generic command set's name.
 */
static void sa_name_of(u8 opcode, int sa, u8 type, char *buf, size_t len)
{
	char op_name[64];

	sg_get_opcode_sa_name(opcode, sa, type, len, buf);
	sg_get_opcode_name(opcode, type, sizeof(op_name), op_name);
	if (!strcmp(buf, op_name) && type != TYPE_DISK)
		sg_get_opcode_sa_name(opcode, sa, TYPE_DISK, len, buf);
	if (strstr(buf, "service action=") || !strcmp(buf, op_name))
		buf[0] = '\0';
}

static void name_of(u8 opcode, u8 type, char *buf, size_t len)
{
	sg_get_opcode_name(opcode, type, len, buf);
}

static enum scsi_sgio_perm builtin(u8 type, u8 opcode)
{
	/* enough bytes for any service action */
	u8 cdb[16] = { opcode };

	return scsi_sgio_lookup(scsi_sgio_default_table(scsi_sgio_class(type)), cdb, 16);
}

/*
 * The oracle for rule 5: what st.c and ch.c send for their ioctls, by T10
 * name as libsgutils2 spells it, and who may have it sent (SSC-5, SMC-3).
 */
static const struct { u8 type; const char *name; char kind; } ioctl_cmds[] = {
	{ TYPE_TAPE, "Rewind", 'r' },			/* MTREW */
	{ TYPE_TAPE, "Space(6)", 'r' },			/* MTFSF, MTBSR, ... */
	{ TYPE_TAPE, "Locate(10)", 'r' },		/* MTSEEK */
	{ TYPE_TAPE, "Read position", 'r' },		/* MTIOCPOS */
	{ TYPE_TAPE, "Load unload", 'r' },		/* MTOFFL, MTLOAD */
	{ TYPE_TAPE, "Write filemarks(6)", 'w' },	/* MTWEOF */
	{ TYPE_TAPE, "Erase(6)", 'w' },			/* MTERASE */
	{ TYPE_MEDIUM_CHANGER, "Read element status", 'r' },	/* CHIOGSTATUS */
	{ TYPE_MEDIUM_CHANGER, "Move medium", 'w' },		/* CHIOMOVE */
	{ TYPE_MEDIUM_CHANGER, "Exchange medium", 'w' },	/* CHIOEXCHANGE */
	{ TYPE_MEDIUM_CHANGER, "Position to element", 'w' },	/* CHIOPOSITION */
	{ TYPE_MEDIUM_CHANGER, "Initialize element status", 'w' }, /* CHIOINITELEM */
	{ TYPE_MEDIUM_CHANGER, "Send volume tag", 'w' },	/* CHIOSVOLTAG */
};

/* The kind rule 5 lists for @opcode on @type, or 0 */
static char ioctl_kind(u8 opcode, u8 type)
{
	char name[64];
	unsigned int i;

	name_of(opcode, type, name, sizeof(name));
	for (i = 0; i < ARRAY_SIZE(ioctl_cmds); i++)
		if (ioctl_cmds[i].type == type && !strcmp(ioctl_cmds[i].name, name))
			return ioctl_cmds[i].kind;
	return 0;
}

static enum scsi_sgio_perm kind_perm(char kind)
{
	return kind == 'r' ? SCSI_SGIO_READ : kind == 'w' ? SCSI_SGIO_WRITE : SCSI_SGIO_NONE;
}

static bool exempt(u8 opcode, u8 type, enum scsi_sgio_perm perm)
{
	enum scsi_sgio_class class = scsi_sgio_class(type);
	char kind = ioctl_kind(opcode, type);

	if (kind)
		return perm == kind_perm(kind);

	if (opcode == UNMAP && class == SCSI_SGIO_DISK)
		return perm == SCSI_SGIO_WRITE;
	if (opcode == MAINTENANCE_IN && class != SCSI_SGIO_CDROM)
		return perm == SCSI_SGIO_READ;
	return false;
}

static enum scsi_sgio_perm builtin_sa(u8 type, u8 opcode, int sa)
{
	u8 cdb[32] = { opcode };

	if (opcode == VARIABLE_LENGTH_CMD) {
		cdb[8] = sa >> 8;
		cdb[9] = sa & 0xff;
	} else {
		cdb[1] = sa;
	}
	return scsi_sgio_lookup(scsi_sgio_default_table(scsi_sgio_class(type)), cdb, 32);
}

/* Rules 3 and 4 for one opcode keyed by service action on @type's class */
static void audit_sas(u8 type, u8 opcode, int nr_sa, unsigned int *named,
		      unsigned int *bad)
{
	static const char *const perm_name[] = { "none", "read", "write" };
	const struct scsi_sgio_table *t =
		scsi_sgio_default_table(scsi_sgio_class(type));
	char name[96];
	int sa;

	if (!scsi_sgio_by_sa(t->op[opcode]))
		return;
	for (sa = 0; sa < nr_sa; sa++) {
		enum scsi_sgio_perm perm = builtin_sa(type, opcode, sa);
		char kind;

		sa_name_of(opcode, sa, type, name, sizeof(name));
		if (!name[0]) {
			if (perm != SCSI_SGIO_NONE) {
				diag("0x%02x/0x%02x has no T10 name on type 0x%02x but the %s table says %s",
				     opcode, sa, type,
				     scsi_sgio_class_name(scsi_sgio_class(type)), perm_name[perm]);
				(*bad)++;
			}
			continue;
		}
		(*named)++;
		kind = sa_kind(name);
		if (!kind) {
			diag("0x%02x/0x%02x \"%s\" (type 0x%02x) is not classified: add it to sa_kinds[]",
			     opcode, sa, name, type);
			(*bad)++;
		} else if ((kind == 'n' && perm != SCSI_SGIO_NONE) ||
			   (kind == 'w' && perm == SCSI_SGIO_READ)) {
			diag("0x%02x/0x%02x \"%s\" (%c) on type 0x%02x: the %s table says %s",
			     opcode, sa, name, kind, type,
			     scsi_sgio_class_name(scsi_sgio_class(type)), perm_name[perm]);
			(*bad)++;
		}
	}
}

/* Rule 5 over every opcode of the tape and changer types */
static void test_ioctl_commands(void)
{
	static const u8 ioctl_types[] = { TYPE_TAPE, TYPE_MEDIUM_CHANGER };
	unsigned int found[ARRAY_SIZE(ioctl_cmds)] = { 0 };
	unsigned int i, j, bad = 0, missing = 0;
	char name[64];
	int op;

	for (i = 0; i < ARRAY_SIZE(ioctl_types); i++) {
		for (op = 0; op < 256; op++) {
			u8 type = ioctl_types[i];
			char kind = ioctl_kind(op, type);

			if (!kind)
				continue;
			name_of(op, type, name, sizeof(name));
			for (j = 0; j < ARRAY_SIZE(ioctl_cmds); j++)
				if (ioctl_cmds[j].type == type && !strcmp(ioctl_cmds[j].name, name))
					found[j]++;
			if (builtin(type, op) != kind_perm(kind)) {
				diag("0x%02x \"%s\" on type 0x%02x: the table says %d, want %c",
				     op, name, type, builtin(type, op), kind);
				bad++;
			}
		}
	}
	for (j = 0; j < ARRAY_SIZE(ioctl_cmds); j++) {
		if (!found[j]) {
			diag("libsgutils2 names no opcode \"%s\" on type 0x%02x",
			     ioctl_cmds[j].name, ioctl_cmds[j].type);
			missing++;
		}
	}
	check(!missing, "rule 5: libsgutils2 names all %zu commands st and ch send for ioctls",
	      ARRAY_SIZE(ioctl_cmds));
	check(!bad, "rule 5: the tape and changer tables give each exactly its listed permission");
}

static void test_service_actions(void)
{
	unsigned int named = 0, bad = 0, i, j;

	for (i = 0; i < ARRAY_SIZE(types); i++) {
		for (j = 0; j < SCSI_SGIO_NR_SA_OPS; j++)
			audit_sas(types[i], scsi_sgio_sa_ops[j], SCSI_SGIO_NR_SA,
				  &named, &bad);
		audit_sas(types[i], VARIABLE_LENGTH_CMD, SCSI_SGIO_NR_VL_SA,
			  &named, &bad);
	}
	check(named > 0 && !bad,
	      "%u named (opcode, service action, device type) triples: each classified, none given beyond its kind; unnamed ones given to nobody",
	      named);
	/* the oracle itself, against the cases the review found */
	check(sa_kind("Remove element and truncate") == 'n' &&
	      builtin_sa(TYPE_DISK, SERVICE_ACTION_IN_16, 0x18) == SCSI_SGIO_NONE,
	      "0x9e/0x18 REMOVE ELEMENT AND TRUNCATE is given to nobody");
	check(sa_kind("Read capacity(16)") == 'r' &&
	      builtin_sa(TYPE_DISK, SERVICE_ACTION_IN_16, 0x10) == SCSI_SGIO_READ,
	      "0x9e/0x10 READ CAPACITY(16) stays a read");
	check(sa_kind("Zone activate") == 'w' &&
	      builtin_sa(TYPE_ZBC, ZBC_IN, 0x08) == SCSI_SGIO_WRITE,
	      "0x95/0x08 ZONE ACTIVATE is a write on zoned disks");
}

int main(int argc, char **argv)
{
	static const char *const perm_name[] = { "none", "read", "write" };
	unsigned int checked = 0, conflicts = 0, bad = 0, i;
	bool verbose = argc > 1 && !strcmp(argv[1], "-v");
	char generic[64], mmc[64], name[64];
	int op;

	check_header();
	scsi_sgio_init_defaults();
	for (op = 0; op < 256; op++) {
		if (mainline_perm(op) == SCSI_SGIO_NONE)
			continue;
		name_of(op, TYPE_DISK, generic, sizeof(generic));
		name_of(op, TYPE_ROM, mmc, sizeof(mmc));
		if (verbose)
			printf("# 0x%02x %-5s", op, perm_name[mainline_perm(op)]);
		for (i = 0; i < ARRAY_SIZE(types); i++) {
			enum scsi_sgio_perm perm = builtin(types[i], op);
			bool conflict;

			name_of(op, types[i], name, sizeof(name));
			if (verbose)
				printf(" | %02x %s=%s", types[i], name, perm_name[perm]);
			if (types[i] == TYPE_ROM || types[i] == TYPE_WORM)
				conflict = false;	/* cdrom: mainline's meaning */
			else if (strcmp(generic, mmc))
				conflict = true;			/* rule 1 */
			else
				conflict = strcmp(name, generic);	/* rule 2 */
			checked++;
			if (!conflict)
				continue;
			conflicts++;
			if (perm != SCSI_SGIO_NONE && !exempt(op, types[i], perm)) {
				diag("0x%02x is \"%s\" on type 0x%02x (%s) but the table says %s",
				     op, name, types[i],
				     scsi_sgio_class_name(scsi_sgio_class(types[i])),
				     perm_name[perm]);
				bad++;
			}
		}
		if (verbose)
			printf("\n");
	}
	check(checked > 0 && conflicts > 0,
	      "libsgutils2 names %u of %u (opcode, device type) pairs of mainline's list differently",
	      conflicts, checked);
	check(!bad, "the built-in tables allow none of them (but the exempt opcodes)");
	check(exempt(UNMAP, TYPE_DISK, builtin(TYPE_DISK, UNMAP)),
	      "UNMAP is a write on disks");
	check(!exempt(UNMAP, TYPE_DISK, SCSI_SGIO_READ) &&
	      builtin(TYPE_TAPE, UNMAP) == SCSI_SGIO_NONE,
	      "UNMAP is no read anywhere, and nothing on tapes");
	check(exempt(MAINTENANCE_IN, TYPE_DISK, builtin(TYPE_DISK, MAINTENANCE_IN)) &&
	      builtin(TYPE_ROM, MAINTENANCE_IN) == SCSI_SGIO_WRITE,
	      "0xa3 is MAINTENANCE IN (read) on disks, SEND KEY (write) on cdroms");
	test_service_actions();
	test_ioctl_commands();
	return check_finished();
}
