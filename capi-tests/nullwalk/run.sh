#!/bin/sh
# Generates, builds and runs the NULL walk (see gen_nullwalk.py).
# usage: nullwalk/run.sh LIBDIR INCLUDEDIR
set -eu
lib=$(cd "$1" && pwd)
inc=$(cd "$2" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/../../tools/abi_status.py" --enosys > "$tmp/enosys.txt"
python3 "$here/gen_nullwalk.py" "$inc" "$tmp/enosys.txt" > "$tmp/nullwalk.c"
cc -O0 -w -I "$inc" -o "$tmp/nullwalk" "$tmp/nullwalk.c" -L "$lib" -lrbd -lrados -Wl,-rpath,"$lib"
mkdir -p "$tmp/store"
CEPHRS_NULLWALK_STORE=$tmp/store "$tmp/nullwalk"
