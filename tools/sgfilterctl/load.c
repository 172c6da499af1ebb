// SPDX-License-Identifier: GPL-2.0
/*
 * load [--fail-closed] FILE: apply a policy file's tables, each in one write
 * to the module's CLASS/load, and then its device lines (unpriv, then
 * grant). Complete or nothing: every check comes before the first write
 * (a grant line that does not fit a device it names included), and if the
 * kernel refuses a table midway, the classes already loaded get their
 * earlier tables back. With --fail-closed (sgfilter.service), a class whose saved
 * table cannot be applied gets the empty table instead, loudly.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sgfilterctl.h"

/* One load: the file, its tables as the module's text, the tables before */
struct load {
	const char *file;
	bool closed;			/* --fail-closed */
	struct policy *p;
	char *text[SCSI_SGIO_NR_CLASSES];
	char *old[SCSI_SGIO_NR_CLASSES];
	bool written[SCSI_SGIO_NR_CLASSES];
};

/*
 * Put back a table read from <class>/table before a load: in one write if
 * it fits a page; else (an earlier run of allow made it so large) its first
 * page of lines, then the other lines through allow, one by one. 0 or -errno.
 */
static int restore_class(int class, char *text)
{
	size_t page = page_size(), len = strlen(text), cut = 0;
	char path[PATH_MAX], *line, *save, saved;
	int err;

	if (len <= page)
		return load_class(class, text);
	while (cut < len) {
		char *nl = memchr(text + cut, '\n', len - cut);
		size_t next = nl ? nl - text + 1 : len;

		if (next > page)
			break;
		cut = next;
	}
	saved = text[cut];
	text[cut] = '\0';
	err = load_class(class, text);
	text[cut] = saved;
	if (err)
		return err;
	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/allow", scsi_sgio_class_name(class));
	for (line = strtok_r(text + cut, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		err = write_text(path, line);
		if (err)
			return err;
	}
	return 0;
}

/*
 * --fail-closed: a class whose saved table could not be applied gets the
 * empty table, not the looser one it had. Returns 1 if that failed too.
 */
static int fail_closed(int class, const char *file, const char *why)
{
	const char *name = scsi_sgio_class_name(class);
	int err = load_class(class, "");

	if (err) {
		error("%s: the saved %s table was not applied (%s), and loading an EMPTY "
		      "table failed too: %s; class %s keeps its earlier table", file, name, why,
		      name, strerror(-err));
		return 1;
	}
	error("%s: the saved %s table was not applied (%s): loaded an EMPTY %s table "
	      "instead; unprivileged users may send no command to %s devices", file, name,
	      why, name, name);
	return 0;
}

/* A file that does not parse, with --fail-closed: which classes it sets is not known */
static int load_unparsable(const char *file)
{
	int c;

	if (need_module())
		return 1;
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		fail_closed(c, file, "the file does not parse");
	hint("fix it, then: sgfilterctl load %s", file);
	return 1;
}

/* Each table of the file as the module takes it; 1 if the load stops here */
static int format_tables(struct load *l)
{
	size_t page = page_size(), len;
	bool too_large = false;
	int c;

	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		if (!l->p->present[c])
			continue;
		len = sgf_table_format(&l->p->tables[c], NULL, 0);
		l->text[c] = malloc(len + 1);
		if (!l->text[c]) {
			error("Failed to load \"%s\": %s", l->file, strerror(ENOMEM));
			return 1;
		}
		sgf_table_format(&l->p->tables[c], l->text[c], len + 1);
		if (len > page) {
			error("%s: the %s table is %zu bytes, more than the %zu bytes (a page) the "
			      "module takes in one write", l->file, scsi_sgio_class_name(c), len,
			      page);
			too_large = true;
		}
	}
	if (!too_large)
		return 0;
	hint("list an opcode once (\"disk 0x5f write\") where all its service actions "
	     "have one permission%s", l->closed ? "" : "; nothing was loaded");
	return !l->closed;
}

/* The tables in force, to put back if the kernel refuses one midway */
static int read_old_tables(struct load *l)
{
	int c;

	for (c = 0; !l->closed && c < SCSI_SGIO_NR_CLASSES; c++)
		if (l->p->present[c] && read_table_text(c, &l->old[c]))
			return 1;
	return 0;
}

/* Put back the classes before @upto that this load wrote */
static void undo(struct load *l, int upto)
{
	int c, err;

	for (c = 0; c < upto; c++) {
		if (!l->written[c])
			continue;
		err = restore_class(c, l->old[c]);
		if (err)
			error("Failed to restore class %s: %s; it has the table of %s",
			      scsi_sgio_class_name(c), strerror(-err), l->file);
		else
			error("restored class %s to the table it had before",
			      scsi_sgio_class_name(c));
	}
}

/* Write every table of the file; 0, or 1 with messages */
static int write_tables(struct load *l)
{
	const char *name;
	int c, err, ret = 0;

	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		if (!l->p->present[c])
			continue;
		name = scsi_sgio_class_name(c);
		if (strlen(l->text[c]) > page_size()) {
			fail_closed(c, l->file, "larger than a page");
			ret = 1;
			continue;
		}
		err = load_class(c, l->text[c]);
		if (!err) {
			l->written[c] = true;
			continue;
		}
		error("Failed to load class %s from %s into %s/kernel/sgfilter/%s/load: %s",
		      name, l->file, sysfs, name, strerror(-err));
		hint_errno(-err);
		ret = 1;
		if (!l->closed) {
			undo(l, c);
			return 1;
		}
		fail_closed(c, l->file, strerror(-err));
	}
	if (ret) {
		error("%s: the saved policy was not applied in full", l->file);
		hint("fix it, then: sgfilterctl load %s", l->file);
	}
	return ret;
}

static bool any_table(const struct policy *p)
{
	int c;

	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		if (p->present[c])
			return true;
	return false;
}

int cmd_load(int argc, char **argv, unsigned int flags)
{
	static struct policy p;
	struct load l = { .file = argv[0], .closed = flags & OPT_FAIL_CLOSED, .p = &p };
	int c, ret = 1, grants_failed = 0;

	p.nr_unpriv = 0;
	p.nr_grants = 0;
	if (parse_policy(l.file, &p))
		return l.closed ? load_unparsable(l.file) : 1;
	if (any_table(&p) && need_module()) {
		if (l.closed)
			error("%s: no table of it was applied: the built-in tables stay", l.file);
		return 1;
	}
	/* a grant that cannot be given is less access: --fail-closed goes on without */
	if (p.nr_grants && (take_lock() || apply_grants(&p, NULL, true))) {
		error("%s: %s", l.file, l.closed ? "its grants were not applied" :
		      "nothing was loaded");
		if (!l.closed)
			return 1;
		p.nr_grants = 0;
		grants_failed = 1;
	}
	if (!format_tables(&l) && !read_old_tables(&l) && !write_tables(&l))
		ret = apply_unpriv(&p, NULL) | (p.nr_grants ? apply_grants(&p, NULL, false) : 0) |
		      grants_failed;
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		free(l.text[c]);
		free(l.old[c]);
	}
	return ret;
}
