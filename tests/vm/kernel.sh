#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# Build the test kernel and print the path of its build tree.
#
#   kernel.sh [--mainline] [--no-debug | --bench] [--source]
#
# --source stops after extracting and patching and prints the source tree.
# The source is Debian's linux-source-6.12, extracted and patched with
# kernel/patches/ in series order; the config is tinyconfig plus
# kernel/config/base.config and debug.config (--no-debug: nodebug.config;
# --bench: bench.config, the benchmark kernel). Trees are
# cached under $SGF_CACHE (default /var/tmp/sgfilter-cache), keyed by a hash
# of the patches and the config, so a rebuild happens only when one of them
# changes. --mainline builds without the patch series, for comparison.
set -euo pipefail

top=$(cd "$(dirname "$0")/../.." && pwd)
cache=${SGF_CACHE:-/var/tmp/sgfilter-cache}
tarball=${SGF_KERNEL_TARBALL:-/usr/src/linux-source-6.12.tar.xz}
jobs=${SGF_JOBS:-$(($(nproc) + 1))}
mainline=0 kind=debug source_only=0
for arg; do
	case $arg in
	--mainline) mainline=1 ;;
	--no-debug) kind=nodebug ;;
	--bench) kind=bench ;;
	--source) source_only=1 ;;
	*) echo "usage: $0 [--mainline] [--no-debug | --bench] [--source]" >&2; exit 2 ;;
	esac
done

say() { echo "kernel.sh: $*" >&2; }

[ -r "$tarball" ] || { say "no kernel source at $tarball (apt-get install linux-source-6.12)"; exit 1; }

fragments=("$top/kernel/config/base.config")
fragments+=("$top/kernel/config/$kind.config")
patches=()
if [ $mainline = 0 ]; then
	while read -r p; do
		[ -n "$p" ] && [ "${p#\#}" = "$p" ] && patches+=("$top/kernel/patches/$p")
	done < "$top/kernel/patches/series"
fi

# Everything that decides what gets built goes into the key.
key=$( { sha256sum "$tarball" | cut -c1-16
	 cat "${fragments[@]}" ${patches[@]+"${patches[@]}"}
	 echo "mainline=$mainline kind=$kind"; } | sha256sum | cut -c1-12)
name=$([ $mainline = 1 ] && echo mainline || echo sgfilter)-$kind-$key
src=$cache/$name/src
obj=$cache/$name/obj

if [ -e "$cache/$name/.built" ]; then
	echo "$([ $source_only = 1 ] && echo "$src" || echo "$obj")"
	exit 0
fi

start=$(date +%s)
# One kernel.sh at a time per cache: another one would prune or patch the
# tree this one is patching (make unit asks for the source while a build runs)
mkdir -p "$cache"
exec 9>"$cache/.kernel.lock"
flock 9
if [ -e "$cache/$name/.built" ]; then
	echo "$([ $source_only = 1 ] && echo "$src" || echo "$obj")"
	exit 0
fi
if [ ! -e "$cache/$name/.patched" ]; then
	# Keep the cache small: trees of other keys of the same kind go.
	for old in "$cache"/"${name%-*}"-*; do
		[ "$old" = "$cache/$name" ] || [ ! -d "$old" ] || rm -rf "$old"
	done
	rm -rf "$cache/$name"
	mkdir -p "$src" "$obj"
	say "extracting $tarball"
	tar -xf "$tarball" -C "$src" --strip-components=1
	for p in ${patches[@]+"${patches[@]}"}; do
		say "applying $(basename "$p")"
		patch -d "$src" -p1 --batch --forward --quiet < "$p"
	done
	touch "$cache/$name/.patched"
fi
if [ $source_only = 1 ]; then
	echo "$src"
	exit 0
fi

say "configuring ($(basename -a "${fragments[@]}" | tr '\n' ' '))"
make -s -C "$src" O="$obj" ARCH=x86_64 tinyconfig >/dev/null
ARCH=x86_64 "$src"/scripts/kconfig/merge_config.sh -m -O "$obj" "$obj/.config" "${fragments[@]}" >/dev/null
make -s -C "$src" O="$obj" ARCH=x86_64 olddefconfig >/dev/null </dev/null
# Every option asked for must have survived the dependency resolution.
missing=0
for f in "${fragments[@]}"; do
	while IFS= read -r line; do
		case $line in CONFIG_*=*) ;; *) continue ;; esac
		grep -qxF "$line" "$obj/.config" || { say "config: $line did not stick"; missing=1; }
	done < "$f"
done
[ $missing = 0 ] || exit 1

say "building in $obj with -j$jobs"
make -s -C "$src" O="$obj" ARCH=x86_64 -j"$jobs" bzImage modules </dev/null >"$obj/build.log" 2>&1 ||
	{ tail -40 "$obj/build.log" >&2; exit 1; }
touch "$cache/$name/.built"
say "built $name in $(( $(date +%s) - start )) s"
echo "$obj"
