#!/bin/sh
# Benchmark of the local store (issue 3): 4 KiB random writes, 32 in flight,
# through rados_aio_write into 4 MiB objects, against fio writing the same
# pattern (libaio, iodepth 32, buffered: the store's own durability level) into
# a plain file in the same directory, alternating, in the same run.
#
# usage: bench/local_store.sh [LIBDIR] [DIR] [SECONDS] [ROUNDS]
# Appends to bench/results/local-store.txt and prints the summary.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
lib=$(cd "${1:-$root/build/lib}" && pwd)
dir=${2:-$(mktemp -d /var/tmp/cephrs-bench.XXXXXX)}
secs=${3:-20}
rounds=${4:-2}
space_mib=256
mkdir -p "$dir"
cc -O2 -I "$root/include" -o "$dir/rados_aio_randwrite" "$root/bench/rados_aio_randwrite.c" \
    -L "$lib" -lrados -lpthread -Wl,-rpath,"$lib"
rm -rf "$dir/store" "$dir/plainfile"
mkdir -p "$dir/store"
printf '[global]\nrados_local_store = %s/store\n' "$dir" > "$dir/ceph.conf"
LD_LIBRARY_PATH=$lib /usr/bin/python3 -c "
import rados; r = rados.Rados(conffile='$dir/ceph.conf'); r.connect(); r.create_pool('bench'); r.shutdown()"
# lay out both targets first so that neither run pays for allocation
LD_LIBRARY_PATH=$lib "$dir/rados_aio_randwrite" "$dir/ceph.conf" bench $space_mib 4 32 3 > /dev/null
fio --name=layout --filename="$dir/plainfile" --size=${space_mib}M --rw=write --bs=1M --output=/dev/null
fio_once() {
    /usr/bin/time -f '%U %S' -o "$dir/fio.time" fio --name=plain --filename="$dir/plainfile" --size=${space_mib}M \
        --rw=randwrite --bs=4k --iodepth=32 --ioengine=libaio --direct=0 --time_based --runtime="$secs" \
        --output-format=terse > "$dir/fio.out"
    iops=$(awk -F';' '{print $49}' "$dir/fio.out")
    ios=$(awk -F';' '{print $49 * $50 / 1000}' "$dir/fio.out")  # write IOPS x runtime (ms)
    cpu=$(awk -v n="$ios" '{printf "%.1f", ($1 + $2) * 1e6 / n}' "$dir/fio.time")
    echo "$iops $cpu"
}
ours_once() {
    LD_LIBRARY_PATH=$lib "$dir/rados_aio_randwrite" "$dir/ceph.conf" bench $space_mib 4 32 "$secs" |
        awk '{printf "%d %s\n", $6, $8}'
}
results=""
i=0
while [ $i -lt "$rounds" ]; do
    f=$(fio_once)
    o=$(ours_once)
    results="$results$f $o
"
    i=$((i + 1))
done
summary=$(printf '%s' "$results" | awk '
    { fi += $1; fc += $2; oi += $3; oc += $4; n++ }
    END { printf "plain file (fio libaio qd32, buffered): %.0f IOPS, %.1f us CPU/IO\n", fi/n, fc/n;
          printf "local store (rados_aio_write qd32, 4 MiB objects): %.0f IOPS, %.1f us CPU/IO\n", oi/n, oc/n;
          printf "ratio: %.0f %% of the plain file (aim: >= 70 %%)\n", 100*oi/fi }')
out=$root/bench/results/local-store.txt
mkdir -p "$(dirname "$out")"
{
    echo "== $(date -u +%Y-%m-%dT%H:%MZ) $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')," \
        "$(nproc) cores, $(uname -r), $(df -T "$dir" | awk 'NR==2 {print $2}') at $dir," \
        "${space_mib} MiB, ${secs} s x $rounds rounds alternating"
    printf '%s' "$results" | awk '{printf "  round %d: fio %d IOPS (%s us/IO), ours %d IOPS (%s us/IO)\n", NR, $1, $2, $3, $4}'
    echo "$summary" | sed 's/^/  /'
} | tee -a "$out"
rm -rf "$dir/store" "$dir/plainfile"
