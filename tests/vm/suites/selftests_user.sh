# SPDX-License-Identifier: GPL-2.0
#
# selftests/sgfilter's sgio_filter_test as the unprivileged user tester
# (group disk): the built-in tables through every way to send a command.

. /tests/lib/fixtures.sh

suite_selftests_user() { as_user /tests/sgio_filter_test; }
