/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What the sgfilter selftests share beyond sending a CDB (sgio_util.h):
 * capabilities, reading files, running a child as the test user, and the
 * test devices.
 *
 * A test device is named by the environment, as the VM init exports it
 * (tests/vm/lib/fixtures.sh): SGF_DISK=/dev/sdX, SGF_DISK_SG=/dev/sgN,
 * SGF_DISK_BSG=/dev/bsg/H:C:T:L. Without those variables, and as root, a
 * fixture makes the device itself: it adds a scsi_debug host (loading
 * scsi_debug if needed), or for a LIO disk (SGF_LIO*: persistent
 * reservations) a LUN through configfs and tcm_loop, exports the variables
 * for the rest of the test and removes the device in its teardown.
 * Otherwise the test is skipped, saying why.
 *
 * Not a CD-ROM: scsi_debug does not emulate MMC. It takes READ SUB-CHANNEL
 * (0x42) for UNMAP whatever its ptype, and its UNMAP hits a BUG_ON() on
 * that parameter list (6.12). The CD-ROM is QEMU's scsi-cd (SGF_CDROM*).
 */
#ifndef SGF_COMMON_H
#define SGF_COMMON_H

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kselftest_harness.h"
#include "sgio_util.h"

/* Peripheral device types (SPC), as scsi_debug's ptype takes them */
#define SGF_TYPE_DISK		0x00
#define SGF_TYPE_TAPE		0x01
#define SGF_TYPE_MEDIUM_CHANGER	0x08
/* Not a type: sgf_dev_get() makes a LIO disk instead of a scsi_debug device */
#define SGF_LIO_DISK		(-1)

/* --- capabilities ---------------------------------------------------------- */

/* Whether capability @cap (< 32) is in this task's effective set */
static inline bool sgf_has_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[0].effective & (1u << cap);
}

/* Drop capability @cap (< 32) from the effective set: 0 or -errno */
static inline int sgf_drop_cap(int cap)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data))
		return -errno;
	data[0].effective &= ~(1u << cap);
	return syscall(SYS_capset, &hdr, data) ? -errno : 0;
}

/* --- files ----------------------------------------------------------------- */

/* Read a whole file into @buf (NUL-terminated); -errno on failure */
static inline int sgf_read_file(const char *path, char *buf, size_t size)
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

/* The number in a file (a sysfs attribute), or -1 if it cannot be read */
static inline long sgf_read_long(const char *path)
{
	char buf[64];

	if (sgf_read_file(path, buf, sizeof(buf)) || !buf[0])
		return -1;
	return strtol(buf, NULL, 10);
}

/* --- children -------------------------------------------------------------- */

/*
 * Fork; the child calls @become (if not NULL), then exits with what
 * @fn(@arg) returns. The parent gets that exit status (0-255), -errno if
 * there was no child, or -ECHILD if it did not exit.
 */
static inline int sgf_run_child(void (*become)(void), int (*fn)(void *arg), void *arg)
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -errno;
	if (!pid) {
		if (become)
			become();
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -ECHILD;
	return WEXITSTATUS(status);
}

/* The same as the unprivileged test user (sgf_drop_to_user(): exit 200 if not) */
static inline int sgf_run_as_user(int (*fn)(void *arg), void *arg)
{
	return sgf_run_child(sgf_drop_to_user, fn, arg);
}

/* --- test devices ---------------------------------------------------------- */

#define SGF_SDEBUG	"/sys/bus/pseudo/drivers/scsi_debug"

#define SGF_NODE_LEN	64

struct sgf_dev {
	char hctl[64];		/* H:C:T:L */
	char blk[SGF_NODE_LEN];	/* /dev/sdX, "" if none */
	char sg[SGF_NODE_LEN];	/* /dev/sgN, "" if none */
	char bsg[96];		/* /dev/bsg/H:C:T:L, "" if none */
	char chr[SGF_NODE_LEN];	/* /dev/nstN or /dev/schN, "" if none */
	int old_ptype;		/* scsi_debug's ptype before ours */
	bool ptype_set;		/* ... which teardown puts back */
	bool added;		/* a scsi_debug host of ours, which teardown removes */
	bool lio;		/* a LIO LUN of ours, which teardown removes */
};

