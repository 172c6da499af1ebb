#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the libFuzzer targets with ASan and UBSan and run each for SECONDS,
# starting from the seed corpus in tests/fuzz/corpus (copied: the repository
# is not written to).
#
#   run.sh KERNEL-SRC SECONDS
set -uo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
ksrc=$1 secs=$2
work=$(mktemp -d)
trap 'rm -rf "$work" /tmp/sgfilter-fuzz-*.conf' EXIT
# shellcheck source=../vm/lib/ktap.sh
. "$top/tests/vm/lib/ktap.sh"
ktap_print_header
cflags=(-g -O1 -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
	-I"$top/tools/shim" -idirafter "$ksrc/include" -Wno-unused-command-line-argument
	$(pkg-config --cflags libxml-2.0))

build() { # NAME SOURCES...
	local name=$1
	shift
	clang "${cflags[@]}" -o "$work/$name" "$@" > "$work/$name.build" 2>&1
}

for target in entry sgfilterctl; do
	case $target in
	entry) srcs=("$top/tests/fuzz/fuzz_entry.c" "$top/kernel/sgfilter/edits.c"
		     "$ksrc/drivers/scsi/scsi_sgio.c" "$top/tools/shim/kshim.c") ;;
	sgfilterctl) srcs=("$top/tests/fuzz/fuzz_sgfilterctl.c")
		# the tool's files but sgfilterctl.c, which holds main()
		for f in "$top"/tools/sgfilterctl/*.c; do
			[ "${f##*/}" = sgfilterctl.c ] || srcs+=("$f")
		done
		srcs+=("$top/kernel/sgfilter/edits.c" "$ksrc/drivers/scsi/scsi_sgio.c"
		       "$top/tools/shim/kshim.c" -lsgutils2 $(pkg-config --libs libxml-2.0)) ;;
	esac
	if ! build "fuzz_$target" "${srcs[@]}"; then
		ktap_test_fail "fuzz_$target builds"; sed 's/^/# /' "$work/fuzz_$target.build" | head -20
		continue
	fi
	mkdir -p "$work/corpus_$target"
	cp "$top/tests/fuzz/corpus/$target/"* "$work/corpus_$target/"
	(cd "$work" && "./fuzz_$target" -max_total_time="$secs" -max_len=4096 -close_fd_mask=3 \
		"corpus_$target" > "fuzz_$target.log" 2>&1)
	rc=$?
	runs=$(grep -o 'Done [0-9]* runs' "$work/fuzz_$target.log" | grep -o '[0-9]*')
	if [ $rc = 0 ] && [ -n "$runs" ]; then
		ktap_test_pass "fuzz_$target: $runs executions in ${secs} s, no crash, no sanitizer report"
	else
		ktap_test_fail "fuzz_$target (exit status $rc)"
		grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$work/fuzz_$target.log" | head -10 | sed 's/^/# /'
	fi
done
ktap_finished
