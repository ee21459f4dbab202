#!/usr/bin/env bash
# Runs every test of v6sentinel: unit, property, differential (against tshark) and,
# as they arrive, end-to-end tests in network namespaces. Run it as root on Debian: it
# first installs the Debian packages the tests drive, if they are missing.
set -euo pipefail
cd "$(dirname "$0")/.."

# chromium renders the HTML report in tests/html_chromium.rs (large, but the only way to
# check the page in a real browser); fonts-ipafont-gothic makes its Japanese readable in
# the screenshots kept in target/html-screenshots/.
# gcc-mingw-w64-x86-64 (with its binutils' dlltool) cross-builds the Windows executable,
# wine runs its tests (tests/windows_parity.rs and the Windows test executables below).
packages=(tcpdump tshark radvd dnsmasq-base kea-dhcp6-server thc-ipv6 ndisc6
          isc-dhcp-client python3 python3-scapy iproute2 libcap2-bin procps
          chromium fonts-ipafont-gothic gcc-mingw-w64-x86-64 wine wine64)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${missing[*]}; run as root (sudo) to install them" >&2
    exit 1
  fi
  export DEBIAN_FRONTEND=noninteractive
  echo "wireshark-common wireshark-common/install-setuid boolean false" | debconf-set-selections
  apt-get update -qq
  apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  apt-get clean   # the downloaded .deb files are not needed once installed
fi

# The Windows build: cross-built first, because tests/windows_parity.rs compares it
# with the Linux one.
windows=x86_64-pc-windows-gnu
rustup target list --installed | grep -qx "$windows" || rustup target add "$windows"
cargo build --locked --target "$windows"

cargo test --locked --all-targets "$@"
cargo test --locked --doc

# The platform-independent tests, and the CLI tests of analyze, oui and rules, as Windows
# executables under wine (scripts/wine-run.sh adds the ProcessPrng shim wine 8 lacks).
# The service and Event Log tests, and `watch` stopped through the service's control
# channel, need a Packet.dll: V6S_WINE_NPCAP_STUB=1 gives them a prefix with a stand-in.
export CARGO_TARGET_X86_64_PC_WINDOWS_GNU_RUNNER="$PWD/scripts/wine-run.sh"
V6S_WINE_NPCAP_STUB=1 cargo test --locked --target "$windows" --lib --bins --test cli \
  --test scenarios --test report_schema --test properties --test sink_webhook \
  --test windows_service --test windows_scan "$@"
