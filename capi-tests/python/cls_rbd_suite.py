#!/usr/bin/python3
"""cls rbd method by method: calls each method the library serves with
upstream's encodings (through `rados_exec`, from the upstream Python
bindings) and records return codes, outputs, and the objects' omap and data
after each write. Upstream's OSD on a cluster is the reference
(expected/cls_rbd_suite.txt); the local store must answer the same.

usage: cls_rbd_suite.py --conf CEPH_CONF [--record FILE | --expect FILE]
"""

import argparse
import difflib
import os
import struct
import sys

import rados

NOSNAP = (1 << 64) - 2


def u8(v):
    return struct.pack("<B", v)


def u64(v):
    return struct.pack("<Q", v)


def i64(v):
    return struct.pack("<q", v)


def s(v):
    b = v.encode() if isinstance(v, str) else v
    return struct.pack("<I", len(b)) + b


def opt(v, enc):
    return b"\0" if v is None else b"\1" + enc(v)


class Run:
    def __init__(self, io):
        self.io = io
        self.lines = []

    def call(self, label, oid, method, data=b"", show_out=True, mask=None):
        """`mask` (offset, length): output bytes to hide (a timestamp)."""
        try:
            ret, out = self.io.execute(oid, "rbd", method, data, length=1 << 20)
            if mask and len(out) >= mask[0] + mask[1]:
                out = out[: mask[0]] + b"\0" * mask[1] + out[mask[0] + mask[1]:]
            res = f"{ret} {out.hex() if show_out else f'<{len(out)} bytes>'}"
        except rados.Error as e:
            res = f"error {getattr(e, 'errno', '?')}"
        self.lines.append(f"{label}: {method} -> {res}")
        return res

    def state(self, label, oid, skip=()):
        try:
            size, _ = self.io.stat(oid)
            data = self.io.read(oid, size) if size else b""
        except rados.ObjectNotFound:
            self.lines.append(f"{label}: {oid} missing")
            return
        with rados.ReadOpCtx() as op:
            it, _ = self.io.get_omap_vals(op, "", "", 1000)
            self.io.operate_read_op(op, oid)
            omap = [(k, "<ts>" if k in skip else (v or b"").hex()) for k, v in it]
        self.lines.append(f"{label}: {oid} size {size} data {data.hex()[:200]} omap {omap}")


