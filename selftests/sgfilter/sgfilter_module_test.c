// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter selftests: the policy module, sgfilter.ko.
 *
 * Runs as root, loads and unloads the module with modprobe, and sends the
 * unprivileged commands from children that switch to SGF_UID (default 1000)
 * with the supplementary group SGF_GID (default 6), which may open the nodes.
 *
 *   SGF_DISK_BSG     bsg node of a scsi_debug disk (lbpu=1), SGF_DISK its
 *                    block node
 *   SGF_CDROM_BSG    bsg node of a CD-ROM, SGF_CDROM its block node
 *   SGF_LIO_BSG      bsg node of a LIO disk with persistent reservations
 *
 * Without SGF_DISK*, the test adds a scsi_debug disk of its own, and
 * without SGF_LIO* the tests that need it a LIO disk of their own
 * (common.h); what needs the CD-ROM is skipped without it.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/cdrom.h>
#include <scsi/scsi_ioctl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "common.h"

#define SYSFS		"/sys/kernel/sgfilter"
#define KEY		0x5367666d6f64ULL
#define SCRATCH_LBA	2048

/* --- helpers -------------------------------------------------------------- */

struct cmd {
	uint8_t cdb[16];
	unsigned int len;
	int dir;		/* 0 none, 1 in, 2 out */
	uint8_t data[512];
	unsigned int xfer;
};

/* SG_IO v4: -errno if the ioctl failed, else the SCSI status */
static int send_bsg(int fd, struct cmd *c)
{
	return sgf_bsg(fd, c->cdb, c->len, (enum sgf_dir)c->dir, c->data, c->xfer);
}

struct send_job {
	const char *uid, *comm, *node;
	bool writer;
	struct cmd *c;
};

static int send_job(void *arg)
{
	const struct send_job *j = arg;
	int fd, ret;

	if (j->uid)
		setenv("SGF_UID", j->uid, 1);
	if (j->comm)
		prctl(PR_SET_NAME, j->comm);
	sgf_drop_to_user();
	fd = open(j->node, j->writer ? O_RDWR : O_RDONLY);
	if (fd < 0)
		return 201;
	ret = send_bsg(fd, j->c);
	/* 0-127: -errno; 128+: status + 128 */
	return ret < 0 ? -ret : 128 + ret;
}

/*
 * Send @c to @node as the unprivileged user @uid (NULL: SGF_UID), named
 * @comm if not NULL: what send_bsg() returned
 */
static int user_send_as(const char *uid, const char *comm, const char *node,
			bool writer, struct cmd *c)
{
	struct send_job job = { uid, comm, node, writer, c };
	/* the job becomes the user itself, after naming itself */
	int status = sgf_run_child(NULL, send_job, &job);

	if (status < 0)
		return status;
	return status >= 200 ? -ECHILD : status >= 128 ? status - 128 : -status;
}

static int user_send(const char *node, bool writer, struct cmd *c)
{
	return user_send_as(NULL, NULL, node, writer, c);
}

struct ioctl_job {
	const char *node;
	unsigned long req, arg;
};

static int ioctl_job(void *arg)
{
	const struct ioctl_job *j = arg;
	int fd = open(j->node, O_RDONLY | O_NONBLOCK);

	if (fd < 0)
		return 201;
	return ioctl(fd, j->req, j->arg) < 0 && errno == EPERM ? 1 : 0;
}

/* An ioctl on @node, read-only, as the user: -EPERM, or 0 if it went out */
static int user_ioctl(const char *node, unsigned long req, unsigned long arg)
{
	struct ioctl_job job = { node, req, arg };
	int status = sgf_run_as_user(ioctl_job, &job);

	if (status < 0)
		return status;
	return status >= 200 ? -ECHILD : status ? -EPERM : 0;
}

/*
 * Whether the kernel log, from @fd (opened before the event and set to
 * its end), has a record with every string of the NULL-terminated @needles
 */
