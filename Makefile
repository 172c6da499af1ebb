# SPDX-License-Identifier: GPL-2.0
#
# sgfilter: class-aware SG_IO command filtering for Linux.
#
#   make check   everything: unit tests, then the VM tests (installs what it needs)
#   make demo    the CVE-2012-4542 demonstration on mainline, patched and Debian's
#                own 6.12 kernels (before and after modprobe sgfilter), and the
#                unprivileged QEMU's guest on the patched and Debian's kernels
#   make unit    the fast user-space tests only
#   make vm      the VM tests only
#   make stress  the long runs: fuzzing 10 minutes per target, 200 module
#                reloads under SG_IO load
#   make kernel  build (or reuse) the patched test kernel
#   make bench   the benchmarks: build/bench/results.md, results.png and logs/
#   make bench-publish   copy them into bench/ (the logs as bench/logs.tar.xz)
#   make bench-report    bench/results.md and .png again from bench/logs.tar.xz
#   make bench-insns  the instructions of one decision, per form and command
#                (bench/decide-insns.sh, callgrind; no VM, a few seconds)
#   make / make install [DESTDIR=... PREFIX=/usr]   sgfilterctl, its man page,
#                completion, udev rule and systemd unit; they install only the
#                packages the build needs (tools/build-deps.sh), the tests all
#                of them (tests/deps.sh)

# The patched kernel source (extracted on first use), for the tests: kernel.sh
# hashes the 150 MB tarball, so it runs at most once per make, when first needed
KERNEL_SRC = $(eval KERNEL_SRC := $(shell tests/vm/kernel.sh --source))$(KERNEL_SRC)
# What sgfilterctl is built against: KSRC=/path/to/patched/linux if given, else
# the three files of a patched tree it compiles (tools/ksrc-min.sh)
TOOL_KSRC = $(if $(KSRC),$(KSRC),$(CURDIR)/$(BUILD)/ksrc-min)
UNIT_CFLAGS = -O2 -g -Wall -Wextra -Wno-sign-compare -Werror \
	-Itools/shim -idirafter $(KERNEL_SRC)/include
# The shim's one .c file, in every program that builds kernel code through it
KSHIM = tools/shim/kshim.c
BUILD = build
FUZZ_SECONDS ?= 15

.PHONY: all install module-source dkms-install vm-stock tool build-deps unit-tool unit-fuzz stress bench bench-publish bench-report check demo unit unit-builtin-tables unit-audit unit-table-edits unit-harness unit-docs unit-bench bench-insns vm vm-lifetime kernel deps clean

all: tool

tool: build-deps
	@$(if $(KSRC),:,tools/ksrc-min.sh $(TOOL_KSRC))
	@$(MAKE) -s -C tools/sgfilterctl KSRC=$(TOOL_KSRC)

# sgfilter.ko's source tree as DKMS takes it; its DKMS install (root, with
# dkms and the running kernel's headers). An earlier sgfilter/VERSION is
# removed from DKMS first, so a second run builds the source as it is now.
# (make vm-stock builds it with dkms too, in a tree of its own:
# tests/vm/stock-initramfs.sh.)
DKMS_VERSION = $(shell sed -n 's/^PACKAGE_VERSION="\(.*\)"$$/\1/p' kernel/sgfilter/dkms.conf)
module-source:
	@tools/module-source.sh $(BUILD)/sgfilter-src

dkms-install:
	@if dkms status sgfilter/$(DKMS_VERSION) 2>/dev/null | grep -q .; then \
		dkms remove sgfilter/$(DKMS_VERSION) --all; fi
	@tools/module-source.sh /usr/src/sgfilter-$(DKMS_VERSION)
	dkms install sgfilter/$(DKMS_VERSION)

install: tool
	@$(MAKE) -s -C tools/sgfilterctl KSRC=$(TOOL_KSRC) install

check:
	@tests/check.sh

build-deps:
	@tools/build-deps.sh

deps:
	@tests/deps.sh

unit: unit-builtin-tables unit-audit unit-table-edits unit-tool unit-harness unit-docs unit-bench

