// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilterctl - look at and change who may send which SCSI command (SG_IO).
 *
 * The built-in class tables come from the kernel's own drivers/scsi/scsi_sgio.c
 * and the entry syntax from the module's kernel/sgfilter/policy.c, compiled in
 * (see the Makefile): this file keeps no copy of either. Opcode names come
 * from sg3_utils' libsgutils2, per device type.
 *
 * Exit status: 0 success, 1 error, 2 usage error.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdarg.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <scsi/scsi_proto.h>
#include "../../kernel/sgfilter/sgfilter.h"

#ifndef SGFILTERCTL_VERSION
#define SGFILTERCTL_VERSION "0.1"
#endif

unsigned int kshim_warnings;

/* From <scsi/sg_lib.h>, which clashes with the kernel's scsi_proto.h */
void sg_get_opcode_name(unsigned char cdb_byte0, int peri_type, int buff_len,
			char *buff);
void sg_get_opcode_sa_name(unsigned char cdb_byte0, int service_action,
			   int peri_type, int buff_len, char *buff);

#define EXIT_USAGE 2

static const char *sysfs = "/sys";	/* $SGFILTER_SYSFS, for tests */
static bool json;

/* A peripheral device type whose names stand for each class */
static const u8 class_pdt[SCSI_SGIO_NR_CLASSES] = {
	[SCSI_SGIO_DISK] = TYPE_DISK,
	[SCSI_SGIO_CDROM] = TYPE_ROM,
	[SCSI_SGIO_TAPE] = TYPE_TAPE,
	[SCSI_SGIO_CHANGER] = TYPE_MEDIUM_CHANGER,
	[SCSI_SGIO_ENCLOSURE] = TYPE_ENCLOSURE,
	[SCSI_SGIO_OTHER] = TYPE_NO_LUN,
};

/* --- messages -------------------------------------------------------------- */

