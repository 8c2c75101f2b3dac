#!/usr/bin/python3
"""Interoperability with upstream on a real cluster, both ways:

1. an image created and written by our library is read by the upstream `rbd`
   tool on the system libraries: `rbd info`, `rbd export` (checksum equal to
   what we wrote), `rbd object-map check` clean, `rbd status`
   showing our watcher while we hold the image open;
2. an image created and written by upstream is opened, read, written and
   resized by ours, and upstream reads our writes back; ours lists upstream's
   snapshot as `rbd snap ls` does and its writes keep the snapshot's data;
   Snapshots both ways: ours makes, protects, removes and reads snapshots
   that the `rbd` tool then lists, exports and checks; ours rolls an image
   back to a snapshot upstream made, and removes it;
   The rbd tool's snapshot operations and resize on an image ours holds the
   lock of are run by ours, the lock owner, as upstream's owner runs them;
3. exclusive lock with a peer: our client and an upstream client (separate
   processes) write the same image in turn; the lock moves between them through
   the header's watch/notify, each reads the other's data, the object map stays
   valid;
4. a dead lock owner (an upstream client killed while it holds the lock) is
   blocklisted and its lock broken by the next writer, ours as upstream's
   (`rbd_blocklist_on_break_lock`), and its watch-less lock never stops the
   writer.

The driver itself loads no Ceph library: each client is a capi-tests/interop/
rbd_peer.py process, "ours" under LD_LIBRARY_PATH=LIBDIR, "upstream" without.

usage: interop.py LIBDIR CEPH_CONF
"""
import hashlib
import json
import os
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
LIB, CONF = sys.argv[1], sys.argv[2]
POOL = "rbd"
MIB = 1 << 20
sys.path.insert(0, HERE)
from rbd_peer import pattern  # noqa: E402  (pure Python, no Ceph library)


