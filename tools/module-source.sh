#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# The module's source tree, as DKMS takes it (/usr/src/sgfilter-VERSION):
# kernel/sgfilter/ and, for the stock-kernel backend, the built-in tables
# as the patch series creates them (ksrc/drivers/scsi/scsi_sgio.c,
# ksrc/include/scsi/scsi_sgio.h; tools/ksrc-min.sh extracts them from
# kernel/patches, so they are the same file, not a copy to keep in step).
#
#   module-source.sh DIR
#
# Build it for a kernel with:  make -C /lib/modules/RELEASE/build M=DIR
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dir=${1:?usage: module-source.sh DIR}
"$top/tools/ksrc-min.sh" --tables "$top/build/module-tables"
rm -rf "$dir"
mkdir -p "$dir/ksrc/drivers/scsi" "$dir/ksrc/include/scsi"
cp "$top"/kernel/sgfilter/{Kbuild,Kconfig,dkms.conf,*.c,*.h} "$dir/"
cp "$top/build/module-tables/drivers/scsi/scsi_sgio.c" "$dir/ksrc/drivers/scsi/"
cp "$top/build/module-tables/include/scsi/scsi_sgio.h" "$dir/ksrc/include/scsi/"