static void __attribute__((format(printf, 1, 2))) error(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "sgfilterctl: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void __attribute__((format(printf, 1, 2))) hint(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "Hint: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* A Hint: line for the usual reasons a sysfs write fails */
static void hint_errno(int err)
{
	if (err == EACCES || err == EPERM)
		hint("changing the policy needs root (CAP_SYS_ADMIN)");
	else if (err == ENOENT)
		hint("is the sgfilter module loaded? modprobe sgfilter");
}

static void usage(FILE *f)
{
	fprintf(f,
"Usage: sgfilterctl [--json] COMMAND [ARGS]\n"
"\n"
"  status                          backend, classes, devices with unpriv_sgio set\n"
"  unpriv DEVICE [on|off]          show or set a device's unpriv_sgio flag\n"
"  show CLASS                      a class table, with opcode names\n"
"  allow CLASS read|write OPCODE[/SA]...\n"
"  deny CLASS OPCODE[/SA]...\n"
"  reset [CLASS]                   back to the built-in table(s)\n"
"  check DEVICE OPCODE[/SA] [--read-only]   the verdict and why\n"
"  stats                           allowed and denied commands per class\n"
"  save FILE | load FILE           the policy, as a file\n"
"  apply-device DEVICE             /etc/sgfilter/*.conf's unpriv lines (udev)\n"
"\n"
"CLASS: disk cdrom tape changer enclosure other\n"
"DEVICE: /dev/sdX, /dev/srN, /dev/sgN, /dev/bsg/H:C:T:L, a /dev/disk/by-id link, H:C:T:L\n"
"OPCODE: hex (0x5f, 5f) or a name for the class (PERSISTENT_RESERVE_OUT,\n"
"        \"persistent reserve out\"); SA: hex or a name (0x5f/0x00, 0x5f/register)\n"
"--json: one JSON document on stdout, for the reading commands\n");
}

/* --- JSON ------------------------------------------------------------------ */

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

/* --- sysfs ----------------------------------------------------------------- */

static int sysfs_path(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(buf, len, "%s/", sysfs);

	va_start(ap, fmt);
	n += vsnprintf(buf + n, len - n, fmt, ap);
	va_end(ap);
	return n < (int)len ? 0 : -ENAMETOOLONG;
}

/* Read a whole file; -errno */
static int read_text(const char *path, char *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	if (fd < 0)
		return -errno;
	while (len < size - 1 && (n = read(fd, buf + len, size - 1 - len)) > 0)
		len += n;
	close(fd);
	buf[len] = '\0';
	return 0;
}

/* One write(); -errno */
static int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;

	if (fd < 0)
		return -errno;
	if (write(fd, s, strlen(s)) < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static bool module_loaded(void)
{
	char path[PATH_MAX];
	struct stat st;

	sysfs_path(path, sizeof(path), "kernel/sgfilter");
	return !stat(path, &st) && S_ISDIR(st.st_mode);
}

static int parse_class(const char *s)
{
	int c;

	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		if (!strcmp(s, scsi_sgio_class_name(c)))
			return c;
	return -1;
}

/* The table without any permission, but keyed by SA as the class is */
static void empty_table(int class, struct scsi_sgio_table *t)
{
	*t = *scsi_sgio_default_table(class);
	sgf_table_clear(t);
}

/* The table in force for @class: the module's, or the built-in one */
static int current_table(int class, struct scsi_sgio_table *t)
{
	static char text[65536];
	char path[PATH_MAX];
	int err;

	if (!module_loaded()) {
		*t = *scsi_sgio_default_table(class);
		return 0;
	}
	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/table", scsi_sgio_class_name(class));
	err = read_text(path, text, sizeof(text));
	if (err) {
		error("Failed to read \"%s\": %s", path, strerror(-err));
		return err;
	}
	empty_table(class, t);
	if (sgf_table_load(t, text, strlen(text))) {
		error("\"%s\" does not parse", path);
		return -EINVAL;
	}
	return 0;
}

/* --- opcode names ----------------------------------------------------------- */

/* Lower case, letters and digits only: "Read(10)" and "READ_10" meet */
static void normalize(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n < size - 1; in++)
		if (isalnum((unsigned char)*in))
			out[n++] = tolower((unsigned char)*in);
	out[n] = '\0';
}

static bool has_sa(int class, u8 op)
{
	return scsi_sgio_default_table(class)->op[op] == SCSI_SGIO_BY_SA;
}

static void opcode_name(int class, u8 op, int sa, char *buf, size_t size)
{
	if (sa >= 0)
		sg_get_opcode_sa_name(op, sa, class_pdt[class], size, buf);
	else
		sg_get_opcode_name(op, class_pdt[class], size, buf);
}

/* Levenshtein distance, for "did you mean" */
static unsigned int distance(const char *a, const char *b)
{
	unsigned int la = strlen(a), lb = strlen(b), i, j, d[64][64];

	if (la >= 64 || lb >= 64)
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

struct candidate {
	char name[96];
	int op, sa;
	unsigned int dist;
};

/*
 * Resolve OPCODE[/SA], by number or by name for @class. A name may be an
 * opcode's ("persistent reserve out") or a service action's ("persistent
 * reserve out, register"); after a '/', a service action's own part
 * ("register") will do. Errors list the nearest names.
 */
static int resolve(int class, const char *arg, int *op_out, int *sa_out)
{
	char want[96], norm[96], name[96], buf[128];
	struct candidate best[5] = {};
	const char *slash = strchr(arg, '/');
	int op, sa, found = 0, fop = -1, fsa = -1, i;
	struct sgf_entry e;

	/* numbers: the module's own syntax */
	if (!sgf_parse_entry(arg, strlen(arg), false, &e)) {
		*op_out = e.opcode;
		*sa_out = e.sa;
		return 0;
	}
	if (slash) {
		/* name or number before the slash, SA name or number after */
		char opart[96];
		int sop, ssa;

		snprintf(opart, sizeof(opart), "%.*s", (int)(slash - arg), arg);
		if (resolve(class, opart, &sop, &ssa))
			return -EINVAL;
		if (ssa >= 0 || !has_sa(class, sop)) {
			error("%s: 0x%02x has no service actions in class %s", arg, sop,
			      scsi_sgio_class_name(class));
			return -EINVAL;
		}
		snprintf(buf, sizeof(buf), "0x%02x/%s", sop, slash + 1);
		if (!sgf_parse_entry(buf, strlen(buf), false, &e)) {
			*op_out = e.opcode;
			*sa_out = e.sa;
			return 0;
		}
		normalize(slash + 1, want, sizeof(want));
		for (sa = 0; sa < (sop == VARIABLE_LENGTH_CMD ? 256 : 32); sa++) {
			const char *comma;

			opcode_name(class, sop, sa, name, sizeof(name));
			comma = strrchr(name, ',');
			normalize(comma ? comma + 1 : name, norm, sizeof(norm));
			if (!strcmp(norm, want)) {
				*op_out = sop;
				*sa_out = sa;
				return 0;
			}
		}
		error("%s: no service action of 0x%02x is called \"%s\" in class %s",
		      arg, sop, slash + 1, scsi_sgio_class_name(class));
		return -EINVAL;
	}

	normalize(arg, want, sizeof(want));
	if (!want[0]) {
		error("\"%s\" is neither an opcode nor a name", arg);
		return -EINVAL;
	}
	for (op = 0; op < 256; op++) {
		int nsa = !has_sa(class, op) ? 0 : op == VARIABLE_LENGTH_CMD ? 256 : 32;

		for (sa = -1; sa < nsa; sa++) {
			unsigned int dist;

			opcode_name(class, op, sa, name, sizeof(name));
			if (strstr(name, "Vendor specific") || strstr(name, "Opcode=") ||
			    strstr(name, "service action="))
				continue;
			normalize(name, norm, sizeof(norm));
			if (!strcmp(norm, want)) {
				if (found && (fop != op || fsa != sa)) {
					error("\"%s\" is ambiguous in class %s: 0x%02x and 0x%02x",
					      arg, scsi_sgio_class_name(class), fop, op);
					return -EINVAL;
				}
				found = 1;
				fop = op;
				fsa = sa;
				continue;
			}
			dist = distance(norm, want);
			for (i = 0; i < 5; i++)
				if (!best[i].name[0] || dist < best[i].dist) {
					memmove(&best[i + 1], &best[i], (4 - i) * sizeof(best[0]));
					snprintf(best[i].name, sizeof(best[i].name), "%s", name);
					best[i].op = op;
					best[i].sa = sa;
					best[i].dist = dist;
					break;
				}
		}
	}
	if (found) {
		*op_out = fop;
		*sa_out = fsa;
		return 0;
	}
	error("unknown command \"%s\" for class %s; nearest:", arg,
	      scsi_sgio_class_name(class));
	for (i = 0; i < 5 && best[i].name[0]; i++) {
		if (best[i].sa >= 0)
			fprintf(stderr, "  0x%02x/0x%02x  %s\n", best[i].op, best[i].sa, best[i].name);
		else
			fprintf(stderr, "  0x%02x       %s\n", best[i].op, best[i].name);
	}
	return -EINVAL;
}

static void key_str(int op, int sa, char *buf, size_t size)
{
	if (sa < 0)
		snprintf(buf, size, "0x%02x", op);
	else if (op == VARIABLE_LENGTH_CMD)
		snprintf(buf, size, "0x%02x/0x%04x", op, sa);
	else
		snprintf(buf, size, "0x%02x/0x%02x", op, sa);
}

/* --- devices ----------------------------------------------------------------- */

/*
 * H:C:T:L of a device given as H:C:T:L or as a node (block, sg or bsg, or a
 * link to one). 0 or -errno, with a message.
 */
static int resolve_device(const char *arg, char *hctl, size_t size)
{
	char real[PATH_MAX], path[PATH_MAX], link[PATH_MAX], part[PATH_MAX + 16];
	unsigned int h, c, t, l;
	struct stat st;
	ssize_t n;
	char end;

	if (sscanf(arg, "%u:%u:%u:%u%c", &h, &c, &t, &l, &end) == 4) {
		snprintf(hctl, size, "%u:%u:%u:%u", h, c, t, l);
		sysfs_path(path, sizeof(path), "bus/scsi/devices/%s", hctl);
		if (stat(path, &st)) {
			error("Failed to find SCSI device %s: %s", hctl, strerror(errno));
			return -errno;
		}
		return 0;
	}
	if (!realpath(arg, real) || stat(real, &st)) {
		error("Failed to open \"%s\": %s", arg, strerror(errno));
		return -errno;
	}
	if (!S_ISBLK(st.st_mode) && !S_ISCHR(st.st_mode)) {
		error("\"%s\" is not a device node", arg);
		return -ENODEV;
	}
	sysfs_path(path, sizeof(path), "dev/%s/%u:%u", S_ISBLK(st.st_mode) ? "block" : "char",
		   major(st.st_rdev), minor(st.st_rdev));
	/* a partition: its disk is the parent directory */
	snprintf(part, sizeof(part), "%s/partition", path);
	if (!access(part, F_OK))
		strncat(path, "/..", sizeof(path) - strlen(path) - 1);
	strncat(path, "/device", sizeof(path) - strlen(path) - 1);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0 || sscanf(strrchr((link[n] = '\0', link), '/') + 1, "%u:%u:%u:%u%c",
			    &h, &c, &t, &l, &end) != 4) {
		error("\"%s\" is not a SCSI device", arg);
		return -ENODEV;
	}
	snprintf(hctl, size, "%u:%u:%u:%u", h, c, t, l);
	return 0;
}

static int device_class(const char *hctl)
{
	char path[PATH_MAX], buf[16];

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/type", hctl);
	if (read_text(path, buf, sizeof(buf)))
		return SCSI_SGIO_OTHER;
	return scsi_sgio_class(atoi(buf));
}

/* 0 or 1, or -errno */
static int device_unpriv(const char *hctl)
{
	char path[PATH_MAX], buf[8];
	int err;

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/unpriv_sgio", hctl);
	err = read_text(path, buf, sizeof(buf));
	return err ? err : buf[0] == '1';
}

/* The device's WWN as the kernel reports it ("naa.6001405..."), or "" */
static void device_wwid(const char *hctl, char *buf, size_t size)
{
	char path[PATH_MAX];

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/wwid", hctl);
	if (read_text(path, buf, size))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * Does a policy file's device ID name this device? IDs are the kernel's
 * WWN ("naa.6001405..."), udev's by-id form of it ("wwn-0x6001405..."), or
 * a /dev path (a by-id link, say) that leads to the device.
 */
static bool id_matches(const char *id, const char *hctl)
{
	char wwid[256], other[64];

	device_wwid(hctl, wwid, sizeof(wwid));
	if (wwid[0] && !strcasecmp(id, wwid))
		return true;
	if (!strncmp(wwid, "naa.", 4) && !strncasecmp(id, "wwn-0x", 6) &&
	    !strcasecmp(id + 6, wwid + 4))
		return true;
	if (id[0] == '/' && !access(id, F_OK) &&
	    !resolve_device(id, other, sizeof(other)) && !strcmp(other, hctl))
		return true;
	return false;
}

static int set_unpriv(const char *hctl, bool on)
{
	char path[PATH_MAX];
	int err;

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/unpriv_sgio", hctl);
	err = write_text(path, on ? "1" : "0");
	if (err) {
		error("Failed to set unpriv_sgio of %s: %s", hctl, strerror(-err));
		hint_errno(-err);
	}
	return err;
}

/* --- commands ------------------------------------------------------------------ */

static int cmd_status(void)
{
	bool mod = module_loaded();
	char path[PATH_MAX];
	struct dirent *de;
	int c, first = 1;
	DIR *d;

	if (json) {
		printf("{\"backend\": \"%s\", \"classes\": [", mod ? "module" : "built-in");
		for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
			printf("%s\"%s\"", c ? ", " : "", scsi_sgio_class_name(c));
		printf("], \"unpriv_sgio\": [");
	} else {
		printf("backend: %s\n", mod ? "sgfilter module (editable tables)" :
		       "built-in tables (modprobe sgfilter to edit them)");
		printf("classes:");
		for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
			printf(" %s", scsi_sgio_class_name(c));
		printf("\ndevices with unpriv_sgio set:");
	}
	sysfs_path(path, sizeof(path), "bus/scsi/devices");
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (!strchr(de->d_name, ':') || device_unpriv(de->d_name) != 1)
			continue;
		if (json) {
			printf("%s", first ? "" : ", ");
			json_str(de->d_name);
		} else {
			printf(" %s", de->d_name);
		}
		first = 0;
	}
	if (d)
		closedir(d);
	if (json)
		printf("]}\n");
	else
		printf("%s\n", first ? " none" : "");
	return 0;
}

static int cmd_unpriv(int argc, char **argv)
{
	char hctl[64];
	int on;

	if (argc < 1 || argc > 2)
		return EXIT_USAGE;
	if (resolve_device(argv[0], hctl, sizeof(hctl)))
		return 1;
	if (argc == 1) {
		on = device_unpriv(hctl);
		if (on < 0) {
			error("Failed to read unpriv_sgio of %s: %s", hctl, strerror(-on));
			hint("does this kernel carry the sgfilter patch series?");
			return 1;
		}
		if (json)
			printf("{\"device\": \"%s\", \"unpriv_sgio\": %s}\n", hctl, on ? "true" : "false");
		else
			printf("%s unpriv_sgio %s\n", hctl, on ? "on" : "off");
		return 0;
	}
	if (!strcmp(argv[1], "on") || !strcmp(argv[1], "1"))
		on = 1;
	else if (!strcmp(argv[1], "off") || !strcmp(argv[1], "0"))
		on = 0;
	else
		return EXIT_USAGE;
	return set_unpriv(hctl, on) ? 1 : 0;
}

static void show_entry(int class, int op, int sa, u8 perm, u8 def, bool *first)
{
	char name[96], key[24];

	opcode_name(class, op, sa, name, sizeof(name));
	key_str(op, sa, key, sizeof(key));
	if (json) {
		printf("%s{\"opcode\": %d, \"sa\": %d, \"key\": \"%s\", \"perm\": \"%s\", "
		       "\"default\": \"%s\", \"name\": ", *first ? "" : ", ", op, sa, key,
		       sgf_perm_name(perm), sgf_perm_name(def));
		json_str(name);
		printf("}");
	} else {
		printf("%-13s %-5s %s%s\n", key, perm == SCSI_SGIO_NONE ? "-" : sgf_perm_name(perm),
		       name, perm == def ? "" : def == SCSI_SGIO_NONE ? "  [added]" :
		       perm == SCSI_SGIO_NONE ? "  [removed]" : "  [changed]");
	}
	*first = false;
}

static int cmd_show(int argc, char **argv)
{
	const struct scsi_sgio_table *def;
	struct scsi_sgio_table t;
	bool first = true;
	int class, op, sa;

	if (argc != 1)
		return EXIT_USAGE;
	class = parse_class(argv[0]);
	if (class < 0) {
		error("unknown class \"%s\"", argv[0]);
		return EXIT_USAGE;
	}
	if (current_table(class, &t))
		return 1;
	def = scsi_sgio_default_table(class);
	if (json)
		printf("{\"class\": \"%s\", \"backend\": \"%s\", \"entries\": [",
		       argv[0], module_loaded() ? "module" : "built-in");
	else
		printf("# class %s (%s); [added], [removed], [changed]: against the built-in table\n",
		       argv[0], module_loaded() ? "sgfilter module" : "built-in");
	for (op = 0; op < 256; op++) {
		if (t.op[op] != SCSI_SGIO_BY_SA) {
			if (t.op[op] != SCSI_SGIO_NONE || def->op[op] != SCSI_SGIO_NONE)
				show_entry(class, op, -1, t.op[op], def->op[op], &first);
			continue;
		}
		if (op == VARIABLE_LENGTH_CMD) {
			for (sa = 0; sa < SCSI_SGIO_NR_VL_SA; sa++)
				if (t.vl[sa] || def->vl[sa])
					show_entry(class, op, sa, t.vl[sa], def->vl[sa], &first);
			continue;
		}
		{
			int i = scsi_sgio_sa_index(op);

			for (sa = 0; sa < SCSI_SGIO_NR_SA; sa++)
				if (t.sa[i][sa] || def->sa[i][sa])
					show_entry(class, op, sa, t.sa[i][sa], def->sa[i][sa], &first);
		}
	}
	if (json)
		printf("]}\n");
	return 0;
}

static int edit(int class, const char *file, const char *line)
{
	char path[PATH_MAX];
	int err;

	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/%s", scsi_sgio_class_name(class), file);
	err = write_text(path, line);
	if (err) {
		error("Failed to write \"%s\" to %s: %s", line, path, strerror(-err));
		hint_errno(-err);
	}
	return err;
}

static int need_module(void)
{
	if (module_loaded())
		return 0;
	error("the sgfilter module is not loaded: the built-in tables cannot be changed");
	hint("modprobe sgfilter");
	return 1;
}

static int cmd_allow_deny(int argc, char **argv, bool allow)
{
	const char *perm = NULL;
	int class, i, op, sa, nlines;
	char lines[32][64], key[24];

	if (argc < (allow ? 3 : 2))
		return EXIT_USAGE;
	class = parse_class(argv[0]);
	if (class < 0) {
		error("unknown class \"%s\"", argv[0]);
		return EXIT_USAGE;
	}
	if (allow) {
		perm = argv[1];
		if (strcmp(perm, "read") && strcmp(perm, "write"))
			return EXIT_USAGE;
	}
	/* every name first: a typo changes nothing */
	nlines = argc - (allow ? 2 : 1);
	if (nlines > (int)ARRAY_SIZE(lines))
		return EXIT_USAGE;
	for (i = 0; i < nlines; i++) {
		if (resolve(class, argv[i + (allow ? 2 : 1)], &op, &sa))
			return 1;
		if (sa >= 0 && !has_sa(class, op)) {
			error("%s: 0x%02x has no service actions in class %s",
			      argv[i + (allow ? 2 : 1)], op, scsi_sgio_class_name(class));
			return 1;
		}
		key_str(op, sa, key, sizeof(key));
		snprintf(lines[i], sizeof(lines[i]), "%s%s%s\n", key, perm ? " " : "",
			 perm ? perm : "");
	}
	if (need_module())
		return 1;
	for (i = 0; i < nlines; i++)
		if (edit(class, allow ? "allow" : "deny", lines[i]))
			return 1;
	return 0;
}

static int cmd_reset(int argc, char **argv)
{
	int class;

	if (argc > 1)
		return EXIT_USAGE;
	if (argc == 1 && parse_class(argv[0]) < 0) {
		error("unknown class \"%s\"", argv[0]);
		return EXIT_USAGE;
	}
	if (need_module())
		return 1;
	for (class = 0; class < SCSI_SGIO_NR_CLASSES; class++)
		if ((!argc || class == parse_class(argv[0])) && edit(class, "reset", "1\n"))
			return 1;
	return 0;
}

static bool has_rawio(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	return !syscall(SYS_capget, &hdr, data) &&
	       (data[0].effective & (1u << CAP_SYS_RAWIO));
}

/* The decision rule, as the kernel applies it; writes the reason */
static bool decide(bool rawio, bool writer, bool sg_node, int unpriv,
		   const struct scsi_sgio_table *t, int class, int op, int sa,
		   char *why, size_t size)
{
	u8 cdb[32] = { op };
	enum scsi_sgio_perm perm;
	char key[24];

	if (rawio) {
		snprintf(why, size, "CAP_SYS_RAWIO allows every command");
		return true;
	}
	if (sg_node && writer) {
		snprintf(why, size, "sg does not filter files open for writing");
		return true;
	}
	if (writer && unpriv == 1) {
		snprintf(why, size, "unpriv_sgio is set and the file is open for writing");
		return true;
	}
	if (sa >= 0 && op == VARIABLE_LENGTH_CMD) {
		cdb[8] = sa >> 8;
		cdb[9] = sa;
	} else if (sa >= 0) {
		cdb[1] = sa;
	}
	perm = scsi_sgio_lookup(t, cdb, sizeof(cdb));
	/* cmd_check() made sure an opcode keyed by service action has one */
	key_str(op, t->op[op] == SCSI_SGIO_BY_SA ? sa : -1, key, sizeof(key));
	switch (perm) {
	case SCSI_SGIO_READ:
		snprintf(why, size, "the %s table allows %s to every opener",
			 scsi_sgio_class_name(class), key);
		return true;
	case SCSI_SGIO_WRITE:
		snprintf(why, size, "the %s table allows %s to openers with write access%s",
			 scsi_sgio_class_name(class), key, writer ? "" : " only");
		return writer;
	default:
		snprintf(why, size, "the %s table has no entry for %s",
			 scsi_sgio_class_name(class), key);
		return false;
	}
}

static int cmd_check(int argc, char **argv)
{
	bool writer = true, rawio = has_rawio(), sg_node, mine, user;
	char hctl[64], why_mine[160], why_user[160], name[96];
	struct scsi_sgio_table t;
	const char *dev = NULL, *cmd = NULL;
	int class, op, sa, unpriv, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--read-only"))
			writer = false;
		else if (!dev)
			dev = argv[i];
		else if (!cmd)
			cmd = argv[i];
		else
			return EXIT_USAGE;
	}
	if (!dev || !cmd)
		return EXIT_USAGE;
	if (resolve_device(dev, hctl, sizeof(hctl)))
		return 1;
	class = device_class(hctl);
	if (resolve(class, cmd, &op, &sa) || current_table(class, &t))
		return 1;
	if (sa < 0 && t.op[op] == SCSI_SGIO_BY_SA) {
		error("0x%02x has service actions in class %s: say which (0x%02x/SA)",
		      op, scsi_sgio_class_name(class), op);
		return EXIT_USAGE;
	}
	unpriv = device_unpriv(hctl);
	sg_node = !strncmp(dev, "/dev/sg", 7);
	mine = decide(rawio, writer, sg_node, unpriv, &t, class, op, sa, why_mine, sizeof(why_mine));
	user = decide(false, writer, sg_node, unpriv, &t, class, op, sa, why_user, sizeof(why_user));
	opcode_name(class, op, sa, name, sizeof(name));
	if (json) {
		printf("{\"device\": \"%s\", \"class\": \"%s\", \"opcode\": %d, \"sa\": %d, \"name\": ",
		       hctl, scsi_sgio_class_name(class), op, sa);
		json_str(name);
		printf(", \"open\": \"%s\", \"you\": {\"allowed\": %s, \"why\": ",
		       writer ? "read-write" : "read-only", mine ? "true" : "false");
		json_str(why_mine);
		printf("}, \"unprivileged\": {\"allowed\": %s, \"why\": ", user ? "true" : "false");
		json_str(why_user);
		printf("}}\n");
	} else {
		printf("%s (%s), %s, file open %s\n", hctl, scsi_sgio_class_name(class), name,
		       writer ? "read-write" : "read-only");
		printf("  you:                 %s: %s\n", mine ? "allowed" : "denied", why_mine);
		printf("  an unprivileged user: %s: %s\n", user ? "allowed" : "denied", why_user);
	}
	return 0;
}

