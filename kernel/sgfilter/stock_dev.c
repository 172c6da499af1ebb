// SPDX-License-Identifier: GPL-2.0
/*
 * The stock-kernel backend's devices: the per-device unpriv_sgio flag and
 * its two files, the SCSI device of an sg, st or ch node, and the kernel
 * symbols the backend looks up.
 *
 * The flag is a bit per SCSI device in an xarray indexed by the device's
 * address: read under RCU on the SG_IO path, set through
 * /sys/bus/scsi/devices/H:C:T:L/unpriv_sgio and, for a device with a disk,
 * /sys/block/<disk>/queue/unpriv_sgio (the path libvirt 8.0 and older
 * write), the same files and the same rules as the patched kernel's. A
 * class interface on SCSI devices (as sg has) creates the device's file for
 * present and hot-added devices and forgets the flag when the device goes;
 * a notifier on the SCSI bus adds the queue's file when a driver with a
 * disk (sd, sr) binds and removes it before the driver unbinds.
 *
 * A device's grants (grants.c) are kept the same way, in a second xarray,
 * and a count of the devices that have any lets a decision skip the
 * lookup with one test while no device has grants.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/device.h>
#include <linux/kprobes.h>
#include <linux/llist.h>
#include <linux/module.h>
#include <linux/sched.h>
#include <linux/slab.h>
#include <linux/sysfs.h>
#include <linux/utsname.h>
#include <linux/xarray.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_driver.h>

#include "state.h"
#include "stock.h"

/* --- symbols ---------------------------------------------------------------- */

static unsigned long (*sgf_kallsyms_lookup_name)(const char *name);
struct module *sgf_scsi_mod;

/*
 * A kretprobe or an fprobe (rethook), or the function graph tracer, on
 * scsi_cmd_allowed() replaces the return address with its trampoline;
 * their own lookups find the address it replaced. Found by name: they are
 * not exported.
 */
static unsigned long sgf_rethook_tramp, sgf_fgraph_tramp;
static unsigned long (*sgf_rethook_ret_addr)(struct task_struct *tsk,
					     unsigned long frame,
					     struct llist_node **cur);
static unsigned long (*sgf_fgraph_ret_addr)(struct task_struct *task, int *idx,
					    unsigned long ret,
					    unsigned long *retp);

static bool (*sgf_opcode_sa_name_fn)(int opcode, int sa, const char **name,
				     const char **sa_name);

/*
 * kallsyms_lookup_name() is not exported; a kprobe's symbol lookup finds
 * its address. Looked up names may be "module:symbol".
 */
int sgf_lookup_init(void)
{
	struct kprobe kp = { .symbol_name = "kallsyms_lookup_name" };
	int ret = register_kprobe(&kp);

	if (ret) {
		pr_err("Linux %s: cannot find kallsyms_lookup_name (%d)\n",
		       init_utsname()->release, ret);
		return ret;
	}
	sgf_kallsyms_lookup_name = (void *)kp.addr;
	unregister_kprobe(&kp);
	sgf_scsi_mod = (void *)sgf_lookup_name("scsi_mod:__this_module");
	if (!sgf_scsi_mod) {
		pr_err("Linux %s: scsi_mod is not a loaded module\n",
		       init_utsname()->release);
		return -ENOENT;
	}
	sgf_opcode_sa_name_fn = (void *)sgf_lookup_name("scsi_mod:scsi_opcode_sa_name");
	sgf_rethook_tramp = sgf_lookup_name("arch_rethook_trampoline");
	sgf_rethook_ret_addr = (void *)sgf_lookup_name("rethook_find_ret_addr");
	sgf_fgraph_tramp = sgf_lookup_name("return_to_handler");
	sgf_fgraph_ret_addr = (void *)sgf_lookup_name("ftrace_graph_ret_addr");
	return 0;
}

/**
 * sgf_caller - the return address of a function, from a kprobe at its entry
 * @regs: the kprobe's registers
 *
 * On x86-64 the call pushed it: it is at the stack pointer (Kbuild builds
 * the stock backend for x86-64 only). Each tracer hooked into the return
 * (at most one rethook and the graph tracer) is looked through once.
 *
 * Return: the address, or a tracer's trampoline if its lookup is missing.
 */
unsigned long sgf_caller(struct pt_regs *regs)
{
	unsigned long *retp = (unsigned long *)kernel_stack_pointer(regs);
	unsigned long ret = *retp;
	struct llist_node *cur = NULL;
	int i, idx = 0;

	for (i = 0; i < 2; i++) {
		if (ret == sgf_rethook_tramp && sgf_rethook_ret_addr)
			ret = sgf_rethook_ret_addr(current, (unsigned long)retp,
						   &cur);
		else if (ret == sgf_fgraph_tramp && sgf_fgraph_ret_addr)
			ret = sgf_fgraph_ret_addr(current, &idx, ret, retp);
		else
			break;
	}
	return ret;
}

