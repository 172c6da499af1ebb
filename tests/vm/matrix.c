// SPDX-License-Identifier: GPL-2.0
/*
 * The exhaustive decision matrix: for each bsg node given, every opcode and
 * every service action of the opcodes that carry one, opened read-only and
 * read-write, with unpriv_sgio 0 and 1, as root and as the unprivileged user,
 * send a minimal CDB (no data, every other byte 0) and record whether SG_IO
 * failed with EPERM. Compare with the verdict computed here, in user space,
 * from the kernel's own tables (drivers/scsi/scsi_sgio.c, compiled in) by the
 * documented rule. Run with the built-in tables (sgfilter.ko not loaded).
 *
 * For block nodes (sd, sr) and st and ch nodes, the same for the ioctls that
 * make the kernel send a command on the caller's behalf: each must get the
 * verdict of the command it sends.
 *
 *   matrix /dev/bsg/H:C:T:L... /dev/sdX... /dev/srN... /dev/nstN... /dev/schN...
 *   matrix --grant-pr /dev/bsg/H:C:T:L...   (sgfilter.ko loaded: the same with
 *                                            the "pr" grants on each device)
 *
 * KTAP (tests/unit/check.h), one result per device; the last line is
 * kselftest's "# Totals: pass:N fail:N ...".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/cdrom.h>
#include <linux/chio.h>
#include <linux/major.h>
#include <sys/mtio.h>
#include <scsi/scsi_ioctl.h>
#include <scsi/scsi_proto.h>
#include <scsi/scsi_sgio.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "../unit/check.h"
#include "../../selftests/sgfilter/sgio_util.h"

#define MAX_CDBS 1200

struct cdb {
	u8 b[32];
	u8 len;
};

static struct cdb cdbs[MAX_CDBS];
static int nr_cdbs;

/* Every opcode, and every service action of those keyed by one in @class */
static void build_cdbs(int class)
{
	const struct scsi_sgio_table *t = scsi_sgio_default_table(class);
	static const u8 group_len[8] = { 6, 10, 10, 12, 16, 12, 16, 16 };
	int op, sa, nsa;

	nr_cdbs = 0;
	for (op = 0; op < 256; op++) {
		nsa = !scsi_sgio_by_sa(t->op[op]) ? 1 :
		      op == VARIABLE_LENGTH_CMD ? 258 : SCSI_SGIO_NR_SA;
		for (sa = 0; sa < nsa; sa++) {
			struct cdb *c = &cdbs[nr_cdbs++];

			memset(c, 0, sizeof(*c));
			c->b[0] = op;
			c->len = group_len[op >> 5];
			if (op == VARIABLE_LENGTH_CMD) {
				/* 0x0000-0x00ff, then two beyond the table */
				int v = sa < 256 ? sa : sa == 256 ? 0x0100 : 0xffff;

				c->len = 32;
				c->b[7] = 0x18;
				c->b[8] = v >> 8;
				c->b[9] = v;
			} else if (nsa > 1) {
				c->b[1] = sa;
			}
		}
	}
}

/*
 * --grant-pr: each device carries the "pr" profile's grants while it is
 * checked. The oracle is the profile's definition (Documentation/sgfilter.rst):
 * PERSISTENT RESERVE IN, every service action, to every opener; PERSISTENT
 * RESERVE OUT to writers.
 */
static bool grant_pr;
#define GRANT_PR_LISTING	"0x5e read\n0x5f write\n"

static bool pr_granted(const struct cdb *c, bool writer)
{
	return c->b[0] == 0x5e || (c->b[0] == 0x5f && writer);
}

static bool expected(int class, const struct cdb *c, bool writer, bool unpriv, bool root)
{
	if (root)
		return true;
	if (writer && unpriv)
		return true;
	if (grant_pr && pr_granted(c, writer))
		return true;
	return scsi_sgio_permitted(scsi_sgio_default_table(class), c->b, c->len, writer);
}

