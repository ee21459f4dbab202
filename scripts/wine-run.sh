#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER):
# runs a Windows executable under wine. Debian 12's wine 8 lacks ProcessPrng in
# bcryptprimitives.dll, which Rust's std imports, so the shim built from
# tests/wine/bcryptprimitives.c is put beside the executable first (test tooling only).
#
# With V6S_WINE_NPCAP_STUB=1 the run uses a wine prefix of its own whose system32 holds
# tests/wine/packet_stub.c as Packet.dll (a stand-in for Npcap that captures nothing), so
# that `watch` and the service can start; the default prefix has no Packet.dll, as a PC
# without Npcap. That prefix is made from the default one: the ~700 MB of Windows
# binaries are hard links, everything wine may write (registry, .ini) is copied.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
exe="$1"
shim="$root/target/wine/bcryptprimitives.dll"
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="bcryptprimitives=n,b${WINEDLLOVERRIDES:+;$WINEDLLOVERRIDES}"
base="$root/target/wine/prefix"
own_prefix=${WINEPREFIX:+1}
if [ "${V6S_WINE_NPCAP_STUB:-0}" = 1 ]; then
  export WINEPREFIX="${WINEPREFIX:-$root/target/wine/prefix-npcap}"
else
  export WINEPREFIX="${WINEPREFIX:-$base}"
fi

new_prefix() {
  WINEPREFIX="$1" wine cmd /c exit >/dev/null 2>&1 || true
  WINEPREFIX="$1" wineserver -w || true
}
mkdir -p "$root/target/wine" "$(dirname "$WINEPREFIX")"
# Tests start several wine processes at once: the shim, the prefix (and its wineserver)
# and the stand-in are made once, under a lock, before any of them runs.
(
  flock 9
  if [ ! -f "$shim" ] || [ "$root/tests/wine/bcryptprimitives.c" -nt "$shim" ]; then
    x86_64-w64-mingw32-gcc -O2 -shared -o "$shim.tmp" "$root/tests/wine/bcryptprimitives.c" \
      "$root/tests/wine/bcryptprimitives.def" -ladvapi32
    mv "$shim.tmp" "$shim"
  fi
  dir="$(dirname "$exe")"
  if ! cmp -s "$shim" "$dir/bcryptprimitives.dll"; then
    cp "$shim" "$dir/bcryptprimitives.dll.tmp" && mv "$dir/bcryptprimitives.dll.tmp" "$dir/bcryptprimitives.dll"
  fi
  if [ ! -f "$WINEPREFIX/system.reg" ]; then
    if [ -n "$own_prefix" ] || [ "$WINEPREFIX" = "$base" ]; then
      new_prefix "$WINEPREFIX"
    else
      [ -f "$base/system.reg" ] || new_prefix "$base"
      rm -rf "$WINEPREFIX.tmp"
      cp -al "$base" "$WINEPREFIX.tmp"
      find "$WINEPREFIX.tmp" -type f ! \( -name '*.dll' -o -name '*.exe' -o -name '*.nls' \
        -o -name '*.sys' -o -name '*.drv' \) -exec sh -c 'cp -p "$1" "$1.c" && mv "$1.c" "$1"' _ {} \;
      mv "$WINEPREFIX.tmp" "$WINEPREFIX"
    fi
  fi
  if [ "${V6S_WINE_NPCAP_STUB:-0}" = 1 ]; then
    packet="$WINEPREFIX/drive_c/windows/system32/Packet.dll"
    if [ ! -f "$packet" ] || [ "$root/tests/wine/packet_stub.c" -nt "$packet" ]; then
      x86_64-w64-mingw32-gcc -O2 -shared -o "$packet" "$root/tests/wine/packet_stub.c" \
        "$root/tests/wine/packet_stub.def" -liphlpapi
    fi
  fi
) 9>"$root/target/wine/.lock"
exec wine "$@"
