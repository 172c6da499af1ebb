// SPDX-License-Identifier: GPL-2.0
/*
 * The policy file, written: what is in force (the class tables that differ
 * from the built-in ones, the devices with unpriv_sgio set and those with
 * grants, by WWID) in policy_file.c's syntax, and a file replaced
 * atomically (save; apply-device and load read it).
 */
#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sgfilterctl.h"

/* --- save ----------------------------------------------------------------------- */

/* "unpriv WWID on" for a device with the flag set, by its WWID */
static void save_unpriv(const char *hctl, void *f)
{
	char wwid[ID_MAX], enc[3 * ID_MAX];

	if (device_unpriv(hctl) != 1)
		return;
	device_wwid(hctl, wwid, sizeof(wwid));
	encode_id(wwid, enc, sizeof(enc));
	if (wwid[0])
		fprintf(f, "unpriv %s on\n", enc);
	else
		fprintf(f, "# %s has unpriv_sgio set but no WWN: not saved\n", hctl);
}

/* The grants of the devices, by WWID: the paths of a LUN are one */
struct saved_grants {
	FILE *f;
	int nr;
	struct {
		char wwid[ID_MAX];
		int class;
		struct scsi_sgio_table t;
	} lun[MAX_GRANT_LINES];
};

static void collect_grants(const char *hctl, void *arg)
{
	struct saved_grants *s = arg;
	struct scsi_sgio_table t;
	char wwid[ID_MAX], *text;
	int class = device_class(hctl), i;
	bool any;

	if (read_grants(hctl, class, &t))
		return;
	text = table_text(&t);
	any = text && text[0];
	free(text);
	if (!any)
		return;
	device_wwid(hctl, wwid, sizeof(wwid));
	if (!wwid[0]) {
		fprintf(s->f, "# %s has grants but no WWID: not saved\n", hctl);
		return;
	}
	for (i = 0; i < s->nr; i++)
		if (!strcmp(s->lun[i].wwid, wwid) && s->lun[i].class == class)
			break;
	if (i == s->nr) {
		if (s->nr == MAX_GRANT_LINES) {
			fprintf(s->f, "# %s: more than %d devices with grants: not saved\n", hctl,
				MAX_GRANT_LINES);
			return;
		}
		snprintf(s->lun[i].wwid, sizeof(s->lun[i].wwid), "%s", wwid);
		s->lun[i].class = class;
		empty_table(class, &s->lun[i].t);
		s->nr++;
	}
	table_union(&s->lun[i].t, &t);
}

/* "grant WWID read ... write ..." for every LUN with grants */
static void save_grants(FILE *f)
{
	static struct saved_grants s;
	char enc[3 * ID_MAX];
	int i;

	s.f = f;
	s.nr = 0;
	for_each_device(collect_grants, &s);
	for (i = 0; i < s.nr; i++) {
		encode_id(s.lun[i].wwid, enc, sizeof(enc));
		fprintf(f, "grant %s", enc);
		grant_tokens(f, &s.lun[i].t);
		fprintf(f, "\n");
	}
}

/* "CLASS ENTRY" for every entry of the table in force for @class */
static int save_table(int class, FILE *f)
{
	struct scsi_sgio_table t;
	char *text, *line, *save;
	size_t len;

	if (current_table(class, &t))
		return 1;
	len = sgf_table_format(&t, NULL, 0);
	text = malloc(len + 1);
	if (!text)
		return 1;
	sgf_table_format(&t, text, len + 1);
	fprintf(f, "\n");
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		fprintf(f, "%s %s\n", scsi_sgio_class_name(class), line);
	free(text);
	return 0;
}

/* The whole policy in force, in a malloc'ed buffer; 0, or 1 */
static int format_policy(char **out, size_t *size)
{
	FILE *f = open_memstream(out, size);
	int c;

	if (!f) {
		error("Failed to save the policy: %s", strerror(errno));
		return 1;
	}
	fprintf(f, "# sgfilter policy, written by sgfilterctl save; see sgfilterctl(8)\n");
	for_each_device(save_unpriv, f);
	save_grants(f);
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		if (save_table(c, f)) {
			fclose(f);
			return 1;
		}
	if (fclose(f)) {
		error("Failed to save the policy: %s", strerror(errno));
		return 1;
	}
	return 0;
}