/* In a child (root or the user): send every CDB, note EPERM in @denied */
static void send_all(const char *node, bool writer, bool as_user, u8 *denied)
{
	int fd, i;

	if (as_user)
		sgf_drop_to_user();
	fd = open(node, writer ? O_RDWR : O_RDONLY);
	if (fd < 0)
		_exit(3);
	for (i = 0; i < nr_cdbs; i++)
		denied[i] = sgf_bsg(fd, cdbs[i].b, cdbs[i].len, SGF_DIR_NONE, NULL, 0) == -EPERM;
	_exit(0);
}

/*
 * The class of the SCSI device behind @node (a bsg or a block node), and
 * the path of its unpriv_sgio file in @flag; -1 (a failed check) if not.
 */
static int device_class(const char *node, char *flag, size_t len)
{
	char dir[128], path[160], buf[16] = "";
	struct stat st;
	int fd;

	if (stat(node, &st)) {
		check(false, "%s: %s", node, strerror(errno));
		return -1;
	}
	snprintf(dir, sizeof(dir), "/sys/dev/%s/%u:%u/device",
		 S_ISBLK(st.st_mode) ? "block" : "char", major(st.st_rdev),
		 minor(st.st_rdev));
	snprintf(flag, len, "%s/unpriv_sgio", dir);
	snprintf(path, sizeof(path), "%s/type", dir);
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0) {
		check(false, "%s: no device type", node);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	close(fd);
	return scsi_sgio_class(atoi(buf));
}

