#!/usr/bin/python3
"""Writes libFuzzer seed corpora from the project's captures: whole frames for `dissect`,
ICMPv6 messages for `icmpv6`, ND option areas for `nd_options`, UDP payloads for
`dhcpv6`, the capture files themselves for `pcap`, and each capture's first 40 frames
as a timed sequence for `detector`. Run from the repository root:
/usr/bin/python3 fuzz/seeds.py"""
import glob, hashlib, os, struct
from scapy.all import rdpcap, IPv6, UDP, Ether

OPTION_OFFSET = {133: 8, 134: 16, 135: 24, 136: 24, 137: 40}

def put(target, data):
    d = os.path.join("fuzz/corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)

for path in sorted(glob.glob("tests/captures/*.pcap*")):
    for pkt in rdpcap(path):
        if Ether in pkt:
            put("dissect", bytes(pkt))
        if IPv6 not in pkt:
            continue
        ip = pkt[IPv6]
        raw = bytes(ip)
        if ip.nh == 58:
            icmp = raw[40:]
            put("icmpv6", icmp)
            if icmp and icmp[0] in OPTION_OFFSET:
                put("nd_options", icmp[OPTION_OFFSET[icmp[0]]:])
        if UDP in pkt and (pkt[UDP].sport in (546, 547) or pkt[UDP].dport in (546, 547)):
            put("dhcpv6", bytes(pkt[UDP].payload))

# `pcap`: the files as they are. `detector`: records [dt ms u16 LE][kind u8][len u8][bytes]
# (kind 0: an Ethernet frame, cut to 255 bytes), then a timer call and a snapshot.
for path in sorted(glob.glob("tests/captures/*.pcap*")):
    with open(path, "rb") as f:
        put("pcap", f.read())
    try:
        pkts = rdpcap(path)
    except Exception:
        continue
    data, prev = b"", None
    for pkt in pkts[:40]:
        raw = bytes(pkt)[:255]
        t = float(pkt.time)
        dt = 0 if prev is None else min(65535, int((t - prev) * 1000))
        prev = t
        data += struct.pack("<HBB", dt, 0, len(raw)) + raw
    put("detector", data + struct.pack("<HBB", 65535, 2, 0) + struct.pack("<HBB", 0, 3, 0))
