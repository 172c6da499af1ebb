// SPDX-License-Identifier: GPL-2.0
/*
 * Per-device grants: entries in the class-table syntax that apply to one
 * SCSI device on top of its class table, in
 * /sys/bus/scsi/devices/H:C:T:L/sgio_grants (while sgfilter.ko is loaded).
 * The kernel takes a whole set per write, so grant and revoke read the
 * set, change it and write it back, under a lock (/run/sgfilter/lock) that
 * keeps two sgfilterctl from losing each other's change.
 *
 * Through dm-multipath, a grant goes to every path of the map, and is
 * remembered by the LUN's WWID in the runtime state (/run/sgfilter/grants,
 * lines of the policy file's "grant" syntax), which apply-device consults
 * for paths that appear later. Another kind of dm device, or one path of a
 * map on its own, is refused: dm sends SG_IO down a path of its choosing,
 * so such a grant would be accepted and then ignored.
 *
 * And the commands: grant, revoke, show DEVICE.
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
static int rank(u8 perm)
{
	return perm == SCSI_SGIO_READ ? 2 : perm == SCSI_SGIO_WRITE ? 1 : 0;
}

static u8 broader(u8 a, u8 b)
{
	return rank(a) >= rank(b) ? a : b;
}

/* @dst gets every entry of @src too, the broader permission where both have one */
void table_union(struct scsi_sgio_table *dst, const struct scsi_sgio_table *src)
{
	int op, i, sa;

	for (op = 0; op < NR_OPCODES; op++)
		if (dst->op[op] != SCSI_SGIO_BY_SA)
			dst->op[op] = broader(dst->op[op], src->op[op]);
	for (i = 0; i < SCSI_SGIO_NR_SA_OPS; i++)
		for (sa = 0; sa < SCSI_SGIO_NR_SA; sa++)
			dst->sa[i][sa] = broader(dst->sa[i][sa], src->sa[i][sa]);
	for (sa = 0; sa < SCSI_SGIO_NR_VL_SA; sa++)
		dst->vl[sa] = broader(dst->vl[sa], src->vl[sa]);
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

/* --- the lock and the runtime state ------------------------------------------ */

const char *run_dir(void)
{
	const char *d = getenv("SGFILTER_RUN_DIR");

	return d && *d ? d : "/run/sgfilter";
}

/*
 * Serialize the sgfilterctl that change grants: an exclusive flock on
 * RUN_DIR/lock, held until the process exits. 0, or 1 with a message.
 */
int take_lock(void)
{
	static int fd = -1;
	char path[PATH_MAX];

	if (fd >= 0)
		return 0;
	snprintf(path, sizeof(path), "%s/lock", run_dir());
	if (mkdir(run_dir(), 0755) && errno != EEXIST) {
		error("Failed to create \"%s\": %s", run_dir(), strerror(errno));
		hint_errno(errno);
		return 1;
	}
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0) {
		error("Failed to open \"%s\": %s", path, strerror(errno));
		hint_errno(errno);
		return 1;
	}
	if (flock(fd, LOCK_EX)) {
		error("Failed to lock \"%s\": %s", path, strerror(errno));
		close(fd);
		fd = -1;
		return 1;
	}
	return 0;
}

static void state_path(char *buf, size_t size)
{
	snprintf(buf, size, "%s/grants", run_dir());
}

/* The runtime state, parsed into @st (empty if there is none); 0, or 1 */
int load_state(struct policy *st)
{
	char path[PATH_MAX];

	st->nr_unpriv = 0;
	st->nr_grants = 0;
	state_path(path, sizeof(path));
	if (access(path, F_OK))
		return 0;
	return parse_policy(path, st);
}

/* The decoded ID of a "grant ID ..." line, or "" */
static void line_id(const char *line, char *id, size_t size)
{
	char enc[3 * ID_MAX];

	id[0] = '\0';
	if (sscanf(line, "grant %12287s", enc) == 1 && decode_id(enc, id, size))
		id[0] = '\0';
}

/*
 * Remember @t as the grants of the multipath LUN @wwid (none: forget it),
 * replacing what the state had for it. Under the lock. 0, or 1.
 */
