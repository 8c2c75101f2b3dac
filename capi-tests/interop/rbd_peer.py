#!/usr/bin/python3
"""One RBD client in its own process, driven line by line on stdin; answers one
line per command on stdout ("ok ..." or "err ..."). Runs under whichever
librbd/librados the loader finds, so the same worker is "ours" (with
LD_LIBRARY_PATH) or "upstream" (the system's).

usage: rbd_peer.py CEPH_CONF POOL

commands:
  create IMAGE SIZE [FEATURES]   create an image (FEATURES as an integer)
  open IMAGE                     open it (kept open until close)
  write OFF LEN SEED             write LEN bytes of pattern(SEED) at OFF
  read OFF LEN                   sha256 of LEN bytes at OFF
  sha                            sha256 of the whole image
  resize SIZE                    resize the open image
  snaps                          the snapshots: JSON list of [id, name, size]
  snap_create NAME               create a snapshot of the open image
  snap_remove NAME               remove it
  snap_protect NAME              protect it
  snap_rollback NAME             roll the open image back to it
  snap_set NAME|-                read snapshot NAME from now on (- : the head)
  owner                          1 when this client owns the exclusive lock, else 0
  flags                          the image's flags (object map invalid = 1)
  instance                       this client's instance id (rados_get_instance_id)
  close                          close the image
  quit
"""
import hashlib
import json
import sys

import rados
import rbd


def pattern(seed, length):
    """Deterministic bytes: the same in every process."""
    out = bytearray()
    block = hashlib.sha256(str(seed).encode()).digest()
    while len(out) < length:
        out += block
        block = hashlib.sha256(block).digest()
    return bytes(out[:length])


def main():
    conf, pool = sys.argv[1], sys.argv[2]
    cluster = rados.Rados(conffile=conf)
    cluster.connect()
    ioctx = cluster.open_ioctx(pool)
    image = None
    for line in sys.stdin:
        words = line.split()
        if not words:
            continue
        cmd, args = words[0], words[1:]
        try:
            if cmd == "create":
                features = int(args[2]) if len(args) > 2 else None
                rbd.RBD().create(ioctx, args[0], int(args[1]), old_format=False, features=features)
                reply = "ok"
            elif cmd == "open":
                image = rbd.Image(ioctx, args[0])
                reply = "ok"
            elif cmd == "write":
                off, length, seed = int(args[0]), int(args[1]), int(args[2])
                n = image.write(pattern(seed, length), off)
                reply = f"ok {n}"
            elif cmd == "read":
                off, length = int(args[0]), int(args[1])
                reply = "ok " + hashlib.sha256(image.read(off, length)).hexdigest()
            elif cmd == "sha":
                h = hashlib.sha256()
                size = image.size()
                for off in range(0, size, 4 << 20):
                    h.update(image.read(off, min(4 << 20, size - off)))
                reply = "ok " + h.hexdigest()
            elif cmd == "resize":
                image.resize(int(args[0]))
                reply = "ok"
            elif cmd == "snaps":
                reply = "ok " + json.dumps([[s["id"], s["name"], s["size"]] for s in image.list_snaps()])
            elif cmd == "snap_create":
                image.create_snap(args[0])
                reply = "ok"
            elif cmd == "snap_remove":
                image.remove_snap(args[0])
                reply = "ok"
            elif cmd == "snap_protect":
                image.protect_snap(args[0])
                reply = "ok"
            elif cmd == "snap_rollback":
                image.rollback_to_snap(args[0])
                reply = "ok"
            elif cmd == "snap_set":
                image.set_snap(None if args[0] == "-" else args[0])
                reply = "ok"
            elif cmd == "owner":
                reply = f"ok {int(image.is_exclusive_lock_owner())}"
            elif cmd == "flags":
                reply = f"ok {image.flags()}"
            elif cmd == "instance":
                reply = f"ok {cluster.get_instance_id()}"
            elif cmd == "close":
                image.close()
                image = None
                reply = "ok"
            elif cmd == "quit":
                break
            else:
                reply = f"err unknown command {cmd}"
        except Exception as e:  # the driver reports it
            reply = f"err {type(e).__name__}: {e}"
        print(reply, flush=True)
    if image is not None:
        image.close()
    ioctx.close()
    cluster.shutdown()


if __name__ == "__main__":
    main()