static bool kmsg_has(int fd, const char *const *needles)
{
	char line[1024];
	bool found = false;
	ssize_t n;

	while ((n = read(fd, line, sizeof(line) - 1)) > 0) {
		const char *const *p;

		line[n] = '\0';
		for (p = needles; *p && strstr(line, *p); p++)
			;
		found |= !*p;
	}
	return found;
}

#define KMSG_HAS(fd, ...) kmsg_has(fd, (const char *const[]){ __VA_ARGS__, NULL })

static int kmsg_open(void)
{
	int fd = open("/dev/kmsg", O_RDONLY | O_NONBLOCK);

	if (fd >= 0)
		lseek(fd, 0, SEEK_END);
	return fd;
}

static int root_send(const char *node, struct cmd *c)
{
	int fd = open(node, O_RDWR), ret;

	if (fd < 0)
		return -errno;
	ret = send_bsg(fd, c);
	close(fd);
	return ret;
}

static int modprobe(bool load)
{
	return system(load ? "modprobe sgfilter" : "rmmod sgfilter");
}

/* CDBs */
static struct cmd tur(void) { return (struct cmd){ .cdb = { 0x00 }, .len = 6 }; }

static struct cmd unmap(uint32_t lba)
{
	struct cmd c = { .cdb = { 0x42, 0, 0, 0, 0, 0, 0, 0, 24 }, .len = 10,
			 .dir = 2, .xfer = 24 };

	c.data[1] = 22;
	c.data[3] = 16;
	c.data[12] = lba >> 24;
	c.data[13] = lba >> 16;
	c.data[14] = lba >> 8;
	c.data[15] = lba;
	c.data[19] = 1;
	return c;
}

static struct cmd pr_out(uint8_t sa, uint8_t type, uint64_t key, uint64_t sa_key)
{
	struct cmd c = { .cdb = { 0x5f, sa, type, 0, 0, 0, 0, 0, 24 }, .len = 10,
			 .dir = 2, .xfer = 24 };
	int i;

	for (i = 0; i < 8; i++) {
		c.data[i] = key >> (56 - 8 * i);
		c.data[8 + i] = sa_key >> (56 - 8 * i);
	}
	return c;
}

static struct cmd pr_in_read_keys(void)
{
	return (struct cmd){ .cdb = { 0x5e, 0, 0, 0, 0, 0, 0, 0, 32 }, .len = 10,
			     .dir = 1, .xfer = 32 };
}

/* --- the sample of commands the defaults are compared on ------------------ */

static const struct sample {
	const char *env, *what;
	struct cmd (*make)(void);
} samples[] = {
	{ "SGF_DISK_BSG", "TEST UNIT READY", tur },
	{ "SGF_DISK_BSG", "READ(10)", NULL },
	{ "SGF_DISK_BSG", "UNMAP", NULL },
	{ "SGF_DISK_BSG", "SANITIZE", NULL },
	{ "SGF_DISK_BSG", "ATA PASS-THROUGH(12)", NULL },
	{ "SGF_LIO_BSG", "PERSISTENT RESERVE IN", pr_in_read_keys },
	{ "SGF_CDROM_BSG", "SEND KEY", NULL },
	{ "SGF_CDROM_BSG", "READ SUB-CHANNEL", NULL },
};

static struct cmd sample_cmd(const struct sample *s)
{
	struct cmd c = { .len = 10 };

	if (s->make)
		return s->make();
	if (!strcmp(s->what, "READ(10)"))
		c = (struct cmd){ .cdb = { 0x28, 0, 0, 0, 0, 0, 0, 0, 1 }, .len = 10,
				  .dir = 1, .xfer = 512 };
	else if (!strcmp(s->what, "UNMAP"))
		c = unmap(SCRATCH_LBA);
	else if (!strcmp(s->what, "SANITIZE"))
		c = (struct cmd){ .cdb = { 0x48, 0x01 }, .len = 10 };
	else if (!strcmp(s->what, "ATA PASS-THROUGH(12)"))
		c = (struct cmd){ .cdb = { 0xa1, 3 << 1, 0x20, 0, 0, 0, 0, 0, 0, 0xe5 },
				  .len = 12 };
	else if (!strcmp(s->what, "SEND KEY"))
		c = (struct cmd){ .cdb = { 0xa3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x3f }, .len = 12 };
	else if (!strcmp(s->what, "READ SUB-CHANNEL"))
		c = (struct cmd){ .cdb = { 0x42, 0, 0x40, 1, 0, 0, 0, 0, 16 }, .len = 10,
				  .dir = 1, .xfer = 16 };
	return c;
}