class Peer:
    """A client process; `call` sends one command and returns its answer."""

    def __init__(self, who):
        env = dict(os.environ)
        env.pop("LD_LIBRARY_PATH", None)
        env.pop("LD_PRELOAD", None)
        if who == "ours":
            env["LD_LIBRARY_PATH"] = LIB
        self.who = who
        self.proc = subprocess.Popen(
            ["/usr/bin/python3", os.path.join(HERE, "rbd_peer.py"), CONF, POOL],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)

    def call(self, *words):
        self.proc.stdin.write(" ".join(str(w) for w in words) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline().strip()
        if not line.startswith("ok"):
            raise AssertionError(f"{self.who}: {' '.join(map(str, words))}: {line or 'no answer'}")
        return line[3:]

    def quit(self):
        self.proc.stdin.write("quit\n")
        self.proc.stdin.close()
        assert self.proc.wait(60) == 0, f"{self.who} exited with {self.proc.returncode}"


class Model:
    """What the image must hold."""

    def __init__(self, size):
        self.data = bytearray(size)

    def write(self, off, length, seed):
        self.data[off:off + length] = pattern(seed, length)

    def resize(self, size):
        self.data = self.data[:size] + bytearray(max(0, size - len(self.data)))

    def sha(self, off=0, length=None):
        end = len(self.data) if length is None else off + length
        return hashlib.sha256(self.data[off:end]).hexdigest()


def rbd_tool(*args, check=True):
    """The upstream rbd tool on the system libraries."""
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    p = subprocess.run(["rbd", "-c", CONF, *map(str, args)], capture_output=True, env=env, timeout=300)
    if check and p.returncode != 0:
        raise AssertionError(f"rbd {' '.join(map(str, args))}: rc {p.returncode}: {p.stderr.decode()}")
    return p


def export_sha(spec):
    return hashlib.sha256(rbd_tool("export", spec, "-").stdout).hexdigest()


def info(spec):
    return json.loads(rbd_tool("info", "--format", "json", spec).stdout)


def check_object_map(spec):
    p = rbd_tool("object-map", "check", spec)
    out = (p.stdout + p.stderr).decode()
    assert "invalid" not in out.lower() and "fail" not in out.lower(), out
    flags = info(spec)["flags"]
    assert flags == [], f"{spec}: flags after object-map check: {flags}"


WRITES = [(0, 4096, 1), (MIB - 100, 300, 2), (4 * MIB - 2048, 8192, 3), (9 * MIB, MIB, 4),
          (30 * MIB + 7, 123457, 5), (63 * MIB, MIB, 6)]


def ours_image_read_by_upstream():
    name = "interop-ours"
    spec = f"{POOL}/{name}"
    model = Model(64 * MIB)
    ours = Peer("ours")
    ours.call("create", name, 64 * MIB)
    ours.call("open", name)
    for off, length, seed in WRITES + [(0, 512, 7)]:
        ours.call("write", off, length, seed)
        model.write(off, length, seed)
    assert ours.call("sha") == model.sha(), "ours reads back something else than it wrote"
    # rbd status shows our watcher while we hold the image open
    instance = int(ours.call("instance"))
    status = json.loads(rbd_tool("status", "--format", "json", spec).stdout)
    clients = [w["client"] for w in status["watchers"]]
    assert clients == [instance], f"watchers {status['watchers']}, our instance {instance}"
    ours.call("close")
    ours.quit()
    status = json.loads(rbd_tool("status", "--format", "json", spec).stdout)
    assert status["watchers"] == [], f"watchers after close: {status['watchers']}"
    i = info(spec)
    assert i["size"] == 64 * MIB and i["order"] == 22 and i["object_size"] == 4 * MIB, i
    for feature in ("layering", "exclusive-lock", "object-map", "fast-diff", "deep-flatten"):
        assert feature in i["features"], f"{feature} missing: {i['features']}"
    assert i["flags"] == [], i
    assert export_sha(spec) == model.sha(), "rbd export differs from what we wrote"
    check_object_map(spec)
    rbd_tool("rm", spec)
    print("ours -> upstream rbd tool: info right, export equal to what we wrote, object-map check clean, "
          "status showed our watcher while open and none after close")


def upstream_image_used_by_ours():
    name = "interop-upstream"
    spec = f"{POOL}/{name}"
    model = Model(64 * MIB)
    rbd_tool("create", "--size", "64M", spec)
    upstream = Peer("upstream")
    upstream.call("open", name)
    for off, length, seed in WRITES:
        upstream.call("write", off, length, seed + 100)
        model.write(off, length, seed + 100)
    upstream.call("close")
    rbd_tool("snap", "create", f"{spec}@before-ours")
    snap_sha = model.sha()
    ours = Peer("ours")
    ours.call("open", name)
    assert ours.call("sha") == model.sha(), "ours reads something else than upstream wrote"
    listed = json.loads(rbd_tool("snap", "ls", "--format", "json", spec).stdout)
    want = [[s["id"], s["name"], s["size"]] for s in listed]
    assert json.loads(ours.call("snaps")) == want, f"snapshots: ours {ours.call('snaps')}, rbd snap ls {want}"
    for off, length, seed in [(MIB, 5000, 200), (40 * MIB - 1, 2, 201), (60 * MIB, 4 * MIB, 202)]:
        ours.call("write", off, length, seed)
        model.write(off, length, seed)
    ours.call("resize", 96 * MIB)
    model.resize(96 * MIB)
    ours.call("write", 80 * MIB + 3, 70000, 203)
    model.write(80 * MIB + 3, 70000, 203)
    assert ours.call("sha") == model.sha()
    # the snapshot keeps its own size (64 MiB) while the head is 96 MiB
    assert json.loads(ours.call("snaps")) == want, f"snapshots after resize: {ours.call('snaps')}, want {want}"
    ours.call("close")
    ours.quit()
    assert info(spec)["size"] == 96 * MIB
    assert export_sha(spec) == model.sha(), "rbd export differs from what ours wrote"
    assert export_sha(f"{spec}@before-ours") == snap_sha, "our writes changed upstream's snapshot"
    check_object_map(spec)
    check_object_map(f"{spec}@before-ours")
    upstream.call("open", name)
    assert upstream.call("sha") == model.sha(), "upstream reads something else than ours wrote"
    upstream.call("resize", 48 * MIB)
    model.resize(48 * MIB)
    upstream.call("close")
    upstream.quit()
    ours = Peer("ours")
    ours.call("open", name)
    assert ours.call("sha") == model.sha(), "after upstream's shrink"
    ours.call("close")
    ours.quit()
    check_object_map(spec)
    rbd_tool("snap", "purge", spec)
    rbd_tool("rm", spec)
    print("upstream -> ours: read, written, resized (96 MiB) by ours; upstream reads it back, shrinks it, "
          "ours reads that; ours lists upstream's snapshot and keeps its data; object-map check clean")


def snapshots_both_ways():
    name = "interop-snaps"
    spec = f"{POOL}/{name}"
    model = Model(32 * MIB)
    ours = Peer("ours")
    ours.call("create", name, 32 * MIB)
    ours.call("open", name)
    for off, length, seed in WRITES[:4]:
        ours.call("write", off, length, seed + 300)
        model.write(off, length, seed + 300)
    ours.call("snap_create", "first")
    first_sha = model.sha()
    for off, length, seed in [(0, 8192, 310), (20 * MIB, MIB, 311)]:
        ours.call("write", off, length, seed)
        model.write(off, length, seed)
    ours.call("snap_create", "second")
    ours.call("snap_protect", "second")
    second_sha = model.sha()
    ours.call("snap_create", "doomed")
    ours.call("snap_remove", "doomed")
    ours.call("write", 4 * MIB, 4096, 312)
    model.write(4 * MIB, 4096, 312)
    ours.call("snap_set", "first")
    assert ours.call("sha") == first_sha, "ours reads its snapshot wrong"
    ours.call("snap_set", "-")
    assert ours.call("sha") == model.sha()
    listed = json.loads(rbd_tool("snap", "ls", "--format", "json", spec).stdout)
    assert [(s["name"], s["size"], s["protected"]) for s in listed] == [
        ("first", 32 * MIB, "false"), ("second", 32 * MIB, "true")], listed
    assert json.loads(ours.call("snaps")) == [[s["id"], s["name"], s["size"]] for s in listed]
    ours.call("close")
    ours.quit()
    assert export_sha(f"{spec}@first") == first_sha, "rbd export of our first snapshot differs"
    assert export_sha(f"{spec}@second") == second_sha, "rbd export of our second snapshot differs"
    assert export_sha(spec) == model.sha()
    for target in (spec, f"{spec}@first", f"{spec}@second"):
        check_object_map(target)
    # upstream's snapshot, rolled back to and removed by ours
    rbd_tool("snap", "unprotect", f"{spec}@second")
    rbd_tool("snap", "create", f"{spec}@upstream-snap")
    upstream_sha = model.sha()
    ours = Peer("ours")
    ours.call("open", name)
    ours.call("write", 0, MIB, 320)
    ours.call("snap_rollback", "upstream-snap")
    assert ours.call("sha") == upstream_sha, "ours rolled back to something else"
    ours.call("snap_remove", "second")
    ours.call("close")
    ours.quit()
    assert export_sha(spec) == upstream_sha
    # (no object-map check of the head after a rollback: upstream's own
    # rollback leaves states it flags; rollback_object_map_like_upstream
    # compares ours with that)
    check_object_map(f"{spec}@first")
    names = [s["name"] for s in json.loads(rbd_tool("snap", "ls", "--format", "json", spec).stdout)]
    assert names == ["first", "upstream-snap"], names
    rbd_tool("snap", "purge", spec)
    rbd_tool("rm", spec)
    print("snapshots: ours made, protected, removed and read them; rbd snap ls lists them, rbd export of "
          "each equals what ours wrote, object-map check clean; ours rolled back to upstream's snapshot "
          "and removed one")


def object_map_after(who, name):
    """Runs a snapshot-and-rollback history as `who`; returns the head's raw
    object map and what `rbd object-map check` flags in it."""
    spec = f"{POOL}/{name}"
    peer = Peer(who)
    peer.call("create", name, 32 * MIB)
    peer.call("open", name)
    for step in (("write", 0, 4096, 1), ("write", 9 * MIB, MIB, 2), ("snap_create", "first"),
                 ("write", 0, 8192, 3), ("write", 20 * MIB, MIB, 4), ("snap_create", "second"),
                 ("write", 4 * MIB, 4096, 5), ("snap_create", "third"), ("write", 0, MIB, 6),
                 ("write", 28 * MIB, 10, 7), ("snap_rollback", "third")):
        peer.call(*step)
    peer.call("close")
    peer.quit()
    image_id = info(spec)["id"]
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    raw = subprocess.run(["rados", "-c", CONF, "-p", POOL, "get", f"rbd_object_map.{image_id}", "-"],
                         capture_output=True, env=env, check=True).stdout
    out = (rbd_tool("object-map", "check", spec).stderr).decode()
    flagged = sorted(line.split("object map error: ")[1].replace(image_id, "ID")
                     for line in out.splitlines() if "object map error: " in line)
    rbd_tool("snap", "purge", spec)
    rbd_tool("rm", spec)
    return raw, flagged


def rollback_object_map_like_upstream():
    ours = object_map_after("ours", "interop-rollback-ours")
    upstream = object_map_after("upstream", "interop-rollback-upstream")
    assert ours == upstream, f"after a rollback: ours {ours}, upstream {upstream}"
    print(f"rollback: the head's object map is byte for byte upstream's ({len(ours[1])} objects flagged by "
          "object-map check after either's rollback)")


def upstream_tool_while_ours_owns_the_lock():
    """The rbd tool's maintenance operations on an image our client has open
    and holds the lock of: each is a request to the lock owner (ours), which
    runs it and answers (for snapshot create, remove and resize, with an
    AsyncComplete). Without an answer upstream waits 30 s per request."""
    import time
    name = "interop-owner"
    spec = f"{POOL}/{name}"
    ours = Peer("ours")
    ours.call("create", name, 64 * MIB)
    ours.call("open", name)
    ours.call("write", 0, 4096, 400)
    assert ours.call("owner") == "1"
    slow = []
    for args in (("snap", "create", f"{spec}@a"), ("snap", "create", f"{spec}@b"),
                 ("snap", "rename", f"{spec}@b", f"{spec}@c"), ("snap", "protect", f"{spec}@c"),
                 ("snap", "unprotect", f"{spec}@c"), ("snap", "rm", f"{spec}@c"),
                 ("resize", "--size", "96M", spec)):
        start = time.monotonic()
        rbd_tool(*args)
        took = time.monotonic() - start
        if took > 10:
            slow.append(f"rbd {' '.join(args)}: {took:.1f} s")
    assert not slow, f"requests the lock owner (ours) did not answer: {slow}"
    assert ours.call("owner") == "1", "ours lost the lock"
    assert [s[1] for s in json.loads(ours.call("snaps"))] == ["a"], ours.call("snaps")
    ours.call("close")
    ours.quit()
    assert info(spec)["size"] == 96 * MIB
    check_object_map(spec)
    rbd_tool("snap", "purge", spec)
    rbd_tool("rm", spec)
    print("the rbd tool's snap create/rename/protect/unprotect/rm and resize on an image ours holds the lock of: "
          "each answered by ours (under 10 s), ours kept the lock and sees the result")


def exclusive_lock_with_a_peer():
    name = "interop-lock"
    spec = f"{POOL}/{name}"
    size = 16 * MIB
    model = Model(size)
    rbd_tool("create", "--size", "16M", spec)
    peers = [Peer("ours"), Peer("upstream")]
    for p in peers:
        p.call("open", name)
    rounds = 12
    for r in range(rounds):
        writer, other = peers[r % 2], peers[1 - r % 2]
        off, length = (r * 1_300_000) % (size - 100_000), 4096 + r * 999
        writer.call("write", off, length, 300 + r)
        model.write(off, length, 300 + r)
        assert writer.call("owner") == "1", f"round {r}: {writer.who} wrote without owning the lock"
        assert other.call("owner") == "0", f"round {r}: {other.who} still owns the lock"
        assert other.call("read", off, length) == model.sha(off, length), f"round {r}: {other.who} misses the write"
    for p in peers:
        assert p.call("sha") == model.sha(), f"{p.who}: whole image"
        assert p.call("flags") == "0", f"{p.who}: image flags"
        p.call("close")
        p.quit()
    check_object_map(spec)
    assert export_sha(spec) == model.sha()
    rbd_tool("rm", spec)
    print(f"exclusive lock: {rounds} writes alternating between ours and upstream, the lock moved every time, "
          "each read the other's data, object-map check clean")


def ceph_tool(*args):
    env = {k: v for k, v in os.environ.items() if k not in ("LD_LIBRARY_PATH", "LD_PRELOAD")}
    p = subprocess.run(["ceph", "-c", CONF, *map(str, args)], capture_output=True, env=env, timeout=120)
    if p.returncode != 0:
        raise AssertionError(f"ceph {' '.join(map(str, args))}: rc {p.returncode}: {p.stderr.decode()}")
    return p.stdout.decode()


def blocklisted():
    """The blocklisted addresses (16.2.15 prints two JSON lists: addresses,
    then ranges)."""
    text, addrs = ceph_tool("osd", "blocklist", "ls", "--format", "json").strip(), set()
    while text:
        entries, end = json.JSONDecoder().raw_decode(text)
        addrs |= {e["addr"] for e in entries}
        text = text[end:].strip()
    return addrs


def dead_lock_owner_is_blocklisted():
    name = "interop-dead-owner"
    spec = f"{POOL}/{name}"
    # the dead owner's watch goes away after this long (the OSDs' setting,
    # read when a watch is made), instead of 30 s
    ceph_tool("config", "set", "osd", "osd_client_watch_timeout", "5")
    try:
        seen = []
        for breaker in ("upstream", "ours"):
            rbd_tool("create", "--size", "8M", spec)
            dead = Peer("upstream")
            dead.call("open", name)
            dead.call("write", 0, 4096, 700)
            lockers = json.loads(rbd_tool("lock", "ls", "--format", "json", spec).stdout)
            assert len(lockers) == 1, f"lockers of {spec}: {lockers}"
            address = lockers[0]["address"]
            dead.proc.kill()
            dead.proc.wait()
            before = blocklisted()
            assert address not in before, f"{address} blocklisted too early"
            peer = Peer(breaker)
            peer.call("open", name)
            peer.call("write", 4096, 4096, 701)
            assert peer.call("owner") == "1", f"{breaker} does not own the lock"
            assert peer.call("read", 0, 4096) == hashlib.sha256(pattern(700, 4096)).hexdigest(), \
                f"{breaker} lost the dead owner's write"
            added = blocklisted() - before
            seen.append((breaker, address in added, len(added)))
            ceph_tool("osd", "blocklist", "rm", address)
            peer.call("close")
            peer.quit()
            check_object_map(spec)
            rbd_tool("rm", spec)
        assert seen[0][1:] == seen[1][1:], f"blocklist entries added, upstream vs ours: {seen}"
        assert seen[1][1], f"ours did not blocklist the dead owner: {seen}"
    finally:
        ceph_tool("config", "rm", "osd", "osd_client_watch_timeout")
    print("dead lock owner: killed while holding the lock, its address blocklisted and its lock broken by the "
          "next writer, upstream and ours alike; its data kept, object-map check clean")


def main():
    for name in ("interop-ours", "interop-upstream", "interop-snaps", "interop-owner", "interop-rollback-ours",
                 "interop-rollback-upstream", "interop-lock", "interop-dead-owner"):
        rbd_tool("snap", "unprotect", f"{POOL}/{name}@second", check=False)
        rbd_tool("snap", "purge", f"{POOL}/{name}", check=False)
        rbd_tool("rm", f"{POOL}/{name}", check=False)
    failed = 0
    for test in (ours_image_read_by_upstream, upstream_image_used_by_ours, snapshots_both_ways,
                 rollback_object_map_like_upstream, upstream_tool_while_ours_owns_the_lock, exclusive_lock_with_a_peer,
                 dead_lock_owner_is_blocklisted):
        try:
            test()
        except AssertionError as e:
            print(f"FAIL: {test.__name__}: {e}")
            failed = 1
    sys.exit(failed)


if __name__ == "__main__":
    main()
