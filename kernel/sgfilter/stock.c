// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter's backend for an unmodified kernel (installed with DKMS).
 *
 * A stock kernel decides in scsi_cmd_allowed(cmd, open mode), which is not
 * told the device. This backend makes the same decision as the patched
 * kernel, with kprobes only (no kernel code is copied or patched in place):
 *
 *  - The functions through which a command reaches scsi_cmd_allowed() and
 *    that know the device get a kretprobe (struct sgf_ctx_hook) whose entry
 *    handler records, for the current task, the device and the command's
 *    length (struct sgf_ctx), and whose return handler drops the record:
 *    sg_io() (SG_IO on sd, sr, st and ch nodes, and CDROM_SEND_PACKET),
 *    scsi_bsg_sg_io_fn() (bsg), scsi_ioctl() (SCSI_IOCTL_SEND_COMMAND),
 *    sg_ioctl() and sg_write() (sg, read-only openers: the device is found
 *    by the file's device number).
 *  - scsi_cmd_allowed() gets a kprobe whose handler decides, with the
 *    innermost record of the current task, exactly as the patched kernel
 *    does (CAP_SYS_RAWIO, unpriv_sgio, the class table), and returns the
 *    verdict instead of the function: the handler sets the instruction
 *    pointer to sgf_ret_allow() or sgf_ret_deny(). A command without a
 *    record (a caller this backend does not know, or a record the kretprobe
 *    could not make) gets a verdict never looser than the strictest class
 *    table and than the built-in tables, which are never looser than
 *    mainline.
 *  - The ioctls that send a command without scsi_cmd_allowed() get a kprobe
 *    that returns -EPERM instead of the function when the command's verdict
 *    is "denied": scsi_ioctl() for START STOP UNIT and PREVENT ALLOW MEDIUM
 *    REMOVAL, ch_ioctl() for the CHIO* ioctls. Their decision needs only the
 *    ioctl number, which is in a register: nothing is read twice from user
 *    memory. sr's cdrom-layer ioctls: sr_block_ioctl() records the device
 *    and the open mode, and the functions through which sr sends commands
 *    for it (sr_do_ioctl(), sr_drive_status(), sr_read_cdda_bpc()) are
 *    judged by the CDB they send.
 *
 * Modules that load after sgfilter (sg, ch, sr_mod) are hooked by a module notifier
 * when they come, before their init runs; if that fails they do not load.
 * On a kernel where a function is missing (inlined, renamed), sgfilter does
 * not load and says what it did not find. Unloading unregisters every probe
 * and waits (synchronize_rcu_tasks()) until no task is in this module's
 * code.
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

#include "state.h"
#include "stock.h"

const char *sgf_backend_name(void)
{
	return "stock";
}

/* --- where the verdict goes ---------------------------------------------- */

/*
 * A kprobe handler that decides returns through one of these instead of the
 * probed function: it sets the instruction pointer to it at the function's
 * entry, where the stack holds the caller's return address, so the caller
 * gets the value as the function's.
 */
static noinline notrace bool sgf_ret_allow(void)
{
	return true;
}

static noinline notrace bool sgf_ret_deny(void)
{
	return false;
}

static noinline notrace long sgf_ret_eperm(void)
{
	return -EPERM;
}

/* --- per-task records ---------------------------------------------------- */

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
 * @open_for_write: (@sr_ioctl) the caller's file is open for writing
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
	bool open_for_write;
};

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
static void sgf_ctx_init(void)
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
static struct sgf_ctx *sgf_ctx_push(struct kretprobe_instance *ri,
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
static void sgf_ctx_pop(struct kretprobe_instance *ri)
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
static bool sgf_ctx_find(struct sgf_ctx *out)
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
static void sgf_ctx_forget_all(void)
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

/* --- the decision --------------------------------------------------------- */

/* Commands decided without a record */
atomic_long_t sgf_unattributed;

/*
 * A command nobody told us the device of: allowed only if every class table
 * and every built-in table allows it (the built-in tables are never looser
 * than mainline, and their intersection holds none of their loosenings).
 */
static bool sgf_unattributed_allowed(const u8 *cdb, unsigned int len,
				     bool open_for_write)
{
	int c;

	atomic_long_inc(&sgf_unattributed);
	for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++) {
		const struct sgf_table *t = rcu_dereference(sgf_classes[c].table);

		if (!scsi_sgio_permitted(&t->t, cdb, len, open_for_write) ||
		    !scsi_sgio_permitted(scsi_sgio_default_table(c), cdb, len,
					 open_for_write))
			return false;
	}
	return true;
}