unsigned long sgf_lookup_name(const char *name)
{
	return sgf_kallsyms_lookup_name(name);
}

/* The denial log's names; none on a kernel without SCSI_CONSTANTS */
bool sgf_opcode_sa_name(int opcode, int sa, const char **name,
			const char **sa_name)
{
	if (!sgf_opcode_sa_name_fn)
		return false;
	return sgf_opcode_sa_name_fn(opcode, sa, name, sa_name);
}

/* --- the device of a node ----------------------------------------------------- */

static const struct bus_type *sgf_scsi_bus;

static int sgf_match_devt(struct device *dev, void *data)
{
	return dev->devt == *(dev_t *)data;
}

/* Is @dev a SCSI device with a child device (sg, st, ch node) of @data? */
static int sgf_match_parent(struct device *dev, const void *data)
{
	struct device *child;

	if (!scsi_is_sdev_device(dev))
		return 0;
	child = device_find_child(dev, (void *)data, sgf_match_devt);
	if (!child)
		return 0;
	put_device(child);
	return 1;
}

/**
 * sgf_sdev_by_devt - the SCSI device of a character node
 * @devt: the node's device number (an sg, st or ch node)
 *
 * Exact: the device whose child device has that number. Does not sleep.
 *
 * Return: the device, with a reference on its sdev_gendev, or NULL.
 */
struct scsi_device *sgf_sdev_by_devt(dev_t devt)
{
	struct device *dev;

	dev = bus_find_device(SGF_BUS(sgf_scsi_bus), NULL, &devt,
			      sgf_match_parent);
	return dev ? to_scsi_device(dev) : NULL;
}

/* --- the flag ------------------------------------------------------------------ */

/* The devices whose flag is set; their files are kept in sgf_files */
static DEFINE_XARRAY(sgf_flags);

bool sgf_flag_get(struct scsi_device *sdev)
{
	return xa_load(&sgf_flags, (unsigned long)sdev);
}

/* Exactly "0" or "1", and a newline: anything else changes nothing */
static ssize_t sgf_flag_store(struct scsi_device *sdev, const char *buf,
			      size_t count)
{
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	if (!(count == 1 || (count == 2 && buf[1] == '\n')) ||
	    (buf[0] != '0' && buf[0] != '1'))
		return -EINVAL;
	if (buf[0] == '1')
		ret = xa_err(xa_store(&sgf_flags, (unsigned long)sdev,
				      xa_mk_value(1), GFP_KERNEL));
	else
		ret = xa_err(xa_erase(&sgf_flags, (unsigned long)sdev));
	return ret ? ret : count;
}

static ssize_t unpriv_sgio_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	return sysfs_emit(buf, "%d\n", sgf_flag_get(to_scsi_device(dev)));
}

static ssize_t unpriv_sgio_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	return sgf_flag_store(to_scsi_device(dev), buf, count);
}

static DEVICE_ATTR_RW(unpriv_sgio);

/* --- grants -------------------------------------------------------------------- */

/* struct scsi_sgio_grants by device address; written under grants.c's lock */
static DEFINE_XARRAY(sgf_grants);
/* Devices with grants */
static atomic_t sgf_nr_granted = ATOMIC_INIT(0);

const struct scsi_sgio_grants *sgf_grants_get(struct scsi_device *sdev)
{
	if (!atomic_read(&sgf_nr_granted))
		return NULL;
	return xa_load(&sgf_grants, (unsigned long)sdev);
}

int sgf_grants_set(struct scsi_device *sdev, struct scsi_sgio_grants *grants)
{
	struct scsi_sgio_grants *old;

	if (grants) {
		old = xa_store(&sgf_grants, (unsigned long)sdev, grants,
			       GFP_KERNEL);
		if (xa_is_err(old))
			return xa_err(old);
	} else {
		old = xa_erase(&sgf_grants, (unsigned long)sdev);
	}
	if (!old && grants)
		atomic_inc(&sgf_nr_granted);
	else if (old && !grants)
		atomic_dec(&sgf_nr_granted);
	if (old)
		kfree_rcu(old, rcu);
	return 0;
}

/*
 * The queue's file: the block layer's queue attributes are struct
 * queue_sysfs_entry (block/blk-sysfs.c), which it calls with the disk (the
 * request queue in 6.1): struct sgf_queue_entry has its layout (stock.h).
 */
static ssize_t sgf_queue_show(SGF_QUEUE_ARG, char *page)
{
	return sysfs_emit(page, "%d\n", sgf_flag_get(SGF_QUEUE_SDEV));
}

