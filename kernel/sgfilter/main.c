// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter: run-time editable SG_IO class tables, counters and audit log.
 *
 * Registers with the SCSI core (scsi_sgio_register_policy()) and decides the
 * commands that neither CAP_SYS_RAWIO nor a device's unpriv_sgio flag
 * allowed, from one table per device class. The tables start as copies of
 * the kernel's built-in ones and are edited by root through
 * /sys/kernel/sgfilter/<class>/{allow,deny,reset}.
 *
 * The SG_IO path takes no lock and allocates nothing: it dereferences the
 * class table under RCU (the core holds rcu_read_lock() around the call),
 * does the table lookup (array indexing, no loop over rules), and bumps a
 * per-CPU counter. An edit copies the table, changes the copy, publishes it
 * with rcu_assign_pointer() and frees the old one after a grace period.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/atomic.h>
#include <linux/cred.h>
#include <linux/hash.h>
#include <linux/log2.h>
#include <linux/device.h>
#include <linux/kobject.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/ratelimit.h>
#include <linux/rcupdate.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <scsi/scsi_dbg.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_proto.h>
#include <scsi/scsi_sgio.h>

#include "sgfilter.h"

/**
 * struct sgf_table - a published class table
 * @rcu: for freeing after the readers are gone
 * @generation: one more than the table it replaced, so that a reader of a
 *	listing longer than a page can tell that it read two versions (read
 *	it before and after); published with the table
 * @t: the table
 */
struct sgf_table {
	struct rcu_head rcu;
	unsigned long generation;
	struct scsi_sgio_table t;
};

/**
 * struct sgf_class - the state of one device class
 * @table: the current table; read under RCU, replaced under sgf_lock
 * @kobj: /sys/kernel/sgfilter/<class>; a dynamic kobject, whose release
 *	is the core's, so that it may outlive the module (kobject_del() at
 *	exit removes its files before the module's text and data go)
 * @class: which class this is
 * @denied_op: commands denied per opcode; atomic, written only on denial
 */
struct sgf_class {
	struct sgf_table __rcu *table;
	struct kobject *kobj;
	enum scsi_sgio_class class;
	atomic_long_t denied_op[256];
};

/**
 * struct sgf_counters - per-CPU decision counters of one class
 * @allowed: commands the table allowed
 * @denied: commands the table denied
 */
struct sgf_counters {
	unsigned long allowed;
	unsigned long denied;
};

static struct sgf_class sgf_classes[SCSI_SGIO_NR_CLASSES];
static DEFINE_PER_CPU(struct sgf_counters [SCSI_SGIO_NR_CLASSES], sgf_counters);
/* Serializes table edits (not readers) */
static DEFINE_MUTEX(sgf_lock);
static struct kobject *sgf_kobj;

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
	if (!len || t->op[cdb[0]] != SCSI_SGIO_BY_SA)
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
	char sa_str[8] = "";

	if (!__ratelimit(&sgf_log_rs[hash_32(uid, ilog2(SGF_LOG_BUCKETS))]))
		return;
	sgf_task_name(&comm);
	if (!len) {
		pr_info("denied %s[%d] uid %u: %s class %s: empty CDB, file open %s\n",
			comm, task_pid_nr(current), uid,
			dev_name(&sdev->sdev_gendev),
			scsi_sgio_class_name(c->class),
			open_for_write ? "read-write" : "read-only");
		return;
	}
	scsi_opcode_sa_name(cdb[0], sa, &name, &sa_name);
	if (sa >= 0)
		snprintf(sa_str, sizeof(sa_str), "/0x%02x", sa);
	pr_info("denied %s[%d] uid %u: %s class %s: 0x%02x%s %s%s%s, file open %s\n",
		comm, task_pid_nr(current), uid, dev_name(&sdev->sdev_gendev),
		scsi_sgio_class_name(c->class), cdb[0], sa_str,
		name ? name : "(unknown)", sa_name ? " " : "",
		sa_name ? sa_name : "", open_for_write ? "read-write" : "read-only");
}

