# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl tests: usage errors; reading and changing without the module.
# Sourced by sgfilterctl_test.sh, in its order: the made-up sysfs trees,
# the helpers and the counts are its.
# shellcheck shell=bash disable=SC2154

expect_status 0 "--help" --help
expect_status 0 "--version" --version
expect_status 2 "no command is a usage error"
expect_status 2 "an unknown command is a usage error" frobnicate
expect_status 2 "show without a class is a usage error" show
expect_status 2 "show of an unknown class is a usage error" show floppy
expect_status 2 "allow with a permission that is not read or write" allow disk fly 0x5f
expect_status 2 "check without a command is a usage error" check 1:0:0:0
expect_status 1 "an unknown device is an error" unpriv 9:9:9:9
grep -q '9:9:9:9' "$tmp/err" && ok "... and the message names it" || not_ok "... and the message names it"

# without the module: reading works, changing tables is refused with a hint
expect_status 0 "show disk works without the module" show disk
grep -q '^0x28 .*read .*Read(10)' "$tmp/out" && ok "... and lists READ(10) as read" ||
	not_ok "... and lists READ(10) as read"
expect_status 1 "allow without the module is an error" allow disk write 0x5f
grep -q 'Hint: modprobe sgfilter' "$tmp/err" && ok "... with a Hint to load it" || not_ok "... with a Hint to load it"
expect_status 0 "unpriv works without the module" unpriv 1:0:0:0 on
[ "$(cat "$nomod/bus/scsi/devices/1:0:0:0/unpriv_sgio")" = 1 ] && ok "... and wrote 1" || not_ok "... and wrote 1"
expect_status 2 "unpriv with a value that is not on/off" unpriv 1:0:0:0 maybe