static int cmd_stats(void)
{
	char path[PATH_MAX], buf[8192];
	int c;

	if (!module_loaded()) {
		error("the sgfilter module is not loaded: no counters");
		hint("modprobe sgfilter");
		return 1;
	}
	if (json)
		printf("{");
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		const char *name = scsi_sgio_class_name(c);
		long allowed, denied;
		char *line, *save;
		bool first = true;

		sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/allowed", name);
		allowed = read_text(path, buf, sizeof(buf)) ? -1 : atol(buf);
		sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/denied", name);
		denied = read_text(path, buf, sizeof(buf)) ? -1 : atol(buf);
		sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/denied_opcodes", name);
		if (read_text(path, buf, sizeof(buf)))
			buf[0] = '\0';
		if (json)
			printf("%s\"%s\": {\"allowed\": %ld, \"denied\": %ld, \"denied_opcodes\": {",
			       c ? ", " : "", name, allowed, denied);
		else
			printf("%-10s allowed %ld, denied %ld\n", name, allowed, denied);
		for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
			unsigned int op;
			long n;
			char opname[96];

			if (sscanf(line, "0x%x %ld", &op, &n) != 2)
				continue;
			opcode_name(c, op, -1, opname, sizeof(opname));
			if (json)
				printf("%s\"0x%02x\": %ld", first ? "" : ", ", op, n);
			else
				printf("           0x%02x %-40s %ld\n", op, opname, n);
			first = false;
		}
		if (json)
			printf("}}");
	}
	if (json)
		printf("}\n");
	return 0;
}

