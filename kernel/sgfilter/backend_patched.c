// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter's backend for a kernel with the sgfilter patch series: the SCSI
 * core asks sgf_cmd_allowed() through scsi_sgio_register_policy(), after its
 * own CAP_SYS_RAWIO and unpriv_sgio checks, under rcu_read_lock(), for every
 * entry point (SG_IO, bsg, sg, SCSI_IOCTL_SEND_COMMAND, CDROM_SEND_PACKET
 * and the ioctls that send a command).
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <scsi/scsi_dbg.h>

#include "state.h"

const char *sgf_backend_name(void)
{
	return "patched";
}

static const struct scsi_sgio_policy sgf_policy = {
	.cmd_allowed = sgf_cmd_allowed,
};

bool sgf_opcode_sa_name(int opcode, int sa, const char **name,
			const char **sa_name)
{
	return scsi_opcode_sa_name(opcode, sa, name, sa_name);
}

int sgf_backend_init(void)
{
	int ret = scsi_sgio_register_policy(&sgf_policy);

	if (ret)
		pr_err("another SG_IO policy is registered\n");
	return ret;
}

void sgf_backend_exit(void)
{
	/* waits until no caller is inside sgf_cmd_allowed() */
	scsi_sgio_unregister_policy(&sgf_policy);
}
