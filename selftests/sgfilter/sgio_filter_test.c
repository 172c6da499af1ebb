// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter selftests: which commands reach a SCSI device through SG_IO.
 *
 * Run against real devices named by environment variables:
 *
 *   SGF_DISK       block node of a scsi_debug disk with lbpu=1 (/dev/sdX)
 *   SGF_DISK_SG    its sg node, SGF_DISK_BSG its bsg node
 *   SGF_CDROM      block node of a CD-ROM (/dev/srN)
 *   SGF_CDROM_SG   its sg node, SGF_CDROM_BSG its bsg node
 *
 * Without SGF_DISK*, root gets a scsi_debug disk of the test's own
 * (common.h); an unprivileged user skips what is not set, and so does
 * everyone without SGF_CDROM* (scsi_debug is no CD-ROM).
 *
 * Run it once as an unprivileged user who may open the nodes for reading and
 * writing, and once as root: with CAP_SYS_RAWIO every command must pass.
 * "Passes" means the ioctl was not refused by the filter; the device may
 * still answer CHECK CONDITION, which is not the filter's business.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bsg.h>
#include <linux/cdrom.h>
#include <linux/capability.h>
#include <scsi/scsi_ioctl.h>
#include <scsi/sg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "common.h"

#ifndef SCSI_IOCTL_SEND_COMMAND
#define SCSI_IOCTL_SEND_COMMAND 1
#endif


#define BLOCK		512

enum entry {
	ENTRY_SG_IO,		/* SG_IO v3 on a block or sg node */
	ENTRY_BSG,		/* SG_IO v4 on a bsg node */
	ENTRY_SEND_COMMAND,	/* SCSI_IOCTL_SEND_COMMAND on a block node */
	ENTRY_CDROM_PACKET,	/* CDROM_SEND_PACKET on an sr node */
};

enum dir { DIR_NONE = SGF_DIR_NONE, DIR_IN = SGF_DIR_IN, DIR_OUT = SGF_DIR_OUT };

struct cmd {
	uint8_t cdb[32];
	unsigned int len;
	enum dir dir;
	unsigned int xfer;	/* bytes of data */
};

static bool has_rawio(void)
{
	return sgf_has_cap(CAP_SYS_RAWIO);
}

static int send_sg_io(int fd, const struct cmd *c, uint8_t *buf)
{
	int ret = sgf_sg_io(fd, c->cdb, c->len, (enum sgf_dir)c->dir, buf, c->xfer);

	return ret < 0 ? ret : 0;
}

static int send_bsg(int fd, const struct cmd *c, uint8_t *buf)
{
	int ret = sgf_bsg(fd, c->cdb, c->len, (enum sgf_dir)c->dir, buf, c->xfer);

	return ret < 0 ? ret : 0;
}

/* The legacy ioctl: lengths, then CDB and data-out in one buffer. */
static int send_command(int fd, const struct cmd *c, uint8_t *buf)
{
	struct {
		unsigned int inlen, outlen;
		uint8_t data[32 + 4096];
	} sic = {
		.inlen = c->dir == DIR_OUT ? c->xfer : 0,
		.outlen = c->dir == DIR_IN ? c->xfer : 0,
	};
	int ret;

	memcpy(sic.data, c->cdb, c->len);
	if (c->dir == DIR_OUT)
		memcpy(sic.data + c->len, buf, c->xfer);
	ret = ioctl(fd, SCSI_IOCTL_SEND_COMMAND, &sic);
	if (ret < 0)
		return -errno;
	/* data-in comes back in place of the CDB */
	if (c->dir == DIR_IN)
		memcpy(buf, sic.data, c->xfer);
	/* positive: the SCSI status of a command that reached the device */
	return 0;
}

