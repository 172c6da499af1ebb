// SPDX-License-Identifier: GPL-2.0
/*
 * check DEVICE OPCODE[/SA]: the verdict the kernel would give, and why,
 * without sending anything. The order is the kernel's: CAP_SYS_RAWIO, the
 * node's own rules (st, sg), unpriv_sgio for a writer (scsi_cmd_allowed()),
 * the device's grants, and last the class table; grants and table decided
 * by the kernel's own lookup and scsi_sgio_permitted()
 * (include/scsi/scsi_sgio.h). The answer names the layer that decided.
 */
#include <errno.h>
#include <linux/capability.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "sgfilterctl.h"

/* Long enough for the service action of every opcode, 0x7f's included */
#define CDB_LEN	32

/* What the node and the device decide before any table */
struct check_ctx {
	bool writer;
	enum node_kind node;
	int type;	/* peripheral device type */
	int unpriv;	/* the device's unpriv_sgio: 0, 1 or -errno */
	int class;
	const struct scsi_sgio_table *table;
	const struct scsi_sgio_table *grants;	/* NULL: none (no module) */
};

struct verdict {
	bool mine, user;
	const char *layer_mine, *layer_user;
	char why_mine[200], why_user[200];
};

static bool has_rawio(void)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	return !syscall(SYS_capget, &hdr, data) &&
	       (data[0].effective & (1u << CAP_SYS_RAWIO));
}

/* A CDB of OPCODE/SA (SA -1: the opcode has none) */
static void make_cdb(int op, int sa, u8 *cdb)
{
	memset(cdb, 0, CDB_LEN);
	cdb[0] = op;
	if (sa >= 0 && op == VARIABLE_LENGTH_CMD) {
		cdb[8] = sa >> 8;
		cdb[9] = sa;
	} else if (sa >= 0) {
		cdb[1] = sa;
	}
}

/* The permission @t gives OPCODE/SA */
static enum scsi_sgio_perm table_perm(const struct scsi_sgio_table *t, int op, int sa)
{
	u8 cdb[CDB_LEN];

	make_cdb(op, sa, cdb);
	return scsi_sgio_lookup(t, cdb, CDB_LEN);
}

/* Why the class table decides @cdb as it does (@what names it: "0x42") */
static void table_why(const struct check_ctx *x, const u8 *cdb, const char *what,
		      char *why, size_t size)
{
	const char *class = scsi_sgio_class_name(x->class);

	switch (scsi_sgio_lookup(x->table, cdb, CDB_LEN)) {
	case SCSI_SGIO_READ:
		snprintf(why, size, "the %s table allows %s to every opener", class, what);
		break;
	case SCSI_SGIO_WRITE:
		snprintf(why, size, "the %s table allows %s to openers with write access%s",
			 class, what, x->writer ? "" : " only");
		break;
	default:
		snprintf(why, size, "the %s table has no entry for %s", class, what);
	}
}

/* Write @rule as the reason and @l as the layer; @allowed */
static bool because(char *why, size_t size, const char **layer, const char *l,
		    const char *rule, bool allowed)
{
	snprintf(why, size, "%s", rule);
	*layer = l;
	return allowed;
}

/*
 * The decision, as the kernel takes it, for @cdb; writes the reason and
 * the layer that decided: "CAP_SYS_RAWIO", "node" (sg's and st's own
 * rules), "unpriv_sgio", "grant" or "table"
 */
static bool decide(bool rawio, const struct check_ctx *x, const u8 *cdb, const char *what,
		   char *why, size_t size, const char **layer)
{
	enum scsi_sgio_perm grant = SCSI_SGIO_NONE;
	size_t n;

	if (rawio)
		return because(why, size, layer, "CAP_SYS_RAWIO",
			       "CAP_SYS_RAWIO allows every command", true);
	if (x->node == NODE_ST)
		return because(why, size, layer, "node",
			       "st sends no command without CAP_SYS_RAWIO", false);
	if (x->node == NODE_SG && x->writer)
		return because(why, size, layer, "node",
			       "sg does not filter files open for writing", true);
	if (x->node == NODE_SG && x->type == TYPE_SCANNER)
		return because(why, size, layer, "node",
			       "sg does not filter scanners (device type 6)", true);
	if (x->writer && x->unpriv == 1)
		return because(why, size, layer, "unpriv_sgio",
			       "unpriv_sgio is set and the file is open for writing", true);
	/* the class table first; the grants only for what it refuses */
	*layer = "table";
	table_why(x, cdb, what, why, size);
	if (scsi_sgio_permitted(x->table, cdb, CDB_LEN, x->writer))
		return true;
	if (x->grants)
		grant = scsi_sgio_lookup(x->grants, cdb, CDB_LEN);
	if (grant == SCSI_SGIO_READ || (grant == SCSI_SGIO_WRITE && x->writer)) {
		snprintf(why, size, "a grant on this device allows %s to %s", what,
			 grant == SCSI_SGIO_READ ? "every opener" : "openers with write access");
		*layer = "grant";
		return true;
	}
	n = strlen(why);
	if (grant == SCSI_SGIO_WRITE)
		snprintf(why + n, size - n, "; a grant on this device allows it to openers "
			 "with write access only");
	return false;
}

static void verdict(bool rawio, const struct check_ctx *x, int op, int sa, const char *what,
		    struct verdict *v)
{
	u8 cdb[CDB_LEN];

