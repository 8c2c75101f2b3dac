#!/bin/sh
# Runs one script under upstream's libraries (the system's) and under ours, and
# fails when the outputs differ.
#
# usage: compare.sh LIBDIR SCRIPT [ARGS...]
set -eu
lib=$(cd "$1" && pwd)
script=$2
shift 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
# (faulthandler: a crash shows the Python line each thread was at)
/usr/bin/python3 -X faulthandler "$script" "$@" > "$tmp/upstream" 2> "$tmp/upstream.err" \
    || { echo "FAIL: $script under upstream, after:"; tail -3 "$tmp/upstream"; cat "$tmp/upstream.err"; exit 1; }
LD_LIBRARY_PATH=$lib /usr/bin/python3 -X faulthandler "$script" "$@" > "$tmp/ours" 2> "$tmp/ours.err" \
    || { echo "FAIL: $script under ours, after:"; tail -3 "$tmp/ours"; cat "$tmp/ours.err"; exit 1; }
if ! diff -u "$tmp/upstream" "$tmp/ours" > "$tmp/diff"; then
    echo "FAIL: $(basename "$script") differs from upstream ($(grep -c '^[-+][^-+]' "$tmp/diff") lines):"
    head -60 "$tmp/diff"
    exit 1
fi
echo "$(basename "$script"): $(wc -l < "$tmp/ours") results equal to upstream's"