static int send_packet(int fd, const struct cmd *c, uint8_t *buf)
{
	struct request_sense sense;
	struct cdrom_generic_command cgc = {
		.buffer = buf,
		.buflen = c->xfer,
		.sense = &sense,
		.data_direction = c->dir == DIR_IN ? CGC_DATA_READ :
				  c->dir == DIR_OUT ? CGC_DATA_WRITE : CGC_DATA_NONE,
		.timeout = SGF_TIMEOUT_MS / 10,
	};

	memcpy(cgc.cmd, c->cdb, CDROM_PACKET_SIZE);
	if (!ioctl(fd, CDROM_SEND_PACKET, &cgc))
		return 0;
	/* EIO: the device answered CHECK CONDITION; the filter let it by */
	return errno == EIO ? 0 : -errno;
}

static int send_cmd(enum entry entry, int fd, const struct cmd *c, uint8_t *buf)
{
	switch (entry) {
	case ENTRY_BSG:
		return send_bsg(fd, c, buf);
	case ENTRY_SEND_COMMAND:
		return send_command(fd, c, buf);
	case ENTRY_CDROM_PACKET:
		return send_packet(fd, c, buf);
	default:
		return send_sg_io(fd, c, buf);
	}
}

/* CDB builders */
static struct cmd cdb6(uint8_t op)
{
	return (struct cmd){ .cdb = { op }, .len = 6 };
}

static struct cmd read10(uint32_t lba, uint16_t blocks)
{
	return (struct cmd){
		.cdb = { 0x28, 0, lba >> 24, lba >> 16, lba >> 8, lba, 0,
			 blocks >> 8, blocks },
		.len = 10, .dir = DIR_IN, .xfer = blocks * BLOCK,
	};
}

static struct cmd inquiry(void)
{
	return (struct cmd){ .cdb = { 0x12, 0, 0, 0, 96 }, .len = 6,
			     .dir = DIR_IN, .xfer = 96 };
}

/* REPORT SUPPORTED OPERATION CODES: MAINTENANCE IN, service action 0x0c */
static struct cmd rsoc(void)
{
	return (struct cmd){ .cdb = { 0xa3, 0x0c, 0, 0, 0, 0, 0, 0, 0x02, 0 },
			     .len = 12, .dir = DIR_IN, .xfer = 512 };
}

/* UNMAP one block range: an 8-byte header and one 16-byte descriptor */
static struct cmd unmap(uint32_t lba, uint32_t blocks, uint8_t *param)
{
	memset(param, 0, 24);
	param[1] = 22;
	param[3] = 16;
	param[12] = lba >> 24;
	param[13] = lba >> 16;
	param[14] = lba >> 8;
	param[15] = lba;
	param[16] = blocks >> 24;
	param[17] = blocks >> 16;
	param[18] = blocks >> 8;
	param[19] = blocks;
	return (struct cmd){ .cdb = { 0x42, 0, 0, 0, 0, 0, 0, 0, 24 },
			     .len = 10, .dir = DIR_OUT, .xfer = 24 };
}

/* SANITIZE, service action OVERWRITE, no parameter data: never executed */
static struct cmd sanitize(void)
{
	return (struct cmd){ .cdb = { 0x48, 0x01 }, .len = 10 };
}

/* MAINTENANCE OUT / SET TARGET PORT GROUPS with an empty parameter list */
static struct cmd maintenance_out(void)
{
	return (struct cmd){ .cdb = { 0xa4, 0x0a }, .len = 12 };
}

static struct cmd write_same16(uint32_t lba)
{
	return (struct cmd){
		.cdb = { 0x93, 0, 0, 0, 0, 0, lba >> 24, lba >> 16, lba >> 8,
			 lba, 0, 0, 0, 1 },
		.len = 16, .dir = DIR_OUT, .xfer = BLOCK,
	};
}

/* WRITE SAME(32): VARIABLE LENGTH, service action 0x000d */
static struct cmd write_same32(uint32_t lba)
{
	return (struct cmd){
		.cdb = { 0x7f, 0, 0, 0, 0, 0, 0, 0x18, 0x00, 0x0d, 0, 0,
			 0, 0, 0, 0, lba >> 24, lba >> 16, lba >> 8, lba,
			 [31] = 1 },
		.len = 32, .dir = DIR_OUT, .xfer = BLOCK,
	};
}

