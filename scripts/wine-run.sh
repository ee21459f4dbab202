#!/usr/bin/env bash
# Cargo's runner for x86_64-pc-windows-gnu (CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER):
# runs a Windows executable under wine. Debian 12's wine 8 lacks ProcessPrng in
# bcryptprimitives.dll, which Rust's std imports, so the shim built from
# tests/wine/bcryptprimitives.c is put beside the executable first (test tooling only).
#
# With V6S_WINE_NPCAP_STUB=1 the run uses a wine prefix of its own whose system32 holds
# tests/wine/packet_stub.c as Packet.dll (a stand-in for Npcap that captures nothing), so
# that `watch` and the service can start; the default prefix has no Packet.dll, as a PC
# without Npcap.
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
export WINEDEBUG="${WINEDEBUG:--all}"
export WINEDLLOVERRIDES="bcryptprimitives=n,b${WINEDLLOVERRIDES:+;$WINEDLLOVERRIDES}"
if [ "${V6S_WINE_NPCAP_STUB:-0}" = 1 ]; then
  export WINEPREFIX="${WINEPREFIX:-$root/target/wine/prefix-npcap}"
  packet="$WINEPREFIX/drive_c/windows/system32/Packet.dll"
  if [ ! -f "$packet" ] || [ "$root/tests/wine/packet_stub.c" -nt "$packet" ]; then
    [ -d "$WINEPREFIX/drive_c/windows/system32" ] || wine cmd /c exit >/dev/null 2>&1 || true
    x86_64-w64-mingw32-gcc -O2 -shared -o "$packet" "$root/tests/wine/packet_stub.c" \
      "$root/tests/wine/packet_stub.def" -liphlpapi
  fi
else
  export WINEPREFIX="${WINEPREFIX:-$root/target/wine/prefix}"
fi
exec wine "$@"
