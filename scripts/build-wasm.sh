#!/usr/bin/env bash
# Builds every example/test module in wasm/src into wasm/<name>.wasm (or into the folder given as
# the first argument). Output is byte-for-byte reproducible: no debug info, no names, no producers
# section, and no build path ever reaches the binary.
# Needs Debian's clang, lld, wasi-libc and wabt (their wasm32-wasi sysroot is built in, so no --sysroot).
set -euo pipefail
# clang runs whatever wasm-opt is on PATH after an optimised link; an npm one (under node_modules/.bin)
# would change the output bytes, so the committed modules are built with the system toolchain only.
PATH="$(printf '%s' "$PATH" | tr ':' '\n' | grep -v 'node_modules/\.bin' | paste -sd: -)"
export PATH

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
src="$root/wasm/src"
out="${1:-$root/wasm}"
mkdir -p "$out"

cc="${CLANG:-clang}"
common=(--target=wasm32-wasi -O2 -Wall -Werror -ffile-prefix-map="$root"=. -Wl,--strip-all)

build() { # name, extra flags...
  local name="$1"; shift
  # Compile from inside src with a relative path, so nothing host-specific is ever an input.
  (cd "$src" && "$cc" "${common[@]}" "$@" -o "$out/$name.wasm" "$name.c")
}

# Ordinary programs: libc's _start runs main; they end with exit(), i.e. proc_exit.
for name in hello cat exit_code outputs loop membomb flood escape write_input lines cpu http_get bigfile ticker; do
  build "$name"
done

# Programs that own `_start` and return from it without proc_exit (Bacalhau's exit code -1 rule).
for name in env noreturn dynamic; do
  build "$name" -nostartfiles -Wl,--entry=_start
done

# A pure library: no libc, no WASI, no entry point; exports only its functions and memory.
build easter -nostdlib -Wl,--no-entry

# Hand-written modules for edge cases C cannot express (imports by path, host modules, bare loops).
for wat in "$src"/*.wat; do
  wat2wasm "$wat" -o "$out/$(basename "${wat%.wat}").wasm"
done

# Modules wabt cannot write (wasm GC types): hex with ;; comments, one byte per two digits.
for hex in "$src"/*.hex; do
  sed -e 's/;;.*//' "$hex" | tr -d ' \n\t' | xxd -r -p > "$out/$(basename "${hex%.hex}").wasm"
done

chmod 644 "$out"/*.wasm
echo "built $(ls "$out"/*.wasm | wc -l) modules into $out"
