#!/usr/bin/python3
"""Alert latency of `v6sentinel watch`: from an RA leaving the sender to its alert line
being written, over N RAs.

Usage: watch_latency.py TERM_NS SENDER_NS BINARY N RATE
Each RA comes from the same Buffalo-MAC router with a different router lifetime
(1000 + i seconds), so each one changes the source and is `updated` (the first is
`raised`); the alert carries the lifetime, which matches it to its RA. The sender
(scapy, a pre-opened packet socket in SENDER_NS) notes the wall-clock time right after
each send; this script reads the service's stdout through a pipe and notes the time each
line arrives. Both clocks are CLOCK_REALTIME of the same machine.
"""
import json
import statistics
import subprocess
import sys
import threading
import time

term, sender, binary, n, rate = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5])

SEND = r'''
import sys, time, json
from scapy.all import Ether, IPv6, ICMPv6ND_RA, ICMPv6NDOptPrefixInfo, ICMPv6NDOptSrcLLAddr, conf
n, rate = int(sys.argv[1]), float(sys.argv[2])
mac = "10:6f:3f:12:34:56"
s = conf.L2socket(iface="eth0")
pkts = [Ether(src=mac, dst="33:33:00:00:00:01") / IPv6(src="fe80::126f:3fff:fe12:3456", dst="ff02::1", hlim=255)
        / ICMPv6ND_RA(routerlifetime=1000 + i) / ICMPv6NDOptSrcLLAddr(lladdr=mac)
        / ICMPv6NDOptPrefixInfo(prefix="2001:db8:1::", prefixlen=64, L=1, A=1, validlifetime=86400, preferredlifetime=14400)
        for i in range(n)]
raw = [bytes(p) for p in pkts]
sent = []
start = time.time()
for i, b in enumerate(raw):
    due = start + i / rate
    while time.time() < due:
        time.sleep(max(0.0, due - time.time()))
    s.send(b)
    sent.append(time.time())
print(json.dumps(sent))
'''

watch = subprocess.Popen(["ip", "netns", "exec", term, binary, "watch", "-i", "eth0"],
                         stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, bufsize=1)
arrived = {}


def read():
    for line in watch.stdout:
        t = time.time()
        a = json.loads(line)
        ra = (a.get("source") or {}).get("router_advertisement") or {}
        lifetime = ra.get("router_lifetime_s")
        if lifetime is not None:
            arrived.setdefault(lifetime - 1000, t)


reader = threading.Thread(target=read, daemon=True)
reader.start()
time.sleep(2)
out = subprocess.run(["ip", "netns", "exec", sender, "/usr/bin/python3", "-c", SEND, str(n), str(rate)],
                     capture_output=True, text=True, check=True)
sent = json.loads(out.stdout.strip().splitlines()[-1])
time.sleep(2)
watch.terminate()
watch.wait()
lat = [(arrived[i] - sent[i]) * 1000 for i in range(n) if i in arrived]
lat.sort()
missing = n - len(lat)
p = lambda q: lat[min(len(lat) - 1, int(q * len(lat)))]
print(f"{len(lat)} of {n} RAs alerted ({missing} missing); latency ms: "
      f"p50 {statistics.median(lat):.3f}, p90 {p(0.90):.3f}, p99 {p(0.99):.3f}, max {lat[-1]:.3f}")
