#!/bin/sh
# Builds concurrency.c against our headers and runs it under our libraries on
# a fresh local store; with a cluster conf, also under upstream's libraries on
# that cluster (same program, same checks).
#
# usage: run_concurrency.sh LIBDIR INCLUDEDIR [CLUSTER_CEPH_CONF]
set -eu
lib=$(cd "$1" && pwd)
inc=$(cd "$2" && pwd)
cluster_conf=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cc -O2 -Wall -Werror -std=gnu11 -I "$inc" -o "$tmp/concurrency" "$here/concurrency.c" -lrados -lpthread \
    -L "$lib" -Wl,-rpath,"$lib"
mkdir -p "$tmp/store"
printf '[global]\nrados_local_store = %s\n' "$tmp/store" > "$tmp/ceph.conf"
LD_LIBRARY_PATH=$lib /usr/bin/python3 -c "
import rados, sys
r = rados.Rados(conffile='$tmp/ceph.conf'); r.connect(); r.create_pool('concurrency'); r.shutdown()"
status=0
printf 'ours, local store: '
LD_LIBRARY_PATH=$lib timeout 300 "$tmp/concurrency" "$tmp/ceph.conf" concurrency || status=1
if [ -n "$cluster_conf" ]; then
    pool=cephrs-concurrency-$$
    ceph -c "$cluster_conf" osd pool create "$pool" 8 8 > /dev/null 2>&1
    printf 'upstream, cluster: '
    # the system's librados: the rpath is overridden by an empty library path
    cc -O2 -std=gnu11 -I "$inc" -o "$tmp/concurrency-upstream" "$here/concurrency.c" -lrados -lpthread
    timeout 300 "$tmp/concurrency-upstream" "$cluster_conf" "$pool" || status=1
    ceph -c "$cluster_conf" osd pool rm "$pool" "$pool" --yes-i-really-really-mean-it > /dev/null 2>&1 || true
else
    echo "SKIP upstream on a cluster: no cluster conf given"
fi
exit $status