def suite(r):
    h = "rbd_header.abc123"
    ts = ("create_timestamp", "access_timestamp", "modify_timestamp")
    # create
    r.call("create empty prefix", h, "create", u64(1 << 30) + u8(22) + u64(61) + s("") + i64(-1))
    r.call("create unknown feature", h, "create", u64(1 << 30) + u8(22) + u64(1 << 40) + s("p") + i64(-1))
    r.call("create operations feature", h, "create", u64(1 << 30) + u8(22) + u64(256) + s("p") + i64(-1))
    r.call("create data pool w/o feature", h, "create", u64(1 << 30) + u8(22) + u64(61) + s("p") + i64(3))
    r.call("create feature w/o data pool", h, "create", u64(1 << 30) + u8(22) + u64(61 | 128) + s("p") + i64(-1))
    r.call("create bad input", h, "create", b"\1\2")
    r.call("get_features missing", h, "get_features", u64(NOSNAP) + u8(0))
    r.call("create", h, "create", u64(1 << 30) + u8(22) + u64(61) + s("rbd_data.abc123") + i64(-1))
    r.state("after create", h, ts)
    r.call("create again", h, "create", u64(1 << 30) + u8(22) + u64(61) + s("rbd_data.abc123") + i64(-1))
    r.call("create without data pool field", "rbd_header.old1", "create", u64(4096) + u8(12) + u64(1) + s("rbd_data.old1"))
    r.call("get_features rw", h, "get_features", u64(NOSNAP) + u8(0))
    r.call("get_features ro", h, "get_features", u64(NOSNAP) + u8(1))
    r.call("get_features no ro field", h, "get_features", u64(NOSNAP))
    r.call("get_size", h, "get_size", u64(NOSNAP))
    r.call("get_size snap", h, "get_size", u64(5))
    r.call("set_size", h, "set_size", u64(2 << 30))
    r.call("get_size after", h, "get_size", u64(NOSNAP))
    r.call("get_object_prefix", h, "get_object_prefix")
    r.call("get_data_pool", h, "get_data_pool")
    r.call("get_flags", h, "get_flags", u64(NOSNAP))
    r.call("set_flags", h, "set_flags", u64(3) + u64(1) + u64(NOSNAP))
    r.call("get_flags after", h, "get_flags", u64(NOSNAP))
    r.call("set_flags no snap field", h, "set_flags", u64(2) + u64(2))
    r.call("get_flags after 2", h, "get_flags", u64(NOSNAP))
    r.call("op_features_get", h, "op_features_get")
    r.call("op_features_set bad", h, "op_features_set", u64(1 << 10) + u64(1 << 10))
    r.call("op_features_set", h, "op_features_set", u64(4) + u64(4))
    r.state("after op features", h, ts)
    r.call("op_features_set clear", h, "op_features_set", u64(0) + u64(4))
    r.state("after op features cleared", h, ts)
    for label, feats, mask in (
        ("disable fast-diff", 0, 16),
        ("enable fast-diff", 16, 16),
        ("disable deep-flatten", 0, 32),
        ("enable deep-flatten", 32, 32),
        ("disable layering", 0, 1),
        ("internal", 256, 256),
        ("unknown bits masked", 0, 1 << 40),
        ("enable journaling", 64, 64),
    ):
        r.call(f"set_features {label}", h, "set_features", u64(feats) + u64(mask))
        r.call(f"  features after {label}", h, "get_features", u64(NOSNAP) + u8(0))
    r.call("get_stripe_unit_count w/o striping", h, "get_stripe_unit_count")
    r.call("set_stripe_unit_count w/o striping", h, "set_stripe_unit_count", u64(65536) + u64(4))
    hs = "rbd_header.str1"
    r.call("create striped", hs, "create", u64(1 << 30) + u8(22) + u64(3) + s("rbd_data.str1") + i64(-1))
    r.call("get_stripe_unit_count default", hs, "get_stripe_unit_count")
    r.call("set_stripe_unit_count zero", hs, "set_stripe_unit_count", u64(0) + u64(4))
    r.call("set_stripe_unit_count not a factor", hs, "set_stripe_unit_count", u64(3000) + u64(4))
    r.call("set_stripe_unit_count too big", hs, "set_stripe_unit_count", u64(8 << 20) + u64(4))
    r.call("set_stripe_unit_count", hs, "set_stripe_unit_count", u64(65536) + u64(4))
    r.call("get_stripe_unit_count", hs, "get_stripe_unit_count")
    r.call("get_stripe_unit_count missing", "rbd_header.nope", "get_stripe_unit_count")
    r.call("get_create_timestamp", h, "get_create_timestamp", show_out=False)
    r.call("get_create_timestamp missing object", "rbd_header.nope", "get_create_timestamp")
    r.call("set_access_timestamp missing", "rbd_header.nope", "set_access_timestamp")
    r.call("set_access_timestamp", h, "set_access_timestamp")
    r.call("set_modify_timestamp", h, "set_modify_timestamp")
    r.call("get_snapcontext", h, "get_snapcontext")
    r.call("get_snapcontext missing", "rbd_header.nope", "get_snapcontext")
    r.call("parent_get", h, "parent_get")
    r.call("parent_get missing", "rbd_header.nope", "parent_get")
    r.call("parent_overlap_get", h, "parent_overlap_get", u64(NOSNAP))
    r.call("snapshot_get_limit", h, "snapshot_get_limit")
    r.call("get_all_features", h, "get_all_features")
    snapshots(r, h, ts)
    # metadata
    r.call("metadata_get missing", h, "metadata_get", s("k1"))
    m = struct.pack("<I", 3) + s("k1") + s("v1") + s("k2") + s("") + s("conf_x") + s("y")
    r.call("metadata_set", h, "metadata_set", m)
    r.call("metadata_get", h, "metadata_get", s("k1"))
    r.call("metadata_list all", h, "metadata_list", s("") + u64(0))
    r.call("metadata_list after k1 max 1", h, "metadata_list", s("k1") + u64(1))
    r.call("metadata_remove", h, "metadata_remove", s("k1"))
    r.call("metadata_remove missing", h, "metadata_remove", s("k1"))
    r.call("metadata_list after remove", h, "metadata_list", s("") + u64(10))
    r.state("metadata keys", h, ts)
    # id object
    i = "rbd_id.img1"
    r.call("get_id missing", i, "get_id")
    r.call("set_id missing object", i, "set_id", s("abc123"))
    r.io.write_full(i, b"")
    r.call("set_id invalid", i, "set_id", s("ab-c"))
    r.call("set_id empty", i, "set_id", s(""))
    r.call("get_id empty object", i, "get_id")
    r.call("set_id", i, "set_id", s("abc123"))
    r.call("set_id again", i, "set_id", s("def456"))
    r.call("get_id", i, "get_id")
    r.state("id object", i)
    # directory
    d = "rbd_directory"
    r.call("dir_get_id missing object", d, "dir_get_id", s("img1"))
    r.call("dir_list missing object", d, "dir_list", s("") + u64(10))
    r.call("dir_add_image", d, "dir_add_image", s("img1") + s("abc123"))
    r.call("dir_add_image dup name", d, "dir_add_image", s("img1") + s("zzz999"))
    r.call("dir_add_image dup id", d, "dir_add_image", s("img9") + s("abc123"))
    r.call("dir_add_image empty name", d, "dir_add_image", s("") + s("a1"))
    r.call("dir_add_image bad id", d, "dir_add_image", s("x") + s("a_1"))
    for n, idv in (("b", "b2"), ("c", "c3"), ("a", "a1")):
        r.call(f"dir_add_image {n}", d, "dir_add_image", s(n) + s(idv))
    r.call("dir_get_id", d, "dir_get_id", s("img1"))
    r.call("dir_get_id missing", d, "dir_get_id", s("nope"))
    r.call("dir_get_name", d, "dir_get_name", s("abc123"))
    r.call("dir_list all", d, "dir_list", s("") + u64(100))
    r.call("dir_list after b max 2", d, "dir_list", s("b") + u64(2))
    r.call("dir_list max 0", d, "dir_list", s("") + u64(0))
    r.call("dir_remove_image mismatch", d, "dir_remove_image", s("img1") + s("b2"))
    r.call("dir_remove_image missing", d, "dir_remove_image", s("zz") + s("b2"))
    r.call("dir_rename_image", d, "dir_rename_image", s("img1") + s("img2") + s("abc123"))
    r.call("dir_rename_image onto existing", d, "dir_rename_image", s("img2") + s("b") + s("abc123"))
    r.call("dir_remove_image", d, "dir_remove_image", s("c") + s("c3"))
    r.state("directory", d)
    # object map
    o = "rbd_object_map.abc123"
    r.call("object_map_load missing", o, "object_map_load")
    r.call("object_map_update missing", o, "object_map_update", u64(0) + u64(1) + u8(1) + opt(None, u8))
    r.call("object_map_resize too big", o, "object_map_resize", u64(300_000_000) + u8(0))
    r.call("object_map_resize", o, "object_map_resize", u64(10) + u8(0))
    r.state("object map 10", o)
    r.call("object_map_update 2..5 exists", o, "object_map_update", u64(2) + u64(5) + u8(1) + opt(None, u8))
    r.call("object_map_update 3 pending if exists", o, "object_map_update", u64(3) + u64(4) + u8(2) + opt(1, u8))
    r.call("object_map_update 0..10 clean if exists", o, "object_map_update", u64(0) + u64(10) + u8(3) + opt(1, u8))
    r.call("object_map_update 2..4 none if exists (matches clean)", o, "object_map_update",
           u64(2) + u64(4) + u8(0) + opt(1, u8))
    r.call("object_map_update empty range", o, "object_map_update", u64(4) + u64(4) + u8(1) + opt(None, u8))
    r.call("object_map_update past end", o, "object_map_update", u64(8) + u64(11) + u8(1) + opt(None, u8))
    r.state("object map updated", o)
    r.call("object_map_load", o, "object_map_load")
    r.call("object_map_resize shrink over existing", o, "object_map_resize", u64(2) + u8(0))
    r.call("object_map_resize shrink", o, "object_map_resize", u64(4) + u8(0))
    r.call("object_map_resize grow exists", o, "object_map_resize", u64(7) + u8(1))
    r.state("object map resized", o)
    save = bytes.fromhex("0e00000001010800000005000000000000004500000000")
    r.call("object_map_save", o, "object_map_save", save)
    r.state("object map saved", o)
    r.call("object_map_save bad", o, "object_map_save", b"\1\2\3")
    big = "rbd_object_map.big1"
    r.call("object_map_resize 70000", big, "object_map_resize", u64(70000) + u8(0))
    r.call("object_map_update 69999", big, "object_map_update", u64(69999) + u64(70000) + u8(1) + opt(None, u8))
    r.state("object map 70000", big)
    # trash
    t = "rbd_trash"
    spec = bytes([2, 1]) + struct.pack("<I", 25) + u8(3) + s("img") + u64(5) + u64(0) + u8(0)
    r.call("trash_get missing object", t, "trash_get", s("abc123"))
    r.call("trash_add", t, "trash_add", s("abc123") + spec)
    r.call("trash_add again", t, "trash_add", s("abc123") + spec)
    r.call("trash_add bad id", t, "trash_add", s("a-b") + spec)
    r.call("trash_get", t, "trash_get", s("abc123"))
    r.call("trash_list", t, "trash_list", s("") + u64(10))
    r.call("trash_state_set moving", t, "trash_state_set", s("abc123") + u8(1) + u8(0))
    r.call("trash_state_set moving again", t, "trash_state_set", s("abc123") + u8(1) + u8(0))
    r.call("trash_state_set stale", t, "trash_state_set", s("abc123") + u8(3) + u8(0))
    r.call("trash_get moving", t, "trash_get", s("abc123"))
    r.call("trash_state_set back", t, "trash_state_set", s("abc123") + u8(0) + u8(1))
    r.call("trash_state_set missing", t, "trash_state_set", s("zzz999") + u8(1) + u8(0))
    r.call("trash_state_set bad input", t, "trash_state_set", b"\1")
    r.call("trash_remove", t, "trash_remove", s("abc123"))
    r.call("trash_remove again", t, "trash_remove", s("abc123"))
    r.state("trash", t)
    r.call("unknown method", h, "no_such_method")


