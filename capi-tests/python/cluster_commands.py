#!/usr/bin/python3
"""Commands through librados on a cluster: to the monitors
(`rados_mon_command`), to one monitor (`rados_mon_command_target`), to an OSD
(`rados_osd_command`), to a PG's primary (`rados_pg_command`) and to the
manager (`rados_mgr_command`, `rados_mgr_command_target`). Prints one observation per line; compare.sh runs it under upstream's
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
    daemon_commands(r)
    r.shutdown()


def json_keys(out):
    """The sorted top-level keys of a JSON output (values vary run to run)."""
    try:
        value = json.loads(out)
    except ValueError:
        return ("not json", len(out) > 0)
    return sorted(value) if isinstance(value, dict) else type(value).__name__


def daemon_commands(r):
    version = json.dumps({"prefix": "version", "format": "json"})
    # one monitor, by name and by rank; unknown ones
    for target in ["a", "0", "zz", "7"]:
        ret, out, outs = r.mon_command(version, b"", target=target)
        show(f"mon {target} version", (ret, json.loads(out) if ret == 0 else out, outs))
    ret, out, outs = r.mon_command(json.dumps({"prefix": "no such command"}), b"", target="a")
    show("mon a unknown command", (ret, out, outs.split(":")[0]))
    # an OSD: its version, its command table, an unknown command; OSDs that do not exist
    for osd in [0, 2]:
        ret, out, outs = r.osd_command(osd, version, b"")
        show(f"osd.{osd} version", (ret, json.loads(out), outs))
    ret, out, outs = r.osd_command(1, json.dumps({"prefix": "get_command_descriptions"}), b"")
    show("osd.1 command descriptions", (ret, len(json.loads(out)) > 10, outs))
    ret, out, outs = r.osd_command(1, json.dumps({"prefix": "no such command"}), b"")
    show("osd.1 unknown command", (ret, out, outs))
    for osd in [99, -1]:
        ret, out, outs = r.osd_command(osd, version, b"")
        show(f"osd.{osd}", (ret, out, outs))
    # a PG's primary: query answers for that PG; bad PG ids and pools
    for pg in ["1.0", "1.1f"]:
        ret, out, outs = r.pg_command(pg, json.dumps({"prefix": "query", "pgid": pg, "format": "json"}), b"")
        q = json.loads(out) if ret == 0 else {}
        show(f"pg {pg} query", (ret, q.get("info", {}).get("pgid"), q.get("state", "").split("+")[0], outs))
    for pg in ["99.0", "x.1", "1"]:
        try:
            ret, out, outs = r.pg_command(pg, json.dumps({"prefix": "query", "pgid": pg}), b"")
            show(f"pg {pg}", (ret, out, outs))
        except Exception as e:  # the bindings raise when librados refuses the PG id
            show(f"pg {pg}", type(e).__name__)
    # the active manager, and tell commands to a named one
    ret, out, outs = r.mgr_command(json.dumps({"prefix": "pg dump", "dumpcontents": ["summary"], "format": "json"}), b"")
    show("mgr pg dump summary", (ret, json_keys(out), outs))
    ret, out, outs = r.mgr_command(json.dumps({"prefix": "no such command"}), b"")
    show("mgr unknown command", (ret, out, outs.split(":")[0]))
    for target in ["x"]:
        ret, out, outs = r.mgr_command(json.dumps({"prefix": "mgr_status", "format": "json"}), b"", target=target)
        show(f"mgr {target} tell mgr_status", (ret, json_keys(out), outs))


if __name__ == "__main__":
    main()
