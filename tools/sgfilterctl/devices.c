// SPDX-License-Identifier: GPL-2.0
/*
 * SCSI devices: a DEVICE argument (a node, a link to one, or H:C:T:L) to
 * its H:C:T:L by device number, never by name; what sysfs says of a device
 * (type, WWID, unpriv_sgio); the device IDs of policy files. And the
 * commands about devices: status, unpriv.
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <linux/major.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sgfilterctl.h"

/* The last part of the target of the link @path ("bsg", "1:0:0:0"), or NULL */
static const char *link_base(const char *path, char *buf, size_t size)
{
	ssize_t n = readlink(path, buf, size - 1);
	const char *slash;

	if (n < 0)
		return NULL;
	buf[n] = '\0';
	slash = strrchr(buf, '/');
	return slash ? slash + 1 : buf;
}

/* "H:C:T:L" and nothing else, written back canonically; 0 or -EINVAL */
static int parse_hctl(const char *s, char *hctl, size_t size)
{
	unsigned int h, c, t, l;
	char end;

	if (sscanf(s, "%u:%u:%u:%u%c", &h, &c, &t, &l, &end) != 4)
		return -EINVAL;
	snprintf(hctl, size, "%u:%u:%u:%u", h, c, t, l);
	return 0;
}

/*
 * The kind of a SCSI char device, by its number: sg and st have fixed
 * majors; bsg's is dynamic, so ask sysfs which class the number belongs to
 * (/sys/dev/char/M:m/subsystem).
 */
static enum node_kind char_kind(const struct stat *st)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;

	if (major(st->st_rdev) == SCSI_GENERIC_MAJOR)
		return NODE_SG;
	if (major(st->st_rdev) == SCSI_TAPE_MAJOR)
		return NODE_ST;
	sysfs_path(path, sizeof(path), "dev/char/%u:%u/subsystem", major(st->st_rdev),
		   minor(st->st_rdev));
	base = link_base(path, link, sizeof(link));
	if (!base)
		return NODE_CHAR;
	if (!strcmp(base, "bsg"))
		return NODE_BSG;
	if (!strcmp(base, "scsi_generic"))
		return NODE_SG;
	if (!strcmp(base, "scsi_tape"))
		return NODE_ST;
	return NODE_CHAR;
}

/* A device given as H:C:T:L: it must exist */
static int find_hctl(const char *hctl)
{
	char path[PATH_MAX];
	struct stat st;
	int err;

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s", hctl);
	if (stat(path, &st)) {
		err = errno;
		error("Failed to find SCSI device %s: %s", hctl, strerror(err));
		return -err;
	}
	return 0;
}

/*
 * H:C:T:L of a device given as H:C:T:L or as a node (block, sg or bsg, or a
 * link to one), and the kind of node (@kind may be NULL). The node is
 * known by its device number, never by its name. 0 or -errno, with a
 * message.
 */
