#!/usr/bin/python3
"""What RBD writes to RADOS: runs a fixed set of image operations through the
upstream Python bindings into a fresh pool, then dumps every object of the
pool — size, data digest, xattrs, omap header and omap, value by value — with
what legitimately differs between runs normalised: image ids (ID0, ID1… in
the order of the image names), timestamps, lock cookies and client names.

Run under upstream's libraries on a cluster, it gives the reference; under
ours on the local store, it must give the same bytes.

usage: rbd_layout.py --conf CEPH_CONF [--pool POOL] [--record FILE | --expect FILE]
"""

import argparse
import ctypes
import difflib
import hashlib
import os
import re
import struct
import sys

import rados
import rbd

MiB = 1 << 20


def scenario(io):
    """The operations whose results are compared."""
    r = rbd.RBD()
    # the seed example, both images
    for name in ("myimage", "myimage2"):
        r.create(io, name, 4 * 1024 * MiB)
        with rbd.Image(io, name) as image:
            image.write(b"foo" * 200, 0)
    # a default image never written
    r.create(io, "test", 1024 * MiB)
    # a small-object image without object map or exclusive lock
    r.create(io, "small", 10 * MiB, order=20, features=rbd.RBD_FEATURE_LAYERING)
    with rbd.Image(io, "small") as image:
        image.write(b"s" * 5000, MiB - 100)  # across two objects
        image.write(b"t" * 10, 9 * MiB)
    # a striped image
    r.create(io, "striped", 64 * MiB, order=22, stripe_unit=64 * 1024, stripe_count=4,
             features=rbd.RBD_FEATURE_LAYERING | rbd.RBD_FEATURE_STRIPINGV2 | rbd.RBD_FEATURE_EXCLUSIVE_LOCK
             | rbd.RBD_FEATURE_OBJECT_MAP | rbd.RBD_FEATURE_FAST_DIFF)
    with rbd.Image(io, "striped") as image:
        image.write(bytes(range(256)) * 1024, 100 * 1024)  # 256 KiB over 4 objects
        image.write(b"end", 64 * MiB - 3)
    # I/O variety on a default image
    r.create(io, "io", 32 * MiB)
    with rbd.Image(io, "io") as image:
        image.write(b"a" * (4 * MiB + 8192), 0)  # object 0 whole, object 1 partly
        image.write(b"b" * 4096, 12 * MiB)  # object 3
        image.write(b"c" * 4096, 20 * MiB)  # object 5
        image.discard(4 * MiB, 4 * MiB)  # object 1 removed
        image.discard(12 * MiB + 1024, 1024)  # a hole in object 3
        image.discard(20 * MiB + 2048, 4 * MiB - 2048)  # object 5 truncated
        image.write_zeroes(0, 4096)  # zeroed head of object 0
        image.write(b"d" * 100, 28 * MiB)  # object 7
        image.metadata_set("owner", "tests")
        image.metadata_set("purpose", "layout")
        image.metadata_remove("purpose")
        image.config_set("rbd_cache", "false")
        image.resize(24 * MiB)  # drops objects 6 and 7
        image.resize(40 * MiB)
    # features switched off and on
    r.create(io, "features", 8 * MiB)
    with rbd.Image(io, "features") as image:
        image.write(b"f" * 10, 0)
        image.update_features(rbd.RBD_FEATURE_FAST_DIFF, False)
        image.update_features(rbd.RBD_FEATURE_DEEP_FLATTEN, False)
    r.create(io, "features2", 8 * MiB, features=rbd.RBD_FEATURE_LAYERING | rbd.RBD_FEATURE_EXCLUSIVE_LOCK)
    with rbd.Image(io, "features2") as image:
        image.write(b"g" * 10, 4 * MiB)
        image.update_features(rbd.RBD_FEATURE_OBJECT_MAP, True)
    # snapshots: copy-on-write data, per-snapshot object maps, a rename, a
    # protection, a removal, and a handle reading a snapshot
    r.create(io, "snapped", 16 * MiB)
    with rbd.Image(io, "snapped") as image:
        image.write(b"1" * 100, 0)
        image.write(b"2" * 100, 4 * MiB)
        image.create_snap("s1")
        image.write(b"3" * 100, 0)
        image.write(b"4" * 100, 8 * MiB)
        image.create_snap("s2")
        image.create_snap("s3")
        image.write(b"5" * 100, 12 * MiB)
        image.rename_snap("s1", "first")
        image.protect_snap("s2")
        image.remove_snap("s3")
        image.set_snap_limit(10)
    with rbd.Image(io, "snapped", snapshot="first") as image:
        assert image.read(0, 1) == b"1"
    # renamed and removed images
    r.create(io, "before", 4 * MiB)
    r.rename(io, "before", "after")
    r.create(io, "doomed", 8 * MiB)
    with rbd.Image(io, "doomed") as image:
        image.write(b"x" * 10, 0)
    r.remove(io, "doomed")


