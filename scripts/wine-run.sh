#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER):
# runs a Windows executable under wine. Debian 12's wine 8 lacks ProcessPrng in
# bcryptprimitives.dll, which Rust's std imports, so the shim built from
# tests/wine/bcryptprimitives.c is put beside the executable first (test tooling only).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exe="$1"
shim="$root/target/wine/bcryptprimitives.dll"
if [ ! -f "$shim" ] || [ "$root/tests/wine/bcryptprimitives.c" -nt "$shim" ]; then
  mkdir -p "$root/target/wine"
  x86_64-w64-mingw32-gcc -O2 -shared -o "$shim" "$root/tests/wine/bcryptprimitives.c" \
    "$root/tests/wine/bcryptprimitives.def" -ladvapi32
fi
dir="$(dirname "$exe")"
[ -f "$dir/bcryptprimitives.dll" ] || cp "$shim" "$dir/"
export WINEPREFIX="${WINEPREFIX:-$root/target/wine/prefix}"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="bcryptprimitives=n,b${WINEDLLOVERRIDES:+;$WINEDLLOVERRIDES}"
exec wine "$@"
