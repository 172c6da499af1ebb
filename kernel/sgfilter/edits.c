// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter: table edits.
 *
 * The syntax of an edit, as written to /sys/kernel/sgfilter/<class>/allow
 * and .../deny (see Documentation/sgfilter.rst):
 *
 *   OPCODE[/SA] read|write      (allow)
 *   OPCODE[/SA]                 (deny)
 *
 * OPCODE and SA are hexadecimal, with or without "0x". Without /SA an edit
 * covers every service action of an opcode that has them in the class.
 * A table is listed in the same syntax, one entry per line.
 *
 * Nothing here knows about devices, files or locking: main.c applies edits
 * to a private copy of a table and publishes the copy.
 */
#include <linux/errno.h>
#include <linux/kernel.h>
#include <linux/stdarg.h>
#include <linux/string.h>
#include <scsi/scsi_proto.h>

#include "sgfilter.h"

static const char *const sgf_perm_names[] = {
	[SCSI_SGIO_NONE] = "none",
	[SCSI_SGIO_READ] = "read",
	[SCSI_SGIO_WRITE] = "write",
};

/**
 * sgf_perm_name - name of a permission in the table syntax
 * @perm: %SCSI_SGIO_NONE, %SCSI_SGIO_READ or %SCSI_SGIO_WRITE
 *
 * Return: "none", "read", "write", or "?" for anything else.
 */
const char *sgf_perm_name(enum scsi_sgio_perm perm)
{
	if (perm > SCSI_SGIO_WRITE)
		return "?";
	return sgf_perm_names[perm];
}

