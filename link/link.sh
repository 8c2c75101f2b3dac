#!/bin/sh
# Links the public libraries from the Rust static library (see docs/DESIGN.md,
# "Library layout"):
#
#   libcephrs.so.1          the engine: all of the Rust code, one instance per process;
#                           exports every rbd_* and rados_* function (private version
#                           node CEPHRS_ENGINE), rados_ioctx_pool_stat and rados_tmap_*
#                           at LIBRADOS_14.2.0, and their hidden-base legacy aliases.
#   librbd.so.1.16.0        filter libraries (DT_FILTER -> libcephrs.so.1): each
#   librados.so.2.0.0       exports exactly its upstream symbol set with upstream's
#                           versions; glibc binds every reference to the engine.
#
# usage: link/link.sh STATICLIB OUTDIR
set -eu

staticlib=$1
out=$2
here=$(cd "$(dirname "$0")" && pwd)
abi=$here/../abi
gen=$out/.link
mkdir -p "$out" "$gen"

versioned="rados_ioctx_pool_stat rados_tmap_get rados_tmap_put rados_tmap_update"

is_versioned() {
    case " $versioned " in *" $1 "*) return 0 ;; esac
    return 1
}

# ---- engine version script ---------------------------------------------------
{
    echo "CEPHRS_ENGINE {"
    echo "  global:"
    for f in $(cat "$abi/librbd.exports" "$abi/librados.exports"); do
        is_versioned "$f" || echo "    $f;"
    done
    echo "  local: *;"
    echo "};"
    echo "LIBRADOS_14.2.0 {"
    echo "  global:"
    for f in $versioned; do echo "    $f;"; done
    echo "} CEPHRS_ENGINE;"
} > "$gen/engine.map"

# ---- the engine ---------------------------------------------------------------
strip_flag=-Wl,--strip-debug
[ "${CEPHRS_KEEP_DEBUG:-0}" = 1 ] && strip_flag=
${CC:-cc} -shared -o "$out/libcephrs.so.1" -Wl,-soname,libcephrs.so.1 \
    "$here/legacy_aliases.S" \
    -Wl,--whole-archive "$staticlib" -Wl,--no-whole-archive \
    -Wl,--version-script="$gen/engine.map" -Wl,--no-undefined-version \
    -Wl,--gc-sections -Wl,--no-undefined -Wl,-z,now -Wl,-z,relro -Wl,-z,noexecstack \
    $strip_flag \
    -lgcc_s -lutil -lrt -lpthread -lm -ldl -lc

# ---- filter libraries -----------------------------------------------------------
# One never-executed stub per symbol (glibc resolves it in the filtee first).
# emit_stub NAME VERSION: VERSION is "@@" (base), "@@LIBRADOS_14.2.0" or "@" (hidden base);
# "" means an unversioned library (librbd has no version definitions at all).
emit_stub() {
    stub="cephrs_stub_$(printf '%s' "$1$2" | tr -c 'A-Za-z0-9_\n' '_')"
    if [ -z "$2" ]; then stub=$1; fi
    printf '\t.globl %s\n\t.type %s,@function\n%s:\n\tud2\n\t.size %s, .-%s\n' \
        "$stub" "$stub" "$stub" "$stub" "$stub"
    [ -n "$2" ] && printf '\t.symver %s, %s%s\n' "$stub" "$1" "$2"
    return 0
}

{
    printf '\t.text\n'
    for f in $(cat "$abi/librbd.exports"); do emit_stub "$f" ""; done
    printf '\t.section .note.GNU-stack,"",@progbits\n'
} > "$gen/librbd-filter.S"
{
    echo "{"
    echo "  global:"
    for f in $(cat "$abi/librbd.exports"); do echo "    $f;"; done
    echo "  local: *;"
    echo "};"
} > "$gen/librbd-filter.map"

{
    printf '\t.text\n'
    for f in $(cat "$abi/librados.exports"); do
        if is_versioned "$f"; then
            emit_stub "$f" "@@LIBRADOS_14.2.0"
            emit_stub "$f" "@"
        else
            emit_stub "$f" "@@"
        fi
    done
    printf '\t.section .note.GNU-stack,"",@progbits\n'
} > "$gen/librados-filter.S"
printf 'LIBRADOS_PRIVATE {\n  local: *;\n};\nLIBRADOS_14.2.0 {\n} LIBRADOS_PRIVATE;\n' > "$gen/librados-filter.map"

link_filter() {  # link_filter SONAME FILE SOURCE MAP
    ${CC:-cc} -shared -nostdlib -o "$out/$2" -Wl,-soname,"$1" "$3" \
        -Wl,--version-script="$4" -Wl,--filter=libcephrs.so.1 \
        -Wl,-rpath,'$ORIGIN' -Wl,--enable-new-dtags -Wl,-z,noexecstack
}
link_filter librbd.so.1 librbd.so.1.16.0 "$gen/librbd-filter.S" "$gen/librbd-filter.map"
link_filter librados.so.2 librados.so.2.0.0 "$gen/librados-filter.S" "$gen/librados-filter.map"

ln -sf librbd.so.1.16.0 "$out/librbd.so.1"
ln -sf librbd.so.1 "$out/librbd.so"
ln -sf librados.so.2.0.0 "$out/librados.so.2"
ln -sf librados.so.2 "$out/librados.so"
ln -sf libcephrs.so.1 "$out/libcephrs.so"
echo "linked: $out/libcephrs.so.1 $out/librbd.so.1.16.0 $out/librados.so.2.0.0"
