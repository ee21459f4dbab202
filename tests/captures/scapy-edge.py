#!/usr/bin/python3
"""Write hand-crafted edge-case packets to scapy-edge.pcap and scapy-invalid.pcap.

Nothing is sent on any network: the frames are only built with scapy and
written with wrpcap().  Output is deterministic (fixed timestamps, transaction
ids and nonces), so re-running the script yields byte-identical files.

Usage: /usr/bin/python3 scapy-edge.py [OUTPUT_DIR]   (default: this directory)

MAC addresses come from the documentation range 00:00:5e:00:53:00/24
(RFC 7042), IPv6 addresses from 2001:db8::/32 and fe80::/64.
"""

import os
import struct
import sys
import uuid

from scapy.all import Ether, Dot1Q, Dot1AD, IPv6, UDP, Raw, wrpcap  # noqa: E402
from scapy.layers.inet6 import (  # noqa: E402
    ICMPv6EchoRequest, ICMPv6ND_NA, ICMPv6ND_NS, ICMPv6ND_RA, ICMPv6ND_Redirect,
    ICMPv6NDOptDNSSL, ICMPv6NDOptDstLLAddr, ICMPv6NDOptMTU, ICMPv6NDOptPrefixInfo,
    ICMPv6NDOptRDNSS, ICMPv6NDOptRedirectedHdr, ICMPv6NDOptRouteInfo,
    ICMPv6NDOptSrcLLAddr, ICMPv6NDOptUnknown,
)
from scapy.layers.dhcp6 import (  # noqa: E402
    DHCP6_Advertise, DHCP6_InfoRequest, DHCP6_RelayForward, DHCP6_RelayReply,
    DHCP6_Reply, DHCP6_Solicit, DHCP6OptClientId, DHCP6OptDNSDomains,
    DHCP6OptDNSServers, DHCP6OptElapsedTime, DHCP6OptIA_NA, DHCP6OptIA_PD,
    DHCP6OptIA_TA, DHCP6OptIAAddress, DHCP6OptIAPrefix, DHCP6OptIfaceId,
    DHCP6OptInfoRefreshTime, DHCP6OptOptReq, DHCP6OptPref, DHCP6OptReconfAccept,
    DHCP6OptRelayMsg, DHCP6OptRemoteID, DHCP6OptServerId, DHCP6OptSNTPServers,
    DHCP6OptStatusCode, DHCP6OptUnknown, DHCP6OptVendorClass,
    DHCP6OptVendorSpecificInfo, DUID_EN, DUID_LL, DUID_LLT, DUID_UUID,
    VENDOR_CLASS_DATA, VENDOR_SPECIFIC_OPTION,
)

# --------------------------------------------------------------- addresses
RTR_MAC, RTR_LL = "00:00:5e:00:53:01", "fe80::200:5eff:fe00:5301"
HOST_MAC, HOST_LL = "00:00:5e:00:53:02", "fe80::200:5eff:fe00:5302"
RTR2_MAC, RTR2_LL = "00:00:5e:00:53:03", "fe80::200:5eff:fe00:5303"
DHCP_MAC, DHCP_LL = "00:00:5e:00:53:04", "fe80::200:5eff:fe00:5304"
RELAY_MAC, RELAY_LL = "00:00:5e:00:53:05", "fe80::200:5eff:fe00:5305"
SRV_MAC = "00:00:5e:00:53:06"
RELAY_GUA, SRV_GUA = "2001:db8:10::1", "2001:db8:ffff::547"
ALL_NODES, ALL_ROUTERS = "ff02::1", "ff02::2"
ALL_DHCP = "ff02::1:2"
MC_ALL_NODES, MC_ALL_DHCP = "33:33:00:00:00:01", "33:33:00:01:00:02"

DUID_CLIENT = DUID_LLT(hwtype=1, timeval=700000000, lladdr=HOST_MAC)
DUID_SERVER_EN = DUID_EN(enterprisenum=32473, id=bytes.fromhex("0123456789abcdef"))
DUID_CLIENT_LL = DUID_LL(hwtype=1, lladdr=HOST_MAC)
DUID_SERVER_UUID = DUID_UUID(uuid=uuid.UUID("6ba7b810-9dad-11d1-80b4-00c04fd430c8"))


def nd_opt(opt_type, payload):
    """Generic ND option: type, length in 8-octet units, payload padded."""
    body = bytes(payload)
    total = 2 + len(body)
    pad = (-total) % 8
    return ICMPv6NDOptUnknown(type=opt_type, len=(total + pad) // 8,
                              data=body + b"\x00" * pad)


