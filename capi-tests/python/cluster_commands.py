#!/usr/bin/python3
"""Monitor commands through librados (`rados_mon_command`) on a
cluster. Prints one observation per line; compare.sh runs it under upstream's
libraries and ours against the same cluster and diffs the outputs.

usage: cluster_commands.py CEPH_CONF
"""

import json
import sys

import rados


def show(label, value):
    print(f"{label}: {value!r}")


def main():
    r = rados.Rados(conffile=sys.argv[1])
    r.connect()
    ret, out, outs = r.mon_command(json.dumps({"prefix": "fsid", "format": "json"}), b"")
    show("fsid", (ret, json.loads(out)["fsid"] == r.get_fsid(), outs))
    ret, out, outs = r.mon_command(json.dumps({"prefix": "osd pool ls", "format": "json"}), b"")
    show("pool ls", (ret, "rbd" in json.loads(out), outs))
    ret, out, outs = r.mon_command(json.dumps({"prefix": "no such command"}), b"")
    show("unknown command", (ret, out, outs.split(":")[0] if outs else outs))
    ret, out, outs = r.mon_command("{not json", b"")
    show("bad json", (ret, out, bool(outs)))
    ret, out, outs = r.mon_command(json.dumps({"prefix": "osd pool get", "pool": "no-such-pool", "var": "size"}), b"")
    show("missing pool", (ret, out, outs))
    ret, out, outs = r.mon_command(json.dumps({"prefix": "config-key set", "key": "cephrs/test"}), b"payload")
    show("config-key set with input", (ret, out))
    ret, out, outs = r.mon_command(json.dumps({"prefix": "config-key get", "key": "cephrs/test"}), b"")
    show("config-key get", (ret, out))
    show("instance id", r.get_instance_id() > 0)
    r.wait_for_latest_osdmap()
    show("wait for latest map", True)
    r.shutdown()


if __name__ == "__main__":
    main()
