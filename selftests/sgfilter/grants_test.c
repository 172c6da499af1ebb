// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device grants: /sys/bus/scsi/devices/<H:C:T:L>/sgio_grants, which
 * sgfilter.ko adds to every SCSI device (on a patched kernel and on the
 * stock backend alike).
 *
 * Two scsi_debug disks of the same class, A and B, made here (root). A gets
 * the "pr" profile's entries; the unprivileged test user then sends
 * PERSISTENT RESERVE IN/OUT to both. scsi_debug does not implement
 * persistent reservations: a command the filter lets through comes back
 * with CHECK CONDITION (a status >= 0), one it refuses fails with EPERM,
 * which is all these tests look at. Real reservations through a grant are
 * the VM's qemu_client suite's.
 *
 * Loads sgfilter.ko if it is not loaded (and unloads it after).
 */
#define _GNU_SOURCE
#include <sys/ioctl.h>

#include "common.h"

#define PR_IN_READ_KEYS		0x00
#define PR_OUT_REGISTER		0x00

/* The entries of sgfilterctl's "pr" profile, as sgio_grants lists them */
#define GRANT_PR		"0x5e read\n0x5f write\n"

static const uint8_t pr_out_register[10] = {
	0x5f, PR_OUT_REGISTER, 0, 0, 0, 0, 0, 0, 24, 0
};
static const uint8_t pr_in_read_keys[10] = {
	0x5e, PR_IN_READ_KEYS, 0, 0, 0, 0, 0, 0, 64, 0
};
/* WRITE BUFFER, download microcode: never for a user, granted "pr" or not */
static const uint8_t write_buffer[10] = { 0x3b, 0x05, 0, 0, 0, 0, 0, 0, 0, 0 };
/* SANITIZE, overwrite (disks key it by service action) */
static const uint8_t sanitize[10] = { 0x48, 0x01, 0, 0, 0, 0, 0, 0, 0, 0 };

static bool module_loaded(void)
{
	return !access("/sys/kernel/sgfilter", F_OK);
}

/* The sgio_grants file of the device of block node @blk */
static int grants_path(const char *blk, char *buf, size_t len)
{
	char link[512], dev[256];
	ssize_t n;

	snprintf(link, sizeof(link), "/sys/class/block/%s/device", strrchr(blk, '/') + 1);
	n = readlink(link, dev, sizeof(dev) - 1);
	if (n < 0)
		return -errno;
	dev[n] = '\0';
	snprintf(buf, len, "/sys/bus/scsi/devices/%s/sgio_grants", strrchr(dev, '/') + 1);
	return 0;
}

FIXTURE(grants) {
	struct sgf_dev a, b;
	char a_grants[512], b_grants[512];
	bool loaded;
};

FIXTURE_SETUP(grants)
{
	const char *why;

	memset(&self->a, 0, sizeof(self->a));
	memset(&self->b, 0, sizeof(self->b));
	if (geteuid())
		SKIP(return, "needs root: it makes two scsi_debug disks");
	if (!module_loaded()) {
		if (system("modprobe sgfilter"))
			SKIP(return, "no sgfilter.ko");
		self->loaded = true;
	}
	/* the environment's disk, if any, is not ours to give grants to */
	unsetenv("SGF_DISK");
	unsetenv("SGF_DISK_SG");
	unsetenv("SGF_DISK_BSG");
	why = sgf_dev_get(_metadata, &self->a, "SGF_DISK", SGF_TYPE_DISK);
	if (why)
		SKIP(return, "%s", why);
	unsetenv("SGF_DISK");
	unsetenv("SGF_DISK_SG");
	unsetenv("SGF_DISK_BSG");
	why = sgf_dev_get(_metadata, &self->b, "SGF_DISK", SGF_TYPE_DISK);
	if (why)
		SKIP(return, "%s", why);
	ASSERT_EQ(0, grants_path(self->a.blk, self->a_grants, sizeof(self->a_grants)));
	ASSERT_EQ(0, grants_path(self->b.blk, self->b_grants, sizeof(self->b_grants)));
	ASSERT_EQ(0, access(self->a_grants, F_OK)) TH_LOG("no %s", self->a_grants);
}

FIXTURE_TEARDOWN(grants)
{
	/* the last host added goes first: B, then A */
	sgf_dev_put(&self->b);
	sgf_dev_put(&self->a);
	if (self->loaded)
		system("rmmod sgfilter");
}

struct send_args {
	const char *node;
	const uint8_t *cdb;
	enum sgf_dir dir;
	bool writer;
};

/* In the child: open, send, and exit 0 if allowed, 1 if EPERM, 2 otherwise */
static int send_job(void *arg)
{
	const struct send_args *a = arg;
	uint8_t buf[64] = {};
	int fd, ret;

	fd = open(a->node, (a->writer ? O_RDWR : O_RDONLY) | O_NONBLOCK);
	if (fd < 0)
		return 3;
	if (!strncmp(a->node, "/dev/bsg/", 9))
		ret = sgf_bsg(fd, a->cdb, 10, a->dir, buf, a->dir == SGF_DIR_IN ? 64 : 24);
	else
		ret = sgf_sg_io(fd, a->cdb, 10, a->dir, buf, a->dir == SGF_DIR_IN ? 64 : 24);
	close(fd);
	return ret >= 0 ? 0 : ret == -EPERM ? 1 : 2;
}

