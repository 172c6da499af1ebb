// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: sgfilterctl's parsers, linked from its own source:
 * the policy file parser (first byte 0: the rest is a policy file) and the
 * OPCODE[/SA] argument resolver with its class (first byte 1..: the class,
 * the rest an argument). Nothing touches sysfs: SGFILTER_SYSFS points at a
 * directory that does not exist. Run with -close_fd_mask=3: the parsers'
 * messages are not what is tested.
 */
#define SGFILTERCTL_NO_MAIN
#include "../../tools/sgfilterctl/sgfilterctl.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	static char path[64];
	struct scsi_sgio_table tables[SCSI_SGIO_NR_CLASSES];
	bool present[SCSI_SGIO_NR_CLASSES];
	struct unpriv_line unpriv[MAX_UNPRIV];
	int nr = 0, op, sa;
	char arg[128];
	FILE *f;

	if (!init) {
		scsi_sgio_init_defaults();
		sysfs = "/nonexistent-sgfilter-fuzz";
		snprintf(path, sizeof(path), "/tmp/sgfilter-fuzz-%d.conf", getpid());
		init = true;
	}
	if (!size)
		return 0;
	if (data[0] == 0) {
		f = fopen(path, "w");
		if (!f)
			return 0;
		fwrite(data + 1, 1, size - 1, f);
		fclose(f);
		parse_policy(path, tables, present, unpriv, &nr);
		return 0;
	}
	if (size - 1 >= sizeof(arg))
		return 0;
	memcpy(arg, data + 1, size - 1);
	arg[size - 1] = '\0';
	resolve(data[0] % SCSI_SGIO_NR_CLASSES, arg, &op, &sa);
	return 0;
}
