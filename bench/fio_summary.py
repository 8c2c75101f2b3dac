#!/usr/bin/python3
"""Summarises fio JSON results of two targets, job by job, averaged over rounds:
IOPS, mean and p99 latency, client CPU per IO (user+sys of the fio process,
from /usr/bin/time, over the IOs done), and the ratio of the second target's
IOPS and CPU per IO to the first's, then each round's IOPS and CPU per IO;
with a third /usr/bin/time field (%M) also the peak RSS, and with
TARGET-JOB-ROUND.threads files the most threads seen.

usage: fio_summary.py DIR ROUNDS TARGET_A LABEL_A TARGET_B LABEL_B
(DIR holds TARGET-JOB-ROUND.json and .time files.)
"""

import glob
import json
import os
import sys


def one(path_json, path_time):
    with open(path_json) as f:
        job = json.load(f)["jobs"][0]
    ios, iops, lat_sum, p99 = 0, 0.0, 0.0, 0.0
    for side in ("read", "write"):
        s = job[side]
        if s["total_ios"] == 0:
            continue
        ios += s["total_ios"]
        iops += s["iops"]
        lat_sum += s["lat_ns"]["mean"] * s["total_ios"]
        p99 = max(p99, s["lat_ns"].get("percentile", {}).get("99.000000", 0))
    with open(path_time) as f:
        fields = f.read().split("\n")[-2].split()
    user, sys_ = float(fields[0]), float(fields[1])
    rss = float(fields[2]) / 1024 if len(fields) > 2 else 0.0
    threads_path = path_time[: -len(".time")] + ".threads"
    threads = float(open(threads_path).read()) if os.path.exists(threads_path) else 0.0
    return {"iops": iops, "lat": lat_sum / max(ios, 1) / 1000, "p99": p99 / 1000,
            "cpu": (user + sys_) * 1e6 / max(ios, 1), "rss": rss, "threads": threads}


def main():
    d, rounds, a, label_a, b, label_b = sys.argv[1], int(sys.argv[2]), *sys.argv[3:7]
    order = ["randwrite-4k-qd32", "randread-4k-qd32", "write-4m-qd4", "randwrite-4k-qd1", "write-4m-qd4-zc", "read-4m-qd4"]
    jobs = sorted({os.path.basename(p).split("-", 1)[1].rsplit("-", 1)[0] for p in glob.glob(f"{d}/{a}-*.json")},
                  key=lambda j: order.index(j) if j in order else len(order))
    print(f"  {'job':<20} {'target':<32} {'IOPS':>9} {'mean us':>9} {'p99 us':>9} {'CPU us/IO':>10}"
          f" {'RSS MiB':>8} {'threads':>8}")
    for job in jobs:
        runs = {t: [one(f"{d}/{t}-{job}-{r}.json", f"{d}/{t}-{job}-{r}.time") for r in range(1, rounds + 1)]
                for t in (a, b)}
        avg = {t: {k: sum(x[k] for x in runs[t]) / rounds for k in runs[t][0]} for t in (a, b)}
        for t, label in ((a, label_a), (b, label_b)):
            v = avg[t]
            extra = f" {v['rss']:>8.0f} {v['threads']:>8.0f}" if v["rss"] else ""
            print(f"  {job:<20} {label:<32} {v['iops']:>9.0f} {v['lat']:>9.1f} {v['p99']:>9.1f} {v['cpu']:>10.1f}{extra}")
        print(f"  {job:<20} {'ratio ' + b + '/' + a:<32} {100 * avg[b]['iops'] / avg[a]['iops']:>8.0f}%"
              f" {'':>9} {'':>9} {100 * avg[b]['cpu'] / avg[a]['cpu']:>9.0f}%")
        if rounds > 1:
            for t in (a, b):
                each = ", ".join(f"{x['iops']:.0f} IOPS {x['cpu']:.1f} us" for x in runs[t])
                print(f"  {job:<20} {'  rounds ' + t:<32} {each}")


if __name__ == "__main__":
    main()