#define ALLOWED 0
#define DENIED 1

/* What the test user gets for @cdb on @node */
static int user_sends(const char *node, const uint8_t *cdb, enum sgf_dir dir, bool writer)
{
	struct send_args a = { node, cdb, dir, writer };

	return sgf_run_as_user(send_job, &a);
}

TEST_F(grants, none_by_default)
{
	char buf[256];

	ASSERT_EQ(0, sgf_read_file(self->a_grants, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	/* the disk table gives a user neither */
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_in_read_keys, SGF_DIR_IN, false));
}

TEST_F(grants, pr_on_one_device_only)
{
	ASSERT_EQ(0, sgf_write_str(self->a_grants, GRANT_PR));

	/*
	 * A's writers and readers get what the grant says, on every node
	 * (sg filters its readers only, as it always did)
	 */
	EXPECT_EQ(ALLOWED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
	EXPECT_EQ(ALLOWED, user_sends(self->a.bsg, pr_out_register, SGF_DIR_OUT, true));
	EXPECT_EQ(ALLOWED, user_sends(self->a.blk, pr_in_read_keys, SGF_DIR_IN, false));
	EXPECT_EQ(ALLOWED, user_sends(self->a.sg, pr_in_read_keys, SGF_DIR_IN, false));
	EXPECT_EQ(ALLOWED, user_sends(self->a.bsg, pr_in_read_keys, SGF_DIR_IN, false));
	/* PR OUT is granted to writers only */
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, false));
	EXPECT_EQ(DENIED, user_sends(self->a.bsg, pr_out_register, SGF_DIR_OUT, false));
	/* nothing else: firmware and sanitize stay refused */
	EXPECT_EQ(DENIED, user_sends(self->a.blk, write_buffer, SGF_DIR_NONE, true));
	EXPECT_EQ(DENIED, user_sends(self->a.blk, sanitize, SGF_DIR_NONE, true));
	/* B, same class, has no grant */
	EXPECT_EQ(DENIED, user_sends(self->b.blk, pr_out_register, SGF_DIR_OUT, true));
	EXPECT_EQ(DENIED, user_sends(self->b.bsg, pr_out_register, SGF_DIR_OUT, true));
	EXPECT_EQ(DENIED, user_sends(self->b.blk, pr_in_read_keys, SGF_DIR_IN, false));
	EXPECT_EQ(DENIED, user_sends(self->b.sg, pr_in_read_keys, SGF_DIR_IN, false));
	EXPECT_EQ(DENIED, user_sends(self->b.bsg, pr_in_read_keys, SGF_DIR_IN, false));
}

/*
 * The class table first, then the grants: what the grants allow is no
 * denial, and what neither allows is counted once, under its opcode
 */
