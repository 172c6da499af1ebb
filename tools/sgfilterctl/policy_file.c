// SPDX-License-Identifier: GPL-2.0
/*
 * The policy file: "CLASS OPCODE[/SA] read|write" per line, '#' comments,
 * blank lines, "unpriv ID on|off" per device, and "grant ID PROFILE|read
 * OPCODE[/SA]...|write OPCODE[/SA]..." per device (ID %XX-encoded, see
 * encode_id(); OPCODE in hexadecimal). A class that appears in the file
 * gets exactly the file's entries; the others are left alone. So does a
 * device that grant lines name: exactly their grants (with what the
 * runtime state remembers for its multipath LUN, grants.c). Here: parsing
 * it, writing it (save, atomically) and applying its device lines
 * (apply-device, for udev); load.c applies its tables.
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

/* --- parse -------------------------------------------------------------------- */

/* Split @p at whitespace into at most @max fields; the number found */
static int split_fields(char *p, char **field, int max)
{
	int n = 0;

	for (;;) {
		while (isspace((unsigned char)*p))
			p++;
		if (!*p)
			return n;
		if (n == max)
			return n + 1;
		field[n++] = p;
		while (*p && !isspace((unsigned char)*p))
			p++;
		if (*p)
			*p++ = '\0';
	}
}

/* @line without its comment and the white space around it */
static char *strip(char *line)
{
	size_t len;

	line[strcspn(line, "#")] = '\0';
	while (isspace((unsigned char)*line))
		line++;
	len = strlen(line);
	while (len && isspace((unsigned char)line[len - 1]))
		line[--len] = '\0';
	return line;
}

/* "unpriv ID on|off"; 0, or 1 with a FILE:LINE message */
static int parse_unpriv(const char *file, int no, char *line, struct policy *p)
{
	struct unpriv_line *u = &p->unpriv[p->nr_unpriv];
	char *field[4];
	int nf = split_fields(line, field, 4);

	if (nf != 3 || (strcmp(field[2], "on") && strcmp(field[2], "off"))) {
		error("%s:%d: expected \"unpriv WWID|/dev/disk/by-id/... on|off\"", file, no);
		return 1;
	}
	if (p->nr_unpriv == MAX_UNPRIV) {
		error("%s:%d: more than %d device lines", file, no, MAX_UNPRIV);
		return 1;
	}
	if (decode_id(field[1], u->id, sizeof(u->id))) {
		error("%s:%d: \"%.80s\" is no device ID: %% must start a %%XX escape "
		      "(two hex digits, not 00), and an ID has at most %d bytes",
		      file, no, field[1], ID_MAX - 1);
		return 1;
	}
	u->on = !strcmp(field[2], "on");
	p->nr_unpriv++;
	return 0;
}

/* The most fields of a grant line: "grant", the ID, and its arguments */
#define GRANT_FIELDS	(2 + 2 * MAX_GRANT_EDITS)

/* "grant ID PROFILE|read OPCODE[/SA]...|write OPCODE[/SA]..."; 0, or 1 */
static int parse_grant(const char *file, int no, char *line, struct policy *p)
{
	struct grant_line *g = &p->grant[p->nr_grants];
	char *field[GRANT_FIELDS];
	int nf = split_fields(line, field, GRANT_FIELDS);

	snprintf(g->where, sizeof(g->where), "%.140s:%d", file, no);
	if (nf < 3) {
		error("%s: expected \"grant WWID PROFILE|read OPCODE[/SA]...|write "
		      "OPCODE[/SA]...\"", g->where);
		return 1;
	}
	if (nf > GRANT_FIELDS) {
		error("%s: more than %d entries on one line", g->where, MAX_GRANT_EDITS);
		return 1;
	}
	if (p->nr_grants == MAX_GRANT_LINES) {
		error("%s: more than %d grant lines", g->where, MAX_GRANT_LINES);
		return 1;
	}
	if (decode_id(field[1], g->id, sizeof(g->id))) {
		error("%s: \"%.80s\" is no device ID: %% must start a %%XX escape "
		      "(two hex digits, not 00), and an ID has at most %d bytes",
		      g->where, field[1], ID_MAX - 1);
		return 1;
	}
	if (parse_grant_args(-1, field + 2, nf - 2, false, &g->g, g->where))
		return 1;
	p->nr_grants++;
	return 0;
}

/* "CLASS OPCODE[/SA] read|write"; 0, or 1 with a FILE:LINE message */
static int parse_entry(const char *file, int no, char *line, struct policy *p)
{
	char *rest = line + strcspn(line, " \t");
	struct sgf_entry e;
	int c;

	if (!*rest) {
		error("%s:%d: expected \"CLASS OPCODE[/SA] read|write\", \"unpriv ID on|off\" "
		      "or \"grant ID ...\"", file, no);
		return 1;
	}
	*rest++ = '\0';
	c = parse_class(line);
	if (c < 0) {
		error("%s:%d: \"%.32s\" is no class; expected \"CLASS OPCODE[/SA] read|write\", "
		      "\"unpriv ID on|off\" or \"grant ID ...\"", file, no, line);
		return 1;
	}
	while (*rest == ' ' || *rest == '\t')
		rest++;
	if (sgf_parse_entry(rest, strlen(rest), true, &e) ||
	    sgf_table_apply(&p->tables[c], &e)) {
		error("%s:%d: \"%.80s\" is no valid entry for class %s", file, no, rest, line);
		return 1;
	}
	p->present[c] = true;
	return 0;
}

/* Does @line start with the word @word? */
static bool is_keyword(const char *line, const char *word)
{
	size_t n = strlen(word);

	return !strncmp(line, word, n) && (!line[n] || isspace((unsigned char)line[n]));
}

