// SPDX-License-Identifier: GPL-2.0
/*
 * libvirt's hook: the domain's XML read from fd 0 and its <metadata>
 * matched to its LUN devices (libxml2).
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

#include "libvirt.h"

/* --- the domain's XML ----------------------------------------------------------- */

/*
 * All of standard input, malloc'ed, NUL-terminated; -errno. From fd 0, not
 * /dev/stdin, which a minimal /dev (an initramfs's devtmpfs) lacks.
 */
int lv_read_stdin(char **out)
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

	lv_copy(dst, size, s);
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

/* A new device of @d, of @kind, with the alias of @node */
static struct lv_dev *new_dev(struct lv_domain *d, const char *kind,
			      xmlXPathContextPtr ctx, xmlNodePtr node)
{
	struct lv_dev *v;

	d->dev = lv_grow(d->dev, d->nr_dev, sizeof(*d->dev));
	v = &d->dev[d->nr_dev++];
	lv_copy(v->kind, sizeof(v->kind), kind);
	xcopy(v->alias, sizeof(v->alias), ctx, node, "string(alias/@name)");
	return v;
}

static void add_devices(struct lv_domain *d, xmlXPathContextPtr ctx)
{
	xmlXPathObjectPtr o;
	struct lv_dev *v;
	char a[64], b[16], t[16], u[16];
	unsigned int host;
	int i;

	o = xpath_nodes(ctx, NULL, "/domain/devices/disk[@device='lun']");
	for (i = 0; i < NODES(o); i++) {
		v = new_dev(d, "disk", ctx, NODE(o, i));
		xcopy(v->target, sizeof(v->target), ctx, NODE(o, i), "string(target/@dev)");
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
		v = new_dev(d, "hostdev", ctx, NODE(o, i));
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
	d->req = lv_grow(d->req, d->nr_req, sizeof(*d->req));
	r = &d->req[d->nr_req];
	r->dev = v;
	r->class = v->t.class;
	lv_copy(r->src, sizeof(r->src), v->src);
	lv_copy(r->what, sizeof(r->what), where);
	lv_lun_id(&v->t, r->id, sizeof(r->id));
	empty_table(r->class, &r->set);
	if (val[4]) {
		r->unfiltered = true;
		r->key = strdup("unfiltered");
	} else {
		copy_ = val[3];
		ntok = lv_split(copy_, tok, MAX_GRANT_EDITS + 1);
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
		r->key = lv_tokens(&r->set);
	}
	/* two elements for one LUN: the same request, or an error */
	for (i = 0; i < d->nr_req; i++)
		if (!strcmp(d->req[i].id, r->id)) {
			if (strcmp(d->req[i].key, r->key)) {
				error("%s: LUN %s is asked for twice, differently (%s and %s)", where,
				      r->id, lv_req_text(d->req[i].key), lv_req_text(r->key));
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
int lv_parse_domain(const char *argname, struct lv_domain *d, bool requests)
{
	xmlXPathContextPtr ctx = NULL;
	xmlXPathObjectPtr o = NULL;
	xmlDocPtr doc;
	char *text;
	int err, i, ret = 1;

	memset(d, 0, sizeof(*d));
	lv_copy(d->name, sizeof(d->name), argname);
	err = lv_read_stdin(&text);
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
