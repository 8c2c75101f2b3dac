#!/bin/sh
# fio and qemu-img 7.2 (both linked BIND_NOW against librbd/librados) start with
# our libraries, reach our code and fail cleanly with our error: no crash, no hang.
# The configuration names a monitor that does not answer (auth none, a 3 s
# mount timeout), so the error is rados_connect's -ETIMEDOUT, as upstream's.
#
# usage: load_consumers.sh LIBDIR
set -eu
lib=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
printf '[global]\nmon_host = 127.0.0.1:1\nauth_client_required = none\nclient_mount_timeout = 3\n' > "$tmp/ceph.conf"

# fio
if LD_LIBRARY_PATH=$lib fio --enghelp=rbd > "$tmp/enghelp" 2>&1 && grep -q '^rbdname' "$tmp/enghelp"; then
    echo "fio --enghelp=rbd: ok"
else
    echo "FAIL: fio --enghelp=rbd"; cat "$tmp/enghelp"; fail=1
fi
set +e
CEPH_CONF=$tmp/ceph.conf LD_LIBRARY_PATH=$lib timeout 60 fio --name=t --ioengine=rbd --pool=rbd --rbdname=img \
    --clientname=admin --rw=write --bs=4k --size=1M > "$tmp/fio.out" 2>&1
rc=$?
set -e
if [ $rc -ge 124 ]; then
    echo "FAIL: fio rbd job crashed or hung (rc $rc)"; cat "$tmp/fio.out"; fail=1
elif grep -q 'rados_connect failed' "$tmp/fio.out"; then
    echo "fio rbd job: fails cleanly at rados_connect (rc $rc)"
else
    echo "FAIL: fio rbd job did not report our error"; cat "$tmp/fio.out"; fail=1
fi

# qemu-img 7.2 with its rbd module
if qemu_img=$("$here/qemu72.sh"); then
    set +e
    LD_LIBRARY_PATH=$lib timeout 60 "$qemu_img" info "rbd:rbd/img:conf=$tmp/ceph.conf" > "$tmp/qemu.out" 2>&1
    rc=$?
    set -e
    if [ $rc -ge 124 ]; then
        echo "FAIL: qemu-img crashed or hung (rc $rc)"; cat "$tmp/qemu.out"; fail=1
    elif grep -q 'error connecting: Connection timed out' "$tmp/qemu.out"; then
        echo "qemu-img 7.2 info rbd:…: reaches our rados_connect and reports -ETIMEDOUT (rc $rc)"
    else
        echo "FAIL: qemu-img did not report our error"; cat "$tmp/qemu.out"; fail=1
    fi
else
    echo "SKIP: qemu-img 7.2 (could not download qemu-utils/qemu-block-extra 7.2)"
fi
exit $fail
