#!/bin/sh
# The librados behaviour suite (rados_suite.py): under our libraries on a fresh
# local store, compared with the upstream reference in expected/; and, when a
# cluster conf is given, under upstream's libraries on that cluster, to show the
# reference still holds.
#
# usage: run_rados_suite.sh LIBDIR [CLUSTER_CEPH_CONF]
set -eu
lib=$(cd "$1" && pwd)
cluster_conf=${2:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/store"
printf '[global]\nrados_local_store = %s\n' "$tmp/store" > "$tmp/ceph.conf"
status=0
printf 'ours, local store: '
LD_LIBRARY_PATH=$lib timeout 600 /usr/bin/python3 "$here/rados_suite.py" --conf "$tmp/ceph.conf" \
    --expect "$here/expected/rados_suite.txt" || status=1
if [ -n "$cluster_conf" ]; then
    printf 'upstream, cluster: '
    timeout 600 /usr/bin/python3 "$here/rados_suite.py" --conf "$cluster_conf" \
        --expect "$here/expected/rados_suite.txt" || status=1
else
    echo "SKIP upstream on a cluster: no cluster conf given (tools/test-all.sh starts one)"
fi
exit $status
