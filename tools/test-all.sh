#!/bin/sh
# The README's test command (and .ci/run's): every test of the project.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup-debian.sh
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
start=$(date +%s)
echo "== cargo fmt --check"
cargo fmt --check
echo "== cargo clippy"
cargo clippy -q --all-targets -- -D warnings
echo "== cargo test"
log=$(mktemp)
cargo test -q --release > "$log" 2>&1 || { cat "$log"; rm -f "$log"; exit 1; }
grep -E '^test result' "$log"
rm -f "$log"
echo "== build"
make -s libs
echo "== cluster (1 mon, 1 mgr, 3 memstore OSDs, cephx, on 127.0.0.1)"
cluster_dir=$(mktemp -d /tmp/cephrs-ci-cluster.XXXXXX)
rmdir "$cluster_dir"
trap 'sh tools/cluster.sh stop "$cluster_dir" > /dev/null 2>&1 || true' EXIT
CEPHRS_CLUSTER_CONF=$(OSDS=3 sh tools/cluster.sh start "$cluster_dir")
export CEPHRS_CLUSTER_CONF
echo "== cluster client against the live cluster (msgr2 crc+secure, cephx, CRUSH placement)"
log=$(mktemp)
CEPHRS_TEST_CLUSTER_CONF=$CEPHRS_CLUSTER_CONF cargo test -q --release --test cluster_client -- --nocapture > "$log" 2>&1 \
    || { cat "$log"; rm -f "$log"; exit 1; }
grep -oE '^test result.*|placement: .*|stream: .*' "$log"
echo "== faults on the live cluster (OSD and monitor restarted under a client, one test at a time)"
CEPHRS_TEST_CLUSTER_CONF=$CEPHRS_CLUSTER_CONF cargo test -q --release --test cluster_faults -- --nocapture --test-threads=1 > "$log" 2>&1 \
    || { cat "$log"; rm -f "$log"; exit 1; }
grep -oE '^test result.*|faults: .*' "$log"
rm -f "$log"
echo "== capi-tests"
capi-tests/run.sh build/lib
echo "all tests passed in $(( $(date +%s) - start )) s"
