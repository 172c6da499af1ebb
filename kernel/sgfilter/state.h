/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sgfilter.ko's state, shared by the SG_IO path and edits (main.c) and the
 * sysfs interface (sysfs.c). Kernel only; sgfilter.h is what user space
 * shares.
 */
#ifndef _SGFILTER_STATE_H
#define _SGFILTER_STATE_H

#include <linux/atomic.h>
#include <linux/kobject.h>
#include <linux/mutex.h>
#include <linux/percpu.h>
#include <linux/rcupdate.h>
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
 * @table: the current table; read under RCU, replaced under sgf_lock, and
 *	published to the SCSI core (scsi_sgio_publish_table()) while the
 *	module is loaded
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
	atomic_long_t denied_op[SGF_NR_OPCODES];
};

extern struct sgf_class sgf_classes[SCSI_SGIO_NR_CLASSES];
/*
 * Commands denied per class, per CPU. Nothing counts the commands allowed:
 * the SCSI core decides them with the published tables, without the module.
 */
DECLARE_PER_CPU(unsigned long [SCSI_SGIO_NR_CLASSES], sgf_denied_count);
/* Serializes table edits (not readers) */
extern struct mutex sgf_lock;

struct scsi_device;

void sgf_denied(struct scsi_device *sdev, const u8 *cdb, unsigned int len,
		bool open_for_write);
int sgf_publish(struct sgf_class *c, struct sgf_table *new);
int sgf_edit(struct sgf_class *c, const struct sgf_entry *entry);

int sgf_sysfs_init(void);
void sgf_sysfs_exit(void);

/*
 * The backend: how the published tables, the grants and sgf_denied() get
 * used. backend_patched.c registers with a kernel that carries the sgfilter
 * patch series, whose scsi_cmd_allowed() decides; stock.c hooks an
 * unmodified kernel (the DKMS case) and decides in the same order.
 * sgf_backend_init() runs once the tables and /sys/kernel/sgfilter exist;
 * after sgf_backend_exit() returns, no caller is inside sgf_denied() or any
 * other code of the module's.
 */
const char *sgf_backend_name(void);
int sgf_backend_init(void);
void sgf_backend_exit(void);
/*
 * A device's grants (grants.c has the file): sgf_grants_get() under RCU;
 * sgf_grants_set() publishes @grants (NULL: none), which it owns once it
 * returns 0, and frees the old set after a grace period. Serialized by
 * grants.c.
 */
const struct scsi_sgio_grants *sgf_grants_get(struct scsi_device *sdev);
int sgf_grants_set(struct scsi_device *sdev, struct scsi_sgio_grants *grants);
int sgf_grants_dev_add(struct scsi_device *sdev);
void sgf_grants_dev_remove(struct scsi_device *sdev);
/* scsi_opcode_sa_name(), which a stock kernel does not export */
bool sgf_opcode_sa_name(int opcode, int sa, const char **name,
			const char **sa_name);

#endif /* _SGFILTER_STATE_H */
