/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sgfilterctl's private header: what its files share.
 *
 *   sgfilterctl.c  the command table, the options and main()
 *   output.c       messages, and one output API with a text and a JSON backend
 *   sysfs.c        files under /sys: paths, whole reads, single writes
 *   tables.c       the class tables in force: show, allow, deny, reset, stats
 *   names.c        opcode names (libsgutils2) and OPCODE[/SA] arguments
 *   devices.c      DEVICE arguments, WWIDs, unpriv_sgio: status, unpriv
 *   check.c        the kernel's decision for one command, and why: check
 *   profiles.c     the grant profiles (pr, thin, ...): profiles
 *   grant_sets.c   per-device grant sets: entries, arguments, sgio_grants
 *   grant_state.c  the lock, the runtime state, DEVICE's paths (multipath)
 *   grants.c       grant, revoke, show DEVICE
 *   policy_file.c  the policy file: parse, apply-device
 *   policy_save.c  the policy file written: save
 *   load.c         load: every check before the first write, undo on failure
 *   libvirt.c      libvirt's qemu hook: what a domain's <metadata> asks for
 *                  its LUNs, at prepare and release, shared LUNs counted:
 *                  libvirt-hook, libvirt-reconcile
 *   libvirt_state.c  the hook's state (bases, uses) and the LUNs set from it
 *   libvirt_xml.c  the domain's XML and its <metadata> (libxml2)
 *
 * The class tables, their lookup and the entry syntax are the kernel's
 * (drivers/scsi/scsi_sgio.c, kernel/sgfilter/edits.c), compiled in through
 * tools/shim; only those and the headers below them see the shim.
 */
#ifndef SGFILTERCTL_H
#define SGFILTERCTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <scsi/scsi_proto.h>
#include "../../kernel/sgfilter/sgfilter.h"

#define EXIT_USAGE	2

/* The options of one command (the flags its handler gets) */
#define OPT_READ_ONLY	(1u << 0)	/* check --read-only */
#define OPT_FAIL_CLOSED	(1u << 1)	/* load --fail-closed */

/* Every opcode: scsi_sgio_table::op has one u8 for each */
#define NR_OPCODES	sizeof(((struct scsi_sgio_table *)NULL)->op)

/* The longest name libsgutils2 gives, with room to spare */
#define NAME_MAX_LEN	96
/* "0x7f/0x000d" and room */
#define KEY_MAX_LEN	24
/* "H:C:T:L" */
#define HCTL_MAX_LEN	64
/* The longest device ID: the kernel's wwid attribute is at most a page */
#define ID_MAX		4096

/* --- output.c: messages ------------------------------------------------ */