	make_cdb(op, sa, cdb);
	v->mine = decide(rawio, x, cdb, what, v->why_mine, sizeof(v->why_mine), &v->layer_mine);
	v->user = decide(false, x, cdb, what, v->why_user, sizeof(v->why_user), &v->layer_user);
}

static void print_one(const char *key, const char *label, const char *indent, bool allowed,
		      const char *layer, const char *why)
{
	out_open(key);
	out_text("%s%s%s: ", indent, label, allowed ? "allowed" : "denied");
	out_bool("allowed", allowed);
	out_str(OUT_JSON, "layer", NULL, layer);
	out_str(OUT_ANY, "why", "%s\n", why);
	out_close();
}

static void print_verdict(const struct verdict *v, const char *indent)
{
	print_one("you", "you:                 ", indent, v->mine, v->layer_mine, v->why_mine);
	print_one("unprivileged", "an unprivileged user: ", indent, v->user, v->layer_user,
		  v->why_user);
}

/* The first line: the device, the command and the open mode (@tail: after it) */
static void print_command(const struct check_ctx *x, const char *hctl, int op, int sa,
			  const char *name, const char *tail)
{
	out_str(OUT_ANY, "device", "%s", hctl);
	out_str(OUT_ANY, "class", " (%s), ", scsi_sgio_class_name(x->class));
	out_int(OUT_JSON, "opcode", NULL, op);
	out_int(OUT_JSON, "sa", NULL, sa);
	out_str(OUT_ANY, "name", "%s", name);
	out_str(OUT_ANY, "open", tail, x->writer ? "read-write" : "read-only");
}

/* Does every service action of @op get the same permission (from @g too)? */
static bool uniform(const struct scsi_sgio_table *t, const struct scsi_sgio_table *g, int op)
{
	enum scsi_sgio_perm first = table_perm(t, op, 0);
	enum scsi_sgio_perm gfirst = g ? table_perm(g, op, 0) : SCSI_SGIO_NONE;
	int sa;

	for (sa = 1; sa < nr_sa(op); sa++)
		if (table_perm(t, op, sa) != first || (g && table_perm(g, op, sa) != gfirst))
			return false;
	return true;
}

/*
 * check DEVICE OPCODE, for an opcode that the table keys by service action:
 * one verdict for the opcode when every service action gets the same, else
 * one per service action that libsgutils2 names or either table lists.
 */
static void check_each_sa(bool rawio, const struct check_ctx *x, int op, const char *hctl,
			  const char *name)
{
	const struct scsi_sgio_table *def = scsi_sgio_default_table(x->class);
	char what[48], key[KEY_MAX_LEN], saname[NAME_MAX_LEN];
	struct verdict v;
	int sa;

	out_open(NULL);
	if (uniform(x->table, x->grants, op)) {
		snprintf(what, sizeof(what), "any service action of 0x%02x", op);
		verdict(rawio, x, op, 0, what, &v);
		print_command(x, hctl, op, -1, name, " (every service action), file open %s\n");
		print_verdict(&v, "  ");
		out_close();
		return;
	}
	print_command(x, hctl, op, -1, name,
		      ", file open %s: the verdict depends on the service action\n");
	out_open_list("service_actions");
	for (sa = 0; sa < nr_sa(op); sa++) {
		if (!sa_named(x->class, op, sa) && !table_perm(x->table, op, sa) &&
		    !table_perm(def, op, sa) && !(x->grants && table_perm(x->grants, op, sa)))
			continue;
		key_str(op, sa, key, sizeof(key));
		opcode_name(x->class, op, sa, saname, sizeof(saname));
		verdict(rawio, x, op, sa, key, &v);
		out_open(NULL);
		out_int(OUT_JSON, "sa", NULL, sa);
		out_str(OUT_ANY, "key", "  %s ", key);
		out_str(OUT_ANY, "name", "%s\n", saname);
		print_verdict(&v, "    ");
		out_close();
	}
	out_close_list();
	out_close();
}

int cmd_check(int argc, char **argv, unsigned int flags)
{
	struct check_ctx x = { .writer = !(flags & OPT_READ_ONLY) };
	char hctl[HCTL_MAX_LEN], name[NAME_MAX_LEN], key[KEY_MAX_LEN];
	bool rawio = has_rawio();
	struct scsi_sgio_table t, g;
	struct verdict v;
	int op, sa, err;

	if (resolve_device(argv[0], hctl, sizeof(hctl), &x.node))
		return 1;
	x.type = device_type(hctl);
	x.class = device_class(hctl);
	if (resolve(x.class, argv[1], &op, &sa) || current_table(x.class, &t))
		return 1;
	x.table = &t;
	x.unpriv = device_unpriv(hctl);
	err = read_grants(hctl, x.class, &g);
	if (err && err != -ENOENT)
		return 1;
	x.grants = err ? NULL : &g;
	opcode_name(x.class, op, sa, name, sizeof(name));
	if (sa < 0 && scsi_sgio_by_sa(t.op[op])) {
		check_each_sa(rawio, &x, op, hctl, name);
		return 0;
	}
	key_str(op, scsi_sgio_by_sa(t.op[op]) ? sa : -1, key, sizeof(key));
	verdict(rawio, &x, op, sa, key, &v);
	out_open(NULL);
	print_command(&x, hctl, op, sa, name, ", file open %s\n");
	print_verdict(&v, "  ");
	out_close();
	return 0;
}
