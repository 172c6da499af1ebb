// SPDX-License-Identifier: GPL-2.0
/*
 * The stock backend's per-task records: while the task is in an ioctl whose
 * commands say nothing of their device (sg's SG_IO, sr's cdrom-layer
 * ioctls, st's MTIOCTOP), which device it is for, the command's length and
 * what else the decision needs (struct sgf_ctx, stock.h). kretprobe entry
 * handlers (stock_handlers.c, stock_st.c) take and link one, their return
 * handlers give it back; the decisions look up the task's innermost one.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/blkdev.h>
#include <linux/bsg.h>
#include <linux/capability.h>
#include <linux/cdrom.h>
#include <linux/chio.h>
#include <linux/fs.h>
#include <linux/hash.h>
#include <linux/kprobes.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/rcupdate.h>
#include <linux/spinlock.h>
#include <linux/utsname.h>
#include <scsi/scsi.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_ioctl.h>
#include <scsi/sg.h>
#include <uapi/linux/bsg.h>

#include "stock.h"

/* Records in use at once, all tasks: more, and commands go without one */
#define SGF_NR_CTX	1024

static struct sgf_ctx sgf_ctx_pool[SGF_NR_CTX];
static HLIST_HEAD(sgf_ctx_free);
static DEFINE_SPINLOCK(sgf_ctx_free_lock);	/* guards sgf_ctx_free */

#define SGF_CTX_BITS	6

static struct sgf_ctx_bucket {
	spinlock_t lock;	/* guards @head */
	struct hlist_head head;
} sgf_ctx_buckets[1 << SGF_CTX_BITS];

/* Records a kretprobe could not make (no instance or no record free) */
atomic_long_t sgf_ctx_missed;

static struct sgf_ctx_bucket *sgf_ctx_bucket(struct task_struct *task)
{
	return &sgf_ctx_buckets[hash_ptr(task, SGF_CTX_BITS)];
}

/* All records free, all buckets empty: before any probe, after the last */
void sgf_ctx_init(void)
{
	int i;

	INIT_HLIST_HEAD(&sgf_ctx_free);
	for (i = 0; i < ARRAY_SIZE(sgf_ctx_buckets); i++) {
		spin_lock_init(&sgf_ctx_buckets[i].lock);
		INIT_HLIST_HEAD(&sgf_ctx_buckets[i].head);
	}
	for (i = 0; i < SGF_NR_CTX; i++)
		hlist_add_head(&sgf_ctx_pool[i].node, &sgf_ctx_free);
}

/*
 * Take a record for the current task's command on @sdev and link it, its
 * address in the kretprobe instance @ri; NULL (counted) if none is free
 */
struct sgf_ctx *sgf_ctx_push(struct kretprobe_instance *ri,
			     struct scsi_device *sdev, unsigned int len)
{
	struct sgf_ctx_bucket *b = sgf_ctx_bucket(current);
	struct sgf_ctx *ctx = NULL;

	spin_lock(&sgf_ctx_free_lock);
	if (!hlist_empty(&sgf_ctx_free)) {
		ctx = hlist_entry(sgf_ctx_free.first, struct sgf_ctx, node);
		hlist_del(&ctx->node);
	}
	spin_unlock(&sgf_ctx_free_lock);
	if (!ctx) {
		atomic_long_inc(&sgf_ctx_missed);
		return NULL;
	}
	*ctx = (struct sgf_ctx){
		.task = current,
		.start_time = current->start_time,
		.sdev = sdev,
		.len = len,
	};
	*(struct sgf_ctx **)ri->data = ctx;
	spin_lock(&b->lock);
	hlist_add_head(&ctx->node, &b->head);
	spin_unlock(&b->lock);
	return ctx;
}

/* Unlink the record of @ri and give it back */
void sgf_ctx_pop(struct kretprobe_instance *ri)
{
	struct sgf_ctx *ctx = *(struct sgf_ctx **)ri->data;
	struct sgf_ctx_bucket *b = sgf_ctx_bucket(ctx->task);

	spin_lock(&b->lock);
	hlist_del(&ctx->node);
	spin_unlock(&b->lock);
	if (ctx->holds_ref)
		put_device(&ctx->sdev->sdev_gendev);
	spin_lock(&sgf_ctx_free_lock);
	hlist_add_head(&ctx->node, &sgf_ctx_free);
	spin_unlock(&sgf_ctx_free_lock);
}

/* The current task's innermost record, copied to @out; false if none */
bool sgf_ctx_find(struct sgf_ctx *out)
{
	struct sgf_ctx_bucket *b = sgf_ctx_bucket(current);
	struct sgf_ctx *ctx;
	bool found = false;

	spin_lock(&b->lock);
	hlist_for_each_entry(ctx, &b->head, node) {
		if (ctx->task == current &&
		    ctx->start_time == current->start_time) {
			*out = *ctx;
			found = true;
			break;
		}
	}
	spin_unlock(&b->lock);
	return found;
}

/*
 * After every probe is gone (no handler runs): the records whose return
 * handler will not run drop their references, and everything is free again
 */
void sgf_ctx_forget_all(void)
{
	struct hlist_node *tmp;
	struct sgf_ctx *ctx;
	int i;

	for (i = 0; i < ARRAY_SIZE(sgf_ctx_buckets); i++)
		hlist_for_each_entry_safe(ctx, tmp, &sgf_ctx_buckets[i].head, node)
			if (ctx->holds_ref)
				put_device(&ctx->sdev->sdev_gendev);
	sgf_ctx_init();
}