int resolve_device(const char *arg, char *hctl, size_t size, enum node_kind *kind)
{
	char real[PATH_MAX], path[PATH_MAX], link[PATH_MAX], part[PATH_MAX + 16];
	const char *base;
	struct stat st;
	int err;

	if (kind)
		*kind = NODE_NONE;
	if (!parse_hctl(arg, hctl, size))
		return find_hctl(hctl);
	if (!realpath(arg, real) || stat(real, &st)) {
		err = errno;
		error("Failed to open \"%s\": %s", arg, strerror(err));
		return -err;
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
	base = link_base(path, link, sizeof(link));
	if (!base || parse_hctl(base, hctl, size)) {
		error("\"%s\" is not a SCSI device", arg);
		return -ENODEV;
	}
	return 0;
}

/* The peripheral device type (0 disk, 5 CD-ROM, 6 scanner...), or -1 */
int device_type(const char *hctl)
{
	char path[PATH_MAX], buf[16];

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/type", hctl);
	if (read_text(path, buf, sizeof(buf)) || !isdigit((unsigned char)buf[0]))
		return -1;
	return atoi(buf);
}

int device_class(const char *hctl)
{
	int type = device_type(hctl);

	return type < 0 ? SCSI_SGIO_OTHER : scsi_sgio_class(type);
}

/* 0 or 1, or -errno */
int device_unpriv(const char *hctl)
{
	char path[PATH_MAX], buf[8];
	int err;

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/unpriv_sgio", hctl);
	err = read_text(path, buf, sizeof(buf));
	return err ? err : buf[0] == '1';
}

int set_unpriv(const char *hctl, bool on)
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

/*
 * The device's WWID as the kernel reports it in /sys/.../device/wwid
 * ("naa.6001405...", "t10.ATA     QEMU HARDDISK   QM00001"), or "". Only
 * the newline is cut: spaces are part of it.
 */
void device_wwid(const char *hctl, char *buf, size_t size)
{
	char path[PATH_MAX];

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/wwid", hctl);
	if (read_text(path, buf, size))
		buf[0] = '\0';
	buf[strcspn(buf, "\n")] = '\0';
}

void for_each_device(void (*fn)(const char *hctl, void *arg), void *arg)
{
	char path[PATH_MAX];
	struct dirent *de;
	DIR *d;

	sysfs_path(path, sizeof(path), "bus/scsi/devices");
	d = opendir(path);
	if (!d)
		return;
	while ((de = readdir(d)))
		if (strchr(de->d_name, ':'))
			fn(de->d_name, arg);
	closedir(d);
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

void encode_id(const char *in, char *out, size_t size)
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
int decode_id(const char *in, char *out, size_t size)
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
bool id_matches(const char *id, const char *hctl)
{
	char wwid[ID_MAX], other[HCTL_MAX_LEN];

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

/* --- commands ---------------------------------------------------------------- */

static void list_unpriv(const char *hctl, void *nr)
{
	if (device_unpriv(hctl) != 1)
		return;
	out_str(OUT_ANY, NULL, " %s", hctl);
	++*(int *)nr;
}

/* A device with grants (a non-empty sgio_grants file) */
static void list_granted(const char *hctl, void *nr)
{
	char path[PATH_MAX], buf[8];

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/sgio_grants", hctl);
	/* a lone newline is what a write that cleared the set leaves in a file */
	if (read_text(path, buf, sizeof(buf)) || !buf[strspn(buf, "\n")])
		return;
	out_str(OUT_ANY, NULL, " %s", hctl);
	++*(int *)nr;
}

/* Counts devices, and devices with an unpriv_sgio file */
static void count_flag_files(const char *hctl, void *counts)
{
	((int *)counts)[0]++;
	if (device_unpriv(hctl) >= 0)
		((int *)counts)[1]++;
}

/*
 * Which kernel this is: "patched" (the sgfilter patch series), "stock"
 * (an unmodified kernel: the module's stock backend, or nothing), or
 * "unknown" (no module and no SCSI device to tell by)
 */
static const char *kernel_kind(bool mod)
{
	char path[PATH_MAX], buf[32];
	int counts[2] = { 0, 0 };

	if (mod) {
		sysfs_path(path, sizeof(path), "kernel/sgfilter/backend");
		/* modules older than the stock backend ran on patched kernels */
		if (read_text(path, buf, sizeof(buf)))
			return "patched";
		buf[strcspn(buf, "\n")] = '\0';
		return strcmp(buf, "stock") ? "patched" : "stock";
	}
	/* the patched kernel gives every SCSI device the flag's file */
	for_each_device(count_flag_files, counts);
	if (!counts[0])
		return "unknown";
	return counts[1] ? "patched" : "stock";
}

int cmd_status(int argc, char **argv, unsigned int flags)
{
	bool mod = module_loaded();
	const char *kernel = kernel_kind(mod);
	bool stock = !strcmp(kernel, "stock");
	int c, nr = 0;

	out_open(NULL);
	out_str(OUT_JSON, "backend", NULL, mod ? "module" : stock ? "none" : "built-in");
	out_str(OUT_JSON, "kernel", NULL, kernel);
	if (mod && stock)
		out_text("backend: sgfilter module (editable tables), stock backend: hooks on an unmodified kernel\n");
	else if (mod)
		out_text("backend: sgfilter module (editable tables)\n");
	else if (stock)
		out_text("backend: none: this kernel filters SG_IO by mainline's list (modprobe sgfilter)\n");
	else
		out_text("backend: built-in tables (modprobe sgfilter to edit them)\n");
	out_text("classes:");
	out_open_list("classes");
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		out_str(OUT_ANY, NULL, " %s", scsi_sgio_class_name(c));
	out_close_list();
	out_text("\ndevices with unpriv_sgio set:");
	out_open_list("unpriv_sgio");
	for_each_device(list_unpriv, &nr);
	out_close_list();
	out_text("%s\n", nr ? "" : " none");
	if (mod) {
		nr = 0;
		out_text("devices with grants (sgfilterctl show DEVICE):");
		out_open_list("granted");
		for_each_device(list_granted, &nr);
		out_close_list();
		out_text("%s\n", nr ? "" : " none");
	}
	out_close();
	return 0;
}

static int show_unpriv(const char *hctl)
{
	int on = device_unpriv(hctl);

	if (on < 0) {
		error("Failed to read unpriv_sgio of %s: %s", hctl, strerror(-on));
		hint("does this kernel carry the sgfilter patch series?");
		return 1;
	}
	out_open(NULL);
	out_str(OUT_ANY, "device", "%s", hctl);
	out_bool("unpriv_sgio", on);
	out_str(OUT_TEXT, NULL, " unpriv_sgio %s\n", on ? "on" : "off");
	out_close();
	return 0;
}

int cmd_unpriv(int argc, char **argv, unsigned int flags)
{
	char hctl[HCTL_MAX_LEN];

	if (resolve_device(argv[0], hctl, sizeof(hctl), NULL))
		return 1;
	if (argc == 1)
		return show_unpriv(hctl);
	if (!strcmp(argv[1], "on") || !strcmp(argv[1], "1"))
		return set_unpriv(hctl, true) ? 1 : 0;
	if (!strcmp(argv[1], "off") || !strcmp(argv[1], "0"))
		return set_unpriv(hctl, false) ? 1 : 0;
	return usage_error("\"%s\" is neither on nor off", argv[1]);
}