int save_state(const char *wwid, const struct scsi_sgio_table *t)
{
	char path[PATH_MAX], id[ID_MAX], enc[3 * ID_MAX], *old = NULL, *line, *save;
	char *buf = NULL, *set = table_text(t);
	size_t size = 0;
	FILE *f;
	int err, ret = 1;

	state_path(path, sizeof(path));
	err = read_all(path, &old);
	if (err && err != -ENOENT) {
		error("Failed to read \"%s\": %s", path, strerror(-err));
		goto out;
	}
	f = open_memstream(&buf, &size);
	if (!f || !set)
		goto out;
	fprintf(f, "# sgfilterctl: grants given through dm-multipath devices, by the LUN's "
		"WWID,\n# for the paths that appear later (apply-device). Not a policy file.\n");
	for (line = old ? strtok_r(old, "\n", &save) : NULL; line;
	     line = strtok_r(NULL, "\n", &save)) {
		line_id(line, id, sizeof(id));
		if (line[0] != '#' && strcmp(id, wwid))
			fprintf(f, "%s\n", line);
	}
	if (set[0]) {
		encode_id(wwid, enc, sizeof(enc));
		fprintf(f, "grant %s", enc);
		grant_tokens(f, t);
		fprintf(f, "\n");
	}
	if (fclose(f))
		goto out;
	ret = write_file_atomic(path, buf, size);
out:
	free(old);
	free(buf);
	free(set);
	return ret;
}

/* --- DEVICE: a SCSI device, or a dm-multipath map and its paths ---------------- */

/* The H:C:T:L of the SCSI disk @name ("sdc"), from /sys/block/NAME/device */
static int disk_hctl(const char *name, char *hctl, size_t size)
{
	char path[PATH_MAX], link[PATH_MAX];
	const char *base;
	ssize_t n;

	sysfs_path(path, sizeof(path), "block/%s/device", name);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -1;
	link[n] = '\0';
	base = strrchr(link, '/');
	base = base ? base + 1 : link;
	if (strlen(base) >= size)
		return -1;
	memcpy(hctl, base, strlen(base) + 1);
	return strchr(hctl, ':') ? 0 : -1;
}

/* The dm uuid of the block device at sysfs @dir ("dev/block/253:3", "block/dm-3") */
static int dm_uuid(const char *dir, char *buf, size_t size)
{
	char path[PATH_MAX];

	sysfs_path(path, sizeof(path), "%s/dm/uuid", dir);
	if (read_text(path, buf, size))
		return -1;
	buf[strcspn(buf, "\n")] = '\0';
	return 0;
}

static bool is_mpath(const char *uuid)
{
	return !strncmp(uuid, "mpath-", 6);
}

/*
 * The multipath map (dm-N) that holds the SCSI device @hctl as a path, in
 * @dm; false if none does
 */
static bool mpath_holder(const char *hctl, char *dm, size_t size)
{
	char path[PATH_MAX], dir[PATH_MAX], uuid[256];
	struct dirent *de, *he;
	bool found = false;
	DIR *d, *h;

	sysfs_path(path, sizeof(path), "bus/scsi/devices/%s/block", hctl);
	d = opendir(path);
	if (!d)
		return false;
	while (!found && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		sysfs_path(path, sizeof(path), "block/%s/holders", de->d_name);
		h = opendir(path);
		if (!h)
			continue;
		while (!found && (he = readdir(h))) {
			snprintf(dir, sizeof(dir), "block/%s", he->d_name);
			if (he->d_name[0] != '.' && !dm_uuid(dir, uuid, sizeof(uuid)) &&
			    is_mpath(uuid)) {
				snprintf(dm, size, "%.31s", he->d_name);
				found = true;
			}
		}
		closedir(h);
	}
	closedir(d);
	return found;
}

