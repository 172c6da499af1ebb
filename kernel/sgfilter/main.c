// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter: run-time editable SG_IO class tables, counters and audit log.
 *
 * Keeps one table per device class, which the SCSI core decides with: the
 * module publishes each table with scsi_sgio_publish_table() (the stock
 * backend has its own copy of that function and of the array it fills), so
 * a command the table allows never reaches the module. The backend
 * (backend_patched.c or stock.c) tells it of the commands that neither
 * CAP_SYS_RAWIO, a device's unpriv_sgio flag, the class table nor the
 * device's grants allowed, which it counts and logs. The tables start as
 * copies of the kernel's built-in ones and are edited by root through
 * /sys/kernel/sgfilter/<class>/{allow,deny,reset,load} (sysfs.c).
 *
 * The SG_IO path takes no lock and allocates nothing: the core dereferences
 * the class table under RCU and looks the command up (array indexing, no
 * loop over rules); a denial bumps a per-CPU counter. An edit copies the
 * table, changes the copy, publishes it with rcu_assign_pointer() and
 * scsi_sgio_publish_table(), and frees the old one after a grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/cred.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/module.h>
#include <linux/ratelimit.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_proto.h>

#include "state.h"

struct sgf_class sgf_classes[SCSI_SGIO_NR_CLASSES];
DEFINE_PER_CPU(unsigned long [SCSI_SGIO_NR_CLASSES], sgf_denied_count);
/* Serializes table edits (not readers) */
DEFINE_MUTEX(sgf_lock);
/*
 * Whether the SCSI core decides with our tables (sgf_publish_all()), from
 * the backend's registration to its unregistration only; under sgf_lock
 */
static bool sgf_published;

/*
 * The denial log is rate limited per user (by a hash of the uid), so that
 * one user's denials cannot hide another's. The counters count everything.
 */
#define SGF_LOG_BUCKETS	16
static struct ratelimit_state sgf_log_rs[SGF_LOG_BUCKETS];

/* --- the SG_IO path ------------------------------------------------------ */

/* The service action the table keyed the command by, or -1 */
static int sgf_cdb_sa(const struct scsi_sgio_table *t, const u8 *cdb,
		      unsigned int len)
{
	if (!len || !scsi_sgio_by_sa(t->op[cdb[0]]))
		return -1;
	return scsi_sgio_cdb_sa(cdb, len);
}

/*
 * The task's name as the log shows it: any user can name a task, so every
 * byte but ASCII letters, digits and a few punctuation marks (none that
 * could start a new line or a new field) becomes '?'. isalnum() would
 * also take Latin-1 letters.
 */
static void sgf_task_name(char (*buf)[TASK_COMM_LEN])
{
	char *p;

	get_task_comm(*buf, current);
	for (p = *buf; *p; p++)
		if (!(*p >= 'a' && *p <= 'z') && !(*p >= 'A' && *p <= 'Z') &&
		    !(*p >= '0' && *p <= '9') && !strchr("._-+:@/", *p))
			*p = '?';
}

/*
 * Called under the core's rcu_read_lock(): nothing here may sleep (no
 * device references are taken; the device is named by its H:C:T:L).
 */
static void sgf_log_denial(struct scsi_device *sdev, const struct sgf_class *c,
			   const struct scsi_sgio_table *t, const u8 *cdb,
			   unsigned int len, bool open_for_write)
{
	uid_t uid = from_kuid(&init_user_ns, current_uid());
	const char *name = NULL, *sa_name = NULL;
	int sa = sgf_cdb_sa(t, cdb, len);
	char comm[TASK_COMM_LEN];
	char what[128] = "empty CDB";

	if (!__ratelimit(&sgf_log_rs[hash_32(uid, ilog2(SGF_LOG_BUCKETS))]))
		return;
	sgf_task_name(&comm);
	if (len) {
		char sa_str[8] = "";

		sgf_opcode_sa_name(cdb[0], sa, &name, &sa_name);
		if (sa >= 0)
			snprintf(sa_str, sizeof(sa_str), "/0x%02x", sa);
		snprintf(what, sizeof(what), "0x%02x%s %s%s%s", cdb[0], sa_str,
			 name ? name : "(unknown)", sa_name ? " " : "",
			 sa_name ? sa_name : "");
	}
	/* a device with grants: they were looked at first, and said no */
	pr_info("denied %s[%d] uid %u: %s class %s%s: %s, file open %s\n",
		comm, task_pid_nr(current), uid, dev_name(&sdev->sdev_gendev),
		scsi_sgio_class_name(c->class),
		sgf_grants_get(sdev) ? " and grants" : "", what,
		open_for_write ? "read-write" : "read-only");
}

/**
 * sgf_denied - count and log a denied command
 * @sdev: the device the command is for
 * @cdb: the command
 * @len: its length
 * @open_for_write: whether the caller's file is open for writing
 *
 * Called by the backend under rcu_read_lock() (the core's, on a patched
 * kernel: struct scsi_sgio_policy::denied), for callers without
 * CAP_SYS_RAWIO whose device's unpriv_sgio flag, class table and grants
 * did not allow the command. Must not sleep.
 */
void sgf_denied(struct scsi_device *sdev, const u8 *cdb, unsigned int len,
		bool open_for_write)
{
	struct sgf_class *c = &sgf_classes[scsi_sgio_class(sdev->type)];

	this_cpu_inc(sgf_denied_count[c->class]);
	if (len)	/* an empty CDB has no opcode to count it under */
		atomic_long_inc(&c->denied_op[cdb[0]]);
	sgf_log_denial(sdev, c, &rcu_dereference(c->table)->t, cdb, len,
		       open_for_write);
}