/* The patched kernel's scsi_cmd_allowed(), for a command on @sdev */
static bool sgf_decide(struct scsi_device *sdev, const u8 *cdb,
		       unsigned int len, bool open_for_write)
{
	bool ok;

	if (capable(CAP_SYS_RAWIO))
		return true;
	if (open_for_write && sdev && sgf_flag_get(sdev))
		return true;
	rcu_read_lock();
	if (sdev)
		ok = sgf_cmd_allowed(sdev, cdb, len, open_for_write);
	else
		ok = sgf_unattributed_allowed(cdb, len, open_for_write);
	rcu_read_unlock();
	return ok;
}

/* kprobe on scsi_cmd_allowed(cmd, open mode): the verdict */
static int sgf_cmd_allowed_pre(struct kprobe *p, struct pt_regs *regs)
{
	const u8 *cdb = (const u8 *)regs_get_kernel_argument(regs, 0);
	bool wr = SGF_OPEN_FOR_WRITE(regs_get_kernel_argument(regs, 1));
	struct sgf_ctx ctx = { .len = SGF_LEN_OPCODE };
	unsigned int len;

	if (!sgf_ctx_find(&ctx))
		ctx.sdev = NULL;
	len = ctx.len == SGF_LEN_OPCODE ? COMMAND_SIZE(cdb[0]) : ctx.len;
	instruction_pointer_set(regs, sgf_decide(ctx.sdev, cdb, len, wr) ?
				(unsigned long)sgf_ret_allow :
				(unsigned long)sgf_ret_deny);
	return 1;
}

/*
 * The verdict on a command that an ioctl builds itself: a 6-byte CDB with
 * @opcode and @byte4, or a CDB of @len bytes with only the opcode set
 */
static bool sgf_ioctl_allowed(struct scsi_device *sdev, bool open_for_write,
			      u8 opcode, u8 byte4, unsigned int len)
{
	u8 cdb[12] = { opcode, 0, 0, 0, byte4 };

	return sgf_decide(sdev, cdb, len, open_for_write);
}

/* kprobe on scsi_ioctl(sdev, open mode, cmd, arg) */
static int sgf_scsi_ioctl_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct scsi_device *sdev = (void *)regs_get_kernel_argument(regs, 0);
	bool wr = SGF_OPEN_FOR_WRITE(regs_get_kernel_argument(regs, 1));
	int cmd = regs_get_kernel_argument(regs, 2);
	bool ok;

	switch (cmd) {
	case SCSI_IOCTL_START_UNIT:
		ok = sgf_ioctl_allowed(sdev, wr, START_STOP, 1, 6);
		break;
	case SCSI_IOCTL_STOP_UNIT:
		ok = sgf_ioctl_allowed(sdev, wr, START_STOP, 0, 6);
		break;
	case CDROMEJECT:
		ok = sgf_ioctl_allowed(sdev, wr, START_STOP, 2, 6);
		break;
	case CDROMCLOSETRAY:
		ok = sgf_ioctl_allowed(sdev, wr, START_STOP, 3, 6);
		break;
	case SCSI_IOCTL_DOORLOCK:
		ok = sgf_ioctl_allowed(sdev, wr, ALLOW_MEDIUM_REMOVAL, 1, 6);
		break;
	case SCSI_IOCTL_DOORUNLOCK:
		ok = sgf_ioctl_allowed(sdev, wr, ALLOW_MEDIUM_REMOVAL, 0, 6);
		break;
	default:
		return 0;
	}
	if (ok)
		return 0;
	instruction_pointer_set(regs, (unsigned long)sgf_ret_eperm);
	return 1;
}

