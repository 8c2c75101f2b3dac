#!/bin/sh
# Runs every test through the C ABI against the libraries in LIBDIR.
# Each test prints one summary line (or FAIL lines); SKIP lines say why.
#
# usage: capi-tests/run.sh LIBDIR
# With CEPHRS_CLUSTER_CONF set to a running cluster's ceph.conf, the suites also
# run upstream's libraries against that cluster (the reference).
set -u
lib=$(cd "${1:?usage: run.sh LIBDIR}" && pwd)
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
failed=""
run() {
    name=$1
    shift
    printf '== %s\n' "$name"
    if "$@"; then :; else failed="$failed $name"; fi
}

run exports "$here/abi/check_exports.sh" "$lib"
run headers python3 "$here/headers/compare_headers.py"
run abi-status python3 "$root/tools/abi_status.py" --check
run nullwalk "$here/nullwalk/run.sh" "$lib" "$root/include"
run python-load-ld-library-path env CEPHRS_LIBDIR="$lib" LD_LIBRARY_PATH="$lib" /usr/bin/python3 "$here/python/test_load.py"
run python-load-ld-preload env CEPHRS_LIBDIR="$lib" LD_PRELOAD="$lib/librbd.so.1 $lib/librados.so.2" /usr/bin/python3 "$here/python/test_load.py"
run conf-vs-upstream "$here/compare.sh" "$lib" "$here/python/conf_scenario.py"
run rados-suite "$here/python/run_suite.sh" rados_suite.py "$lib" "${CEPHRS_CLUSTER_CONF:-}"
run cls-rbd-suite "$here/python/run_suite.sh" cls_rbd_suite.py "$lib" "${CEPHRS_CLUSTER_CONF:-}"
run rbd-suite "$here/python/run_suite.sh" rbd_suite.py "$lib" "${CEPHRS_CLUSTER_CONF:-}"
run rbd-layout "$here/python/run_suite.sh" rbd_layout.py "$lib" "${CEPHRS_CLUSTER_CONF:-}"
run demo "$here/demo/run.sh" "$lib"
run fio "$here/fio/run_fio.sh" "$lib"
run qemu "$here/consumers/qemu_rbd.sh" "$lib"
if [ -n "${CEPHRS_CLUSTER_CONF:-}" ]; then
    run mon-commands "$here/compare.sh" "$lib" "$here/python/cluster_commands.py" "$CEPHRS_CLUSTER_CONF"
    run cluster-services "$here/compare.sh" "$lib" "$here/python/cluster_services.py" "$CEPHRS_CLUSTER_CONF"
    run demo-cluster "$here/demo/run_cluster.sh" "$lib" "$CEPHRS_CLUSTER_CONF"
    run interop-upstream /usr/bin/python3 "$here/interop/interop.py" "$lib" "$CEPHRS_CLUSTER_CONF"
    run qemu-cluster "$here/consumers/qemu_rbd.sh" "$lib" "$CEPHRS_CLUSTER_CONF"
    # last: restarts an OSD of the cluster in the middle of a job
    run fio-cluster "$here/fio/run_fio.sh" "$lib" "$CEPHRS_CLUSTER_CONF" osd.1
else
    for t in mon-commands cluster-services demo-cluster interop-upstream qemu-cluster fio-cluster; do
        echo "== $t"
        echo "SKIP $t: needs a cluster (CEPHRS_CLUSTER_CONF; tools/test-all.sh starts one)"
    done
fi
run crash env LD_LIBRARY_PATH="$lib" /usr/bin/python3 "$here/python/crash_test.py" 4
run concurrency "$here/c/run_concurrency.sh" "$lib" "$root/include" "${CEPHRS_CLUSTER_CONF:-}"
run upstream-api-program "$here/c/check_upstream_api.sh" "$lib" "$root/include"
run consumers "$here/consumers/load_consumers.sh" "$lib"
run install "$here/install/check_install.sh" "$root"

if [ -n "$failed" ]; then
    echo "capi-tests FAILED:$failed"
    exit 1
fi
echo "capi-tests: all passed"
