// SPDX-License-Identifier: GPL-2.0
/*
 * The class tables in force: the module's (/sys/kernel/sgfilter/CLASS/),
 * read whole and of one version, edited one entry per write; or, without
 * the module, the kernel's built-in ones. And the commands that show and
 * edit them: show, allow, deny, reset, stats.
 */
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "sgfilterctl.h"

#define TABLE_READ_TRIES	5
/* The most OPCODE[/SA] arguments of one allow or deny */
#define MAX_EDITS		32

int parse_class(const char *s)
{
	int c;

	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		if (!strcmp(s, scsi_sgio_class_name(c)))
			return c;
	return -1;
}

/* The table without any permission, but keyed by SA as the class is */
void empty_table(int class, struct scsi_sgio_table *t)
{
	*t = *scsi_sgio_default_table(class);
	sgf_table_clear(t);
}

/*
 * The module's listing of @class's table, whole and of one version: the
 * listing can be longer than a page, and each read() of it lists the table
 * anew, so a change between two reads would give a torn listing. The
 * class's generation changes with every change of its table: read it
 * before and after, and read again if it moved. Without a generation file
 * (an older module), one read. A malloc'ed string, or -errno with a message.
 */
int read_table_text(int class, char **out)
{
	const char *name = scsi_sgio_class_name(class);
	char path[PATH_MAX], gpath[PATH_MAX], before[32], after[32];
	char *text;
	int try, err;
	bool gen;

	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/table", name);
	sysfs_path(gpath, sizeof(gpath), "kernel/sgfilter/%s/generation", name);
	for (try = 0; try < TABLE_READ_TRIES; try++) {
		gen = !read_text(gpath, before, sizeof(before));
		err = read_all(path, &text);
		if (err) {
			error("Failed to read \"%s\": %s", path, strerror(-err));
			return err;
		}
		if (!gen || (!read_text(gpath, after, sizeof(after)) && !strcmp(before, after))) {
			*out = text;
			return 0;
		}
		free(text);
	}
	error("the %s table changed while it was being read, %d times in a row (%s)",
	      name, TABLE_READ_TRIES, gpath);
	hint("is something editing the %s table in a loop? Try again", name);
	return -EAGAIN;
}

/* The table in force for @class: the module's, or the built-in one */
int current_table(int class, struct scsi_sgio_table *t)
{
	char path[PATH_MAX], *text;
	int err;

	if (!module_loaded()) {
		*t = *scsi_sgio_default_table(class);
		return 0;
	}
	err = read_table_text(class, &text);
	if (err)
		return err;
	empty_table(class, t);
	err = sgf_table_load(t, text, strlen(text));
	free(text);
	if (err) {
		sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/table",
			   scsi_sgio_class_name(class));
		error("\"%s\" does not parse (line %d)", path, err);
		return -EINVAL;
	}
	return 0;
}

/* Write @line to the module's @file of @class (allow, deny, reset); -errno */
static int edit(int class, const char *file, const char *line)
{
	char path[PATH_MAX];
	int err;

	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/%s", scsi_sgio_class_name(class), file);
	err = write_text(path, line);
	if (err) {
		error("Failed to write \"%s\" to %s: %s", line, path, strerror(-err));
		hint_errno(-err);
	}
	return err;
}

/* One write of a whole table to <class>/load; -errno, no message */
int load_class(int class, const char *text)
{
	char path[PATH_MAX];

	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/load", scsi_sgio_class_name(class));
	/* a lone newline is the empty table */
	return write_text(path, text[0] ? text : "\n");
}

/* --- show --------------------------------------------------------------------- */

static const char *change_mark(u8 perm, u8 def)
{
	if (perm == def)
		return "";
	if (def == SCSI_SGIO_NONE)
		return "  [added]";
	return perm == SCSI_SGIO_NONE ? "  [removed]" : "  [changed]";
}

static void show_entry(int class, int op, int sa, u8 perm, u8 def)
{
	char name[NAME_MAX_LEN];

	out_entry_open(class, op, sa, name, sizeof(name));
	out_str(OUT_JSON, "perm", NULL, sgf_perm_name(perm));
	out_str(OUT_TEXT, NULL, "%-5s ", perm == SCSI_SGIO_NONE ? "-" : sgf_perm_name(perm));
	out_str(OUT_JSON, "default", NULL, sgf_perm_name(def));
	out_str(OUT_ANY, "name", "%s", name);
	out_str(OUT_TEXT, NULL, "%s\n", change_mark(perm, def));
	out_close();
}

/* The entries of @op in @t or in the built-in table @def */
static void show_opcode(int class, const struct scsi_sgio_table *t,
			const struct scsi_sgio_table *def, int op)
{
	int sa, i;

	if (!scsi_sgio_by_sa(t->op[op])) {
		if (t->op[op] != SCSI_SGIO_NONE || def->op[op] != SCSI_SGIO_NONE)
			show_entry(class, op, -1, t->op[op], def->op[op]);
	} else if (op == VARIABLE_LENGTH_CMD) {
		for (sa = 0; sa < SCSI_SGIO_NR_VL_SA; sa++)
			if (t->vl[sa] || def->vl[sa])
				show_entry(class, op, sa, t->vl[sa], def->vl[sa]);
	} else {
		i = scsi_sgio_sa_index(op);
		for (sa = 0; sa < SCSI_SGIO_NR_SA; sa++)
			if (t->sa[i][sa] || def->sa[i][sa])
				show_entry(class, op, sa, t->sa[i][sa], def->sa[i][sa]);
	}
}

