#!/bin/sh
# Prints the path of a qemu-img 7.2 (Debian bookworm) that finds its own
# block-rbd.so, downloading and unpacking it once into the cache directory.
set -eu
cache=${CEPHRS_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/cephrs-tests}/qemu-7.2
if [ ! -x "$cache/root/usr/bin/qemu-img" ]; then
    mkdir -p "$cache"
    version=$(apt-cache madison qemu-utils | awk '$3 ~ /^1:7\.2/ { print $3; exit }')
    [ -n "$version" ] || { echo "no qemu-utils 7.2 in the apt sources" >&2; exit 1; }
    (cd "$cache" && apt-get download -q "qemu-utils=$version" "qemu-block-extra=$version" >/dev/null 2>&1)
    for deb in "$cache"/*.deb; do dpkg -x "$deb" "$cache/root"; done
    rm -f "$cache"/*.deb
fi
echo "$cache/root/usr/bin/qemu-img"
