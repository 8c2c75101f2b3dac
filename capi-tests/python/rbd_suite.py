#!/usr/bin/python3
"""The librbd behaviour suite, written against the upstream Python `rbd` and
`rados` bindings, plus ctypes for the C functions the bindings do not reach
(writesame, compare-and-write, read_iterate, vectored and event-polled aio,
buffer-size protocols).

Each case records observations: return values, data read back, objects left
in the pool, errors as their errno name. What legitimately differs between
runs (image ids, pool ids, timestamps) is recorded as a property. Upstream's
libraries on a real cluster are the reference (expected/rbd_suite.txt).

usage: rbd_suite.py --conf CEPH_CONF [--pool-prefix P] [--record FILE | --expect FILE] [--only CASE...]
"""

import argparse
import ctypes
import os
import re
import sys
import threading
import time
import zlib

import rados
import rbd

from suite_common import Cases, Failure, attempt, err_name, rc, recent, report, run_cases

CASES = Cases()
case = CASES

KiB, MiB = 1 << 10, 1 << 20
DEFAULT_FEATURES = 61

# ---------------------------------------------------------------------------
# ctypes access to the same librbd/librados the bindings loaded

vp, cp, sz, i32, u64 = ctypes.c_void_p, ctypes.c_char_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_uint64
P = ctypes.POINTER
ITER_CB = ctypes.CFUNCTYPE(i32, u64, sz, vp, vp)
PROGRESS_CB = ctypes.CFUNCTYPE(i32, u64, u64, vp)


class Iovec(ctypes.Structure):
    _fields_ = [("base", vp), ("len", sz)]


class ImageSpec(ctypes.Structure):
    _fields_ = [("id", cp), ("name", cp)]


class ImageInfo(ctypes.Structure):
    _fields_ = [
        ("size", u64),
        ("obj_size", u64),
        ("num_objs", u64),
        ("order", i32),
        ("prefix", ctypes.c_char * 24),
        ("parent_pool", ctypes.c_int64),
        ("parent_name", ctypes.c_char * 96),
    ]


class Timespec(ctypes.Structure):
    _fields_ = [("sec", ctypes.c_long), ("nsec", ctypes.c_long)]


class Ctypes:
    SIGNATURES = {
        "rbd_open": (i32, [vp, cp, P(vp), cp]),
        "rbd_open_read_only": (i32, [vp, cp, P(vp), cp]),
        "rbd_close": (i32, [vp]),
        "rbd_create": (i32, [vp, cp, u64, P(i32)]),
        "rbd_create2": (i32, [vp, cp, u64, u64, P(i32)]),
        "rbd_create3": (i32, [vp, cp, u64, u64, P(i32), u64, u64]),
        "rbd_list": (i32, [vp, vp, P(sz)]),
        "rbd_list2": (i32, [vp, vp, P(sz)]),
        "rbd_image_spec_list_cleanup": (None, [vp, sz]),
        "rbd_remove_with_progress": (i32, [vp, cp, PROGRESS_CB, vp]),
        "rbd_resize_with_progress": (i32, [vp, u64, PROGRESS_CB, vp]),
        "rbd_stat": (i32, [vp, vp, sz]),
        "rbd_get_name": (i32, [vp, vp, P(sz)]),
        "rbd_get_id": (i32, [vp, vp, sz]),
        "rbd_get_block_name_prefix": (i32, [vp, vp, sz]),
        "rbd_get_create_timestamp": (i32, [vp, P(Timespec)]),
        "rbd_features_to_string": (i32, [u64, vp, P(sz)]),
        "rbd_features_from_string": (i32, [cp, P(u64)]),
        "rbd_read": (ctypes.c_ssize_t, [vp, u64, sz, vp]),
        "rbd_read2": (ctypes.c_ssize_t, [vp, u64, sz, vp, i32]),
        "rbd_write": (ctypes.c_ssize_t, [vp, u64, sz, cp]),
        "rbd_write2": (ctypes.c_ssize_t, [vp, u64, sz, cp, i32]),
        "rbd_discard": (i32, [vp, u64, u64]),
        "rbd_writesame": (ctypes.c_ssize_t, [vp, u64, sz, cp, sz, i32]),
        "rbd_write_zeroes": (ctypes.c_ssize_t, [vp, u64, sz, i32, i32]),
        "rbd_compare_and_write": (ctypes.c_ssize_t, [vp, u64, sz, cp, cp, P(u64), i32]),
        "rbd_read_iterate": (ctypes.c_int64, [vp, u64, sz, ITER_CB, vp]),
        "rbd_read_iterate2": (i32, [vp, u64, u64, ITER_CB, vp]),
        "rbd_flush": (i32, [vp]),
        "rbd_invalidate_cache": (i32, [vp]),
        "rbd_aio_create_completion": (i32, [vp, vp, P(vp)]),
        "rbd_aio_release": (None, [vp]),
        "rbd_aio_wait_for_complete": (i32, [vp]),
        "rbd_aio_is_complete": (i32, [vp]),
        "rbd_aio_get_return_value": (ctypes.c_ssize_t, [vp]),
        "rbd_aio_get_arg": (vp, [vp]),
        "rbd_aio_write": (i32, [vp, u64, sz, cp, vp]),
        "rbd_aio_read": (i32, [vp, u64, sz, vp, vp]),
        "rbd_aio_writev": (i32, [vp, vp, i32, u64, vp]),
        "rbd_aio_readv": (i32, [vp, vp, i32, u64, vp]),
        "rbd_aio_discard": (i32, [vp, u64, u64, vp]),
        "rbd_aio_writesame": (i32, [vp, u64, sz, cp, sz, vp, i32]),
        "rbd_aio_write_zeroes": (i32, [vp, u64, sz, vp, i32, i32]),
        "rbd_aio_compare_and_write": (ctypes.c_ssize_t, [vp, u64, sz, cp, cp, vp, P(u64), i32]),
        "rbd_aio_flush": (i32, [vp, vp]),
        "rbd_aio_open": (i32, [vp, cp, P(vp), cp, vp]),
        "rbd_aio_close": (i32, [vp, vp]),
        "rbd_set_image_notification": (i32, [vp, i32, i32]),
        "rbd_poll_io_events": (i32, [vp, vp, i32]),
        "rbd_is_exclusive_lock_owner": (i32, [vp, P(i32)]),
        "rbd_metadata_get": (i32, [vp, cp, vp, P(sz)]),
        "rbd_metadata_list": (i32, [vp, cp, u64, vp, P(sz), vp, P(sz)]),
        "rbd_config_image_list": (i32, [vp, vp, P(i32)]),
        "rbd_config_image_list_cleanup": (None, [vp, i32]),
    }

    def __init__(self, conf):
        self.rados = ctypes.CDLL("librados.so.2")
        self.rbd = ctypes.CDLL("librbd.so.1")
        for name, (res, args) in self.SIGNATURES.items():
            f = getattr(self.rbd, name)
            f.restype, f.argtypes = res, args
        R = self.rados
        self.cluster = vp()
        self.check(R.rados_create2(ctypes.byref(self.cluster), b"ceph", b"client.admin", u64(0)), "create2")
        self.check(R.rados_conf_read_file(self.cluster, conf.encode()), "conf_read_file")
        self.check(R.rados_connect(self.cluster), "connect")

    @staticmethod
    def check(r, what):
        if r < 0:
            raise Failure(f"ctypes {what}: {err_name(r)}")

    def ioctx(self, pool):
        io = vp()
        self.check(self.rados.rados_ioctx_create(self.cluster, pool.encode(), ctypes.byref(io)), "ioctx_create")
        return io

    def open(self, io, name, read_only=False):
        image = vp()
        f = self.rbd.rbd_open_read_only if read_only else self.rbd.rbd_open
        self.check(f(io, name.encode(), ctypes.byref(image), None), f"open {name}")
        return image

    def completion(self):
        c = vp()
        self.check(self.rbd.rbd_aio_create_completion(None, None, ctypes.byref(c)), "aio_create_completion")
        return c

    def aio(self, start):
        """Runs `start(completion)`; returns (submit rc, completion value)."""
        c = self.completion()
        r = start(c)
        value = None
        if r == 0:
            self.rbd.rbd_aio_wait_for_complete(c)
            value = rc(self.rbd.rbd_aio_get_return_value(c))
        self.rbd.rbd_aio_release(c)
        return rc(r), value

    def close(self):
        self.rados.rados_shutdown(self.cluster)


# ---------------------------------------------------------------------------
# helpers


class Env:
    pass


def objects(io, prefix_id=None):
    """The pool's objects as {normalised name: size}; image ids become ID."""
    out = {}
    for o in io.list_objects():
        name = o.key
        if prefix_id:
            name = name.replace(prefix_id, "ID")
        try:
            size = io.stat(o.key)[0]
        except rados.ObjectNotFound:
            continue
        out[name] = size
    return out


def data_objects(io, image):
    """{object number: size} of an image's data objects."""
    prefix = image.block_name_prefix() + "."
    out = {}
    for o in io.list_objects():
        if o.key.startswith(prefix):
            out[int(o.key[len(prefix):], 16)] = io.stat(o.key)[0]
    return dict(sorted(out.items()))


def object_map(io, image):
    """The raw object map object of an image."""
    try:
        return io.read("rbd_object_map." + image.id(), 1 << 20)
    except rados.ObjectNotFound:
        return "missing"


def stat_of(image):
    s = dict(image.stat())
    s["block_name_prefix"] = s["block_name_prefix"].replace(image.id(), "ID")
    return s


def fresh(env, name, size, **kw):
    r = rbd.RBD()
    if name in r.list(env.io):
        r.remove(env.io, name)
    r.create(env.io, name, size, **kw)
    return rbd.Image(env.io, name)


# ---------------------------------------------------------------------------
# the cases