/* EPERM or not, for the unprivileged reader and writer of each sample */
static int verdicts(bool out[][2], unsigned int *n)
{
	unsigned int i, w;

	*n = 0;
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		const char *node = getenv(samples[i].env);

		if (!node)
			continue;
		for (w = 0; w < 2; w++) {
			struct cmd c = sample_cmd(&samples[i]);
			int ret = user_send(node, w, &c);

			if (ret < 0 && ret != -EPERM)
				return ret;
			out[i][w] = ret == -EPERM;
		}
		(*n)++;
	}
	return 0;
}

/* --- with the module loaded --------------------------------------------- */

FIXTURE(module) {
	struct sgf_dev dev, lio_dev;
	const char *disk, *lio;
	bool stock;	/* the module's stock backend: no built-in tables */
};

FIXTURE_SETUP(module)
{
	const char *why = sgf_dev_get(_metadata, &self->dev, "SGF_DISK", SGF_TYPE_DISK);

	/* the tests that need the disk say so; the others run without it */
	if (why)
		TH_LOG("no disk: %s", why);
	self->disk = getenv("SGF_DISK_BSG");
	self->lio = getenv("SGF_LIO_BSG");
	if (modprobe(true))
		SKIP(return, "sgfilter.ko does not load");
	self->stock = sgf_stock_backend();
	ASSERT_EQ(0, sgf_write_str(SYSFS "/reset_counters", "1"));
}

FIXTURE_TEARDOWN(module)
{
	if (self->lio) {
		struct cmd c = pr_out(0x06, 0, 0, 0);	/* unregister */

		root_send(self->lio, &c);
	}
	modprobe(false);
	sgf_dev_put(&self->lio_dev);
	sgf_dev_put(&self->dev);
}

/* In a test: self->lio, SGF_LIO_BSG or a LIO disk made for the test */
#define MODULE_LIO_GET() do {						\
	SGF_DEV_GET(&self->lio_dev, "SGF_LIO", SGF_LIO_DISK);		\
	self->lio = getenv("SGF_LIO_BSG");				\
	if (!self->lio)							\
		SKIP(return, "SGF_LIO_BSG is not set");			\
} while (0)

TEST_F(module, defaults_equal_builtin)
{
	bool builtin[8][2] = {}, loaded[8][2] = {};
	unsigned int n, m, i;

	if (self->stock)
		SKIP(return, "a stock kernel has mainline's list without the module, no built-in tables");
	ASSERT_EQ(0, modprobe(false));
	ASSERT_EQ(0, verdicts(builtin, &n));
	ASSERT_EQ(0, modprobe(true));
	ASSERT_EQ(0, verdicts(loaded, &m));
	ASSERT_EQ(n, m);
	ASSERT_LT(0, n) TH_LOG("no device to compare on");
	for (i = 0; i < sizeof(samples) / sizeof(samples[0]); i++) {
		EXPECT_EQ(builtin[i][0], loaded[i][0]) TH_LOG("%s, reader", samples[i].what);
		EXPECT_EQ(builtin[i][1], loaded[i][1]) TH_LOG("%s, writer", samples[i].what);
	}
	/* the sample has both verdicts in it, or the comparison proves little */
	EXPECT_TRUE(builtin[2][0] && !builtin[2][1]) TH_LOG("UNMAP: reader denied, writer not");
}