class Normaliser:
    def __init__(self, io):
        self.ids = {}
        try:
            with rados.ReadOpCtx() as op:
                it, _ = io.get_omap_vals(op, "", "id_", 1000)
                io.operate_read_op(op, "rbd_directory")
                by_name = sorted((v[4:].decode(), k[3:]) for k, v in it)
        except rados.ObjectNotFound:
            by_name = []
        for n, (_, image_id) in enumerate(by_name):
            self.ids[image_id] = f"ID{n}"

    def text(self, s):
        for image_id, label in self.ids.items():
            s = s.replace(image_id, label)
        return s

    def data(self, b):
        # ids are encoded with a length in front (alone or in the block name
        # prefix); their length varies between runs, so the length goes too
        for image_id, label in self.ids.items():
            for text, new in ((image_id, label), ("rbd_data." + image_id, "rbd_data." + label)):
                b = b.replace(struct.pack("<I", len(text)) + text.encode(), struct.pack("<I", len(new)) + new.encode())
            b = b.replace(image_id.encode(), label.encode())
        return b


def show(b):
    if len(b) <= 96:
        return b.hex()
    return f"{len(b)} bytes sha1 {hashlib.sha1(b).hexdigest()[:16]}"


def lock_value(b, norm):
    """cls lock's lock_info_t, with lockers' client numbers and cookies normalised."""
    # lockers (map) are rare after close: show raw when the map is empty
    if b[6:10] == b"\0\0\0\0":
        return "no lockers, " + show(b[10:])
    return "lockers present: " + norm.text(re.sub(r"auto \d+", "auto N", b.decode("latin1")))


def snapshot_record(v):
    """A snapshot's record (cls_rbd_snap v8) with its timestamp zeroed."""
    # envelope (6), id (8), name (4 + n), size (8), protection (1), flags (8),
    # namespace (6 + 4 for a user snapshot), then the timestamp (8)
    name_len = struct.unpack_from("<I", v, 14)[0]
    at = 6 + 8 + 4 + name_len + 8 + 1 + 8 + 10
    return v[:at] + b"\0" * 8 + v[at + 8:]


def dump(io):
    norm = Normaliser(io)
    lines = []
    names = sorted((o.key for o in io.list_objects()), key=norm.text)
    for name in names:
        label = norm.text(name)
        size, _ = io.stat(name)
        data = norm.data(io.read(name, size) if size else b"")
        lines.append(f"{label}: size {len(data)} data {show(data)}")
        for k, v in sorted(io.get_xattrs(name)):
            if k.startswith("lock."):
                lines.append(f"  xattr {k}: {lock_value(v, norm)}")
            else:
                lines.append(f"  xattr {k}: {show(norm.data(v))}")
        with rados.ReadOpCtx() as op:
            it, _ = io.get_omap_vals(op, "", "", 10000)
            io.operate_read_op(op, name)
            omap = list(it)
        entries = []
        for k, v in omap:
            if k.endswith("_timestamp"):
                v = b"<utime>" if len(v) == 8 else v
            elif k.startswith("snapshot_"):
                v = snapshot_record(v)
            entries.append(f"  omap {norm.text(k)}: {show(norm.data(v))}")
        lines.extend(sorted(entries))
    return lines


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conf", required=True)
    ap.add_argument("--pool", default=f"cephrs-layout-{os.getpid()}")
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
            scenario(io)
            lines = dump(io)
    finally:
        cluster.delete_pool(args.pool)
        cluster.shutdown()
    if args.record:
        with open(args.record, "w") as f:
            f.write("\n".join(lines) + "\n")
    if args.expect:
        with open(args.expect) as f:
            want = f.read().splitlines()
        diff = list(difflib.unified_diff(want, lines, "upstream", "this run", lineterm="", n=1))
        if diff:
            print(f"FAIL: the pool's objects differ from upstream's:")
            print("\n".join(diff[:150]))
            return 1
        print(f"rbd layout: {len(names_of(lines))} objects, {len(lines)} lines, equal to upstream's")
    elif not args.record:
        print("\n".join(lines))
    return 0


def names_of(lines):
    return [l for l in lines if not l.startswith("  ")]


if __name__ == "__main__":
    sys.exit(main())