/* Every line of @f; 0, or 1 with a FILE:LINE message. Lines of any length. */
static int parse_lines(const char *file, FILE *f, struct policy *p)
{
	char *line = NULL, *s;
	size_t cap = 0;
	ssize_t got;
	int no = 0, err = 0;

	while (!err && (got = getline(&line, &cap, f)) >= 0) {
		no++;
		if (memchr(line, '\0', got)) {
			error("%s:%d: a NUL byte: a policy file is text", file, no);
			err = 1;
			break;
		}
		s = strip(line);
		if (!*s)
			continue;
		if (is_keyword(s, "unpriv"))
			err = parse_unpriv(file, no, s, p);
		else if (is_keyword(s, "grant"))
			err = parse_grant(file, no, s, p);
		else
			err = parse_entry(file, no, s, p);
	}
	if (!err && ferror(f)) {
		error("Failed to read \"%s\": %s", file, strerror(errno));
		err = 1;
	}
	free(line);
	return err;
}

int parse_policy(const char *file, struct policy *p)
{
	FILE *f = strcmp(file, "-") ? fopen(file, "r") : stdin;
	int c, err;

	if (!f) {
		error("Failed to open \"%s\": %s", file, strerror(errno));
		return 1;
	}
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		empty_table(c, &p->tables[c]);
		p->present[c] = false;
	}
	err = parse_lines(file, f, p);
	if (f != stdin)
		fclose(f);
	return err;
}

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

/* --- apply-device ------------------------------------------------------------- */

struct apply {
	const struct policy *p;
	const char *only;
	int ret;
};

static void apply_one(const char *hctl, void *arg)
{
	struct apply *a = arg;
	int i;

	if (a->only && strcmp(a->only, hctl))
		return;
	for (i = 0; i < a->p->nr_unpriv; i++)
		if (id_matches(a->p->unpriv[i].id, hctl) && set_unpriv(hctl, a->p->unpriv[i].on))
			a->ret = 1;
}

/* Apply the per-device settings to @only (an H:C:T:L), or to every device */
int apply_unpriv(const struct policy *p, const char *only)
{
	struct apply a = { .p = p, .only = only };

	for_each_device(apply_one, &a);
	return a.ret;
}

struct apply_grants {
	const struct policy *p, *state;
	const char *only;
	bool dry;
	int ret;
};

/* The grants that @p's lines give to the device @hctl of @class into @t; named: any? */
static int lines_for(const struct policy *p, const char *hctl, int class,
		     struct scsi_sgio_table *t, bool *named)
{
	int i;

	for (i = 0; i < p->nr_grants; i++) {
		if (!id_matches(p->grant[i].id, hctl))
			continue;
		*named = true;
		if (apply_edits(class, t, &p->grant[i].g, p->grant[i].where))
			return 1;
	}
	return 0;
}

static void apply_grants_one(const char *hctl, void *arg)
{
	struct apply_grants *a = arg;
	struct scsi_sgio_table t, cur;
	int class = device_class(hctl);
	bool named = false;
	char who[HCTL_MAX_LEN + 16];

	if (a->only && strcmp(a->only, hctl))
		return;
	empty_table(class, &t);
	snprintf(who, sizeof(who), "%s", hctl);
	if (lines_for(a->p, hctl, class, &t, &named) || lines_for(a->state, hctl, class, &t, &named)) {
		error("%s (class %s) gets none of the policy's grants", who,
		      scsi_sgio_class_name(class));
		a->ret = 1;
		return;
	}
	if (!named)
		return;
	if (read_grants(hctl, class, &cur) == -ENOENT) {
		error("the policy grants %s commands, but it has no sgio_grants file: grants "
		      "need the sgfilter module", hctl);
		hint("modprobe sgfilter");
		a->ret = 1;
		return;
	}
	if (!a->dry && write_grants(hctl, &t))
		a->ret = 1;
}

/*
 * Give each device (or @only, an H:C:T:L) that @p's grant lines or the
 * runtime state name exactly the grants they give it. @dry: check only.
 */
int apply_grants(const struct policy *p, const char *only, bool dry)
{
	static struct policy state;
	struct apply_grants a = { .p = p, .state = &state, .only = only, .dry = dry };

	if (load_state(&state))
		return 1;
	for_each_device(apply_grants_one, &a);
	return a.ret;
}

static bool is_conf(const char *name)
{
	size_t len = strlen(name);

	return len >= 6 && !strcmp(name + len - 5, ".conf");
}

/* For the udev rule: apply the device lines of /etc/sgfilter/NAME.conf */
int cmd_apply_device(int argc, char **argv, unsigned int flags)
{
	const char *dir = getenv("SGFILTER_CONF_DIR") ?: "/etc/sgfilter";
	static struct policy p;
	char hctl[HCTL_MAX_LEN], file[PATH_MAX];
	struct dirent *de;
	int ret = 0;
	DIR *d;

	if (resolve_device(argv[0], hctl, sizeof(hctl), NULL))
		return 1;
	/* tables are for sgfilter.service; only the device lines here */
	p.nr_unpriv = 0;
	p.nr_grants = 0;
	d = opendir(dir);
	while (d && (de = readdir(d))) {
		if (!is_conf(de->d_name))
			continue;
		snprintf(file, sizeof(file), "%s/%s", dir, de->d_name);
		if (parse_policy(file, &p))
			ret = 1;
	}
	if (d)
		closedir(d);
	/* the lock keeps a grant running now from losing this write, or this from it */
	take_lock();
	return apply_unpriv(&p, hctl) | apply_grants(&p, hctl, false) | ret;
}
