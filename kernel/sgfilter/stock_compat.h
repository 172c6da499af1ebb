/* SPDX-License-Identifier: GPL-2.0 */
/*
 * What scsi_sgio.c needs from a newer scsi_proto.h than the kernels the
 * stock backend builds against have: included before everything else in a
 * stock build (Kbuild).
 */
#ifndef _SGFILTER_STOCK_COMPAT_H
#define _SGFILTER_STOCK_COMPAT_H

/* added by the sgfilter patch series */
#define SANITIZE		0x48
/* Linux 6.9 */
#define SAI_GET_STREAM_STATUS	0x16

#endif /* _SGFILTER_STOCK_COMPAT_H */