def snapshots(r, h, ts):
    """Snapshot records, protection, limits, and the object map's snapshot methods."""
    hp = "rbd_header.snp1"
    r.call("create for snapshots", hp, "create", u64(8 << 20) + u8(22) + u64(61) + s("rbd_data.snp1") + i64(-1))

    def namespace(kind):
        return bytes([1, 1]) + struct.pack("<I", 4) + struct.pack("<I", kind)

    info_ts = (6 + 8 + 10 + 4 + 2 + 8, 8)  # SnapshotInfo of a 2-letter name: its timestamp
    r.call("snapshot_add", hp, "snapshot_add", s("s1") + u64(4) + namespace(0))
    r.call("snapshot_add no namespace", hp, "snapshot_add", s("s2") + u64(6))
    r.call("snapshot_add stale id", hp, "snapshot_add", s("s3") + u64(5))
    r.call("snapshot_add dup name", hp, "snapshot_add", s("s1") + u64(7))
    r.call("snapshot_add dup id", hp, "snapshot_add", s("s9") + u64(6))
    r.call("snapshot_add unknown namespace", hp, "snapshot_add", s("s4") + u64(8) + namespace(9))
    r.call("snapshot_add id too big", hp, "snapshot_add", s("s5") + u64(NOSNAP))
    r.call("snapshot_add bad input", hp, "snapshot_add", b"\1")
    r.call("snapshot_add missing header", "rbd_header.nope", "snapshot_add", s("s1") + u64(4))
    r.call("get_snapcontext with snapshots", hp, "get_snapcontext")
    r.call("snapshot_get", hp, "snapshot_get", u64(4), mask=info_ts)
    r.call("snapshot_get head", hp, "snapshot_get", u64(NOSNAP))
    r.call("snapshot_get missing", hp, "snapshot_get", u64(5))
    r.call("get_size snap", hp, "get_size", u64(4))
    r.call("set_size after snapshot", hp, "set_size", u64(16 << 20))
    r.call("get_size snap after", hp, "get_size", u64(4))
    r.call("get_flags snap", hp, "get_flags", u64(4))
    r.call("set_flags snap", hp, "set_flags", u64(1) + u64(1) + u64(4))
    r.call("get_flags snap after", hp, "get_flags", u64(4))
    r.call("get_flags head after", hp, "get_flags", u64(NOSNAP))
    r.call("get_flags snap missing", hp, "get_flags", u64(5))
    r.call("set_flags snap missing", hp, "set_flags", u64(1) + u64(1) + u64(5))
    r.call("get_protection_status", hp, "get_protection_status", u64(4))
    r.call("get_protection_status head", hp, "get_protection_status", u64(NOSNAP))
    r.call("get_protection_status missing", hp, "get_protection_status", u64(5))
    r.call("get_protection_status missing header", "rbd_header.nope", "get_protection_status", u64(4))
    r.call("set_protection_status protected", hp, "set_protection_status", u64(4) + u8(2))
    r.call("get_protection_status after", hp, "get_protection_status", u64(4))
    r.call("set_protection_status bad status", hp, "set_protection_status", u64(4) + u8(3))
    r.call("set_protection_status head", hp, "set_protection_status", u64(NOSNAP) + u8(2))
    r.call("set_protection_status missing", hp, "set_protection_status", u64(5) + u8(2))
    r.call("set_protection_status without layering", h, "set_protection_status", u64(4) + u8(2))
    r.call("snapshot_remove protected", hp, "snapshot_remove", u64(4))
    r.call("set_protection_status unprotected", hp, "set_protection_status", u64(4) + u8(0))
    r.call("snapshot_rename", hp, "snapshot_rename", u64(4) + s("o1"))
    r.call("snapshot_get renamed", hp, "snapshot_get", u64(4), mask=info_ts)
    r.call("snapshot_rename onto existing", hp, "snapshot_rename", u64(4) + s("s2"))
    r.call("snapshot_rename missing", hp, "snapshot_rename", u64(5) + s("x"))
    r.call("snapshot_set_limit below count", hp, "snapshot_set_limit", u64(1))
    r.call("snapshot_set_limit 2", hp, "snapshot_set_limit", u64(2))
    r.call("snapshot_get_limit 2", hp, "snapshot_get_limit")
    r.call("snapshot_add at limit", hp, "snapshot_add", s("s3") + u64(9))
    r.call("snapshot_set_limit none", hp, "snapshot_set_limit", u64((1 << 64) - 1))
    r.call("snapshot_get_limit none", hp, "snapshot_get_limit")
    r.call("snapshot_set_limit none again", hp, "snapshot_set_limit", u64((1 << 64) - 1))
    r.call("snapshot_remove", hp, "snapshot_remove", u64(4))
    r.call("snapshot_remove again", hp, "snapshot_remove", u64(4))
    r.call("get_snapcontext after remove", hp, "get_snapcontext")
    r.state("after snapshots", hp, ts + ("snapshot_0000000000000006",))
    hq = "rbd_header.snp2"
    r.call("create for limit 0", hq, "create", u64(8 << 20) + u8(22) + u64(61) + s("rbd_data.snp2") + i64(-1))
    r.call("snapshot_set_limit 0", hq, "snapshot_set_limit", u64(0))
    r.call("snapshot_add under limit 0", hq, "snapshot_add", s("a") + u64(3))
    r.call("snapshot_add second under limit 0", hq, "snapshot_add", s("b") + u64(4))
    om = "rbd_object_map.snp1"
    r.call("object_map_snap_add missing", om, "object_map_snap_add")
    r.call("object_map_resize for snapshots", om, "object_map_resize", u64(6) + u8(0))
    r.call("object_map_update 0..4 exists", om, "object_map_update", u64(0) + u64(4) + u8(1) + opt(None, u8))
    r.call("object_map_update 4 pending", om, "object_map_update", u64(4) + u64(5) + u8(2) + opt(None, u8))
    r.call("object_map_snap_add", om, "object_map_snap_add")
    r.state("object map after snap_add", om)
    r.call("object_map_snap_add unchanged", om, "object_map_snap_add")
    r.call("object_map_update 1 exists", om, "object_map_update", u64(1) + u64(2) + u8(1) + opt(None, u8))
    snap_map = "rbd_object_map.snp1.0000000000000004"
    r.call("snapshot map resize", snap_map, "object_map_resize", u64(3) + u8(0))
    r.call("snapshot map 0 exists", snap_map, "object_map_update", u64(0) + u64(1) + u8(1) + opt(None, u8))
    _, removed = r.io.execute(snap_map, "rbd", "object_map_load", b"", length=1 << 20)
    r.call("object_map_snap_remove", om, "object_map_snap_remove", removed)
    r.state("object map after snap_remove", om)
    r.call("object_map_snap_remove bad input", om, "object_map_snap_remove", b"\1")
    r.call("object_map_snap_remove missing", "rbd_object_map.nope", "object_map_snap_remove", removed)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conf", required=True)
    ap.add_argument("--pool", default=f"cephrs-cls-{os.getpid()}")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--record")
    g.add_argument("--expect")
    args = ap.parse_args()
    cluster = rados.Rados(conffile=args.conf)
    cluster.connect()
    if cluster.pool_exists(args.pool):
        cluster.delete_pool(args.pool)
    cluster.create_pool(args.pool)
    try:
        with cluster.open_ioctx(args.pool) as io:
            r = Run(io)
            suite(r)
    finally:
        cluster.delete_pool(args.pool)
        cluster.shutdown()
    if args.record:
        with open(args.record, "w") as f:
            f.write("\n".join(r.lines) + "\n")
    if args.expect:
        with open(args.expect) as f:
            want = f.read().splitlines()
        diff = list(difflib.unified_diff(want, r.lines, "upstream", "this run", lineterm="", n=0))
        if diff:
            print("FAIL: cls rbd differs from upstream's OSD:")
            print("\n".join(diff[:120]))
            return 1
        print(f"cls rbd suite: {len(r.lines)} results equal to upstream's")
    elif not args.record:
        print("\n".join(r.lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
