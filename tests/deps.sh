#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages the tests need (make check, make vm, make
# bench, ...), with those the build needs (tools/build-deps.sh), if any is
# missing. -n: say what would be installed, install nothing.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
dry=()
[ "${1:-}" != -n ] || dry=(-n)
exec "$top/tools/build-deps.sh" ${dry[@]+"${dry[@]}"} \
	linux-source-6.12 xz-utils patch bc flex bison libelf-dev libssl-dev \
	cpio kmod qemu-system-x86 busybox-static sg3-utils python3 clang \
	libvirt-daemon libvirt-daemon-driver-qemu libvirt-clients \
	libclang-rt-14-dev gnuplot-nox dmsetup valgrind fio
