// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter selftests: the commands that st's MTIOCTOP/MTIOCPOS and ch's
 * CHIO* ioctls send get the SG_IO filter's decision, with the open mode of
 * the caller's file.
 *
 * Runs as root and makes its own devices: a scsi_debug host of peripheral
 * type tape (st attaches) or medium changer (ch attaches) per variant, whose
 * st or ch node an unprivileged child (SGF_UID, default 1000) opens for
 * reading or writing (common.h loads scsi_debug if it is not).
 * "Allowed" means the ioctl was not refused with EPERM: scsi_debug does not
 * emulate every tape or changer command, and its answer is not the filter's
 * business.
 *
 * With sgfilter.ko loaded, the tables are the module's: the test also checks
 * that a command the module's changer table denies is denied to CHIOGSTATUS.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/chio.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mtio.h>
#include <sys/stat.h>
#include <unistd.h>

#include "common.h"

#define SGF_MODULE	"/sys/kernel/sgfilter"

#define TYPE_TAPE		SGF_TYPE_TAPE
#define TYPE_MEDIUM_CHANGER	SGF_TYPE_MEDIUM_CHANGER

/* What the child reports: the ioctl went out, was refused, or cannot run */
enum outcome { SENT, REFUSED, NO_OPEN, NO_IOCTL };

struct ioctl_job {
	const char *node;
	bool writer;
	unsigned long req;
	void *arg;
};

static int ioctl_job(void *arg)
{
	const struct ioctl_job *j = arg;
	int fd = open(j->node, (j->writer ? O_RDWR : O_RDONLY) | O_NONBLOCK);

	if (fd < 0)
		return NO_OPEN;
	if (ioctl(fd, j->req, j->arg) >= 0)
		return SENT;
	if (errno == EPERM)
		return REFUSED;
	return errno == ENOTTY || errno == ENOSYS ? NO_IOCTL : SENT;
}

/*
 * Open @node as the unprivileged user (O_RDWR for a @writer), run the
 * ioctl, and say whether the filter refused it.
 */
static enum outcome user_ioctl(const char *node, bool writer,
			       unsigned long req, void *arg)
{
	struct ioctl_job job = { node, writer, req, arg };
	int status = sgf_run_as_user(ioctl_job, &job);

	return status >= 0 && status <= NO_IOCTL ? status : NO_OPEN;
}

FIXTURE(node) {
	struct sgf_dev dev;
	char node[80];
};

FIXTURE_VARIANT(node) {
	int ptype;
	bool writer;
};

FIXTURE_VARIANT_ADD(node, tape_reader) { .ptype = TYPE_TAPE, .writer = false };
FIXTURE_VARIANT_ADD(node, tape_writer) { .ptype = TYPE_TAPE, .writer = true };
FIXTURE_VARIANT_ADD(node, changer_reader) { .ptype = TYPE_MEDIUM_CHANGER, .writer = false };
FIXTURE_VARIANT_ADD(node, changer_writer) { .ptype = TYPE_MEDIUM_CHANGER, .writer = true };

/*
 * Add a scsi_debug host of the variant's type with its st (non-rewinding)
 * or ch node (common.h)
 */
FIXTURE_SETUP(node)
{
	const char *why = sgf_sdebug_add(_metadata, &self->dev, variant->ptype);

	if (why)
		SKIP(return, "makes its own scsi_debug devices, and %s", why);
	snprintf(self->node, sizeof(self->node), "%s", self->dev.chr);
	/* what a distribution does for tapes and changers: group rw */
	ASSERT_EQ(0, chmod(self->node, 0666))
		TH_LOG("Failed to chmod \"%s\": %s", self->node, strerror(errno));
	TH_LOG("%s: %s", self->dev.hctl, self->node);
}

FIXTURE_TEARDOWN(node)
{
	sgf_dev_put(&self->dev);
}

#define ASSERT_USER_IOCTL(req, arg, allowed) do {			\
	enum outcome __o = user_ioctl(self->node, variant->writer,	\
				      (req), (arg));			\
									\
	ASSERT_NE(NO_OPEN, __o) TH_LOG("the user cannot open %s", self->node); \
	ASSERT_NE(NO_IOCTL, __o) TH_LOG("%s is not there", #req);	\
	ASSERT_EQ((allowed) ? SENT : REFUSED, __o)			\
		TH_LOG("%s %s", #req, (allowed) ? "refused" : "sent");	\
} while (0)

static bool is_tape(const FIXTURE_VARIANT(node) *variant)
{
	return variant->ptype == TYPE_TAPE;
}

#define SKIP_UNLESS_TAPE() do {						\
	if (!is_tape(variant))						\
		SKIP(return, "a tape ioctl");				\
} while (0)

