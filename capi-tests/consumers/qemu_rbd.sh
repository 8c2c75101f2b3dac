#!/bin/sh
# qemu-img and qemu-io 7.2 with their rbd module on our libraries: create, info,
# convert a file in and out (byte-identical, and `qemu-img compare` agrees),
# resize, and qemu-io write/read/discard/zero patterns (read -P verifies).
# On a fresh local store, or on the cluster of CEPH_CONF (where the upstream
# rbd tool then checks the result: size and export equal to the file).
#
# usage: qemu_rbd.sh LIBDIR [CEPH_CONF]
set -eu
lib=$(cd "${1:?usage: qemu_rbd.sh LIBDIR [CEPH_CONF]}" && pwd)
conf=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
if ! qemu_img=$("$here/qemu72.sh"); then
    echo "SKIP: qemu 7.2 (could not download qemu-utils/qemu-block-extra 7.2)"
    exit 0
fi
qemu_io=$(dirname "$qemu_img")/qemu-io
work=$(mktemp -d /var/tmp/cephrs-qemu.XXXXXX)
trap '[ -n "${KEEP:-}" ] || rm -rf "$work"' EXIT
if [ -z "$conf" ]; then
    mkdir -p "$work/store"
    printf '[global]\nrados_local_store = %s/store\n' "$work" > "$work/ceph.conf"
    conf=$work/ceph.conf
    where="local store"
else
    where="cluster"
fi
pool=rbd
img=qemu-$$
conv=qemu-conv-$$
LD_LIBRARY_PATH=$lib /usr/bin/python3 - "$conf" "$pool" <<'PY'
import sys, rados
with rados.Rados(conffile=sys.argv[1]) as r:
    if not r.pool_exists(sys.argv[2]):
        r.create_pool(sys.argv[2])
        with r.open_ioctx(sys.argv[2]) as io:
            io.application_enable("rbd")
PY
spec() { echo "rbd:$pool/$1:conf=$conf"; }
fail=0
step() {  # step NAME CMD... : runs CMD with our libraries; output in $work/out
    name=$1
    shift
    if LD_LIBRARY_PATH=$lib timeout 300 "$@" > "$work/out" 2>&1; then
        return 0
    fi
    echo "FAIL: $name (rc $?)"
    cat "$work/out"
    fail=1
    return 1
}

# create + info
step "qemu-img create" "$qemu_img" create -f raw "$(spec "$img")" 64M
step "qemu-img info" "$qemu_img" info --output=json "$(spec "$img")" &&
    if ! grep -q '"virtual-size": 67108864' "$work/out"; then echo "FAIL: info: size"; cat "$work/out"; fail=1; fi

# convert a file in and out: data, holes and a tail that is not object-aligned
/usr/bin/python3 - "$work/in.raw" <<'PY'
import random, sys
rnd = random.Random(7)
with open(sys.argv[1], "wb") as f:
    for i in range(40):  # 40 x 512 KiB + 12345 bytes, every third chunk zero
        f.write(bytes(512 << 10) if i % 3 == 1 else rnd.randbytes(512 << 10))
    f.write(rnd.randbytes(12345))
PY
step "qemu-img convert in" "$qemu_img" convert -f raw -O raw "$work/in.raw" "$(spec "$conv")"
step "qemu-img convert out" "$qemu_img" convert -f raw -O raw "$(spec "$conv")" "$work/out.raw"
# the image is rounded up to a 512-byte multiple: compare the file's length
if ! cmp -n "$(stat -c %s "$work/in.raw")" "$work/in.raw" "$work/out.raw"; then
    echo "FAIL: convert out differs from the file converted in"; fail=1
fi
step "qemu-img compare" "$qemu_img" compare -f raw -F raw "$work/in.raw" "$(spec "$conv")"

# resize
step "qemu-img resize" "$qemu_img" resize -f raw "$(spec "$img")" 128M
step "qemu-img info after resize" "$qemu_img" info --output=json "$(spec "$img")" &&
    if ! grep -q '"virtual-size": 134217728' "$work/out"; then echo "FAIL: resize: size"; cat "$work/out"; fail=1; fi

