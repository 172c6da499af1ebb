/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sgfilter: run-time editable SG_IO class tables.
 *
 * edits.c holds what can be tested in user space (parsing, applying and
 * listing table edits); main.c the hook, edits, counters and log; sysfs.c
 * the files under /sys/kernel/sgfilter (state.h is what those two share).
 */
#ifndef _SGFILTER_H
#define _SGFILTER_H

#include <linux/array_size.h>
#include <linux/types.h>
#include <scsi/scsi_sgio.h>

/* Every opcode (one byte): struct scsi_sgio_table has an op[] slot for each */
#define SGF_NR_OPCODES	ARRAY_SIZE(((struct scsi_sgio_table *)NULL)->op)

/* The longest edit written to sysfs: "0x7f/0x000d write\n" and some room */
#define SGF_ENTRY_MAX	32

/**
 * struct sgf_entry - one table edit
 * @opcode: SCSI opcode
 * @sa: service action, or -1 for the whole opcode (all its service actions)
 * @perm: %SCSI_SGIO_NONE (deny), %SCSI_SGIO_READ or %SCSI_SGIO_WRITE
 */
struct sgf_entry {
	u8 opcode;
	int sa;
	enum scsi_sgio_perm perm;
};

int sgf_parse_entry(const char *buf, size_t len, bool with_perm,
		    struct sgf_entry *entry);
int sgf_table_apply(struct scsi_sgio_table *table,
		    const struct sgf_entry *entry);
void sgf_table_clear(struct scsi_sgio_table *table);
int sgf_table_load(struct scsi_sgio_table *table, const char *buf, size_t len);
int sgf_grants_load(struct scsi_sgio_table *table, enum scsi_sgio_class class,
		    const char *buf, size_t len, size_t max);
size_t sgf_table_format(const struct scsi_sgio_table *table, char *buf,
			size_t size);
const char *sgf_perm_name(enum scsi_sgio_perm perm);

#endif /* _SGFILTER_H */