static bool sgf_cmd_allowed(struct scsi_device *sdev, const u8 *cdb,
			    unsigned int len, bool open_for_write)
{
	struct sgf_class *c = &sgf_classes[scsi_sgio_class(sdev->type)];
	const struct scsi_sgio_table *t = &rcu_dereference(c->table)->t;

	if (scsi_sgio_permitted(t, cdb, len, open_for_write)) {
		this_cpu_inc(sgf_counters[c->class].allowed);
		return true;
	}
	this_cpu_inc(sgf_counters[c->class].denied);
	if (len)	/* an empty CDB has no opcode to count it under */
		atomic_long_inc(&c->denied_op[cdb[0]]);
	sgf_log_denial(sdev, c, t, cdb, len, open_for_write);
	return false;
}

static const struct scsi_sgio_policy sgf_policy = {
	.cmd_allowed = sgf_cmd_allowed,
};

/* --- edits ----------------------------------------------------------------- */

/*
 * Make @new the table of @c. Readers see the old table or the new one; the
 * old one is freed after a grace period.
 */
static void sgf_publish(struct sgf_class *c, struct sgf_table *new)
{
	struct sgf_table *old;

	mutex_lock(&sgf_lock);
	old = rcu_dereference_protected(c->table, lockdep_is_held(&sgf_lock));
	new->generation = old->generation + 1;
	rcu_assign_pointer(c->table, new);
	mutex_unlock(&sgf_lock);
	kfree_rcu(old, rcu);
}

/*
 * Replace the table of @c by a copy with @entry applied, or by the built-in
 * table if @entry is NULL. The copy and the change happen under sgf_lock,
 * so that concurrent edits do not lose each other.
 */
static int sgf_edit(struct sgf_class *c, const struct sgf_entry *entry)
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
	if (ret)
		goto out_unlock;
	new->generation = old->generation + 1;
	rcu_assign_pointer(c->table, new);
	mutex_unlock(&sgf_lock);
	kfree_rcu(old, rcu);
	return 0;

out_unlock:
	mutex_unlock(&sgf_lock);
	kfree(new);
	return ret;
}

/* --- sysfs: /sys/kernel/sgfilter/<class>/ ------------------------------- */

/* The class whose directory @kobj is */
static struct sgf_class *to_sgf_class(struct kobject *kobj)
{
	int c;

	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		if (sgf_classes[c].kobj == kobj)
			return &sgf_classes[c];
	WARN_ON_ONCE(1);
	return &sgf_classes[SCSI_SGIO_OTHER];
}

/* An edit written to allow (@with_perm) or deny */
static ssize_t sgf_store_entry(struct kobject *kobj, const char *buf,
			       size_t count, bool with_perm)
{
	struct sgf_entry entry;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	ret = sgf_parse_entry(buf, count, with_perm, &entry);
	if (!ret)
		ret = sgf_edit(to_sgf_class(kobj), &entry);
	return ret ? ret : count;
}

static ssize_t allow_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	return sgf_store_entry(kobj, buf, count, true);
}

static ssize_t deny_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	return sgf_store_entry(kobj, buf, count, false);
}

/* Exactly "1", with an optional newline (kstrtouint() would take "+1") */
static bool sgf_is_one(const char *buf, size_t count)
{
	return (count == 1 || (count == 2 && buf[1] == '\n')) && buf[0] == '1';
}

/* "1": back to the built-in table */
static ssize_t reset_store(struct kobject *kobj, struct kobj_attribute *attr,
			   const char *buf, size_t count)
{
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!sgf_is_one(buf, count))
		return -EINVAL;
	ret = sgf_edit(to_sgf_class(kobj), NULL);
	return ret ? ret : count;
}

/* A whole table, in the listing syntax, in one write: replaces the table */
static ssize_t load_store(struct kobject *kobj, struct kobj_attribute *attr,
			  const char *buf, size_t count)
{
	struct sgf_class *c = to_sgf_class(kobj);
	struct sgf_table *new;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	new = kmalloc(sizeof(*new), GFP_KERNEL);
	if (!new)
		return -ENOMEM;
	/* the built-in table only for the class's service action keying */
	new->t = *scsi_sgio_default_table(c->class);
	sgf_table_clear(&new->t);
	/* a lone newline loads an empty table */
	if (!(count == 1 && buf[0] == '\n') && sgf_table_load(&new->t, buf, count)) {
		kfree(new);
		return -EINVAL;
	}
	sgf_publish(c, new);
	return count;
}

