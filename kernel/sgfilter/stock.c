// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter's backend for an unmodified kernel (installed with DKMS).
 *
 * A stock kernel decides in scsi_cmd_allowed(cmd, open mode), which is not
 * told the device. This backend makes the patched kernel's decision, with
 * kprobes only (no kernel code is copied or patched in place); where it
 * cannot know what the patched kernel knows it is stricter, never looser:
 *
 *  - scsi_cmd_allowed() gets a kprobe whose handler decides as the patched
 *    kernel does (CAP_SYS_RAWIO, unpriv_sgio, the class table, the grants;
 *    see sgf_cmnd_sdev() for the one command it refuses that the patched
 *    kernel may allow), and returns the verdict instead of the function: the handler
 *    sets the instruction pointer to sgf_ret_allow() or sgf_ret_deny().
 *    It needs the device. A caller in scsi_mod (the return address says
 *    so) passes the CDB of a SCSI command on the device's queue: sg_io()
 *    (SG_IO on sd, sr, st and ch nodes, and CDROM_SEND_PACKET), bsg and
 *    SCSI_IOCTL_SEND_COMMAND, the commands that matter for speed, are
 *    decided with no other probe. sg passes a CDB on its stack: sg_ioctl()
 *    gets a kretprobe (struct sgf_hook) whose entry handler records, for
 *    the current task, the device (the one whose sg node has the file's
 *    device number) and whose return handler drops the record (struct
 *    sgf_ctx), for the files sg asks about (not opened O_RDWR). A command without
 *    a device (a caller this backend does not know, or a record the
 *    kretprobe could not make) gets a verdict never looser than the
 *    strictest class table and than the built-in tables, which are never
 *    looser than mainline.
 *  - The ioctls that send a command without scsi_cmd_allowed() get a kprobe
 *    that returns -EPERM instead of the function when the command's verdict
 *    is "denied": scsi_ioctl() for START STOP UNIT and PREVENT ALLOW MEDIUM
 *    REMOVAL, ch_ioctl() for the CHIO* ioctls. Their decision needs only the
 *    ioctl number, which is in a register: nothing is read twice from user
 *    memory. sr's cdrom-layer ioctls: sr_block_ioctl() records the device
 *    and the open mode, and the functions through which sr sends commands
 *    for it (sr_do_ioctl(), sr_drive_status(), sr_read_cdda_bpc()) are
 *    judged by the CDB they send. st's MTIOCTOP and MTIOCPOS: stock_st.c.
 *
 * Modules that load after sgfilter (sg, ch, sr_mod, st) are hooked by a module notifier
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
 * use them (on another function; on the same one, see st_ioctl()). Every
 * module listed must have every function listed.
 */
static struct sgf_hook sgf_hooks[] = {
	SGF_DECIDE("scsi_mod", "scsi_ioctl", sgf_scsi_ioctl_pre),
	SGF_DECIDE("scsi_mod", "scsi_cmd_allowed", sgf_cmd_allowed_pre),
	SGF_DECIDE("scsi_mod", "scsi_set_medium_removal", sgf_st_door_pre),
	SGF_RECORD("sg", "sg_ioctl", sgf_sg_entry, sgf_ctx_return),
	SGF_DECIDE("ch", "ch_ioctl", sgf_ch_ioctl_pre),
	SGF_RECORD("sr_mod", "sr_block_ioctl", sgf_sr_entry, sgf_ctx_return),
	SGF_DECIDE("sr_mod", "sr_block_ioctl", sgf_sr_block_ioctl_pre),
	SGF_DECIDE("sr_mod", "sr_do_ioctl", sgf_sr_do_ioctl_pre),
	SGF_DECIDE("sr_mod", "sr_drive_status", sgf_sr_drive_status_pre),
	SGF_DECIDE("sr_mod", "sr_read_cdda_bpc", sgf_sr_read_cdda_pre),
	/*
	 * Probes on one address run newest first (kprobes' aggregate list):
	 * st_ioctl()'s decision, which looks for the record, is registered
	 * before the kretprobe that makes it. In the other order every
	 * MTIOCTOP would be refused, never allowed unjudged.
	 */
	SGF_DECIDE("st", "st_ioctl", sgf_st_ioctl_pre),
	SGF_RECORD("st", "st_ioctl", sgf_st_entry, sgf_ctx_return),
	SGF_DECIDE("st", "st_int_ioctl", sgf_st_int_ioctl_pre),
	SGF_DECIDE("st", "do_load_unload", sgf_st_load_unload_pre),
	SGF_DECIDE("st", "set_location", sgf_st_set_location_pre),
	SGF_DECIDE("st", "st_compression", sgf_st_compression_pre),
	SGF_DECIDE("st", "read_mode_page", sgf_st_read_mode_page_pre),
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
	static const char *const mods[] = { "scsi_mod", "sg", "ch", "sr_mod", "st" };
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