# qemu-io patterns: read -P fails the run on a mismatch
step "qemu-io" "$qemu_io" -f raw \
    -c "write -P 0xab 0 1M" -c "write -P 0xcd 4190208 8k" -c "write -P 0xef 100M 64k" \
    -c "read -P 0xab 0 1M" -c "read -P 0xcd 4190208 8k" -c "read -P 0xef 100M 64k" \
    -c "discard 0 64k" -c "read -P 0 0 64k" -c "read -P 0xab 64k 960k" \
    -c "write -z 4190208 4k" -c "read -P 0 4190208 4k" -c "read -P 0xcd 4194304 4k" \
    -c "aio_write -P 0x11 2M 4k" -c "aio_write -P 0x22 3M 4k" -c "aio_flush" \
    -c "read -P 0x11 2M 4k" -c "read -P 0x22 3M 4k" "$(spec "$img")"
if grep -qiE 'fail|error|mismatch' "$work/out"; then echo "FAIL: qemu-io"; cat "$work/out"; fail=1; fi

# allocation through rbd_diff_iterate2 (fast-diff, whole objects): objects
# 0, 1 and 25 hold data, the rest reads as zeros (as upstream's map says)
step "qemu-img map" "$qemu_img" map --output=json -f raw "$(spec "$img")" &&
    if ! /usr/bin/python3 -c '
import json, sys
got = [(e["start"], e["length"], e["data"]) for e in json.load(open(sys.argv[1]))]
want = [(0, 8 << 20, True), (8 << 20, 92 << 20, False), (100 << 20, 4 << 20, True), (104 << 20, 24 << 20, False)]
sys.exit(0 if got == want else "map: %s, want %s" % (got, want))' "$work/out"; then fail=1; fi

# internal snapshots through qemu-img: create, list, apply (rollback), delete
step "qemu-img snapshot -c" "$qemu_img" snapshot -c before "$(spec "$img")"
step "qemu-io after snapshot" "$qemu_io" -f raw -c "write -P 0x77 64k 960k" -c "read -P 0x77 64k 960k" "$(spec "$img")"
if grep -qiE 'fail|error|mismatch' "$work/out"; then echo "FAIL: qemu-io after snapshot"; cat "$work/out"; fail=1; fi
step "qemu-img snapshot -l" "$qemu_img" snapshot -l "$(spec "$img")" &&
    if ! grep -q ' before ' "$work/out"; then echo "FAIL: snapshot -l does not list it"; cat "$work/out"; fail=1; fi
step "qemu-img snapshot -a" "$qemu_img" snapshot -a before "$(spec "$img")"
step "qemu-io after rollback" "$qemu_io" -f raw -c "read -P 0xab 64k 960k" -c "read -P 0x11 2M 4k" "$(spec "$img")"
if grep -qiE 'fail|error|mismatch' "$work/out"; then echo "FAIL: qemu-io after rollback"; cat "$work/out"; fail=1; fi
step "qemu-img snapshot -d" "$qemu_img" snapshot -d before "$(spec "$img")"
step "qemu-img snapshot -l after delete" "$qemu_img" snapshot -l "$(spec "$img")" &&
    if grep -q ' before ' "$work/out"; then echo "FAIL: snapshot still listed after -d"; cat "$work/out"; fail=1; fi

if [ "$where" = cluster ]; then
    # the upstream rbd tool (system libraries) sees what qemu wrote through ours
    size=$(rbd -c "$conf" info --format json "$pool/$img" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["size"])')
    [ "$size" = 134217728 ] || { echo "FAIL: rbd info size $size"; fail=1; }
    rbd -c "$conf" export "$pool/$conv" "$work/export.raw" > /dev/null 2>&1
    cmp -n "$(stat -c %s "$work/in.raw")" "$work/in.raw" "$work/export.raw" ||
        { echo "FAIL: rbd export differs from the file qemu-img converted in"; fail=1; }
fi
LD_LIBRARY_PATH=$lib /usr/bin/python3 - "$conf" "$pool" "$img" "$conv" <<'PY'
import sys, rados, rbd
with rados.Rados(conffile=sys.argv[1]) as r, r.open_ioctx(sys.argv[2]) as io:
    for name in sys.argv[3:]:
        rbd.RBD().remove(io, name)
PY
[ $fail = 0 ] && echo "qemu-img/qemu-io 7.2 on our libraries ($where): create, info, convert in/out byte-identical, compare, resize, qemu-io patterns, map (allocation), snapshot create/list/apply/delete: ok"
exit $fail
