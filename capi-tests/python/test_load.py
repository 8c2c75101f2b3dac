#!/usr/bin/python3
"""The upstream Python bindings load our libraries and nothing else.

Run with LD_LIBRARY_PATH or LD_PRELOAD pointing at our build; CEPHRS_LIBDIR names it.
Asserts from /proc/self/maps that librbd, librados and the engine all come from
CEPHRS_LIBDIR and that no other copy of librbd or librados is mapped.
"""
import os
import sys

import rados  # noqa: E402  (the imports are the test)
import rbd

libdir = os.path.realpath(os.environ["CEPHRS_LIBDIR"])
mapped = set()
for line in open("/proc/self/maps"):
    parts = line.split()
    if len(parts) >= 6 and parts[5].startswith("/"):
        mapped.add(parts[5])
ceph_libs = sorted(p for p in mapped if os.path.basename(p).startswith(("librbd.so", "librados.so", "libcephrs.so")))
ours = [p for p in ceph_libs if os.path.dirname(os.path.realpath(p)) == libdir]
foreign = [p for p in ceph_libs if p not in ours]
names = sorted(os.path.basename(p).split(".so")[0] for p in ours)
assert names == ["libcephrs", "librados", "librbd"], f"expected our three libraries, mapped: {ceph_libs}"
assert not foreign, f"system copies mapped: {foreign}"
# they work: one engine answers both modules
assert rbd.RBD().version() == (1, 16, 0), rbd.RBD().version()
r = rados.Rados(name="client.admin")
assert str(r.version()) == "3.0.0", r.version()
r.conf_set("rbd_cache", "false")
assert r.conf_get("rbd_cache") == "false"
r.shutdown()
print("loaded:", " ".join(ours), f"({os.environ.get('LD_PRELOAD') and 'LD_PRELOAD' or 'LD_LIBRARY_PATH'})")
sys.exit(0)
