// SPDX-License-Identifier: GPL-2.0
/*
 * The policy file: "CLASS OPCODE[/SA] read|write" per line, '#' comments,
 * blank lines, "unpriv ID on|off" per device, and "grant ID PROFILE|read
 * OPCODE[/SA]...|write OPCODE[/SA]..." per device (ID %XX-encoded, see
 * encode_id(); OPCODE in hexadecimal). A class that appears in the file
 * gets exactly the file's entries; the others are left alone. So does a
 * device that grant lines name: exactly their grants (with what the
 * runtime state remembers for its multipath LUN, grant_state.c). Here:
 * parsing it and applying its device lines (apply-device, for udev);
 * policy_save.c writes it (save, atomically), load.c applies its tables.
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
