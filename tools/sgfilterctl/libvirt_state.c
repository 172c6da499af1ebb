// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt's hook: the state in RUN_DIR/libvirt (bases and uses, see
 * libvirt.c) and the LUN's grants and flag set from it.
 */
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>

#include "libvirt.h"

/* --- small helpers --------------------------------------------------------- */

void *lv_grow(void *p, int nr, size_t size)
{
	void *q = realloc(p, (nr + 1) * size);

	if (!q) {
		error("out of memory");
		exit(1);
	}
	memset((char *)q + nr * size, 0, size);
	return q;
}

void lv_copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* " read KEY... write KEY..." of @t, malloc'ed */
char *lv_tokens(const struct scsi_sgio_table *t)
{
	char *buf = NULL;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);

	if (!f) {
		error("out of memory");
		exit(1);
	}
	grant_tokens(f, t);
	fclose(f);
	return buf;
}

/* What the LUN's ID is: its WWID, or hctl:H:C:T:L without one */
void lv_lun_id(const struct target *t, char *id, size_t size)
{
	if (t->wwid[0])
		lv_copy(id, size, t->wwid);
	else
		snprintf(id, size, "hctl:%s", t->hctl[0]);
}

static const char *run_file(void)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/libvirt", run_dir());
	return path;
}

/* The request of a use line, for messages */
const char *lv_req_text(const char *key)
{
	return strcmp(key, "unfiltered") ? key : " unfiltered";
}

/* --- the state --------------------------------------------------------------- */