/* "unpriv WWN on" for each device with the flag set, by its WWN */
static void save_unpriv(FILE *f)
{
	char path[PATH_MAX], wwid[256];
	struct dirent *de;
	DIR *d;

	sysfs_path(path, sizeof(path), "bus/scsi/devices");
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (!strchr(de->d_name, ':') || device_unpriv(de->d_name) != 1)
			continue;
		device_wwid(de->d_name, wwid, sizeof(wwid));
		if (wwid[0])
			fprintf(f, "unpriv %s on\n", wwid);
		else
			fprintf(f, "# %s has unpriv_sgio set but no WWN: not saved\n",
				de->d_name);
	}
	if (d)
		closedir(d);
}

/*
 * The policy file: "CLASS OPCODE[/SA] read|write" per line, '#' comments,
 * blank lines, and "unpriv WWN on|off" per device. A class that appears in
 * the file gets exactly the file's entries; the others are left alone.
 */
static int cmd_save(int argc, char **argv)
{
	static char text[65536];
	struct scsi_sgio_table t;
	char *line, *save;
	FILE *f;
	int c;

	if (argc != 1)
		return EXIT_USAGE;
	f = strcmp(argv[0], "-") ? fopen(argv[0], "w") : stdout;
	if (!f) {
		error("Failed to open \"%s\": %s", argv[0], strerror(errno));
		return 1;
	}
	fprintf(f, "# sgfilter policy, written by sgfilterctl save; see sgfilterctl(8)\n");
	save_unpriv(f);
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		if (current_table(c, &t))
			return 1;
		sgf_table_format(&t, text, sizeof(text));
		fprintf(f, "\n");
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			fprintf(f, "%s %s\n", scsi_sgio_class_name(c), line);
	}
	if (f != stdout && fclose(f)) {
		error("Failed to write \"%s\": %s", argv[0], strerror(errno));
		return 1;
	}
	return 0;
}

