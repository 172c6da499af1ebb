// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device grants, the sets: entries in the class-table syntax that apply
 * to one SCSI device on top of its class table, the grant and revoke
 * arguments that change them, and a device's set in
 * /sys/bus/scsi/devices/H:C:T:L/sgio_grants (while sgfilter.ko is loaded).
 * The kernel takes a whole set per write: grants.c reads, changes and
 * writes it back under grant_state.c's lock.
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
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "sgfilterctl.h"

/* --- entries and sets ------------------------------------------------------ */

/* How much a permission gives: nothing, writers, everyone */
int perm_rank(u8 perm)
{
	return perm == SCSI_SGIO_READ ? 2 : perm == SCSI_SGIO_WRITE ? 1 : 0;
}

u8 perm_broader(u8 a, u8 b)
{
	return perm_rank(a) >= perm_rank(b) ? a : b;
}

/* @dst gets every entry of @src too, the broader permission where both have one */
void table_union(struct scsi_sgio_table *dst, const struct scsi_sgio_table *src)
{
	int op, i, sa;

	for (op = 0; op < NR_OPCODES; op++)
		if (!scsi_sgio_by_sa(dst->op[op]))
			dst->op[op] = perm_broader(dst->op[op], src->op[op]);
	for (i = 0; i < SCSI_SGIO_NR_SA_OPS; i++)
		for (sa = 0; sa < SCSI_SGIO_NR_SA; sa++)
			dst->sa[i][sa] = perm_broader(dst->sa[i][sa], src->sa[i][sa]);
	for (sa = 0; sa < SCSI_SGIO_NR_VL_SA; sa++)
		dst->vl[sa] = perm_broader(dst->vl[sa], src->vl[sa]);
}

/* The set in the kernel's syntax, malloc'ed ("" for none); NULL if out of memory */
char *table_text(const struct scsi_sgio_table *t)
{
	size_t len = sgf_table_format(t, NULL, 0);
	char *text = malloc(len + 1);

	if (text)
		sgf_table_format(t, text, len + 1);
	return text;
}

/*
 * The tokens of a grant line for the set @t: " read KEY... write KEY...",
 * the keys as the kernel lists them
 */
void grant_tokens(FILE *f, const struct scsi_sgio_table *t)
{
	char *text = table_text(t), *line, *save, *sp;
	static const char *const perms[] = { "read", "write" };
	int p;
	bool first;

	if (!text)
		return;
	for (p = 0; p < 2; p++) {
		char *copy = strdup(text);

		first = true;
		for (line = strtok_r(copy, "\n", &save); copy && line;
		     line = strtok_r(NULL, "\n", &save)) {
			sp = strchr(line, ' ');
			if (!sp || strcmp(sp + 1, perms[p]))
				continue;
			*sp = '\0';
			fprintf(f, "%s%s", first ? " " : "", first ? perms[p] : "");
			fprintf(f, " %s", line);
			first = false;
		}
		free(copy);
	}
	free(text);
}

/* --- grant and revoke arguments --------------------------------------------- */

static bool is_hex_token(const char *s)
{
	struct sgf_entry e;

	return !sgf_parse_entry(s, strlen(s), false, &e);
}

static int add_edit(struct grant_edits *g, const struct sgf_entry *e,
		    const struct profile *from, const char *where)
{
	if (g->nr == MAX_GRANT_EDITS) {
		if (where)
			error("%s: more than %d entries", where, MAX_GRANT_EDITS);
		else
			usage_error("at most %d entries at a time", MAX_GRANT_EDITS);
		return where ? 1 : EXIT_USAGE;
	}
	g->e[g->nr].e = *e;
	g->e[g->nr].from = from;
	g->nr++;
	return 0;
}

/* A grammar error: a usage error on the command line, FILE:LINE in a file */
static int grammar(const char *where, const char *what, const char *tok)
{
	if (where) {
		error("%s: \"%.80s\": %s", where, tok, what);
		return 1;
	}
	return usage_error("\"%s\": %s", tok, what);
}

/*
 * Parse the arguments of grant (PROFILE | read OPCODE[/SA]... | write
 * OPCODE[/SA]..., in any number and order) or of revoke (PROFILE |
 * OPCODE[/SA] ... | all) into @g. @class is the device's, for names; -1
 * (a policy file, @where its FILE:LINE) takes numbers only. A profile name
 * is always a profile (none is a number or a name of an opcode), and ends
 * a read or write list. Returns 0, 1 (an error), or EXIT_USAGE.
 */