TEST_F(grants, only_denials_are_counted)
{
	static const char opcodes[] = "/sys/kernel/sgfilter/disk/denied_opcodes";
	char buf[256];

	ASSERT_EQ(0, sgf_write_str(self->a_grants, GRANT_PR));
	ASSERT_EQ(0, sgf_write_str("/sys/kernel/sgfilter/reset_counters", "1"));
	EXPECT_EQ(ALLOWED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
	ASSERT_EQ(0, sgf_read_file(opcodes, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, false));
	ASSERT_EQ(0, sgf_read_file(opcodes, buf, sizeof(buf)));
	EXPECT_STREQ("0x5f 1\n", buf);
}

TEST_F(grants, revoke)
{
	char buf[256];

	ASSERT_EQ(0, sgf_write_str(self->a_grants, GRANT_PR));
	ASSERT_EQ(ALLOWED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
	/* a lone newline: no grants */
	ASSERT_EQ(0, sgf_write_str(self->a_grants, "\n"));
	ASSERT_EQ(0, sgf_read_file(self->a_grants, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_in_read_keys, SGF_DIR_IN, false));
}

TEST_F(grants, a_write_replaces_the_set)
{
	char buf[256];

	/* without 0x, out of order: listed in the table syntax, in order */
	ASSERT_EQ(0, sgf_write_str(self->a_grants, "5f write\n5e read\n"));
	ASSERT_EQ(0, sgf_read_file(self->a_grants, buf, sizeof(buf)));
	EXPECT_STREQ(GRANT_PR, buf);
	/* one service action of a keyed opcode */
	ASSERT_EQ(0, sgf_write_str(self->a_grants, "0x5e/0x00 read\n"));
	ASSERT_EQ(0, sgf_read_file(self->a_grants, buf, sizeof(buf)));
	EXPECT_STREQ("0x5e/0x00 read\n", buf);
	EXPECT_EQ(ALLOWED, user_sends(self->a.blk, pr_in_read_keys, SGF_DIR_IN, false));
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
}

TEST_F(grants, bad_writes_change_nothing)
{
	static const char *const bad[] = {
		"0x5f writ\n",			/* no such permission */
		"0x5f\n",			/* no permission */
		"0x12/0x01 read\n",		/* INQUIRY has no service action */
		"0x5f/0x20 write\n",		/* service actions end at 0x1f */
		"0x100 read\n",			/* no such opcode */
		"0x5e read\n0x5f bogus\n",	/* one bad line spoils the lot */
		"\n\n",
		"",
	};
	char buf[256];
	unsigned int i;

	ASSERT_EQ(0, sgf_write_str(self->a_grants, GRANT_PR));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int ret = sgf_write_str(self->a_grants, bad[i]);

		/* sysfs hands a store no empty write: that succeeds, storing nothing */
		EXPECT_EQ(bad[i][0] ? -EINVAL : 0, ret) TH_LOG("wrote \"%s\"", bad[i]);
		ASSERT_EQ(0, sgf_read_file(self->a_grants, buf, sizeof(buf)));
		EXPECT_STREQ(GRANT_PR, buf) TH_LOG("after \"%s\"", bad[i]);
	}
	EXPECT_EQ(ALLOWED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
}

static int write_job(void *arg)
{
	int ret = sgf_write_str(arg, "0x5f write\n");

	return ret == -EPERM ? 1 : ret == -EACCES ? 2 : ret ? 3 : 0;
}

static void drop_cap_sys_admin(void)
{
	if (sgf_drop_cap(CAP_SYS_ADMIN))
		_exit(200);
}

TEST_F(grants, only_root_writes)
{
	char buf[256];

	/* the user cannot open it for writing; root without CAP_SYS_ADMIN is refused */
	EXPECT_EQ(2, sgf_run_as_user(write_job, self->a_grants));
	EXPECT_EQ(1, sgf_run_child(drop_cap_sys_admin, write_job, self->a_grants));
	ASSERT_EQ(0, sgf_read_file(self->a_grants, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	/* ... and root with it may */
	EXPECT_EQ(0, sgf_run_child(NULL, write_job, self->a_grants));
	ASSERT_EQ(0, sgf_read_file(self->a_grants, buf, sizeof(buf)));
	EXPECT_STREQ("0x5f write\n", buf);
}

TEST_F(grants, the_flag_comes_first)
{
	char flag[600];

	/* with unpriv_sgio set, a writer may send anything, granted or not */
	snprintf(flag, sizeof(flag), "%.*s/unpriv_sgio",
		 (int)(strrchr(self->a_grants, '/') - self->a_grants), self->a_grants);
	ASSERT_EQ(0, sgf_write_str(self->a_grants, "0x5e read\n"));
	ASSERT_EQ(0, sgf_write_str(flag, "1"));
	EXPECT_EQ(ALLOWED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
	/* a reader stays on the grants and the table */
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, false));
	EXPECT_EQ(ALLOWED, user_sends(self->a.blk, pr_in_read_keys, SGF_DIR_IN, false));
	ASSERT_EQ(0, sgf_write_str(flag, "0"));
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
}

TEST_F(grants, go_with_the_device)
{
	char hctl[64], path[512] = "", buf[256];
	int i;

	ASSERT_EQ(0, sgf_write_str(self->b_grants, GRANT_PR));
	snprintf(hctl, sizeof(hctl), "%s", self->b.hctl);
	/* B goes (the last host added), and a new device takes its place */
	sgf_dev_put(&self->b);
	EXPECT_NE(0, access(self->b_grants, F_OK));
	ASSERT_EQ(0, sgf_write_str(SGF_SDEBUG "/add_host", "1"));
	self->b.added = true;
	for (i = 0; i < 50; i++) {
		if (!sgf_device_of_host(sgf_last_host(), hctl, sizeof(hctl))) {
			snprintf(path, sizeof(path), "/sys/bus/scsi/devices/%s/sgio_grants", hctl);
			if (!access(path, F_OK))
				break;
		}
		usleep(100000);
	}
	ASSERT_EQ(0, sgf_read_file(path, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
}

TEST_F(grants, go_with_the_module)
{
	char buf[256];

	if (!self->loaded)
		SKIP(return, "sgfilter.ko was loaded before the test: not unloading it");
	ASSERT_EQ(0, sgf_write_str(self->a_grants, GRANT_PR));
	ASSERT_EQ(0, system("rmmod sgfilter"));
	EXPECT_NE(0, access(self->a_grants, F_OK));
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
	ASSERT_EQ(0, system("modprobe sgfilter"));
	ASSERT_EQ(0, sgf_read_file(self->a_grants, buf, sizeof(buf)));
	EXPECT_STREQ("", buf);
	EXPECT_EQ(DENIED, user_sends(self->a.blk, pr_out_register, SGF_DIR_OUT, true));
}

TEST_HARNESS_MAIN
