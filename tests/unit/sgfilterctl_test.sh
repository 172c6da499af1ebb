#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl in user space, against a made-up sysfs tree (SGFILTER_SYSFS):
# argument parsing, opcode names per class, policy files, JSON output,
# per-device grants, the libvirt hook.
# The tests are in sgfilterctl_test_*.sh by command group, run in this
# order in this shell (they share the trees and the counts);
# sgfilterctl_test_lib.sh has the helpers.
#
#   sgfilterctl_test.sh PATH-TO-SGFILTERCTL
set -uo pipefail

tool=$1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
here=$(dirname "$0")
# the lock and the runtime state of grants: the test's own, not the host's
export SGFILTER_RUN_DIR=$tmp/run

# shellcheck source=../vm/lib/ktap.sh
. "$here/../vm/lib/ktap.sh"
# shellcheck source=sgfilterctl_test_lib.sh
. "$here/sgfilterctl_test_lib.sh"
ktap_print_header

make_sysfs_without_module		# nomod, SGFILTER_SYSFS
. "$here/sgfilterctl_test_args.sh"
. "$here/sgfilterctl_test_check.sh"

make_sysfs_with_module			# mod, SGFILTER_SYSFS
. "$here/sgfilterctl_test_tables.sh"
. "$here/sgfilterctl_test_policy.sh"
. "$here/sgfilterctl_test_load.sh"
. "$here/sgfilterctl_test_status.sh"
. "$here/sgfilterctl_test_grants.sh"
. "$here/sgfilterctl_test_libvirt.sh"

ktap_finished
