// SPDX-License-Identifier: GPL-2.0
/*
 * The stock backend's hooks on st: the commands that MTIOCTOP and MTIOCPOS
 * send get the SG_IO filter's decision with the open mode of the caller's
 * file, as the patched kernel's st_op_allowed() gives them (patch 7).
 *
 * The operation of MTIOCTOP is in user memory, and st copies it itself: a
 * look at it from a probe would be a second fetch, which another thread of
 * the caller could change in between. So the operation is judged where st
 * hands it, in kernel memory, to the function that carries it out:
 *
 *  - st_ioctl() gets a kretprobe whose entry handler records, for MTIOCTOP,
 *    the device (the SCSI device whose st node has the file's device
 *    number: exact, no private structure of st read) and the file's open
 *    mode; its return handler drops the record.
 *  - The functions st_ioctl() calls to carry out an operation get a kprobe
 *    that, while the task has that record, judges the command they are for
 *    and makes them return -EPERM before they send it or change st's
 *    state: st_int_ioctl() (the operation is its second argument: SPACE,
 *    REWIND, WRITE FILEMARKS, ERASE, MODE SELECT, ...), do_load_unload()
 *    (LOAD UNLOAD), set_location() (LOCATE), st_compression() (MODE
 *    SELECT), read_mode_page() of the partition page without block
 *    descriptors, which is partition_tape()'s first step (MTMKPART: FORMAT
 *    MEDIUM and MODE SELECT), and scsi_set_medium_removal() (MTLOCK,
 *    MTUNLOCK).
 *  - MTIOCPOS needs no user memory (READ POSITION): st_ioctl()'s kprobe
 *    judges it before st does anything; MTIOCTOP without a record (no
 *    record or kretprobe instance free) is refused there.
 *
 * What st does for the operation before it calls one of these (flushing
 * read-ahead, a writer's pending filemark) is judged by the same table
 * when it goes through them, never more loosely than the patched kernel.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/fs.h>
#include <linux/kprobes.h>
#include <linux/mtio.h>
#include <scsi/scsi.h>
#include <scsi/scsi_device.h>

#include "stock.h"

/* SSC's Medium Partition mode page (st.h's PART_PAGE) */
#define SGF_ST_PART_PAGE	0x11

/* Whether ioctl @cmd is @req, by type and number as st_ioctl() tells them */
static bool sgf_st_is(unsigned int cmd, unsigned int req)
{
	return _IOC_TYPE(cmd) == _IOC_TYPE(req) && _IOC_NR(cmd) == _IOC_NR(req);
}

/*
 * The verdict on MTIOCTOP operation @op for the recorded caller, as the
 * patched kernel's st_op_allowed(). None, or none the caller chooses: MTNOP,
 * MTSETPART (MODE SENSE), MTSETDRVBUFFER (CAP_SYS_ADMIN only), and what st
 * sets by itself (SET_DENS_AND_BLK: the defaults root configured).
 */
static bool sgf_st_op_allowed(const struct sgf_ctx *ctx, unsigned int op)
{
	unsigned int len = 6;
	u8 opcode;

	switch (op) {
	case MTFSF: case MTFSFM: case MTBSF: case MTBSFM:
	case MTFSR: case MTBSR: case MTFSS: case MTBSS: case MTEOM:
		opcode = SPACE;
		break;
	case MTWEOF: case MTWEOFI: case MTWSM:
		opcode = WRITE_FILEMARKS;
		break;
	case MTREW:
		opcode = REZERO_UNIT;
		break;
	case MTOFFL: case MTLOAD: case MTUNLOAD: case MTRETEN:
		opcode = START_STOP;
		break;
	case MTERASE:
		opcode = ERASE;
		break;
	case MTSEEK:		/* QFA on SCSI-1 drives: judged as LOCATE(10) */
		opcode = SEEK_10;
		len = 10;
		break;
	case MTLOCK: case MTUNLOCK:
		opcode = ALLOW_MEDIUM_REMOVAL;
		break;
	case MTMKPART:
		if (!sgf_ioctl_allowed(ctx->sdev, ctx->open_for_write,
				       FORMAT_UNIT, 0, 6))
			return false;
		fallthrough;
	case MTSETBLK: case MTSETDENSITY: case MTCOMPRESSION:
		opcode = MODE_SELECT;
		break;
	default:
		return true;
	}
	return sgf_ioctl_allowed(ctx->sdev, ctx->open_for_write, opcode, 0, len);
}

/*
 * From a kprobe on a function of st: -EPERM from it if the current task is
 * in MTIOCTOP and operation @op is denied; st's own calls (open, close,
 * read, write) are not judged
 */