TEST_F(module, allow_pr_out_to_disk_writers)
{
	struct cmd c = pr_out(0x06, 0, 0, KEY);

	MODULE_LIO_GET();
	ASSERT_EQ(-EPERM, user_send(self->lio, true, &c));

	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/allow", "0x5f write\n"));
	ASSERT_EQ(0, user_send(self->lio, true, &c));		/* GOOD */
	c = pr_in_read_keys();
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/allow", "0x5e read"));
	ASSERT_EQ(0, user_send(self->lio, false, &c));
	c = pr_out(0x06, 0, 0, KEY);
	ASSERT_EQ(-EPERM, user_send(self->lio, false, &c)) TH_LOG("a reader may not register");

	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/deny", "0x5f"));
	ASSERT_EQ(-EPERM, user_send(self->lio, true, &c));
}

TEST_F(module, service_action_granularity)
{
	struct cmd reg = pr_out(0x00, 0, 0, KEY), reserve = pr_out(0x01, 0x01, KEY, 0);

	MODULE_LIO_GET();
	/* REGISTER (service action 0) only */
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/allow", "0x5f/0x00 write"));
	ASSERT_EQ(0, user_send(self->lio, true, &reg));
	ASSERT_EQ(-EPERM, user_send(self->lio, true, &reserve));
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/allow", "0x5f/0x01 write"));
	ASSERT_EQ(0, user_send(self->lio, true, &reserve));
}

TEST_F(module, counters_move)
{
	struct cmd c = unmap(0);
	char buf[4096];

	if (!self->disk)
		SKIP(return, "SGF_DISK_BSG is not set");
	ASSERT_EQ(0, sgf_read_long(SYSFS "/disk/denied"));
	ASSERT_EQ(-EPERM, user_send(self->disk, false, &c));
	ASSERT_EQ(1, sgf_read_long(SYSFS "/disk/denied"));
	/* an allowed command is not counted: the kernel decides it alone */
	c = tur();
	ASSERT_EQ(0, user_send(self->disk, false, &c));
	ASSERT_EQ(1, sgf_read_long(SYSFS "/disk/denied"));
	ASSERT_EQ(-1, access(SYSFS "/disk/allowed", F_OK));
	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/denied_opcodes", buf, sizeof(buf)));
	ASSERT_STREQ("0x42 1\n", buf);
	/* root's commands never reach the table */
	c = unmap(SCRATCH_LBA);
	ASSERT_EQ(0, root_send(self->disk, &c));
	ASSERT_EQ(1, sgf_read_long(SYSFS "/disk/denied"));
	ASSERT_EQ(0, sgf_write_str(SYSFS "/reset_counters", "1"));
	ASSERT_EQ(0, sgf_read_long(SYSFS "/disk/denied"));
	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/denied_opcodes", buf, sizeof(buf)));
	ASSERT_STREQ("", buf);
}

TEST_F(module, denial_is_logged)
{
	struct cmd c = unmap(0);
	char want_uid[32];
	bool found;
	int fd;

	if (!self->disk)
		SKIP(return, "SGF_DISK_BSG is not set");
	fd = kmsg_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EPERM, user_send(self->disk, false, &c));
	snprintf(want_uid, sizeof(want_uid), "uid %s:", getenv("SGF_UID") ?: "1000");
	found = KMSG_HAS(fd, "sgfilter: denied", want_uid, "class disk: 0x42 ", "read-only");
	close(fd);
	ASSERT_TRUE(found);
}

