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

#include "libvirt.h"

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

	if (lv_parse_domain(argname, &d, true))
		return 1;
	if (!d.nr_req) {
		/* nothing asked: a record from an earlier prepare goes */
		if (take_lock() || load_lv_state(&st))
			return 1;
		for (i = 0; i < st.nr_use; i++)
			if (lv_is_domain(&st.use[i], dom_key(&d), d.name))
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

			if (lv_is_domain(u, dom_key(&d), d.name) || strcmp(u->id, d.req[i].id) ||
			    !strcmp(u->key, d.req[i].key))
				continue;
			error("%s: LUN %s is in use by domain %s, which asked for%s; this domain "
			      "asks for%s: not starting it", d.req[i].what, d.req[i].id, u->name,
			      lv_req_text(u->key), lv_req_text(d.req[i].key));
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
	lv_drop_domain(&st, dom_key(&d), d.name);
	for (i = 0; i < d.nr_req; i++) {
		struct lv_req *r = &d.req[i];
		struct lv_lun *l = lv_find_lun(&st, r->id);
		struct lv_use *u;

		if (!l) {
			st.lun = lv_grow(st.lun, st.nr_lun, sizeof(*st.lun));
			l = &st.lun[st.nr_lun];
			lv_copy(l->id, sizeof(l->id), r->id);
			lv_copy(l->src, sizeof(l->src), r->src);
			l->class = r->class;
			if (lv_read_base(l, &r->dev->t)) {
				ret = 1;
				break;
			}
			st.nr_lun++;
		}
		st.use = lv_grow(st.use, st.nr_use, sizeof(*st.use));
		u = &st.use[st.nr_use++];
		lv_copy(u->uuid, sizeof(u->uuid), dom_key(&d));
		lv_copy(u->name, sizeof(u->name), d.name);
		lv_copy(u->id, sizeof(u->id), r->id);
		u->key = strdup(r->key);
	}
	/* every LUN in use gets base + request; a failure undoes this domain's */
	for (i = 0; !ret && i < d.nr_req; i++) {
		struct lv_req *r = &d.req[i];
		struct lv_lun *l = lv_find_lun(&st, r->id);
		struct scsi_sgio_table set = l->base;

		table_union(&set, &r->set);
		if (lv_set_lun(l, r->unfiltered ? 1 : l->unpriv, &set)) {
			error("%s: could not give LUN %s what the domain asks for", r->what, r->id);
			ret = 1;
		}
	}
	if (ret)
		lv_drop_domain(&st, dom_key(&d), d.name);
	lv_restore_unused(&st, d.name);
	return save_lv_state(&st) | ret;
}

static int release(const char *argname)
{
	static struct lv_domain d;
	static struct lv_state st;

	/* the name is enough to find the record if the XML does not parse */
	if (lv_parse_domain(argname, &d, false)) {
		memset(&d, 0, sizeof(d));
		lv_copy(d.name, sizeof(d.name), argname);
	}
	if (take_lock() || load_lv_state(&st))
		return 1;
	if (!lv_drop_domain(&st, dom_key(&d), d.name))
		return 0;
	lv_restore_unused(&st, d.name);
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
	if (!lv_read_stdin(&text))
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
			printf("domain %s: running, LUN %s:%s\n", u->name, u->id, lv_req_text(u->key));
			continue;
		}
		printf("domain %s: not running, its record of LUN %s goes\n", u->name, u->id);
		free(u->key);
		memmove(u, u + 1, (st.nr_use - i - 1) * sizeof(*u));
		st.nr_use--;
		i--;
		nr++;
	}
	lv_restore_unused(&st, "libvirt-reconcile");
	if (!nr && !st.nr_use)
		printf("no domain has asked for a LUN\n");
	return save_lv_state(&st);
}