static ssize_t sgf_queue_store(SGF_QUEUE_ARG, const char *page, size_t count)
{
	return sgf_flag_store(SGF_QUEUE_SDEV, page, count);
}

static struct sgf_queue_entry sgf_queue_attr = {
	.attr = { .name = "unpriv_sgio", .mode = 0644 },
	.show = sgf_queue_show,
	.store = sgf_queue_store,
};

/* The queue kobjects that have the file, by device; under sgf_files_lock */
static DEFINE_XARRAY(sgf_files);
static DEFINE_MUTEX(sgf_files_lock);

/* Give @sdev's disk, if it has one now, the queue file */
static void sgf_queue_file_add(struct scsi_device *sdev)
{
	struct request_queue *q = sdev->request_queue;
	struct kobject *kobj;

	mutex_lock(&sgf_files_lock);
	if (!q || !q->disk || !test_bit(GD_ADDED, &q->disk->state) ||
	    xa_load(&sgf_files, (unsigned long)sdev))
		goto out_unlock;
	kobj = SGF_QUEUE_KOBJ(q);
	if (sysfs_create_file(kobj, &sgf_queue_attr.attr))
		goto out_unlock;
	if (xa_err(xa_store(&sgf_files, (unsigned long)sdev, kobj, GFP_KERNEL)))
		sysfs_remove_file(kobj, &sgf_queue_attr.attr);
out_unlock:
	mutex_unlock(&sgf_files_lock);
}

static void sgf_queue_file_remove(struct scsi_device *sdev)
{
	struct kobject *kobj;

	mutex_lock(&sgf_files_lock);
	kobj = xa_erase(&sgf_files, (unsigned long)sdev);
	if (kobj)
		sysfs_remove_file(kobj, &sgf_queue_attr.attr);
	mutex_unlock(&sgf_files_lock);
}

/* A driver bound to a SCSI device (its disk exists now), or will unbind */
static int sgf_bus_notify(struct notifier_block *nb, unsigned long action,
			  void *data)
{
	struct device *dev = data;

	if (!scsi_is_sdev_device(dev))
		return NOTIFY_DONE;
	if (action == BUS_NOTIFY_BOUND_DRIVER)
		sgf_queue_file_add(to_scsi_device(dev));
	else if (action == BUS_NOTIFY_UNBIND_DRIVER)
		sgf_queue_file_remove(to_scsi_device(dev));
	return NOTIFY_DONE;
}

static struct notifier_block sgf_bus_nb = {
	.notifier_call = sgf_bus_notify,
};

/* A SCSI device appears (or is there when the module loads) */
static int sgf_add_dev(SGF_INTF_ARGS)
{
	struct scsi_device *sdev = to_scsi_device(cl_dev->parent);
	int ret;

	ret = device_create_file(&sdev->sdev_gendev, &dev_attr_unpriv_sgio);
	if (ret)
		return ret;
	ret = sgf_grants_dev_add(sdev);
	if (ret) {
		device_remove_file(&sdev->sdev_gendev, &dev_attr_unpriv_sgio);
		return ret;
	}
	sgf_queue_file_add(sdev);
	return 0;
}

/* A SCSI device goes (or the module unloads): its files and its flag */
static void sgf_remove_dev(SGF_INTF_ARGS)
{
	struct scsi_device *sdev = to_scsi_device(cl_dev->parent);

	sgf_queue_file_remove(sdev);
	sgf_grants_dev_remove(sdev);
	device_remove_file(&sdev->sdev_gendev, &dev_attr_unpriv_sgio);
	xa_erase(&sgf_flags, (unsigned long)sdev);
}

static struct class_interface sgf_interface = {
	.add_dev = sgf_add_dev,
	.remove_dev = sgf_remove_dev,
};

int sgf_flag_init(void)
{
	int ret;

	sgf_scsi_bus = (void *)sgf_lookup_name("scsi_mod:scsi_bus_type");
	if (!sgf_scsi_bus) {
		pr_err("Linux %s: cannot find scsi_bus_type\n",
		       init_utsname()->release);
		return -ENOENT;
	}
	ret = bus_register_notifier(SGF_BUS(sgf_scsi_bus), &sgf_bus_nb);
	if (ret)
		return ret;
	ret = scsi_register_interface(&sgf_interface);
	if (ret)
		bus_unregister_notifier(SGF_BUS(sgf_scsi_bus),
					&sgf_bus_nb);
	return ret;
}

void sgf_flag_exit(void)
{
	bus_unregister_notifier(SGF_BUS(sgf_scsi_bus), &sgf_bus_nb);
	/* calls sgf_remove_dev() for every device */
	scsi_unregister_interface(&sgf_interface);
	WARN_ON_ONCE(!xa_empty(&sgf_files));
	WARN_ON_ONCE(!xa_empty(&sgf_grants));
	xa_destroy(&sgf_flags);
}