TEST_F(module, bad_writes_change_nothing)
{
	static const struct { const char *file, *val; } bad[] = {
		{ "allow", "banana" }, { "allow", "0x5f" }, { "allow", "0x5f fly" },
		{ "allow", "0x100 read" }, { "allow", "0x28/0x01 read" },
		{ "allow", "0x5f/0x20 write" }, { "allow", "0x7f/0x0100 write" },
		{ "allow", "\n" }, { "allow", "0x5f read write" },
		{ "deny", "0x5f write" }, { "deny", "zz" }, { "deny", "0x1ff" },
		{ "deny", "\n" }, { "reset", "0" }, { "reset", "2" },
		{ "reset", "yes" }, { "reset", "\n" }, { "reset", "+1" },
		{ "reset", "01" },
	};
	char before[32768], after[32768], path[128];
	unsigned int i;

	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/table", before, sizeof(before)));
	ASSERT_NE(0, strlen(before));
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(path, sizeof(path), SYSFS "/disk/%s", bad[i].file);
		EXPECT_EQ(-EINVAL, sgf_write_str(path, bad[i].val))
			TH_LOG("%s <- \"%s\"", bad[i].file, bad[i].val);
	}
	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/table", after, sizeof(after)));
	ASSERT_STREQ(before, after);
	/* and a good one does change it, then reset undoes it */
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/allow", "0x5e read"));
	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/table", after, sizeof(after)));
	ASSERT_STRNE(before, after);
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/reset", "1"));
	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/table", after, sizeof(after)));
	ASSERT_STREQ(before, after);
}

TEST_F(module, user_may_read_not_write)
{
	static const char *const files[] = {
		SYSFS "/disk/allow", SYSFS "/disk/deny", SYSFS "/disk/reset",
		SYSFS "/reset_counters",
	};
	char before[32768], after[32768];
	unsigned int i;
	int status;
	pid_t pid;

	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/table", before, sizeof(before)));
	pid = fork();
	ASSERT_LE(0, pid);
	if (!pid) {
		char buf[32768];

		sgf_drop_to_user();
		for (i = 0; i < sizeof(files) / sizeof(files[0]); i++)
			if (sgf_write_str(files[i], i ? "1" : "0x5f write") != -EACCES)
				_exit(1 + i);
		if (sgf_read_file(SYSFS "/disk/table", buf, sizeof(buf)) || !buf[0] ||
		    sgf_read_long(SYSFS "/disk/generation") < 0)
			_exit(10);
		/* who was refused what is root's business */
		if (sgf_read_file(SYSFS "/disk/denied", buf, sizeof(buf)) != -EACCES ||
		    sgf_read_file(SYSFS "/disk/denied_opcodes", buf, sizeof(buf)) != -EACCES)
			_exit(11);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_EQ(0, WEXITSTATUS(status));
	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/table", after, sizeof(after)));
	ASSERT_STREQ(before, after);
}

TEST_F(module, counters_are_root_only)
{
	static const char *const files[] = { "denied", "denied_opcodes" };
	char path[128];
	struct stat st;
	unsigned int i;

	for (i = 0; i < sizeof(files) / sizeof(files[0]); i++) {
		snprintf(path, sizeof(path), SYSFS "/disk/%s", files[i]);
		ASSERT_EQ(0, stat(path, &st));
		EXPECT_EQ(0400, st.st_mode & 0777) TH_LOG("%s", path);
	}
	ASSERT_EQ(0, stat(SYSFS "/disk/table", &st));
	EXPECT_EQ(0444, st.st_mode & 0777);
	ASSERT_EQ(0, stat(SYSFS "/disk/generation", &st));
	EXPECT_EQ(0444, st.st_mode & 0777);
}

/* Every replacement of a table moves its generation; a refused edit not */
TEST_F(module, generation_moves)
{
	long g = sgf_read_long(SYSFS "/disk/generation");

	ASSERT_LE(0, g);
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/allow", "0x5e read"));
	ASSERT_EQ(g + 1, sgf_read_long(SYSFS "/disk/generation"));
	ASSERT_EQ(-EINVAL, sgf_write_str(SYSFS "/disk/allow", "banana"));
	ASSERT_EQ(g + 1, sgf_read_long(SYSFS "/disk/generation"));
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/deny", "0x5e"));
	ASSERT_EQ(g + 2, sgf_read_long(SYSFS "/disk/generation"));
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/load", "0x00 read\n"));
	ASSERT_EQ(g + 3, sgf_read_long(SYSFS "/disk/generation"));
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/reset", "1"));
	ASSERT_EQ(g + 4, sgf_read_long(SYSFS "/disk/generation"));
	/* another class's generation did not move */
	ASSERT_EQ(sgf_read_long(SYSFS "/tape/generation"), sgf_read_long(SYSFS "/tape/generation"));
}

/* A CDB of no bytes is denied and logged as such, not as TEST UNIT READY */
TEST_F(module, empty_cdb)
{
	struct cmd c = { .len = 0 };
	char buf[4096];
	int fd;

	if (!self->disk)
		SKIP(return, "SGF_DISK_BSG is not set");
	fd = kmsg_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EPERM, user_send(self->disk, false, &c));
	ASSERT_EQ(1, sgf_read_long(SYSFS "/disk/denied"));
	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/denied_opcodes", buf, sizeof(buf)));
	ASSERT_STREQ("", buf);
	EXPECT_TRUE(KMSG_HAS(fd, "sgfilter: denied", "empty CDB", "read-only"));
	close(fd);
	/* and the twin: one byte of CDB is TEST UNIT READY, allowed */
	c = tur();
	c.len = 1;
	ASSERT_EQ(0, user_send(self->disk, false, &c));
}