int cmd_show(int argc, char **argv, unsigned int flags)
{
	struct scsi_sgio_table t;
	int class = parse_class(argv[0]), op;
	bool mod;

	if (class < 0 && strpbrk(argv[0], "/:"))
		return show_device(argv[0]);
	if (class < 0)
		return usage_error("unknown class \"%s\" (a device is a path or H:C:T:L)", argv[0]);
	if (current_table(class, &t))
		return 1;
	mod = module_loaded();
	out_open(NULL);
	out_str(OUT_ANY, "class", "# class %s (", argv[0]);
	out_str(OUT_JSON, "backend", NULL, mod ? "module" : "built-in");
	out_str(OUT_TEXT, NULL, "%s); [added], [removed], [changed]: against the built-in table\n",
		mod ? "sgfilter module" : "built-in");
	out_open_list("entries");
	for (op = 0; op < NR_OPCODES; op++)
		show_opcode(class, &t, scsi_sgio_default_table(class), op);
	out_close_list();
	out_close();
	return 0;
}

/* --- allow, deny, reset ------------------------------------------------------- */

/*
 * Write an entry for each OPCODE[/SA] of @args to @class's @file, with
 * @perm (NULL for deny). Every name first: a typo changes nothing.
 */
static int edit_entries(int class, const char *file, const char *perm, char **args, int nr)
{
	char lines[MAX_EDITS][SGF_ENTRY_MAX + 8], key[KEY_MAX_LEN];
	int i, op, sa;

	if (nr > MAX_EDITS)
		return usage_error("at most %d opcodes at a time", MAX_EDITS);
	for (i = 0; i < nr; i++) {
		if (resolve(class, args[i], &op, &sa))
			return 1;
		if (sa >= 0 && !has_sa(class, op)) {
			error("%s: 0x%02x has no service actions in class %s", args[i], op,
			      scsi_sgio_class_name(class));
			return 1;
		}
		key_str(op, sa, key, sizeof(key));
		snprintf(lines[i], sizeof(lines[i]), "%s%s%s\n", key, perm ? " " : "",
			 perm ? perm : "");
	}
	if (need_module())
		return 1;
	for (i = 0; i < nr; i++)
		if (edit(class, file, lines[i]))
			return 1;
	return 0;
}

int cmd_allow(int argc, char **argv, unsigned int flags)
{
	int class = parse_class(argv[0]);

	if (class < 0)
		return usage_error("unknown class \"%s\"", argv[0]);
	if (strcmp(argv[1], "read") && strcmp(argv[1], "write"))
		return usage_error("\"%s\" is neither read nor write", argv[1]);
	return edit_entries(class, "allow", argv[1], argv + 2, argc - 2);
}

int cmd_deny(int argc, char **argv, unsigned int flags)
{
	int class = parse_class(argv[0]);

	if (class < 0)
		return usage_error("unknown class \"%s\"", argv[0]);
	return edit_entries(class, "deny", NULL, argv + 1, argc - 1);
}

int cmd_reset(int argc, char **argv, unsigned int flags)
{
	int class, only = -1;

	if (argc == 1) {
		only = parse_class(argv[0]);
		if (only < 0)
			return usage_error("unknown class \"%s\"", argv[0]);
	}
	if (need_module())
		return 1;
	for (class = 0; class < SCSI_SGIO_NR_CLASSES; class++)
		if ((only < 0 || class == only) && edit(class, "reset", "1\n"))
			return 1;
	return 0;
}

/* --- stats -------------------------------------------------------------------- */

/* A counter of @class, -1 if it cannot be read */
static long counter(const char *class, const char *file)
{
	char path[PATH_MAX], buf[32];

	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/%s", class, file);
	return read_text(path, buf, sizeof(buf)) ? -1 : atol(buf);
}

/* The counters are root's (mode 0400): say so before printing half */
static int counters_readable(void)
{
	char path[PATH_MAX];
	int err;

	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/denied", scsi_sgio_class_name(0));
	if (!access(path, R_OK))
		return 0;
	err = errno;
	error("Failed to read \"%s\": %s", path, strerror(err));
	if (err == EACCES)
		hint("the counters are readable by root only: they tell one user about others' activity");
	return 1;
}

/* "0xOP COUNT" per line: the denied commands of @class, by opcode */
static void show_denied_opcodes(int class)
{
	char path[PATH_MAX], buf[8192], opname[NAME_MAX_LEN], key[KEY_MAX_LEN];
	char *line, *save;
	unsigned int op;
	long n;

	sysfs_path(path, sizeof(path), "kernel/sgfilter/%s/denied_opcodes",
		   scsi_sgio_class_name(class));
	if (read_text(path, buf, sizeof(buf)))
		buf[0] = '\0';
	out_open("denied_opcodes");
	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (sscanf(line, "0x%x %ld", &op, &n) != 2)
			continue;
		opcode_name(class, op, -1, opname, sizeof(opname));
		key_str(op, -1, key, sizeof(key));
		out_text("           %s %-40s ", key, opname);
		out_int(OUT_ANY, key, "%ld\n", n);
	}
	out_close();
}

int cmd_stats(int argc, char **argv, unsigned int flags)
{
	int c;

	if (!module_loaded()) {
		error("the sgfilter module is not loaded: no counters");
		hint("modprobe sgfilter");
		return 1;
	}
	if (counters_readable())
		return 1;
	out_open(NULL);
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		const char *name = scsi_sgio_class_name(c);

		out_open(name);
		out_str(OUT_TEXT, NULL, "%-10s", name);
		out_int(OUT_ANY, "denied", " denied %ld\n", counter(name, "denied"));
		show_denied_opcodes(c);
		out_close();
	}
	out_close();
	return 0;
}
