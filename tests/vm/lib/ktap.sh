# SPDX-License-Identifier: GPL-2.0
#
# KTAP output for the shell test suites (the VM suites, the shell unit
# tests), after the kernel's tools/testing/selftests/kselftest/ktap_helpers.sh.
# POSIX sh: busybox ash in the VM, bash on the host. Source it, then:
#
#   ktap_print_header              "TAP version 13"
#   ktap_set_plan N                "1..N", when the count is known up front
#   ktap_test_pass DESC            "ok N - DESC"
#   ktap_test_fail DESC            "not ok N - DESC"
#   ktap_test_skip DESC [REASON]   "ok N - DESC # SKIP REASON"
#   ktap_test_result DESC CMD...   run CMD: pass if it succeeds, else fail
#   ktap_test_status STATUS DESC   pass if STATUS (an exit status, $?) is 0
#   ktap_print_msg TEXT...         "# TEXT", a diagnostic line
#   ktap_finished                  the plan (unless set up front) and
#                                  "# Totals: pass:N fail:N xfail:0 xpass:0 skip:N error:0";
#                                  returns 1 if a test failed or the plan
#                                  was not met, else 0
#
# Unlike kselftest's, ktap_finished returns instead of exiting: a VM suite
# is a shell function (and the setup suite runs in PID 1). The results keep
# TAP's "- " before the description, which KTAP parsers accept.

KTAP_TESTNO=1
KTAP_CNT_PASS=0
KTAP_CNT_FAIL=0
KTAP_CNT_SKIP=0
KTAP_PLAN=

ktap_print_header() {
	echo "TAP version 13"
}

ktap_print_msg() {
	echo "# $*"
}

ktap_set_plan() {
	KTAP_PLAN=$1
	echo "1..$1"
}

__ktap_test() {
	echo "$1 $KTAP_TESTNO - $2${3:+ # $3}"
	KTAP_TESTNO=$((KTAP_TESTNO + 1))
}

ktap_test_pass() {
	__ktap_test ok "$1"
	KTAP_CNT_PASS=$((KTAP_CNT_PASS + 1))
}

ktap_test_fail() {
	__ktap_test "not ok" "$1"
	KTAP_CNT_FAIL=$((KTAP_CNT_FAIL + 1))
}

ktap_test_skip() {
	__ktap_test ok "$1" "SKIP${2:+ $2}"
	KTAP_CNT_SKIP=$((KTAP_CNT_SKIP + 1))
}

ktap_test_result() {
	local desc=$1
	shift
	if "$@"; then ktap_test_pass "$desc"; else ktap_test_fail "$desc"; fi
}

ktap_test_status() {
	if [ "$1" = 0 ]; then ktap_test_pass "$2"; else ktap_test_fail "$2"; fi
}

ktap_print_totals() {
	echo "# Totals: pass:$KTAP_CNT_PASS fail:$KTAP_CNT_FAIL xfail:0 xpass:0 skip:$KTAP_CNT_SKIP error:0"
}

ktap_finished() {
	local ran=$((KTAP_TESTNO - 1))
	[ -n "$KTAP_PLAN" ] || echo "1..$ran"
	ktap_print_totals
	[ "$KTAP_CNT_FAIL" = 0 ] && [ "${KTAP_PLAN:-$ran}" = "$ran" ]
}