/* The SCSI device whose sg, st or ch node @file is, or NULL (referenced) */
static struct scsi_device *sgf_file_sdev(struct file *file)
{
	return sgf_sdev_by_devt(file_inode(file)->i_rdev);
}

/* kprobe on ch_ioctl(file, cmd, arg): the command each CHIO ioctl sends */
static int sgf_ch_ioctl_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct file *file = (void *)regs_get_kernel_argument(regs, 0);
	unsigned int cmd = regs_get_kernel_argument(regs, 1);
	struct scsi_device *sdev;
	unsigned int len = 12;
	u8 opcode;
	bool ok;

	switch (cmd) {
	case CHIOGSTATUS:
	case CHIOGELEM:
		opcode = READ_ELEMENT_STATUS;
		break;
	case CHIOINITELEM:
		opcode = INITIALIZE_ELEMENT_STATUS;
		len = 6;
		break;
	case CHIOPOSITION:
		opcode = POSITION_TO_ELEMENT;
		len = 10;
		break;
	case CHIOMOVE:
		opcode = MOVE_MEDIUM;
		break;
	case CHIOEXCHANGE:
		opcode = EXCHANGE_MEDIUM;
		break;
	case CHIOSVOLTAG:
		opcode = SEND_VOLUME_TAG;
		break;
	default:
		return 0;
	}
	sdev = sgf_file_sdev(file);
	ok = sgf_ioctl_allowed(sdev, file->f_mode & FMODE_WRITE, opcode, 0, len);
	if (sdev)
		put_device(&sdev->sdev_gendev);
	if (ok)
		return 0;
	instruction_pointer_set(regs, (unsigned long)sgf_ret_eperm);
	return 1;
}

/* The open mode of block_device_operations.ioctl: FMODE_WRITE, BLK_OPEN_WRITE */
#define SGF_BLK_OPEN_WRITE	BIT(1)

/*
 * sr's cdrom-layer ioctls: the commands sr sends while the task's ioctl
 * runs (a record made by sr_block_ioctl()'s kretprobe) get the verdict of
 * SG_IO with the file's open mode. The CSS handshake DVD playback runs on a
 * read-only open (SEND KEY of a host challenge or of KEY2) is judged as the
 * REPORT KEY it answers, as the patched kernel does.
 */
static bool sgf_sr_allowed(const u8 *cmd, unsigned int len)
{
	u8 cdb[CDROM_PACKET_SIZE] = { };
	struct sgf_ctx ctx;

	if (!sgf_ctx_find(&ctx) || !ctx.sr_ioctl)
		return true;	/* not for the caller: media events, open */
	len = min_t(unsigned int, len, sizeof(cdb));
	memcpy(cdb, cmd, len);
	if (cdb[0] == GPCMD_SEND_KEY &&
	    ((cdb[10] & 0x3f) == 0x01 || (cdb[10] & 0x3f) == 0x03))
		cdb[0] = GPCMD_REPORT_KEY;
	return sgf_decide(ctx.sdev, cdb, len, ctx.open_for_write);
}

static int sgf_sr_deny(struct pt_regs *regs)
{
	instruction_pointer_set(regs, (unsigned long)sgf_ret_eperm);
	return 1;
}

/*
 * kprobe on sr_do_ioctl(cd, cgc): every packet command of the cdrom layer.
 * Its callers (sr_packet()) may look at cgc->stat rather than at the value
 * returned: a refusal sets both, as sr_do_ioctl() does for its errors.
 */
static int sgf_sr_do_ioctl_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct packet_command *cgc = (void *)regs_get_kernel_argument(regs, 1);

	if (sgf_sr_allowed(cgc->cmd, CDROM_PACKET_SIZE))
		return 0;
	cgc->stat = -EPERM;
	return sgf_sr_deny(regs);
}

/* kprobe on sr_drive_status(): CDROM_DRIVE_STATUS sends TEST UNIT READY */
static int sgf_sr_drive_status_pre(struct kprobe *p, struct pt_regs *regs)
{
	static const u8 tur[6] = { TEST_UNIT_READY };

	return sgf_sr_allowed(tur, sizeof(tur)) ? 0 : sgf_sr_deny(regs);
}