/* The highest SCSI host number, or -1 */
static inline int sgf_last_host(void)
{
	struct dirent *de;
	int last = -1;
	DIR *d = opendir("/sys/class/scsi_host");

	if (!d)
		return -1;
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, "host", 4) && atoi(de->d_name + 4) > last)
			last = atoi(de->d_name + 4);
	closedir(d);
	return last;
}

/* Find the H:C:T:L of the device under SCSI host @host; 0 on success */
static inline int sgf_device_of_host(int host, char *hctl, size_t len)
{
	char prefix[32];
	struct dirent *de;
	int ret = -ENOENT;
	DIR *d = opendir("/sys/bus/scsi/devices");

	if (!d)
		return -errno;
	snprintf(prefix, sizeof(prefix), "%d:", host);
	while ((de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix))) {
			snprintf(hctl, len, "%.*s", (int)len - 1, de->d_name);
			ret = 0;
			break;
		}
	closedir(d);
	return ret;
}

/*
 * Put in @out "/dev/" and the entry of directory @dir named @prefix and
 * letters (sdb) or a number (nst0, not its mode nodes nst0l, nst0m, nst0a);
 * false (and "") if there is none
 */
static inline bool sgf_dev_entry(const char *dir, const char *prefix, char *out, size_t len)
{
	const char *set = strcmp(prefix, "sd") ? "0123456789" : "abcdefghijklmnopqrstuvwxyz";
	size_t n = strlen(prefix);
	struct dirent *e;
	bool found = false;
	DIR *d = opendir(dir);

	out[0] = '\0';
	if (!d)
		return false;
	while (!found && (e = readdir(d)))
		if (!strncmp(e->d_name, prefix, n) && e->d_name[n] &&
		    strspn(e->d_name + n, set) == strlen(e->d_name + n))
			found = snprintf(out, len, "/dev/%s", e->d_name) < (int)len;
	closedir(d);
	if (!found)
		out[0] = '\0';
	return found;
}

/*
 * Wait up to 5 s for @node to appear in devtmpfs and open: a disk's node
 * appears before the disk is live (ENXIO until then)
 */
