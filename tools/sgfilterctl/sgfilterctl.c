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
"  save FILE                       the tables in force, as a policy file\n"
"  load [--fail-closed] FILE       apply a policy file (--fail-closed: a class\n"
"                                  it cannot apply gets an empty table)\n"
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

/*
 * Read a whole file, however many read()s it takes (sysfs gives at most a
 * page per read), into a malloc'ed string; -errno
 */
static int read_all(const char *path, char **out)
{
	int fd = open(path, O_RDONLY), err = 0;
	size_t len = 0, size = 8192;
	char *buf = malloc(size), *bigger;
	ssize_t n;

	if (fd < 0 || !buf) {
		err = fd < 0 ? -errno : -ENOMEM;
		goto out;
	}
	for (;;) {
		if (size - len < 4096) {
			bigger = realloc(buf, size * 2);
			if (!bigger) {
				err = -ENOMEM;
				break;
			}
			buf = bigger;
			size *= 2;
		}
		n = read(fd, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			err = -errno;
		if (n <= 0)
			break;
		len += n;
	}
out:
	if (fd >= 0)
		close(fd);
	if (err) {
		free(buf);
		return err;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

/* Read a small file (a flag, a counter) into @buf, cut to @size; -errno */
static int read_text(const char *path, char *buf, size_t size)
{
	char *all;
	size_t len;
	int err = read_all(path, &all);

	if (err) {
		buf[0] = '\0';
		return err;
	}
	len = strlen(all);
	if (len > size - 1)
		len = size - 1;
	memcpy(buf, all, len);
	buf[len] = '\0';
	free(all);
	return 0;
}

/* One write() of all of @s; -errno (a short write is -EIO) */
static int write_text(const char *path, const char *s)
{
	int fd = open(path, O_WRONLY), ret = 0;
	size_t len = strlen(s);
	ssize_t n;

	if (fd < 0)
		return -errno;
	n = write(fd, s, len);
	if (n < 0)
		ret = -errno;
	else if ((size_t)n != len)
		ret = -EIO;
	if (close(fd) && !ret)
		ret = -errno;
	return ret;
}

/* The most the kernel takes in one sysfs write: a page */
static size_t page_size(void)
{
	long n = sysconf(_SC_PAGESIZE);

	return n > 0 ? n : 4096;
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

#define TABLE_READ_TRIES 5

/*
 * The module's listing of @class's table, whole and of one version: the
 * listing can be longer than a page, and each read() of it lists the table
 * anew, so a change between two reads would give a torn listing. The
 * class's generation changes with every change of its table: read it
 * before and after, and read again if it moved. Without a generation file
 * (an older module), one read. A malloc'ed string, or -errno with a message.
 */
static int read_table_text(int class, char **out)
{
	const char *name = scsi_sgio_class_name(class);
	char path[PATH_MAX], gpath[PATH_MAX], before[32], after[32];
	char *text;
	int try, err;
	bool gen;

	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/table", name);
	sysfs_path(gpath, sizeof(gpath), "kernel/sgfilter/%s/generation", name);
	for (try = 0; try < TABLE_READ_TRIES; try++) {
		gen = !read_text(gpath, before, sizeof(before));
		err = read_all(path, &text);
		if (err) {
			error("Failed to read \"%s\": %s", path, strerror(-err));
			return err;
		}
		if (!gen) {
			*out = text;
			return 0;
		}
		if (!read_text(gpath, after, sizeof(after)) && !strcmp(before, after)) {
			*out = text;
			return 0;
		}
		free(text);
	}
	error("the %s table changed while it was being read, %d times in a row (%s)",
	      name, TABLE_READ_TRIES, gpath);
	hint("is something editing the %s table in a loop? Try again", name);
	return -EAGAIN;
}

/* The table in force for @class: the module's, or the built-in one */
static int current_table(int class, struct scsi_sgio_table *t)
{
	char path[PATH_MAX], *text;
	int err;

	if (!module_loaded()) {
		*t = *scsi_sgio_default_table(class);
		return 0;
	}
	err = read_table_text(class, &text);
	if (err)
		return err;
	empty_table(class, t);
	err = sgf_table_load(t, text, strlen(text));
	free(text);
	if (err) {
		sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/table",
			   scsi_sgio_class_name(class));
		error("\"%s\" does not parse (line %d)", path, err);
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

/* What kind of node a DEVICE argument is: sg and st decide on their own */
enum node_kind {
	NODE_NONE,	/* given as H:C:T:L: no node */
	NODE_BLOCK,	/* sd, sr */
	NODE_SG,	/* sg: filters read-only openers only, never scanners */
	NODE_BSG,
	NODE_ST,	/* st: SG_IO only with CAP_SYS_RAWIO */
	NODE_CHAR,	/* another SCSI char device (ch) */
};

#ifndef SCSI_GENERIC_MAJOR
#define SCSI_GENERIC_MAJOR	21
#endif
#ifndef SCSI_TAPE_MAJOR
#define SCSI_TAPE_MAJOR		9
#endif

/*
 * The kind of a SCSI char device, by its number: sg and st have fixed
 * majors; bsg's is dynamic, so ask sysfs which class the number belongs to
 * (/sys/dev/char/M:m/subsystem).
 */
static enum node_kind char_kind(const struct stat *st)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	if (major(st->st_rdev) == SCSI_GENERIC_MAJOR)
		return NODE_SG;
	if (major(st->st_rdev) == SCSI_TAPE_MAJOR)
		return NODE_ST;
	sysfs_path(path, sizeof(path), "dev/char/%u:%u/subsystem", major(st->st_rdev),
		   minor(st->st_rdev));
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return NODE_CHAR;
	link[n] = '\0';
	base = strrchr(link, '/') ? strrchr(link, '/') + 1 : link;
	if (!strcmp(base, "bsg"))
		return NODE_BSG;
	if (!strcmp(base, "scsi_generic"))
		return NODE_SG;
	if (!strcmp(base, "scsi_tape"))
		return NODE_ST;
	return NODE_CHAR;
}

/*
 * H:C:T:L of a device given as H:C:T:L or as a node (block, sg or bsg, or a
 * link to one), and the kind of node (@kind may be NULL). The node is
 * known by its device number, never by its name. 0 or -errno, with a
 * message.
 */
static int resolve_device(const char *arg, char *hctl, size_t size, enum node_kind *kind)
{
	char real[PATH_MAX], path[PATH_MAX], link[PATH_MAX], part[PATH_MAX + 16];
	unsigned int h, c, t, l;
	struct stat st;
	ssize_t n;
	char end;

	if (kind)
		*kind = NODE_NONE;
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
	if (kind)
		*kind = S_ISBLK(st.st_mode) ? NODE_BLOCK : char_kind(&st);
	sysfs_path(path, sizeof(path), "dev/%s/%u:%u", S_ISBLK(st.st_mode) ? "block" : "char",
		   major(st.st_rdev), minor(st.st_rdev));
	/* a partition: its disk is the parent directory */
	snprintf(part, sizeof(part), "%s/partition", path);
	if (!access(part, F_OK))
		strncat(path, "/..", sizeof(path) - strlen(path) - 1);
	strncat(path, "/device", sizeof(path) - strlen(path) - 1);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0 || sscanf(strrchr((link[n] = '\0', link), '/') ? strrchr(link, '/') + 1 : link,
			    "%u:%u:%u:%u%c", &h, &c, &t, &l, &end) != 4) {
		error("\"%s\" is not a SCSI device", arg);
		return -ENODEV;
	}
	snprintf(hctl, size, "%u:%u:%u:%u", h, c, t, l);
	return 0;
}

/* The peripheral device type (0 disk, 5 CD-ROM, 6 scanner...), or -1 */
static int device_type(const char *hctl)
{
	char path[PATH_MAX], buf[16];

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/type", hctl);
	if (read_text(path, buf, sizeof(buf)) || !isdigit((unsigned char)buf[0]))
		return -1;
	return atoi(buf);
}

static int device_class(const char *hctl)
{
	int type = device_type(hctl);

	return type < 0 ? SCSI_SGIO_OTHER : scsi_sgio_class(type);
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

/* The longest device ID: the kernel's wwid attribute is at most a page */
#define ID_MAX	4096

/*
 * The device's WWID as the kernel reports it in /sys/.../device/wwid
 * ("naa.6001405...", "t10.ATA     QEMU HARDDISK   QM00001"), or "". Only
 * the newline is cut: spaces are part of it.
 */
static void device_wwid(const char *hctl, char *buf, size_t size)
{
	char path[PATH_MAX];

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/wwid", hctl);
	if (read_text(path, buf, size))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

/*
 * A device ID in a policy file is one field: bytes that would end or break
 * it (whitespace, control and non-ASCII bytes, '#', which starts a comment,
 * and '%' itself) are written as %XX, in hexadecimal.
 */
static bool id_byte_escaped(unsigned char c)
{
	return c <= ' ' || c >= 0x7f || c == '#' || c == '%';
}

static void encode_id(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in && n + 4 <= size; in++) {
		unsigned char c = *in;

		if (id_byte_escaped(c))
			n += snprintf(out + n, size - n, "%%%02X", c);
		else
			out[n++] = c;
	}
	out[n] = '\0';
}

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' :
	       c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}

/* The inverse of encode_id(); -EINVAL on a bad %XX or %00, -E2BIG */
static int decode_id(const char *in, char *out, size_t size)
{
	size_t n = 0;

	for (; *in; in++) {
		int c = (unsigned char)*in;

		if (c == '%') {
			int hi = hex_digit(in[1]), lo = hi < 0 ? -1 : hex_digit(in[2]);

			if (lo < 0 || (hi | lo) == 0)
				return -EINVAL;
			c = hi << 4 | lo;
			in += 2;
		}
		if (n + 1 >= size)
			return -E2BIG;
		out[n++] = c;
	}
	out[n] = '\0';
	return 0;
}

/*
 * Does a policy file's device ID name this device? IDs are the kernel's
 * WWID ("naa.6001405..."), udev's by-id form of it ("wwn-0x6001405..."), or
 * a /dev path (a by-id link, say) that leads to the device.
 */
static bool id_matches(const char *id, const char *hctl)
{
	char wwid[ID_MAX], other[64];

	device_wwid(hctl, wwid, sizeof(wwid));
	if (wwid[0] && !strcasecmp(id, wwid))
		return true;
	if (!strncmp(wwid, "naa.", 4) && !strncasecmp(id, "wwn-0x", 6) &&
	    !strcasecmp(id + 6, wwid + 4))
		return true;
	if (id[0] == '/' && !access(id, F_OK) &&
	    !resolve_device(id, other, sizeof(other), NULL) && !strcmp(other, hctl))
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
	if (resolve_device(argv[0], hctl, sizeof(hctl), NULL))
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

/* What the node and the device decide before any table */
struct check_ctx {
	bool writer;
	enum node_kind node;
	int type;	/* peripheral device type */
	int unpriv;	/* the device's unpriv_sgio: 0, 1 or -errno */
	int class;
};

/* The permission @t gives OPCODE/SA (SA -1: the opcode has none) */
static enum scsi_sgio_perm table_perm(const struct scsi_sgio_table *t, int op, int sa)
{
	u8 cdb[32] = { op };

	if (sa >= 0 && op == VARIABLE_LENGTH_CMD) {
		cdb[8] = sa >> 8;
		cdb[9] = sa;
	} else if (sa >= 0) {
		cdb[1] = sa;
	}
	return scsi_sgio_lookup(t, cdb, sizeof(cdb));
}

/*
 * The decision rule, as the kernel applies it, for a command that the
 * table gives @perm (@what names it: "0x42", "0x5f/0x00"); writes the
 * reason
 */
static bool decide(bool rawio, const struct check_ctx *x, enum scsi_sgio_perm perm,
		   const char *what, char *why, size_t size)
{
	const char *class = scsi_sgio_class_name(x->class);

	if (rawio) {
		snprintf(why, size, "CAP_SYS_RAWIO allows every command");
		return true;
	}
	if (x->node == NODE_ST) {
		snprintf(why, size, "st sends no command without CAP_SYS_RAWIO");
		return false;
	}
	if (x->node == NODE_SG && x->writer) {
		snprintf(why, size, "sg does not filter files open for writing");
		return true;
	}
	if (x->node == NODE_SG && x->type == TYPE_SCANNER) {
		snprintf(why, size, "sg does not filter scanners (device type 6)");
		return true;
	}
	if (x->writer && x->unpriv == 1) {
		snprintf(why, size, "unpriv_sgio is set and the file is open for writing");
		return true;
	}
	switch (perm) {
	case SCSI_SGIO_READ:
		snprintf(why, size, "the %s table allows %s to every opener", class, what);
		return true;
	case SCSI_SGIO_WRITE:
		snprintf(why, size, "the %s table allows %s to openers with write access%s",
			 class, what, x->writer ? "" : " only");
		return x->writer;
	default:
		snprintf(why, size, "the %s table has no entry for %s", class, what);
		return false;
	}
}

struct verdict {
	bool mine, user;
	char why_mine[160], why_user[160];
};

static void verdict(bool rawio, const struct check_ctx *x, enum scsi_sgio_perm perm,
		    const char *what, struct verdict *v)
{
	v->mine = decide(rawio, x, perm, what, v->why_mine, sizeof(v->why_mine));
	v->user = decide(false, x, perm, what, v->why_user, sizeof(v->why_user));
}

static void print_verdict(const struct verdict *v, const char *indent)
{
	if (json) {
		printf("\"you\": {\"allowed\": %s, \"why\": ", v->mine ? "true" : "false");
		json_str(v->why_mine);
		printf("}, \"unprivileged\": {\"allowed\": %s, \"why\": ",
		       v->user ? "true" : "false");
		json_str(v->why_user);
		printf("}");
	} else {
		printf("%syou:                 %s: %s\n", indent, v->mine ? "allowed" : "denied",
		       v->why_mine);
		printf("%san unprivileged user: %s: %s\n", indent, v->user ? "allowed" : "denied",
		       v->why_user);
	}
}

/* Is SA of @op one that libsgutils2 has a name for? */
static bool sa_named(int class, int op, int sa)
{
	char name[96];

	opcode_name(class, op, sa, name, sizeof(name));
	return !strstr(name, "service action=") && !strstr(name, "Vendor specific");
}

/*
 * check DEVICE OPCODE, for an opcode that the table keys by service action:
 * one verdict for the opcode when every service action gets the same, else
 * one per service action that libsgutils2 names or either table lists.
 */
static void check_each_sa(bool rawio, const struct check_ctx *x, const struct scsi_sgio_table *t,
			  int op, const char *hctl, const char *name)
{
	const struct scsi_sgio_table *def = scsi_sgio_default_table(x->class);
	int nr = op == VARIABLE_LENGTH_CMD ? SCSI_SGIO_NR_VL_SA : SCSI_SGIO_NR_SA;
	enum scsi_sgio_perm first = table_perm(t, op, 0);
	const char *open = x->writer ? "read-write" : "read-only";
	const char *class = scsi_sgio_class_name(x->class);
	bool uniform = true, any = false;
	char what[48], key[24], saname[96];
	struct verdict v;
	int sa;

	for (sa = 1; sa < nr; sa++)
		if (table_perm(t, op, sa) != first)
			uniform = false;
	if (uniform) {
		snprintf(what, sizeof(what), "any service action of 0x%02x", op);
		verdict(rawio, x, first, what, &v);
		if (json) {
			printf("{\"device\": \"%s\", \"class\": \"%s\", \"opcode\": %d, "
			       "\"sa\": -1, \"name\": ", hctl, class, op);
			json_str(name);
			printf(", \"open\": \"%s\", ", open);
			print_verdict(&v, "");
			printf("}\n");
		} else {
			printf("%s (%s), %s (every service action), file open %s\n", hctl, class,
			       name, open);
			print_verdict(&v, "  ");
		}
		return;
	}
	if (json) {
		printf("{\"device\": \"%s\", \"class\": \"%s\", \"opcode\": %d, \"sa\": -1, "
		       "\"name\": ", hctl, class, op);
		json_str(name);
		printf(", \"open\": \"%s\", \"service_actions\": [", open);
	} else {
		printf("%s (%s), %s, file open %s: the verdict depends on the service action\n",
		       hctl, class, name, open);
	}
	for (sa = 0; sa < nr; sa++) {
		enum scsi_sgio_perm perm = table_perm(t, op, sa);

		if (!sa_named(x->class, op, sa) && !perm && !table_perm(def, op, sa))
			continue;
		key_str(op, sa, key, sizeof(key));
		opcode_name(x->class, op, sa, saname, sizeof(saname));
		verdict(rawio, x, perm, key, &v);
		if (json) {
			printf("%s{\"sa\": %d, \"key\": \"%s\", \"name\": ", any ? ", " : "",
			       sa, key);
			json_str(saname);
			printf(", ");
			print_verdict(&v, "");
			printf("}");
		} else {
			printf("  %s %s\n", key, saname);
			print_verdict(&v, "    ");
		}
		any = true;
	}
	if (json)
		printf("]}\n");
}

static int cmd_check(int argc, char **argv)
{
	bool rawio = has_rawio();
	struct check_ctx x = { .writer = true };
	char hctl[64], name[96], key[24];
	struct scsi_sgio_table t;
	const char *dev = NULL, *cmd = NULL;
	const char *open;
	struct verdict v;
	int op, sa, i;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--read-only"))
			x.writer = false;
		else if (!dev)
			dev = argv[i];
		else if (!cmd)
			cmd = argv[i];
		else
			return EXIT_USAGE;
	}
	if (!dev || !cmd)
		return EXIT_USAGE;
	if (resolve_device(dev, hctl, sizeof(hctl), &x.node))
		return 1;
	x.type = device_type(hctl);
	x.class = device_class(hctl);
	if (resolve(x.class, cmd, &op, &sa) || current_table(x.class, &t))
		return 1;
	x.unpriv = device_unpriv(hctl);
	opcode_name(x.class, op, sa, name, sizeof(name));
	if (sa < 0 && t.op[op] == SCSI_SGIO_BY_SA) {
		check_each_sa(rawio, &x, &t, op, hctl, name);
		return 0;
	}
	key_str(op, t.op[op] == SCSI_SGIO_BY_SA ? sa : -1, key, sizeof(key));
	verdict(rawio, &x, table_perm(&t, op, sa), key, &v);
	open = x.writer ? "read-write" : "read-only";
	if (json) {
		printf("{\"device\": \"%s\", \"class\": \"%s\", \"opcode\": %d, \"sa\": %d, \"name\": ",
		       hctl, scsi_sgio_class_name(x.class), op, sa);
		json_str(name);
		printf(", \"open\": \"%s\", ", open);
		print_verdict(&v, "");
		printf("}\n");
	} else {
		printf("%s (%s), %s, file open %s\n", hctl, scsi_sgio_class_name(x.class), name, open);
		print_verdict(&v, "  ");
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
	/* The counters are root's (mode 0400): say so before printing half */
	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/allowed",
		   scsi_sgio_class_name(0));
	if (access(path, R_OK)) {
		int err = errno;

		error("Failed to read \"%s\": %s", path, strerror(err));
		if (err == EACCES)
			hint("the counters are readable by root only: they tell one user about others' activity");
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

/* "unpriv WWID on" for each device with the flag set, by its WWID */
static void save_unpriv(FILE *f)
{
	char path[PATH_MAX], wwid[ID_MAX], enc[3 * ID_MAX];
	struct dirent *de;
	DIR *d;

	sysfs_path(path, sizeof(path), "bus/scsi/devices");
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (!strchr(de->d_name, ':') || device_unpriv(de->d_name) != 1)
			continue;
		device_wwid(de->d_name, wwid, sizeof(wwid));
		encode_id(wwid, enc, sizeof(enc));
		if (wwid[0])
			fprintf(f, "unpriv %s on\n", enc);
		else
			fprintf(f, "# %s has unpriv_sgio set but no WWN: not saved\n",
				de->d_name);
	}
	if (d)
		closedir(d);
}

/*
 * Replace @file by @len bytes at @buf, atomically: a temporary file in the
 * same directory, written and synced, then renamed over @file. On failure
 * the temporary file goes and @file is as it was. A symbolic link is
 * followed: the file it names is replaced. 0, or 1 with a message.
 */
static int write_file_atomic(const char *file, const char *buf, size_t len)
{
	char target[PATH_MAX], tmp[2 * PATH_MAX + 16], dir[PATH_MAX];
	const char *base, *what = "write";
	struct stat st;
	size_t done = 0;
	int fd, dfd, err = 0;
	mode_t mask;

	if (!lstat(file, &st) && S_ISLNK(st.st_mode)) {
		if (!realpath(file, target)) {
			error("Failed to follow the link \"%s\": %s", file, strerror(errno));
			return 1;
		}
	} else {
		snprintf(target, sizeof(target), "%s", file);
	}
	base = strrchr(target, '/');
	if (base)
		snprintf(dir, sizeof(dir), "%.*s", base == target ? 1 : (int)(base - target), target);
	else
		snprintf(dir, sizeof(dir), ".");
	base = base ? base + 1 : target;
	if (snprintf(tmp, sizeof(tmp), "%s/.%s.XXXXXX", dir, base) >= (int)sizeof(tmp)) {
		error("Failed to write \"%s\": %s", file, strerror(ENAMETOOLONG));
		return 1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		error("Failed to write \"%s\": cannot create a temporary file in \"%s\": %s",
		      file, dir, strerror(errno));
		if (errno == EACCES || errno == EPERM || errno == EROFS)
			hint("save writes a new file next to \"%s\" and renames it: the directory "
			     "must be writable", file);
		return 1;
	}
	/* the old file's mode and owner, or a new file's usual mode */
	if (!stat(target, &st)) {
		if (fchmod(fd, st.st_mode & 07777) || (fchown(fd, st.st_uid, st.st_gid) && errno != EPERM))
			err = errno, what = "set the mode of";
	} else {
		mask = umask(0);
		umask(mask);
		if (fchmod(fd, 0666 & ~mask))
			err = errno, what = "set the mode of";
	}
	while (!err && done < len) {
		ssize_t n = write(fd, buf + done, len - done);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			err = n < 0 ? errno : EIO;
		else
			done += n;
	}
	if (!err && fsync(fd))
		err = errno, what = "sync";
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, target))
		err = errno, what = "replace";
	if (err) {
		unlink(tmp);
		error("Failed to %s \"%s\": %s; the old file is unchanged", what, file,
		      strerror(err));
		return 1;
	}
	/* the rename itself on disk */
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	if (dfd >= 0) {
		fsync(dfd);
		close(dfd);
	}
	return 0;
}

/*
 * The policy file: "CLASS OPCODE[/SA] read|write" per line, '#' comments,
 * blank lines, and "unpriv ID on|off" per device (ID %XX-encoded, see
 * encode_id()). A class that appears in the file gets exactly the file's
 * entries; the others are left alone.
 */
static int cmd_save(int argc, char **argv)
{
	struct scsi_sgio_table t;
	char *text, *line, *save, *out = NULL;
	size_t size = 0, len;
	FILE *f;
	int c, ret = 1;

	if (argc != 1)
		return EXIT_USAGE;
	/* all of it in memory first: a failure leaves the file alone */
	f = open_memstream(&out, &size);
	if (!f) {
		error("Failed to save the policy: %s", strerror(errno));
		return 1;
	}
	fprintf(f, "# sgfilter policy, written by sgfilterctl save; see sgfilterctl(8)\n");
	save_unpriv(f);
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		if (current_table(c, &t))
			goto out;
		len = sgf_table_format(&t, NULL, 0);
		text = malloc(len + 1);
		if (!text)
			goto out;
		sgf_table_format(&t, text, len + 1);
		fprintf(f, "\n");
		for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
			fprintf(f, "%s %s\n", scsi_sgio_class_name(c), line);
		free(text);
	}
	if (fclose(f)) {
		f = NULL;
		error("Failed to save the policy: %s", strerror(errno));
		goto out;
	}
	f = NULL;
	if (!strcmp(argv[0], "-"))
		ret = fwrite(out, 1, size, stdout) != size || fflush(stdout);
	else
		ret = write_file_atomic(argv[0], out, size);
	if (ret && !strcmp(argv[0], "-"))
		error("Failed to write the policy to standard output: %s", strerror(errno));
out:
	if (f)
		fclose(f);
	free(out);
	return ret;
}

/* Per-device settings of a policy file: "unpriv ID on|off", ID decoded */
struct unpriv_line {
	char id[ID_MAX];
	bool on;
};

#define MAX_UNPRIV 64

/* Split @p at whitespace into at most @max fields; the number found */
static int split_fields(char *p, char **field, int max)
{
	int n = 0;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return n;
		if (n == max)
			return n + 1;
		field[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
}

/*
 * Parse a policy file into tables and per-device settings; 0, or 1 with a
 * FILE:LINE message. Lines may be of any length. @tables/@present may be
 * NULL to read only the latter.
 */
static int parse_policy(const char *file, struct scsi_sgio_table *tables, bool *present,
			struct unpriv_line *unpriv, int *nr_unpriv)
{
	char *line = NULL, *p, *field[4];
	size_t cap = 0;
	ssize_t got;
	int no = 0, c, nf;
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;

	if (!f) {
		error("Failed to open \"%s\": %s", file, strerror(errno));
		return 1;
	}
	for (c = 0; tables && c < SCSI_SGIO_NR_CLASSES; c++) {
		empty_table(c, &tables[c]);
		present[c] = false;
	}
	while ((got = getline(&line, &cap, f)) >= 0) {
		struct sgf_entry e;
		char *rest;
		size_t len;

		no++;
		if (memchr(line, '\0', got)) {
			error("%s:%d: a NUL byte: a policy file is text", file, no);
			goto out_error;
		}
		line[strcspn(line, "#")] = '\0';
		p = line;
		while (isspace((unsigned char)*p))
			p++;
		len = strlen(p);
		while (len && isspace((unsigned char)p[len - 1]))
			p[--len] = '\0';
		if (!*p)
			continue;
		if (!strncmp(p, "unpriv", 6) && (!p[6] || isspace((unsigned char)p[6]))) {
			struct unpriv_line *u = &unpriv[*nr_unpriv];

			nf = split_fields(p, field, 4);
			if (nf != 3 || (strcmp(field[2], "on") && strcmp(field[2], "off"))) {
				error("%s:%d: expected \"unpriv WWID|/dev/disk/by-id/... on|off\"",
				      file, no);
				goto out_error;
			}
			if (*nr_unpriv == MAX_UNPRIV) {
				error("%s:%d: more than %d device lines", file, no, MAX_UNPRIV);
				goto out_error;
			}
			if (decode_id(field[1], u->id, sizeof(u->id))) {
				error("%s:%d: \"%.80s\" is no device ID: %% must start a %%XX escape "
				      "(two hex digits, not 00), and an ID has at most %d bytes",
				      file, no, field[1], ID_MAX - 1);
				goto out_error;
			}
			u->on = !strcmp(field[2], "on");
			(*nr_unpriv)++;
			continue;
		}
		rest = p + strcspn(p, " \t");
		if (!*rest) {
			error("%s:%d: expected \"CLASS OPCODE[/SA] read|write\" or \"unpriv ID on|off\"",
			      file, no);
			goto out_error;
		}
		*rest++ = '\0';
		c = parse_class(p);
		if (c < 0) {
			error("%s:%d: \"%.32s\" is no class; expected \"CLASS OPCODE[/SA] read|write\" "
			      "or \"unpriv ID on|off\"", file, no, p);
			goto out_error;
		}
		while (*rest == ' ' || *rest == '\t')
			rest++;
		if (!tables)
			continue;
		if (sgf_parse_entry(rest, strlen(rest), true, &e) ||
		    sgf_table_apply(&tables[c], &e)) {
			error("%s:%d: \"%.80s\" is no valid entry for class %s", file, no, rest, p);
			goto out_error;
		}
		present[c] = true;
	}
	if (ferror(f)) {
		error("Failed to read \"%s\": %s", file, strerror(errno));
		goto out_error;
	}
	free(line);
	if (f != stdin)
		fclose(f);
	return 0;
out_error:
	free(line);
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

/* One write of a whole table to <class>/load; -errno, no message */
static int load_class(int class, const char *text)
{
	char path[PATH_MAX];

	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/load", scsi_sgio_class_name(class));
	/* a lone newline is the empty table */
	return write_text(path, text[0] ? text : "\n");
}

/*
 * Put back a table read from <class>/table before a load: in one write if
 * it fits a page; else (an earlier run of allow made it so large) its first
 * page of lines, then the other lines through allow, one by one. 0 or -errno.
 */
static int restore_class(int class, char *text)
{
	size_t page = page_size(), len = strlen(text), cut = 0;
	char path[PATH_MAX], *line, *save, saved;
	int err;

	if (len <= page)
		return load_class(class, text);
	while (cut < len) {
		char *nl = memchr(text + cut, '\n', len - cut);
		size_t next = nl ? nl - text + 1 : len;

		if (next > page)
			break;
		cut = next;
	}
	saved = text[cut];
	text[cut] = '\0';
	err = load_class(class, text);
	text[cut] = saved;
	if (err)
		return err;
	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/allow", scsi_sgio_class_name(class));
	for (line = strtok_r(text + cut, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		err = write_text(path, line);
		if (err)
			return err;
	}
	return 0;
}

/*
 * --fail-closed: a class whose saved table could not be applied gets the
 * empty table, not the looser one it had. Returns 1 if that failed too.
 */
static int fail_closed(int class, const char *file, const char *why)
{
	const char *name = scsi_sgio_class_name(class);
	int err = load_class(class, "");

	if (err) {
		error("%s: the saved %s table was not applied (%s), and loading an EMPTY "
		      "table failed too: %s; class %s keeps its earlier table", file, name, why,
		      name, strerror(-err));
		return 1;
	}
	error("%s: the saved %s table was not applied (%s): loaded an EMPTY %s table "
	      "instead; unprivileged users may send no command to %s devices", file, name,
	      why, name, name);
	return 0;
}

static int cmd_load(int argc, char **argv)
{
	struct scsi_sgio_table tables[SCSI_SGIO_NR_CLASSES];
	static struct unpriv_line unpriv[MAX_UNPRIV];
	bool present[SCSI_SGIO_NR_CLASSES], written[SCSI_SGIO_NR_CLASSES] = {};
	char *text[SCSI_SGIO_NR_CLASSES] = {}, *old[SCSI_SGIO_NR_CLASSES] = {};
	bool any = false, closed = false, too_large = false;
	size_t page = page_size(), len;
	const char *file = NULL;
	int c, i, err, nr_unpriv = 0, ret = 1;

	for (i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--fail-closed"))
			closed = true;
		else if (!file)
			file = argv[i];
		else
			return EXIT_USAGE;
	}
	if (!file)
		return EXIT_USAGE;
	if (parse_policy(file, tables, present, unpriv, &nr_unpriv)) {
		if (!closed)
			return 1;
		if (need_module())
			return 1;
		/* which classes the file sets is not known: all of them */
		for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
			fail_closed(c, file, "the file does not parse");
		hint("fix it, then: sgfilterctl load %s", file);
		return 1;
	}
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		any |= present[c];
	if (any && need_module()) {
		if (closed)
			error("%s: no table of it was applied: the built-in tables stay", file);
		return 1;
	}

	/* every check before the first write */
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		if (!present[c])
			continue;
		len = sgf_table_format(&tables[c], NULL, 0);
		text[c] = malloc(len + 1);
		if (!text[c]) {
			error("Failed to load \"%s\": %s", file, strerror(ENOMEM));
			goto out;
		}
		sgf_table_format(&tables[c], text[c], len + 1);
		if (len > page) {
			error("%s: the %s table is %zu bytes, more than the %zu bytes (a page) the "
			      "module takes in one write", file, scsi_sgio_class_name(c), len, page);
			too_large = true;
		}
	}
	if (too_large) {
		hint("list an opcode once (\"disk 0x5f write\") where all its service actions "
		     "have one permission%s", closed ? "" : "; nothing was loaded");
		if (!closed)
			goto out;
	}
	/* the tables in force, to put back if the kernel refuses one midway */
	for (c = 0; !closed && c < SCSI_SGIO_NR_CLASSES; c++)
		if (present[c] && read_table_text(c, &old[c]))
			goto out;

	ret = 0;
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		if (!present[c])
			continue;
		if (strlen(text[c]) > page) {
			fail_closed(c, file, "larger than a page");
			ret = 1;
			continue;
		}
		err = load_class(c, text[c]);
		if (!err) {
			written[c] = true;
			continue;
		}
		error("Failed to load class %s from %s into %s/kernel/sgfilter/%s/load: %s",
		      scsi_sgio_class_name(c), file, sysfs, scsi_sgio_class_name(c),
		      strerror(-err));
		hint_errno(-err);
		ret = 1;
		if (closed) {
			fail_closed(c, file, strerror(-err));
			continue;
		}
		/* put back what this load changed */
		for (i = 0; i < c; i++) {
			if (!written[i])
				continue;
			err = restore_class(i, old[i]);
			if (err)
				error("Failed to restore class %s: %s; it has the table of %s",
				      scsi_sgio_class_name(i), strerror(-err), file);
			else
				error("restored class %s to the table it had before",
				      scsi_sgio_class_name(i));
		}
		goto out;
	}
	if (ret) {
		error("%s: the saved policy was not applied in full", file);
		hint("fix it, then: sgfilterctl load %s", file);
		goto out;
	}
	ret = apply_unpriv(unpriv, nr_unpriv, NULL);
out:
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		free(text[c]);
		free(old[c]);
	}
	return ret;
}

/* For the udev rule: apply the device lines of /etc/sgfilter/NAME.conf */
static int cmd_apply_device(int argc, char **argv)
{
	const char *dir = getenv("SGFILTER_CONF_DIR") ?: "/etc/sgfilter";
	static struct unpriv_line unpriv[MAX_UNPRIV];
	char hctl[64], file[PATH_MAX];
	int nr = 0, ret = 0;
	struct dirent *de;
	DIR *d;

	if (argc != 1)
		return EXIT_USAGE;
	if (resolve_device(argv[0], hctl, sizeof(hctl), NULL))
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