/* kprobe on sr_read_cdda_bpc(): CDROMREADAUDIO sends READ CD */
static int sgf_sr_read_cdda_pre(struct kprobe *p, struct pt_regs *regs)
{
	static const u8 read_cd[12] = { GPCMD_READ_CD };

	return sgf_sr_allowed(read_cd, sizeof(read_cd)) ? 0 : sgf_sr_deny(regs);
}

/*
 * kprobe on sr_block_ioctl(bdev, mode, cmd, arg): CDROM_LOCKDOOR is judged
 * before the cdrom layer, which would remember a refused lock (keeplocked)
 * and keep the door locked at the last close
 */
static int sgf_sr_block_ioctl_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct block_device *bdev = (void *)regs_get_kernel_argument(regs, 0);
	bool wr = regs_get_kernel_argument(regs, 1) & SGF_BLK_OPEN_WRITE;
	unsigned long arg = regs_get_kernel_argument(regs, 3);

	if (regs_get_kernel_argument(regs, 2) != CDROM_LOCKDOOR)
		return 0;
	if (sgf_ioctl_allowed(bdev->bd_disk->queue->queuedata, wr,
			      ALLOW_MEDIUM_REMOVAL, !!arg, 6))
		return 0;
	return sgf_sr_deny(regs);
}

/* --- the records' kretprobes ---------------------------------------------- */

static int sgf_ctx_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	sgf_ctx_pop(ri);
	return 0;
}

/* sg_io(sdev, hdr, open mode) */
static int sgf_sg_io_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct scsi_device *sdev = (void *)regs_get_kernel_argument(regs, 0);
	struct sg_io_hdr *hdr = (void *)regs_get_kernel_argument(regs, 1);

	return sgf_ctx_push(ri, sdev, hdr->cmd_len) ? 0 : 1;
}

/* scsi_bsg_sg_io_fn(q, hdr, open mode, timeout) */
static int sgf_bsg_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct request_queue *q = (void *)regs_get_kernel_argument(regs, 0);
	struct sg_io_v4 *hdr = (void *)regs_get_kernel_argument(regs, 1);

	return sgf_ctx_push(ri, q->queuedata, hdr->request_len) ? 0 : 1;
}

/* scsi_ioctl(sdev, open mode, cmd, arg): SCSI_IOCTL_SEND_COMMAND */
static int sgf_scsi_ioctl_entry(struct kretprobe_instance *ri,
				struct pt_regs *regs)
{
	struct scsi_device *sdev = (void *)regs_get_kernel_argument(regs, 0);

	if (regs_get_kernel_argument(regs, 2) != SCSI_IOCTL_SEND_COMMAND)
		return 1;	/* no record, no return handler */
	return sgf_ctx_push(ri, sdev, SGF_LEN_OPCODE) ? 0 : 1;
}

/* sr_block_ioctl(bdev, mode, cmd, arg): the record sr's commands are judged by */
static int sgf_sr_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct block_device *bdev = (void *)regs_get_kernel_argument(regs, 0);
	struct sgf_ctx *ctx;

	ctx = sgf_ctx_push(ri, bdev->bd_disk->queue->queuedata, CDROM_PACKET_SIZE);
	if (!ctx)
		return 1;
	ctx->open_for_write = regs_get_kernel_argument(regs, 1) & SGF_BLK_OPEN_WRITE;
	ctx->sr_ioctl = true;
	return 0;
}

/*
 * sg_ioctl(file, ...) and sg_write(file, ...): sg asks scsi_cmd_allowed()
 * for read-only openers only. The device's reference is dropped at return.
 */
static int sgf_sg_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct file *file = (void *)regs_get_kernel_argument(regs, 0);
	struct scsi_device *sdev;
	struct sgf_ctx *ctx;

	if (file->f_mode & FMODE_WRITE)
		return 1;
	sdev = sgf_file_sdev(file);
	if (!sdev)
		return 1;	/* judged without a record: fail closed */
	ctx = sgf_ctx_push(ri, sdev, SGF_LEN_SG);
	if (!ctx) {
		put_device(&sdev->sdev_gendev);
		return 1;
	}
	ctx->holds_ref = true;	/* dropped by sgf_ctx_pop() */
	return 0;
}