/* ATA PASS-THROUGH(12) carrying ATA CHECK POWER MODE (harmless) */
static struct cmd ata12(void)
{
	return (struct cmd){ .cdb = { 0xa1, 3 << 1, 0x20, 0, 0, 0, 0, 0, 0, 0xe5 },
			     .len = 12 };
}

static struct cmd read_subchannel(void)
{
	return (struct cmd){ .cdb = { 0x42, 0, 0x40, 1, 0, 0, 0, 0, 16 },
			     .len = 10, .dir = DIR_IN, .xfer = 16 };
}

/* REPORT KEY, AGID request: a read */
static struct cmd report_key(void)
{
	return (struct cmd){ .cdb = { 0xa4, 0, 0, 0, 0, 0, 0, 0, 0, 8, 0 },
			     .len = 12, .dir = DIR_IN, .xfer = 8 };
}

/* SEND KEY, invalidate AGID: a write, with no parameter data */
static struct cmd send_key(void)
{
	return (struct cmd){ .cdb = { 0xa3, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x3f },
			     .len = 12 };
}

/* BLANK, minimal blank of a disc that is not there */
static struct cmd blank(void)
{
	return (struct cmd){ .cdb = { 0xa1, 0x01 }, .len = 12 };
}

/*
 * Assert the verdict of the filter: EPERM if the command is not @allowed to
 * this opener, success otherwise. With CAP_SYS_RAWIO everything passes.
 */
#define ASSERT_VERDICT(ret, allowed) do {				\
	int __ret = (ret);						\
									\
	if ((allowed) || has_rawio()) {					\
		ASSERT_EQ(0, __ret);					\
	} else {							\
		ASSERT_EQ(-EPERM, __ret);				\
	}								\
} while (0)

FIXTURE(disk) {
	struct sgf_dev dev;
	int fd;
	uint8_t buf[8 * BLOCK];
};

FIXTURE_VARIANT(disk) {
	const char *env;
	enum entry entry;
	bool writer;
	bool wronly;	/* a writer opened O_WRONLY */
};

FIXTURE_VARIANT_ADD(disk, sd_reader) {
	.env = "SGF_DISK", .entry = ENTRY_SG_IO, .writer = false,
};

FIXTURE_VARIANT_ADD(disk, sd_writer) {
	.env = "SGF_DISK", .entry = ENTRY_SG_IO, .writer = true,
};

/* sg filters only read-only openers (mainline behaviour, kept) */
FIXTURE_VARIANT_ADD(disk, sg_reader) {
	.env = "SGF_DISK_SG", .entry = ENTRY_SG_IO, .writer = false,
};

/* ... and all but O_RDWR: O_WRONLY gets the writer's verdicts */
FIXTURE_VARIANT_ADD(disk, sg_wronly) {
	.env = "SGF_DISK_SG", .entry = ENTRY_SG_IO, .writer = true, .wronly = true,
};

FIXTURE_VARIANT_ADD(disk, bsg_reader) {
	.env = "SGF_DISK_BSG", .entry = ENTRY_BSG, .writer = false,
};

FIXTURE_VARIANT_ADD(disk, bsg_writer) {
	.env = "SGF_DISK_BSG", .entry = ENTRY_BSG, .writer = true,
};

FIXTURE_VARIANT_ADD(disk, send_command_reader) {
	.env = "SGF_DISK", .entry = ENTRY_SEND_COMMAND, .writer = false,
};

FIXTURE_VARIANT_ADD(disk, send_command_writer) {
	.env = "SGF_DISK", .entry = ENTRY_SEND_COMMAND, .writer = true,
};

static void open_node(struct __test_metadata *const _metadata, int *fd,
		      const char *env, int flags)
{
	const char *path = getenv(env);

	if (!path)
		SKIP(return, "%s is not set", env);
	*fd = open(path, flags);
	ASSERT_LE(0, *fd)
		TH_LOG("Failed to open \"%s\": %s", path, strerror(errno));
}