int parse_grant_args(int class, char **tok, int n, bool revoke, struct grant_edits *g,
		     const char *where)
{
	const struct profile *p;
	enum scsi_sgio_perm mode = SCSI_SGIO_NONE;
	struct sgf_entry e;
	bool pending = false;
	unsigned int j;
	int i, ret, op, sa;

	g->nr = 0;
	g->all = false;
	for (i = 0; i < n; i++) {
		const char *t = tok[i];

		p = find_profile(t);
		if (p) {
			if (pending)
				return grammar(where, "no OPCODE after read or write", tok[i - 1]);
			mode = SCSI_SGIO_NONE;
			for (j = 0; j < p->nr; j++) {
				e = p->entries[j];
				if (revoke)
					e.perm = SCSI_SGIO_NONE;
				ret = add_edit(g, &e, p, where);
				if (ret)
					return ret;
			}
			continue;
		}
		if (!strcmp(t, "read") || !strcmp(t, "write")) {
			if (revoke)
				return grammar(where, "revoke takes no read or write: it removes the "
					       "entry, whatever its permission", t);
			if (pending)
				return grammar(where, "no OPCODE after read or write", tok[i - 1]);
			mode = strcmp(t, "read") ? SCSI_SGIO_WRITE : SCSI_SGIO_READ;
			pending = true;
			continue;
		}
		if (revoke && !strcmp(t, "all")) {
			if (n != 1)
				return grammar(where, "all goes alone: it removes every grant", t);
			g->all = true;
			return 0;
		}
		if (!revoke && mode == SCSI_SGIO_NONE) {
			char what[160];

			snprintf(what, sizeof(what), "neither a profile (%s) nor an OPCODE after "
				 "read or write", profile_names());
			return grammar(where, what, t);
		}
		if (class < 0) {
			if (!is_hex_token(t))
				return grammar(where, "expected a profile, read, write or a "
					       "hexadecimal OPCODE[/SA]", t);
			sgf_parse_entry(t, strlen(t), false, &e);
		} else {
			if (resolve(class, t, &op, &sa))
				return 1;
			e.opcode = op;
			e.sa = sa;
		}
		e.perm = revoke ? SCSI_SGIO_NONE : mode;
		ret = add_edit(g, &e, NULL, where);
		if (ret)
			return ret;
		pending = false;
	}
	if (pending)
		return grammar(where, "no OPCODE after it", tok[n - 1]);
	return 0;
}

/* Apply @g to the set @t of a device of @class (@who names it); 0, or 1 */
int apply_edits(int class, struct scsi_sgio_table *t, const struct grant_edits *g,
		const char *who)
{
	const char *cname = scsi_sgio_class_name(class);
	char key[KEY_MAX_LEN];
	int i;

	if (g->all)
		sgf_table_clear(t);
	for (i = 0; i < g->nr; i++) {
		const struct grant_edit *ge = &g->e[i];

		if (ge->from && !profile_fits(ge->from, class)) {
			error("%s: profile %s is not for %s devices (see sgfilterctl profiles)",
			      who, ge->from->name, cname);
			return 1;
		}
		if (sgf_table_apply(t, &ge->e)) {
			key_str(ge->e.opcode, ge->e.sa, key, sizeof(key));
			if (has_sa(class, ge->e.opcode))
				error("%s: %s: no such service action of 0x%02x in class %s", who,
				      key, ge->e.opcode, cname);
			else
				error("%s: %s: 0x%02x has no service actions in class %s", who, key,
				      ge->e.opcode, cname);
			return 1;
		}
	}
	return 0;
}

/* --- the device's set in sysfs ----------------------------------------------- */

static void grants_path(const char *hctl, char *buf, size_t size)
{
	sysfs_path(buf, size, "bus/scsi/devices/%s/sgio_grants", hctl);
}

/*
 * The grant set of @hctl (of @class) into @t. -ENOENT without a message if
 * the device has no sgio_grants file (no module); other errors with one.
 */
int read_grants(const char *hctl, int class, struct scsi_sgio_table *t)
{
	char path[PATH_MAX], *text;
	int err, line;

	empty_table(class, t);
	grants_path(hctl, path, sizeof(path));
	err = read_all(path, &text);
	if (err == -ENOENT)
		return err;
	if (err) {
		error("Failed to read \"%s\": %s", path, strerror(-err));
		return err;
	}
	/* the kernel lists no grants as an empty file; take a blank line as that too */
	line = strspn(text, " \n") == strlen(text) ? 0 : sgf_table_load(t, text, strlen(text));
	free(text);
	if (line) {
		error("\"%s\" does not parse (line %d)", path, line);
		return -EINVAL;
	}
	return 0;
}

/* Replace the grant set of @hctl by @t; 0, or -errno with a message */
int write_grants(const char *hctl, const struct scsi_sgio_table *t)
{
	char path[PATH_MAX], *text = table_text(t);
	int err;

	if (!text)
		return -ENOMEM;
	grants_path(hctl, path, sizeof(path));
	if (strlen(text) > page_size()) {
		error("Failed to write \"%s\": the set is %zu bytes, more than a page", path,
		      strlen(text));
		hint("grant whole opcodes (\"write 0x7f\") rather than each service action");
		free(text);
		return -E2BIG;
	}
	/* a lone newline is the empty set */
	err = write_text_flags(path, text[0] ? text : "\n", O_TRUNC);
	if (err) {
		error("Failed to write \"%s\": %s", path, strerror(-err));
		if (err == -EINVAL)
			hint("the kernel refused the set; sgfilterctl show %s lists what it has",
			     hctl);
		else
			hint_errno(-err);
	}
	free(text);
	return err;
}

/* 0 if devices have sgio_grants files (the module is loaded), else 1 with a message */
int need_grants(const char *hctl)
{
	char path[PATH_MAX];

	grants_path(hctl, path, sizeof(path));
	if (!access(path, F_OK))
		return 0;
	error("%s has no grants file (\"%s\"): grants need the sgfilter module", hctl, path);
	hint("modprobe sgfilter");
	return 1;
}