/* Any user names their tasks: the log must not print the name raw */
TEST_F(module, task_name_is_escaped)
{
	struct cmd c = unmap(0);
	int fd;

	if (!self->disk)
		SKIP(return, "SGF_DISK_BSG is not set");
	fd = kmsg_open();
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EPERM, user_send_as("1002", "x\ny z[1]", self->disk, false, &c));
	EXPECT_TRUE(KMSG_HAS(fd, "sgfilter: denied x?y?z?1?[", "uid 1002:", "0x42"));
	close(fd);
}

/* One user's denials do not silence the log for another */
TEST_F(module, log_rate_limit_is_per_user)
{
	struct cmd c = unmap(0);
	int fd, i;

	if (!self->disk)
		SKIP(return, "SGF_DISK_BSG is not set");
	fd = kmsg_open();
	ASSERT_LE(0, fd);
	/* more than the burst of 10 in 5 s */
	for (i = 0; i < 15; i++)
		ASSERT_EQ(-EPERM, user_send_as("1000", NULL, self->disk, false, &c));
	ASSERT_EQ(-EPERM, user_send_as("1001", NULL, self->disk, false, &c));
	EXPECT_TRUE(KMSG_HAS(fd, "sgfilter: denied", "uid 1001:", "0x42"));
	close(fd);
	/* and the counters saw all of them */
	ASSERT_EQ(16, sgf_read_long(SYSFS "/disk/denied"));
}

/* The commands ioctls send follow the module's tables too */
TEST_F(module, ioctl_commands_follow_the_tables)
{
	const char *disk = getenv("SGF_DISK"), *cdrom = getenv("SGF_CDROM");
	char buf[4096];

	if (!disk || !cdrom)
		SKIP(return, "SGF_DISK or SGF_CDROM is not set");
	/* SCSI_IOCTL_DOORLOCK sends PREVENT ALLOW MEDIUM REMOVAL, a write */
	ASSERT_EQ(-EPERM, user_ioctl(disk, SCSI_IOCTL_DOORLOCK, 0));
	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/denied_opcodes", buf, sizeof(buf)));
	ASSERT_STREQ("0x1e 1\n", buf);
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/allow", "0x1e read"));
	ASSERT_EQ(0, user_ioctl(disk, SCSI_IOCTL_DOORLOCK, 0));
	ASSERT_EQ(0, user_ioctl(disk, SCSI_IOCTL_DOORUNLOCK, 0));
	/* the two it allowed are not counted as denied */
	ASSERT_EQ(0, sgf_read_file(SYSFS "/disk/denied_opcodes", buf, sizeof(buf)));
	ASSERT_STREQ("0x1e 1\n", buf);
	/* CDROM_LOCKDOOR sends PREVENT ALLOW MEDIUM REMOVAL, a write by default */
	ASSERT_EQ(-EPERM, user_ioctl(cdrom, CDROM_LOCKDOOR, 0));
	ASSERT_EQ(0, sgf_write_str(SYSFS "/cdrom/allow", "0x1e read"));
	ASSERT_EQ(0, user_ioctl(cdrom, CDROM_LOCKDOOR, 0));
}