static inline int sgf_wait_node(const char *node)
{
	int i, fd = -1;

	for (i = 0; i < 50 && (fd = open(node, O_RDONLY | O_NONBLOCK)) < 0; i++)
		usleep(100000);
	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

/*
 * Find the nodes of @d->hctl: block (sd), sg and bsg, and for a tape or
 * a changer its st (non-rewinding) or ch node. 0 once every node the type
 * has is there (the upper driver has attached, devtmpfs made the node).
 */
static inline int sgf_dev_nodes(struct sgf_dev *d, int ptype)
{
	static const struct { int ptype; const char *dir, *prefix; char what; } upper[] = {
		{ SGF_TYPE_DISK, "block", "sd", 'b' },
		{ SGF_TYPE_TAPE, "scsi_tape", "nst", 'c' },
		{ SGF_TYPE_MEDIUM_CHANGER, "scsi_changer", "sch", 'c' },
	};
	char dir[256];
	bool found = true;
	unsigned int i;

	for (i = 0; i < sizeof(upper) / sizeof(upper[0]); i++) {
		char *out = upper[i].what == 'b' ? d->blk : d->chr;

		if (upper[i].ptype != ptype)
			continue;
		snprintf(dir, sizeof(dir), "/sys/bus/scsi/devices/%s/%s", d->hctl, upper[i].dir);
		found &= sgf_dev_entry(dir, upper[i].prefix, out, SGF_NODE_LEN);
	}
	/* sg and bsg, if this kernel has them */
	snprintf(dir, sizeof(dir), "/sys/bus/scsi/devices/%s/scsi_generic", d->hctl);
	if (!sgf_dev_entry(dir, "sg", d->sg, sizeof(d->sg)))
		found &= access("/sys/class/scsi_generic", F_OK) != 0;
	if (!access("/sys/class/bsg", F_OK))
		snprintf(d->bsg, sizeof(d->bsg), "/dev/bsg/%s", d->hctl);
	if (!found)
		return -ENOENT;
	if ((d->blk[0] && sgf_wait_node(d->blk)) || (d->chr[0] && sgf_wait_node(d->chr)) ||
	    (d->sg[0] && sgf_wait_node(d->sg)) || (d->bsg[0] && sgf_wait_node(d->bsg)))
		return -ENOENT;
	return 0;
}

/*
 * Wait up to 10 s for the device of a SCSI host added after host @before (the
 * highest then) and for its nodes (sgf_dev_nodes, peripheral type @ptype):
 * 0, or -ENOENT
 */
static inline int sgf_new_host_dev(struct sgf_dev *d, int before, int ptype)
{
	int i, err = -ENOENT, host = sgf_last_host();

	/* the device, then the upper driver that attaches to it */
	for (i = 0; i < 100 && host > before && err; i++) {
		err = sgf_device_of_host(host, d->hctl, sizeof(d->hctl));
		if (!err)
			err = sgf_dev_nodes(d, ptype);
		if (err)
			usleep(100000);
	}
	return err;
}

static inline void sgf_lio_remove(void);

/*
 * Remove the scsi_debug host sgf_sdebug_add() added and put scsi_debug's
 * ptype back, or remove the LUN sgf_lio_add() made
 */
static inline void sgf_dev_put(struct sgf_dev *d)
{
	char ptype[16];

	if (d->lio)
		sgf_lio_remove();
	d->lio = false;

	/* -1 removes the last host added: ours */
	if (d->added)
		sgf_write_str(SGF_SDEBUG "/add_host", "-1");
	d->added = false;
	if (d->ptype_set) {
		snprintf(ptype, sizeof(ptype), "%d", d->old_ptype);
		sgf_write_str(SGF_SDEBUG "/ptype", ptype);
	}
	d->ptype_set = false;
}

/*
 * Add a scsi_debug host whose device has peripheral type @ptype and find its
 * nodes (sgf_dev_nodes). NULL, or why there is no such device: this is not
 * root, or there is no scsi_debug; sgf_dev_put() removes it.
 */
static inline const char *sgf_sdebug_add(struct __test_metadata *const _metadata,
					 struct sgf_dev *d, int ptype)
{
	char val[16];
	int before, err;

	if (geteuid())
		return "only root can add a scsi_debug device";
	/* lbpu=1 and 16 MiB, as the VM's own scsi_debug disk */
	if (access(SGF_SDEBUG, F_OK) &&
	    system("modprobe -q scsi_debug add_host=0 lbpu=1 dev_size_mb=16"))
		return "no scsi_debug (CONFIG_SCSI_DEBUG=m)";
	if (access(SGF_SDEBUG "/add_host", W_OK))
		return "no scsi_debug (modprobe scsi_debug)";
	d->old_ptype = sgf_read_long(SGF_SDEBUG "/ptype");
	ASSERT_LE(0, d->old_ptype);
	snprintf(val, sizeof(val), "%d", ptype);
	ASSERT_EQ(0, sgf_write_str(SGF_SDEBUG "/ptype", val));
	d->ptype_set = true;
	before = sgf_last_host();
	ASSERT_EQ(0, sgf_write_str(SGF_SDEBUG "/add_host", "1"));
	d->added = true;
	err = sgf_new_host_dev(d, before, ptype);
	if (err)
		sgf_dev_put(d);
	ASSERT_EQ(0, err) TH_LOG("no scsi_debug device of type %d after add_host", ptype);
	return NULL;
}

/*
 * A LIO disk (the kernel's SCSI target, for what scsi_debug does not do:
 * SPC-4 persistent reservations): a 16 MiB ramdisk backstore as LUN 0 of a
 * tcm_loop target. tcm_loop adds a SCSI host when the target is made and
 * the device (H:0:1:0) when the LUN is linked. The names are this file's
 * own, not those of the VM's LUN (tests/vm/lib/fixtures.sh).
 */
#define SGF_TARGET		"/sys/kernel/config/target"
#define SGF_LIO_HBA		SGF_TARGET "/core/rd_mcp_4151"
#define SGF_LIO_BACKSTORE	SGF_LIO_HBA "/sgf_selftest"
#define SGF_LIO_WWN		SGF_TARGET "/loopback/naa.50014050000f0001"
#define SGF_LIO_TPG		SGF_LIO_WWN "/tpgt_1"
#define SGF_LIO_LUN		SGF_LIO_TPG "/lun/lun_0"
#define SGF_LIO_INITIATOR	"naa.50014050000f0002"
#define SGF_LIO_SERIAL		"sgfselftest"

/* LIO's DBROOT: it writes the LUN's reservations to DBROOT/pr/aptpl_SERIAL */
static inline void sgf_lio_dbroot(char *root, size_t len)
{
	if (sgf_read_file(SGF_TARGET "/dbroot", root, len) || !root[0])
		snprintf(root, len, "/etc/target");
	root[strcspn(root, "\n")] = '\0';
}

/* Remove what sgf_lio_add() made, whatever of it is there */
static inline void sgf_lio_remove(void)
{
	char root[200], aptpl[256];

	unlink(SGF_LIO_LUN "/sgf_selftest");
	rmdir(SGF_LIO_LUN);
	if (!access(SGF_LIO_TPG "/nexus", F_OK))
		sgf_write_str(SGF_LIO_TPG "/nexus", "NULL");
	rmdir(SGF_LIO_TPG);
	rmdir(SGF_LIO_WWN);
	rmdir(SGF_LIO_BACKSTORE);
	rmdir(SGF_LIO_HBA);
	sgf_lio_dbroot(root, sizeof(root));
	snprintf(aptpl, sizeof(aptpl), "%s/pr/aptpl_%s", root, SGF_LIO_SERIAL);
	unlink(aptpl);
}

/* Make the LUN through configfs: 0, or -errno and the path that failed in @where */
static inline int sgf_lio_make(const char **where)
{
	static const struct { char op; const char *path, *arg; } steps[] = {
		{ 'd', SGF_LIO_HBA, NULL }, { 'd', SGF_LIO_BACKSTORE, NULL },
		{ 'w', SGF_LIO_BACKSTORE "/control", "rd_pages=4096" },
		{ 'w', SGF_LIO_BACKSTORE "/wwn/vpd_unit_serial", SGF_LIO_SERIAL },
		{ 'w', SGF_LIO_BACKSTORE "/enable", "1" },
		{ 'd', SGF_LIO_WWN, NULL }, { 'd', SGF_LIO_TPG, NULL },
		/* the I_T nexus before the LUN: linking the LUN adds the device */
		{ 'w', SGF_LIO_TPG "/nexus", SGF_LIO_INITIATOR },
		{ 'd', SGF_LIO_LUN, NULL },
		{ 'l', SGF_LIO_LUN "/sgf_selftest", SGF_LIO_BACKSTORE },
	};
	unsigned int i;
	int err;

	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		*where = steps[i].path;
		if (steps[i].op == 'd')
			err = mkdir(steps[i].path, 0755) ? -errno : 0;
		else if (steps[i].op == 'l')
			err = symlink(steps[i].arg, steps[i].path) ? -errno : 0;
		else
			err = sgf_write_str(steps[i].path, steps[i].arg);
		if (err)
			return err;
	}
	return 0;
}