def ra(*opts, **ra_fields):
    """Multicast RA from RTR_LL with the given options (SLLA always first)."""
    pkt = (Ether(src=RTR_MAC, dst=MC_ALL_NODES)
           / IPv6(src=RTR_LL, dst=ALL_NODES, hlim=255)
           / ICMPv6ND_RA(**ra_fields)
           / ICMPv6NDOptSrcLLAddr(lladdr=RTR_MAC))
    for o in opts:
        pkt = pkt / o
    return pkt


def pio(prefix, plen=64, L=1, A=1, valid=86400, pref=14400):
    return ICMPv6NDOptPrefixInfo(prefix=prefix, prefixlen=plen, L=L, A=A,
                                 validlifetime=valid, preferredlifetime=pref)


def pref64(prefix, plen, lifetime):
    """PREF64 option (RFC 8781, type 38)."""
    plc = {96: 0, 64: 1, 56: 2, 48: 3, 40: 4, 32: 5}[plen]
    scaled = lifetime // 8
    raw = struct.pack("!H", (scaled << 3) | plc)
    from ipaddress import IPv6Address
    raw += IPv6Address(prefix).packed[:12]
    return nd_opt(38, raw)


def udp6(src_mac, dst_mac, src, dst, sport, dport, payload):
    return (Ether(src=src_mac, dst=dst_mac) / IPv6(src=src, dst=dst, hlim=255 if dst.startswith("ff02") else 64)
            / UDP(sport=sport, dport=dport) / payload)


def ntp_server_option():
    """OPTION_NTP_SERVER (56, RFC 5908) with an address and an FQDN suboption."""
    from ipaddress import IPv6Address
    sub_addr = struct.pack("!HH", 1, 16) + IPv6Address("2001:db8:123::1").packed
    fqdn = b"".join(bytes([len(p)]) + p for p in b"ntp.example.net".split(b".")) + b"\x00"
    sub_fqdn = struct.pack("!HH", 3, len(fqdn)) + fqdn
    return DHCP6OptUnknown(optcode=56, data=sub_addr + sub_fqdn)


def solicit_msg(trid):
    return (DHCP6_Solicit(trid=trid)
            / DHCP6OptClientId(duid=DUID_CLIENT)
            / DHCP6OptElapsedTime(elapsedtime=0)
            / DHCP6OptIA_NA(iaid=0x02000053, T1=0, T2=0)
            / DHCP6OptIA_PD(iaid=0x02000053, T1=0, T2=0)
            / DHCP6OptReconfAccept()
            / DHCP6OptOptReq(reqopts=[23, 24, 31, 56, 32]))


def advertise_full(trid):
    """Advertise carrying every common option."""
    return (DHCP6_Advertise(trid=trid)
            / DHCP6OptClientId(duid=DUID_CLIENT)
            / DHCP6OptServerId(duid=DUID_SERVER_EN)
            / DHCP6OptIA_NA(iaid=0x02000053, T1=1800, T2=2880, ianaopts=[
                DHCP6OptIAAddress(addr="2001:db8:10::1:100", preflft=3600, validlft=7200,
                                  iaaddropts=[DHCP6OptStatusCode(statuscode=0,
                                                                 statusmsg=b"assigned")]),
                DHCP6OptStatusCode(statuscode=0, statusmsg=b"success")])
            / DHCP6OptIA_TA(iaid=0x02000054, iataopts=[
                DHCP6OptIAAddress(addr="2001:db8:10::7a:1", preflft=600, validlft=1200)])
            / DHCP6OptIA_PD(iaid=0x02000053, T1=1800, T2=2880, iapdopt=[
                DHCP6OptIAPrefix(preflft=3600, validlft=7200, plen=56,
                                 prefix="2001:db8:4400::")])
            / DHCP6OptPref(prefval=255)
            / DHCP6OptDNSServers(dnsservers=["2001:db8:10::53", "2001:db8:20::53"])
            / DHCP6OptDNSDomains(dnsdomains=["example.com.", "corp.example.net."])
            / DHCP6OptSNTPServers(sntpservers=["2001:db8:10::123"])
            / ntp_server_option()
            / DHCP6OptVendorClass(enterprisenum=4491, vcdata=[
                VENDOR_CLASS_DATA(data=b"docsis3.0")])
            / DHCP6OptVendorSpecificInfo(enterprisenum=32473, vso=[
                VENDOR_SPECIFIC_OPTION(optcode=1, optdata=b"v6sentinel"),
                VENDOR_SPECIFIC_OPTION(optcode=2, optdata=b"\x01\x02\x03\x04")])
            / DHCP6OptReconfAccept()
            / DHCP6OptInfoRefreshTime(reftime=86400)
            / DHCP6OptStatusCode(statuscode=0, statusmsg=b"all good"))