/*
 * A disk made here gets what the VM init writes to its own: a pattern at
 * LBA 0-7, which disk.unmap checks is still there afterwards
 */
static int write_pattern(const char *blk)
{
	uint8_t pattern[8 * BLOCK];
	int fd = open(blk, O_WRONLY), ret = 0;
	unsigned int i;

	if (fd < 0)
		return -errno;
	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = i * 7 + 1;
	if (write(fd, pattern, sizeof(pattern)) != sizeof(pattern) || fsync(fd))
		ret = -errno;
	close(fd);
	return ret;
}

FIXTURE_SETUP(disk)
{
	self->fd = -1;
	SGF_DEV_GET(&self->dev, "SGF_DISK", SGF_TYPE_DISK);
	if (self->dev.added)
		ASSERT_EQ(0, write_pattern(self->dev.blk));
	open_node(_metadata, &self->fd, variant->env,
		  variant->wronly ? O_WRONLY : variant->writer ? O_RDWR : O_RDONLY);
}

FIXTURE_TEARDOWN(disk)
{
	if (self->fd >= 0)
		close(self->fd);
	sgf_dev_put(&self->dev);
}

#define SEND_BUF(c, buf) send_cmd(variant->entry, self->fd, &(c), (buf))
#define SEND(c) SEND_BUF(c, self->buf)

/* Where the tests write; LBA 0-7 hold the pattern the init script wrote. */
#define SCRATCH_LBA	1024

TEST_F(disk, unmap)
{
	bool allowed = variant->writer || has_rawio();
	uint8_t before[8 * BLOCK], param[24];
	struct cmd c = read10(0, 8);
	unsigned int i;

	/* The pattern must be there, or "unchanged" would prove nothing. */
	ASSERT_EQ(0, SEND_BUF(c, before));
	for (i = 0; i < sizeof(before) && !before[i]; i++)
		;
	ASSERT_GT(sizeof(before), i) TH_LOG("LBA 0-7 hold no pattern");

	/* A reader aims at the pattern; a writer at scratch space. */
	c = unmap(allowed ? SCRATCH_LBA : 0, 8, param);
	memcpy(self->buf, param, sizeof(param));
	ASSERT_VERDICT(SEND(c), variant->writer);

	c = read10(0, 8);
	ASSERT_EQ(0, SEND(c));
	ASSERT_EQ(0, memcmp(before, self->buf, sizeof(before)))
		TH_LOG("the data at LBA 0-7 changed");
}

TEST_F(disk, sanitize)
{
	struct cmd c = sanitize();

	ASSERT_VERDICT(SEND(c), false);
}

TEST_F(disk, maintenance_out)
{
	struct cmd c = maintenance_out();

	ASSERT_VERDICT(SEND(c), false);
}

TEST_F(disk, read10)
{
	struct cmd c = read10(0, 1);

	ASSERT_VERDICT(SEND(c), true);
}

TEST_F(disk, inquiry)
{
	struct cmd c = inquiry();

	ASSERT_VERDICT(SEND(c), true);
}

TEST_F(disk, report_supported_opcodes)
{
	struct cmd c = rsoc();

	ASSERT_VERDICT(SEND(c), true);
}

TEST_F(disk, write_same16)
{
	struct cmd c = write_same16(SCRATCH_LBA);

	memset(self->buf, 0xa5, BLOCK);
	ASSERT_VERDICT(SEND(c), variant->writer);
}

TEST_F(disk, write_same32)
{
	struct cmd c = write_same32(SCRATCH_LBA);

	if (variant->entry == ENTRY_SEND_COMMAND)
		SKIP(return, "SCSI_IOCTL_SEND_COMMAND sends 12 bytes of a 0x7f CDB");
	memset(self->buf, 0x5a, BLOCK);
	/* the stock backend is not told the length of sg's CDB: no entry */
	ASSERT_VERDICT(SEND(c), variant->writer &&
		       !(variant->wronly && sgf_stock_backend()));
}

