#!/bin/bash
# The figures of BENCHMARKS.md for `v6sentinel watch` (issue #5), on a throw-away
# segment of network namespaces created here and removed on exit:
#   1. CPU and peak RSS of 60 s of `watch`, idle;
#   2. the same while trafgen sends 100,000 packets/s of unrelated traffic (IPv4 UDP,
#      IPv6 TCP) across the terminal's veth;
#   3. alert latency (RA sent -> JSON line written) over 1,000 RAs (benches/watch_latency.py).
# Usage (as root, from the project directory): bash benches/watch.sh
# Needs: netsniff-ng (trafgen), python3-scapy, time, and a release build.
set -euo pipefail
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$HERE/.." && pwd)/target/release/v6sentinel
P=v6watch$$
DIR=$(mktemp -d)
for tool in trafgen /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install netsniff-ng time python3-scapy" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 1; }
cleanup() {
    for n in term snd gen br; do
        for p in $(ip netns pids "$P-$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
        ip netns del "$P-$n" 2>/dev/null || true
    done
    rm -rf "$DIR"
}
trap cleanup EXIT
ip netns add "$P-br"
ip netns exec "$P-br" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
ip -n "$P-br" link add br0 type bridge stp_state 0 mcast_snooping 0
ip -n "$P-br" link set br0 up
i=0
for h in term=02:76:36:00:00:01 snd=10:6f:3f:12:34:56 gen=02:00:00:00:00:99; do
    n=${h%%=*}; mac=${h#*=}; i=$((i + 1))
    ip netns add "$P-$n"
    ip netns exec "$P-$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.default.router_solicitations=0 net.ipv6.conf.default.accept_ra=0 net.ipv6.conf.all.accept_ra=0
    ip -n "$P-br" link add "p$i" type veth peer name eth0 netns "$P-$n"
    ip -n "$P-$n" link set eth0 address "$mac"
    ip -n "$P-br" link set "p$i" master br0 up
    ip -n "$P-$n" link set lo up
    ip -n "$P-$n" link set eth0 up
done
sleep 2

run_watch() { # label: 60 s of watch, CPU from rusage.py, RSS from GNU time
    ip netns exec "$P-term" /usr/bin/python3 "$HERE/rusage.py" "$1" \
        /usr/bin/time -f "$1: max RSS %M KB" \
        timeout -s TERM 60 "$BIN" watch -i eth0 >/dev/null
}

echo "== idle, 60 s"
run_watch "watch idle"

echo "== 100,000 packets/s of unrelated traffic, 60 s"
rx0=$(ip netns exec "$P-term" cat /sys/class/net/eth0/statistics/rx_packets)
ip netns exec "$P-gen" timeout 62 trafgen --dev eth0 --conf "$HERE/unrelated.trafgen" \
    --rate 100000pps --cpp -q >/dev/null 2>&1 &
gen=$!
sleep 1
run_watch "watch under load"
wait "$gen" || true
rx1=$(ip netns exec "$P-term" cat /sys/class/net/eth0/statistics/rx_packets)
echo "$(( (rx1 - rx0) / 62 )) packets/s reached the terminal's eth0 on average"

echo "== alert latency, 1,000 RAs at 50/s"
/usr/bin/python3 "$HERE/watch_latency.py" "$P-term" "$P-snd" "$BIN" 1000 50