/*
 * Make a LIO disk (loading tcm_loop if needed) and find its nodes
 * (sgf_dev_nodes); send TEST UNIT READY twice for the UNIT ATTENTIONs of
 * a new LUN. LIO writes reservation metadata to DBROOT/pr (/etc/target/pr),
 * or fails PR OUT: that directory is made if missing. NULL, or why there is
 * no such device: this is not root, or there is no LIO; sgf_dev_put()
 * removes it.
 */
static inline const char *sgf_lio_add(struct __test_metadata *const _metadata,
				      struct sgf_dev *d)
{
	static const uint8_t tur[6] = {};
	char root[200], pr_dir[256];
	const char *where = "";
	int before, i, fd, err;

	if (geteuid())
		return "only root can make a LIO LUN";
	if (access(SGF_TARGET "/loopback", F_OK) && system("modprobe -q tcm_loop"))
		return "no LIO with tcm_loop (CONFIG_TARGET_CORE=m, CONFIG_LOOPBACK_TARGET=m)";
	if (access(SGF_TARGET "/core", F_OK))
		return "no LIO in configfs (mount -t configfs configfs /sys/kernel/config)";
	sgf_lio_dbroot(root, sizeof(root));
	snprintf(pr_dir, sizeof(pr_dir), "%s/pr", root);
	mkdir(root, 0755);
	mkdir(pr_dir, 0755);
	sgf_lio_remove();	/* what an earlier run left behind */
	d->lio = true;
	before = sgf_last_host();
	err = sgf_lio_make(&where);
	if (!err) {
		where = "the LUN's SCSI device and its nodes";
		err = sgf_new_host_dev(d, before, SGF_TYPE_DISK);
	}
	if (err)
		sgf_dev_put(d);
	ASSERT_EQ(0, err) TH_LOG("LIO LUN: %s: %s", where, strerror(-err));
	/* the node opens: sgf_dev_nodes() waited for that */
	fd = open(d->blk, O_RDONLY | O_NONBLOCK);
	for (i = 0; fd >= 0 && i < 2; i++)
		sgf_sg_io(fd, tur, sizeof(tur), SGF_DIR_NONE, NULL, 0);
	if (fd >= 0)
		close(fd);
	return NULL;
}

