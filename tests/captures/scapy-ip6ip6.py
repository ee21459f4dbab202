#!/usr/bin/python3
"""Send Router Advertisements inside IPv6-in-IPv6 (next header 41), as an ip6tnl
tunnel endpoint on the link would send them to the terminal: the "RA inside a
tunnel" case of issue #6. The kernel of the test machine has no ip6tnl, so
scapy builds the packets. Run it only inside a throw-away network namespace
(make-captures.sh and tests/e2e_evasion.rs do).

Usage: /usr/bin/python3 scapy-ip6ip6.py IFACE DST_MAC COUNT [INTERVAL_S]

Outer header: fd00:5e::2 -> fd00:5e::1, hop limit 64. Inner RA: from the
EUI-64 link-local address of IFACE's MAC to ff02::1, hop limit 255, router
lifetime 1800, SLLA and the autonomous prefix 2001:db8:7e::/64.
"""

import sys
import time

from scapy.all import Ether, IPv6, get_if_hwaddr, sendp  # noqa: E402
from scapy.layers.inet6 import (  # noqa: E402
    ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr,
)
from scapy.utils6 import in6_mactoifaceid  # noqa: E402


def main():
    if len(sys.argv) < 4:
        sys.exit(__doc__)
    iface, dst_mac, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    interval = float(sys.argv[4]) if len(sys.argv) > 4 else 1.0
    mac = get_if_hwaddr(iface)
    link_local = "fe80::" + in6_mactoifaceid(mac)
    ra = (
        IPv6(src=link_local, dst="ff02::1", hlim=255)
        / ICMPv6ND_RA(routerlifetime=1800)
        / ICMPv6NDOptSrcLLAddr(lladdr=mac)
        / ICMPv6NDOptPrefixInfo(prefix="2001:db8:7e::", prefixlen=64, L=1, A=1,
                                validlifetime=86400, preferredlifetime=14400)
    )
    frame = (
        Ether(src=mac, dst=dst_mac)
        / IPv6(src="fd00:5e::2", dst="fd00:5e::1", hlim=64)
        / ra
    )
    for i in range(count):
        sendp(frame, iface=iface, verbose=False)
        if i + 1 < count:
            time.sleep(interval)


if __name__ == "__main__":
    main()