/* The file a save to @file replaces: @file, or what the link @file names */
static int save_target(const char *file, char *target, size_t size)
{
	struct stat st;

	if (lstat(file, &st) || !S_ISLNK(st.st_mode)) {
		snprintf(target, size, "%s", file);
		return 0;
	}
	if (!realpath(file, target)) {
		error("Failed to follow the link \"%s\": %s", file, strerror(errno));
		return 1;
	}
	return 0;
}

/* The new file gets the old file's mode and owner, or a new file's usual mode */
static int copy_mode(int fd, const char *target)
{
	struct stat st;
	mode_t mask;

	if (!stat(target, &st)) {
		if (fchmod(fd, st.st_mode & 07777) ||
		    (fchown(fd, st.st_uid, st.st_gid) && errno != EPERM))
			return errno;
		return 0;
	}
	mask = umask(0);
	umask(mask);
	return fchmod(fd, 0666 & ~mask) ? errno : 0;
}

/* All of @buf to @fd; 0 or an errno */
static int write_whole(int fd, const char *buf, size_t len)
{
	size_t done = 0;
	ssize_t n;

	while (done < len) {
		n = write(fd, buf + done, len - done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n < 0 ? errno : EIO;
		done += n;
	}
	return 0;
}

/* A new temporary file next to @target, its name in @tmp; the fd, or -1 with a message */
static int create_tmp(const char *file, const char *target, char *dir, size_t dsize,
		      char *tmp, size_t tsize)
{
	const char *base = strrchr(target, '/');
	int fd;

	if (base)
		snprintf(dir, dsize, "%.*s", base == target ? 1 : (int)(base - target), target);
	else
		snprintf(dir, dsize, ".");
	base = base ? base + 1 : target;
	if (snprintf(tmp, tsize, "%s/.%s.XXXXXX", dir, base) >= (int)tsize) {
		error("Failed to write \"%s\": %s", file, strerror(ENAMETOOLONG));
		return -1;
	}
	fd = mkstemp(tmp);
	if (fd < 0) {
		error("Failed to write \"%s\": cannot create a temporary file in \"%s\": %s",
		      file, dir, strerror(errno));
		if (errno == EACCES || errno == EPERM || errno == EROFS)
			hint("save writes a new file next to \"%s\" and renames it: the directory "
			     "must be writable", file);
	}
	return fd;
}

/*
 * Replace @file by @len bytes at @buf, atomically: a temporary file in the
 * same directory, written and synced, then renamed over @file. On failure
 * the temporary file goes and @file is as it was. A symbolic link is
 * followed: the file it names is replaced. 0, or 1 with a message.
 */
int write_file_atomic(const char *file, const char *buf, size_t len)
{
	char target[PATH_MAX], tmp[2 * PATH_MAX + 16], dir[PATH_MAX];
	const char *what = "set the mode of";
	int fd, dfd, err;

	if (save_target(file, target, sizeof(target)))
		return 1;
	fd = create_tmp(file, target, dir, sizeof(dir), tmp, sizeof(tmp));
	if (fd < 0)
		return 1;
	err = copy_mode(fd, target);
	if (!err) {
		what = "write";
		err = write_whole(fd, buf, len);
	}
	if (!err && fsync(fd)) {
		err = errno;
		what = "sync";
	}
	if (close(fd) && !err)
		err = errno;
	if (!err && rename(tmp, target)) {
		err = errno;
		what = "replace";
	}
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

int cmd_save(int argc, char **argv, unsigned int flags)
{
	const char *file = argv[0];
	char *out = NULL;
	size_t size = 0;
	int ret = 1;

	/* all of it in memory first: a failure leaves the file alone */
	if (format_policy(&out, &size))
		goto out;
	if (strcmp(file, "-")) {
		ret = write_file_atomic(file, out, size);
	} else {
		ret = fwrite(out, 1, size, stdout) != size || fflush(stdout);
		if (ret)
			error("Failed to write the policy to standard output: %s",
			      strerror(errno));
	}
out:
	free(out);
	return ret;
}
