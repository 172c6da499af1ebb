// SPDX-License-Identifier: GPL-2.0
/*
 * Opcode and service action names, per device class, from sg3_utils'
 * libsgutils2 (0x42 is "Unmap" on a disk, "Read sub-channel" on a CD-ROM),
 * and the OPCODE[/SA] arguments that use them.
 */
#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "sgfilterctl.h"

/* From <scsi/sg_lib.h>, which clashes with the kernel's scsi_proto.h */
void sg_get_opcode_name(unsigned char cdb_byte0, int peri_type, int buff_len,
			char *buff);
void sg_get_opcode_sa_name(unsigned char cdb_byte0, int service_action,
			   int peri_type, int buff_len, char *buff);

/* A peripheral device type whose names stand for each class */
static const u8 class_pdt[SCSI_SGIO_NR_CLASSES] = {
	[SCSI_SGIO_DISK] = TYPE_DISK,
	[SCSI_SGIO_CDROM] = TYPE_ROM,
	[SCSI_SGIO_TAPE] = TYPE_TAPE,
	[SCSI_SGIO_CHANGER] = TYPE_MEDIUM_CHANGER,
	[SCSI_SGIO_ENCLOSURE] = TYPE_ENCLOSURE,
	[SCSI_SGIO_OTHER] = TYPE_NO_LUN,
};

/* Does @class key @op by service action? */
bool has_sa(int class, u8 op)
{
	return scsi_sgio_by_sa(scsi_sgio_default_table(class)->op[op]);
}

/* The service actions of @op that a table can hold an entry for */
unsigned int nr_sa(u8 op)
{
	return op == VARIABLE_LENGTH_CMD ? SCSI_SGIO_NR_VL_SA : SCSI_SGIO_NR_SA;
}

void opcode_name(int class, u8 op, int sa, char *buf, size_t size)
{
	if (sa >= 0)
		sg_get_opcode_sa_name(op, sa, class_pdt[class], size, buf);
	else
		sg_get_opcode_name(op, class_pdt[class], size, buf);
}

/* Is SA of @op one that libsgutils2 has a name for? */
bool sa_named(int class, int op, int sa)
{
	char name[NAME_MAX_LEN];

	opcode_name(class, op, sa, name, sizeof(name));
	return !strstr(name, "service action=") && !strstr(name, "Vendor specific");
}

/* "0x42", "0x5f/0x00", "0x7f/0x000d": the module's syntax */
void key_str(int op, int sa, char *buf, size_t size)
{
	if (sa < 0)
		snprintf(buf, size, "0x%02x", op);
	else if (op == VARIABLE_LENGTH_CMD)
		snprintf(buf, size, "0x%02x/0x%04x", op, sa);
	else
		snprintf(buf, size, "0x%02x/0x%02x", op, sa);
}

/*
 * Open the output object of one table entry, @op with @sa (-1: none), and
 * print its opcode, service action and key; @name gets its name for
 * @class, which the caller prints after its permissions
 */
void out_entry_open(int class, int op, int sa, char *name, size_t size)
{
	char key[KEY_MAX_LEN];

	opcode_name(class, op, sa, name, size);
	key_str(op, sa, key, sizeof(key));
	out_open(NULL);
	out_int(OUT_JSON, "opcode", NULL, op);
	out_int(OUT_JSON, "sa", NULL, sa);
	out_str(OUT_ANY, "key", "%-13s ", key);
}

/* Lower case, letters and digits only: "Read(10)" and "READ_10" meet */
static void normalize(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n < size - 1; in++)
		if (isalnum((unsigned char)*in))
			out[n++] = tolower((unsigned char)*in);
	out[n] = '\0';
}

/* Names this long or longer are never near another */
#define DIST_MAX_LEN	64