/* --- the hooks -------------------------------------------------------------- */

/*
 * Concurrent callers inside one probed function, per CPU and beyond: more
 * than this at once, and the newest commands are judged without a record
 * (fail closed), counted in sgf_ctx_missed.
 */
#define SGF_MAXACTIVE	256

/**
 * struct sgf_hook - one probe
 * @mod: the module of the probed function
 * @func: the probed function
 * @entry: for a record: the kretprobe's entry handler
 * @ret: and its return handler
 * @pre: for a decision: the kprobe's handler
 * @rp: the kretprobe, or in @rp.kp the kprobe; zeroed before registering
 * @sym: "module:function", for the kprobe's symbol lookup
 * @registered: whether @rp is registered; under sgf_hooks_lock
 */
struct sgf_hook {
	const char *mod;
	const char *func;
	kretprobe_handler_t entry;
	kretprobe_handler_t ret;
	kprobe_pre_handler_t pre;
	struct kretprobe rp;
	char sym[MODULE_NAME_LEN + KSYM_NAME_LEN];
	bool registered;
};

#define SGF_RECORD(m, f, e, r)	{ .mod = (m), .func = (f), .entry = (e), .ret = (r) }
#define SGF_DECIDE(m, f, p)	{ .mod = (m), .func = (f), .pre = (p) }

/*
 * In the order they are registered: the records before the decisions that
 * use them. Every module listed must have every function listed.
 */
static struct sgf_hook sgf_hooks[] = {
	SGF_RECORD("scsi_mod", "sg_io", sgf_sg_io_entry, sgf_ctx_return),
	SGF_RECORD("scsi_mod", "scsi_bsg_sg_io_fn", sgf_bsg_entry, sgf_ctx_return),
	SGF_RECORD("scsi_mod", "scsi_ioctl", sgf_scsi_ioctl_entry, sgf_ctx_return),
	SGF_DECIDE("scsi_mod", "scsi_ioctl", sgf_scsi_ioctl_pre),
	SGF_DECIDE("scsi_mod", "scsi_cmd_allowed", sgf_cmd_allowed_pre),
	SGF_RECORD("sg", "sg_ioctl", sgf_sg_entry, sgf_ctx_return),
	SGF_RECORD("sg", "sg_write", sgf_sg_entry, sgf_ctx_return),
	SGF_DECIDE("ch", "ch_ioctl", sgf_ch_ioctl_pre),
	SGF_RECORD("sr_mod", "sr_block_ioctl", sgf_sr_entry, sgf_ctx_return),
	SGF_DECIDE("sr_mod", "sr_block_ioctl", sgf_sr_block_ioctl_pre),
	SGF_DECIDE("sr_mod", "sr_do_ioctl", sgf_sr_do_ioctl_pre),
	SGF_DECIDE("sr_mod", "sr_drive_status", sgf_sr_drive_status_pre),
	SGF_DECIDE("sr_mod", "sr_read_cdda_bpc", sgf_sr_read_cdda_pre),
};

/* Serializes registering and unregistering the hooks */
static DEFINE_MUTEX(sgf_hooks_lock);

static int sgf_hook_register(struct sgf_hook *h)
{
	int ret;

	memset(&h->rp, 0, sizeof(h->rp));
	snprintf(h->sym, sizeof(h->sym), "%s:%s", h->mod, h->func);
	h->rp.kp.symbol_name = h->sym;
	if (h->pre) {
		h->rp.kp.pre_handler = h->pre;
		ret = register_kprobe(&h->rp.kp);
	} else {
		h->rp.entry_handler = h->entry;
		h->rp.handler = h->ret;
		h->rp.data_size = sizeof(struct sgf_ctx *);
		h->rp.maxactive = SGF_MAXACTIVE;
		ret = register_kretprobe(&h->rp);
	}
	if (ret)
		pr_err("Linux %s: cannot hook %s (%d): this kernel's code is not what sgfilter knows\n",
		       init_utsname()->release, h->sym, ret);
	else
		h->registered = true;
	return ret;
}

