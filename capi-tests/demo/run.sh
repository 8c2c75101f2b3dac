#!/bin/sh
# Runs the seed example through the upstream Python bindings on our libraries,
# on a fresh local store.
#
# usage: demo/run.sh LIBDIR
set -eu
lib=$(cd "$1" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
work=$(mktemp -d /tmp/cephrs-demo.XXXXXX)
mkdir -p "$work/store"
cat > "$work/ceph.conf" <<CONF
[global]
rados_local_store = $work/store
CONF
echo "local store: $work/store (configuration: $work/ceph.conf)"
if LD_LIBRARY_PATH=$lib /usr/bin/python3 "$here/seed_example.py" "$work/ceph.conf"; then
    echo "demo: done"
else
    rc=$?
    echo "demo: the seed example failed (rc $rc)"
    exit $rc
fi
