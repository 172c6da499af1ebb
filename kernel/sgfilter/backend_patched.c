// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter's backend for a kernel with the sgfilter patch series: the SCSI
 * core decides with the class tables the module publishes
 * (scsi_sgio_publish_table(), main.c), after its own CAP_SYS_RAWIO and
 * unpriv_sgio checks, then with the device's grants
 * (scsi_device::sgio_grants), for every entry point (SG_IO, bsg, sg,
 * SCSI_IOCTL_SEND_COMMAND, CDROM_SEND_PACKET and the ioctls that send a
 * command), and tells sgf_denied() of what none of them allowed, through
 * scsi_sgio_register_policy(), under rcu_read_lock(). The module's class
 * interface gives each device the file that sets its grants.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <scsi/scsi_dbg.h>
#include <scsi/scsi_device.h>
#include <scsi/scsi_driver.h>

#include "state.h"

const char *sgf_backend_name(void)
{
	return "patched";
}

static const struct scsi_sgio_policy sgf_policy = {
	.denied = sgf_denied,
};

bool sgf_opcode_sa_name(int opcode, int sa, const char **name,
			const char **sa_name)
{
	return scsi_opcode_sa_name(opcode, sa, name, sa_name);
}

const struct scsi_sgio_grants *sgf_grants_get(struct scsi_device *sdev)
{
	return rcu_dereference(sdev->sgio_grants);
}

int sgf_grants_set(struct scsi_device *sdev, struct scsi_sgio_grants *grants)
{
	scsi_sgio_set_grants(sdev, grants);
	return 0;
}

/* Every SCSI device, present or hot-added, gets its sgio_grants file */
static int sgf_add_dev(struct device *cl_dev)
{
	return sgf_grants_dev_add(to_scsi_device(cl_dev->parent));
}

static void sgf_remove_dev(struct device *cl_dev)
{
	sgf_grants_dev_remove(to_scsi_device(cl_dev->parent));
}

static struct class_interface sgf_interface = {
	.add_dev = sgf_add_dev,
	.remove_dev = sgf_remove_dev,
};

int sgf_backend_init(void)
{
	int ret = scsi_sgio_register_policy(&sgf_policy);

	if (ret) {
		pr_err("another SG_IO policy is registered\n");
		return ret;
	}
	ret = scsi_register_interface(&sgf_interface);
	if (ret)
		scsi_sgio_unregister_policy(&sgf_policy);
	return ret;
}

void sgf_backend_exit(void)
{
	/* removes every device's file and grants */
	scsi_unregister_interface(&sgf_interface);
	/* waits until no caller is inside sgf_denied() */
	scsi_sgio_unregister_policy(&sgf_policy);
}
