/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What stock.c (the hooks) and stock_dev.c (devices, the unpriv_sgio flag,
 * symbols) of the stock-kernel backend share, and what differs between the
 * kernels they know.
 */
#ifndef _SGFILTER_STOCK_H
#define _SGFILTER_STOCK_H

#include <linux/atomic.h>
#include <linux/blkdev.h>
#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/sysfs.h>
#include <linux/types.h>

/*
 * What differs between the kernel series the stock backend knows, chosen by
 * Kbuild: SGF_LINUX_6_1 or SGF_LINUX_6_12.
 */
#if defined(SGF_LINUX_6_12)
/* scsi_cmd_allowed(), scsi_ioctl(): a bool open_for_write */
#define SGF_OPEN_FOR_WRITE(arg)	(!!(arg))
/* class_interface callbacks take the device only */
#define SGF_INTF_ARGS		struct device *cl_dev
/* bus_find_device() and the notifiers take a const bus */
#define SGF_BUS(bus)		(bus)
/* block/blk-sysfs.c's struct queue_sysfs_entry, called with the disk */
struct sgf_queue_entry {
	struct attribute attr;
	ssize_t (*show)(struct gendisk *disk, char *page);
	int (*load_module)(struct gendisk *disk, const char *page, size_t count);
	ssize_t (*store)(struct gendisk *disk, const char *page, size_t count);
	int (*store_limit)(struct gendisk *disk, const char *page, size_t count,
			   struct queue_limits *lim);
};

#define SGF_QUEUE_ARG		struct gendisk *disk
#define SGF_QUEUE_SDEV		((struct scsi_device *)disk->queue->queuedata)
#define SGF_QUEUE_KOBJ(q)	(&(q)->disk->queue_kobj)
#elif defined(SGF_LINUX_6_1)
#define SGF_OPEN_FOR_WRITE(arg)	(!!((unsigned int)(arg) & FMODE_WRITE))
#define SGF_INTF_ARGS		struct device *cl_dev, struct class_interface *intf
#define SGF_BUS(bus)		((void *)(bus))
struct sgf_queue_entry {
	struct attribute attr;
	ssize_t (*show)(struct request_queue *q, char *page);
	ssize_t (*store)(struct request_queue *q, const char *page, size_t count);
};

#define SGF_QUEUE_ARG		struct request_queue *q
#define SGF_QUEUE_SDEV		((struct scsi_device *)q->queuedata)
#define SGF_QUEUE_KOBJ(q)	(&(q)->kobj)
#endif

struct scsi_device;

int sgf_lookup_init(void);
unsigned long sgf_lookup_name(const char *name);

unsigned long sgf_caller(struct pt_regs *regs);

int sgf_flag_init(void);
void sgf_flag_exit(void);
bool sgf_flag_get(struct scsi_device *sdev);
struct scsi_device *sgf_sdev_by_devt(dev_t devt);

/* scsi_mod, which sgfilter depends on: it stays while sgfilter is loaded */
extern struct module *sgf_scsi_mod;

extern atomic_long_t sgf_ctx_missed;
extern atomic_long_t sgf_unattributed;

/* --- stock_ctx.c: the per-task records --- */

/* The command's length is COMMAND_SIZE() of its opcode, as the caller's */
#define SGF_LEN_OPCODE	UINT_MAX
/*
 * sg reads the length itself, after the probe: the first six bytes are
 * judged (any service action in byte 1; VARIABLE LENGTH gets no entry)
 */
#define SGF_LEN_SG	6

/**
 * struct sgf_ctx - what the current task's command is for
 * @node: in sgf_ctx_buckets[] while in use, under the bucket's lock; in
 *	sgf_ctx_free while not, under sgf_ctx_free_lock
 * @task: the task
 * @start_time: its start time: a task_struct freed and reused at the same
 *	address never matches a record its predecessor left
 * @sdev: the device
 * @holds_ref: whether the record holds a reference on @sdev (sg's)
 * @len: the command's length, or %SGF_LEN_OPCODE
 * @sr_ioctl: made by sr's ioctl: sr sends commands for this task
 * @st_ioctl: made by st's ioctl for MTIOCTOP: what st does while it runs
 *	is for this task's operation
 * @open_for_write: (@sr_ioctl, @st_ioctl) the caller's file is open for
 *	writing
 *
 * Records are the module's own (sgf_ctx_pool), taken by a kretprobe's entry
 * handler and given back by its return handler; the instance holds only a
 * pointer. A return handler that never runs (its kretprobe unregistered
 * while the function runs) leaves a record linked, in memory that lives as
 * long as the module, which sgf_ctx_forget_all() takes back once no probe
 * is left.
 */
struct sgf_ctx {
	struct hlist_node node;
	struct task_struct *task;
	u64 start_time;
	struct scsi_device *sdev;
	bool holds_ref;
	unsigned int len;
	bool sr_ioctl;
	bool st_ioctl;
	bool open_for_write;
};

void sgf_ctx_init(void);
struct sgf_ctx *sgf_ctx_push(struct kretprobe_instance *ri,
			     struct scsi_device *sdev, unsigned int len);
void sgf_ctx_pop(struct kretprobe_instance *ri);
bool sgf_ctx_find(struct sgf_ctx *out);
void sgf_ctx_forget_all(void);

/* --- stock_handlers.c: the probes' handlers, which stock.c registers --- */

bool sgf_decide(struct scsi_device *sdev, const u8 *cdb, unsigned int len,
		bool open_for_write);
bool sgf_ioctl_allowed(struct scsi_device *sdev, bool open_for_write,
		       u8 opcode, u8 byte4, unsigned int len);
struct scsi_device *sgf_file_sdev(struct file *file);
int sgf_eperm(struct pt_regs *regs);

int sgf_cmd_allowed_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_scsi_ioctl_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_ch_ioctl_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_sr_block_ioctl_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_sr_do_ioctl_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_sr_drive_status_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_sr_read_cdda_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_ctx_return(struct kretprobe_instance *ri, struct pt_regs *regs);
int sgf_sr_entry(struct kretprobe_instance *ri, struct pt_regs *regs);
int sgf_sg_entry(struct kretprobe_instance *ri, struct pt_regs *regs);

/* --- stock_st.c: st's MTIOCTOP and MTIOCPOS --- */

int sgf_st_entry(struct kretprobe_instance *ri, struct pt_regs *regs);
int sgf_st_ioctl_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_st_int_ioctl_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_st_load_unload_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_st_set_location_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_st_compression_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_st_read_mode_page_pre(struct kprobe *p, struct pt_regs *regs);
int sgf_st_door_pre(struct kprobe *p, struct pt_regs *regs);

#endif /* _SGFILTER_STOCK_H */
