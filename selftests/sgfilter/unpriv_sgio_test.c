// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter selftests: the per-device unpriv_sgio flag.
 *
 * Runs as root and does the unprivileged part in children that switch to
 * SGF_UID (default 1000) with the supplementary group SGF_GID (default 6,
 * "disk"), which must be able to open the nodes for reading and writing.
 *
 *   SGF_LIO, SGF_LIO_SG, SGF_LIO_BSG   nodes of a LIO disk with persistent
 *                                      reservations (tcm_loop)
 *   SGF_DISK                           a scsi_debug disk, for the sysfs tests
 *
 * Without SGF_DISK the sysfs tests add a scsi_debug disk of their own, and
 * without SGF_LIO* the reservation tests a LIO disk of their own (common.h).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "common.h"

#define KEY		0x5367666c74ULL		/* "Sgflt" */

/* --- helpers -------------------------------------------------------------- */

/*
 * The sysfs directory of the SCSI device behind a node: for a block node
 * /sys/dev/block/M:m/device, for a char node /sys/dev/char/M:m/device.
 */
static int node_device_dir(const char *node, char *buf, size_t len)
{
	struct stat st;

	if (stat(node, &st))
		return -errno;
	snprintf(buf, len, "/sys/dev/%s/%u:%u/device",
		 S_ISBLK(st.st_mode) ? "block" : "char",
		 major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

/* /sys/dev/block/M:m/queue/unpriv_sgio of a block node: the libvirt path */
static int queue_flag_path(const char *blk, char *buf, size_t len)
{
	struct stat st;

	if (stat(blk, &st))
		return -errno;
	snprintf(buf, len, "/sys/dev/block/%u:%u/queue/unpriv_sgio",
		 major(st.st_rdev), minor(st.st_rdev));
	return 0;
}

static int sdev_flag_path(const char *node, char *buf, size_t len)
{
	char dir[200];
	int err = node_device_dir(node, dir, sizeof(dir));

	if (err)
		return err;
	snprintf(buf, len, "%s/unpriv_sgio", dir);
	return 0;
}

/* The value of a 0/1 sysfs file, or -errno */
static int sysfs_read_flag(const char *path)
{
	char buf[8];
	int err = sgf_read_file(path, buf, sizeof(buf));

	if (err)
		return err;
	if (strlen(buf) != 2 || buf[1] != '\n' || (buf[0] != '0' && buf[0] != '1'))
		return -EINVAL;
	return buf[0] - '0';
}

enum entry { ENTRY_SG_IO, ENTRY_BSG };

struct pr_cmd {
	uint8_t cdb[10];
	bool out;
	uint8_t data[24];
};

/* Send a PR command: -errno if the ioctl failed, else the SCSI status */
static int send_pr(enum entry entry, int fd, struct pr_cmd *c)
{
	enum sgf_dir dir = c->out ? SGF_DIR_OUT : SGF_DIR_IN;

	if (entry == ENTRY_BSG)
		return sgf_bsg(fd, c->cdb, sizeof(c->cdb), dir, c->data, sizeof(c->data));
	return sgf_sg_io(fd, c->cdb, sizeof(c->cdb), dir, c->data, sizeof(c->data));
}

static void put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 0; i < 8; i++)
		p[i] = v >> (56 - 8 * i);
}

/* PERSISTENT RESERVE OUT with a 24-byte parameter list */
static struct pr_cmd pr_out(uint8_t sa, uint8_t type, uint64_t key, uint64_t sa_key)
{
	struct pr_cmd c = {
		.cdb = { 0x5f, sa, type, 0, 0, 0, 0, 0, 24 },
		.out = true,
	};

	put_be64(c.data, key);
	put_be64(c.data + 8, sa_key);
	return c;
}

#define PR_REGISTER_AND_IGNORE	0x06
#define PR_RESERVE		0x01
#define PR_RELEASE		0x02
#define PR_WRITE_EXCLUSIVE	0x01

/* PERSISTENT RESERVE IN, READ KEYS: room for the header and two keys */
static struct pr_cmd pr_read_keys(void)
{
	return (struct pr_cmd){ .cdb = { 0x5e, 0x00, 0, 0, 0, 0, 0, 0, 24 } };
}

/* Is @key among the registered keys in a READ KEYS answer? */
static bool has_key(const struct pr_cmd *c, uint64_t key)
{
	uint32_t len = c->data[4] << 24 | c->data[5] << 16 | c->data[6] << 8 | c->data[7];
	uint8_t want[8];
	uint32_t off;

	put_be64(want, key);
	for (off = 8; off + 8 <= 8 + len && off + 8 <= sizeof(c->data); off += 8)
		if (!memcmp(c->data + off, want, 8))
			return true;
	return false;
}

