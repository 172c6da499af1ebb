# SPDX-License-Identifier: GPL-2.0
#
# selftests/sgfilter's sgio_filter_test as root (CAP_SYS_RAWIO: everything
# passes).

. /tests/lib/fixtures.sh

suite_selftests_root() { /tests/sgio_filter_test; }
