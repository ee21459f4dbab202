#!/usr/bin/python3
"""Regenerates rules/oui.tsv, the IEEE registry that v6sentinel embeds.

Sources:
  * MA-L, MA-M and MA-S: the npm package `oui-data` (IEEE's own organization
    names, keys of 6, 7 and 9 hex digits for the three registries). It is
    fetched with `npm pack` unless --oui-data names a downloaded tarball or its
    index.json.
  * IAB: the IEEE CSV `iab.csv` of Debian's `ieee-data` package (apt-get
    install ieee-data). The IAB registry closed in 2014, so that package's age
    does not matter for it; oui-data does not carry IAB blocks.

Output (sorted by assignment, which is also prefix order):
    # comment lines
    ASSIGNMENT<TAB>REGISTRY<TAB>ORGANIZATION NAME
where ASSIGNMENT is 6 (MA-L, /24), 7 (MA-M, /28) or 9 (MA-S and IAB, /36)
upper-case hex digits and REGISTRY is MA-L, MA-M, MA-S or IAB.

Usage:
    scripts/gen-oui.py [--oui-data FILE] [--version VER] [--iab FILE] [-o FILE]
"""

import argparse
import csv
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile
import tempfile

DEFAULT_VERSION = "2.1.9"
DEFAULT_IAB = "/usr/share/ieee-data/iab.csv"
IAB_PARENTS = ("0050C2", "40D855")
REGISTRY_BY_LEN = {6: "MA-L", 7: "MA-M", 9: "MA-S"}
HEX = re.compile(r"^[0-9A-F]+$")


def clean(name):
    """One line, single spaces, no tabs: the name as the TSV holds it."""
    return re.sub(r"\s+", " ", name).strip()


def npm_pack(version, workdir):
    out = subprocess.run(
        ["npm", "pack", "--silent", f"oui-data@{version}"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip().splitlines()
    return os.path.join(workdir, out[-1])


def read_oui_data(path):
    """Returns (index dict, package version, sha256 of the file read)."""
    raw = open(path, "rb").read()
    digest = hashlib.sha256(raw).hexdigest()
    if path.endswith((".tgz", ".tar.gz")):
        with tarfile.open(fileobj=io.BytesIO(raw)) as tar:
            index = json.load(tar.extractfile("package/index.json"))
            package = json.load(tar.extractfile("package/package.json"))
        return index, package.get("version", "?"), digest
    index = json.loads(raw)
    pkg_json = os.path.join(os.path.dirname(path), "package.json")
    version = json.load(open(pkg_json)).get("version", "?") if os.path.exists(pkg_json) else "?"
    return index, version, digest


def publish_date(version):
    try:
        out = subprocess.run(
            ["npm", "view", f"oui-data@{version}", "time", "--json"],
            check=True,
            capture_output=True,
            text=True,
            timeout=60,
        ).stdout
        return json.loads(out).get(version, "?")[:10]
    except Exception:  # the date is informative only
        return "?"


def debian_version(package):
    try:
        return subprocess.run(
            ["dpkg-query", "-W", "-f=${Version}", package],
            check=True,
            capture_output=True,
            text=True,
        ).stdout.strip()
    except Exception:
        return "?"


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--oui-data", help="oui-data tarball (npm pack) or its index.json")
    ap.add_argument("--version", default=DEFAULT_VERSION, help="oui-data version to npm pack")
    ap.add_argument("--iab", default=DEFAULT_IAB, help="IEEE iab.csv (Debian ieee-data)")
    ap.add_argument("-o", "--output", default=os.path.join(os.path.dirname(__file__), "..", "rules", "oui.tsv"))
    args = ap.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        path = args.oui_data or npm_pack(args.version, tmp)
        index, version, digest = read_oui_data(path)
    date = publish_date(version) if version != "?" else "?"

    rows = {}
    for key, value in index.items():
        key = key.upper()
        registry = REGISTRY_BY_LEN.get(len(key))
        if registry is None or not HEX.match(key):
            sys.exit(f"oui-data: unexpected key {key!r}")
        name = clean(value.split("\n", 1)[0])
        if not name:
            sys.exit(f"oui-data: empty organization name for {key}")
        rows[key] = (registry, name)

    iab_count = 0
    with open(args.iab, newline="", encoding="utf-8") as f:
        for n, rec in enumerate(csv.reader(f), 1):
            if n == 1 or not rec:
                continue
            if len(rec) < 3 or rec[0] != "IAB":
                sys.exit(f"{args.iab}:{n}: not an IAB record")
            key = rec[1].strip().upper()
            if len(key) != 9 or not HEX.match(key) or not key.startswith(IAB_PARENTS):
                sys.exit(f"{args.iab}:{n}: bad IAB assignment {rec[1]!r}")
            if key in rows:
                sys.exit(f"{args.iab}:{n}: {key} is also in oui-data")
            rows[key] = ("IAB", clean(rec[2]))
            iab_count += 1

    counts = {}
    for registry, _ in rows.values():
        counts[registry] = counts.get(registry, 0) + 1

    out = io.StringIO()
    out.write("# v6sentinel: the embedded IEEE registry. Generated by scripts/gen-oui.py; do not edit.\n")
    out.write(
        f"# source: npm oui-data {version} (published {date}, sha256 {digest[:16]}) for MA-L, MA-M, MA-S;"
        f" Debian ieee-data {debian_version('ieee-data')} iab.csv for IAB (closed registry)\n"
    )
    out.write(
        "# counts: " + ", ".join(f"{r} {counts.get(r, 0)}" for r in ("MA-L", "MA-M", "MA-S", "IAB")) + "\n"
    )
    out.write("# format: ASSIGNMENT<TAB>REGISTRY<TAB>ORGANIZATION (6 hex digits /24, 7 /28, 9 /36)\n")
    for key in sorted(rows):
        registry, name = rows[key]
        out.write(f"{key}\t{registry}\t{name}\n")

    with open(args.output, "w", encoding="utf-8", newline="\n") as f:
        f.write(out.getvalue())
    print(f"wrote {args.output}: {len(rows)} entries ({counts}), {len(out.getvalue().encode())} bytes", file=sys.stderr)


if __name__ == "__main__":
    main()
