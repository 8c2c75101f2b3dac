#!/bin/sh
# The built libraries export exactly upstream's C functions, with upstream's
# SONAMEs and symbol versions, and nothing else from Rust or std.
#
# usage: check_exports.sh LIBDIR
set -eu
lib=$1
abi=$(cd "$(dirname "$0")/../../abi" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
bad() { echo "FAIL: $*"; fail=1; }

# defined function names, versions stripped
names() { nm -D --defined-only "$1" | awk '$2 == "T" { sub(/@.*/, "", $3); print $3 }' | sort -u; }

names "$lib/librbd.so.1" > "$tmp/rbd"
sort -u "$abi/librbd.exports" > "$tmp/rbd.want"
diff -u "$tmp/rbd.want" "$tmp/rbd" > "$tmp/rbd.diff" || { bad "librbd.so.1 exports differ"; cat "$tmp/rbd.diff"; }

names "$lib/librados.so.2" > "$tmp/rados"
sort -u "$abi/librados.exports" > "$tmp/rados.want"
diff -u "$tmp/rados.want" "$tmp/rados" > "$tmp/rados.diff" || { bad "librados.so.2 exports differ"; cat "$tmp/rados.diff"; }

# the engine: the union, and not one other symbol (no Rust, no std)
names "$lib/libcephrs.so.1" > "$tmp/engine"
sort -u "$abi/librbd.exports" "$abi/librados.exports" > "$tmp/engine.want"
diff -u "$tmp/engine.want" "$tmp/engine" > "$tmp/engine.diff" || { bad "libcephrs.so.1 exports differ"; cat "$tmp/engine.diff"; }
others=$(nm -D --defined-only "$lib/libcephrs.so.1" "$lib/librbd.so.1" "$lib/librados.so.2" |
    awk 'NF == 3 && $2 != "A" && $3 !~ /^(rbd|rados)_/' | wc -l)
[ "$others" -eq 0 ] || bad "$others non-API symbols exported"

# SONAMEs and the filter that joins them to one engine
soname() { objdump -p "$1" | awk '$1 == "SONAME" { print $2 }'; }
[ "$(soname "$lib/librbd.so.1")" = librbd.so.1 ] || bad "librbd SONAME"
[ "$(soname "$lib/librados.so.2")" = librados.so.2 ] || bad "librados SONAME"
for f in librbd.so.1 librados.so.2; do
    objdump -p "$lib/$f" | grep -q 'FILTER *libcephrs.so.1' || bad "$f is not a filter of libcephrs.so.1"
done
for link in librbd.so librbd.so.1 librados.so librados.so.2; do
    [ -L "$lib/$link" ] || bad "missing symlink $link"
done
[ -f "$lib/librbd.so.1.16.0" ] && [ -f "$lib/librados.so.2.0.0" ] || bad "missing versioned files"

# symbol versions: (name, version, hidden) of every rados_/rbd_ function
versions() {
    objdump -T "$1" | awk '$4 == ".text" && ($NF ~ /^(rados|rbd)_/) {
        v = $(NF-1); if (v ~ /^0/) v = $(NF-2); print $NF, v }' | sort -u
}
versions "$lib/librados.so.2" > "$tmp/rados.versions"
for f in rados_ioctx_pool_stat rados_tmap_get rados_tmap_put rados_tmap_update; do
    grep -qx "$f LIBRADOS_14.2.0" "$tmp/rados.versions" || bad "$f@@LIBRADOS_14.2.0 missing"
    grep -qx "$f (Base)" "$tmp/rados.versions" || bad "$f@ (hidden base) missing"
done
[ "$(grep -c ' Base$' "$tmp/rados.versions")" -eq 238 ] || bad "expected 238 rados_ functions at Base"
if objdump -p "$lib/librbd.so.1" | grep -q 'Version definitions'; then bad "librbd.so.1 must have no version definitions"; fi
verdefs() { readelf -V "$1" | awk '/Version definition/ {p=1} /Version needs/ {p=0} p && /Name:/ {print $NF}' | tr '\n' ' '; }
[ "$(verdefs "$lib/librados.so.2")" = "librados.so.2 LIBRADOS_PRIVATE LIBRADOS_14.2.0 " ] ||
    bad "librados.so.2 version definitions: $(verdefs "$lib/librados.so.2")"

# compared with upstream's own libraries, when installed
up=/usr/lib/x86_64-linux-gnu
if [ -f "$up/librados.so.2" ] && [ -f "$up/librbd.so.1" ]; then
    versions "$up/librados.so.2" > "$tmp/up.rados.versions"
    diff -u "$tmp/up.rados.versions" "$tmp/rados.versions" || bad "librados versions differ from upstream's"
    names "$up/librbd.so.1" | grep "^rbd_" > "$tmp/up.rbd"
    diff -u "$tmp/up.rbd" "$tmp/rbd" || bad "librbd exports differ from upstream's"
    [ "$(verdefs "$up/librados.so.2")" = "$(verdefs "$lib/librados.so.2")" ] || bad "version definitions differ from upstream's"
else
    echo "SKIP: upstream comparison (librados2/librbd1 not installed)"
fi

[ $fail -eq 0 ] && echo "exports: $(wc -l < "$tmp/rbd") librbd + $(wc -l < "$tmp/rados") librados functions, versions as upstream"
exit $fail