/* A hexadecimal number of at most @max, with an optional "0x" */
static int sgf_parse_hex(const char *s, unsigned int max, unsigned int *val)
{
	unsigned int v = 0;
	int digits = 0;

	if (s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
		s += 2;
	for (; *s; s++, digits++) {
		int d = hex_to_bin(*s);

		if (d < 0 || digits == 4)
			return -EINVAL;
		v = v * 16 + d;
	}
	if (!digits || v > max)
		return -EINVAL;
	*val = v;
	return 0;
}

/**
 * sgf_parse_entry - parse one table edit
 * @buf: "OPCODE[/SA] read|write" (@with_perm) or "OPCODE[/SA]"; a single
 *	trailing newline is allowed
 * @len: number of bytes at @buf
 * @with_perm: whether a permission must follow (allow) or must not (deny)
 * @entry: the result; %SCSI_SGIO_NONE without a permission
 *
 * Whether the opcode has service actions is not checked here, only when
 * the edit is applied to a class table.
 *
 * Return: 0, or -EINVAL if @buf does not parse.
 */
int sgf_parse_entry(const char *buf, size_t len, bool with_perm,
		    struct sgf_entry *entry)
{
	char s[SGF_ENTRY_MAX], *key, *perm, *sa;
	unsigned int op, sa_val;

	if (len && buf[len - 1] == '\n')
		len--;
	if (!len || len >= sizeof(s) || memchr(buf, '\0', len))
		return -EINVAL;
	memcpy(s, buf, len);
	s[len] = '\0';

	key = s;
	perm = strchr(s, ' ');
	if (perm)
		*perm++ = '\0';
	if (!!perm != with_perm)
		return -EINVAL;

	entry->perm = SCSI_SGIO_NONE;
	if (perm) {
		if (!strcmp(perm, "read"))
			entry->perm = SCSI_SGIO_READ;
		else if (!strcmp(perm, "write"))
			entry->perm = SCSI_SGIO_WRITE;
		else
			return -EINVAL;
	}

	sa = strchr(key, '/');
	if (sa)
		*sa++ = '\0';
	if (sgf_parse_hex(key, 0xff, &op))
		return -EINVAL;
	entry->opcode = op;
	entry->sa = -1;
	if (sa) {
		if (sgf_parse_hex(sa, 0xffff, &sa_val))
			return -EINVAL;
		entry->sa = sa_val;
	}
	return 0;
}

/**
 * sgf_table_apply - apply one edit to a class table
 * @table: the table (a private copy: nobody may be reading it)
 * @entry: the edit
 *
 * Return: 0, or -EINVAL (table unchanged) if @entry names a service action
 * of an opcode that has none in this class, or one out of range: above
 * 0x1f, or above 0x00ff for VARIABLE LENGTH (0x7f).
 */
int sgf_table_apply(struct scsi_sgio_table *table,
		    const struct sgf_entry *entry)
{
	unsigned int nr = SCSI_SGIO_NR_SA;
	u8 *sa;
	int i;

	if (!scsi_sgio_by_sa(table->op[entry->opcode])) {
		if (entry->sa >= 0)
			return -EINVAL;
		table->op[entry->opcode] = entry->perm;
		return 0;
	}

	if (entry->opcode == VARIABLE_LENGTH_CMD) {
		sa = table->vl;
		nr = SCSI_SGIO_NR_VL_SA;
	} else {
		i = scsi_sgio_sa_index(entry->opcode);
		if (WARN_ON_ONCE(i < 0))
			return -EINVAL;
		sa = table->sa[i];
	}
	if (entry->sa < 0) {
		memset(sa, entry->perm, nr);
		return 0;
	}
	if (entry->sa >= nr)
		return -EINVAL;
	sa[entry->sa] = entry->perm;
	return 0;
}

/**
 * sgf_table_clear - remove every entry, keeping the service action keying
 * @table: a class table (a private copy)
 */
void sgf_table_clear(struct scsi_sgio_table *table)
{
	unsigned int op;

	for (op = 0; op < SGF_NR_OPCODES; op++)
		if (!scsi_sgio_by_sa(table->op[op]))
			table->op[op] = SCSI_SGIO_NONE;
	memset(table->sa, SCSI_SGIO_NONE, sizeof(table->sa));
	memset(table->vl, SCSI_SGIO_NONE, sizeof(table->vl));
}

/**
 * sgf_table_load - apply a listing: one "OPCODE[/SA] read|write" per line
 * @table: a class table (a private copy)
 * @buf: the lines, each ended by a newline except perhaps the last
 * @len: number of bytes at @buf
 *
 * Return: 0, or the number (from 1) of the first line that does not parse
 * or apply; @table then holds the lines before it.
 */
int sgf_table_load(struct scsi_sgio_table *table, const char *buf, size_t len)
{
	int no = 0;

	while (len) {
		const char *nl = memchr(buf, '\n', len);
		size_t n = nl ? nl - buf + 1 : len;
		struct sgf_entry entry;

		no++;
		if (sgf_parse_entry(buf, n, true, &entry) ||
		    sgf_table_apply(table, &entry))
			return no;
		buf += n;
		len -= n;
	}
	return 0;
}

/**
 * sgf_grants_load - a device's grant set from a listing
 * @table: the result: the keying of @class's table, and the listing's
 *	entries (none for a lone newline)
 * @class: the class of the device
 * @buf: "OPCODE[/SA] read|write" lines, or a lone newline
 * @len: number of bytes at @buf
 * @max: room for listing the set (sgf_table_format()), NUL included
 *
 * Return: 0; -EINVAL if a line does not parse, or names a service action
 * of an opcode that has none in @class; -E2BIG if the set would not list
 * in @max bytes.
 */
int sgf_grants_load(struct scsi_sgio_table *table, enum scsi_sgio_class class,
		    const char *buf, size_t len, size_t max)
{
	*table = *scsi_sgio_default_table(class);
	sgf_table_clear(table);
	if (len == 1 && buf[0] == '\n')
		return 0;
	if (sgf_table_load(table, buf, len))
		return -EINVAL;
	if (sgf_table_format(table, NULL, 0) >= max)
		return -E2BIG;
	return 0;
}

/* Append to @buf, which holds @len bytes; count on past its @size. */
static __printf(4, 5) size_t sgf_print(char *buf, size_t size, size_t len,
				       const char *fmt, ...)
{
	va_list args;

	va_start(args, fmt);
	len += vsnprintf(len < size ? buf + len : NULL,
			 len < size ? size - len : 0, fmt, args);
	va_end(args);
	return len;
}

static size_t sgf_format_sa(const u8 *sa, unsigned int nr, u8 opcode,
			    char *buf, size_t size, size_t len)
{
	unsigned int i;

	for (i = 1; i < nr && sa[i] == sa[0]; i++)
		;
	if (i == nr) {
		/* one permission for every service action */
		if (sa[0] != SCSI_SGIO_NONE)
			len = sgf_print(buf, size, len, "0x%02x %s\n", opcode,
					sgf_perm_name(sa[0]));
		return len;
	}
	for (i = 0; i < nr; i++)
		if (sa[i] != SCSI_SGIO_NONE)
			len = sgf_print(buf, size, len, nr > SCSI_SGIO_NR_SA ?
					"0x%02x/0x%04x %s\n" : "0x%02x/0x%02x %s\n",
					opcode, i, sgf_perm_name(sa[i]));
	return len;
}

/**
 * sgf_table_format - list a table, one edit per line, in opcode order
 * @table: the table
 * @buf: where to write; may be NULL if @size is 0
 * @size: room at @buf, including the terminating NUL
 *
 * An opcode whose service actions all have the same permission is listed
 * once, without /SA. Entries without permission are not listed. Applying
 * the lines to a table without entries gives @table back.
 *
 * Return: the length of the whole listing, as snprintf() does: if it is
 * @size or more, the listing at @buf is cut short.
 */
size_t sgf_table_format(const struct scsi_sgio_table *table, char *buf,
			size_t size)
{
	size_t len = 0;
	unsigned int op;
	int i;

	if (size)
		buf[0] = '\0';
	for (op = 0; op < SGF_NR_OPCODES; op++) {
		u8 perm = table->op[op];

		if (perm == SCSI_SGIO_NONE)
			continue;
		if (!scsi_sgio_by_sa(perm)) {
			len = sgf_print(buf, size, len, "0x%02x %s\n", op,
					sgf_perm_name(perm));
			continue;
		}
		if (op == VARIABLE_LENGTH_CMD) {
			len = sgf_format_sa(table->vl, SCSI_SGIO_NR_VL_SA, op,
					    buf, size, len);
			continue;
		}
		i = scsi_sgio_sa_index(op);
		if (!WARN_ON_ONCE(i < 0))
			len = sgf_format_sa(table->sa[i], SCSI_SGIO_NR_SA, op,
					    buf, size, len);
	}
	return len;
}
