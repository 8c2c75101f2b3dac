#!/usr/bin/python3
"""Crash test of the local store, through the upstream Python bindings.

Each round starts a child that writes to the store (sync writes, aio writes,
omap and xattr updates) and prints the number of every write once librados has
reported it complete; after a random time the child is killed with SIGKILL. The
parent then opens the store again and checks that every completed write reads
back, from every round so far, and that writes in flight at the kill are whole
or absent (never torn). While a child runs, a second process opening the store
must get -EBUSY.

Run it under our libraries: LD_LIBRARY_PATH=build/lib crash_test.py [ROUNDS]
"""

import os
import random
import signal
import subprocess
import sys
import tempfile
import time

import rados

OBJECTS = 64
BLOCK = 4096
AIO_BATCH = 16


def payload(round_no, i):
    seed = f"{round_no}:{i}:".encode()
    return (seed * (BLOCK // len(seed) + 1))[:BLOCK]


def where(i):
    """(kind, object, offset/key) of write number i."""
    kind = ("write", "aio", "omap", "xattr")[i % 4]
    if kind in ("write", "aio"):
        return kind, f"obj-{i % OBJECTS}", (i // OBJECTS) * BLOCK
    return kind, f"{kind}-{i % 8}", f"k{i}"


def child(conf, round_no):
    r = rados.Rados(conffile=conf)
    r.connect()
    io = r.open_ioctx("crash")
    out = sys.stdout
    i = 0
    pending = []
    while True:
        kind, obj, at = where(i)
        name = f"r{round_no}-{obj}"
        if kind == "write":
            io.write(name, payload(round_no, i), at)
            out.write(f"{i}\n")
        elif kind == "aio":
            pending.append((i, io.aio_write(name, payload(round_no, i), at)))
            if len(pending) == AIO_BATCH:
                for n, c in pending:
                    c.wait_for_complete()
                    if c.get_return_value() != 0:
                        raise SystemExit(f"aio write {n} failed: {c.get_return_value()}")
                    out.write(f"{n}\n")
                pending = []
        elif kind == "omap":
            with rados.WriteOpCtx() as op:
                io.set_omap(op, (at,), (payload(round_no, i)[:64],))
                io.operate_write_op(op, name)
            out.write(f"{i}\n")
        else:
            io.set_xattr(name, at, payload(round_no, i)[:64])
            out.write(f"{i}\n")
        out.flush()
        i += 1


def read_back(io, round_no, i):
    kind, obj, at = where(i)
    name = f"r{round_no}-{obj}"
    try:
        if kind in ("write", "aio"):
            return io.read(name, BLOCK, at)
        if kind == "omap":
            with rados.ReadOpCtx() as op:
                it, _ = io.get_omap_vals_by_keys(op, (at,))
                io.operate_read_op(op, name)
                vals = dict(it)
            return vals.get(at)
        return io.get_xattr(name, at)
    except (rados.ObjectNotFound, rados.NoData):
        return None


def expected(round_no, i):
    kind, _, _ = where(i)
    p = payload(round_no, i)
    return p if kind in ("write", "aio") else p[:64]


def absent(kind, got):
    if kind in ("write", "aio"):
        return got in (None, b"", b"\0" * BLOCK) or (got is not None and got.strip(b"\0") == b"")
    return got is None


def main():
    rounds = int(sys.argv[1]) if len(sys.argv) > 1 else 4
    if len(sys.argv) > 2 and sys.argv[2] == "--child":
        return child(sys.argv[3], int(sys.argv[4]))
    tmp = tempfile.mkdtemp(prefix="cephrs-crash-")
    conf = os.path.join(tmp, "ceph.conf")
    with open(conf, "w") as f:
        f.write(f"[global]\nrados_local_store = {tmp}/store\n")
    r = rados.Rados(conffile=conf)
    r.connect()
    r.create_pool("crash")
    r.shutdown()
    rng = random.Random(int(os.environ.get("CEPHRS_CRASH_SEED", "1")))
    acked = {}  # round -> set of completed write numbers
    issued = {}  # round -> highest number seen + the in-flight window
    total = 0
    for round_no in range(rounds):
        proc = subprocess.Popen([sys.executable, __file__, str(rounds), "--child", conf, str(round_no)],
                                stdout=subprocess.PIPE)
        done = set()
        deadline = time.time() + rng.uniform(0.6, 2.5)
        busy_checked = None
        fd = proc.stdout.fileno()
        os.set_blocking(fd, False)
        buf = b""

        def drain():
            nonlocal buf
            while True:
                try:
                    chunk = os.read(fd, 65536)
                except BlockingIOError:
                    return
                if not chunk:
                    return
                buf += chunk
                *lines, buf = buf.split(b"\n")
                done.update(int(x) for x in lines if x)

        while time.time() < deadline:
            drain()
            if busy_checked is None and done:
                other = rados.Rados(conffile=conf)
                try:
                    other.connect()
                    busy_checked = "connected"
                    other.shutdown()
                except rados.Error as e:
                    busy_checked = f"errno {getattr(e, 'errno', '?')}"
            if proc.poll() is not None:
                raise SystemExit(f"FAIL: child of round {round_no} exited early ({proc.returncode})")
            time.sleep(0.01)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        drain()
        # a last line without its newline may be cut: ignore it
        if busy_checked != f"errno {16}":
            raise SystemExit(f"FAIL: a second process opening the store while in use: {busy_checked}, want EBUSY (16)")
        acked[round_no] = done
        issued[round_no] = max(done, default=-1) + AIO_BATCH + 1
        total += len(done)
        # a new process (this one) opens the store after the kill
        r = rados.Rados(conffile=conf)
        r.connect()
        io = r.open_ioctx("crash")
        lost, torn = [], []
        for rn in acked:
            for i in acked[rn]:
                if read_back(io, rn, i) != expected(rn, i):
                    lost.append((rn, i))
            for i in range(issued[rn]):
                if i in acked[rn]:
                    continue
                kind, _, _ = where(i)
                got = read_back(io, rn, i)
                if got != expected(rn, i) and not absent(kind, got):
                    torn.append((rn, i))
        io.close()
        r.shutdown()
        if lost or torn:
            raise SystemExit(f"FAIL: round {round_no}: {len(lost)} completed writes lost {lost[:5]}, "
                             f"{len(torn)} torn {torn[:5]}")
    print(f"crash test: {rounds} SIGKILLs, {total} completed writes all read back, none torn; "
          f"a second opener got EBUSY")
    subprocess.run(["rm", "-rf", tmp])
    return 0


if __name__ == "__main__":
    sys.exit(main())
