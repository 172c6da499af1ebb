// SPDX-License-Identifier: GPL-2.0
/*
 * Bad input, in the VM:
 *
 *   badinput sysfs N FILE [READBACK]   N random writes to FILE; every refused
 *                                       write must leave READBACK (FILE itself
 *                                       if not given) as it was
 *   badinput cdbs N /dev/bsg/H:C:T:L    N random CDBs (length 0-260, random
 *                                       bytes) from an unprivileged read-only
 *                                       opener: EPERM exactly when the device
 *                                       class table denies the CDB
 *
 * The writes are random bytes, random digits, numbers out of range, and valid
 * values with junk before or after, of lengths 0 to 4096. Seeded from
 * SGF_SEED (default 1); KTAP (tests/unit/check.h), the last line kselftest's
 * "# Totals: pass:N fail:N ...".
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <scsi/scsi_proto.h>
#include <scsi/scsi_sgio.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "../unit/check.h"
#include "../../selftests/sgfilter/sgio_util.h"

static char *read_all(const char *path)
{
	static char buf[65536];
	int fd = open(path, O_RDONLY);
	size_t len = 0;
	ssize_t n;

	buf[0] = '\0';
	if (fd < 0)
		return buf;
	while (len < sizeof(buf) - 1 && (n = read(fd, buf + len, sizeof(buf) - 1 - len)) > 0)
		len += n;
	buf[len] = '\0';
	close(fd);
	return buf;
}

/* A random write: one of several kinds of junk */
static size_t junk(char *buf)
{
	static const char *const near[] = {
		"1", "0", "0x5f write", "0x5f", "0x1b read", "1\n", "0x7f/0x000d write",
	};
	size_t len = 0, i;

	switch (rand() % 5) {
	case 0:		/* random bytes */
		len = rand() % 4097;
		for (i = 0; i < len; i++)
			buf[i] = rand();
		break;
	case 1:		/* random digits */
		len = 1 + rand() % 24;
		for (i = 0; i < len; i++)
			buf[i] = '0' + rand() % 10;
		break;
	case 2:		/* numbers out of range */
		len = sprintf(buf, "%d", rand() % 2 ? 2 + rand() : -1 - rand());
		break;
	case 3:		/* a valid value with junk after */
		len = sprintf(buf, "%s%c%s", near[rand() % 7], "x \t/,;"[rand() % 6],
			      rand() % 2 ? "junk" : "");
		break;
	default:	/* junk before a valid value */
		len = sprintf(buf, "%c%s", " x+-/"[rand() % 5], near[rand() % 7]);
		break;
	}
	return len;
}

static int fuzz_sysfs(int n, const char *file, const char *readback)
{
	char before[65536], *buf = malloc(8192);
	int i, refused = 0, accepted = 0, changed = 0, fd;

	snprintf(before, sizeof(before), "%s", read_all(readback));
	for (i = 0; i < n; i++) {
		size_t len = junk(buf);
		ssize_t ret;

		fd = open(file, O_WRONLY);
		if (fd < 0) {
			check(false, "%s: %s", file, strerror(errno));
			return 1;
		}
		ret = write(fd, buf, len);
		close(fd);
		if (ret >= 0 && len) {
			/* accepted: the new value is the baseline */
			accepted++;
			snprintf(before, sizeof(before), "%s", read_all(readback));
			continue;
		}
		refused++;
		if (strcmp(before, read_all(readback))) {
			if (changed++ < 5)
				diag("%s: a refused write of %zu bytes changed %s", file, len, readback);
			snprintf(before, sizeof(before), "%s", read_all(readback));
		}
	}
	free(buf);
	return check(!changed, "%s: %d random writes, %d refused, %d accepted, %d values changed by refused writes",
		     file, n, refused, accepted, changed) ? 0 : 1;
}

static int fuzz_cdbs(int n, const char *node)
{
	char path[128], buf[16] = "";
	int i, fd, class, bad = 0, denied = 0, passed = 0, rejected = 0;
	struct stat st;

	if (stat(node, &st))
		return !check(false, "%s: %s", node, strerror(errno));
	snprintf(path, sizeof(path), "/sys/dev/char/%u:%u/device/type",
		 major(st.st_rdev), minor(st.st_rdev));
	fd = open(path, O_RDONLY);
	if (fd < 0 || read(fd, buf, sizeof(buf) - 1) <= 0)
		return !check(false, "%s: no device type", node);
	close(fd);
	class = scsi_sgio_class(atoi(buf));

	sgf_drop_to_user();	/* exits with status 200 if it cannot */
	fd = open(node, O_RDONLY);
	if (fd < 0)
		return !check(false, "%s: %s", node, strerror(errno));
	for (i = 0; i < n; i++) {
		u8 cdb[260];
		unsigned int len = rand() % 261, j;
		bool want, got;

		for (j = 0; j < sizeof(cdb); j++)
			cdb[j] = rand();
		/* mostly CDBs the kernel takes in, some it refuses by length */
		if (rand() % 4)
			len %= 33;
		got = sgf_bsg(fd, cdb, len, SGF_DIR_NONE, NULL, 0) == -EPERM;
		if (len > 32) {
			/* longer than a CDB can be: refused before the filter */
			rejected++;
			if (got)
				bad++;
			continue;
		}
		want = !scsi_sgio_permitted(scsi_sgio_default_table(class), cdb, len, false);
		denied += got;
		passed += !got;
		if (got != want && bad++ < 5)
			diag("%s: %u-byte CDB %02x %02x ...: %s, expected %s", node, len,
			     cdb[0], cdb[1], got ? "EPERM" : "passed", want ? "EPERM" : "passed");
	}
	close(fd);
	return check(!bad && denied && passed,
		     "%s (%s): %d random CDBs: %d EPERM, %d passed, %d too long, %d wrong verdicts",
		     node, scsi_sgio_class_name(class), n, denied, passed, rejected, bad) ? 0 : 1;
}

int main(int argc, char **argv)
{
	const char *seed = getenv("SGF_SEED");

	check_header();
	srand(seed ? atoi(seed) : 1);
	scsi_sgio_init_defaults();
	if (argc >= 4 && !strcmp(argv[1], "sysfs"))
		fuzz_sysfs(atoi(argv[2]), argv[3], argc > 4 ? argv[4] : argv[3]);
	else if (argc == 4 && !strcmp(argv[1], "cdbs"))
		fuzz_cdbs(atoi(argv[2]), argv[3]);
	else
		return 2;
	return check_finished();
}
