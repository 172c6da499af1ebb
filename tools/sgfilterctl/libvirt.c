// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt's qemu hook (libvirt >= 8.1 refuses sgio='unfiltered', so nothing
 * else sets a passed-through LUN up for an unprivileged QEMU). libvirt runs
 * /etc/libvirt/hooks/qemu.d/sgfilter (a wrapper that execs "sgfilterctl
 * libvirt-hook") as root with the arguments DOMAIN OPERATION SUB-OPERATION
 * EXTRA and the domain's XML on stdin:
 *
 *   prepare begin   apply what the domain's <metadata> asks for its LUNs
 *   release end     take it back
 *   anything else   nothing (stdin is read and ignored; nothing on stdout,
 *                   so libvirt keeps its XML for migrate and restore)
 *
 * The metadata (Documentation/admin-guide.rst, "libvirt"):
 *
 *   <metadata>
 *     <sgfilter:sgio xmlns:sgfilter="urn:x-sgfilter:libvirt:1">
 *       <sgfilter:lun target="sda" grant="pr"/>
 *       <sgfilter:lun alias="ua-quorum" grant="read 0x5e write PERSISTENT_RESERVE_OUT"/>
 *       <sgfilter:lun source="/dev/disk/by-id/wwn-0x6001405..." unfiltered="yes"/>
 *     </sgfilter:sgio>
 *   </metadata>
 *
 * Each <lun> names one <disk device='lun'> or SCSI <hostdev> of the domain
 * by exactly one of target (the disk's <target dev>), alias (the device's
 * <alias name>) or source (a path or H:C:T:L that leads to the same LUN as
 * the device's source), and asks for exactly one of grant (the grant
 * command's arguments: profiles, "read OPCODE...", "write OPCODE...") or
 * unfiltered="yes" (unpriv_sgio). A domain without the element is left
 * alone; a <lun> that names no such device, or anything the tool does not
 * know, fails the hook: libvirt then refuses to start the domain and shows
 * the message.
 *
 * Running domains share a LUN (<shareable/>) when they ask for the same
 * thing: the same grant set (however written) or unfiltered both. Anything
 * else is a conflict: the later domain does not start. What the LUN had
 * before the first of them (its grant set and flag, the "base") comes back
 * after the last one's release; meanwhile the LUN has base + the request.
 *
 * The state, under the lock (RUN_DIR/lock) in RUN_DIR/libvirt, one line
 * each, IDs and paths %XX-encoded as in policy files:
 *
 *   lun ID CLASS SOURCE UNPRIV [read KEY... write KEY...]    the base
 *   use UUID NAME ID unfiltered | use UUID NAME ID read KEY... write KEY...
 *
 * ID is the LUN's WWID ("hctl:H:C:T:L" for a LUN without one); SOURCE the
 * path the first domain reached it by (checked against ID before each
 * use). A second prepare of a recorded domain replaces its record; a
 * release of a domain not recorded does nothing; libvirt-reconcile drops
 * the records of domains that no longer run (libvirt's pid files).
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

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <libxml/xpath.h>
#include <libxml/xpathInternals.h>

#include "sgfilterctl.h"

#define LV_ID_MAX	(ID_MAX + 16)
#define LV_NAME_MAX	256

/* A LUN device of the domain: <disk device='lun'> or a SCSI <hostdev> */
struct lv_dev {
	char kind[8];			/* "disk", "hostdev" */
	char target[64];		/* <target dev>, disks only */
	char alias[128];		/* <alias name> */
	char src[PATH_MAX];		/* the source path, H:C:T:L for a hostdev; "" */
	char what[PATH_MAX + 128];	/* for messages */
	int resolved;			/* 0 not yet, 1 done, -1 failed */
	struct target t;
};

/* What one domain asks for one LUN */
struct lv_req {
	char id[LV_ID_MAX];
	char src[PATH_MAX];
	int class;
	bool unfiltered;
	struct scsi_sgio_table set;
	char *key;			/* "unfiltered", or " read KEY... write KEY..." */
	char what[PATH_MAX + 256];
	const struct lv_dev *dev;
};

/* A "lun" line: the LUN's base */
struct lv_lun {
	char id[LV_ID_MAX];
	char src[PATH_MAX];
	int class;
	int unpriv;
	struct scsi_sgio_table base;
	bool touched;
};

/* A "use" line */
struct lv_use {
	char uuid[64];
	char name[LV_NAME_MAX];
	char id[LV_ID_MAX];
	char *key;
};

struct lv_state {
	struct lv_lun *lun;
	int nr_lun;
	struct lv_use *use;
	int nr_use;
};

/* --- small helpers --------------------------------------------------------- */

static void *grow(void *p, int nr, size_t size)
{
	void *q = realloc(p, (nr + 1) * size);

	if (!q) {
		error("out of memory");
		exit(1);
	}
	memset((char *)q + nr * size, 0, size);
	return q;
}

static void copy(char *dst, size_t size, const char *src)
{
	snprintf(dst, size, "%s", src ? src : "");
}

/* " read KEY... write KEY..." of @t, malloc'ed */
static char *tokens(const struct scsi_sgio_table *t)
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
static void lun_id(const struct target *t, char *id, size_t size)
{
	if (t->wwid[0])
		copy(id, size, t->wwid);
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
static const char *req_text(const char *key)
{
	return strcmp(key, "unfiltered") ? key : " unfiltered";
}

/* --- the state --------------------------------------------------------------- */

static int split(char *line, char **tok, int max)
{
	int n = 0;
	char *save, *t;

	for (t = strtok_r(line, " \t", &save); t && n < max; t = strtok_r(NULL, " \t", &save))
		tok[n++] = t;
	return n;
}

/* Entries in the grant syntax (hex keys, as tokens() writes them) into @t */
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

static int load_lv_state(struct lv_state *st)
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
		n = split(line, tok, MAX_GRANT_EDITS + 8);
		if (n >= 5 && !strcmp(tok[0], "lun")) {
			struct lv_lun *l;

			st->lun = grow(st->lun, st->nr_lun, sizeof(*st->lun));
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

			st->use = grow(st->use, st->nr_use, sizeof(*st->use));
			u = &st->use[st->nr_use];
			copy(u->uuid, sizeof(u->uuid), tok[1]);
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

static int save_lv_state(const struct lv_state *st)
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
		set = tokens(&l->base);
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

static struct lv_lun *find_lun(struct lv_state *st, const char *id)
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
	lun_id(t, id, sizeof(id));
	if (strcmp(id, l->id)) {
		error("\"%s\" is now %s, not the LUN %s", l->src, id, l->id);
		return 1;
	}
	return 0;
}

/* Give every path of the LUN the flag @unpriv and the grant set @set */
static int set_lun(const struct lv_lun *l, int unpriv, const struct scsi_sgio_table *set)
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
static int read_base(struct lv_lun *l, const struct target *t)
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
static void restore_unused(struct lv_state *st, const char *who)
{
	char *set;
	int i;

	for (i = 0; i < st->nr_lun; i++) {
		struct lv_lun *l = &st->lun[i];

		if (lun_used(st, l->id))
			continue;
		if (set_lun(l, l->unpriv, &l->base)) {
			set = tokens(&l->base);
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
static bool is_domain(const struct lv_use *u, const char *uuid, const char *name)
{
	if (strcmp(uuid, "-") && strcmp(u->uuid, "-"))
		return !strcmp(u->uuid, uuid);
	return !strcmp(u->name, name);
}

/* Drop the use lines of the domain @uuid ("-": unknown) named @name */
static int drop_domain(struct lv_state *st, const char *uuid, const char *name)
{
	int i, nr = 0;

	for (i = 0; i < st->nr_use; i++) {
		struct lv_use *u = &st->use[i];

		if (!is_domain(u, uuid, name))
			continue;
		free(u->key);
		memmove(u, u + 1, (st->nr_use - i - 1) * sizeof(*u));
		st->nr_use--;
		i--;
		nr++;
	}
	return nr;
}

/* --- the domain's XML ----------------------------------------------------------- */

/*
 * All of standard input, malloc'ed, NUL-terminated; -errno. From fd 0, not
 * /dev/stdin, which a minimal /dev (an initramfs's devtmpfs) lacks.
 */
static int read_stdin(char **out)
{
	size_t len = 0, size = 65536;
	char *buf = malloc(size), *bigger;
	ssize_t n;

	if (!buf)
		return -ENOMEM;
	for (;;) {
		if (size - len < 4096) {
			bigger = realloc(buf, size * 2);
			if (!bigger) {
				free(buf);
				return -ENOMEM;
			}
			buf = bigger;
			size *= 2;
		}
		n = read(STDIN_FILENO, buf + len, size - 1 - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			n = -errno;
			free(buf);
			return n;
		}
		if (!n)
			break;
		len += n;
	}
	buf[len] = '\0';
	*out = buf;
	return 0;
}

struct lv_domain {
	char name[LV_NAME_MAX];
	char uuid[64];
	struct lv_dev *dev;
	int nr_dev;
	struct lv_req *req;
	int nr_req;
};

static char *xpath_string(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
	xmlXPathObjectPtr o;
	char *s = NULL;

	ctx->node = node;
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (o && o->type == XPATH_STRING && o->stringval)
		s = strdup((const char *)o->stringval);
	xmlXPathFreeObject(o);
	return s ? s : strdup("");
}

static void xcopy(char *dst, size_t size, xmlXPathContextPtr ctx, xmlNodePtr node,
		  const char *expr)
{
	char *s = xpath_string(ctx, node, expr);

	copy(dst, size, s);
	free(s);
}

static xmlXPathObjectPtr xpath_nodes(xmlXPathContextPtr ctx, xmlNodePtr node, const char *expr)
{
	xmlXPathObjectPtr o;

	ctx->node = node;
	o = xmlXPathEvalExpression(BAD_CAST expr, ctx);
	if (o && o->type != XPATH_NODESET) {
		xmlXPathFreeObject(o);
		o = NULL;
	}
	return o;
}

#define NODES(o)	((o) && (o)->nodesetval ? (o)->nodesetval->nodeNr : 0)
#define NODE(o, i)	((o)->nodesetval->nodeTab[i])

static void add_devices(struct lv_domain *d, xmlXPathContextPtr ctx)
{
	xmlXPathObjectPtr o;
	struct lv_dev *v;
	char a[64], b[16], t[16], u[16];
	unsigned int host;
	int i;

	o = xpath_nodes(ctx, NULL, "/domain/devices/disk[@device='lun']");
	for (i = 0; i < NODES(o); i++) {
		d->dev = grow(d->dev, d->nr_dev, sizeof(*d->dev));
		v = &d->dev[d->nr_dev++];
		copy(v->kind, sizeof(v->kind), "disk");
		xcopy(v->target, sizeof(v->target), ctx, NODE(o, i), "string(target/@dev)");
		xcopy(v->alias, sizeof(v->alias), ctx, NODE(o, i), "string(alias/@name)");
		/* type='block' has dev, type='file' file; network disks neither */
		xcopy(v->src, sizeof(v->src), ctx, NODE(o, i),
		      "string(source/@dev | source/@file)");
		snprintf(v->what, sizeof(v->what), "<disk device='lun'> with target %s%s%s",
			 v->target[0] ? v->target : "(none)", v->src[0] ? " and source " : "",
			 v->src);
	}
	xmlXPathFreeObject(o);
	o = xpath_nodes(ctx, NULL, "/domain/devices/hostdev[@mode='subsystem' and @type='scsi']");
	for (i = 0; i < NODES(o); i++) {
		d->dev = grow(d->dev, d->nr_dev, sizeof(*d->dev));
		v = &d->dev[d->nr_dev++];
		copy(v->kind, sizeof(v->kind), "hostdev");
		xcopy(v->alias, sizeof(v->alias), ctx, NODE(o, i), "string(alias/@name)");
		xcopy(a, sizeof(a), ctx, NODE(o, i), "string(source[not(@protocol)]/adapter/@name)");
		xcopy(b, sizeof(b), ctx, NODE(o, i), "string(source/address/@bus)");
		xcopy(t, sizeof(t), ctx, NODE(o, i), "string(source/address/@target)");
		xcopy(u, sizeof(u), ctx, NODE(o, i), "string(source/address/@unit)");
		/* <adapter name='scsi_host2'/> <address bus='0' target='0' unit='0'/> */
		if (sscanf(a, "scsi_host%u", &host) == 1 && b[0] && t[0] && u[0])
			snprintf(v->src, sizeof(v->src), "%u:%lu:%lu:%lu", host, strtoul(b, NULL, 0),
				 strtoul(t, NULL, 0), strtoul(u, NULL, 0));
		snprintf(v->what, sizeof(v->what), "SCSI <hostdev> %s", v->src[0] ? v->src : "(iSCSI)");
	}
	xmlXPathFreeObject(o);
}

static int resolve_dev(struct lv_dev *v)
{
	if (!v->resolved)
		v->resolved = !v->src[0] || resolve_target(v->src, &v->t, true) ? -1 : 1;
	return v->resolved;
}

static bool same_lun(const struct target *a, const struct target *b)
{
	if (a->dm[0] || b->dm[0])
		return !strcmp(a->dm, b->dm);
	return !strcmp(a->hctl[0], b->hctl[0]);
}

/* The device a <lun> element names, or NULL with a message */
static struct lv_dev *match(struct lv_domain *d, const char *how, const char *val,
			    const char *where)
{
	static struct target want;
	int i;

	for (i = 0; i < d->nr_dev; i++) {
		struct lv_dev *v = &d->dev[i];

		if ((!strcmp(how, "target") && !strcmp(v->target, val)) ||
		    (!strcmp(how, "alias") && v->alias[0] && !strcmp(v->alias, val)) ||
		    (!strcmp(how, "source") && v->src[0] && !strcmp(v->src, val)))
			return v;
	}
	if (!strcmp(how, "source") && !resolve_target(val, &want, false))
		for (i = 0; i < d->nr_dev; i++)
			if (resolve_dev(&d->dev[i]) == 1 && same_lun(&d->dev[i].t, &want))
				return &d->dev[i];
	error("%s: the domain has no <disk device='lun'> or SCSI <hostdev> with %s \"%s\"",
	      where, how, val);
	return NULL;
}

static const char *const lun_attrs[] = { "target", "alias", "source", "grant", "unfiltered" };

/* One <sgfilter:lun> element into a request */
static int parse_lun(struct lv_domain *d, xmlNodePtr n, int no)
{
	char *val[5] = { NULL }, where[LV_NAME_MAX + 96], *tok[MAX_GRANT_EDITS + 1], *copy_;
	static struct grant_edits g;
	struct lv_req *r;
	struct lv_dev *v;
	xmlAttrPtr a;
	int i, nkey = 0, ntok, ret = 1, key = -1;

	snprintf(where, sizeof(where), "domain %s: <sgfilter:lun> #%d (line %ld)", d->name, no,
		 xmlGetLineNo(n));
	for (a = n->properties; a; a = a->next) {
		for (i = 0; i < 5; i++)
			if (!strcmp((const char *)a->name, lun_attrs[i]) && !a->ns)
				break;
		if (i == 5) {
			error("%s: unknown attribute \"%s\" (target, alias or source; grant or "
			      "unfiltered)", where, a->name);
			goto out;
		}
		val[i] = (char *)xmlGetProp(n, a->name);
	}
	for (i = 0; i < 3; i++)
		if (val[i]) {
			nkey++;
			key = i;
		}
	if (nkey != 1) {
		error("%s: name the device by exactly one of target, alias, source", where);
		goto out;
	}
	if (!!val[3] == !!val[4]) {
		error("%s: ask for exactly one of grant=\"...\" and unfiltered=\"yes\"", where);
		goto out;
	}
	if (val[4] && strcmp(val[4], "yes")) {
		error("%s: unfiltered=\"%s\": the only value is \"yes\" (leave it out for no)",
		      where, val[4]);
		goto out;
	}
	snprintf(where + strlen(where), sizeof(where) - strlen(where), " %s=\"%.64s\"",
		 lun_attrs[key], val[key]);
	v = match(d, lun_attrs[key], val[key], where);
	if (!v)
		goto out;
	if (resolve_dev(v) != 1) {
		if (!v->src[0])
			error("%s: %s has no local source (network LUNs are not SCSI devices of "
			      "this host)", where, v->what);
		else
			error("%s: %s: its source is no SCSI device or multipath map that can "
			      "take a grant (the reason is above)", where, v->what);
		goto out;
	}
	d->req = grow(d->req, d->nr_req, sizeof(*d->req));
	r = &d->req[d->nr_req];
	r->dev = v;
	r->class = v->t.class;
	copy(r->src, sizeof(r->src), v->src);
	copy(r->what, sizeof(r->what), where);
	lun_id(&v->t, r->id, sizeof(r->id));
	empty_table(r->class, &r->set);
	if (val[4]) {
		r->unfiltered = true;
		r->key = strdup("unfiltered");
	} else {
		copy_ = val[3];
		ntok = split(copy_, tok, MAX_GRANT_EDITS + 1);
		if (!ntok) {
			error("%s: grant=\"\" grants nothing", where);
			goto out;
		}
		if (ntok > MAX_GRANT_EDITS) {
			error("%s: more than %d tokens in grant", where, MAX_GRANT_EDITS);
			goto out;
		}
		if (parse_grant_args(r->class, tok, ntok, false, &g, where) ||
		    apply_edits(r->class, &r->set, &g, where))
			goto out;
		r->key = tokens(&r->set);
	}
	/* two elements for one LUN: the same request, or an error */
	for (i = 0; i < d->nr_req; i++)
		if (!strcmp(d->req[i].id, r->id)) {
			if (strcmp(d->req[i].key, r->key)) {
				error("%s: LUN %s is asked for twice, differently (%s and %s)", where,
				      r->id, req_text(d->req[i].key), req_text(r->key));
				free(r->key);
				goto out;
			}
			free(r->key);
			ret = 0;
			goto out;
		}
	d->nr_req++;
	ret = 0;
out:
	for (i = 0; i < 5; i++)
		xmlFree(val[i]);
	return ret;
}

static void xml_error(const char *name)
{
	const xmlError *e = xmlGetLastError();

	if (e && e->message)
		error("domain %s: the XML on stdin does not parse: line %d: %.*s", name, e->line,
		      (int)strcspn(e->message, "\n"), e->message);
	else
		error("domain %s: the XML on stdin does not parse", name);
}

/* The domain XML on stdin: its name, UUID, LUN devices and requests */
static int parse_domain(const char *argname, struct lv_domain *d, bool requests)
{
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr o = NULL;
	xmlDocPtr doc;
	char *text;
	int err, i, ret = 1;

	memset(d, 0, sizeof(*d));
	copy(d->name, sizeof(d->name), argname);
	err = read_stdin(&text);
	if (err) {
		error("domain %s: Failed to read the XML on stdin: %s", argname, strerror(-err));
		return 1;
	}
	doc = xmlReadMemory(text, strlen(text), "stdin", NULL,
			    XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING);
	free(text);
	if (!doc) {
		xml_error(argname);
		return 1;
	}
	if (!xmlDocGetRootElement(doc) ||
	    strcmp((const char *)xmlDocGetRootElement(doc)->name, "domain")) {
		error("domain %s: the XML on stdin is not a <domain>", argname);
		goto out;
	}
	ctx = xmlXPathNewContext(doc);
	if (!ctx || xmlXPathRegisterNs(ctx, BAD_CAST "sgf", BAD_CAST SGF_LIBVIRT_NS)) {
		error("out of memory");
		goto out;
	}
	xcopy(d->uuid, sizeof(d->uuid), ctx, NULL, "string(/domain/uuid)");
	for (i = 0; d->uuid[i]; i++)
		if (!isxdigit((unsigned char)d->uuid[i]) && d->uuid[i] != '-') {
			error("domain %s: <uuid>%.64s</uuid> is not a UUID", argname, d->uuid);
			goto out;
		}
	if (!requests) {
		ret = 0;
		goto out;
	}
	add_devices(d, ctx);
	/* anything of ours but <sgio> in <metadata>, or but <lun> in it, is a mistake */
	o = xpath_nodes(ctx, NULL, "/domain/metadata/*[namespace-uri()='" SGF_LIBVIRT_NS
			"' and local-name()!='sgio'] | /domain/metadata/sgf:sgio/*");
	for (i = 0; i < NODES(o); i++) {
		xmlNodePtr n = NODE(o, i);

		if (n->ns && !strcmp((const char *)n->ns->href, SGF_LIBVIRT_NS) &&
		    !strcmp((const char *)n->name, "lun") && n->parent &&
		    !strcmp((const char *)n->parent->name, "sgio"))
			continue;
		error("domain %s: unknown element <%s> (line %ld) in sgfilter's metadata: "
		      "<sgfilter:sgio> holds <sgfilter:lun> elements", argname, n->name,
		      xmlGetLineNo(n));
		goto out;
	}
	xmlXPathFreeObject(o);
	o = xpath_nodes(ctx, NULL, "/domain/metadata/sgf:sgio/sgf:lun");
	for (i = 0; i < NODES(o); i++)
		if (parse_lun(d, NODE(o, i), i + 1))
			goto out;
	ret = 0;
out:
	xmlXPathFreeObject(o);
	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	return ret;
}

/* --- prepare, release ---------------------------------------------------------- */

/* The domain's UUID, "-" if its XML has none */
static const char *dom_key(const struct lv_domain *d)
{
	return d->uuid[0] ? d->uuid : "-";
}

static int prepare(const char *argname)
{
	static struct lv_domain d;
	static struct lv_state st;
	int i, j, ret = 0;

	if (parse_domain(argname, &d, true))
		return 1;
	if (!d.nr_req) {
		/* nothing asked: a record from an earlier prepare goes */
		if (take_lock() || load_lv_state(&st))
			return 1;
		for (i = 0; i < st.nr_use; i++)
			if (is_domain(&st.use[i], dom_key(&d), d.name))
				break;
		if (i == st.nr_use)
			return 0;
		goto replace;
	}
	if (take_lock() || load_lv_state(&st))
		return 1;
	/* conflicts with the other running domains, before any change */
	for (i = 0; i < d.nr_req; i++)
		for (j = 0; j < st.nr_use; j++) {
			const struct lv_use *u = &st.use[j];

			if (is_domain(u, dom_key(&d), d.name) || strcmp(u->id, d.req[i].id) ||
			    !strcmp(u->key, d.req[i].key))
				continue;
			error("%s: LUN %s is in use by domain %s, which asked for%s; this domain "
			      "asks for%s: not starting it", d.req[i].what, d.req[i].id, u->name,
			      req_text(u->key), req_text(d.req[i].key));
			hint("domains that share a LUN must ask for the same grant (or all for "
			     "unfiltered); sgfilterctl libvirt-reconcile drops the records of "
			     "domains that no longer run");
			ret = 1;
			break;
		}
	if (ret)
		return 1;
replace:
	/* a second prepare replaces the record */
	drop_domain(&st, dom_key(&d), d.name);
	for (i = 0; i < d.nr_req; i++) {
		struct lv_req *r = &d.req[i];
		struct lv_lun *l = find_lun(&st, r->id);
		struct lv_use *u;

		if (!l) {
			st.lun = grow(st.lun, st.nr_lun, sizeof(*st.lun));
			l = &st.lun[st.nr_lun];
			copy(l->id, sizeof(l->id), r->id);
			copy(l->src, sizeof(l->src), r->src);
			l->class = r->class;
			if (read_base(l, &r->dev->t)) {
				ret = 1;
				break;
			}
			st.nr_lun++;
		}
		st.use = grow(st.use, st.nr_use, sizeof(*st.use));
		u = &st.use[st.nr_use++];
		copy(u->uuid, sizeof(u->uuid), dom_key(&d));
		copy(u->name, sizeof(u->name), d.name);
		copy(u->id, sizeof(u->id), r->id);
		u->key = strdup(r->key);
	}
	/* every LUN in use gets base + request; a failure undoes this domain's */
	for (i = 0; !ret && i < d.nr_req; i++) {
		struct lv_req *r = &d.req[i];
		struct lv_lun *l = find_lun(&st, r->id);
		struct scsi_sgio_table set = l->base;

		table_union(&set, &r->set);
		if (set_lun(l, r->unfiltered ? 1 : l->unpriv, &set)) {
			error("%s: could not give LUN %s what the domain asks for", r->what, r->id);
			ret = 1;
		}
	}
	if (ret)
		drop_domain(&st, dom_key(&d), d.name);
	restore_unused(&st, d.name);
	return save_lv_state(&st) | ret;
}

static int release(const char *argname)
{
	static struct lv_domain d;
	static struct lv_state st;

	/* the name is enough to find the record if the XML does not parse */
	if (parse_domain(argname, &d, false)) {
		memset(&d, 0, sizeof(d));
		copy(d.name, sizeof(d.name), argname);
	}
	if (take_lock() || load_lv_state(&st))
		return 1;
	if (!drop_domain(&st, dom_key(&d), d.name))
		return 0;
	restore_unused(&st, d.name);
	return save_lv_state(&st);
}

int cmd_libvirt_hook(int argc, char **argv, unsigned int flags)
{
	const char *op = argc > 1 ? argv[1] : "", *sub = argc > 2 ? argv[2] : "-";
	char *text;

	if (!strcmp(op, "prepare") && !strcmp(sub, "begin"))
		return prepare(argv[0]);
	if (!strcmp(op, "release") && !strcmp(sub, "end"))
		return release(argv[0]);
	/* libvirt writes the XML whatever the operation: take it, print nothing */
	if (!read_stdin(&text))
		free(text);
	return 0;
}

/* --- reconcile ------------------------------------------------------------------ */

/* Does libvirt run the domain @name? Its pid file names a live process */
static bool running(const char *name)
{
	const char *dir = getenv("SGFILTER_LIBVIRT_RUN_DIR");
	char path[PATH_MAX], buf[32];
	long pid;

	snprintf(path, sizeof(path), "%s/%s.pid", dir && *dir ? dir : "/run/libvirt/qemu", name);
	if (read_text(path, buf, sizeof(buf)))
		return false;
	pid = strtol(buf, NULL, 10);
	return pid > 0 && (!kill(pid, 0) || errno == EPERM);
}

int cmd_libvirt_reconcile(int argc, char **argv, unsigned int flags)
{
	static struct lv_state st;
	int i, nr = 0;

	if (take_lock() || load_lv_state(&st))
		return 1;
	for (i = 0; i < st.nr_use; i++) {
		struct lv_use *u = &st.use[i];

		if (running(u->name)) {
			printf("domain %s: running, LUN %s:%s\n", u->name, u->id, req_text(u->key));
			continue;
		}
		printf("domain %s: not running, its record of LUN %s goes\n", u->name, u->id);
		free(u->key);
		memmove(u, u + 1, (st.nr_use - i - 1) * sizeof(*u));
		st.nr_use--;
		i--;
		nr++;
	}
	restore_unused(&st, "libvirt-reconcile");
	if (!nr && !st.nr_use)
		printf("no domain has asked for a LUN\n");
	return save_lv_state(&st);
}