/* Unloading restores the built-in tables, whatever was edited. */
TEST_F(module, unload_restores_builtin)
{
	struct cmd c = pr_out(0x06, 0, 0, KEY);

	MODULE_LIO_GET();
	ASSERT_EQ(0, sgf_write_str(SYSFS "/disk/allow", "0x5f write"));
	ASSERT_EQ(0, user_send(self->lio, true, &c));
	ASSERT_EQ(0, modprobe(false));
	ASSERT_EQ(-EPERM, user_send(self->lio, true, &c));
}

/* --- load and unload under load -------------------------------------------- */

/* load/unload cycles: $SGF_MODULE_RELOADS, default 50 */
#define RELOADS 50

/* What the two sending processes share with the test (mmap'd) */
struct hammer_log {
	unsigned long phase;		/* sgio_util.h: the module's state */
	struct {
		unsigned long seen;	/* the last even phase a round ran wholly in */
		/* the user's UNMAP while the module came or went: allowed, refused */
		unsigned long changing[2];
		unsigned long unloaded_allowed, loaded_refused;
	} p[2];
};

/*
 * Send TEST UNIT READY (allowed to all) and UNMAP as root (allowed) or as a
 * reader until killed; exit non-zero at the first wrong verdict. A reader's
 * UNMAP is refused with the module loaded (its copy of the tables) and, on
 * the patched kernel, unloaded too (the built-in table). A stock kernel
 * without the module has mainline's list, on which 0x42 is READ SUB-CHANNEL,
 * allowed to every opener ("case GPCMD_READ_SUBCHANNEL:" in the read-safe
 * part of scsi_cmd_allowed(), 6.1 and 6.12): there it must pass, and while
 * the module comes or goes it may go either way (counted). Exit status: 3
 * TUR failed, 4 root's UNMAP failed, 5 an error other than EPERM, 6 the
 * reader's UNMAP passed while loaded, 7 while unloaded it got the other
 * verdict than the backend's unloaded list gives, 8 it passed on the
 * patched kernel while the module came or went.
 */
static void hammer(const char *node, bool as_user, bool stock, struct hammer_log *log)
{
	int fd, i = as_user;

	if (as_user)
		sgf_drop_to_user();
	fd = open(node, O_RDONLY);
	if (fd < 0)
		_exit(2);
	for (;;) {
		unsigned long p = sgf_phase_read(&log->phase);
		struct cmd t = tur(), u = unmap(0);
		enum sgf_mod_state s;
		int ret;

		if (send_bsg(fd, &t) < 0)
			_exit(3);
		ret = send_bsg(fd, &u);
		s = sgf_phase_state(p, sgf_phase_read(&log->phase));
		if (!as_user && ret)
			_exit(4);
		if (ret < 0 && ret != -EPERM)
			_exit(5);
		if (as_user && s == SGF_MOD_LOADED && ret != -EPERM)
			_exit(6);
		if (as_user && s == SGF_MOD_UNLOADED && (ret == -EPERM) == stock)
			_exit(7);
		if (as_user && s == SGF_MOD_CHANGING && !stock && ret != -EPERM)
			_exit(8);
		if (as_user && s == SGF_MOD_CHANGING)
			log->p[i].changing[ret == -EPERM]++;
		log->p[i].unloaded_allowed += s == SGF_MOD_UNLOADED && ret >= 0;
		log->p[i].loaded_refused += s == SGF_MOD_LOADED && ret == -EPERM;
		if (s != SGF_MOD_CHANGING)
			__atomic_store_n(&log->p[i].seen, p, __ATOMIC_SEQ_CST);
	}
}

/*
 * Until both senders sent a whole round in the current phase: true, or
 * false if one of them has ended (not reaped: the test looks at it later).
 * No time limit: under TCG on a busy host a round may take seconds; a hang
 * is the test's timeout's to catch.
 */