def edge_packets():
    pkts = []
    # 1. RA with RA Flags Extension option (RFC 5175, type 26), first bit set
    pkts.append(ra(nd_opt(26, b"\x80\x00\x00\x00\x00\x00"), pio("2001:db8:1::"),
                   routerlifetime=1800, O=1))
    # 2. RA with two PREF64 options (RFC 8781, type 38): /96 and /48
    pkts.append(ra(pref64("64:ff9b::", 96, 600), pref64("2001:db8:64::", 48, 1800),
                   pio("2001:db8:2::"), routerlifetime=1800))
    # 3. RA with Captive Portal option (RFC 8910, type 37)
    pkts.append(ra(nd_opt(37, b"https://captive.example.net/api"), pio("2001:db8:3::"),
                   routerlifetime=1800))
    # 4. RA with Route Information options in all three lengths:
    #    len 1 (::/0, no prefix bytes), len 2 (/48, 8 bytes), len 3 (/128, 16 bytes)
    pkts.append(ra(ICMPv6NDOptRouteInfo(len=1, plen=0, prf=1, rtlifetime=1800, prefix="::"),
                   ICMPv6NDOptRouteInfo(len=2, plen=48, prf=0, rtlifetime=1800,
                                        prefix="2001:db8:100::"),
                   ICMPv6NDOptRouteInfo(len=3, plen=128, prf=3, rtlifetime=600,
                                        prefix="2001:db8:200::1"),
                   ICMPv6NDOptRDNSS(lifetime=1800, dns=["2001:db8::53"]),
                   ICMPv6NDOptDNSSL(lifetime=1800, searchlist=["example.com"]),
                   ICMPv6NDOptMTU(mtu=1500),
                   routerlifetime=0, prf=1))
    # 5. NS for DAD (source ::) with Nonce option (RFC 3971/7527, type 14), and
    #    the defending NA echoing the nonce
    tgt = "fe80::200:5eff:fe00:5302"
    nonce = bytes.fromhex("a1b2c3d4e5f6")
    pkts.append(Ether(src=HOST_MAC, dst="33:33:ff:00:53:02")
                / IPv6(src="::", dst="ff02::1:ff00:5302", hlim=255)
                / ICMPv6ND_NS(tgt=tgt) / nd_opt(14, nonce))
    pkts.append(Ether(src=RTR2_MAC, dst=MC_ALL_NODES)
                / IPv6(src=RTR2_LL, dst=ALL_NODES, hlim=255)
                / ICMPv6ND_NA(R=1, S=0, O=1, tgt=tgt)
                / ICMPv6NDOptDstLLAddr(lladdr=RTR2_MAC) / nd_opt(14, nonce))
    # 6. Redirect: RTR tells HOST to use RTR2 for 2001:db8:aaaa::1
    inner = bytes(IPv6(src="2001:db8:1::5302", dst="2001:db8:aaaa::1", hlim=63)
                  / ICMPv6EchoRequest(id=1, seq=1, data=b"ping"))
    pkts.append(Ether(src=RTR_MAC, dst=HOST_MAC)
                / IPv6(src=RTR_LL, dst=HOST_LL, hlim=255)
                / ICMPv6ND_Redirect(tgt=RTR2_LL, dst="2001:db8:aaaa::1")
                / ICMPv6NDOptDstLLAddr(lladdr=RTR2_MAC)
                / ICMPv6NDOptRedirectedHdr(pkt=inner))
    # 7. RA in an 802.1Q VLAN (VID 10, PCP 6)
    base = ra(pio("2001:db8:a::"), routerlifetime=1800)
    pkts.append(Ether(src=RTR_MAC, dst=MC_ALL_NODES) / Dot1Q(prio=6, vlan=10)
                / base[IPv6])
    # 8. RA in QinQ: 802.1ad S-tag VID 100, 802.1Q C-tag VID 10
    pkts.append(Ether(src=RTR_MAC, dst=MC_ALL_NODES, type=0x88a8) / Dot1AD(vlan=100)
                / Dot1Q(vlan=10) / base[IPv6])
    # 9. client Solicit, relayed: Relay-Forward (relay -> server) wrapping it
    pkts.append(udp6(HOST_MAC, MC_ALL_DHCP, HOST_LL, ALL_DHCP, 546, 547,
                     solicit_msg(0x5a0001)))
    pkts.append(udp6(RELAY_MAC, SRV_MAC, RELAY_GUA, SRV_GUA, 547, 547,
                     DHCP6_RelayForward(hopcount=0, linkaddr=RELAY_GUA, peeraddr=HOST_LL)
                     / DHCP6OptIfaceId(ifaceid=b"vlan10")
                     / DHCP6OptRemoteID(enterprisenum=32473, remoteid=b"port-7")
                     / DHCP6OptRelayMsg(message=solicit_msg(0x5a0001))))
    # 10. Relay-Reply (server -> relay) wrapping an Advertise, then the relay
    #     delivering the Advertise to the client from its link-local address
    pkts.append(udp6(SRV_MAC, RELAY_MAC, SRV_GUA, RELAY_GUA, 547, 547,
                     DHCP6_RelayReply(hopcount=0, linkaddr=RELAY_GUA, peeraddr=HOST_LL)
                     / DHCP6OptIfaceId(ifaceid=b"vlan10")
                     / DHCP6OptRelayMsg(message=advertise_full(0x5a0001))))
    pkts.append(udp6(RELAY_MAC, HOST_MAC, RELAY_LL, HOST_LL, 547, 546,
                     advertise_full(0x5a0001)))
    # 11. Advertise with every common option directly from an on-link server
    #     (client DUID-LLT, server DUID-EN)
    pkts.append(udp6(DHCP_MAC, HOST_MAC, DHCP_LL, HOST_LL, 547, 546,
                     advertise_full(0x5a0002)))
    # 12. Information-Request (client DUID-LL) and Reply (server DUID-UUID)
    pkts.append(udp6(HOST_MAC, MC_ALL_DHCP, HOST_LL, ALL_DHCP, 546, 547,
                     DHCP6_InfoRequest(trid=0x5a0003)
                     / DHCP6OptClientId(duid=DUID_CLIENT_LL)
                     / DHCP6OptElapsedTime(elapsedtime=0)
                     / DHCP6OptOptReq(reqopts=[23, 24, 32])))
    pkts.append(udp6(DHCP_MAC, HOST_MAC, DHCP_LL, HOST_LL, 547, 546,
                     DHCP6_Reply(trid=0x5a0003)
                     / DHCP6OptClientId(duid=DUID_CLIENT_LL)
                     / DHCP6OptServerId(duid=DUID_SERVER_UUID)
                     / DHCP6OptDNSServers(dnsservers=["2001:db8:10::53"])
                     / DHCP6OptDNSDomains(dnsdomains=["example.com."])
                     / DHCP6OptInfoRefreshTime(reftime=3600)))
    return pkts