TEST_F(disk, ata_pass_through12)
{
	struct cmd c = ata12();

	ASSERT_VERDICT(SEND(c), false);
}

/* What "case WRITE_SAME_32" used to allow */
TEST_F(disk, opcode_0x0d)
{
	struct cmd c = cdb6(0x0d);

	ASSERT_VERDICT(SEND(c), false);
}

FIXTURE(cdrom) {
	int fd;
	uint8_t buf[BLOCK];
};

FIXTURE_VARIANT(cdrom) {
	const char *env;
	enum entry entry;
	bool writer;
};

FIXTURE_VARIANT_ADD(cdrom, sr_reader) {
	.env = "SGF_CDROM", .entry = ENTRY_SG_IO, .writer = false,
};

FIXTURE_VARIANT_ADD(cdrom, sg_reader) {
	.env = "SGF_CDROM_SG", .entry = ENTRY_SG_IO, .writer = false,
};

FIXTURE_VARIANT_ADD(cdrom, bsg_reader) {
	.env = "SGF_CDROM_BSG", .entry = ENTRY_BSG, .writer = false,
};

/* sr refuses write opens without a writable disc: use bsg for writers */
FIXTURE_VARIANT_ADD(cdrom, bsg_writer) {
	.env = "SGF_CDROM_BSG", .entry = ENTRY_BSG, .writer = true,
};

FIXTURE_VARIANT_ADD(cdrom, packet_reader) {
	.env = "SGF_CDROM", .entry = ENTRY_CDROM_PACKET, .writer = false,
};

FIXTURE_SETUP(cdrom)
{
	self->fd = -1;
	/* O_NONBLOCK: open an sr node with no disc in it */
	open_node(_metadata, &self->fd, variant->env,
		  (variant->writer ? O_RDWR : O_RDONLY) | O_NONBLOCK);
}

FIXTURE_TEARDOWN(cdrom)
{
	if (self->fd >= 0)
		close(self->fd);
}

/* 0x42: UNMAP on a disk, READ SUB-CHANNEL here */
TEST_F(cdrom, read_subchannel)
{
	struct cmd c = read_subchannel();

	ASSERT_VERDICT(SEND(c), true);
}

/* 0xa4: MAINTENANCE OUT on a disk, REPORT KEY here */
TEST_F(cdrom, report_key)
{
	struct cmd c = report_key();

	ASSERT_VERDICT(SEND(c), true);
}

/* 0xa3: MAINTENANCE IN on a disk, SEND KEY (a write) here */
TEST_F(cdrom, send_key)
{
	struct cmd c = send_key();

	ASSERT_VERDICT(SEND(c), variant->writer);
}

/* 0xa1: ATA PASS-THROUGH(12) on a disk, BLANK here */
TEST_F(cdrom, blank)
{
	struct cmd c = blank();

	ASSERT_VERDICT(SEND(c), variant->writer);
}

TEST_F(cdrom, inquiry)
{
	struct cmd c = inquiry();

	ASSERT_VERDICT(SEND(c), true);
}

/* WRITE SAME(32) is a disk command */
TEST_F(cdrom, write_same32)
{
	struct cmd c = write_same32(0);

	if (variant->entry == ENTRY_CDROM_PACKET)
		SKIP(return, "CDROM_SEND_PACKET sends 12-byte CDBs");
	ASSERT_VERDICT(SEND(c), false);
}

/*
 * Ioctls that make the kernel send a command on the caller's behalf get the
 * decision SG_IO would give that command (the CVE-2012-4542 review found a
 * reader stopping a disk with SCSI_IOCTL_STOP_UNIT).
 */
FIXTURE(ioctl) {
	struct sgf_dev dev;
	int fd;
};

FIXTURE_VARIANT(ioctl) {
	const char *env;
	bool writer;
	bool cdrom;
};

FIXTURE_VARIANT_ADD(ioctl, sd_reader) {
	.env = "SGF_DISK", .writer = false,
};

