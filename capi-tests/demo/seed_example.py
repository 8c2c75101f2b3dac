#!/usr/bin/python3
"""The seed example of Ceph's librbd Python documentation, both forms, on the
cluster (or local store) of the configuration file given as argument."""
import sys

import rados
import rbd

conffile = sys.argv[1]

# try/finally form
cluster = rados.Rados(conffile=conffile)
try:
    cluster.connect()
    if not cluster.pool_exists("rbd"):
        cluster.create_pool("rbd")
        print("created pool rbd")
    ioctx = cluster.open_ioctx("rbd")
    try:
        rbd_inst = rbd.RBD()
        size = 4 * 1024**3  # 4 GiB
        rbd_inst.create(ioctx, "myimage", size)
        print(f"created image myimage, {size} bytes")
        image = rbd.Image(ioctx, "myimage")
        try:
            data = b"foo" * 200
            image.write(data, 0)
            print(f"wrote {len(data)} bytes to myimage")
        finally:
            image.close()
    finally:
        ioctx.close()
finally:
    cluster.shutdown()

# context-manager form
with rados.Rados(conffile=conffile) as cluster:
    with cluster.open_ioctx("rbd") as ioctx:
        rbd_inst = rbd.RBD()
        size = 4 * 1024**3  # 4 GiB
        rbd_inst.create(ioctx, "myimage2", size)
        print(f"created image myimage2, {size} bytes")
        with rbd.Image(ioctx, "myimage2") as image:
            data = b"foo" * 200
            image.write(data, 0)
            print(f"wrote {len(data)} bytes to myimage2")

# what is there now
with rados.Rados(conffile=conffile) as cluster:
    with cluster.open_ioctx("rbd") as ioctx:
        print("images:", rbd.RBD().list(ioctx))
        with rbd.Image(ioctx, "myimage", read_only=True) as image:
            print("myimage: size", image.size(), "features", image.features(), "block prefix",
                  image.block_name_prefix(), "first bytes", image.read(0, 9))
        print("objects:", sorted(o.key for o in ioctx.list_objects()))
