#!/usr/bin/python3
"""Time to a verdict: `v6sentinel scan` against rdisc6 (first RA) and atk6-dump_dhcp6
(first Advertise), on the same segment, in the same run, alternating the tools.

Usage: scan_latency.py NETNS BINARY RUNS
Run by benches/scan.sh inside the lab it builds; prints one line per run and the medians.
"""
import statistics
import subprocess
import sys
import time

ns, binary, runs = sys.argv[1], sys.argv[2], int(sys.argv[3])


def in_ns(*cmd):
    return ["ip", "netns", "exec", ns, *cmd]


def rdisc6():
    """Seconds from start until rdisc6 -1 has its first RA and exits."""
    t0 = time.monotonic()
    out = subprocess.run(in_ns("rdisc6", "-1", "-n", "-w", "3000", "eth0"),
                         capture_output=True, text=True)
    t = time.monotonic() - t0
    if "Hop limit" not in out.stdout:
        raise SystemExit(f"rdisc6 got no RA: {out.stdout}{out.stderr}")
    return t


def dump_dhcp6():
    """Seconds from start until atk6-dump_dhcp6 prints the first Advertise."""
    t0 = time.monotonic()
    p = subprocess.Popen(in_ns("atk6-dump_dhcp6", "eth0"), stdout=subprocess.PIPE,
                         stderr=subprocess.STDOUT, text=True, bufsize=1)
    first = None
    for line in p.stdout:
        if "received: Advertise" in line:
            first = time.monotonic() - t0
            break
    p.kill()
    p.wait()
    if first is None:
        raise SystemExit("atk6-dump_dhcp6 got no Advertise")
    return first


def scan(duration):
    """Seconds from start to the verdict (the process exits with it), and to the last
    answer as the scan itself saw it (its -v progress lines, measured from its start)."""
    t0 = time.monotonic()
    p = subprocess.Popen(in_ns(binary, "scan", "-i", "eth0", "-q", "-v", "--duration", duration),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    last_answer = None
    for line in p.stderr:
        if " raised " in line or " updated " in line:
            last_answer = time.monotonic() - t0
    out = p.stdout.read()
    code = p.wait()
    total = time.monotonic() - t0
    if code != 2 or last_answer is None:
        raise SystemExit(f"scan: exit {code}, {out}")
    return total, last_answer


rows = {"rdisc6": [], "dump_dhcp6": [], "scan1": [], "scan1_last": [], "scan5": [], "scan5_last": []}
for i in range(runs):
    rows["rdisc6"].append(rdisc6())
    rows["dump_dhcp6"].append(dump_dhcp6())
    total, last = scan("1")
    rows["scan1"].append(total)
    rows["scan1_last"].append(last)
    if i < 3:  # the default 5 s is 5 s by construction; three runs show it
        total, last = scan("5")
        rows["scan5"].append(total)
        rows["scan5_last"].append(last)
    print(f"run {i + 1}: " + ", ".join(f"{k} {v[-1] * 1000:.1f} ms" for k, v in rows.items() if len(v) > i),
          flush=True)

print()
for k, v in rows.items():
    print(f"median {k}: {statistics.median(v) * 1000:.1f} ms over {len(v)} runs "
          f"(min {min(v) * 1000:.1f}, max {max(v) * 1000:.1f})")
gap = [t - l for t, l in zip(rows["scan1"], rows["scan1_last"])]
print(f"median verdict after the last answer (--duration 1): {statistics.median(gap) * 1000:.1f} ms")
