// SPDX-License-Identifier: GPL-2.0
/*
 * Grant profiles: named sets of entries that one device's openers need for
 * one job, defined here and nowhere else. The man page and the admin guide
 * list them; tests/unit/sgfilterctl_test_grants.sh checks those lists, and
 * the codes against sg3_utils' names (T10's), against this table.
 *
 *   pr    PERSISTENT RESERVE IN to every opener, OUT to writers: a guest's
 *         cluster (Windows failover clustering, Pacemaker's fence_scsi)
 *         on a passed-through LUN, without unpriv_sgio or qemu-pr-helper
 *   thin  WRITE SAME(10/16/32) and UNMAP to writers, GET LBA STATUS to
 *         every opener: thin provisioning from a guest (discard, zeroing),
 *         for the LUNs that need it where the disk table does not allow it
 *         (the built-in one does; a site's may not)
 *   fw    WRITE BUFFER to writers, READ BUFFER(10) to every opener:
 *         firmware download from a storage-management VM that owns the
 *         device (KubeVirt's "raw I/O for LUN disks"); the device's
 *         firmware is the guest's to replace
 *   diag  SEND DIAGNOSTIC to writers, RECEIVE DIAGNOSTIC RESULTS and LOG
 *         SENSE to every opener: self-tests and their results (smartctl
 *         -t, sg_senddiag), and enclosure control pages (SES)
 *
 * Not profiles, on purpose: FORMAT UNIT, SANITIZE, vendor opcodes. Each
 * destroys data or does what its vendor says; name them one by one.
 */
#include <stdio.h>
#include <string.h>

#include "sgfilterctl.h"

#define ALL_CLASSES	((1u << SCSI_SGIO_NR_CLASSES) - 1)

static const struct sgf_entry pr_entries[] = {
	{ PERSISTENT_RESERVE_IN, -1, SCSI_SGIO_READ },
	{ PERSISTENT_RESERVE_OUT, -1, SCSI_SGIO_WRITE },
};

static const struct sgf_entry thin_entries[] = {
	{ WRITE_SAME, -1, SCSI_SGIO_WRITE },
	{ UNMAP, -1, SCSI_SGIO_WRITE },
	{ WRITE_SAME_16, -1, SCSI_SGIO_WRITE },
	{ VARIABLE_LENGTH_CMD, WRITE_SAME_32, SCSI_SGIO_WRITE },
	{ SERVICE_ACTION_IN_16, SAI_GET_LBA_STATUS, SCSI_SGIO_READ },
};

static const struct sgf_entry fw_entries[] = {
	{ WRITE_BUFFER, -1, SCSI_SGIO_WRITE },
	{ READ_BUFFER, -1, SCSI_SGIO_READ },
};

static const struct sgf_entry diag_entries[] = {
	{ RECEIVE_DIAGNOSTIC, -1, SCSI_SGIO_READ },
	{ SEND_DIAGNOSTIC, -1, SCSI_SGIO_WRITE },
	{ LOG_SENSE, -1, SCSI_SGIO_READ },
};

#define PROFILE(n, c, s)	{ .name = #n, .classes = (c), .summary = (s), \
				  .entries = n##_entries, .nr = ARRAY_SIZE(n##_entries) }

const struct profile profiles[] = {
	PROFILE(pr, ALL_CLASSES, "persistent reservations: a cluster's disk fencing"),
	PROFILE(thin, 1u << SCSI_SGIO_DISK, "thin provisioning: discard and zeroing"),
	PROFILE(fw, ALL_CLASSES, "firmware download, for a VM that owns the device"),
	PROFILE(diag, ALL_CLASSES, "self-tests, diagnostic pages, logs (SES, smartctl)"),
};

const unsigned int nr_profiles = ARRAY_SIZE(profiles);

const struct profile *find_profile(const char *name)
{
	unsigned int i;

	for (i = 0; i < nr_profiles; i++)
		if (!strcmp(profiles[i].name, name))
			return &profiles[i];
	return NULL;
}

bool profile_fits(const struct profile *p, int class)
{
	return p->classes & (1u << class);
}

/* "pr, thin, fw, diag", for messages */
const char *profile_names(void)
{
	static char buf[128];
	size_t n = 0;
	unsigned int i;

	if (!buf[0])
		for (i = 0; i < nr_profiles; i++)
			n += snprintf(buf + n, sizeof(buf) - n, "%s%s", i ? ", " : "",
				      profiles[i].name);
	return buf;
}

/* --- profiles: the table, with the names for disks -------------------------- */

int cmd_profiles(int argc, char **argv, unsigned int flags)
{
	char name[NAME_MAX_LEN], key[KEY_MAX_LEN];
	unsigned int i, j, c;

	out_open(NULL);
	out_open_list("profiles");
	for (i = 0; i < nr_profiles; i++) {
		const struct profile *p = &profiles[i];

		out_open(NULL);
		out_str(OUT_ANY, "name", "%s", p->name);
		out_str(OUT_ANY, "summary", ": %s", p->summary);
		out_open_list("classes");
		out_text(p->classes == ALL_CLASSES ? " (every class)\n" : " (class");
		for (c = 0; c < SCSI_SGIO_NR_CLASSES; c++)
			if (profile_fits(p, c)) {
				if (p->classes == ALL_CLASSES)
					out_str(OUT_JSON, NULL, NULL, scsi_sgio_class_name(c));
				else
					out_str(OUT_ANY, NULL, " %s", scsi_sgio_class_name(c));
			}
		out_close_list();
		if (p->classes != ALL_CLASSES)
			out_text(")\n");
		out_open_list("entries");
		for (j = 0; j < p->nr; j++) {
			const struct sgf_entry *e = &p->entries[j];

			key_str(e->opcode, e->sa, key, sizeof(key));
			/* names as for a disk (peripheral device type 0) */
			opcode_name(SCSI_SGIO_DISK, e->opcode, e->sa, name, sizeof(name));
			out_open(NULL);
			out_str(OUT_ANY, "key", "  %-13s ", key);
			out_str(OUT_ANY, "perm", "%-5s ", sgf_perm_name(e->perm));
			out_str(OUT_ANY, "name", "%s\n", name);
			out_close();
		}
		out_close_list();
		out_close();
	}
	out_close_list();
	out_close();
	return 0;
}
