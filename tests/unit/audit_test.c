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
 * With -v, prints the audit table: per opcode, the name per device type.
 */
#include <unistd.h>

#include "check.h"
#include "mainline.h"

unsigned int kshim_warnings;

/* From <scsi/sg_lib.h>, which clashes with the kernel's scsi_proto.h */
void sg_get_opcode_name(unsigned char cdb_byte0, int peri_type, int buff_len,
			char *buff);

/* Device types libsgutils2 knows names for, and one of each other class */
static const u8 types[] = {
	TYPE_DISK, TYPE_TAPE, TYPE_PRINTER, TYPE_PROCESSOR, TYPE_WORM,
	TYPE_ROM, TYPE_SCANNER, TYPE_MOD, TYPE_MEDIUM_CHANGER, TYPE_RAID,
	TYPE_ENCLOSURE, TYPE_RBC, TYPE_OSD, TYPE_ZBC,
};

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

static bool exempt(u8 opcode, u8 type, enum scsi_sgio_perm perm)
{
	enum scsi_sgio_class class = scsi_sgio_class(type);

	if (opcode == UNMAP && class == SCSI_SGIO_DISK)
		return perm == SCSI_SGIO_WRITE;
	if (opcode == MAINTENANCE_IN && class != SCSI_SGIO_CDROM)
		return perm == SCSI_SGIO_READ;
	return false;
}

int main(int argc, char **argv)
{
	static const char *const perm_name[] = { "none", "read", "write" };
	unsigned int checked = 0, conflicts = 0, bad = 0, i;
	bool verbose = argc > 1 && !strcmp(argv[1], "-v");
	char generic[64], mmc[64], name[64];
	int op;

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
	check(!bad, "the built-in tables allow none of them (but the 2 exempt opcodes)");
	check(exempt(UNMAP, TYPE_DISK, builtin(TYPE_DISK, UNMAP)),
	      "UNMAP is a write on disks");
	check(!exempt(UNMAP, TYPE_DISK, SCSI_SGIO_READ) &&
	      builtin(TYPE_TAPE, UNMAP) == SCSI_SGIO_NONE,
	      "UNMAP is no read anywhere, and nothing on tapes");
	check(exempt(MAINTENANCE_IN, TYPE_DISK, builtin(TYPE_DISK, MAINTENANCE_IN)) &&
	      builtin(TYPE_ROM, MAINTENANCE_IN) == SCSI_SGIO_WRITE,
	      "0xa3 is MAINTENANCE IN (read) on disks, SEND KEY (write) on cdroms");
	return check_summary();
}
