#!/bin/sh
# fio's rbd engine on our libraries: the four jobs of the RBD issue, each with
# --verify=crc32c, on a fresh image of a fresh local store (or, with a
# ceph.conf as second argument, on that cluster). A job passes when fio exits
# 0 and reports err=0; the random-read job verifies data laid down by a
# verified sequential fill.
# With RESTART (a daemon of the cluster, e.g. osd.1) the random-write job runs
# once more while tools/cluster.sh restarts that daemon in the middle: no I/O
# error may reach fio and the verify pass must succeed.
#
# usage: run_fio.sh LIBDIR [CEPH_CONF [RESTART]]
set -u
lib=$(cd "${1:?usage: run_fio.sh LIBDIR [CEPH_CONF [RESTART]]}" && pwd)
conf=${2:-}
restart=${3:-}
root=$(cd "$(dirname "$0")/../.." && pwd)
work=$(mktemp -d /var/tmp/cephrs-fio.XXXXXX)
trap 'rm -rf "$work"' EXIT
if [ -z "$conf" ]; then
    mkdir -p "$work/store"
    printf '[global]\nrados_local_store = %s/store\n' "$work" > "$work/ceph.conf"
    conf=$work/ceph.conf
fi
pool=cephrs-fio-$$
image=fio
export CEPH_CONF="$conf" LD_LIBRARY_PATH="$lib"
/usr/bin/python3 - "$pool" "$image" <<'PY' || exit 1
import sys, rados, rbd
pool, image = sys.argv[1], sys.argv[2]
with rados.Rados(conffile="") as r:
    if not r.pool_exists(pool):
        r.create_pool(pool)
    with r.open_ioctx(pool) as io:
        io.application_enable("rbd")
        rbd.RBD().create(io, image, 1 << 30)
PY
failed=0
job() {
    name=$1
    shift
    if fio --name="$name" --ioengine=rbd --clientname=admin --pool="$pool" --rbdname="$image" \
        --verify=crc32c --verify_state_save=0 "$@" --output="$work/$name.out" && grep -q "err= 0" "$work/$name.out"; then
        printf 'fio %-22s ok: %s\n' "$name" "$(grep -E '^ +(read|write): IOPS' "$work/$name.out" | sed 's/^ *//' | tr '\n' ' ')"
    else
        echo "FAIL: fio $name"
        cat "$work/$name.out"
        failed=1
    fi
}
job randwrite-4k-qd32 --rw=randwrite --bs=4k --iodepth=32 --size=256m
job fill-4k --rw=write --bs=4k --iodepth=32 --size=256m --do_verify=0
job randread-4k-qd32 --rw=randread --bs=4k --iodepth=32 --size=256m
job write-4m-qd4 --rw=write --bs=4m --iodepth=4 --size=1g
job randwrite-4k-qd1 --rw=randwrite --bs=4k --iodepth=1 --size=32m
restart_during() {  # restart_during JOB fio-args...: the daemon goes down 4 s into the job and comes back
    (sleep 4 && sh "$root/tools/cluster.sh" restart "$restart" "$(dirname "$conf")" > "$work/restart.out" 2>&1) &
    restarter=$!
    name=$1
    shift
    job "$name+restart-$restart" "$@"
    if wait $restarter; then
        echo "  ($restart restarted during the job: $(tail -1 "$work/restart.out"))"
    else
        echo "FAIL: could not restart $restart"; cat "$work/restart.out"; failed=1
    fi
}
if [ -n "$restart" ]; then
    restart_during randwrite-4k-qd32 --rw=randwrite --bs=4k --iodepth=32 --size=256m
    # with zero-copy writes (rbd_disable_zero_copy_writes = false; the default
    # copies, as upstream) large writes go out of the caller's buffer, lent:
    # the ones the restart interrupts are resent from it
    printf '%s\n' "$(cat "$conf")" '[client]' 'rbd_disable_zero_copy_writes = false' > "$work/zero-copy.conf"
    export CEPH_CONF="$work/zero-copy.conf"
    restart_during randwrite-256k-qd8-zc --rw=randwrite --bs=256k --iodepth=8 --size=256m --loops=10
    export CEPH_CONF="$conf"
fi
/usr/bin/python3 - "$pool" <<'PY'
import sys, rados
with rados.Rados(conffile="") as r:
    r.delete_pool(sys.argv[1])
PY
exit $failed
