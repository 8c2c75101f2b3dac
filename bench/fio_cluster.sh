#!/bin/sh
# Benchmark of RBD on a real cluster (issue 6): fio's rbd engine, upstream
# librbd (the system's) against ours, on the same 1 GiB image of the same
# cluster, job by job, alternating (the order flips every round), --direct=1
# (upstream's cache off). The four jobs: 4 KiB randwrite qd32, 4 KiB randread
# qd32, 4 MiB sequential write qd4, 4 KiB randwrite qd1 (time-based, without
# verification: capi-tests/fio verifies them), and the 4 MiB job once more
# with `rbd_disable_zero_copy_writes = false` for both (write-4m-qd4-zc: large
# writes sent from fio's buffers without a copy; by default both libraries
# copy them, as upstream's default is true), and 4 MiB sequential reads qd4
# (read-4m-qd4: large replies, outside the issue's four). The image is written in full
# first. Per run: IOPS, mean and p99 latency, client CPU per IO (user+sys of
# the whole fio process tree / IOs), peak RSS and the most threads of a fio
# process (sampled every 0.2 s).
#
# usage: bench/fio_cluster.sh [LIBDIR] [SECONDS] [ROUNDS]
# Uses the cluster of CEPHRS_CLUSTER_CONF when set; otherwise starts one with
# tools/cluster.sh (OSDS, default 1) and stops it afterwards.
# Appends to bench/results/fio-cluster.txt and prints it.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
lib=$(cd "${1:-$root/build/lib}" && pwd)
secs=${2:-15}
rounds=${3:-2}
dir=$(mktemp -d /tmp/cephrs-bench.XXXXXX)
conf=${CEPHRS_CLUSTER_CONF:-}
if [ -z "$conf" ]; then
    trap 'sh "$root/tools/cluster.sh" stop "$dir/cluster" > /dev/null 2>&1 || true; rm -rf "$dir"' EXIT
    conf=$(OSDS=${OSDS:-1} sh "$root/tools/cluster.sh" start "$dir/cluster")
else
    trap 'rm -rf "$dir"' EXIT
fi
export CEPH_CONF="$conf"
zero_copy_conf=$dir/zero-copy.conf
printf '%s\n' "$(cat "$conf")" '[client]' 'rbd_disable_zero_copy_writes = false' > "$zero_copy_conf"
run_conf=
pool=rbd
image=fio-bench-$$
rbd -c "$conf" create --size 1G "$pool/$image"
common="--ioengine=rbd --clientname=admin --pool=$pool --rbdname=$image --direct=1"
fio --name=layout $common --size=1g --rw=write --bs=4m --iodepth=4 --output=/dev/null
run() {  # run TARGET JOB fio-args...
    target=$1 job=$2
    shift 2
    base=$dir/$target-$job-$round
    if [ "$target" = ours ]; then l=$lib; else l=; fi
    env LD_LIBRARY_PATH="$l" CEPH_CONF="${run_conf:-$conf}" /usr/bin/time -f '%U %S %M' -o "$base.time" \
        fio --name="$job" $common --size=1g --time_based --runtime="$secs" --lat_percentiles=1 \
        --output-format=json --output="$base.json" "$@" &
    pid=$!
    most=0
    while kill -0 $pid 2> /dev/null; do
        for p in $(pgrep -x fio); do
            n=$(awk '/^Threads:/ {print $2}' "/proc/$p/status" 2> /dev/null || echo 0)
            [ "${n:-0}" -gt "$most" ] && most=$n
        done
        sleep 0.2
    done
    wait $pid
    echo "$most" > "$base.threads"
}
round=1
while [ "$round" -le "$rounds" ]; do
    if [ $((round % 2)) -eq 1 ]; then order="upstream ours"; else order="ours upstream"; fi
    for target in $order; do run $target randwrite-4k-qd32 --rw=randwrite --bs=4k --iodepth=32; done
    for target in $order; do run $target randread-4k-qd32 --rw=randread --bs=4k --iodepth=32; done
    for target in $order; do run $target write-4m-qd4 --rw=write --bs=4m --iodepth=4; done
    for target in $order; do run $target read-4m-qd4 --rw=read --bs=4m --iodepth=4; done
    run_conf=$zero_copy_conf
    for target in $order; do run $target write-4m-qd4-zc --rw=write --bs=4m --iodepth=4; done
    run_conf=
    for target in $order; do run $target randwrite-4k-qd1 --rw=randwrite --bs=4k --iodepth=1; done
    round=$((round + 1))
done
rbd -c "$conf" rm "$pool/$image" > /dev/null 2>&1
out=$root/bench/results/fio-cluster.txt
mkdir -p "$(dirname "$out")"
{
    echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(git -C "$root" describe --always --dirty 2>/dev/null || echo '?')," \
        "$(nproc) cores, $(uname -r), $(ceph -c "$conf" osd stat 2>/dev/null | cut -d';' -f1) (memstore)," \
        "1 GiB image, --direct=1, ${secs} s x $rounds rounds alternating, $(fio --version)"
    /usr/bin/python3 "$root/bench/fio_summary.py" "$dir" "$rounds" upstream "upstream librbd 16.2.15" ours "ours"
} | tee -a "$out"