static int sgf_st_judge(struct pt_regs *regs, unsigned int op)
{
	struct sgf_ctx ctx;

	if (!sgf_ctx_find(&ctx) || !ctx.st_ioctl)
		return 0;
	return sgf_st_op_allowed(&ctx, op) ? 0 : sgf_eperm(regs);
}

/*
 * st_ioctl(file, cmd, arg): MTIOCTOP's record. A node whose device is not
 * found (NULL) makes a record too: its commands are judged as a device's
 * nobody knows, by every table at once (fail closed). The device's
 * reference is dropped at return.
 */
int sgf_st_entry(struct kretprobe_instance *ri, struct pt_regs *regs)
{
	struct file *file = (void *)regs_get_kernel_argument(regs, 0);
	struct scsi_device *sdev;
	struct sgf_ctx *ctx;

	if (!sgf_st_is(regs_get_kernel_argument(regs, 1), MTIOCTOP))
		return 1;	/* no record, no return handler */
	sdev = sgf_file_sdev(file);
	ctx = sgf_ctx_push(ri, sdev, SGF_LEN_OPCODE);
	if (!ctx) {
		if (sdev)
			put_device(&sdev->sdev_gendev);
		return 1;
	}
	ctx->holds_ref = !!sdev;	/* dropped by sgf_ctx_pop() */
	ctx->open_for_write = file->f_mode & FMODE_WRITE;
	ctx->st_ioctl = true;
	return 0;
}

/*
 * kprobe on st_ioctl(file, cmd, arg), which runs after the record's
 * kretprobe (stock.c): MTIOCPOS (READ POSITION) is judged here, and
 * MTIOCTOP without a record is refused
 */
int sgf_st_ioctl_pre(struct kprobe *p, struct pt_regs *regs)
{
	struct file *file = (void *)regs_get_kernel_argument(regs, 0);
	unsigned int cmd = regs_get_kernel_argument(regs, 1);
	struct scsi_device *sdev;
	struct sgf_ctx ctx;
	bool ok;

	if (sgf_st_is(cmd, MTIOCTOP)) {
		if (sgf_ctx_find(&ctx) && ctx.st_ioctl)
			return 0;
		atomic_long_inc(&sgf_unattributed);
		return sgf_eperm(regs);
	}
	/* st refuses another size (EINVAL) */
	if (!sgf_st_is(cmd, MTIOCPOS) || _IOC_SIZE(cmd) != sizeof(struct mtpos))
		return 0;
	sdev = sgf_file_sdev(file);
	ok = sgf_ioctl_allowed(sdev, file->f_mode & FMODE_WRITE, READ_POSITION,
			       0, 10);
	if (sdev)
		put_device(&sdev->sdev_gendev);
	return ok ? 0 : sgf_eperm(regs);
}

/* kprobe on st_int_ioctl(STp, cmd_in, arg): cmd_in is the operation */
int sgf_st_int_ioctl_pre(struct kprobe *p, struct pt_regs *regs)
{
	return sgf_st_judge(regs, regs_get_kernel_argument(regs, 1));
}

/* kprobe on do_load_unload(STp, file, load_code): MTLOAD, MTUNLOAD, MTOFFL */
int sgf_st_load_unload_pre(struct kprobe *p, struct pt_regs *regs)
{
	return sgf_st_judge(regs, MTLOAD);
}

/* kprobe on set_location(STp, block, partition, logical): MTSEEK */
int sgf_st_set_location_pre(struct kprobe *p, struct pt_regs *regs)
{
	return sgf_st_judge(regs, MTSEEK);
}

/* kprobe on st_compression(STp, state): MTCOMPRESSION */
int sgf_st_compression_pre(struct kprobe *p, struct pt_regs *regs)
{
	return sgf_st_judge(regs, MTCOMPRESSION);
}

/*
 * kprobe on read_mode_page(STp, page, omit_block_descs): the partition
 * page with its block descriptors is what partition_tape() (MTMKPART,
 * inlined in st_ioctl()) reads first, before it writes anything;
 * nbr_partitions() (MTSETPART) reads it without
 */
int sgf_st_read_mode_page_pre(struct kprobe *p, struct pt_regs *regs)
{
	if (regs_get_kernel_argument(regs, 1) != SGF_ST_PART_PAGE ||
	    regs_get_kernel_argument(regs, 2))
		return 0;
	return sgf_st_judge(regs, MTMKPART);
}

/*
 * kprobe on scsi_set_medium_removal(sdev, state): st's do_door_lock() is
 * inlined in st_ioctl(); MTLOCK, MTUNLOCK, and the unlocking before MTOFFL.
 * Other callers (sd, sr, scsi_ioctl()) are not in MTIOCTOP.
 */
int sgf_st_door_pre(struct kprobe *p, struct pt_regs *regs)
{
	return sgf_st_judge(regs, MTLOCK);
}