struct pr_job {
	const char *node;
	enum entry entry;
	bool writer;
	struct pr_cmd *c;
	int pipe;		/* where the child writes its result and @c */
};

static int pr_job(void *arg)
{
	struct pr_job *j = arg;
	int fd = open(j->node, j->writer ? O_RDWR : O_RDONLY), ret;

	if (fd < 0)
		return 100;
	ret = send_pr(j->entry, fd, j->c);
	if (write(j->pipe, &ret, sizeof(ret)) != sizeof(ret) ||
	    write(j->pipe, j->c, sizeof(*j->c)) != sizeof(*j->c))
		return 101;
	return 0;
}

/*
 * Run one PR command on @node as the unprivileged user; returns what
 * send_pr() returned, or 300 + the child's exit status if the open failed
 * (399 if it did not exit). @c gets the data.
 */
static int user_pr(const char *node, enum entry entry, bool writer, struct pr_cmd *c)
{
	struct pr_job job = { node, entry, writer, c };
	int pipefd[2], status, ret = 301;

	if (pipe(pipefd))
		return -errno;
	job.pipe = pipefd[1];
	status = sgf_run_as_user(pr_job, &job);
	close(pipefd[1]);
	if (status) {
		close(pipefd[0]);
		return status < 0 ? 399 : 300 + status;
	}
	if (read(pipefd[0], &ret, sizeof(ret)) != sizeof(ret) ||
	    read(pipefd[0], c, sizeof(*c)) != sizeof(*c))
		ret = 302;
	close(pipefd[0]);
	return ret;
}

/* Root's view of the registered keys, through the block node */
static int root_read_keys(const char *blk, struct pr_cmd *c)
{
	int fd = open(blk, O_RDONLY), ret;

	if (fd < 0)
		return -errno;
	*c = pr_read_keys();
	ret = send_pr(ENTRY_SG_IO, fd, c);
	close(fd);
	return ret;
}

/* Root drops every registration of this nexus: register key 0, ignoring */
static int root_unregister(const char *blk)
{
	struct pr_cmd c = pr_out(PR_REGISTER_AND_IGNORE, 0, 0, 0);
	int fd = open(blk, O_RDWR), ret;

	if (fd < 0)
		return -errno;
	ret = send_pr(ENTRY_SG_IO, fd, &c);
	close(fd);
	return ret;
}

/* --- the flag in sysfs ---------------------------------------------------- */

FIXTURE(flag) {
	struct sgf_dev dev;
	char queue[256], sdev[256];
};

FIXTURE_SETUP(flag)
{
	const char *disk;

	SGF_DEV_GET(&self->dev, "SGF_DISK", SGF_TYPE_DISK);
	disk = getenv("SGF_DISK");
	if (!disk)
		SKIP(return, "SGF_DISK is not set");
	ASSERT_EQ(0, queue_flag_path(disk, self->queue, sizeof(self->queue)));
	ASSERT_EQ(0, sdev_flag_path(disk, self->sdev, sizeof(self->sdev)));
	ASSERT_EQ(0, sgf_write(self->queue, "0", 1));
}

FIXTURE_TEARDOWN(flag)
{
	if (self->queue[0])
		sgf_write(self->queue, "0", 1);
	sgf_dev_put(&self->dev);
}

TEST_F(flag, both_files_are_one_flag)
{
	ASSERT_EQ(0, sysfs_read_flag(self->queue));
	ASSERT_EQ(0, sysfs_read_flag(self->sdev));
	ASSERT_EQ(0, sgf_write(self->queue, "1\n", 2));
	ASSERT_EQ(1, sysfs_read_flag(self->queue));
	ASSERT_EQ(1, sysfs_read_flag(self->sdev));
	ASSERT_EQ(0, sgf_write(self->sdev, "0", 1));
	ASSERT_EQ(0, sysfs_read_flag(self->queue));
	ASSERT_EQ(0, sysfs_read_flag(self->sdev));
}

/*
 * Every refused write leaves either value as it was, through either file.
 * (An empty write() never reaches sysfs: it writes nothing, changes nothing.)
 */
TEST_F(flag, bad_writes_change_nothing)
{
	static const char *const bad[] = {
		"banana", "2", "\n", "-1", "1banana", " 1", "0x1", "yes",
		"on", "10", "1 1", "1\n\n", "+1", "+0", "01",
	};
	const char *files[] = { self->queue, self->sdev };
	char longstr[4096];
	unsigned int i, f, v;

	memset(longstr, '1', sizeof(longstr));
	for (v = 0; v <= 1; v++) {
		ASSERT_EQ(0, sgf_write(self->queue, v ? "1" : "0", 1));
		for (f = 0; f < 2; f++) {
			for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
				EXPECT_EQ(-EINVAL, sgf_write(files[f], bad[i], strlen(bad[i])))
					TH_LOG("%s <- \"%s\"", files[f], bad[i]);
				ASSERT_EQ(v, sysfs_read_flag(self->queue));
			}
			EXPECT_EQ(-EINVAL, sgf_write(files[f], longstr, sizeof(longstr)));
			ASSERT_EQ(v, sysfs_read_flag(self->queue));
			EXPECT_EQ(0, sgf_write(files[f], "", 0));
			ASSERT_EQ(v, sysfs_read_flag(self->queue));
		}
	}
}