static void sgf_sum(enum scsi_sgio_class class, unsigned long *allowed,
		    unsigned long *denied)
{
	int cpu;

	*allowed = 0;
	*denied = 0;
	for_each_possible_cpu(cpu) {
		*allowed += per_cpu(sgf_counters, cpu)[class].allowed;
		*denied += per_cpu(sgf_counters, cpu)[class].denied;
	}
}

static ssize_t allowed_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	unsigned long allowed, denied;

	sgf_sum(to_sgf_class(kobj)->class, &allowed, &denied);
	return sysfs_emit(buf, "%lu\n", allowed);
}

static ssize_t denied_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	unsigned long allowed, denied;

	sgf_sum(to_sgf_class(kobj)->class, &allowed, &denied);
	return sysfs_emit(buf, "%lu\n", denied);
}

/* "OPCODE COUNT" per line, for the opcodes denied at least once */
static ssize_t denied_opcodes_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct sgf_class *c = to_sgf_class(kobj);
	int op, len = 0;

	for (op = 0; op < 256; op++) {
		long n = atomic_long_read(&c->denied_op[op]);

		if (n)
			len += sysfs_emit_at(buf, len, "0x%02x %ld\n", op, n);
	}
	return len;
}

static ssize_t generation_show(struct kobject *kobj,
			       struct kobj_attribute *attr, char *buf)
{
	struct sgf_class *c = to_sgf_class(kobj);
	unsigned long generation;

	rcu_read_lock();
	generation = rcu_dereference(c->table)->generation;
	rcu_read_unlock();
	return sysfs_emit(buf, "%lu\n", generation);
}

/*
 * The counters are root's: who was refused what, and how often, tells one
 * tenant about another's activity. The tables are not secret: anyone may
 * read what they may send.
 */
static struct kobj_attribute sgf_allow_attr = __ATTR_WO(allow);
static struct kobj_attribute sgf_deny_attr = __ATTR_WO(deny);
static struct kobj_attribute sgf_reset_attr = __ATTR_WO(reset);
static struct kobj_attribute sgf_load_attr = __ATTR_WO(load);
static struct kobj_attribute sgf_allowed_attr = __ATTR(allowed, 0400, allowed_show, NULL);
static struct kobj_attribute sgf_denied_attr = __ATTR(denied, 0400, denied_show, NULL);
static struct kobj_attribute sgf_denied_opcodes_attr =
	__ATTR(denied_opcodes, 0400, denied_opcodes_show, NULL);
static struct kobj_attribute sgf_generation_attr = __ATTR_RO(generation);

static struct attribute *sgf_class_attrs[] = {
	&sgf_allow_attr.attr,
	&sgf_deny_attr.attr,
	&sgf_reset_attr.attr,
	&sgf_load_attr.attr,
	&sgf_allowed_attr.attr,
	&sgf_denied_attr.attr,
	&sgf_denied_opcodes_attr.attr,
	&sgf_generation_attr.attr,
	NULL,
};

/*
 * "table": the whole table, one entry per line. It can be longer than a
 * page, hence a binary attribute: each read lists the current table and
 * returns the part asked for.
 */
static ssize_t table_read(struct file *file, struct kobject *kobj,
			  struct bin_attribute *attr, char *buf, loff_t off,
			  size_t count)
{
	struct sgf_class *c = to_sgf_class(kobj);
	struct scsi_sgio_table *copy;
	size_t len, size = 0;
	char *text = NULL;
	ssize_t ret;

	copy = kmalloc(sizeof(*copy), GFP_KERNEL);
	if (!copy)
		return -ENOMEM;
	rcu_read_lock();
	*copy = rcu_dereference(c->table)->t;
	rcu_read_unlock();

	len = sgf_table_format(copy, NULL, 0);
	size = len + 1;
	text = kmalloc(size, GFP_KERNEL);
	ret = -ENOMEM;
	if (!text)
		goto out_free;
	sgf_table_format(copy, text, size);
	ret = 0;
	if (off < len) {
		ret = min_t(size_t, count, len - off);
		memcpy(buf, text + off, ret);
	}
out_free:
	kfree(text);
	kfree(copy);
	return ret;
}

