#!/bin/sh
# `make install PREFIX=…` installs libraries, symlinks, headers and pkg-config
# files; a C program built with `pkg-config --cflags --libs librbd` against the
# installed copy links, runs, and uses the installed libraries.
#
# usage: check_install.sh REPO_ROOT
set -eu
root=$(cd "$1" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
prefix=$tmp/prefix
make -C "$root" -s install PREFIX="$prefix" > "$tmp/install.log" 2>&1 || { cat "$tmp/install.log"; exit 1; }
for f in lib/libcephrs.so.1 lib/librbd.so.1.16.0 lib/librbd.so.1 lib/librbd.so lib/librados.so.2.0.0 \
         lib/librados.so.2 lib/librados.so include/rbd/librbd.h include/rbd/features.h \
         include/rados/librados.h include/rados/rados_types.h lib/pkgconfig/librbd.pc lib/pkgconfig/librados.pc; do
    [ -e "$prefix/$f" ] || { echo "FAIL: $f not installed"; exit 1; }
done
export PKG_CONFIG_PATH=$prefix/lib/pkgconfig
flags=$(pkg-config --cflags --libs librbd)
libdir=$(pkg-config --variable=libdir librbd)
cc -std=c11 -Wall -Werror -o "$tmp/prog" "$root/capi-tests/c/upstream_api.c" $flags -Wl,-rpath,"$libdir"
"$tmp/prog" > "$tmp/out"
grep -q '^librbd 1.16.0$' "$tmp/out" || { echo "FAIL: installed program output"; cat "$tmp/out"; exit 1; }
mapped=$(ldd "$tmp/prog" | awk '/librbd|librados|libcephrs/ { print $3 }' | sort | tr '\n' ' ')
for l in $mapped; do
    case "$l" in "$prefix"/lib/*) ;; *) echo "FAIL: program uses $l, not the installed copy"; exit 1 ;; esac
done
echo "install: PREFIX layout complete; pkg-config program (\`$flags\`) runs on $mapped"