static int check_device(const char *node, unsigned long *total)
{
	unsigned long combos = 0, bad = 0, nr_denied = 0;
	int class, unpriv, w, who, i;
	struct timespec t0, t1;
	char path[160];
	u8 *denied;

	class = device_class(node, path, sizeof(path));
	if (class < 0)
		return 1;
	if (grant_pr) {
		char grants[160];

		snprintf(grants, sizeof(grants), "%.*s/sgio_grants",
			 (int)(strrchr(path, '/') - path), path);
		int err = sgf_write_str(grants, GRANT_PR_LISTING);

		if (err) {
			check(false, "%s: cannot write %s: %s", node, grants, strerror(-err));
			return 1;
		}
	}
	build_cdbs(class);
	denied = mmap(NULL, MAX_CDBS, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	clock_gettime(CLOCK_MONOTONIC, &t0);

	for (unpriv = 0; unpriv <= 1; unpriv++) {
		int err = sgf_write_str(path, unpriv ? "1" : "0");

		/* a kernel without the flag (mainline): only the unpriv_sgio=0 half */
		if (err == -ENOENT && unpriv) {
			diag("%s: no unpriv_sgio file, only unpriv_sgio=0 checked", node);
			break;
		}
		if (err && err != -ENOENT) {
			check(false, "%s: cannot set unpriv_sgio: %s", node, strerror(-err));
			return 1;
		}
		for (w = 0; w <= 1; w++) {
			for (who = 0; who <= 1; who++) {
				int status;
				pid_t pid;

				memset(denied, 0xff, MAX_CDBS);
				pid = fork();
				if (!pid)
					send_all(node, w, who, denied);
				waitpid(pid, &status, 0);
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					check(false, "%s: the sending process failed (%d)", node,
					      WEXITSTATUS(status));
					return 1;
				}
				for (i = 0; i < nr_cdbs; i++) {
					bool want = expected(class, &cdbs[i], w, unpriv, !who);

					combos++;
					nr_denied += denied[i];
					if (denied[i] == !want)
						continue;
					if (bad++ < 10)
						diag("%s %s: 0x%02x %02x %02x%02x, %s, unpriv_sgio=%d, %s: %s, expected %s",
						     node, scsi_sgio_class_name(class), cdbs[i].b[0],
						     cdbs[i].b[1], cdbs[i].b[8], cdbs[i].b[9],
						     w ? "read-write" : "read-only", unpriv,
						     who ? "user" : "root",
						     denied[i] ? "EPERM" : "passed",
						     want ? "passed" : "EPERM");
				}
			}
		}
	}
	sgf_write_str(path, "0");
	if (grant_pr) {
		strcpy(strrchr(path, '/'), "/sgio_grants");
		sgf_write_str(path, "\n");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	munmap(denied, MAX_CDBS);
	*total += combos;
	check(!bad, "%s (%s%s): %lu combinations (%lu EPERM), %lu mismatches, %ld ms", node,
	      scsi_sgio_class_name(class), grant_pr ? ", granted pr" : "", combos, nr_denied, bad,
	      (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000);
	/* a matrix of one verdict would compare nothing */
	check(nr_denied && nr_denied < combos, "%s: both verdicts occur", node);
	return bad != 0;
}

/*
 * The ioctls that build a command, and the command: in this order, so that
 * a disk stopped or a door locked by one is started or unlocked by the next.
 * st's and ch's on the nodes of scsi_debug tapes and changers.
 */
static struct mtop mt_fsf = { MTFSF, 1 }, mt_rew = { MTREW, 1 }, mt_seek = { MTSEEK, 0 };
static struct mtop mt_weof = { MTWEOF, 1 }, mt_erase = { MTERASE, 0 };
static struct mtop mt_setblk = { MTSETBLK, 512 }, mt_lock = { MTLOCK, 0 };
static struct mtop mt_unlock = { MTUNLOCK, 0 }, mt_unload = { MTUNLOAD, 0 };
static struct mtop mt_load = { MTLOAD, 0 }, mt_mkpart = { MTMKPART, 0 };
static struct mtpos mt_pos;
static unsigned char ch_data[16];
static struct changer_element_status ch_status = { .ces_type = CHET_ST, .ces_data = ch_data };
static struct changer_move ch_move = { .cm_fromtype = CHET_ST, .cm_totype = CHET_DT };
static struct changer_exchange ch_exchange = { .ce_srctype = CHET_ST };
static struct changer_position ch_position = { .cp_type = CHET_MT };
static struct changer_set_voltag ch_voltag = { .csv_type = CHET_ST };

#define SD_SR	(BIT(SCSI_SGIO_DISK) | BIT(SCSI_SGIO_CDROM))
#define ARG(x)	((unsigned long)&(x))

static const struct native {
	const char *name;
	unsigned long req, arg;
	u8 opcode, byte4, len;
	unsigned int classes;	/* where it applies */
} natives[] = {
	{ "SCSI_IOCTL_STOP_UNIT", SCSI_IOCTL_STOP_UNIT, 0, START_STOP, 0, 6, SD_SR },
	{ "SCSI_IOCTL_START_UNIT", SCSI_IOCTL_START_UNIT, 0, START_STOP, 1, 6, SD_SR },
	{ "CDROMEJECT", CDROMEJECT, 0, START_STOP, 2, 6, BIT(SCSI_SGIO_DISK) },
	{ "CDROMCLOSETRAY", CDROMCLOSETRAY, 0, START_STOP, 3, 6, SD_SR },
	{ "SCSI_IOCTL_DOORLOCK", SCSI_IOCTL_DOORLOCK, 0, ALLOW_MEDIUM_REMOVAL, 1, 6, SD_SR },
	{ "SCSI_IOCTL_DOORUNLOCK", SCSI_IOCTL_DOORUNLOCK, 0, ALLOW_MEDIUM_REMOVAL, 0, 6, SD_SR },
	{ "CDROM_LOCKDOOR 1", CDROM_LOCKDOOR, 1, ALLOW_MEDIUM_REMOVAL, 1, 6, BIT(SCSI_SGIO_CDROM) },
	{ "CDROM_LOCKDOOR 0", CDROM_LOCKDOOR, 0, ALLOW_MEDIUM_REMOVAL, 0, 6, BIT(SCSI_SGIO_CDROM) },
	{ "MTFSF", MTIOCTOP, ARG(mt_fsf), SPACE, 0, 6, BIT(SCSI_SGIO_TAPE) },
	{ "MTREW", MTIOCTOP, ARG(mt_rew), REZERO_UNIT, 0, 6, BIT(SCSI_SGIO_TAPE) },
	{ "MTSEEK", MTIOCTOP, ARG(mt_seek), SEEK_10, 0, 10, BIT(SCSI_SGIO_TAPE) },
	{ "MTIOCPOS", MTIOCPOS, ARG(mt_pos), READ_POSITION, 0, 10, BIT(SCSI_SGIO_TAPE) },
	{ "MTWEOF", MTIOCTOP, ARG(mt_weof), WRITE_FILEMARKS, 0, 6, BIT(SCSI_SGIO_TAPE) },
	{ "MTERASE", MTIOCTOP, ARG(mt_erase), ERASE, 0, 6, BIT(SCSI_SGIO_TAPE) },
	{ "MTSETBLK", MTIOCTOP, ARG(mt_setblk), MODE_SELECT, 0, 6, BIT(SCSI_SGIO_TAPE) },
	{ "MTLOCK", MTIOCTOP, ARG(mt_lock), ALLOW_MEDIUM_REMOVAL, 1, 6, BIT(SCSI_SGIO_TAPE) },
	{ "MTUNLOCK", MTIOCTOP, ARG(mt_unlock), ALLOW_MEDIUM_REMOVAL, 0, 6, BIT(SCSI_SGIO_TAPE) },
	{ "MTMKPART", MTIOCTOP, ARG(mt_mkpart), FORMAT_UNIT, 0, 6, BIT(SCSI_SGIO_TAPE) },
	{ "MTUNLOAD", MTIOCTOP, ARG(mt_unload), START_STOP, 0, 6, BIT(SCSI_SGIO_TAPE) },
	{ "MTLOAD", MTIOCTOP, ARG(mt_load), START_STOP, 1, 6, BIT(SCSI_SGIO_TAPE) },
	{ "CHIOGSTATUS", CHIOGSTATUS, ARG(ch_status), READ_ELEMENT_STATUS, 0, 12,
	  BIT(SCSI_SGIO_CHANGER) },
	{ "CHIOMOVE", CHIOMOVE, ARG(ch_move), MOVE_MEDIUM, 0, 12, BIT(SCSI_SGIO_CHANGER) },
	{ "CHIOEXCHANGE", CHIOEXCHANGE, ARG(ch_exchange), EXCHANGE_MEDIUM, 0, 12,
	  BIT(SCSI_SGIO_CHANGER) },
	{ "CHIOPOSITION", CHIOPOSITION, ARG(ch_position), POSITION_TO_ELEMENT, 0, 10,
	  BIT(SCSI_SGIO_CHANGER) },
	{ "CHIOINITELEM", CHIOINITELEM, 0, INITIALIZE_ELEMENT_STATUS, 0, 6,
	  BIT(SCSI_SGIO_CHANGER) },
	{ "CHIOSVOLTAG", CHIOSVOLTAG, ARG(ch_voltag), SEND_VOLUME_TAG, 0, 12,
	  BIT(SCSI_SGIO_CHANGER) },
};

#define NR_NATIVES (sizeof(natives) / sizeof(natives[0]))

/*
 * MTMKPART on a stock kernel: the stock backend judges it where st
 * partitions, after st's own checks, and st partitions only a drive root
 * said can, which scsi_debug's tape cannot be (with partitions on, st's
 * open fails: no READ POSITION): EINVAL before any command, filtered or not
 */
static bool native_applies(const struct native *n, int class)
{
	static int stock = -1;

	if (stock < 0)
		stock = sgf_stock_backend();
	return (n->classes & BIT(class)) && !(stock && n->arg == ARG(mt_mkpart));
}

/* In a child: each ioctl once; 1 in @denied if it failed with EPERM, 2 if the
 * file could not be opened in that mode (sr: no write opens of a CD-ROM) */
static void ioctl_all(const char *node, int class, bool writer, bool as_user, u8 *denied)
{
	unsigned int i;
	int fd;

	if (as_user)
		sgf_drop_to_user();
	fd = open(node, (writer ? O_RDWR : O_RDONLY) | O_NONBLOCK);
	if (fd < 0)
		_exit(errno == EROFS ? 4 : 3);
	for (i = 0; i < NR_NATIVES; i++)
		denied[i] = native_applies(&natives[i], class) &&
			    ioctl(fd, natives[i].req, natives[i].arg) < 0 && errno == EPERM;
	_exit(0);
}

static int check_block_device(const char *node, unsigned long *total)
{
	unsigned long combos = 0, bad = 0, nr_denied = 0;
	int class, fd, unpriv, w, who;
	char path[160];
	unsigned int i;
	u8 *denied;

	class = device_class(node, path, sizeof(path));
	if (class < 0)
		return 1;
	denied = mmap(NULL, NR_NATIVES, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);

	for (unpriv = 0; unpriv <= 1; unpriv++) {
		int err = sgf_write_str(path, unpriv ? "1" : "0");

		if (err == -ENOENT && unpriv)
			break;
		if (err && err != -ENOENT) {
			check(false, "%s: cannot set unpriv_sgio: %s", node, strerror(-err));
			return 1;
		}
		for (w = 0; w <= 1; w++) {
			for (who = 0; who <= 1; who++) {
				int status;
				pid_t pid;

				memset(denied, 0, NR_NATIVES);
				pid = fork();
				if (!pid)
					ioctl_all(node, class, w, who, denied);
				waitpid(pid, &status, 0);
				if (WIFEXITED(status) && WEXITSTATUS(status) == 4)
					continue;	/* no write opens here */
				if (!WIFEXITED(status) || WEXITSTATUS(status)) {
					check(false, "%s: the ioctl process failed (%d)", node,
					      WEXITSTATUS(status));
					return 1;
				}
				for (i = 0; i < NR_NATIVES; i++) {
					const struct native *n = &natives[i];
					struct cdb c = { { n->opcode, 0, 0, 0, n->byte4 }, n->len };
					bool want;

					if (!native_applies(n, class))
						continue;
					want = expected(class, &c, w, unpriv, !who);
					combos++;
					nr_denied += denied[i];
					if (denied[i] == !want)
						continue;
					if (bad++ < 10)
						diag("%s %s: %s, %s, unpriv_sgio=%d, %s: %s, expected %s",
						     node, scsi_sgio_class_name(class), n->name,
						     w ? "read-write" : "read-only", unpriv,
						     who ? "user" : "root",
						     denied[i] ? "EPERM" : "passed",
						     want ? "passed" : "EPERM");
				}
			}
		}
	}
	sgf_write_str(path, "0");
	munmap(denied, NR_NATIVES);
	/* leave the device started and its door unlocked */
	fd = open(node, O_RDONLY | O_NONBLOCK);
	if (fd >= 0) {
		ioctl(fd, SCSI_IOCTL_START_UNIT, 0);
		ioctl(fd, SCSI_IOCTL_DOORUNLOCK, 0);
		close(fd);
	}
	*total += combos;
	if (!combos) {
		diag("%s (%s): no ioctl of this class", node,
		     scsi_sgio_class_name(class));
		return 0;
	}
	check(!bad, "%s (%s): %lu ioctl combinations (%lu EPERM), %lu mismatches", node,
	      scsi_sgio_class_name(class), combos, nr_denied, bad);
	check(nr_denied && nr_denied < combos, "%s: ioctls, both verdicts occur", node);
	return bad != 0;
}

int main(int argc, char **argv)
{
	unsigned long total = 0;
	struct stat st;
	int i;

	check_header();
	scsi_sgio_init_defaults();
	i = 1;
	if (argc > 1 && !strcmp(argv[1], "--grant-pr")) {
		grant_pr = true;
		i++;
	}
	for (; i < argc; i++) {
		if (!stat(argv[i], &st) &&
		    (S_ISBLK(st.st_mode) ||
		     (S_ISCHR(st.st_mode) && (major(st.st_rdev) == SCSI_TAPE_MAJOR ||
					      major(st.st_rdev) == SCSI_CHANGER_MAJOR))))
			check_block_device(argv[i], &total);
		else
			check_device(argv[i], &total);
	}
	/* no device: nothing compared, which must not pass */
	check(argc > 1 + grant_pr, "at least one device to check");
	diag("%lu (device, CDB, open mode, unpriv_sgio, user) combinations in all", total);
	return check_finished();
}