@case
def create_options(env, rec):
    r, io = rbd.RBD(), env.io
    r.create(io, "c-default", 10 * MiB)
    with rbd.Image(io, "c-default") as im:
        rec("default stat", stat_of(im))
        rec("default features", im.features())
        rec("default stripe", (im.stripe_unit(), im.stripe_count()))
        rec.check(re.fullmatch(r"[0-9a-f]{5,24}", im.id()) is not None, "id shape")
    r.create(io, "c-order20", 10 * MiB, order=20, features=rbd.RBD_FEATURE_LAYERING)
    with rbd.Image(io, "c-order20") as im:
        rec("order20 stat", stat_of(im))
        rec("order20 features", im.features())
    r.create(io, "c-striped", 10 * MiB, stripe_unit=64 * KiB, stripe_count=4)
    with rbd.Image(io, "c-striped") as im:
        rec("striped stripe", (im.stripe_unit(), im.stripe_count()))
        rec("striped features", im.features())
        rec("striped stat", stat_of(im))
    r.create(io, "c-default-stripe", 10 * MiB, stripe_unit=4 * MiB, stripe_count=1)
    with rbd.Image(io, "c-default-stripe") as im:
        rec("explicit default striping features", im.features())
    r.create(io, "c-datapool", 10 * MiB, data_pool=env.pool2)
    with rbd.Image(io, "c-datapool") as im:
        rec("data pool features", im.features())
        rec("data pool id is pool2", im.data_pool_id() == env.rados.pool_lookup(env.pool2))
        im.write(b"x" * 10, 0)
        rec("data objects in pool2", sorted(re.sub(r"\.\d+\.", ".POOL.", x.key.replace(im.id(), "ID")) for x in env.io2.list_objects()))
        rec("prefix shape", re.sub(r"\.\d+\.", ".POOL.", im.block_name_prefix().replace(im.id(), "ID")))
    with rbd.Image(io, "c-default") as im:
        rec("own data pool id", im.data_pool_id() == env.rados.pool_lookup(env.pool))
    rec("exists", attempt(r.create, io, "c-default", MiB))
    rec("order 11", attempt(r.create, io, "c-o11", MiB, order=11))
    rec("order 26", attempt(r.create, io, "c-o26", MiB, order=26))
    rec("order 12", attempt(r.create, io, "c-o12", MiB, order=12))
    rec("order 25", attempt(r.create, io, "c-o25", MiB, order=25))
    rec("empty name", attempt(r.create, io, "", MiB))
    rec("object map without lock", attempt(r.create, io, "c-bad1", MiB, features=rbd.RBD_FEATURE_OBJECT_MAP))
    rec("fast diff alone", attempt(r.create, io, "c-fd", MiB, features=rbd.RBD_FEATURE_FAST_DIFF | 1))
    with rbd.Image(io, "c-fd") as im:
        rec("fast diff alone features", im.features())
    rec("journaling without lock", attempt(r.create, io, "c-bad2", MiB, features=rbd.RBD_FEATURE_JOURNALING))
    rec("unknown feature", attempt(r.create, io, "c-bad3", MiB, features=1 << 20))
    rec("stripe unit not a factor", attempt(r.create, io, "c-bad4", MiB, stripe_unit=3000, stripe_count=2))
    rec("stripe unit without count", attempt(r.create, io, "c-bad5", MiB, stripe_unit=64 * KiB))
    rec("huge with object map", attempt(r.create, io, "c-bad6", 1 << 60))
    rec("huge without object map", attempt(r.create, io, "c-huge", 1 << 50, features=1))
    rec("name with slash", attempt(r.create, io, "c/slash", MiB, features=1))
    rec("name with at", attempt(r.create, io, "c@at", MiB, features=1))
    rec("size 0", attempt(r.create, io, "c-zero", 0))
    with rbd.Image(io, "c-zero") as im:
        rec("size 0 stat", stat_of(im))
        rec("size 0 read", attempt(im.read, 0, 1))
        rec("size 0 write", attempt(im.write, b"x", 0))
    rec("leftovers of failed creates", sorted(n for n in r.list(io) if n.startswith("c-bad")))
    # C entry points: the order is an in/out parameter
    c, cio = env.c, env.cio
    for label, fn in (
        ("create order 0", lambda o: c.rbd.rbd_create(cio, b"c-c1", u64(MiB), o)),
        ("create2 order 0", lambda o: c.rbd.rbd_create2(cio, b"c-c2", u64(MiB), u64(1), o)),
        ("create3 order 0 striping 0", lambda o: c.rbd.rbd_create3(cio, b"c-c3", u64(MiB), u64(1), o, u64(0), u64(0))),
        ("create3 striping", lambda o: c.rbd.rbd_create3(cio, b"c-c4", u64(MiB), u64(3), o, u64(8192), u64(8))),
    ):
        order = i32(0)
        rec(label, (rc(fn(ctypes.byref(order))), order.value))
    order = i32(20)
    rec("create order 20", (rc(c.rbd.rbd_create(cio, b"c-c5", u64(MiB), ctypes.byref(order))), order.value))
    order = i32(30)
    rec("create order 30", (rc(c.rbd.rbd_create(cio, b"c-c6", u64(MiB), ctypes.byref(order))), order.value))
    with rbd.Image(io, "c-c4") as im:
        rec("create3 striping result", (im.features(), im.stripe_unit(), im.stripe_count()))


@case
def list_rename_remove(env, rec):
    r, io = rbd.RBD(), env.io
    for n in ("l-a", "l-b", "l-c"):
        r.create(io, n, MiB, features=1)
    names = r.list(io)
    rec("listed", [n for n in names if n.startswith("l-")])
    rec("list sorted", names == sorted(names))
    specs = [s for s in r.list2(io) if s["name"].startswith("l-")]
    rec("list2 names", [s["name"] for s in specs])
    with rbd.Image(io, "l-a") as im:
        rec("list2 id is image id", specs[0]["id"] == im.id())
    rec("rename", attempt(r.rename, io, "l-a", "l-a2"))
    rec("after rename", [n for n in r.list(io) if n.startswith("l-")])
    rec("old name opens", attempt(lambda: rbd.Image(io, "l-a").close()))
    rec("new name opens", attempt(lambda: rbd.Image(io, "l-a2").close()))
    rec("rename to existing", attempt(r.rename, io, "l-a2", "l-b"))
    rec("rename missing", attempt(r.rename, io, "l-nope", "l-x"))
    rec("rename to itself", attempt(r.rename, io, "l-b", "l-b"))
    with rbd.Image(io, "l-b") as im:
        rec("rename while open", attempt(r.rename, io, "l-b", "l-b2"))
        rec("name after rename while open", im.get_name())
        rec("remove while open", attempt(r.remove, io, "l-b2"))
    rec("remove missing", attempt(r.remove, io, "l-nope"))
    # removal deletes the data objects, reporting progress
    r.create(io, "l-data", 20 * MiB, order=20, features=1)
    with rbd.Image(io, "l-data") as im:
        for k in range(0, 20, 3):
            im.write(b"d" * 100, k * MiB + 5)
        prefix = im.block_name_prefix()
    calls = []
    rec("remove with progress", attempt(r.remove, io, "l-data", on_progress=lambda a, b: calls.append((a, b)) or 0))
    rec("progress last", calls[-1] if calls else None)
    rec("progress monotonic", all(a <= b for (a, _), (b, _) in zip(calls, calls[1:])))
    rec("data objects left", sorted(o.key for o in io.list_objects() if o.key.startswith(prefix)))
    rec("remove again", attempt(r.remove, io, "l-data"))
    for n in ("l-a2", "l-b2", "l-c"):
        r.remove(io, n)
    rec("listed at end", [n for n in r.list(io) if n.startswith("l-")])
    # the C buffer protocols
    c, cio = env.c, env.cio
    for n in ("l-x", "l-yy", "l-zzz"):
        r.create(io, n, MiB, features=1)
    need = sum(len(n) + 1 for n in r.list(io))
    size = sz(0)
    rec("rbd_list size 0", (rc(c.rbd.rbd_list(cio, None, ctypes.byref(size))), size.value == need))
    buf = ctypes.create_string_buffer(need + 10)
    size = sz(need + 10)
    got = c.rbd.rbd_list(cio, buf, ctypes.byref(size))
    rec("rbd_list fits", (got == need, size.value == need + 10))
    rec("rbd_list names", [n.decode() for n in buf.raw[:need].split(b"\0") if n.startswith(b"l-")])
    size = sz(need)
    rec("rbd_list NULL buffer", rc(c.rbd.rbd_list(cio, None, ctypes.byref(size))))
    count = len(r.list(io))
    n = sz(1)
    arr = (ImageSpec * (count + 2))()
    rec("rbd_list2 small", (rc(c.rbd.rbd_list2(cio, arr, ctypes.byref(n))), n.value == count))
    n = sz(count + 2)
    rec("rbd_list2 fits", (rc(c.rbd.rbd_list2(cio, arr, ctypes.byref(n))), n.value == count))
    rec("rbd_list2 names", [arr[k].name.decode() for k in range(count) if arr[k].name.startswith(b"l-")])
    rec("rbd_list2 slot after", arr[count].name)
    c.rbd.rbd_image_spec_list_cleanup(arr, count)
    progress = []
    cb = PROGRESS_CB(lambda a, b, _: progress.append((a, b)) or 0)
    rec("rbd_remove_with_progress", rc(c.rbd.rbd_remove_with_progress(cio, b"l-x", cb, None)))
    for n in ("l-yy", "l-zzz"):
        r.remove(io, n)


