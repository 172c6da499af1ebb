// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter: /sys/kernel/sgfilter/, the tables, edits and counters.
 *
 * Each class has a directory of its own; reset_counters sits at the top.
 * The directories are dynamic kobjects (kobject_create_and_add()), whose
 * release is the core's: kobject_del() at exit removes the files, and waits
 * for their readers and writers, before the module's text and data go;
 * the memory may be freed later (CONFIG_DEBUG_KOBJECT_RELEASE delays it).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/kobject.h>
#include <linux/slab.h>
#include <linux/sysfs.h>

#include "state.h"

static struct kobject *sgf_kobj;

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
	return sgf_publish(c, new) ?: count;
}

static ssize_t denied_show(struct kobject *kobj, struct kobj_attribute *attr,
			   char *buf)
{
	enum scsi_sgio_class class = to_sgf_class(kobj)->class;
	unsigned long denied = 0;
	int cpu;

	for_each_possible_cpu(cpu)
		denied += per_cpu(sgf_denied_count, cpu)[class];
	return sysfs_emit(buf, "%lu\n", denied);
}

/* "OPCODE COUNT" per line, for the opcodes denied at least once */
static ssize_t denied_opcodes_show(struct kobject *kobj,
				   struct kobj_attribute *attr, char *buf)
{
	struct sgf_class *c = to_sgf_class(kobj);
	int op, len = 0;

	for (op = 0; op < SGF_NR_OPCODES; op++) {
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
static struct kobj_attribute sgf_denied_attr = __ATTR(denied, 0400, denied_show, NULL);
static struct kobj_attribute sgf_denied_opcodes_attr =
	__ATTR(denied_opcodes, 0400, denied_opcodes_show, NULL);
static struct kobj_attribute sgf_generation_attr = __ATTR_RO(generation);

static struct attribute *sgf_class_attrs[] = {
	&sgf_allow_attr.attr,
	&sgf_deny_attr.attr,
	&sgf_reset_attr.attr,
	&sgf_load_attr.attr,
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
		memset(per_cpu(sgf_denied_count, cpu), 0,
		       sizeof(sgf_denied_count));
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
		for (op = 0; op < SGF_NR_OPCODES; op++)
			atomic_long_set(&sgf_classes[c].denied_op[op], 0);
	return count;
}

static struct kobj_attribute sgf_reset_counters_attr = __ATTR_WO(reset_counters);

/* /sys/kernel/sgfilter/backend: "patched" or "stock" */
static ssize_t backend_show(struct kobject *kobj, struct kobj_attribute *attr,
			    char *buf)
{
	return sysfs_emit(buf, "%s\n", sgf_backend_name());
}

static struct kobj_attribute sgf_backend_attr = __ATTR_RO(backend);

/*
 * Remove the files now (kobject_del() waits for their readers and writers)
 * and drop the directory, which the core frees, maybe after the module is
 * gone.
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

/**
 * sgf_sysfs_init - create /sys/kernel/sgfilter/ and its class directories
 *
 * Return: 0 or -errno, with nothing created.
 */
int sgf_sysfs_init(void)
{
	int c, ret;

	sgf_kobj = kobject_create_and_add("sgfilter", kernel_kobj);
	if (!sgf_kobj)
		return -ENOMEM;
	ret = sysfs_create_file(sgf_kobj, &sgf_reset_counters_attr.attr);
	if (!ret)
		ret = sysfs_create_file(sgf_kobj, &sgf_backend_attr.attr);
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
	return 0;

out_del_classes:
	sgf_del_classes(c);
out_put_root:
	sgf_del_dir(sgf_kobj);
	return ret;
}

/**
 * sgf_sysfs_exit - remove /sys/kernel/sgfilter/
 *
 * Returns when no reader or writer of its files is left.
 */
void sgf_sysfs_exit(void)
{
	sgf_del_classes(SCSI_SGIO_NR_CLASSES);
	sgf_del_dir(sgf_kobj);
}
