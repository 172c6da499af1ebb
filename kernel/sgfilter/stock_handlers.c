// SPDX-License-Identifier: GPL-2.0
/*
 * The stock backend's probe handlers: the kprobe on scsi_cmd_allowed() that
 * decides, with the device of the command or of the task's record; the
 * kretprobes that make the per-task records (stock_ctx.c) for sg and sr;
 * and the kprobes on the ioctls that send a command by themselves
 * (scsi_ioctl(), ch_ioctl(), sr's). stock.c registers them.
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
#include <scsi/scsi_cmnd.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_ioctl.h>
#include <scsi/sg.h>
#include <uapi/linux/bsg.h>

#include "state.h"
#include "stock.h"

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

/* From a kprobe's handler at a function's entry: the function returns -EPERM */
int sgf_eperm(struct pt_regs *regs)
{
	instruction_pointer_set(regs, (unsigned long)sgf_ret_eperm);
	return 1;
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

/*
 * The patched kernel's scsi_cmd_allowed(), for a command on @sdev: the
 * current table of the device's type (ours, published into this module's
 * copy of scsi_sgio_type_tables[]), then its grants, then a denial
 */
bool sgf_decide(struct scsi_device *sdev, const u8 *cdb, unsigned int len,
		bool open_for_write)
{
	const struct scsi_sgio_grants *g;
	bool ok = true;

	if (capable(CAP_SYS_RAWIO))
		return true;
	if (open_for_write && sdev && sgf_flag_get(sdev))
		return true;
	rcu_read_lock();
	if (!sdev) {
		ok = sgf_unattributed_allowed(cdb, len, open_for_write);
		goto out_unlock;
	}
	if (scsi_sgio_permitted(scsi_sgio_type_table(sdev->type), cdb, len,
				open_for_write))
		goto out_unlock;
	g = sgf_grants_get(sdev);
	if (g && scsi_sgio_permitted(&g->table, cdb, len, open_for_write))
		goto out_unlock;
	ok = false;
	sgf_denied(sdev, cdb, len, open_for_write);
out_unlock:
	rcu_read_unlock();
	return ok;
}

/*
 * The device of a command whose CDB is a SCSI command's: every call of
 * scsi_cmd_allowed() in scsi_mod (sg_io(), which SG_IO on sd, sr, st and ch
 * nodes and CDROM_SEND_PACKET reach; SCSI_IOCTL_SEND_COMMAND; bsg) passes
 * scmd->cmnd of a request it allocated on the device's queue, zeroed by
 * scsi_alloc_request() beyond what it copied from the caller. bsg and
 * SCSI_IOCTL_SEND_COMMAND set scmd->cmd_len first; sg_io() sets it after
 * the decision, so there the length is not known, only that it is 6 to 32.
 * There cmd_len still reads MAX_COMMAND_SIZE (16), which is used: only a
 * VARIABLE LENGTH command's length matters for the decision (below 10
 * bytes it has no entry), and one shorter than 10 bytes reads as service
 * action 0 (zeroes) or one above 0x00ff (no entry). So with that length,
 * service action 0, which T10 leaves reserved, is refused: never looser
 * than the patched kernel.
 */
static struct scsi_device *sgf_cmnd_sdev(const u8 *cdb, unsigned int *len)
{
	struct scsi_cmnd *scmd = container_of((u8 *)cdb, struct scsi_cmnd,
					      cmnd[0]);
	struct request_queue *q = scsi_cmd_to_rq(scmd)->q;
	struct scsi_device *sdev = q->queuedata;

	if (WARN_ON_ONCE(!sdev || sdev->request_queue != q))
		return NULL;
	*len = scmd->cmd_len;
	if (*len == MAX_COMMAND_SIZE && cdb[0] == VARIABLE_LENGTH_CMD &&
	    !cdb[8] && !cdb[9])
		*len = 9;
	return sdev;
}

/*
 * kprobe on scsi_cmd_allowed(cmd, open mode): the verdict. A caller in
 * scsi_mod (the return address at the function's entry, sgf_caller())
 * passes a SCSI command's CDB, which says the device; any other caller
 * (sg) has the task's record, or gets the verdict of a command without a
 * device.
 */
int sgf_cmd_allowed_pre(struct kprobe *p, struct pt_regs *regs)
{
	const u8 *cdb = (const u8 *)regs_get_kernel_argument(regs, 0);
	bool wr = SGF_OPEN_FOR_WRITE(regs_get_kernel_argument(regs, 1));
	struct sgf_ctx ctx = { .len = SGF_LEN_OPCODE };
	unsigned int len;

	if (within_module(sgf_caller(regs), sgf_scsi_mod))
		ctx.sdev = sgf_cmnd_sdev(cdb, &ctx.len);
	else if (!sgf_ctx_find(&ctx))
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
bool sgf_ioctl_allowed(struct scsi_device *sdev, bool open_for_write,
		       u8 opcode, u8 byte4, unsigned int len)
{
	u8 cdb[12] = { opcode, 0, 0, 0, byte4 };

	return sgf_decide(sdev, cdb, len, open_for_write);
}

/* kprobe on scsi_ioctl(sdev, open mode, cmd, arg) */
int sgf_scsi_ioctl_pre(struct kprobe *p, struct pt_regs *regs)
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
	return ok ? 0 : sgf_eperm(regs);
}

/* The SCSI device whose sg, st or ch node @file is, or NULL (referenced) */
struct scsi_device *sgf_file_sdev(struct file *file)
{
	return sgf_sdev_by_devt(file_inode(file)->i_rdev);
}

/* kprobe on ch_ioctl(file, cmd, arg): the command each CHIO ioctl sends */
int sgf_ch_ioctl_pre(struct kprobe *p, struct pt_regs *regs)
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
	return ok ? 0 : sgf_eperm(regs);
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

/*
 * kprobe on sr_do_ioctl(cd, cgc): every packet command of the cdrom layer.
 * Its callers (sr_packet()) may look at cgc->stat rather than at the value
 * returned: a refusal sets both, as sr_do_ioctl() does for its errors.
 */
int sgf_sr_do_ioctl_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct packet_command *cgc = (void *)regs_get_kernel_argument(regs, 1);

	if (sgf_sr_allowed(cgc->cmd, CDROM_PACKET_SIZE))
		return 0;
	cgc->stat = -EPERM;
	return sgf_eperm(regs);
}

