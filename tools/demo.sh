#!/bin/sh
# The README's demo: builds the libraries and runs the seed example (both forms)
# through the upstream Python bindings on a fresh local store.
set -eu
cd "$(dirname "$0")/.."
sh tools/setup-debian.sh
[ -f "$HOME/.cargo/env" ] && . "$HOME/.cargo/env"
make -s libs
exec capi-tests/demo/run.sh build/lib