static bool hammers_saw(struct hammer_log *log, const pid_t *pids)
{
	unsigned long p = sgf_phase_read(&log->phase);
	struct timespec pause = { 0, 2000000 };
	int i;

	for (i = 0; i < 2; i++) {
		while (__atomic_load_n(&log->p[i].seen, __ATOMIC_SEQ_CST) != p) {
			siginfo_t info = { 0 };

			if (waitid(P_PID, pids[i], &info, WEXITED | WNOHANG | WNOWAIT) ||
			    info.si_pid == pids[i])
				return false;
			nanosleep(&pause, NULL);
		}
	}
	return true;
}

FIXTURE(reload) {
	struct sgf_dev dev;
};

FIXTURE_SETUP(reload)
{
	const char *why = sgf_dev_get(_metadata, &self->dev, "SGF_DISK", SGF_TYPE_DISK);

	if (why)
		TH_LOG("no disk: %s", why);
}

FIXTURE_TEARDOWN(reload)
{
	sgf_dev_put(&self->dev);
}

/*
 * 50 cycles take 30 s on the debug kernel under TCG, and 285 s with
 * CONFIG_DEBUG_KOBJECT_RELEASE, where every unload waits 1-4 s for the
 * module's own kobject: make vm-lifetime runs fewer. Each state is waited
 * in until both senders have sent a command wholly in it, so every cycle
 * checks both.
 */
TEST_F_TIMEOUT(reload, under_load, 300)
{
	const char *env = getenv("SGF_MODULE_RELOADS");
	int reloads = env ? atoi(env) : RELOADS;

	const char *disk = getenv("SGF_DISK_BSG");
	struct hammer_log *log;
	struct timespec t0, t1;
	pid_t pids[2];
	bool stock;
	int i, status;

	if (!disk)
		SKIP(return, "SGF_DISK_BSG is not set");
	/* which backend: the module says, once loaded */
	ASSERT_EQ(0, modprobe(true));
	stock = sgf_stock_backend();
	ASSERT_EQ(0, modprobe(false));
	modprobe(false);
	log = mmap(NULL, sizeof(*log), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ASSERT_NE(MAP_FAILED, log);
	memset(log, 0, sizeof(*log));
	log->p[0].seen = -1UL;
	log->p[1].seen = -1UL;
	for (i = 0; i < 2; i++) {
		pids[i] = fork();
		ASSERT_LE(0, pids[i]);
		if (!pids[i]) {
			/* and go with the test, should it time out */
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			hammer(disk, i == 1, stock, log);
		}
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (i = 0; i < reloads; i++) {
		sgf_phase_next(&log->phase);
		ASSERT_EQ(0, modprobe(true));
		sgf_phase_next(&log->phase);
		if (!hammers_saw(log, pids))
			break;	/* a sender ended: said below, with its status */
		sgf_phase_next(&log->phase);
		ASSERT_EQ(0, modprobe(false));
		sgf_phase_next(&log->phase);
		if (!hammers_saw(log, pids))
			break;
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	for (i = 0; i < 2; i++) {
		ASSERT_EQ(0, waitpid(pids[i], &status, WNOHANG))
			TH_LOG("the %s process stopped early: %d", i ? "user" : "root",
			       WEXITSTATUS(status));
		kill(pids[i], SIGKILL);
		waitpid(pids[i], &status, 0);
	}
	TH_LOG("%d load/unload cycles in %ld ms with two processes sending SG_IO (%s backend)",
	       reloads, (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000,
	       stock ? "stock" : "patched");
	/* the protection, and on a stock kernel the stock behaviour, both seen */
	if (reloads)
		EXPECT_LT(0, log->p[1].loaded_refused);
	if (stock) {
		if (reloads)
			EXPECT_LT(0, log->p[1].unloaded_allowed);
		TH_LOG("the user's UNMAP while the module came or went: %lu allowed, %lu refused",
		       log->p[1].changing[0], log->p[1].changing[1]);
	} else {
		EXPECT_EQ(0, log->p[1].unloaded_allowed);
	}
}

TEST_HARNESS_MAIN
