// SPDX-License-Identifier: GPL-2.0
/*
 * sgfilter: per-device grants.
 *
 * /sys/bus/scsi/devices/<H:C:T:L>/sgio_grants lists the commands granted on
 * one device, in the class-table syntax (edits.c), one entry per line:
 *
 *   0x5e read
 *   0x5f write
 *
 * A write (CAP_SYS_ADMIN) replaces the whole set with the listing written,
 * or with nothing for a lone newline; a listing with a line that does not
 * parse, or does not apply to the device's class, changes nothing. Grants
 * are keyed like the device's class table, so that their lookup is the
 * class table's: two array indexes.
 *
 * Where a device's grants are kept is the backend's business: a patched
 * kernel keeps them in the SCSI device (scsi_sgio_set_grants(), checked by
 * scsi_cmd_allowed() itself), the stock backend in an xarray
 * (stock_dev.c). Both call sgf_grants_dev_add() and sgf_grants_dev_remove()
 * as devices come and go, and the grants go with the device or the module.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/capability.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <scsi/scsi_device.h>

#include "state.h"

/* Serializes grant writes, so that the last writer's set is the one kept */
static DEFINE_MUTEX(sgf_grants_lock);

static ssize_t sgio_grants_show(struct device *dev,
				struct device_attribute *attr, char *buf)
{
	const struct scsi_sgio_grants *g;
	size_t len = 0;

	rcu_read_lock();
	g = sgf_grants_get(to_scsi_device(dev));
	if (g)
		len = sgf_table_format(&g->table, buf, PAGE_SIZE);
	rcu_read_unlock();
	/* a store never publishes a listing longer than a page */
	return WARN_ON_ONCE(len >= PAGE_SIZE) ? -EIO : len;
}

static ssize_t sgio_grants_store(struct device *dev,
				 struct device_attribute *attr,
				 const char *buf, size_t count)
{
	struct scsi_device *sdev = to_scsi_device(dev);
	struct scsi_sgio_grants *g;
	int ret;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	g = kzalloc(sizeof(*g), GFP_KERNEL);
	if (!g)
		return -ENOMEM;
	ret = sgf_grants_load(&g->table, scsi_sgio_class(sdev->type), buf,
			      count, PAGE_SIZE);
	if (ret) {
		kfree(g);
		return ret;
	}
	/* memory only for devices with grants */
	if (!sgf_table_format(&g->table, NULL, 0)) {
		kfree(g);
		g = NULL;
	}
	mutex_lock(&sgf_grants_lock);
	ret = sgf_grants_set(sdev, g);
	mutex_unlock(&sgf_grants_lock);
	if (ret) {
		kfree(g);
		return ret;
	}
	return count;
}

static DEVICE_ATTR_RW(sgio_grants);

/**
 * sgf_grants_dev_add - give a SCSI device its sgio_grants file
 * @sdev: a device that appeared, or was there when the module loaded
 *
 * Return: 0 or -errno.
 */
int sgf_grants_dev_add(struct scsi_device *sdev)
{
	return device_create_file(&sdev->sdev_gendev, &dev_attr_sgio_grants);
}

/**
 * sgf_grants_dev_remove - remove a device's file, then its grants
 * @sdev: a device that goes, or any device when the module unloads
 *
 * Once the file is gone no store can run, so the grants stay gone.
 */
void sgf_grants_dev_remove(struct scsi_device *sdev)
{
	device_remove_file(&sdev->sdev_gendev, &dev_attr_sgio_grants);
	mutex_lock(&sgf_grants_lock);
	WARN_ON_ONCE(sgf_grants_set(sdev, NULL));
	mutex_unlock(&sgf_grants_lock);
}
