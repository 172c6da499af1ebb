// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device grants, the commands: grant, revoke, show DEVICE. The sets
 * and their file are grant_sets.c's; the lock, the runtime state and
 * DEVICE's paths grant_state.c's.
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

/* --- grant, revoke ------------------------------------------------------------------- */

static int change(int argc, char **argv, bool revoke)
{
	static struct scsi_sgio_table old[MAX_PATHS];
	static struct grant_edits g;
	static struct target t;
	struct scsi_sgio_table set;
	int i, j, err, ret;

	if (resolve_target(argv[0], &t, true))
		return 1;
	ret = parse_grant_args(t.class, argv + 1, argc - 1, revoke, &g, NULL);
	if (ret)
		return ret;
	empty_table(t.class, &set);
	if (apply_edits(t.class, &set, &g, argv[0]) || need_grants(t.hctl[0]) || take_lock())
		return 1;
	/* every path's set, and the union of them: what the LUN has */
	empty_table(t.class, &set);
	for (i = 0; i < t.nr; i++) {
		err = read_grants(t.hctl[i], t.class, &old[i]);
		if (err == -ENOENT)
			return need_grants(t.hctl[i]);
		if (err)
			return 1;
		table_union(&set, &old[i]);
	}
	if (apply_edits(t.class, &set, &g, argv[0]))
		return 1;
	for (i = 0; i < t.nr; i++) {
		if (!write_grants(t.hctl[i], &set))
			continue;
		/* complete or nothing: the paths done so far get their sets back */
		for (j = 0; j < i; j++)
			if (write_grants(t.hctl[j], &old[j]))
				error("%s keeps the new set: restoring it failed", t.hctl[j]);
			else if (t.dm[0])
				error("restored the grants of %s, a path of %s", t.hctl[j], t.dm);
		return 1;
	}
	if (t.dm[0])
		return save_state(t.wwid, &set);
	return 0;
}

int cmd_grant(int argc, char **argv, unsigned int flags)
{
	return change(argc, argv, false);
}

int cmd_revoke(int argc, char **argv, unsigned int flags)
{
	return change(argc, argv, true);
}

/* --- show DEVICE ---------------------------------------------------------------- */

/* One line of the device's table: the table's and the grant's permission */
static void show_entry(int class, int op, int sa, u8 table, u8 grant)
{
	char name[NAME_MAX_LEN];
	u8 perm = perm_broader(table, grant);

	out_entry_open(class, op, sa, name, sizeof(name));
	out_str(OUT_ANY, "perm", "%-5s ", sgf_perm_name(perm));
	out_str(OUT_JSON, "table", NULL, sgf_perm_name(table));
	out_str(OUT_JSON, "grant", NULL, sgf_perm_name(grant));
	out_str(OUT_ANY, "name", "%s", name);
	if (grant == SCSI_SGIO_NONE)
		out_text("\n");
	else if (perm_rank(grant) > perm_rank(table))
		out_text("  [grant]\n");
	else
		out_text("  [grant; the table allows it too]\n");
	out_close();
}

static bool same_sa(const u8 *sa, unsigned int nr)
{
	unsigned int i;

	for (i = 1; i < nr; i++)
		if (sa[i] != sa[0])
			return false;
	return true;
}

/* The entries of @op in the class table @t or the grants @g */
static void show_opcode(int class, const struct scsi_sgio_table *t,
			const struct scsi_sgio_table *g, int op)
{
	const u8 *ts, *gs;
	unsigned int nr, sa;

	if (!scsi_sgio_by_sa(t->op[op])) {
		if (t->op[op] || g->op[op])
			show_entry(class, op, -1, t->op[op], g->op[op]);
		return;
	}
	nr = nr_sa(op);
	ts = op == VARIABLE_LENGTH_CMD ? t->vl : t->sa[scsi_sgio_sa_index(op)];
	gs = op == VARIABLE_LENGTH_CMD ? g->vl : g->sa[scsi_sgio_sa_index(op)];
	if (same_sa(ts, nr) && same_sa(gs, nr)) {
		if (ts[0] || gs[0])
			show_entry(class, op, -1, ts[0], gs[0]);
		return;
	}
	for (sa = 0; sa < nr; sa++)
		if (ts[sa] || gs[sa])
			show_entry(class, op, sa, ts[sa], gs[sa]);
}

static int show_one(const char *hctl)
{
	struct scsi_sgio_table t, g;
	int class = device_class(hctl), unpriv = device_unpriv(hctl), op, err;
	char wwid[ID_MAX], *text, *line, *save;
	bool has = false;

	if (current_table(class, &t))
		return 1;
	err = read_grants(hctl, class, &g);
	if (err && err != -ENOENT)
		return 1;
	device_wwid(hctl, wwid, sizeof(wwid));
	out_open(NULL);
	out_str(OUT_ANY, "device", "# %s", hctl);
	out_str(OUT_ANY, "class", " (%s)", scsi_sgio_class_name(class));
	out_str(OUT_ANY, "wwid", wwid[0] ? ", WWID %s" : NULL, wwid);
	out_bool("unpriv_sgio", unpriv == 1);
	out_text(", unpriv_sgio %s\n", unpriv == 1 ? "on" : unpriv == 0 ? "off" : "unknown");
	out_str(OUT_JSON, "backend", NULL, module_loaded() ? "module" : "built-in");
	out_bool("grants_supported", !err);
	if (unpriv == 1)
		out_text("# unpriv_sgio is on: a writer may send any command; the entries "
			 "below decide for readers\n");
	if (err)
		out_text("# no grants: this device has no sgio_grants file (modprobe sgfilter)\n");
	out_text("# the %s table%s; [grant]: granted to this device on top of it\n",
		 scsi_sgio_class_name(class), module_loaded() ? " (sgfilter module)" : "");
	out_open_list("grants");
	text = err ? NULL : table_text(&g);
	for (line = text ? strtok_r(text, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		out_str(OUT_JSON, NULL, NULL, line);
		has = true;
	}
	free(text);
	out_close_list();
	if (!err && !has)
		out_text("# no grants\n");
	out_open_list("entries");
	for (op = 0; op < NR_OPCODES; op++)
		show_opcode(class, &t, &g, op);
	out_close_list();
	out_close();
	return 0;
}

/* show DEVICE: its effective table; a multipath map: each path's */
int show_device(const char *arg)
{
	static struct target t;
	int i, ret = 0;

	if (resolve_target(arg, &t, false))
		return 1;
	if (!t.dm[0])
		return show_one(t.hctl[0]);
	out_open(NULL);
	out_str(OUT_ANY, "multipath", "# %s: multipath", t.dm);
	out_str(OUT_ANY, "wwid", ", WWID %s, paths:", t.wwid);
	out_open_list("paths");
	for (i = 0; i < t.nr; i++)
		out_text(" %s", t.hctl[i]);
	out_text("\n");
	for (i = 0; i < t.nr; i++)
		ret |= show_one(t.hctl[i]);
	out_close_list();
	out_close();
	return ret;
}