FIXTURE_VARIANT_ADD(ioctl, sd_writer) {
	.env = "SGF_DISK", .writer = true,
};

/* sr refuses write opens of a CD-ROM: readers only (root is the twin) */
FIXTURE_VARIANT_ADD(ioctl, sr_reader) {
	.env = "SGF_CDROM", .writer = false, .cdrom = true,
};

FIXTURE_SETUP(ioctl)
{
	self->fd = -1;
	if (!variant->cdrom)
		SGF_DEV_GET(&self->dev, variant->env, SGF_TYPE_DISK);
	open_node(_metadata, &self->fd, variant->env,
		  (variant->writer ? O_RDWR : O_RDONLY) | O_NONBLOCK);
}

FIXTURE_TEARDOWN(ioctl)
{
	if (self->fd >= 0)
		close(self->fd);
	sgf_dev_put(&self->dev);
}

/*
 * -EPERM if the filter refused, 0 if the command went out (whatever the
 * device answered), -ENOTTY if the ioctl is not there at all.
 */
static int send_ioctl(int fd, unsigned long req, unsigned long arg)
{
	if (ioctl(fd, req, arg) >= 0)
		return 0;
	if (errno == EPERM)
		return -EPERM;
	return errno == ENOTTY || errno == ENOSYS || errno == EINVAL ? -ENOTTY : 0;
}

#define ASSERT_IOCTL(req, arg, allowed) do {				\
	int __r = send_ioctl(self->fd, (req), (arg));			\
									\
	if (__r == -ENOTTY)						\
		SKIP(return, "%s: not supported here", #req);		\
	ASSERT_VERDICT(__r, (allowed));					\
} while (0)

/* START STOP UNIT: a write on disks (denial of service), a read on CD-ROMs */
TEST_F(ioctl, stop_start_unit)
{
	bool allowed = variant->writer || variant->cdrom;

	ASSERT_IOCTL(SCSI_IOCTL_STOP_UNIT, 0, allowed);
	ASSERT_IOCTL(SCSI_IOCTL_START_UNIT, 0, allowed);
}

/* PREVENT ALLOW MEDIUM REMOVAL is a write on every class */
TEST_F(ioctl, doorlock)
{
	ASSERT_IOCTL(SCSI_IOCTL_DOORLOCK, 0, variant->writer);
	ASSERT_IOCTL(SCSI_IOCTL_DOORUNLOCK, 0, variant->writer);
}

/*
 * No test for SCSI_IOCTL_TEST_UNIT_READY: it has the number of FIGETBSZ,
 * which the VFS answers before a driver sees it (with EFAULT for arg 0).
 */

/* The cdrom layer's own door lock sends PREVENT ALLOW MEDIUM REMOVAL */
TEST_F(ioctl, cdrom_lockdoor)
{
	if (!variant->cdrom)
		SKIP(return, "a CD-ROM ioctl");
	ASSERT_IOCTL(CDROM_LOCKDOOR, 1, variant->writer);
	ASSERT_IOCTL(CDROM_LOCKDOOR, 0, variant->writer);
}

/*
 * DVD_AUTH: the CSS handshake that DVD playback runs on a read-only open
 * (REPORT KEY, and SEND KEY of a host challenge) is a reader's; SEND KEY of
 * an RPC structure changes the drive's region for good: a writer's.
 */
TEST_F(ioctl, dvd_auth)
{
	dvd_authinfo agid = { .type = DVD_LU_SEND_AGID };
	dvd_authinfo challenge = { .type = DVD_HOST_SEND_CHALLENGE };
	dvd_authinfo region = { .type = DVD_HOST_SEND_RPC_STATE };

	if (!variant->cdrom)
		SKIP(return, "a CD-ROM ioctl");
	ASSERT_IOCTL(DVD_AUTH, (unsigned long)&agid, true);
	ASSERT_IOCTL(DVD_AUTH, (unsigned long)&challenge, true);
	ASSERT_IOCTL(DVD_AUTH, (unsigned long)&region, variant->writer);
}

TEST_HARNESS_MAIN