/* --- edits ----------------------------------------------------------------- */

/*
 * Make @new, one generation on, the table of @c, and while ours are
 * published the SCSI core's; called under sgf_lock. Readers see the old
 * table or the new one; the caller frees the old one (@old) after a grace
 * period. Return: 0, or the core's refusal (nothing changed; the caller
 * frees @new): edits keep the built-in keys, which is all it checks.
 */
static int sgf_replace(struct sgf_class *c, struct sgf_table *new,
		       struct sgf_table **old)
{
	*old = rcu_dereference_protected(c->table, lockdep_is_held(&sgf_lock));
	new->generation = (*old)->generation + 1;
	if (sgf_published) {
		int ret = scsi_sgio_publish_table(c->class, &new->t);

		if (WARN_ON_ONCE(ret))
			return ret;
	}
	rcu_assign_pointer(c->table, new);
	return 0;
}

/*
 * Give the SCSI core every class table of ours (@publish), or its built-in
 * ones back; edits publish their table while ours are published. Readers
 * may still use the tables replaced: free them only after a grace period.
 */
static void sgf_publish_all(bool publish)
{
	const struct sgf_table *t;
	int c;

	mutex_lock(&sgf_lock);
	sgf_published = publish;
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		t = rcu_dereference_protected(sgf_classes[c].table,
					      lockdep_is_held(&sgf_lock));
		WARN_ON_ONCE(scsi_sgio_publish_table(c, publish ? &t->t : NULL));
	}
	mutex_unlock(&sgf_lock);
}

/**
 * sgf_publish - make a table the table of a class
 * @c: the class
 * @new: the table, which the class owns from now on (freed on an error)
 *
 * Return: 0, or -EINVAL if the SCSI core refused it (nothing changed).
 */
int sgf_publish(struct sgf_class *c, struct sgf_table *new)
{
	struct sgf_table *old;
	int ret;

	mutex_lock(&sgf_lock);
	ret = sgf_replace(c, new, &old);
	mutex_unlock(&sgf_lock);
	if (ret) {
		kfree(new);
		return ret;
	}
	kfree_rcu(old, rcu);
	return 0;
}

/**
 * sgf_edit - apply one edit to the table of a class
 * @c: the class
 * @entry: the edit, or NULL for the built-in table
 *
 * The copy and the change happen under sgf_lock, so that concurrent edits
 * do not lose each other.
 *
 * Return: 0, -ENOMEM, or what sgf_table_apply() or the SCSI core refused
 * the edit with (nothing changed).
 */
int sgf_edit(struct sgf_class *c, const struct sgf_entry *entry)
{
	struct sgf_table *new, *old;
	int ret = 0;

	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;

	mutex_lock(&sgf_lock);
	old = rcu_dereference_protected(c->table, lockdep_is_held(&sgf_lock));
	if (entry) {
		new->t = old->t;
		ret = sgf_table_apply(&new->t, entry);
	} else {
		new->t = *scsi_sgio_default_table(c->class);
	}
	if (!ret)
		ret = sgf_replace(c, new, &old);
	if (ret)
		goto out_unlock;
	mutex_unlock(&sgf_lock);
	kfree_rcu(old, rcu);
	return 0;

out_unlock:
	mutex_unlock(&sgf_lock);
	kfree(new);
	return ret;
}

/* --- module ---------------------------------------------------------------- */

static void sgf_free_tables(void)
{
	int c;

	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		kfree(rcu_dereference_protected(sgf_classes[c].table, true));
}

static int __init sgf_init(void)
{
	int c, ret;

	for (c = 0; c < SGF_LOG_BUCKETS; c++)
		ratelimit_state_init(&sgf_log_rs[c], 5 * HZ, 10);
#ifdef SGF_STOCK_BACKEND
	/* a stock kernel has no built-in tables: the module brings them */
	scsi_sgio_init_defaults();
#endif
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		struct sgf_table *t = kmalloc(sizeof(*t), GFP_KERNEL);

		if (!t) {
			ret = -ENOMEM;
			goto out_free_tables;
		}
		t->t = *scsi_sgio_default_table(c);
		t->generation = 0;
		sgf_classes[c].class = c;
		RCU_INIT_POINTER(sgf_classes[c].table, t);
	}

	ret = sgf_sysfs_init();
	if (ret)
		goto out_free_tables;
	ret = sgf_backend_init();
	if (ret)
		goto out_sysfs;
	/* told of denials from now on: the tables may go to the core */
	sgf_publish_all(true);
	pr_info("SG_IO class tables loaded (%s backend)\n", sgf_backend_name());
	return 0;

out_sysfs:
	sgf_sysfs_exit();
out_free_tables:
	sgf_free_tables();
	return ret;
}

static void __exit sgf_exit(void)
{
	/* the built-in tables back; edits from now on stay ours */
	sgf_publish_all(false);
	/* After this no SG_IO caller is inside sgf_denied(). */
	sgf_backend_exit();
	/* Removing the files waits for their readers and writers. */
	sgf_sysfs_exit();
	/* Nor does any SG_IO caller read a table of ours any more. */
	synchronize_rcu();
	sgf_free_tables();
	pr_info("built-in SG_IO class tables restored\n");
}

module_init(sgf_init);
module_exit(sgf_exit);

MODULE_DESCRIPTION("Run-time editable SG_IO command filter tables");
MODULE_LICENSE("GPL");
