#!/bin/sh
# Runs one of the behaviour suites (a script taking --conf and --expect, whose
# reference is expected/<script>.txt): under our libraries on a fresh local
# store, compared with upstream's reference; and, when a cluster conf is given,
# under upstream's libraries on that cluster (the reference still holds) and
# under ours on that cluster, once with ms_client_mode = crc and once secure.
#
# usage: run_suite.sh SCRIPT.py LIBDIR [CLUSTER_CEPH_CONF]
set -eu
script=$1
lib=$(cd "$2" && pwd)
cluster_conf=${3:-}
here=$(cd "$(dirname "$0")" && pwd)
name=$(basename "$script" .py)
expected=$here/expected/$name.txt
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$tmp/store"
printf '[global]\nrados_local_store = %s\n' "$tmp/store" > "$tmp/ceph.conf"
status=0
printf 'ours, local store: '
LD_LIBRARY_PATH=$lib timeout 900 /usr/bin/python3 "$here/$name.py" --conf "$tmp/ceph.conf" --expect "$expected" || status=1
if [ -n "$cluster_conf" ]; then
    printf 'upstream, cluster: '
    timeout 900 /usr/bin/python3 "$here/$name.py" --conf "$cluster_conf" --expect "$expected" || status=1
    for mode in crc secure; do
        sed "s/^\[client\]/[client]\nms_client_mode = $mode\nms_mon_client_mode = $mode/" "$cluster_conf" > "$tmp/$mode.conf"
        grep -q "ms_client_mode = $mode" "$tmp/$mode.conf" || printf '[client]\nms_client_mode = %s\nms_mon_client_mode = %s\n' "$mode" "$mode" >> "$tmp/$mode.conf"
        printf 'ours, cluster, %s: ' "$mode"
        LD_LIBRARY_PATH=$lib timeout 900 /usr/bin/python3 "$here/$name.py" --conf "$tmp/$mode.conf" --expect "$expected" || status=1
    done
else
    echo "SKIP upstream on a cluster: no cluster conf given (tools/test-all.sh starts one)"
fi
exit $status