int lv_split(char *line, char **tok, int max)
{
	int n = 0;
	char *save, *t;

	for (t = strtok_r(line, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	return n;
}

/* Entries in the grant syntax (hex keys, as lv_tokens() writes them) into @t */
static int parse_set(int class, char **tok, int n, struct scsi_sgio_table *t, const char *where)
{
	static struct grant_edits g;

	empty_table(class, t);
	if (!n)
		return 0;
	if (parse_grant_args(-1, tok, n, false, &g, where))
		return 1;
	return apply_edits(class, t, &g, where);
}

static int decode(const char *in, char *out, size_t size, const char *where)
{
	if (!decode_id(in, out, size))
		return 0;
	error("%s: bad field \"%.80s\"", where, in);
	return 1;
}

int load_lv_state(struct lv_state *st)
{
	char *text, *line, *save, *tok[MAX_GRANT_EDITS + 8], where[PATH_MAX + 16];
	int err, n, no = 0, ret = 0;

	memset(st, 0, sizeof(*st));
	err = read_all(run_file(), &text);
	if (err == -ENOENT)
		return 0;
	if (err) {
		error("Failed to read \"%s\": %s", run_file(), strerror(-err));
		return 1;
	}
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		no++;
		snprintf(where, sizeof(where), "%s:%d", run_file(), no);
		if (line[0] == '#')
			continue;
		n = lv_split(line, tok, MAX_GRANT_EDITS + 8);
		if (n >= 5 && !strcmp(tok[0], "lun")) {
			struct lv_lun *l;

			st->lun = lv_grow(st->lun, st->nr_lun, sizeof(*st->lun));
			l = &st->lun[st->nr_lun];
			l->class = parse_class(tok[2]);
			l->unpriv = atoi(tok[4]);
			if (decode(tok[1], l->id, sizeof(l->id), where) ||
			    decode(tok[3], l->src, sizeof(l->src), where) || l->class < 0 ||
			    parse_set(l->class, tok + 5, n - 5, &l->base, where)) {
				error("%s: not a lun line of sgfilterctl's", where);
				ret = 1;
				continue;
			}
			st->nr_lun++;
		} else if (n >= 5 && !strcmp(tok[0], "use")) {
			struct lv_use *u;
			char *buf = NULL;
			size_t size = 0;
			FILE *f;
			int i;

			st->use = lv_grow(st->use, st->nr_use, sizeof(*st->use));
			u = &st->use[st->nr_use];
			lv_copy(u->uuid, sizeof(u->uuid), tok[1]);
			if (decode(tok[2], u->name, sizeof(u->name), where) ||
			    decode(tok[3], u->id, sizeof(u->id), where)) {
				ret = 1;
				continue;
			}
			f = open_memstream(&buf, &size);
			for (i = 4; f && i < n; i++)
				fprintf(f, "%s%s", strcmp(tok[4], "unfiltered") ? " " : "", tok[i]);
			if (!f || fclose(f)) {
				error("out of memory");
				exit(1);
			}
			u->key = buf;
			st->nr_use++;
		} else {
			error("%s: neither a lun nor a use line", where);
			ret = 1;
		}
	}
	free(text);
	if (ret)
		hint("sgfilterctl wrote this file; remove the lines it names, or the file, "
		     "then sgfilterctl libvirt-reconcile");
	return ret;
}

int save_lv_state(const struct lv_state *st)
{
	char *buf = NULL, enc[3 * LV_ID_MAX], enc2[3 * PATH_MAX], *set;
	size_t size = 0;
	FILE *f = open_memstream(&buf, &size);
	int i, ret;

	if (!f)
		return 1;
	fprintf(f, "# sgfilterctl libvirt-hook: the LUNs that running libvirt domains asked for\n"
		"# (lun: what the LUN had before; use: a domain's request). Not a policy file.\n");
	for (i = 0; i < st->nr_lun; i++) {
		const struct lv_lun *l = &st->lun[i];

		encode_id(l->id, enc, sizeof(enc));
		encode_id(l->src, enc2, sizeof(enc2));
		set = lv_tokens(&l->base);
		fprintf(f, "lun %s %s %s %d%s\n", enc, scsi_sgio_class_name(l->class), enc2,
			l->unpriv, set);
		free(set);
	}
	for (i = 0; i < st->nr_use; i++) {
		const struct lv_use *u = &st->use[i];

		encode_id(u->id, enc, sizeof(enc));
		encode_id(u->name, enc2, sizeof(enc2));
		fprintf(f, "use %s %s %s%s\n", u->uuid, enc2, enc,
			strcmp(u->key, "unfiltered") ? u->key : " unfiltered");
	}
	if (fclose(f))
		return 1;
	/* nothing left: no file */
	if (!st->nr_lun && !st->nr_use) {
		free(buf);
		if (unlink(run_file()) && errno != ENOENT) {
			error("Failed to remove \"%s\": %s", run_file(), strerror(errno));
			return 1;
		}
		return 0;
	}
	ret = write_file_atomic(run_file(), buf, size);
	free(buf);
	return ret;
}

struct lv_lun *lv_find_lun(struct lv_state *st, const char *id)
{
	int i;

	for (i = 0; i < st->nr_lun; i++)
		if (!strcmp(st->lun[i].id, id))
			return &st->lun[i];
	return NULL;
}

static bool lun_used(const struct lv_state *st, const char *id)
{
	int i;

	for (i = 0; i < st->nr_use; i++)
		if (!strcmp(st->use[i].id, id))
			return true;
	return false;
}

/* --- the LUN's grants and flag ------------------------------------------------ */

/*
 * Reach the LUN @l by its source again: the same LUN (by ID)? 0; 1 if not
 * or no more, with a message
 */
static int reach(const struct lv_lun *l, struct target *t)
{
	char id[LV_ID_MAX];

	if (resolve_target(l->src, t, true))
		return 1;
	lv_lun_id(t, id, sizeof(id));
	if (strcmp(id, l->id)) {
		error("\"%s\" is now %s, not the LUN %s", l->src, id, l->id);
		return 1;
	}
	return 0;
}

/* Give every path of the LUN the flag @unpriv and the grant set @set */
int lv_set_lun(const struct lv_lun *l, int unpriv, const struct scsi_sgio_table *set)
{
	static struct target t;
	struct scsi_sgio_table cur;
	char *want, *have;
	int i, err, ret = 0;

	if (reach(l, &t))
		return 1;
	want = table_text(set);
	for (i = 0; i < t.nr; i++) {
		err = read_grants(t.hctl[i], l->class, &cur);
		if (err == -ENOENT) {
			/* no module: fine as long as nothing is to be granted */
			if (want && want[0])
				ret |= need_grants(t.hctl[i]);
		} else if (err) {
			ret = 1;
		} else {
			have = table_text(&cur);
			if (!have || !want || strcmp(have, want))
				ret |= write_grants(t.hctl[i], set) ? 1 : 0;
			free(have);
		}
		if (device_unpriv(t.hctl[i]) != unpriv && set_unpriv(t.hctl[i], unpriv))
			ret = 1;
	}
	free(want);
	if (!ret && t.dm[0])
		ret = save_state(t.wwid, set);
	return ret;
}

/* The base of a LUN a domain asks for first: what its paths have now */
int lv_read_base(struct lv_lun *l, const struct target *t)
{
	struct scsi_sgio_table cur;
	int i, err;

	empty_table(l->class, &l->base);
	l->unpriv = device_unpriv(t->hctl[0]) == 1;
	for (i = 0; i < t->nr; i++) {
		err = read_grants(t->hctl[i], l->class, &cur);
		if (err && err != -ENOENT)
			return 1;
		if (!err)
			table_union(&l->base, &cur);
	}
	return 0;
}

/*
 * The LUNs that no domain uses any more get their base back, and go. A LUN
 * that cannot get it back (gone, or another LUN at its path now) is
 * forgotten with a message: a release must not keep a record that nothing
 * would ever clear.
 */
void lv_restore_unused(struct lv_state *st, const char *who)
{
	char *set;
	int i;

	for (i = 0; i < st->nr_lun; i++) {
		struct lv_lun *l = &st->lun[i];

		if (lun_used(st, l->id))
			continue;
		if (lv_set_lun(l, l->unpriv, &l->base)) {
			set = lv_tokens(&l->base);
			error("%s: LUN %s: could not restore what it had before (unpriv_sgio %d, "
			      "grants:%s); forgetting it", who, l->id, l->unpriv,
			      set[0] ? set : " none");
			free(set);
		}
		memmove(l, l + 1, (st->nr_lun - i - 1) * sizeof(*l));
		st->nr_lun--;
		i--;
	}
}

/* Is use @u the domain's? By UUID; by name where either has none ("-") */
bool lv_is_domain(const struct lv_use *u, const char *uuid, const char *name)
{
	if (strcmp(uuid, "-") && strcmp(u->uuid, "-"))
		return !strcmp(u->uuid, uuid);
	return !strcmp(u->name, name);
}

/* Drop the use lines of the domain @uuid ("-": unknown) named @name */
int lv_drop_domain(struct lv_state *st, const char *uuid, const char *name)
{
	int i, nr = 0;

	for (i = 0; i < st->nr_use; i++) {
		struct lv_use *u = &st->use[i];

		if (!lv_is_domain(u, uuid, name))
			continue;
		free(u->key);
		memmove(u, u + 1, (st->nr_use - i - 1) * sizeof(*u));
		st->nr_use--;
		i--;
		nr++;
	}
	return nr;
}