@case
def open_variants(env, rec):
    r, io = rbd.RBD(), env.io
    r.create(io, "o-img", 4 * MiB)
    with rbd.Image(io, "o-img") as im:
        image_id = im.id()
    with rbd.Image(io, image_id=image_id) as im:
        rec("by id name", im.get_name())
        rec("by id size", im.size())
    with rbd.Image(io, image_id=image_id, read_only=True) as im:
        rec("by id read-only write", attempt(im.write, b"x", 0))
    rec("missing", attempt(rbd.Image, io, "o-nope"))
    rec("missing id", attempt(rbd.Image, io, image_id="abcdef123456"))
    rec("missing snapshot", attempt(rbd.Image, io, "o-img", snapshot="nosnap"))
    rec("missing read-only", attempt(rbd.Image, io, "o-nope", read_only=True))
    with rbd.Image(io, "o-img", read_only=True) as im:
        rec("read-only read", im.read(0, 4))
        rec("read-only write", attempt(im.write, b"x", 0))
        rec("read-only discard", attempt(im.discard, 0, 4096))
        rec("read-only resize", attempt(im.resize, MiB))
        rec("read-only metadata_set", attempt(im.metadata_set, "k", "v"))
        rec("read-only update_features", attempt(im.update_features, rbd.RBD_FEATURE_OBJECT_MAP, False))
        rec("read-only flush", attempt(im.flush))
        rec("read-only lock owner", im.is_exclusive_lock_owner())
    # asynchronous open and close
    done = threading.Event()
    result = {}

    def opened(completion, image):
        result["rv"] = completion.get_return_value()
        result["image"] = image
        done.set()

    r.aio_open_image(opened, io, "o-img")
    rec("aio open waited", done.wait(30))
    rec("aio open rv", result.get("rv"))
    im = result["image"]
    rec("aio opened size", im.size())
    closed = threading.Event()
    im.aio_close(lambda completion: (result.__setitem__("close", completion.get_return_value()), closed.set()))
    rec("aio close waited", closed.wait(30))
    rec("aio close rv", result.get("close"))
    done.clear()
    r.aio_open_image(opened, io, "o-nope")
    rec("aio open missing waited", done.wait(30))
    rec("aio open missing rv", rc(result.get("rv")))
    # C: aio open writes the handle before completing
    c, cio = env.c, env.cio
    handle = vp()
    comp = c.completion()
    rec("rbd_aio_open", rc(c.rbd.rbd_aio_open(cio, b"o-img", ctypes.byref(handle), None, comp)))
    c.rbd.rbd_aio_wait_for_complete(comp)
    rec("rbd_aio_open rv", rc(c.rbd.rbd_aio_get_return_value(comp)))
    rec("rbd_aio_open handle set", bool(handle.value))
    c.rbd.rbd_aio_release(comp)
    comp = c.completion()
    rec("rbd_aio_close", rc(c.rbd.rbd_aio_close(handle, comp)))
    c.rbd.rbd_aio_wait_for_complete(comp)
    rec("rbd_aio_close rv", rc(c.rbd.rbd_aio_get_return_value(comp)))
    c.rbd.rbd_aio_release(comp)


@case
def getters(env, rec):
    im = fresh(env, "g-img", 10 * MiB)
    with im:
        rec("size", im.size())
        rec("features", im.features())
        rec("op_features", im.op_features())
        rec("flags", im.flags())
        rec("old_format", im.old_format())
        rec("overlap", attempt(im.overlap))
        rec("name", im.get_name())
        rec("stripe", (im.stripe_unit(), im.stripe_count()))
        rec("prefix is rbd_data.id", im.block_name_prefix() == "rbd_data." + im.id())
        rec("create timestamp recent", recent(im.create_timestamp()))
        rec("access timestamp recent", recent(im.access_timestamp()))
        rec("modify timestamp recent", recent(im.modify_timestamp()))
        rec("lock owner before write", im.is_exclusive_lock_owner())
        im.write(b"abc", 0)
        rec("lock owner after write", im.is_exclusive_lock_owner())
        rec("invalidate cache", attempt(im.invalidate_cache))
        image_id = im.id()
    c = env.c
    h = c.open(env.cio, "g-img")
    try:
        info = ImageInfo()
        rec("rbd_stat", rc(c.rbd.rbd_stat(h, ctypes.byref(info), ctypes.sizeof(info))))
        rec("rbd_stat fields", (info.size, info.obj_size, info.num_objs, info.order, info.prefix == b"rbd_data." + image_id.encode(), info.parent_pool, info.parent_name))
        n = sz(0)
        rec("get_name 0", (rc(c.rbd.rbd_get_name(h, None, ctypes.byref(n))), n.value))
        buf = ctypes.create_string_buffer(64)
        n = sz(64)
        rec("get_name 64", (rc(c.rbd.rbd_get_name(h, buf, ctypes.byref(n))), n.value, buf.value))
        L = len(image_id)
        rec("get_id exact", rc(c.rbd.rbd_get_id(h, buf, sz(L))))
        rec("get_id +1", (rc(c.rbd.rbd_get_id(h, buf, sz(L + 1))), buf.value == image_id.encode()))
        P = len("rbd_data.") + L
        rec("get_block_name_prefix exact", rc(c.rbd.rbd_get_block_name_prefix(h, buf, sz(P))))
        rec("get_block_name_prefix +1", rc(c.rbd.rbd_get_block_name_prefix(h, buf, sz(P + 1))))
        ts = Timespec()
        rec("create timestamp", (rc(c.rbd.rbd_get_create_timestamp(h, ctypes.byref(ts))), recent(ts.sec), 0 <= ts.nsec < 10**9))
        owner = i32(7)
        rec("lock owner (other handle)", (rc(c.rbd.rbd_is_exclusive_lock_owner(h, ctypes.byref(owner))), owner.value))
    finally:
        c.rbd.rbd_close(h)
    # feature names
    for f in (0, 1, 61, 4095, 1 << 12):
        size = sz(0)
        r1 = c.rbd.rbd_features_to_string(u64(f), None, ctypes.byref(size))
        buf = ctypes.create_string_buffer(256)
        size2 = sz(256)
        r2 = c.rbd.rbd_features_to_string(u64(f), buf, ctypes.byref(size2))
        rec(f"features_to_string {f}", (rc(r1), size.value, rc(r2), size2.value, buf.value))
    for text in (b"", b"layering", b" layering, exclusive-lock", b"61", b"+5", b"layering,layering", b"bogus", b"0x3d", b"4096"):
        out = u64(0)
        r1 = c.rbd.rbd_features_from_string(text, ctypes.byref(out))
        rec(f"features_from_string {text!r}", rc(r1) if r1 < 0 else (r1, out.value))
    r = rbd.RBD()
    rec("python features_to_string", r.features_to_string(61))
    rec("python features_from_string", r.features_from_string("layering,striping"))


@case
def io_basic(env, rec):
    size = 10 * MiB
    with fresh(env, "i-img", size) as im:
        rec("write at 0", im.write(b"hello", 0))
        rec("read at 0", im.read(0, 8))
        rec("cross object write", im.write(b"AB" * 50, 4 * MiB - 50))
        rec("cross object read", im.read(4 * MiB - 52, 104))
        rec("write at end", attempt(im.write, b"wxyz", size - 2))
        rec("read at end", im.read(size - 4, 8))
        rec("write past end", attempt(im.write, b"x", size))
        rec("read past end", attempt(im.read, size, 1))
        rec("read far past end", attempt(im.read, size * 2, 1))
        rec("zero-length read at end", attempt(im.read, size, 0))
        rec("zero-length write past end", attempt(im.write, b"", size * 2))
        rec("unwritten reads zeros", im.read(6 * MiB, 16))
        big = bytes((k * 7) & 0xFF for k in range(3 * MiB))
        rec("big write", im.write(big, 1 * MiB + 123))
        rec("big read equal", im.read(1 * MiB + 123, 3 * MiB) == big)
        rec("whole image digest", zlib.crc32(im.read(0, size)))
        rec("data objects", data_objects(env.io, im))
        rec("flush", attempt(im.flush))
        rec("object map", object_map(env.io, im))
        rec("flags", im.flags())
        rec("fadvise flags", (im.write(b"F", 100, rados.LIBRADOS_OP_FLAG_FADVISE_SEQUENTIAL), im.read(100, 1, rados.LIBRADOS_OP_FLAG_FADVISE_RANDOM)))
    c = env.c
    h = c.open(env.cio, "i-img")
    try:
        rb = ctypes.create_string_buffer(16)
        rec("rbd_read2 any flags", (c.rbd.rbd_read2(h, u64(0), sz(5), rb, 0x7FFFFFFF), rb.raw[:5]))
        rec("rbd_write2 any flags", c.rbd.rbd_write2(h, u64(0), sz(2), b"HE", 0x7FFFFFFF))
        rec("rbd_write past end", rc(c.rbd.rbd_write(h, u64(size), sz(1), b"x")))
        rec("rbd_read past end", rc(c.rbd.rbd_read(h, u64(size), sz(1), rb)))
        rec("rbd_read at end", (c.rbd.rbd_read(h, u64(size - 3), sz(16), rb), rb.raw[:3]))
    finally:
        c.rbd.rbd_close(h)


@case
def io_striped(env, rec):
    with fresh(env, "s-img", 16 * MiB, stripe_unit=64 * KiB, stripe_count=4) as im:
        data = bytes((k * 13 + 5) & 0xFF for k in range(MiB + 1000))
        rec("write", im.write(data, 100 * KiB))
        rec("read back equal", im.read(100 * KiB, len(data)) == data)
        rec("data objects", data_objects(env.io, im))
        rec("object map", object_map(env.io, im))
        for no, _ in data_objects(env.io, im).items():
            name = f"{im.block_name_prefix()}.{no:016x}"
            rec(f"object {no} crc", zlib.crc32(env.io.read(name, 4 * MiB)))
        rec("tail write", attempt(im.write, b"T" * 100, 16 * MiB - 60))
        rec("tail read", im.read(16 * MiB - 70, 80))
        rec("digest", zlib.crc32(im.read(0, 16 * MiB)))
        rec("stat", stat_of(im))
    with fresh(env, "s-img2", 1 * MiB + 12345, order=16, stripe_unit=4 * KiB, stripe_count=3) as im:
        rec("odd size stat", stat_of(im))
        data = os.urandom(0) + bytes(range(256)) * 4100
        rec("odd write", im.write(data[: 1 * MiB], 12345))
        rec("odd read equal", im.read(12345, 1 * MiB) == data[: 1 * MiB])
        rec("odd data objects", data_objects(env.io, im))


