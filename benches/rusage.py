#!/usr/bin/python3
"""Runs a command and prints its CPU time (user, system; microsecond resolution from
getrusage of the reaped children): `rusage.py LABEL CMD...`. One line on stderr.
(Peak RSS is not taken from here: a child's ru_maxrss includes the Python process it
was forked from; wrap the command in GNU time -f %M for that.)"""
import resource
import subprocess
import sys
import time

label, cmd = sys.argv[1], sys.argv[2:]
t0 = time.monotonic()
code = subprocess.call(cmd)
wall = time.monotonic() - t0
r = resource.getrusage(resource.RUSAGE_CHILDREN)
print(f"{label}: wall {wall:.2f} s, user {r.ru_utime * 1000:.1f} ms, sys {r.ru_stime * 1000:.1f} ms, "
      f"cpu {(r.ru_utime + r.ru_stime) * 1000:.1f} ms, exit {code}",
      file=sys.stderr)
