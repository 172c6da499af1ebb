# SPDX-License-Identifier: GPL-2.0
#
# sgfilterctl tests: status names the backend and the kernel (patched, or
# stock: the module's stock backend). Sourced by sgfilterctl_test.sh after
# the made-up sysfs trees exist.
# shellcheck shell=bash disable=SC2154

# status_says TREE WHAT JSON-BACKEND JSON-KERNEL TEXT
status_says() {
	local tree=$1 what=$2 backend=$3 kernel=$4 text=$5
	SGFILTER_SYSFS=$tree expect_status 0 "status: $what" status
	grep -q "^backend: $text" "$tmp/out" && ok "... says \"$text\"" ||
		{ not_ok "... says \"$text\""; sed 's/^/# /' "$tmp/out"; }
	SGFILTER_SYSFS=$tree run 0 --json status
	grep -q "\"backend\": *\"$backend\"" "$tmp/out" && grep -q "\"kernel\": *\"$kernel\"" "$tmp/out" &&
		ok "... --json: backend $backend, kernel $kernel" ||
		{ not_ok "... --json: backend $backend, kernel $kernel"; sed 's/^/# /' "$tmp/out"; }
}

# a stock kernel: no unpriv_sgio files unless the module's stock backend runs
stock=$tmp/stock
cp -r "$nomod" "$stock"
rm -f "$stock"/bus/scsi/devices/*/unpriv_sgio
status_says "$nomod" "patched kernel, no module" built-in patched "built-in tables"
status_says "$stock" "stock kernel, no module" none stock "none: this kernel filters SG_IO by mainline's list"
status_says "$mod" "patched kernel, module" module patched "sgfilter module (editable tables)$"
cp -r "$mod" "$stock-mod"
echo stock > "$stock-mod/kernel/sgfilter/backend"
status_says "$stock-mod" "stock kernel, module" module stock "sgfilter module (editable tables), stock backend"