@case
def discard_and_zeroes(env, rec):
    io = env.io
    with fresh(env, "d-img", 12 * MiB) as im:
        pattern = b"P" * (12 * MiB)
        im.write(pattern, 0)
        rec("objects before", data_objects(io, im))
        rec("small discard", im.discard(1000, 100))
        rec("small discard keeps data", im.read(1000, 4))
        rec("aligned discard", im.discard(64 * KiB, 128 * KiB))
        rec("aligned discard zeroes", (im.read(64 * KiB, 4), im.read(192 * KiB, 1), im.read(64 * KiB - 1, 1)))
        rec("unaligned discard", im.discard(300 * KiB + 5, 200 * KiB))
        rec("unaligned discard region", (im.read(300 * KiB + 5, 1), im.read(320 * KiB, 1), im.read(448 * KiB, 1), im.read(500 * KiB, 1)))
        rec("whole object discard", im.discard(4 * MiB, 4 * MiB))
        rec("tail discard", im.discard(10 * MiB, 2 * MiB))
        rec("objects after discards", data_objects(io, im))
        rec("object map after discards", object_map(io, im))
        rec("discard past end", attempt(im.discard, 12 * MiB, 10))
        rec("discard reaching past end", im.discard(12 * MiB - 64 * KiB, MiB))
        rec("write_zeroes small", im.write_zeroes(2000, 10))
        rec("write_zeroes small region", (im.read(1999, 1), im.read(2000, 10), im.read(2010, 1)))
        rec("write_zeroes thick", im.write_zeroes(9 * MiB, 8, rbd.RBD_WRITE_ZEROES_FLAG_THICK_PROVISION))
        rec("write_zeroes bad flags", attempt(im.write_zeroes, 0, 8, 8))
        rec("write_zeroes whole object", im.write_zeroes(4 * MiB, 4 * MiB))
        rec("objects at end", data_objects(io, im))
        rec("digest", zlib.crc32(im.read(0, 12 * MiB)))
    c = env.c
    h = c.open(env.cio, "d-img")
    try:
        rec("writesame", c.rbd.rbd_writesame(h, u64(0), sz(12), b"abc", sz(3), 0))
        buf = ctypes.create_string_buffer(16)
        c.rbd.rbd_read(h, u64(0), sz(14), buf)
        rec("writesame data", buf.raw[:14])
        rec("writesame not a multiple", rc(c.rbd.rbd_writesame(h, u64(0), sz(10), b"abc", sz(3), 0)))
        rec("writesame empty pattern", rc(c.rbd.rbd_writesame(h, u64(0), sz(9), b"", sz(0), 0)))
        rec("writesame zero length", rc(c.rbd.rbd_writesame(h, u64(0), sz(0), b"abc", sz(3), 0)))
        rec("writesame past end", rc(c.rbd.rbd_writesame(h, u64(12 * MiB), sz(3), b"abc", sz(3), 0)))
        rec("writesame large", c.rbd.rbd_writesame(h, u64(5 * MiB + 7), sz(MiB), b"0123456789abcdef", sz(16), 0))
        data = ctypes.create_string_buffer(MiB)
        c.rbd.rbd_read(h, u64(5 * MiB + 7), sz(MiB), data)
        rec("writesame large data", data.raw == b"0123456789abcdef" * (MiB // 16))
        rec("writesame zeros", c.rbd.rbd_writesame(h, u64(8 * MiB), sz(4 * MiB), b"\0" * 512, sz(512), 0))
        with rbd.Image(env.io, "d-img", read_only=True) as ro:
            rec("objects after writesame zeros", data_objects(env.io, ro))
        rec("rbd_discard over INT_MAX", rc(c.rbd.rbd_discard(h, u64(0), u64(1 << 31))))
        rec("rbd_discard", c.rbd.rbd_discard(h, u64(0), u64(100)))
        rec("rbd_write_zeroes", c.rbd.rbd_write_zeroes(h, u64(0), sz(100), 0, 0))
    finally:
        c.rbd.rbd_close(h)


@case
def compare_and_write(env, rec):
    with fresh(env, "w-img", 10 * MiB) as im:
        im.write(b"abcd", 0)
        im.write(b"Q" * 8, 3 * 4096 + 10)
    c = env.c
    h = c.open(env.cio, "w-img")
    try:
        caw = c.rbd.rbd_compare_and_write
        for label, off, cmp, data in (
            ("equal", 0, b"abcd", b"ABCD"),
            ("mismatch at 2", 0, b"ABxD", b"1234"),
            ("mismatch at 5", 3 * 4096 + 8, b"\0\0QQQxQQ", b"zzzzzzzz"),
            ("mismatch in object 1", 4 * MiB + 100, b"\0" * 7 + b"\1", b"zzzzzzzz"),
            ("missing object equal", 8 * MiB + 16, b"\0" * 8, b"created!"),
            ("whole sector", 1024, b"\0" * 512, b"s" * 512),
            ("sector + 1", 0, b"\0" * 513, b"s" * 513),
            ("crossing a sector", 510, b"\0" * 8, b"z" * 8),
            ("ending on a sector", 504, b"\0" * 8, b"z" * 8),
            ("crossing an object", 4 * MiB - 4, b"\0" * 8, b"z" * 8),
            ("reaching past the end", 10 * MiB - 4, b"\0" * 8, b"z" * 8),
            ("past the end", 10 * MiB, b"\0" * 4, b"z" * 4),
        ):
            mismatch = u64(77)
            r = caw(h, u64(off), sz(len(cmp)), cmp, data, ctypes.byref(mismatch), 0)
            rec(f"caw {label}", (rc(r), mismatch.value))
        buf = ctypes.create_string_buffer(8)
        c.rbd.rbd_read(h, u64(0), sz(4), buf)
        rec("after caw", buf.raw[:4])
        c.rbd.rbd_read(h, u64(8 * MiB + 16), sz(8), buf)
        rec("created by caw", buf.raw[:8])
        mismatch = u64(5)

        def aio_caw(cmp, data, off):
            return c.aio(lambda comp: c.rbd.rbd_aio_compare_and_write(h, u64(off), sz(len(cmp)), cmp, data, comp, ctypes.byref(mismatch), 0))

        rec("aio caw mismatch", (aio_caw(b"zzzz", b"1111", 0), mismatch.value))
        rec("aio caw equal", aio_caw(b"ABCD", b"wxyz", 0))
        rec("aio caw crossing a sector", aio_caw(b"\0" * 4, b"1111", 510))
    finally:
        c.rbd.rbd_close(h)


@case
def read_iterate(env, rec):
    with fresh(env, "r-img", 10 * MiB) as im:
        im.write(b"xyz", 5 * MiB)
    c = env.c
    h = c.open(env.cio, "r-img")
    calls = []

    def record(off, length, buf, _):
        calls.append((off, length, ctypes.string_at(buf, 3) if buf else None))
        return 0

    def fail(off, length, buf, _):
        calls.append(off)
        return -5

    def positive(off, length, buf, _):
        calls.append(off)
        return 7

    try:
        cb, cb_fail, cb_pos = ITER_CB(record), ITER_CB(fail), ITER_CB(positive)
        rec("read_iterate", (c.rbd.rbd_read_iterate(h, u64(100), sz(9 * MiB), cb, None), calls[:]))
        calls.clear()
        rec("read_iterate at data", (c.rbd.rbd_read_iterate(h, u64(5 * MiB), sz(10), cb, None), calls[:]))
        calls.clear()
        rec("read_iterate2", (rc(c.rbd.rbd_read_iterate2(h, u64(100), u64(9 * MiB), cb, None)), calls[:]))
        calls.clear()
        rec("read_iterate past end", (rc(c.rbd.rbd_read_iterate(h, u64(10 * MiB), sz(5), cb, None)), calls[:]))
        rec("read_iterate zero length", (rc(c.rbd.rbd_read_iterate(h, u64(10 * MiB), sz(0), cb, None)), calls[:]))
        rec("read_iterate reaching the end", (c.rbd.rbd_read_iterate(h, u64(10 * MiB - 10), sz(100), cb, None), calls[:]))
        calls.clear()
        rec("read_iterate failing callback", (rc(c.rbd.rbd_read_iterate(h, u64(0), sz(9 * MiB), cb_fail, None)), calls[:]))
        calls.clear()
        rec("read_iterate2 failing callback", (rc(c.rbd.rbd_read_iterate2(h, u64(0), u64(9 * MiB), cb_fail, None)), calls[:]))
        calls.clear()
        rec("read_iterate2 positive callback", (rc(c.rbd.rbd_read_iterate2(h, u64(0), u64(9 * MiB), cb_pos, None)), calls[:]))
    finally:
        c.rbd.rbd_close(h)


@case
def aio(env, rec):
    size = 10 * MiB
    with fresh(env, "a-img", size) as im:
        results = []
        done = threading.Event()

        def on_write(completion):
            results.append(("write", completion.get_return_value()))

        comps = [im.aio_write(bytes([65 + k]) * 4096, k * 4096, on_write) for k in range(8)]
        for comp in comps:
            comp.wait_for_complete_and_cb()
        rec("aio writes", sorted(results))
        results.clear()

        def on_read(completion, data):
            results.append(("read", completion.get_return_value(), data[:2] if data else data))
            done.set()

        comp = im.aio_read(3 * 4096, 8192, on_read)
        comp.wait_for_complete_and_cb()
        rec("aio read", results[:])
        results.clear()
        comp = im.aio_read(size - 100, 200, on_read)
        comp.wait_for_complete_and_cb()
        rec("aio read at end", results[:])
        results.clear()
        comp = im.aio_read(size, 10, on_read)
        comp.wait_for_complete_and_cb()
        rec("aio read past end", [(k, rc(v), d) for k, v, d in results])
        results.clear()
        comp = im.aio_write(b"x" * 10, size + 10, on_write)
        comp.wait_for_complete_and_cb()
        rec("aio write past end", [(k, rc(v)) for k, v in results])
        results.clear()
        comp = im.aio_discard(0, 4096, lambda c: results.append(("discard", c.get_return_value())))
        comp.wait_for_complete_and_cb()
        comp = im.aio_write_zeroes(4096, 4096, lambda c: results.append(("zeroes", c.get_return_value())))
        comp.wait_for_complete_and_cb()
        comp = im.aio_flush(lambda c: results.append(("flush", c.get_return_value())))
        comp.wait_for_complete_and_cb()
        rec("aio discard, zeroes, flush", results[:])
        rec("data after", im.read(0, 4096 * 3)[::4096])
    c = env.c
    h = c.open(env.cio, "a-img")
    try:
        rb = ctypes.create_string_buffer(16)
        rec("c aio write", c.aio(lambda comp: c.rbd.rbd_aio_write(h, u64(0), sz(4), b"WXYZ", comp)))
        rec("c aio read", (c.aio(lambda comp: c.rbd.rbd_aio_read(h, u64(0), sz(8), rb, comp)), rb.raw[:8]))
        rec("c aio read at end", c.aio(lambda comp: c.rbd.rbd_aio_read(h, u64(size - 4), sz(8), rb, comp)))
        rec("c aio discard", c.aio(lambda comp: c.rbd.rbd_aio_discard(h, u64(0), u64(8), comp)))
        rec("c aio writesame", c.aio(lambda comp: c.rbd.rbd_aio_writesame(h, u64(0), sz(8), b"ab", sz(2), comp, 0)))
        rec("c aio writesame bad", c.aio(lambda comp: c.rbd.rbd_aio_writesame(h, u64(0), sz(7), b"ab", sz(2), comp, 0)))
        rec("c aio write_zeroes", c.aio(lambda comp: c.rbd.rbd_aio_write_zeroes(h, u64(2), sz(2), comp, 0, 0)))
        rec("c aio flush", c.aio(lambda comp: c.rbd.rbd_aio_flush(h, comp)))
        c.rbd.rbd_read(h, u64(0), sz(8), rb)
        rec("c aio data", rb.raw[:8])
        # vectored
        b1, b2 = ctypes.create_string_buffer(b"hello", 5), ctypes.create_string_buffer(b"world!", 6)
        iov = (Iovec * 2)(Iovec(ctypes.cast(b1, vp), 5), Iovec(ctypes.cast(b2, vp), 6))
        rec("writev", c.aio(lambda comp: c.rbd.rbd_aio_writev(h, iov, 2, u64(100), comp)))
        r1, r2 = ctypes.create_string_buffer(3), ctypes.create_string_buffer(20)
        iov = (Iovec * 2)(Iovec(ctypes.cast(r1, vp), 3), Iovec(ctypes.cast(r2, vp), 20))
        rec("readv", (c.aio(lambda comp: c.rbd.rbd_aio_readv(h, iov, 2, u64(100), comp)), r1.raw, r2.raw))
        rec("readv at end", c.aio(lambda comp: c.rbd.rbd_aio_readv(h, iov, 2, u64(size - 10), comp)))
        rec("readv 0 iovecs", c.aio(lambda comp: c.rbd.rbd_aio_readv(h, iov, 0, u64(100), comp)))
        rec("readv -1 iovecs", c.aio(lambda comp: c.rbd.rbd_aio_readv(h, iov, -1, u64(100), comp)))
        rec("writev 0 iovecs", c.aio(lambda comp: c.rbd.rbd_aio_writev(h, iov, 0, u64(100), comp)))
        # completion state
        comp = c.completion()
        rec("unused completion complete", c.rbd.rbd_aio_is_complete(comp))
        c.rbd.rbd_aio_write(h, u64(0), sz(1), b"q", comp)
        c.rbd.rbd_aio_wait_for_complete(comp)
        rec("used completion complete", c.rbd.rbd_aio_is_complete(comp))
        c.rbd.rbd_aio_release(comp)
    finally:
        c.rbd.rbd_close(h)


@case
def event_notification(env, rec):
    with fresh(env, "e-img", 4 * MiB):
        pass
    c = env.c
    h = c.open(env.cio, "e-img")
    try:
        comps = (vp * 8)()
        rec("bad type", rc(c.rbd.rbd_set_image_notification(h, 0, 7)))
        rec("poll without events", rc(c.rbd.rbd_poll_io_events(h, comps, 8)))
        rec("poll 0", rc(c.rbd.rbd_poll_io_events(h, comps, 0)))
        efd = os.eventfd(0, os.EFD_SEMAPHORE | os.EFD_NONBLOCK)
        rec("eventfd", rc(c.rbd.rbd_set_image_notification(h, efd, 2)))
        issued = []
        for k in range(3):
            comp = c.completion()
            issued.append(comp.value)
            c.rbd.rbd_aio_write(h, u64(k * 512), sz(4), b"evnt", comp)
        for comp in issued:
            c.rbd.rbd_aio_wait_for_complete(vp(comp))
        deadline = time.time() + 10
        counted = 0
        while counted < 3 and time.time() < deadline:
            try:
                counted += int.from_bytes(os.read(efd, 8), "little")
            except BlockingIOError:
                time.sleep(0.01)
        rec("eventfd count", counted)
        got = c.rbd.rbd_poll_io_events(h, comps, 2)
        first = [comps[k] for k in range(got)]
        got2 = c.rbd.rbd_poll_io_events(h, comps, 8)
        rest = [comps[k] for k in range(got2)]
        rec("polled", (got, got2))
        rec("polled handles are the completions", sorted(first + rest) == sorted(issued))
        rec("poll again", rc(c.rbd.rbd_poll_io_events(h, comps, 8)))
        for comp in issued:
            c.rbd.rbd_aio_release(vp(comp))
        # a failing request is announced too
        comp = c.completion()
        rb = ctypes.create_string_buffer(4)
        c.rbd.rbd_aio_read(h, u64(8 * MiB), sz(4), rb, comp)
        c.rbd.rbd_aio_wait_for_complete(comp)
        time.sleep(0.1)
        rec("failed read announced", (c.rbd.rbd_poll_io_events(h, comps, 8), rc(c.rbd.rbd_aio_get_return_value(comp))))
        c.rbd.rbd_aio_release(comp)
    finally:
        c.rbd.rbd_close(h)
        os.close(efd)
    h = c.open(env.cio, "e-img")
    rd, wr = os.pipe()
    try:
        os.set_blocking(rd, False)
        rec("pipe", rc(c.rbd.rbd_set_image_notification(h, wr, 1)))
        comp = c.completion()
        c.rbd.rbd_aio_flush(h, comp)
        c.rbd.rbd_aio_wait_for_complete(comp)
        time.sleep(0.1)
        rec("pipe bytes", attempt(os.read, rd, 100))
        rec("pipe polled", c.rbd.rbd_poll_io_events(h, comps, 8))
        c.rbd.rbd_aio_release(comp)
    finally:
        c.rbd.rbd_close(h)
        os.close(rd)
        os.close(wr)


@case
def metadata_and_config(env, rec):
    with fresh(env, "m-img", 4 * MiB) as im:
        rec("get missing", attempt(im.metadata_get, "k"))
        rec("set", attempt(im.metadata_set, "k", "value1"))
        rec("get", im.metadata_get("k"))
        rec("set again", attempt(im.metadata_set, "k", "value2"))
        rec("get again", im.metadata_get("k"))
        rec("set other", attempt(im.metadata_set, "a", ""))
        rec("list", list(im.metadata_list()))
        rec("remove missing", attempt(im.metadata_remove, "nope"))
        rec("remove", attempt(im.metadata_remove, "a"))
        rec("conf bad option", attempt(im.metadata_set, "conf_nonsense", "1"))
        rec("conf not per image", attempt(im.metadata_set, "conf_rbd_default_order", "20"))
        rec("conf bad value", attempt(im.metadata_set, "conf_rbd_cache", "maybe"))
        rec("conf ok", attempt(im.metadata_set, "conf_rbd_cache", "false"))
        rec("conf empty option", attempt(im.metadata_set, "conf_", "x"))
        rec("config_set", attempt(im.config_set, "rbd_discard_granularity_bytes", "131072"))
        rec("config_get", attempt(im.config_get, "rbd_discard_granularity_bytes"))
        rec("config_get unset", attempt(im.config_get, "rbd_cache_size"))
        rec("config_set bad", attempt(im.config_set, "rbd_nonsense", "1"))
        listed = {o["name"]: (o["value"], o["source"]) for o in im.config_list()}
        rec("config_list size", len(listed))
        rec("config_list", listed)
        rec("config_remove", attempt(im.config_remove, "rbd_discard_granularity_bytes"))
        rec("config_remove missing", attempt(im.config_remove, "rbd_discard_granularity_bytes"))
        # the override is honoured: a 64 KiB discard is below a 128 KiB granularity
        im.config_set("rbd_discard_granularity_bytes", "131072")
        im.write(b"G" * 65536, 0)
        im.discard(0, 65536)
        rec("discard under the image's granularity", im.read(0, 1))
        for k in range(150):
            im.metadata_set(f"many{k:03d}", str(k))
        rec("many listed", len(list(im.metadata_list())))
        rec("metadata keys", [k for k, _ in im.metadata_list()][:3])
    with rbd.Image(env.io, "m-img") as im:
        rec("conf survives reopen", im.config_get("rbd_discard_granularity_bytes"))
    c = env.c
    h = c.open(env.cio, "m-img")
    try:
        v = ctypes.create_string_buffer(16)
        n = sz(3)
        rec("metadata_get small", (rc(c.rbd.rbd_metadata_get(h, b"k", v, ctypes.byref(n))), n.value))
        n = sz(16)
        rec("metadata_get", (rc(c.rbd.rbd_metadata_get(h, b"k", v, ctypes.byref(n))), n.value, v.value))
        ks, vs = ctypes.create_string_buffer(4096), ctypes.create_string_buffer(4096)
        kl, vl = sz(4096), sz(4096)
        rec("metadata_list start", (rc(c.rbd.rbd_metadata_list(h, b"k", u64(0), ks, ctypes.byref(kl), vs, ctypes.byref(vl))), kl.value, vl.value, ks.raw[: kl.value].split(b"\0")[:3]))
        kl, vl = sz(4096), sz(4096)
        rec("metadata_list max 2", (rc(c.rbd.rbd_metadata_list(h, b"", u64(2), ks, ctypes.byref(kl), vs, ctypes.byref(vl))), kl.value, vl.value, ks.raw[: kl.value], vs.raw[: vl.value]))
        kl, vl = sz(2), sz(4096)
        rec("metadata_list small keys", (rc(c.rbd.rbd_metadata_list(h, b"", u64(2), ks, ctypes.byref(kl), vs, ctypes.byref(vl))), kl.value, vl.value))
        count = i32(3)
        rec("config_image_list small", (rc(c.rbd.rbd_config_image_list(h, None, ctypes.byref(count))), count.value))
    finally:
        c.rbd.rbd_close(h)


@case
def resize(env, rec):
    io = env.io
    with fresh(env, "z-img", 10 * MiB) as im:
        im.write(b"R" * (10 * MiB), 0)
        rec("objects", data_objects(io, im))
        rec("grow", attempt(im.resize, 20 * MiB))
        rec("grown stat", stat_of(im))
        rec("grown reads zeros", im.read(15 * MiB, 4))
        rec("object map grown", object_map(io, im))
        rec("shrink", attempt(im.resize, 6 * MiB - 100))
        rec("shrunk stat", stat_of(im))
        rec("objects after shrink", data_objects(io, im))
        rec("object map shrunk", object_map(io, im))
        rec("read at old end", attempt(im.read, 8 * MiB, 4))
        rec("last bytes", im.read(6 * MiB - 104, 8))
        rec("grow back reads zeros", (im.resize(10 * MiB), im.read(6 * MiB - 102, 4)))
        rec("shrink refused", attempt(im.resize, MiB, allow_shrink=False))
        rec("same size", attempt(im.resize, 10 * MiB))
        rec("resize to 0", attempt(im.resize, 0))
        rec("objects at 0", data_objects(io, im))
        rec("size 0 stat", stat_of(im))
        rec("huge with object map", attempt(im.resize, 1 << 60))
    c = env.c
    with fresh(env, "z-img2", 8 * MiB, order=20, features=1) as im:
        im.write(b"x" * (8 * MiB), 0)
    h = c.open(env.cio, "z-img2")
    try:
        progress = []
        cb = PROGRESS_CB(lambda a, b, _: progress.append((a, b)) or 0)
        rec("resize_with_progress shrink", rc(c.rbd.rbd_resize_with_progress(h, u64(2 * MiB), cb, None)))
        rec("progress last", progress[-1] if progress else None)
    finally:
        c.rbd.rbd_close(h)
    # another handle sees the new size
    with fresh(env, "z-img3", 4 * MiB) as im:
        with rbd.Image(env.io, "z-img3") as other:
            im.resize(8 * MiB)
            deadline = time.time() + 10
            while other.size() != 8 * MiB and time.time() < deadline:
                time.sleep(0.05)
            rec("peer sees size", other.size())


@case
def update_features(env, rec):
    io = env.io
    F = rbd
    with fresh(env, "f-img", 8 * MiB) as im:
        im.write(b"x" * 100, 0)
        rec("disable object-map", attempt(im.update_features, F.RBD_FEATURE_OBJECT_MAP, False))
        rec("features", (im.features(), im.flags()))
        rec("object map object", object_map(io, im))
        rec("disable fast-diff when off", attempt(im.update_features, F.RBD_FEATURE_FAST_DIFF, False))
        rec("enable fast-diff", attempt(im.update_features, F.RBD_FEATURE_FAST_DIFF, True))
        rec("features after enable", (im.features(), im.flags()))
        rec("object map object after enable", object_map(io, im))
        rec("enable object-map again", attempt(im.update_features, F.RBD_FEATURE_OBJECT_MAP, True))
        rec("disable exclusive-lock with object map", attempt(im.update_features, F.RBD_FEATURE_EXCLUSIVE_LOCK, False))
        rec("disable fast-diff", attempt(im.update_features, F.RBD_FEATURE_FAST_DIFF, False))
        rec("features after fast-diff off", (im.features(), im.flags()))
        rec("disable exclusive-lock", attempt(im.update_features, F.RBD_FEATURE_EXCLUSIVE_LOCK, False))
        rec("features without lock", im.features())
        rec("write without lock", im.write(b"y", 1))
        rec("lock owner without lock", im.is_exclusive_lock_owner())
        rec("enable object-map without lock", attempt(im.update_features, F.RBD_FEATURE_OBJECT_MAP, True))
        rec("enable exclusive-lock", attempt(im.update_features, F.RBD_FEATURE_EXCLUSIVE_LOCK, True))
        rec("disable deep-flatten", attempt(im.update_features, F.RBD_FEATURE_DEEP_FLATTEN, False))
        rec("enable deep-flatten", attempt(im.update_features, F.RBD_FEATURE_DEEP_FLATTEN, True))
        rec("enable striping", attempt(im.update_features, F.RBD_FEATURE_STRIPINGV2, True))
        rec("disable layering", attempt(im.update_features, F.RBD_FEATURE_LAYERING, False))
        rec("unknown feature", attempt(im.update_features, 1 << 20, True))
        rec("final features", im.features())
        rec("enable object-map at end", attempt(im.update_features, F.RBD_FEATURE_OBJECT_MAP, True))
        rec("object map at end", object_map(io, im))
        rec("flags at end", im.flags())
        rec("data intact", im.read(0, 2))


@case
def lock_handover(env, rec):
    with fresh(env, "h-img", 8 * MiB):
        pass
    a = rbd.Image(env.io, "h-img")
    b = rbd.Image(env.io, "h-img")
    try:
        rec("a owns before", a.is_exclusive_lock_owner())
        a.write(b"from a", 0)
        rec("a owns", (a.is_exclusive_lock_owner(), b.is_exclusive_lock_owner()))
        b.write(b"from b", 100)
        rec("b owns", (a.is_exclusive_lock_owner(), b.is_exclusive_lock_owner()))
        rec("a reads b", a.read(100, 6))
        for k in range(5):
            a.write(bytes([48 + k]) * 10, 4 * MiB + k * 10)
            b.write(bytes([65 + k]) * 10, 4 * MiB + k * 10 + 5)
        rec("alternating writes", (a.read(4 * MiB, 60), b.read(4 * MiB, 60) == a.read(4 * MiB, 60)))
        rec("owner at end", (a.is_exclusive_lock_owner(), b.is_exclusive_lock_owner()))
        rec("object map", object_map(env.io, a))
        rec("flags", (a.flags(), b.flags()))
        a.close()
        b.write(b"alone", 200)
        rec("b after a closed", b.is_exclusive_lock_owner())
    finally:
        for im in (a, b):
            try:
                im.close()
            except Exception:
                pass
    with rbd.Image(env.io, "h-img", read_only=True) as ro:
        rec("final data", (ro.read(0, 6), ro.read(100, 6), ro.read(200, 5)))
    # the lock is released at close: the header's lock xattr lists no locker
    with rbd.Image(env.io, "h-img", read_only=True) as im:
        rec("header lock after close", attempt(env.io.get_xattr, "rbd_header." + im.id(), "lock.rbd_lock"))


@case
def snapshots(env, rec):
    io, c = env.io, env.c
    with fresh(env, "s-img", 12 * MiB) as im:
        image_id = im.id()
        im.write(b"A" * MiB, 0)
        im.write(b"B" * 100, 5 * MiB)
        rec("create", attempt(im.create_snap, "one"))
        rec("create again", attempt(im.create_snap, "one"))
        snaps = list(im.list_snaps())
        rec("list", snaps)
        one = snaps[0]["id"]
        rec("timestamp recent", recent(im.get_snap_timestamp(one)))
        rec("snap object map", attempt(io.read, "rbd_object_map.%s.%016x" % (image_id, one), 1 << 20))
        rec("head object map at snapshot", object_map(io, im))
        im.write(b"C" * MiB, 0)
        im.write(b"D" * 10, 9 * MiB)
        rec("head object map after writes", object_map(io, im))
        rec("objects", sorted(o.key.replace(image_id, "ID") for o in io.list_objects() if image_id in o.key))
        rec("limit", im.get_snap_limit())
        rec("limit below count", attempt(im.set_snap_limit, 0))
        rec("limit 2", (attempt(im.set_snap_limit, 2), im.get_snap_limit()))
        rec("create two", attempt(im.create_snap, "two"))
        rec("create over limit", attempt(im.create_snap, "three"))
        rec("remove limit", (attempt(im.remove_snap_limit), im.get_snap_limit()))
        rec("protect", (attempt(im.protect_snap, "one"), im.is_protected_snap("one"), im.is_protected_snap("two")))
        rec("protect again", attempt(im.protect_snap, "one"))
        rec("protected missing", attempt(im.is_protected_snap, "nope"))
        rec("remove protected", attempt(im.remove_snap, "one"))
        rec("unprotect", (attempt(im.unprotect_snap, "one"), im.is_protected_snap("one")))
        rec("unprotect again", attempt(im.unprotect_snap, "one"))
        rec("rename", attempt(im.rename_snap, "two", "deux"))
        rec("rename onto existing", attempt(im.rename_snap, "deux", "one"))
        rec("rename missing", attempt(im.rename_snap, "nope", "x"))
        rec("names", [s["name"] for s in im.list_snaps()])
        with rbd.Image(io, "s-img", snapshot="one") as at:
            rec("at one: reads", (at.read(0, 4), at.read(5 * MiB, 4), at.read(9 * MiB, 4)))
            rec("at one: size", at.size())
            rec("at one: write", attempt(at.write, b"x", 0))
            rec("at one: discard", attempt(at.discard, 0, 4096))
            rec("at one: resize", attempt(at.resize, MiB))
            rec("at one: snapshot", attempt(at.create_snap, "x"))
            rec("at one: head again", (attempt(at.set_snap, None), at.read(0, 4)))
        rec("open missing snapshot", attempt(rbd.Image, io, "s-img", snapshot="nope"))
        rec("set one", attempt(im.set_snap, "one"))
        rec("set: reads", (im.read(0, 4), im.read(9 * MiB, 4), im.size()))
        rec("set: write", attempt(im.write, b"x", 0))
        rec("set: lock owner", im.is_exclusive_lock_owner())
        rec("set head", (attempt(im.set_snap, None), im.read(0, 4), im.size()))
        rec("set missing", attempt(im.set_snap, "nope"))
        rec("set by id", (attempt(im.set_snap_by_id, one), im.read(0, 4)))
        im.set_snap(None)
        rec("grow", (attempt(im.resize, 20 * MiB), [(s["name"], s["size"]) for s in im.list_snaps()]))
        im.write(b"E" * 10, 17 * MiB)
        progress = []
        rec("rollback", attempt(im.rollback_to_snap, "one"))
        rec("after rollback", (im.size(), im.read(0, 4), im.read(5 * MiB, 4), im.read(9 * MiB, 4)))
        rec("object map after rollback", object_map(io, im))
        rec("rollback missing", attempt(im.rollback_to_snap, "nope"))
        rec("remove image with snapshots", attempt(rbd.RBD().remove, io, "s-img"))
        rec("remove one", attempt(im.remove_snap, "one"))
        rec("remove one again", attempt(im.remove_snap, "one"))
        rec("head object map after remove", object_map(io, im))
        rec("remove by id missing", attempt(im.remove_snap_by_id, one))
        deux = [s["id"] for s in im.list_snaps()][0]
        rec("remove deux by id", attempt(im.remove_snap_by_id, deux))
        rec("objects at end", sorted(o.key.replace(image_id, "ID") for o in io.list_objects() if image_id in o.key))
        rec("head reads at end", (im.read(0, 4), im.read(5 * MiB, 4)))
    # the C functions the bindings do not reach
    with fresh(env, "s-img2", 4 * MiB) as im:
        im.create_snap("alpha")
        sid = list(im.list_snaps())[0]["id"]
    h = c.open(env.cio, "s-img2")
    try:
        R = c.rbd
        R.rbd_snap_get_id.argtypes = [vp, cp, P(u64)]
        R.rbd_snap_get_name.argtypes = [vp, u64, vp, P(sz)]
        R.rbd_snap_exists.argtypes = [vp, cp, P(ctypes.c_bool)]
        R.rbd_snap_create.argtypes = [vp, cp]
        R.rbd_snap_remove2.argtypes = [vp, cp, ctypes.c_uint32, PROGRESS_CB, vp]
        R.rbd_snap_create2.argtypes = [vp, cp, ctypes.c_uint32, PROGRESS_CB, vp]
        R.rbd_snap_protect.argtypes = [vp, cp]
        got = u64(0)
        rec("snap_get_id", (rc(R.rbd_snap_get_id(h, b"alpha", ctypes.byref(got))), got.value == sid))
        rec("snap_get_id missing", rc(R.rbd_snap_get_id(h, b"beta", ctypes.byref(got))))
        n = sz(3)
        buf = ctypes.create_string_buffer(16)
        rec("snap_get_name small", (rc(R.rbd_snap_get_name(h, u64(sid), buf, ctypes.byref(n))), n.value))
        n = sz(16)
        rec("snap_get_name", (rc(R.rbd_snap_get_name(h, u64(sid), buf, ctypes.byref(n))), buf.value, n.value))
        yes = ctypes.c_bool(False)
        rec("snap_exists", (rc(R.rbd_snap_exists(h, b"alpha", ctypes.byref(yes))), yes.value))
        rec("snap_exists missing", (rc(R.rbd_snap_exists(h, b"beta", ctypes.byref(yes))), yes.value))
        noop = PROGRESS_CB(lambda a, b, _: 0)
        rec("snap_create2 both quiesce flags", rc(R.rbd_snap_create2(h, b"q", 3, noop, None)))
        rec("snap_create2 skip quiesce", rc(R.rbd_snap_create2(h, b"q", 1, noop, None)))
        rec("protect for remove2", rc(R.rbd_snap_protect(h, b"alpha")))
        rec("snap_remove2 unprotect", rc(R.rbd_snap_remove2(h, b"alpha", 1, noop, None)))
        rec("snap_remove2 q", rc(R.rbd_snap_remove2(h, b"q", 0, noop, None)))
    finally:
        c.rbd.rbd_close(h)
    with fresh(env, "s-nolayer", 4 * MiB, features=1 << 2) as im:
        im.create_snap("s")
        rec("protect without layering", attempt(im.protect_snap, "s"))
        rec("remove snapshot without object map", attempt(im.remove_snap, "s"))


@case
def diff(env, rec):
    io = env.io

    def walk(im, frm, off, length, whole):
        got = []

        def cb(o, l, exists):
            got.append((o, l, exists))
            return 0

        r = attempt(im.diff_iterate, off, length, frm, cb, whole_object=whole)
        return got if r is None else r

    def both(label, im, frm, off=0, length=None):
        length = im.size() if length is None else length
        rec(label, walk(im, frm, off, length, False))
        rec(label + " (whole objects)", walk(im, frm, off, length, True))

    for features, tag in ((61, "fast-diff"), (1 | 4 | 8, "object map"), (1, "plain")):
        with fresh(env, "d-img", 20 * MiB, features=features) as im:
            rec(f"{tag}: empty", walk(im, None, 0, im.size(), True))
            im.write(b"a" * 4096, 0)
            im.write(b"b" * 100, 5 * MiB)
            im.write(b"c" * MiB, 12 * MiB - 512)
            both(f"{tag}: from the beginning", im, None)
            im.create_snap("s1")
            both(f"{tag}: from s1, nothing written", im, "s1")
            im.write(b"d" * 100, 5 * MiB + 200)
            im.discard(12 * MiB, 4 * MiB)
            im.write(b"e" * 10, 18 * MiB)
            both(f"{tag}: from s1", im, "s1")
            both(f"{tag}: from the beginning after s1", im, None)
            both(f"{tag}: from s1, a range", im, "s1", 4 * MiB + 100, 10 * MiB)
            im.create_snap("s2")
            im.resize(28 * MiB)
            im.write(b"f" * 10, 25 * MiB)
            im.discard(0, 4 * MiB)
            both(f"{tag}: from s2 after growing", im, "s2")
            both(f"{tag}: from s1 after growing", im, "s1")
            im.set_snap("s2")
            both(f"{tag}: s1 to s2", im, "s1")
            rec(f"{tag}: s2 to s2", walk(im, "s2", 0, im.size(), True))
            im.set_snap("s1")
            rec(f"{tag}: s2 to s1", walk(im, "s2", 0, im.size(), False))
            im.set_snap(None)
            rec(f"{tag}: missing snapshot", walk(im, "nope", 0, im.size(), False))
            rec(f"{tag}: past the end", walk(im, None, 40 * MiB, 10, False))
            rec(f"{tag}: length 0", walk(im, None, 0, 0, False))
            rec(f"{tag}: callback error", attempt(im.diff_iterate, 0, im.size(), None, lambda o, l, e: -5))
            for name in ("s1", "s2"):
                im.remove_snap(name)
    with fresh(env, "d-striped", 16 * MiB, order=22, stripe_unit=64 * 1024, stripe_count=4,
               features=1 | 2 | 4 | 8 | 16) as im:
        im.write(bytes(range(256)) * 1024, 100 * 1024)
        im.create_snap("s")
        im.write(b"x" * 70000, 8 * MiB - 1000)
        both("striped: from the beginning", im, None)
        both("striped: from s", im, "s")
        im.remove_snap("s")


@case
def no_parent(env, rec):
    with fresh(env, "p-img", 4 * MiB) as im:
        rec("parent_info", attempt(im.parent_info))
        rec("parent_id", attempt(im.parent_id))
        im.create_snap("s")
        im.set_snap("s")
        rec("parent_info at a snapshot", attempt(im.parent_info))
        im.set_snap(None)
        im.remove_snap("s")


@case
def snapshot_by_a_peer(env, rec):
    """A handle reading a snapshot makes another one while a second handle of
    the same client owns the lock and the object map: the owner hears of it,
    reads on, and its next writes leave the map as upstream's."""
    io = env.io
    with fresh(env, "sp-img", 16 * MiB) as owner:
        owner.write(b"a" * 100, 0)
        owner.write(b"b" * 100, 4 * MiB)
        owner.create_snap("s0")
        owner.write(b"c" * 100, 8 * MiB)
        with rbd.Image(io, "sp-img", snapshot="s0") as reader:
            rec("peer snapshot", attempt(reader.create_snap, "s1"))
        deadline = time.time() + 10
        names = []
        while time.time() < deadline:
            names = [s["name"] for s in owner.list_snaps()]
            if "s1" in names:
                break
            time.sleep(0.05)
        rec("owner lists", names)
        rec("owner reads", (owner.read(0, 4), owner.read(4 * MiB, 4), owner.read(8 * MiB, 4)))
        owner.write(b"d" * 100, 4 * MiB)
        owner.write(b"e" * 100, 12 * MiB)
        rec("object map", object_map(io, owner))
        for name in ("s0", "s1"):
            owner.remove_snap(name)
        rec("object map after removals", object_map(io, owner))


@case
def watchers(env, rec):
    with fresh(env, "w-img", 4 * MiB) as a:
        with rbd.Image(env.io, "w-img") as b:
            listed = list(a.watchers_list())
            rec("count with two handles", len(listed))
            rec("fields", sorted(listed[0].keys()) if listed else None)
            rec("one client, two cookies", (len({w["id"] for w in listed}), len({w["cookie"] for w in listed})))
            rec("addresses", all(isinstance(w["addr"], str) and ":" in w["addr"] for w in listed))
        rec("count after one closed", len(list(a.watchers_list())))
    with rbd.Image(env.io, "w-img", read_only=True) as ro:
        rec("read-only handles do not watch", len(list(ro.watchers_list())))
    c = env.c
    h = c.open(env.cio, "w-img")
    try:
        f = c.rbd.rbd_watchers_list
        f.argtypes = [vp, vp, P(sz)]
        n = sz(0)
        rec("rbd_watchers_list room 0", (rc(f(h, None, ctypes.byref(n))), n.value))
    finally:
        c.rbd.rbd_close(h)


@case
def trash(env, rec):
    io, r = env.io, rbd.RBD()

    def listed():
        return sorted((e["name"], e["source"]) for e in r.trash_list(io))

    with fresh(env, "t-img", 8 * MiB) as im:
        im.write(b"t" * 100, 0)
        image_id = im.id()
    r.create(io, "t-other", 4 * MiB)
    rec("move", attempt(r.trash_move, io, "t-img", 0))
    rec("move missing", attempt(r.trash_move, io, "t-nope", 0))
    rec("images", sorted(n for n in r.list(io) if n.startswith("t-")))
    rec("trash", listed())
    got = r.trash_get(io, image_id)
    rec("get", (got["id"] == image_id, got["name"], got["source"], recent(got["deletion_time"]),
                got["deletion_time"] == got["deferment_end_time"]))
    rec("get missing", attempt(r.trash_get, io, "abcdef0123"))
    rec("open by name", attempt(rbd.Image, io, "t-img"))
    rec("objects kept", sorted(o.key.replace(image_id, "ID") for o in io.list_objects() if image_id in o.key))
    rec("restore onto a taken name", attempt(r.trash_restore, io, image_id, "t-other"))
    rec("restore", attempt(r.trash_restore, io, image_id, "t-back"))
    rec("restore again", attempt(r.trash_restore, io, image_id, "t-back2"))
    with rbd.Image(io, "t-back") as im:
        rec("restored", (im.id() == image_id, im.get_name(), im.read(0, 4)))
    rec("trash after restore", listed())
    r.trash_move(io, "t-back", 3600)
    got = r.trash_get(io, image_id)
    rec("deferred an hour", int((got["deferment_end_time"] - got["deletion_time"]).total_seconds()))
    rec("remove deferred", attempt(r.trash_remove, io, image_id))
    rec("remove forced", attempt(r.trash_remove, io, image_id, True))
    rec("objects after removal", sorted(o.key for o in io.list_objects() if image_id in o.key))
    rec("remove again", attempt(r.trash_remove, io, image_id, True))
    r.trash_move(io, "t-other", 0)
    rec("purge", attempt(r.trash_purge, io))
    rec("trash after purge", listed())
    with fresh(env, "t-open", 4 * MiB) as im:
        im.write(b"o", 0)
        open_id = im.id()
        rec("move while open", attempt(r.trash_move, io, "t-open", 0))
        rec("remove while open", attempt(r.trash_remove, io, open_id, True))
        rec("open handle reads on", im.read(0, 1))
    rec("remove after close", attempt(r.trash_remove, io, open_id, True))
    with fresh(env, "t-snap", 4 * MiB) as im:
        im.create_snap("s")
        snap_id = im.id()
    r.trash_move(io, "t-snap", 0)
    rec("remove with snapshots", attempt(r.trash_remove, io, snap_id, True))
    r.trash_restore(io, snap_id, "")
    with rbd.Image(io, "t-snap") as im:
        rec("restored under its name", im.get_name())
        im.remove_snap("s")
    r.remove(io, "t-snap")
    rec("trash at end", listed())


@case
def advisory_locks(env, rec):
    io = env.io

    def lockers(im):
        got = im.list_lockers()
        if not got:
            return got
        return (got["tag"], got["exclusive"],
                [(re.sub(r"\d+", "N", c), k.startswith("auto ") and "auto N" or k, ":" in a) for c, k, a in got["lockers"]])

    for features, tag in ((1, "plain"), (61, "exclusive-lock")):
        with fresh(env, "l-img", 4 * MiB, features=features) as im:
            rec(f"{tag}: none", lockers(im))
            rec(f"{tag}: exclusive", attempt(im.lock_exclusive, "c1"))
            rec(f"{tag}: listed", lockers(im))
            rec(f"{tag}: exclusive again", attempt(im.lock_exclusive, "c1"))
            rec(f"{tag}: exclusive other cookie", attempt(im.lock_exclusive, "c2"))
            rec(f"{tag}: shared while exclusive", attempt(im.lock_shared, "c3", "t"))
            if tag == "plain":
                # (with the exclusive-lock feature upstream's write waits for
                # the lock forever: not recorded)
                rec(f"{tag}: write while locked", attempt(im.write, b"x", 0))
            rec(f"{tag}: unlock wrong cookie", attempt(im.unlock, "c9"))
            rec(f"{tag}: unlock", attempt(im.unlock, "c1"))
            rec(f"{tag}: shared", (attempt(im.lock_shared, "s1", "tag1"), attempt(im.lock_shared, "s2", "tag1")))
            rec(f"{tag}: shared other tag", attempt(im.lock_shared, "s3", "tag2"))
            rec(f"{tag}: shared listed", lockers(im))
            rec(f"{tag}: unlock s1", attempt(im.unlock, "s1"))
            # another client's lock, broken by this one (which blocklists
            # that client first, as rbd_blocklist_on_break_lock says)
            with rados.Rados(conffile=env.conf) as r2, r2.open_ioctx(env.pool) as io2:
                with rbd.Image(io2, "l-img", read_only=True) as im2:
                    rec(f"{tag}: other client shared", attempt(im2.lock_shared, "o1", "tag1"))
                other = [c for c, k, _ in im.list_lockers()["lockers"] if k == "o1"][0]
            rec(f"{tag}: other listed", lockers(im))
            rec(f"{tag}: break bad client", attempt(im.break_lock, "nobody", "o1"))
            rec(f"{tag}: break wrong cookie", attempt(im.break_lock, other, "zz"))
            rec(f"{tag}: break", attempt(im.break_lock, other, "o1"))
            rec(f"{tag}: after break", lockers(im))
            rec(f"{tag}: unlock s2", attempt(im.unlock, "s2"))
            rec(f"{tag}: at end", lockers(im))
    with fresh(env, "l-img2", 4 * MiB) as im:
        rec("managed: owners before", attempt(lambda: list(im.lock_get_owners())))
        rec("managed: acquire shared", attempt(im.lock_acquire, rbd.RBD_LOCK_MODE_SHARED))
        rec("managed: acquire", attempt(im.lock_acquire, rbd.RBD_LOCK_MODE_EXCLUSIVE))
        rec("managed: owner", im.is_exclusive_lock_owner())
        owners = list(im.lock_get_owners())
        rec("managed: owners", [(o["mode"], re.sub(r"\d+", "N", o["owner"])) for o in owners])
        rec("managed: listed", lockers(im))
        with rbd.Image(io, "l-img2") as other:
            rec("managed: peer write refused", attempt(other.write, b"y", 0))
        rec("managed: release", attempt(im.lock_release))
        rec("managed: owner after release", im.is_exclusive_lock_owner())
        rec("managed: release again", attempt(im.lock_release))
        rec("managed: write after release", attempt(im.write, b"z", 0))
    with fresh(env, "l-img3", 4 * MiB, features=1) as im:
        rec("managed without the feature", attempt(im.lock_acquire, rbd.RBD_LOCK_MODE_EXCLUSIVE))
        rec("owners without the feature", attempt(lambda: list(im.lock_get_owners())))


# ---------------------------------------------------------------------------


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conf", required=True)
    ap.add_argument("--pool-prefix", default=f"cephrs-rbd-{os.getpid()}")
    g = ap.add_mutually_exclusive_group()
    g.add_argument("--record")
    g.add_argument("--expect")
    ap.add_argument("--only", nargs="*")
    args = ap.parse_args()

    env = Env()
    env.pool, env.pool2 = args.pool_prefix + "-a", args.pool_prefix + "-b"
    env.rados = rados.Rados(conffile=args.conf)
    env.rados.connect()
    for p in (env.pool, env.pool2):
        if env.rados.pool_exists(p):
            env.rados.delete_pool(p)
        env.rados.create_pool(p)
        with env.rados.open_ioctx(p) as io:
            io.application_enable("rbd")
    env.io = env.rados.open_ioctx(env.pool)
    env.io2 = env.rados.open_ioctx(env.pool2)
    env.conf = args.conf
    env.c = Ctypes(args.conf)
    env.cio = env.c.ioctx(env.pool)

    lines, failures = run_cases(CASES, env, args.only)

    env.c.rados.rados_ioctx_destroy(env.cio)
    env.c.close()
    env.io.close()
    env.io2.close()
    for p in (env.pool, env.pool2):
        env.rados.delete_pool(p)
    env.rados.shutdown()
    return report("rbd suite", lines, failures, len(CASES), args.record, args.expect, args.only)


if __name__ == "__main__":
    sys.exit(main())
