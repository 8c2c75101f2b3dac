#!/bin/sh
# Benchmark of RBD on the local store (issue 4): fio's rbd engine with our
# libraries on a 1 GiB image, against fio on a plain file of the same size in
# the same directory (libaio, buffered: the store's own durability level),
# job by job, alternating, in the same run. The four jobs: 4 KiB randwrite
# qd32, 4 KiB randread qd32, 4 MiB sequential write qd4, 4 KiB randwrite qd1
# (time-based, without verification: bench/../capi-tests/fio verifies them).
# Both targets are written in full first, so reads hit data and writes
# overwrite. Client CPU per IO = the whole fio process's user+sys / IOs.
#
# usage: bench/fio_local_store.sh [LIBDIR] [DIR] [SECONDS] [ROUNDS]
# Appends to bench/results/fio-local-store.txt and prints it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
lib=$(cd "${1:-$root/build/lib}" && pwd)
dir=${2:-$(mktemp -d /var/tmp/cephrs-bench.XXXXXX)}
secs=${3:-15}
rounds=${4:-2}
size=1g
mkdir -p "$dir"
rm -rf "$dir/store" "$dir/plainfile" "$dir"/*.json "$dir"/*.time
mkdir -p "$dir/store"
printf '[global]\nrados_local_store = %s/store\n' "$dir" > "$dir/ceph.conf"
export CEPH_CONF="$dir/ceph.conf"
LD_LIBRARY_PATH=$lib /usr/bin/python3 -c "
import rados, rbd
with rados.Rados(conffile='') as r:
    r.create_pool('bench')
    with r.open_ioctx('bench') as io:
        rbd.RBD().create(io, 'img', 1 << 30)"
ours="--ioengine=rbd --clientname=admin --pool=bench --rbdname=img"
plain="--ioengine=libaio --direct=0 --invalidate=0 --filename=$dir/plainfile"
LD_LIBRARY_PATH=$lib fio --name=layout $ours --size=$size --rw=write --bs=4m --iodepth=4 --output=/dev/null
fio --name=layout $plain --size=$size --rw=write --bs=4m --iodepth=4 --output=/dev/null
run() { # target job args...
    target=$1 job=$2
    shift 2
    if [ "$target" = ours ]; then args=$ours; env="LD_LIBRARY_PATH=$lib"; else args=$plain; env="X=1"; fi
    env $env /usr/bin/time -f '%U %S' -o "$dir/$target-$job-$round.time" \
        fio --name="$job" $args --size=$size --time_based --runtime="$secs" --lat_percentiles=1 \
        --output-format=json --output="$dir/$target-$job-$round.json" "$@"
}
round=1
while [ "$round" -le "$rounds" ]; do
    for target in plain ours; do
        run $target randwrite-4k-qd32 --rw=randwrite --bs=4k --iodepth=32
        run $target randread-4k-qd32 --rw=randread --bs=4k --iodepth=32
        run $target write-4m-qd4 --rw=write --bs=4m --iodepth=4
        run $target randwrite-4k-qd1 --rw=randwrite --bs=4k --iodepth=1
    done
    round=$((round + 1))
done
out=$root/bench/results/fio-local-store.txt
mkdir -p "$(dirname "$out")"
{
    echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')," \
        "$(nproc) cores, $(uname -r), $(df -T "$dir" | awk 'NR==2 {print $2}') at $dir," \
        "1 GiB, ${secs} s x $rounds rounds alternating, $(fio --version)"
    /usr/bin/python3 "$root/bench/fio_summary.py" "$dir" "$rounds" plain "plain file (libaio, buffered)" ours "ours (rbd engine, local store)"
} | tee -a "$out"
rm -rf "$dir/store" "$dir/plainfile"