/* Drop CAP_SYS_ADMIN from the effective set, staying uid 0 */
static void drop_cap_sys_admin(void)
{
	if (sgf_drop_cap(CAP_SYS_ADMIN))
		_exit(203);
}

struct write_job {
	const char *path;
	int err;
};

static int write_job(void *arg)
{
	const struct write_job *j = arg;

	return sgf_write(j->path, "1", 1) == -j->err ? 0 : 1;
}

/* Write "1" to @path from a child made by @become; 0 if it got -@err */
static int child_write(const char *path, void (*become)(void), int err)
{
	struct write_job job = { path, err };

	return sgf_run_child(become, write_job, &job);
}

TEST_F(flag, user_cannot_write)
{
	EXPECT_EQ(0, child_write(self->queue, sgf_drop_to_user, EACCES));
	EXPECT_EQ(0, child_write(self->sdev, sgf_drop_to_user, EACCES));
	ASSERT_EQ(0, sysfs_read_flag(self->queue));
}

/* uid 0 without CAP_SYS_ADMIN: the file mode lets the write in, the check not */
TEST_F(flag, root_without_cap_sys_admin_cannot_write)
{
	EXPECT_EQ(0, child_write(self->queue, drop_cap_sys_admin, EPERM));
	EXPECT_EQ(0, child_write(self->sdev, drop_cap_sys_admin, EPERM));
	ASSERT_EQ(0, sysfs_read_flag(self->queue));
}

/* --- a new device starts at 0 --------------------------------------------- */

#define SDEBUG_ADD_HOST SGF_SDEBUG "/add_host"

/*
 * A scsi_debug host of its own (the other tests keep their disk): set the
 * flag on its device, delete the device, rescan, and the device that comes
 * back starts at 0.
 */
TEST(new_device_starts_at_zero)
{
	char path[PATH_MAX], hctl[NAME_MAX + 1];
	int host, before, i;

	if (access(SDEBUG_ADD_HOST, W_OK))
		SKIP(return, "scsi_debug is not loaded");
	before = sgf_last_host();
	ASSERT_EQ(0, sgf_write_str(SDEBUG_ADD_HOST, "1"));
	host = sgf_last_host();
	ASSERT_LT(before, host);
	for (i = 0; i < 100 && sgf_device_of_host(host, hctl, sizeof(hctl)); i++)
		usleep(100000);
	ASSERT_EQ(0, sgf_device_of_host(host, hctl, sizeof(hctl)));

	snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/unpriv_sgio", hctl);
	EXPECT_EQ(0, sysfs_read_flag(path));
	EXPECT_EQ(0, sgf_write_str(path, "1"));
	EXPECT_EQ(1, sysfs_read_flag(path));

	/* a rescan keeps the device, its queue and so the flag */
	snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/rescan", hctl);
	EXPECT_EQ(0, sgf_write_str(path, "1"));
	snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/unpriv_sgio", hctl);
	EXPECT_EQ(1, sysfs_read_flag(path));

	snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/delete", hctl);
	EXPECT_EQ(0, sgf_write_str(path, "1"));
	snprintf(path, sizeof(path), "/sys/class/scsi_host/host%d/scan", host);
	EXPECT_EQ(0, sgf_write_str(path, "- - -"));
	for (i = 0; i < 100 && sgf_device_of_host(host, hctl, sizeof(hctl)); i++)
		usleep(100000);
	EXPECT_EQ(0, sgf_device_of_host(host, hctl, sizeof(hctl)));
	snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/unpriv_sgio", hctl);
	EXPECT_EQ(0, sysfs_read_flag(path));

	/* scsi_debug removes the host it added last */
	EXPECT_EQ(0, sgf_write_str(SDEBUG_ADD_HOST, "-1"));
}

/*
 * The queue file exists only where SG_IO honours it: a value written on a
 * loop (or dm, md, nvme) device would be accepted and ignored.
 */
