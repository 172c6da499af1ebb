// SPDX-License-Identifier: GPL-2.0
/*
 * Built out of tree against Debian's linux-headers-RELEASE and loaded with
 * insmod into Debian's own kernel by the stock_smoke suite: the build and
 * load path a DKMS-installed sgfilter.ko takes (issue 13).
 */
#include <linux/init.h>
#include <linux/module.h>
#include <linux/printk.h>
#include <generated/utsrelease.h>

static int __init hello_init(void)
{
	pr_info("sgfilter-stock-hello loaded (built for %s)\n", UTS_RELEASE);
	return 0;
}

static void __exit hello_exit(void)
{
	pr_info("sgfilter-stock-hello unloaded\n");
}

module_init(hello_init);
module_exit(hello_exit);
MODULE_DESCRIPTION("sgfilter test harness: out-of-tree module on a stock kernel");
MODULE_LICENSE("GPL");