/* Per-device settings of a policy file: "unpriv ID on|off" */
struct unpriv_line {
	char id[200];
	bool on;
};

#define MAX_UNPRIV 64

/*
 * Parse a policy file into tables and per-device settings; 0, or 1 with a
 * FILE:LINE message. @tables/@present may be NULL to read only the latter.
 */
static int parse_policy(const char *file, struct scsi_sgio_table *tables, bool *present,
			struct unpriv_line *unpriv, int *nr_unpriv)
{
	char line[256];
	int no = 0, c;
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;

	if (!f) {
		error("Failed to open \"%s\": %s", file, strerror(errno));
		return 1;
	}
	for (c = 0; tables && c < SCSI_SGIO_NR_CLASSES; c++) {
		empty_table(c, &tables[c]);
		present[c] = false;
	}
	while (fgets(line, sizeof(line), f)) {
		char cls[32], id[200], state[8], extra[2], *rest, *p = line;
		struct sgf_entry e;
		size_t len;

		no++;
		line[strcspn(line, "#")] = '\0';
		while (isspace((unsigned char)*p))
			p++;
		len = strlen(p);
		while (len && isspace((unsigned char)p[len - 1]))
			p[--len] = '\0';
		if (!*p)
			continue;
		if (!strncmp(p, "unpriv ", 7)) {
			if (sscanf(p + 7, "%199s %7s %1s", id, state, extra) != 2 ||
			    (strcmp(state, "on") && strcmp(state, "off"))) {
				error("%s:%d: expected \"unpriv WWN|/dev/disk/by-id/... on|off\"",
				      file, no);
				goto out_error;
			}
			if (*nr_unpriv == MAX_UNPRIV) {
				error("%s:%d: more than %d device lines", file, no, MAX_UNPRIV);
				goto out_error;
			}
			snprintf(unpriv[*nr_unpriv].id, sizeof(unpriv[0].id), "%s", id);
			unpriv[(*nr_unpriv)++].on = !strcmp(state, "on");
			continue;
		}
		rest = strchr(p, ' ');
		if (!rest || sscanf(p, "%31s", cls) != 1 || (c = parse_class(cls)) < 0) {
			error("%s:%d: expected \"CLASS OPCODE[/SA] read|write\" or \"unpriv ID on|off\"",
			      file, no);
			goto out_error;
		}
		while (*rest == ' ')
			rest++;
		if (sgf_parse_entry(rest, strlen(rest), true, &e) ||
		    sgf_table_apply(&tables[c], &e)) {
			error("%s:%d: \"%s\" is no valid entry for class %s", file, no, rest, cls);
			goto out_error;
		}
		present[c] = true;
	}
	if (f != stdin)
		fclose(f);
	return 0;
out_error:
	if (f != stdin)
		fclose(f);
	return 1;
}