static BIN_ATTR_RO(table, 0);

static struct bin_attribute *sgf_class_bin_attrs[] = {
	&bin_attr_table,
	NULL,
};

static const struct attribute_group sgf_class_group = {
	.attrs = sgf_class_attrs,
	.bin_attrs = sgf_class_bin_attrs,
};

/* /sys/kernel/sgfilter/reset_counters: "1" zeroes every counter */
static ssize_t reset_counters_store(struct kobject *kobj,
				    struct kobj_attribute *attr,
				    const char *buf, size_t count)
{
	int cpu, c, op;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!sgf_is_one(buf, count))
		return -EINVAL;
	/* Counts racing with the reset may survive it: they are statistics. */
	for_each_possible_cpu(cpu)
		memset(per_cpu(sgf_counters, cpu), 0, sizeof(sgf_counters));
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		for (op = 0; op < 256; op++)
			atomic_long_set(&sgf_classes[c].denied_op[op], 0);
	return count;
}

static struct kobj_attribute sgf_reset_counters_attr = __ATTR_WO(reset_counters);

/* --- module ---------------------------------------------------------------- */

static void sgf_free_tables(void)
{
	int c;

	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		kfree(rcu_dereference_protected(sgf_classes[c].table, true));
}

/*
 * Remove the files now (kobject_del() waits for their readers and writers)
 * and drop the directory, which the core frees, maybe after the module is
 * gone (CONFIG_DEBUG_KOBJECT_RELEASE delays it).
 */
static void sgf_del_dir(struct kobject *kobj)
{
	kobject_del(kobj);
	kobject_put(kobj);
}

static void sgf_del_classes(int nr)
{
	while (nr--)
		sgf_del_dir(sgf_classes[nr].kobj);
}

static int __init sgf_init(void)
{
	int c, ret;

	for (c = 0; c < SGF_LOG_BUCKETS; c++)
		ratelimit_state_init(&sgf_log_rs[c], 5 * HZ, 10);
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

	ret = -ENOMEM;
	sgf_kobj = kobject_create_and_add("sgfilter", kernel_kobj);
	if (!sgf_kobj)
		goto out_free_tables;
	ret = sysfs_create_file(sgf_kobj, &sgf_reset_counters_attr.attr);
	if (ret)
		goto out_put_root;
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		struct kobject *kobj;

		kobj = kobject_create_and_add(scsi_sgio_class_name(c), sgf_kobj);
		if (!kobj) {
			ret = -ENOMEM;
			goto out_del_classes;
		}
		sgf_classes[c].kobj = kobj;
		ret = sysfs_create_group(kobj, &sgf_class_group);
		if (ret) {
			c++;
			goto out_del_classes;
		}
	}

	ret = scsi_sgio_register_policy(&sgf_policy);
	if (ret) {
		pr_err("another SG_IO policy is registered\n");
		goto out_del_classes;
	}
	pr_info("SG_IO class tables loaded\n");
	return 0;

out_del_classes:
	sgf_del_classes(c);
out_put_root:
	sgf_del_dir(sgf_kobj);
out_free_tables:
	sgf_free_tables();
	return ret;
}

static void __exit sgf_exit(void)
{
	/* After this no SG_IO caller is inside sgf_cmd_allowed(). */
	scsi_sgio_unregister_policy(&sgf_policy);
	/* Removing the files waits for their readers and writers. */
	sgf_del_classes(SCSI_SGIO_NR_CLASSES);
	sgf_del_dir(sgf_kobj);
	sgf_free_tables();
	pr_info("built-in SG_IO class tables restored\n");
}

module_init(sgf_init);
module_exit(sgf_exit);

MODULE_DESCRIPTION("Run-time editable SG_IO command filter tables");
MODULE_LICENSE("GPL");
