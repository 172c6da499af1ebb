# SPDX-License-Identifier: GPL-2.0
#
# selftests/sgfilter's unpriv_sgio_test: the per-device flag's sysfs files
# and what they change.

. /tests/lib/fixtures.sh

suite_unpriv_sgio() { /tests/unpriv_sgio_test; }