/* Apply the per-device settings to @only (an H:C:T:L), or to every device */
static int apply_unpriv(const struct unpriv_line *unpriv, int nr, const char *only)
{
	char path[PATH_MAX];
	struct dirent *de;
	int i, ret = 0;
	DIR *d;

	sysfs_path(path, sizeof(path), "bus/scsi/devices");
	d = opendir(path);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		if (!strchr(de->d_name, ':') || (only && strcmp(only, de->d_name)))
			continue;
		for (i = 0; i < nr; i++)
			if (id_matches(unpriv[i].id, de->d_name) &&
			    set_unpriv(de->d_name, unpriv[i].on))
				ret = 1;
	}
	closedir(d);
	return ret;
}

static int cmd_load(int argc, char **argv)
{
	struct scsi_sgio_table tables[SCSI_SGIO_NR_CLASSES];
	struct unpriv_line unpriv[MAX_UNPRIV];
	bool present[SCSI_SGIO_NR_CLASSES], any = false;
	static char text[65536];
	char path[PATH_MAX];
	int c, err, nr_unpriv = 0;

	if (argc != 1)
		return EXIT_USAGE;
	if (parse_policy(argv[0], tables, present, unpriv, &nr_unpriv))
		return 1;
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		any |= present[c];
	if (any && need_module())
		return 1;
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		if (!present[c])
			continue;
		sgf_table_format(&tables[c], text, sizeof(text));
		/* one write: the module swaps the whole class table at once */
		sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/load", scsi_sgio_class_name(c));
		err = write_text(path, text[0] ? text : "\n");
		if (err) {
			error("Failed to load class %s into %s: %s", scsi_sgio_class_name(c), path,
			      strerror(-err));
			hint_errno(-err);
			return 1;
		}
	}
	return apply_unpriv(unpriv, nr_unpriv, NULL);
}

