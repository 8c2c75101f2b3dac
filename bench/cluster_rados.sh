#!/bin/sh
# Benchmark of the cluster client (issue 5): 4 KiB writes through
# rados_aio_write at 1 and at 32 in flight, into 4 MiB objects of pool rbd,
# upstream librados (the system's) against ours on the same cluster, alternating
# in one run (the order flips every round). Reports ops/s and client CPU per op
# (user+sys of the whole process / ops, measured after rados_connect).
#
# usage: bench/cluster_rados.sh [LIBDIR] [SECONDS] [ROUNDS]
# Uses the cluster of CEPHRS_CLUSTER_CONF when set; otherwise starts one with
# tools/cluster.sh (OSDS, default 1) and stops it afterwards.
# Appends to bench/results/cluster-rados.txt and prints the summary.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
lib=$(cd "${1:-$root/build/lib}" && pwd)
secs=${2:-15}
rounds=${3:-3}
work=$(mktemp -d /tmp/cephrs-bench.XXXXXX)
conf=${CEPHRS_CLUSTER_CONF:-}
if [ -z "$conf" ]; then
    cluster_dir=$work/cluster
    trap 'sh "$root/tools/cluster.sh" stop "$cluster_dir" > /dev/null 2>&1 || true; rm -rf "$work"' EXIT
    conf=$(OSDS=${OSDS:-1} sh "$root/tools/cluster.sh" start "$cluster_dir")
else
    trap 'rm -rf "$work"' EXIT
fi
# built against our header, linked by name: the loader picks the library
cc -O2 -I "$root/include" -o "$work/rados_aio_randwrite" "$root/bench/rados_aio_randwrite.c" -lrados -lpthread
system_lib=$(dirname "$(/sbin/ldconfig -p | awk '/librados.so.2 .*x86-64/ {print $NF; exit}')")

run() {  # run upstream|ours DEPTH -> "iops cpu_us_per_op"
    if [ "$1" = ours ]; then l=$lib; else l=$system_lib; fi
    LD_LIBRARY_PATH=$l "$work/rados_aio_randwrite" "$conf" rbd 256 4 "$2" "$secs" |
        awk '{printf "%d %s\n", $6, $8}'
}
# lay out the objects first so that neither side pays for creating them
run upstream 32 > /dev/null
results=""
i=0
while [ $i -lt "$rounds" ]; do
    for depth in 1 32; do
        if [ $((i % 2)) -eq 0 ]; then
            u=$(run upstream $depth)
            o=$(run ours $depth)
        else
            o=$(run ours $depth)
            u=$(run upstream $depth)
        fi
        results="$results$((i + 1)) $depth $u $o
"
    done
    i=$((i + 1))
done
summary=$(printf '%s' "$results" | awk '
    { ui[$2] += $3; uc[$2] += $4; oi[$2] += $5; oc[$2] += $6; n[$2]++ }
    END { for (d = 1; d <= 32; d += 31) {
            printf "qd%-2d upstream %6.0f ops/s %6.1f us CPU/op | ours %6.0f ops/s %6.1f us CPU/op | ours/upstream: ops %.2f, CPU/op %.2f\n",
                d, ui[d]/n[d], uc[d]/n[d], oi[d]/n[d], oc[d]/n[d], oi[d]/ui[d], oc[d]/uc[d] } }')
out=$root/bench/results/cluster-rados.txt
mkdir -p "$(dirname "$out")"
{
    echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')," \
        "$(nproc) cores, $(uname -r), $(ceph -c "$conf" osd stat 2>/dev/null | head -1)," \
        "4 KiB rados_aio_write into 4 MiB objects (256 MiB), ${secs} s x $rounds rounds alternating"
    printf '%s' "$results" | awk '{printf "  round %d qd%d: upstream %d ops/s (%s us/op), ours %d ops/s (%s us/op)\n", $1, $2, $3, $4, $5, $6}'
    echo "$summary" | sed 's/^/  /'
} | tee -a "$out"