static void sgf_hook_unregister(struct sgf_hook *h)
{
	if (!h->registered)
		return;
	if (h->pre) {
		unregister_kprobe(&h->rp.kp);
	} else {
		unregister_kretprobe(&h->rp);
		if (h->rp.nmissed)
			atomic_long_add(h->rp.nmissed, &sgf_ctx_missed);
	}
	h->registered = false;
}

/* Unhook module @mod's functions (all of them with NULL) */
static void sgf_unhook(const char *mod)
{
	int i;

	mutex_lock(&sgf_hooks_lock);
	for (i = ARRAY_SIZE(sgf_hooks) - 1; i >= 0; i--)
		if (!mod || !strcmp(sgf_hooks[i].mod, mod))
			sgf_hook_unregister(&sgf_hooks[i]);
	mutex_unlock(&sgf_hooks_lock);
}

/* Hook every listed function of module @mod: all or none */
static int sgf_hook(const char *mod)
{
	int i, ret = 0;

	mutex_lock(&sgf_hooks_lock);
	for (i = 0; i < ARRAY_SIZE(sgf_hooks) && !ret; i++)
		if (!strcmp(sgf_hooks[i].mod, mod) && !sgf_hooks[i].registered)
			ret = sgf_hook_register(&sgf_hooks[i]);
	mutex_unlock(&sgf_hooks_lock);
	if (ret)
		sgf_unhook(mod);
	return ret;
}

/* Whether module @mod is loaded, by its __this_module symbol */
static bool sgf_module_loaded(const char *mod)
{
	char sym[MODULE_NAME_LEN + 16];

	snprintf(sym, sizeof(sym), "%s:__this_module", mod);
	return sgf_lookup_name(sym);
}

static bool sgf_hooked_module(const char *mod)
{
	int i;

	for (i = 0; i < ARRAY_SIZE(sgf_hooks); i++)
		if (!strcmp(sgf_hooks[i].mod, mod))
			return true;
	return false;
}

/*
 * A module we hook comes: hook it before its init runs, or keep it from
 * loading; it goes: unhook it, so that its next coming hooks it again.
 */
static int sgf_module_notify(struct notifier_block *nb, unsigned long action,
			     void *data)
{
	struct module *mod = data;

	if (!sgf_hooked_module(mod->name))
		return NOTIFY_DONE;
	switch (action) {
	case MODULE_STATE_COMING:
		return notifier_from_errno(sgf_hook(mod->name));
	case MODULE_STATE_GOING:
		sgf_unhook(mod->name);
		return NOTIFY_OK;
	default:
		return NOTIFY_DONE;
	}
}

static struct notifier_block sgf_module_nb = {
	.notifier_call = sgf_module_notify,
};

int sgf_backend_init(void)
{
	static const char *const mods[] = { "scsi_mod", "sg", "ch", "sr_mod" };
	int i, ret;

	sgf_ctx_init();
	ret = sgf_lookup_init();
	if (ret)
		return ret;
	ret = sgf_flag_init();
	if (ret)
		return ret;
	/* first the notifier, so that no module comes unhooked in between */
	ret = register_module_notifier(&sgf_module_nb);
	if (ret)
		goto out_flag;
	for (i = 0; i < ARRAY_SIZE(mods); i++) {
		/* scsi_mod is loaded: sgfilter uses its symbols */
		if (i && !sgf_module_loaded(mods[i]))
			continue;
		ret = sgf_hook(mods[i]);
		if (ret)
			goto out_unhook;
	}
	return 0;

out_unhook:
	unregister_module_notifier(&sgf_module_nb);
	sgf_unhook(NULL);
	synchronize_rcu_tasks();
	sgf_ctx_forget_all();
out_flag:
	sgf_flag_exit();
	return ret;
}

void sgf_backend_exit(void)
{
	unregister_module_notifier(&sgf_module_nb);
	sgf_unhook(NULL);
	/*
	 * A task sent to sgf_ret_*() by a handler may have been preempted
	 * before it returned: wait until every task has passed a voluntary
	 * context switch, outside this module's code.
	 */
	synchronize_rcu_tasks();
	sgf_ctx_forget_all();
	sgf_flag_exit();
}