# The built-in tables (the patched kernel's scsi_sgio.c) against mainline's
# list plus the differences in Documentation/default-policy.rst
unit-builtin-tables: deps
	@mkdir -p $(BUILD)
	@$(CC) $(UNIT_CFLAGS) -o $(BUILD)/builtin_tables_test tests/unit/builtin_tables_test.c \
		$(KERNEL_SRC)/drivers/scsi/scsi_sgio.c $(KSHIM)
	@$(BUILD)/builtin_tables_test Documentation/default-policy.rst

unit-audit: deps
	@mkdir -p $(BUILD)
	@$(CC) $(UNIT_CFLAGS) -o $(BUILD)/audit_test tests/unit/audit_test.c \
		$(KERNEL_SRC)/drivers/scsi/scsi_sgio.c $(KSHIM) -lsgutils2
	@$(BUILD)/audit_test

# sgfilter.ko's table edits (kernel/sgfilter/edits.c) in user space
unit-table-edits: deps
	@mkdir -p $(BUILD)
	@$(CC) $(UNIT_CFLAGS) -o $(BUILD)/table_edits_test \
		tests/unit/table_edits_test.c kernel/sgfilter/edits.c \
		$(KERNEL_SRC)/drivers/scsi/scsi_sgio.c $(KSHIM)
	@$(BUILD)/table_edits_test

unit-tool: deps tool
	@tests/unit/sgfilterctl_test.sh tools/sgfilterctl/sgfilterctl

unit-fuzz: deps
	@tests/fuzz/run.sh $(KERNEL_SRC) $(FUZZ_SECONDS)

# The long variants of the robustness tests
stress: deps
	@tests/fuzz/run.sh $(KERNEL_SRC) 600
	@SGF_RELOADS=200 tests/vm/run.sh --timeout 3600 stress

bench: deps
	@bench/run.sh

bench-insns: deps
	@bench/decide-insns.sh $(KERNEL_SRC) $(BUILD)/bench

bench-publish:
	@bench/publish.sh

# no VM: the report from the committed logs (the unit test compares them)
bench-report:
	@python3 bench/report.py bench/logs.tar.xz bench

unit-harness:
	@tests/unit/judge_run_test.sh

unit-bench: deps
	@tests/unit/bench_report_test.sh

unit-docs: deps
	@tests/unit/docs_test.sh $(KERNEL_SRC)

# bench_filter: the filter benchmark's machinery, two short rounds (its
# figures mean nothing on the debug kernel; make bench measures). libvirt:
# Debian's libvirtd with sgfilter's hook, domains on the LIO LUN (issue 15),
# about 8 minutes of the run under TCG: the VM gets 45 minutes, not 15
vm: deps
	@tests/vm/run.sh --timeout 2700 selftests_user selftests_root unpriv_sgio grants module tape_changer tool multipath matrix \
		badinput hotunplug stress qemu_client libvirt bench_filter

# sgfilter.ko's stock backend on Debian's own kernels, unmodified (issue
# 13): the stock behaviour, the backend, then the suites the patched kernel
# runs, with the module loaded. One release per run: STOCK_RELEASE=...
# stress and module reload it under SG_IO load, where unloaded means
# mainline's list (a reader's UNMAP passes) and loaded the protection.
# (tape_changer and module unload the module: they come last.) multipath:
# grants through a dm-multipath map, about 40 s of the run.
STOCK_SUITES = stock_smoke stock_backend stock_load selftests_user selftests_root qemu_client \
	unpriv_sgio grants multipath matrix badinput stress tape_changer module
vm-stock: deps
	@tests/vm/stock-run.sh $(STOCK_RELEASE) --timeout 1800 $(STOCK_SUITES)

# The module's lifetime: the kernel with CONFIG_DEBUG_KOBJECT_RELEASE
# (kernel/config/nodebug.config), where a sysfs file that outlives
# sgfilter.ko would be released 1-4 s after rmmod, into freed memory
vm-lifetime: deps
	@tests/vm/run.sh --no-debug --append sgf.module_reloads=8 module

kernel: deps
	@tests/vm/kernel.sh

demo: deps
	@tests/demo.sh

clean:
	rm -rf $(BUILD)
