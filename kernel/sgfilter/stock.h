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
#include <linux/sysfs.h>
#include <linux/types.h>

/*
 * What differs between the kernel series the stock backend knows, chosen by
 * Kbuild: SGF_LINUX_6_1 or SGF_LINUX_6_12.
 */
#if defined(SGF_LINUX_6_12)
/* scsi_cmd_allowed(), sg_io(), scsi_ioctl(): a bool open_for_write */
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

int sgf_flag_init(void);
void sgf_flag_exit(void);
bool sgf_flag_get(struct scsi_device *sdev);
struct scsi_device *sgf_sdev_by_devt(dev_t devt);

extern atomic_long_t sgf_ctx_missed;
extern atomic_long_t sgf_unattributed;

#endif /* _SGFILTER_STOCK_H */