TEST(flag_only_on_scsi_queues)
{
	struct sgf_dev dev = {};
	const char *disk;
	char path[PATH_MAX];
	int err;

	if (access("/sys/block/loop0", F_OK))
		SKIP(return, "no loop device (CONFIG_BLK_DEV_LOOP)");
	ASSERT_NE(0, access("/sys/block/loop0/queue/unpriv_sgio", F_OK));
	ASSERT_EQ(ENOENT, errno);
	ASSERT_EQ(0, access("/sys/block/loop0/queue/nomerges", F_OK));
	SGF_DEV_GET(&dev, "SGF_DISK", SGF_TYPE_DISK);
	disk = getenv("SGF_DISK");
	if (!disk)
		SKIP(return, "SGF_DISK is not set");
	err = queue_flag_path(disk, path, sizeof(path));
	if (!err && access(path, F_OK))
		err = -errno;
	sgf_dev_put(&dev);
	ASSERT_EQ(0, err) TH_LOG("%s", path);
}

/* --- persistent reservations as the unprivileged user --------------------- */

FIXTURE(pr) {
	struct sgf_dev dev;
	const char *blk, *node;
	char queue[256];
};

FIXTURE_VARIANT(pr) {
	const char *env;
	enum entry entry;
	bool writer;
};

FIXTURE_VARIANT_ADD(pr, sd_writer) { .env = "SGF_LIO", .writer = true };
FIXTURE_VARIANT_ADD(pr, sd_reader) { .env = "SGF_LIO", .writer = false };
FIXTURE_VARIANT_ADD(pr, bsg_writer) {
	.env = "SGF_LIO_BSG", .entry = ENTRY_BSG, .writer = true,
};
FIXTURE_VARIANT_ADD(pr, bsg_reader) {
	.env = "SGF_LIO_BSG", .entry = ENTRY_BSG, .writer = false,
};
/* sg filters only read-only openers, so it has no writer variant */
FIXTURE_VARIANT_ADD(pr, sg_reader) { .env = "SGF_LIO_SG", .writer = false };

FIXTURE_SETUP(pr)
{
	SGF_DEV_GET(&self->dev, "SGF_LIO", SGF_LIO_DISK);
	self->blk = getenv("SGF_LIO");
	self->node = getenv(variant->env);
	if (!self->blk || !self->node)
		SKIP(return, "SGF_LIO or %s is not set (a LIO disk behind tcm_loop)",
		     variant->env);
	ASSERT_EQ(0, queue_flag_path(self->blk, self->queue, sizeof(self->queue)));
	ASSERT_EQ(0, sgf_write_str(self->queue, "0"));
	ASSERT_EQ(0, root_unregister(self->blk));
}

FIXTURE_TEARDOWN(pr)
{
	if (self->queue[0]) {
		sgf_write_str(self->queue, "0");
		root_unregister(self->blk);
	}
	sgf_dev_put(&self->dev);
}

TEST_F(pr, flag_off_register_is_refused)
{
	struct pr_cmd c = pr_out(PR_REGISTER_AND_IGNORE, 0, 0, KEY);

	ASSERT_EQ(-EPERM, user_pr(self->node, variant->entry, variant->writer, &c));
	c = pr_read_keys();
	ASSERT_EQ(-EPERM, user_pr(self->node, variant->entry, variant->writer, &c));
}

TEST_F(pr, flag_on_register_reserve_release)
{
	struct pr_cmd c = pr_out(PR_REGISTER_AND_IGNORE, 0, 0, KEY);

	/* written where libvirt writes it */
	ASSERT_EQ(0, sgf_write_str(self->queue, "1"));

	if (!variant->writer) {
		/* read-only openers stay on the class table */
		ASSERT_EQ(-EPERM, user_pr(self->node, variant->entry, false, &c));
		c = pr_read_keys();
		ASSERT_EQ(-EPERM, user_pr(self->node, variant->entry, false, &c));
		return;
	}
	ASSERT_EQ(0, user_pr(self->node, variant->entry, true, &c));
	c = pr_out(PR_RESERVE, PR_WRITE_EXCLUSIVE, KEY, 0);
	ASSERT_EQ(0, user_pr(self->node, variant->entry, true, &c));
	c = pr_read_keys();
	ASSERT_EQ(0, user_pr(self->node, variant->entry, true, &c));
	ASSERT_TRUE(has_key(&c, KEY));
	ASSERT_EQ(0, root_read_keys(self->blk, &c));
	ASSERT_TRUE(has_key(&c, KEY)) TH_LOG("root does not see the key");
	c = pr_out(PR_RELEASE, PR_WRITE_EXCLUSIVE, KEY, 0);
	ASSERT_EQ(0, user_pr(self->node, variant->entry, true, &c));

	/* and off again: refused again */
	ASSERT_EQ(0, sgf_write_str(self->queue, "0"));
	c = pr_out(PR_REGISTER_AND_IGNORE, 0, 0, KEY);
	ASSERT_EQ(-EPERM, user_pr(self->node, variant->entry, true, &c));
}

TEST_HARNESS_MAIN
