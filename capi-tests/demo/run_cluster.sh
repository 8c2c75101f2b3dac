#!/bin/sh
# The seed example on a real cluster, under upstream's libraries (the system's)
# and under ours, one after the other on the same pool: the outputs must be
# equal once the image ids (random per image) are replaced by their order of
# appearance. The example's images are removed before each run and after.
#
# usage: demo/run_cluster.sh LIBDIR CEPH_CONF
set -eu
lib=$(cd "$1" && pwd)
conf=$2
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap '[ -n "${KEEP:-}" ] || rm -rf "$tmp"' EXIT
clean() {
    for image in myimage myimage2; do rbd -c "$conf" rm "rbd/$image" > /dev/null 2>&1 || true; done
}
normalize() {  # image ids -> ID1, ID2… in order of appearance; RBD objects only, re-sorted
    /usr/bin/python3 -c '
import re, sys
ids = {}
def name(m):
    ids.setdefault(m.group(2), "ID%d" % (len(ids) + 1))
    return m.group(1) + ids[m.group(2)]
for line in sys.stdin:
    line = re.sub(r"(rbd_(?:data|header|object_map|id)\.|b.rbd_data\.)([0-9a-f]{8,})", name, line)
    if line.startswith("objects: "):
        # only the objects of the example: other tests leave theirs in the pool
        items = sorted(o for o in eval(line[len("objects: "):]) if o.startswith("rbd_"))
        line = "objects: %r\n" % items
    sys.stdout.write(line)'
}
# `rbd rm` leaves the pool's rbd_trash object behind: make it exist before
# both runs, so that each run starts from the same pool
rbd -c "$conf" create --size 1M rbd/seed-prep > /dev/null 2>&1 && rbd -c "$conf" rm rbd/seed-prep > /dev/null 2>&1
clean
/usr/bin/python3 "$here/seed_example.py" "$conf" > "$tmp/upstream.raw" 2>&1 || { echo "FAIL: under upstream"; cat "$tmp/upstream.raw"; clean; exit 1; }
clean
LD_LIBRARY_PATH=$lib /usr/bin/python3 "$here/seed_example.py" "$conf" > "$tmp/ours.raw" 2>&1 || { echo "FAIL: under ours"; cat "$tmp/ours.raw"; clean; exit 1; }
clean
normalize < "$tmp/upstream.raw" > "$tmp/upstream"
normalize < "$tmp/ours.raw" > "$tmp/ours"
if ! diff -u "$tmp/upstream" "$tmp/ours"; then
    echo "FAIL: the seed example on the cluster differs between upstream's libraries and ours"
    exit 1
fi
echo "seed example on the cluster: $(wc -l < "$tmp/ours") lines equal under upstream's libraries and ours"