/* Positioning a tape is a reader's (SPACE, REWIND, LOCATE, READ POSITION) */
TEST_F(node, tape_positioning)
{
	struct mtop fsf = { MTFSF, 1 }, rew = { MTREW, 1 }, seek = { MTSEEK, 0 };
	struct mtpos pos;

	SKIP_UNLESS_TAPE();
	ASSERT_USER_IOCTL(MTIOCTOP, &fsf, true);
	ASSERT_USER_IOCTL(MTIOCTOP, &rew, true);
	ASSERT_USER_IOCTL(MTIOCTOP, &seek, true);
	ASSERT_USER_IOCTL(MTIOCPOS, &pos, true);
}

/* Writing filemarks and erasing destroy what follows: a writer's */
TEST_F(node, tape_weof_erase)
{
	struct mtop weof = { MTWEOF, 1 }, erase = { MTERASE, 0 };

	SKIP_UNLESS_TAPE();
	ASSERT_USER_IOCTL(MTIOCTOP, &weof, variant->writer);
	ASSERT_USER_IOCTL(MTIOCTOP, &erase, variant->writer);
}

/* MODE SELECT changes the drive's settings for its next user: a writer's */
TEST_F(node, tape_setblk)
{
	struct mtop setblk = { MTSETBLK, 512 };

	SKIP_UNLESS_TAPE();
	ASSERT_USER_IOCTL(MTIOCTOP, &setblk, variant->writer);
}

/*
 * FORMAT MEDIUM goes to nobody but CAP_SYS_RAWIO. The stock backend judges
 * MTMKPART where st partitions (partition_tape()), after st's own checks:
 * st partitions only a drive root said can (MTSETDRVBUFFER), and with that
 * on, st opens scsi_debug's tape no more (it answers no READ POSITION), so
 * MTMKPART is EINVAL before any command there, filtered or not.
 */
TEST_F(node, tape_mkpart)
{
	struct mtop mkpart = { MTMKPART, 0 };

	SKIP_UNLESS_TAPE();
	if (sgf_stock_backend())
		SKIP(return, "scsi_debug's tape cannot partition: MTMKPART is EINVAL before st's partitioning");
	ASSERT_USER_IOCTL(MTIOCTOP, &mkpart, false);
}

/* Reading a changer's element status is a reader's */
TEST_F(node, changer_status)
{
	unsigned char status[16];
	struct changer_element_status ces = { .ces_type = CHET_ST, .ces_data = status };

	if (is_tape(variant))
		SKIP(return, "a changer ioctl");
	ASSERT_USER_IOCTL(CHIOGSTATUS, &ces, true);
}

/* Moving media is a writer's: MOVE, EXCHANGE, POSITION, INIT, VOLTAG */
TEST_F(node, changer_moves)
{
	struct changer_move move = { .cm_fromtype = CHET_ST, .cm_totype = CHET_DT };
	struct changer_exchange exchange = { .ce_srctype = CHET_ST };
	struct changer_position position = { .cp_type = CHET_MT };
	struct changer_set_voltag voltag = { .csv_type = CHET_ST };

	if (is_tape(variant))
		SKIP(return, "a changer ioctl");
	ASSERT_USER_IOCTL(CHIOMOVE, &move, variant->writer);
	ASSERT_USER_IOCTL(CHIOEXCHANGE, &exchange, variant->writer);
	ASSERT_USER_IOCTL(CHIOPOSITION, &position, variant->writer);
	ASSERT_USER_IOCTL(CHIOINITELEM, NULL, variant->writer);
	ASSERT_USER_IOCTL(CHIOSVOLTAG, &voltag, variant->writer);
}

/* CHIOGPARAMS sends nothing: never refused */
TEST_F(node, changer_params)
{
	struct changer_params params;

	if (is_tape(variant))
		SKIP(return, "a changer ioctl");
	ASSERT_USER_IOCTL(CHIOGPARAMS, &params, true);
}

/*
 * With sgfilter.ko loaded, the ioctls follow the module's table: denying
 * READ ELEMENT STATUS in the changer table denies CHIOGSTATUS (the twin of
 * changer_status), and denying REWIND in the tape table denies MTREW.
 */
TEST_F(node, module_table_decides)
{
	const bool tape = is_tape(variant);
	const char *cls = tape ? "tape" : "changer";
	const char *op = tape ? "0x01" : "0xb8";
	unsigned char status[16];
	struct changer_element_status ces = { .ces_type = CHET_ST, .ces_data = status };
	struct mtop rew = { MTREW, 1 };
	void *arg = tape ? (void *)&rew : (void *)&ces;
	unsigned long req = tape ? MTIOCTOP : CHIOGSTATUS;
	char path[128];

	if (access(SGF_MODULE, F_OK))
		SKIP(return, "sgfilter.ko is not loaded");
	snprintf(path, sizeof(path), SGF_MODULE "/%s/deny", cls);
	ASSERT_EQ(0, sgf_write_str(path, op));
	ASSERT_USER_IOCTL(req, arg, false);
	/* back to the built-in table, where it is a reader's */
	snprintf(path, sizeof(path), SGF_MODULE "/%s/reset", cls);
	ASSERT_EQ(0, sgf_write_str(path, "1"));
	ASSERT_USER_IOCTL(req, arg, true);
}

TEST_HARNESS_MAIN