/* Levenshtein distance, for "did you mean" */
static unsigned int distance(const char *a, const char *b)
{
	unsigned int la = strlen(a), lb = strlen(b), i, j, d[DIST_MAX_LEN][DIST_MAX_LEN];

	if (la >= DIST_MAX_LEN || lb >= DIST_MAX_LEN)
		return 99;
	for (i = 0; i <= la; i++)
		d[i][0] = i;
	for (j = 0; j <= lb; j++)
		d[0][j] = j;
	for (i = 1; i <= la; i++)
		for (j = 1; j <= lb; j++) {
			unsigned int sub = d[i - 1][j - 1] + (a[i - 1] != b[j - 1]);
			unsigned int del = d[i - 1][j] + 1, ins = d[i][j - 1] + 1;

			d[i][j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
	return d[la][lb];
}

/* "0x5f" or "0x5f/0x00" in the module's syntax */
static bool parse_number(const char *arg, int *op, int *sa)
{
	struct sgf_entry e;

	if (sgf_parse_entry(arg, strlen(arg), false, &e))
		return false;
	*op = e.opcode;
	*sa = e.sa;
	return true;
}

/*
 * OPCODE/SA with a name on either side: "0x5f/register",
 * "persistent reserve out/0x00"; a service action's own part of its name
 * ("register" of "Persistent reserve out, register") will do
 */
static int resolve_slash(int class, const char *arg, const char *slash, int *op, int *sa)
{
	char opart[NAME_MAX_LEN], buf[128], want[NAME_MAX_LEN], norm[NAME_MAX_LEN];
	char name[NAME_MAX_LEN];
	const char *comma;
	int sop, ssa, i;

	snprintf(opart, sizeof(opart), "%.*s", (int)(slash - arg), arg);
	if (resolve(class, opart, &sop, &ssa))
		return -EINVAL;
	if (ssa >= 0 || !has_sa(class, sop)) {
		error("%s: 0x%02x has no service actions in class %s", arg, sop,
		      scsi_sgio_class_name(class));
		return -EINVAL;
	}
	snprintf(buf, sizeof(buf), "0x%02x/%s", sop, slash + 1);
	if (parse_number(buf, op, sa))
		return 0;
	normalize(slash + 1, want, sizeof(want));
	for (i = 0; i < nr_sa(sop); i++) {
		opcode_name(class, sop, i, name, sizeof(name));
		comma = strrchr(name, ',');
		normalize(comma ? comma + 1 : name, norm, sizeof(norm));
		if (!strcmp(norm, want)) {
			*op = sop;
			*sa = i;
			return 0;
		}
	}
	error("%s: no service action of 0x%02x is called \"%s\" in class %s",
	      arg, sop, slash + 1, scsi_sgio_class_name(class));
	return -EINVAL;
}

#define NR_NEAREST	5

struct candidate {
	char name[NAME_MAX_LEN];
	int op, sa;
	unsigned int dist;
};

/* Keep @name among the NR_NEAREST nearest to what was asked for */
static void keep_nearest(struct candidate *best, const char *name, int op, int sa,
			 unsigned int dist)
{
	int i;

	for (i = 0; i < NR_NEAREST; i++)
		if (!best[i].name[0] || dist < best[i].dist) {
			memmove(&best[i + 1], &best[i], (NR_NEAREST - 1 - i) * sizeof(best[0]));
			snprintf(best[i].name, sizeof(best[i].name), "%s", name);
			best[i].op = op;
			best[i].sa = sa;
			best[i].dist = dist;
			return;
		}
}

static void print_nearest(const struct candidate *best)
{
	int i;

	for (i = 0; i < NR_NEAREST && best[i].name[0]; i++) {
		if (best[i].sa >= 0)
			fprintf(stderr, "  0x%02x/0x%02x  %s\n", best[i].op, best[i].sa,
				best[i].name);
		else
			fprintf(stderr, "  0x%02x       %s\n", best[i].op, best[i].name);
	}
}

/* A name libsgutils2 makes up for what it does not know */
static bool made_up(const char *name)
{
	return strstr(name, "Vendor specific") || strstr(name, "Opcode=") ||
	       strstr(name, "service action=");
}

/* An opcode's or a service action's whole name, normalized as @want */
static int resolve_name(int class, const char *arg, const char *want, int *op_out,
			int *sa_out)
{
	struct candidate best[NR_NEAREST] = {};
	char name[NAME_MAX_LEN], norm[NAME_MAX_LEN];
	int op, sa, fop = -1, fsa = -1;
	bool found = false;

	for (op = 0; op < NR_OPCODES; op++) {
		int nsa = has_sa(class, op) ? nr_sa(op) : 0;

		for (sa = -1; sa < nsa; sa++) {
			opcode_name(class, op, sa, name, sizeof(name));
			if (made_up(name))
				continue;
			normalize(name, norm, sizeof(norm));
			if (strcmp(norm, want)) {
				keep_nearest(best, name, op, sa, distance(norm, want));
				continue;
			}
			if (found && (fop != op || fsa != sa)) {
				error("\"%s\" is ambiguous in class %s: 0x%02x and 0x%02x",
				      arg, scsi_sgio_class_name(class), fop, op);
				return -EINVAL;
			}
			found = true;
			fop = op;
			fsa = sa;
		}
	}
	if (found) {
		*op_out = fop;
		*sa_out = fsa;
		return 0;
	}
	error("unknown command \"%s\" for class %s; nearest:", arg,
	      scsi_sgio_class_name(class));
	print_nearest(best);
	return -EINVAL;
}

/*
 * Resolve OPCODE[/SA], by number or by name for @class. A name may be an
 * opcode's ("persistent reserve out") or a service action's ("persistent
 * reserve out, register"); after a '/', a service action's own part
 * ("register") will do. Errors list the nearest names.
 */
int resolve(int class, const char *arg, int *op, int *sa)
{
	const char *slash = strchr(arg, '/');
	char want[NAME_MAX_LEN];

	if (parse_number(arg, op, sa))
		return 0;
	if (slash)
		return resolve_slash(class, arg, slash, op, sa);
	normalize(arg, want, sizeof(want));
	if (!want[0]) {
		error("\"%s\" is neither an opcode nor a name", arg);
		return -EINVAL;
	}
	return resolve_name(class, arg, want, op, sa);
}
