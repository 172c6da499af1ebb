// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: the module's table edit syntax (kernel/sgfilter/edits.c)
 * on every class. Besides not crashing: whatever sgf_table_load() accepts,
 * sgf_table_format() lists, and loading the listing gives the same table;
 * a device's grants (sgf_grants_load()) too, listed within the page.
 */
#include <scsi/scsi_sgio.h>
#include "../../kernel/sgfilter/sgfilter.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	static char text[65536];
	struct scsi_sgio_table t, again;
	struct sgf_entry e;
	int class;

	if (!init) {
		scsi_sgio_init_defaults();
		init = true;
	}
	class = size ? data[0] % SCSI_SGIO_NR_CLASSES : 0;

	/* one edit, on a copy of the built-in table */
	t = *scsi_sgio_default_table(class);
	if (!sgf_parse_entry((const char *)data, size, size && (data[0] & 1), &e))
		sgf_table_apply(&t, &e);

	/* a whole listing, on an empty table */
	sgf_table_clear(&t);
	if (!sgf_table_load(&t, (const char *)data, size)) {
		size_t len = sgf_table_format(&t, text, sizeof(text));

		if (len >= sizeof(text))
			__builtin_trap();
		again = *scsi_sgio_default_table(class);
		sgf_table_clear(&again);
		if (sgf_table_load(&again, text, len) || memcmp(&t, &again, sizeof(t)))
			__builtin_trap();	/* the listing does not give the table back */
	}
	/* what a write to sgio_grants stores: listed back, it is the same set */
	if (!sgf_grants_load(&t, class, (const char *)data, size, 4096)) {
		size_t len = sgf_table_format(&t, text, sizeof(text));

		if (len >= 4096)
			__builtin_trap();
		if ((len && sgf_grants_load(&again, class, text, len, 4096)) ||
		    (len && memcmp(&t, &again, sizeof(t))))
			__builtin_trap();
	}
	if (kshim_warnings)
		__builtin_trap();
	return 0;
}