/* For the udev rule: apply the device lines of /etc/sgfilter/NAME.conf */
static int cmd_apply_device(int argc, char **argv)
{
	const char *dir = getenv("SGFILTER_CONF_DIR") ?: "/etc/sgfilter";
	struct unpriv_line unpriv[MAX_UNPRIV];
	char hctl[64], file[PATH_MAX];
	int nr = 0, ret = 0;
	struct dirent *de;
	DIR *d;

	if (argc != 1)
		return EXIT_USAGE;
	if (resolve_device(argv[0], hctl, sizeof(hctl)))
		return 1;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);

		if (len < 6 || strcmp(de->d_name + len - 5, ".conf"))
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		/* tables are for sgfilter.service; only the device lines here */
		{
			struct scsi_sgio_table tables[SCSI_SGIO_NR_CLASSES];
			bool present[SCSI_SGIO_NR_CLASSES];

			if (parse_policy(file, tables, present, unpriv, &nr))
				ret = 1;
		}
	}
	closedir(d);
	return apply_unpriv(unpriv, nr, hctl) || ret;
}

#ifndef SGFILTERCTL_NO_MAIN	/* tests/fuzz links the parsers without it */
int main(int argc, char **argv)
{
	char *args[64];
	const char *env = getenv("SGFILTER_SYSFS");
	int i, n = 0, ret;

	if (env && *env)
		sysfs = env;
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json")) {
			json = true;
		} else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			usage(stdout);
			return 0;
		} else if (!strcmp(argv[i], "--version")) {
			printf("sgfilterctl %s\n", SGFILTERCTL_VERSION);
			return 0;
		} else if (n < (int)ARRAY_SIZE(args)) {
			args[n++] = argv[i];
		} else {
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	scsi_sgio_init_defaults();
	if (!n) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (!strcmp(args[0], "status") && n == 1)
		ret = cmd_status();
	else if (!strcmp(args[0], "unpriv"))
		ret = cmd_unpriv(n - 1, args + 1);
	else if (!strcmp(args[0], "show"))
		ret = cmd_show(n - 1, args + 1);
	else if (!strcmp(args[0], "allow"))
		ret = cmd_allow_deny(n - 1, args + 1, true);
	else if (!strcmp(args[0], "deny"))
		ret = cmd_allow_deny(n - 1, args + 1, false);
	else if (!strcmp(args[0], "reset"))
		ret = cmd_reset(n - 1, args + 1);
	else if (!strcmp(args[0], "check"))
		ret = cmd_check(n - 1, args + 1);
	else if (!strcmp(args[0], "stats") && n == 1)
		ret = cmd_stats();
	else if (!strcmp(args[0], "save"))
		ret = cmd_save(n - 1, args + 1);
	else if (!strcmp(args[0], "load"))
		ret = cmd_load(n - 1, args + 1);
	else if (!strcmp(args[0], "apply-device"))
		ret = cmd_apply_device(n - 1, args + 1);
	else
		ret = EXIT_USAGE;
	if (ret == EXIT_USAGE) {
		error("usage error in \"%s\"", args[0]);
		hint("sgfilterctl --help");
	}
	return ret;
}
#endif
