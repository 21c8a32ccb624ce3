#!/usr/bin/env bash
# Fails (exit 1) when a committed wasm/<name>.wasm is not exactly what its source in wasm/src builds
# to, or when a source has no committed module. Run in CI after any change under wasm/.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT

bash "$root/scripts/build-wasm.sh" "$tmp" >/dev/null

status=0
for built in "$tmp"/*.wasm; do
  name="$(basename "$built")"
  committed="$root/wasm/$name"
  if [ ! -f "$committed" ]; then
    echo "missing: wasm/$name (run scripts/build-wasm.sh)" >&2
    status=1
  elif ! cmp -s "$built" "$committed"; then
    echo "stale: wasm/$name differs from the build of its source wasm/src/${name%.wasm}.{c,wat,hex}" >&2
    status=1
  fi
done
for committed in "$root"/wasm/*.wasm; do
  name="$(basename "$committed")"
  if [ ! -f "$tmp/$name" ]; then
    echo "orphan: wasm/$name has no source in wasm/src" >&2
    status=1
  fi
done
[ "$status" -eq 0 ] && echo "wasm modules match their sources"
exit "$status"
