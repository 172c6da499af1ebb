# SPDX-License-Identifier: GPL-2.0
#
# selftests/sgfilter's grants_test: per-device grants (sgio_grants) on two
# scsi_debug disks of its own; it loads sgfilter.ko if nobody has (and
# then also checks that the grants go with the module).

. /tests/lib/fixtures.sh

suite_grants() { /tests/grants_test; }