void error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hint(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
void hint_errno(int err);
int usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- output.c: results, as text or as one JSON document -------------------
 *
 * A command writes each value once. @key names it in JSON (NULL in a list);
 * @fmt prints it as text (NULL: not in the text). OUT_TEXT and OUT_JSON
 * values appear in one form only. Objects and lists exist in JSON only; the
 * document ends with a newline when its outermost object closes.
 */
enum out_to { OUT_ANY, OUT_TEXT, OUT_JSON };

void out_init(bool json);
void out_open(const char *key);
void out_close(void);
void out_open_list(const char *key);
void out_close_list(void);
void out_str(enum out_to to, const char *key, const char *fmt, const char *val);
void out_int(enum out_to to, const char *key, const char *fmt, long val);
void out_bool(const char *key, bool val);
void out_text(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* --- sysfs.c ------------------------------------------------------------ */

extern const char *sysfs;	/* "/sys", or $SGFILTER_SYSFS for tests */

int sysfs_path(char *buf, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
int read_all(const char *path, char **out);
int read_text(const char *path, char *buf, size_t size);
int write_text(const char *path, const char *s);
int write_text_flags(const char *path, const char *s, int flags);
size_t page_size(void);
bool module_loaded(void);
int need_module(void);

/* --- tables.c ------------------------------------------------------------ */

int parse_class(const char *s);
void empty_table(int class, struct scsi_sgio_table *t);
int read_table_text(int class, char **out);
int current_table(int class, struct scsi_sgio_table *t);
int load_class(int class, const char *text);
int cmd_show(int argc, char **argv, unsigned int flags);
int cmd_allow(int argc, char **argv, unsigned int flags);
int cmd_deny(int argc, char **argv, unsigned int flags);
int cmd_reset(int argc, char **argv, unsigned int flags);
int cmd_stats(int argc, char **argv, unsigned int flags);

/* --- names.c ------------------------------------------------------------- */

bool has_sa(int class, u8 op);
unsigned int nr_sa(u8 op);
void opcode_name(int class, u8 op, int sa, char *buf, size_t size);
bool sa_named(int class, int op, int sa);
void key_str(int op, int sa, char *buf, size_t size);
void out_entry_open(int class, int op, int sa, char *name, size_t size);
int resolve(int class, const char *arg, int *op, int *sa);

/* --- profiles.c ---------------------------------------------------------- */

/* A named set of grant entries, for the classes in @classes (a bit each) */
struct profile {
	const char *name;
	unsigned int classes;
	const char *summary;
	const struct sgf_entry *entries;
	unsigned int nr;
};

extern const struct profile profiles[];
extern const unsigned int nr_profiles;

const struct profile *find_profile(const char *name);
bool profile_fits(const struct profile *p, int class);
const char *profile_names(void);
int cmd_profiles(int argc, char **argv, unsigned int flags);

/* --- grant_sets.c, grant_state.c, grants.c --------------------------------- */

/* The most entries one grant, revoke or policy file line names */
#define MAX_GRANT_EDITS	64
/* The most paths of one multipath map */
#define MAX_PATHS	32

/* One entry of a grant or revoke (perm none), and the profile it came from */
struct grant_edit {
	struct sgf_entry e;
	const struct profile *from;
};

/* The entries of one grant or revoke, in order; @all: revoke all first */
struct grant_edits {
	struct grant_edit e[MAX_GRANT_EDITS];
	int nr;
	bool all;
};

/* A DEVICE argument: one SCSI device, or the paths of a dm-multipath map */
struct target {
	char dm[32];		/* "dm-3" for a multipath map, else "" */
	int nr;
	char hctl[MAX_PATHS][HCTL_MAX_LEN];
	int class;
	char wwid[ID_MAX];	/* the LUN's */
};

int parse_grant_args(int class, char **tok, int n, bool revoke, struct grant_edits *g,
		     const char *where);
int apply_edits(int class, struct scsi_sgio_table *t, const struct grant_edits *g,
		const char *who);
char *table_text(const struct scsi_sgio_table *t);
int perm_rank(u8 perm);
u8 perm_broader(u8 a, u8 b);
void table_union(struct scsi_sgio_table *dst, const struct scsi_sgio_table *src);
void grant_tokens(FILE *f, const struct scsi_sgio_table *t);
int read_grants(const char *hctl, int class, struct scsi_sgio_table *t);
int write_grants(const char *hctl, const struct scsi_sgio_table *t);
int need_grants(const char *hctl);
int save_state(const char *wwid, const struct scsi_sgio_table *t);
const char *run_dir(void);
int take_lock(void);
int resolve_target(const char *arg, struct target *t, bool change);
int show_device(const char *arg);
int cmd_grant(int argc, char **argv, unsigned int flags);
int cmd_revoke(int argc, char **argv, unsigned int flags);

/* --- devices.c ----------------------------------------------------------- */

/* What kind of node a DEVICE argument is: sg and st decide on their own */
enum node_kind {
	NODE_NONE,	/* given as H:C:T:L: no node */
	NODE_BLOCK,	/* sd, sr */
	NODE_SG,	/* sg: filters read-only openers only, never scanners */
	NODE_BSG,
	NODE_ST,	/* st: SG_IO only with CAP_SYS_RAWIO */
	NODE_CHAR,	/* another SCSI char device (ch) */
};

int resolve_device(const char *arg, char *hctl, size_t size, enum node_kind *kind);
int device_type(const char *hctl);
int device_class(const char *hctl);
int device_unpriv(const char *hctl);
void device_wwid(const char *hctl, char *buf, size_t size);
int set_unpriv(const char *hctl, bool on);
bool id_matches(const char *id, const char *hctl);
void encode_id(const char *in, char *out, size_t size);
int decode_id(const char *in, char *out, size_t size);

/* Call @fn for every SCSI device (H:C:T:L) under /sys/bus/scsi/devices */
void for_each_device(void (*fn)(const char *hctl, void *arg), void *arg);

int cmd_status(int argc, char **argv, unsigned int flags);
int cmd_unpriv(int argc, char **argv, unsigned int flags);

/* --- check.c ------------------------------------------------------------- */

int cmd_check(int argc, char **argv, unsigned int flags);

/* --- policy_file.c, policy_save.c ------------------------------------------ */

/* Per-device settings of a policy file: "unpriv ID on|off", ID decoded */
struct unpriv_line {
	char id[ID_MAX];
	bool on;
};

#define MAX_UNPRIV	64

/* "grant ID PROFILE|read OPCODE[/SA]...|write OPCODE[/SA]...", ID decoded */
struct grant_line {
	char id[ID_MAX];
	char where[160];	/* FILE:LINE, for messages */
	struct grant_edits g;
};

#define MAX_GRANT_LINES	64

/* A policy file, parsed: the classes it sets, and its device lines */
struct policy {
	struct scsi_sgio_table tables[SCSI_SGIO_NR_CLASSES];
	bool present[SCSI_SGIO_NR_CLASSES];
	struct unpriv_line unpriv[MAX_UNPRIV];
	int nr_unpriv;
	struct grant_line grant[MAX_GRANT_LINES];
	int nr_grants;
};

/*
 * parse_policy() sets @p's tables and present[] anew, and appends the
 * file's device lines to @p->unpriv and @p->grant (so that several files
 * add up)
 */
int parse_policy(const char *file, struct policy *p);
int apply_unpriv(const struct policy *p, const char *only);
int apply_grants(const struct policy *p, const char *only, bool dry);
int load_state(struct policy *st);
int write_file_atomic(const char *file, const char *buf, size_t len);
int cmd_save(int argc, char **argv, unsigned int flags);
int cmd_apply_device(int argc, char **argv, unsigned int flags);

/* --- load.c -------------------------------------------------------------- */

int cmd_load(int argc, char **argv, unsigned int flags);

/* --- libvirt.c ----------------------------------------------------------- */

/* The XML namespace of the hook's <metadata> element */
#define SGF_LIBVIRT_NS	"urn:x-sgfilter:libvirt:1"

int cmd_libvirt_hook(int argc, char **argv, unsigned int flags);
int cmd_libvirt_reconcile(int argc, char **argv, unsigned int flags);

#endif /* SGFILTERCTL_H */