def invalid_packets():
    """Packets a robust parser must survive (and a host must ignore)."""
    pkts = []
    # 1. RA with an option of length 0 (RFC 4861: must be silently discarded)
    p = ra(pio("2001:db8:e1::"), routerlifetime=1800)
    pkts.append(p / Raw(b"\x19\x00\x00\x00\x00\x00\x00\x00"))
    # 2. RA whose last option (RDNSS) claims 5 units (40 bytes) but only 24 follow
    p = ra(pio("2001:db8:e2::"), routerlifetime=1800)
    pkts.append(p / Raw(b"\x19\x05\x00\x00\x00\x00\x07\x08" + bytes(16)))
    # 3. RA with hop limit 64 (not 255: must be ignored by hosts)
    p = ra(pio("2001:db8:e3::"), routerlifetime=1800)
    p[IPv6].hlim = 64
    pkts.append(p)
    # 4. RA from a global (non link-local) source address
    p = ra(pio("2001:db8:e4::"), routerlifetime=1800)
    p[IPv6].src = "2001:db8:e4::1"
    pkts.append(p)
    # 5. DHCPv6 Advertise whose DNS option length runs past the end of the packet
    adv = bytes(DHCP6_Advertise(trid=0x5a00ee) / DHCP6OptServerId(duid=DUID_SERVER_EN))
    adv += struct.pack("!HH", 23, 64) + bytes(16)
    pkts.append(udp6(DHCP_MAC, HOST_MAC, DHCP_LL, HOST_LL, 547, 546, Raw(adv)))
    # 6. truncated frame: RA cut in the middle of the ICMPv6 header
    full = bytes(ra(routerlifetime=1800))
    pkts.append(Ether(full[:14 + 40 + 6]))
    return pkts


def stamp(pkts, base):
    for i, p in enumerate(pkts):
        p.time = base + i
    return pkts


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    edge = stamp(edge_packets(), 1_700_000_000)
    bad = stamp(invalid_packets(), 1_700_000_100)
    wrpcap(os.path.join(out, "scapy-edge.pcap"), edge, linktype=1)
    wrpcap(os.path.join(out, "scapy-invalid.pcap"), bad, linktype=1)
    print(f"  wrote scapy-edge.pcap ({len(edge)} packets), "
          f"scapy-invalid.pcap ({len(bad)} packets)")


if __name__ == "__main__":
    main()