/* The environment variable @env with @suffix: "SGF_DISK" "_BSG" */
static inline const char *sgf_getenv(const char *env, const char *suffix)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", env, suffix);
	return getenv(name);
}

static inline void sgf_setenv(const char *env, const char *suffix, const char *val)
{
	char name[64];

	snprintf(name, sizeof(name), "%s%s", env, suffix);
	if (val[0])
		setenv(name, val, 1);
}

/*
 * The test device @env (SGF_DISK: @env, @env_SG, @env_BSG): from the
 * environment if any of those is set, else a scsi_debug device of @ptype
 * made here (sgf_sdebug_add), or with @ptype SGF_LIO_DISK a LIO disk
 * (sgf_lio_add), whose nodes get group SGF_GID (default 6,
 * "disk") and mode 0660, as a distribution sets them, and are exported
 * under those names for the rest of the test. NULL, or why there is none;
 * sgf_dev_put() in the teardown.
 */
static inline const char *sgf_dev_get(struct __test_metadata *const _metadata,
				      struct sgf_dev *d, const char *env, int ptype)
{
	const char *g = getenv("SGF_GID"), *why;
	const char *nodes[] = { d->blk, d->sg, d->bsg };
	unsigned int i;

	if (sgf_getenv(env, "") || sgf_getenv(env, "_SG") || sgf_getenv(env, "_BSG"))
		return NULL;
	if (ptype == SGF_LIO_DISK)
		why = sgf_lio_add(_metadata, d);
	else
		why = sgf_sdebug_add(_metadata, d, ptype);
	if (why)
		return why;
	for (i = 0; i < sizeof(nodes) / sizeof(nodes[0]); i++) {
		if (!nodes[i][0])
			continue;
		ASSERT_EQ(0, chown(nodes[i], -1, g ? atoi(g) : 6));
		ASSERT_EQ(0, chmod(nodes[i], 0660));
	}
	sgf_setenv(env, "", d->blk);
	sgf_setenv(env, "_SG", d->sg);
	sgf_setenv(env, "_BSG", d->bsg);
	TH_LOG("%s: %s %s: %s %s %s", env, d->lio ? "LIO" : "scsi_debug", d->hctl,
	       d->blk, d->sg, d->bsg);
	return NULL;
}

/* sgf_dev_get() in a fixture's setup: skip the test if there is no device */
#define SGF_DEV_GET(dev, env, ptype) do {				\
	const char *__why = sgf_dev_get(_metadata, (dev), (env), (ptype)); \
									\
	if (__why)							\
		SKIP(return, "%s is not set, and %s", (env), __why);	\
} while (0)

#endif