/* The paths of the multipath map at sysfs @dir, its WWID and class */
static int mpath_paths(const char *arg, const char *dir, struct target *t)
{
	char path[PATH_MAX], wwid[ID_MAX];
	struct dirent *de;
	DIR *d;
	int i;

	sysfs_path(path, sizeof(path), "%s/slaves", dir);
	d = opendir(path);
	while (d && (de = readdir(d))) {
		if (de->d_name[0] == '.')
			continue;
		if (t->nr == MAX_PATHS) {
			error("\"%s\" has more than %d paths", arg, MAX_PATHS);
			closedir(d);
			return 1;
		}
		if (disk_hctl(de->d_name, t->hctl[t->nr], sizeof(t->hctl[0]))) {
			error("\"%s\": its path %s is not a SCSI device", arg, de->d_name);
			closedir(d);
			return 1;
		}
		t->nr++;
	}
	if (d)
		closedir(d);
	if (!t->nr) {
		error("\"%s\" (multipath %s) has no paths", arg, t->dm);
		return 1;
	}
	t->class = device_class(t->hctl[0]);
	device_wwid(t->hctl[0], t->wwid, sizeof(t->wwid));
	for (i = 1; i < t->nr; i++) {
		device_wwid(t->hctl[i], wwid, sizeof(wwid));
		if (strcmp(wwid, t->wwid) || device_class(t->hctl[i]) != t->class) {
			error("\"%s\": its paths %s and %s are not the same LUN (WWID \"%s\", \"%s\")",
			      arg, t->hctl[0], t->hctl[i], t->wwid, wwid);
			return 1;
		}
	}
	if (!t->wwid[0]) {
		error("\"%s\": its paths have no WWID: a grant could not follow the paths "
		      "that appear later", arg);
		return 1;
	}
	return 0;
}

/*
 * DEVICE, for grant, revoke and show: a SCSI device (one path), or a
 * dm-multipath map (every path). @change: a path of a multipath map on its
 * own is refused. 0, or 1 with a message.
 */
int resolve_target(const char *arg, struct target *t, bool change)
{
	char real[PATH_MAX], dir[64], uuid[256];
	struct stat st;

	memset(t, 0, sizeof(*t));
	if (realpath(arg, real) && !stat(real, &st) && S_ISBLK(st.st_mode)) {
		snprintf(dir, sizeof(dir), "dev/block/%u:%u", major(st.st_rdev), minor(st.st_rdev));
		if (!dm_uuid(dir, uuid, sizeof(uuid))) {
			snprintf(t->dm, sizeof(t->dm), "dm-%u", minor(st.st_rdev));
			if (!is_mpath(uuid)) {
				error("\"%s\" is a device-mapper device but not multipath (dm uuid "
				      "\"%.64s\"): grants belong to SCSI devices, and dm sends "
				      "SG_IO to one of its own choosing", arg, uuid);
				hint("grant to the SCSI device below it (lsblk -s %s)", arg);
				return 1;
			}
			return mpath_paths(arg, dir, t);
		}
	}
	if (resolve_device(arg, t->hctl[0], sizeof(t->hctl[0]), NULL))
		return 1;
	t->nr = 1;
	t->class = device_class(t->hctl[0]);
	device_wwid(t->hctl[0], t->wwid, sizeof(t->wwid));
	if (change && mpath_holder(t->hctl[0], dir, sizeof(dir))) {
		error("%s is a path of the multipath map %s: a grant to one path would be "
		      "ignored whenever dm sends SG_IO down another", t->hctl[0], dir);
		hint("grant through the map, /dev/%s, so that every path gets it", dir);
		return 1;
	}
	return 0;
}

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
	char name[NAME_MAX_LEN], key[KEY_MAX_LEN];
	u8 perm = broader(table, grant);

	opcode_name(class, op, sa, name, sizeof(name));
	key_str(op, sa, key, sizeof(key));
	out_open(NULL);
	out_int(OUT_JSON, "opcode", NULL, op);
	out_int(OUT_JSON, "sa", NULL, sa);
	out_str(OUT_ANY, "key", "%-13s ", key);
	out_str(OUT_ANY, "perm", "%-5s ", sgf_perm_name(perm));
	out_str(OUT_JSON, "table", NULL, sgf_perm_name(table));
	out_str(OUT_JSON, "grant", NULL, sgf_perm_name(grant));
	out_str(OUT_ANY, "name", "%s", name);
	if (grant == SCSI_SGIO_NONE)
		out_text("\n");
	else if (rank(grant) > rank(table))
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

	if (t->op[op] != SCSI_SGIO_BY_SA) {
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
