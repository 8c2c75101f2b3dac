#!/bin/sh
# Where a fio job's CPU goes, ours against upstream librbd: `perf record`
# samples the whole fio process (2 kHz, all its threads) and each sample is
# put in one of three parts by the object it ran in — the kernel, fio itself
# (fio, its vdso clock reads), or the client library (everything else: our
# libcephrs, or upstream's librbd, librados, libceph-common, libstdc++ and the
# libc calls they make, memcpy above all). The result is CPU per IO by part.
#
# It answers one question of issue 6: how low can a client's CPU per IO go
# on this job when the kernel's and fio's shares are what any client pays?
# (`floor`: the kernel and fio parts of our run, as a share of upstream's
# whole CPU per IO.)
#
# usage: bench/cpu_split.sh [LIBDIR] [SECONDS] [fio job args...]
# default job: 4 MiB sequential writes qd4 (write-4m-qd4 of fio_cluster.sh).
# Needs perf (linux-perf). Uses the cluster of CEPHRS_CLUSTER_CONF when set;
# otherwise starts one with tools/cluster.sh and stops it afterwards.
# Appends to bench/results/cpu-split.txt and prints the new lines.
set -eu
root=$(cd "$(dirname "$0")/.." && pwd)
lib=$(cd "${1:-$root/build/lib}" && pwd)
secs=${2:-10}
[ $# -gt 2 ] && shift 2 || set --
[ $# -gt 0 ] || set -- --rw=write --bs=4m --iodepth=4
command -v perf > /dev/null || { echo "cpu_split: perf is not installed (apt install linux-perf)" >&2; exit 2; }
dir=$(mktemp -d /tmp/cephrs-split.XXXXXX)
conf=${CEPHRS_CLUSTER_CONF:-}
if [ -z "$conf" ]; then
    trap 'sh "$root/tools/cluster.sh" stop "$dir/cluster" > /dev/null 2>&1 || true; rm -rf "$dir"' EXIT
    conf=$(OSDS=${OSDS:-1} sh "$root/tools/cluster.sh" start "$dir/cluster")
else
    trap 'rm -rf "$dir"' EXIT
fi
export CEPH_CONF="$conf"
image=fio-split-$$
rbd create --size 1G "rbd/$image"
common="--ioengine=rbd --clientname=admin --pool=rbd --rbdname=$image --direct=1 --size=1g"
fio --name=layout $common --rw=write --bs=4m --iodepth=4 --output=/dev/null
for target in ours upstream ours upstream; do
    if [ "$target" = ours ]; then l=$lib; else l=; fi
    env LD_LIBRARY_PATH="$l" perf record -q -F 2000 -o "$dir/$target.data" -- \
        fio --name=split $common --time_based --runtime="$secs" --output-format=json \
        --output="$dir/$target.json" "$@" > /dev/null 2>&1
    perf report -i "$dir/$target.data" --no-children -n --sort dso --stdio 2> /dev/null > "$dir/$target.dso"
    cat "$dir/$target.dso" >> "$dir/$target.all"
    cat "$dir/$target.json" >> "$dir/$target.jsons"
    printf '\n' >> "$dir/$target.jsons"
done
rbd rm "rbd/$image" > /dev/null 2>&1 || true
commit=$(git -C "$root" rev-parse --short HEAD 2> /dev/null || echo unknown)
python3 - "$dir" "$commit" "$*" "$secs" >> "$root/bench/results/cpu-split.txt" << 'EOF'
import json, sys, time
d, commit, job, secs = sys.argv[1:5]
HZ = 2000
def part(dso):
    if dso == "[kernel.kallsyms]":
        return "kernel"
    if dso in ("fio", "[vdso]"):
        return "fio"
    return "library"
def load(target):
    samples = {"kernel": 0, "fio": 0, "library": 0}
    for line in open(f"{d}/{target}.all"):
        f = line.split()
        if len(f) >= 3 and f[0].endswith("%") and f[1].isdigit():
            samples[part(" ".join(f[2:]))] += int(f[1])
    ios = 0
    dec = json.JSONDecoder()
    text = open(f"{d}/{target}.jsons").read()
    i = 0
    while True:
        j = text.find("{", i)
        if j < 0:
            break
        obj, i = dec.raw_decode(text, j)
        job_ = obj["jobs"][0]
        ios += job_["read"]["total_ios"] + job_["write"]["total_ios"]
    return {k: v * 1e6 / HZ / ios for k, v in samples.items()}, ios
ours, ours_ios = load("ours")
up, up_ios = load("upstream")
total = lambda p: sum(p.values())
stamp = time.strftime("%Y-%m-%dT%H:%MZ", time.gmtime())
print(f"== {stamp} {commit}, fio {job}, {secs} s x 2 rounds each, perf at {HZ} Hz; CPU us per IO by part")
print(f"  {'target':10} {'IOs':>6} {'kernel':>8} {'fio':>8} {'library':>8} {'total':>8}")
for name, p, n in (("upstream", up, up_ios), ("ours", ours, ours_ios)):
    print(f"  {name:10} {n:6d} {p['kernel']:8.0f} {p['fio']:8.0f} {p['library']:8.0f} {total(p):8.0f}")
print(f"  ours/upstream: total {total(ours) / total(up):.0%}, library {ours['library'] / up['library']:.0%}; "
      f"floor (our kernel + fio parts / upstream total) {(ours['kernel'] + ours['fio']) / total(up):.0%}")
EOF
tail -n 5 "$root/bench/results/cpu-split.txt"
