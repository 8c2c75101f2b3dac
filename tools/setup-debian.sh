#!/bin/sh
# Installs what building and testing need on Debian 12 (as root), idempotently:
# the C toolchain, Ceph Pacific's client packages and Python bindings (the
# reference the tests compare with), the Ceph daemons for the cluster tests, fio,
# and a Rust toolchain (rustup, when cargo is missing: Debian's rustc is too old).
set -eu
packages="build-essential pkg-config curl ca-certificates python3 ceph-mon ceph-osd ceph-mgr ceph-common \
librbd-dev librados-dev python3-rbd python3-rados fio uuid-runtime iproute2 procps time"
missing=""
for p in $packages; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing="$missing $p"
done
if [ -n "$missing" ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq $missing > /dev/null
fi
if ! command -v cargo > /dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/cargo" ]; then
    curl -sSf https://sh.rustup.rs | sh -s -- -y -q --profile minimal --component clippy,rustfmt
fi