/* kprobe on sr_drive_status(): CDROM_DRIVE_STATUS sends TEST UNIT READY */
int sgf_sr_drive_status_pre(struct kprobe *p, struct pt_regs *regs)
{
	static const u8 tur[6] = { TEST_UNIT_READY };

	return sgf_sr_allowed(tur, sizeof(tur)) ? 0 : sgf_eperm(regs);
}

/* kprobe on sr_read_cdda_bpc(): CDROMREADAUDIO sends READ CD */
int sgf_sr_read_cdda_pre(struct kprobe *p, struct pt_regs *regs)
{
	static const u8 read_cd[12] = { GPCMD_READ_CD };

	return sgf_sr_allowed(read_cd, sizeof(read_cd)) ? 0 : sgf_eperm(regs);
}

/*
 * kprobe on sr_block_ioctl(bdev, mode, cmd, arg): CDROM_LOCKDOOR is judged
 * before the cdrom layer, which would remember a refused lock (keeplocked)
 * and keep the door locked at the last close
 */
int sgf_sr_block_ioctl_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct block_device *bdev = (void *)regs_get_kernel_argument(regs, 0);
	bool wr = regs_get_kernel_argument(regs, 1) & SGF_BLK_OPEN_WRITE;
	unsigned long arg = regs_get_kernel_argument(regs, 3);

	if (regs_get_kernel_argument(regs, 2) != CDROM_LOCKDOOR)
		return 0;
	if (sgf_ioctl_allowed(bdev->bd_disk->queue->queuedata, wr,
			      ALLOW_MEDIUM_REMOVAL, !!arg, 6))
		return 0;
	return sgf_eperm(regs);
}

/* --- the records' kretprobes ---------------------------------------------- */

int sgf_ctx_return(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	sgf_ctx_pop(ri);
	return 0;
}

/* sr_block_ioctl(bdev, mode, cmd, arg): the record sr's commands are judged by */
int sgf_sr_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
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
 * sg_ioctl(file, ...): sg asks scsi_cmd_allowed() about SG_IO only for a
 * file not opened O_RDWR (O_RDONLY, and O_WRONLY with the open mode
 * "write"); sg_write() never asks. The device's reference is dropped at
 * return.
 */
int sgf_sg_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct file *file = (void *)regs_get_kernel_argument(regs, 0);
	struct scsi_device *sdev;
	struct sgf_ctx *ctx;

	if ((file->f_flags & O_ACCMODE) == O_RDWR)
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
