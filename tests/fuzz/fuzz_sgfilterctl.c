// SPDX-License-Identifier: GPL-2.0
/*
 * libFuzzer target: sgfilterctl's parsers, linked from its own source:
 * the policy file parser (first byte 0: the rest is a policy file, lines of
 * any length, device IDs with %XX escapes, grant lines), the device ID encoding (first
 * byte 0xff: the rest, encoded and decoded, must come back unchanged) and
 * the OPCODE[/SA] argument resolver with its class (other first bytes: the
 * class, the rest an argument). Nothing touches sysfs: SGFILTER_SYSFS points at a
 * directory that does not exist. Run with -close_fd_mask=3: the parsers'
 * messages are not what is tested.
 *
 * Linked with the tool's files but sgfilterctl.c, which holds main() (see
 * tests/fuzz/run.sh).
 */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../../tools/sgfilterctl/sgfilterctl.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool init;
	static char path[64];
	static struct policy policy;
	int op, sa;
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
		policy.nr_unpriv = 0;
		policy.nr_grants = 0;
		parse_policy(path, &policy);
		return 0;
	}
	if (data[0] == 0xff) {
		static char id[ID_MAX], enc[3 * ID_MAX], dec[ID_MAX];

		if (size - 1 >= sizeof(id))
			return 0;
		memcpy(id, data + 1, size - 1);
		id[size - 1] = '\0';
		encode_id(id, enc, sizeof(enc));
		if (strpbrk(enc, " \t\n#") || decode_id(enc, dec, sizeof(dec)) || strcmp(id, dec))
			abort();
		return 0;
	}
	if (size - 1 >= sizeof(arg))
		return 0;
	memcpy(arg, data + 1, size - 1);
	arg[size - 1] = '\0';
	resolve(data[0] % SCSI_SGIO_NR_CLASSES, arg, &op, &sa);
	return 0;
}
