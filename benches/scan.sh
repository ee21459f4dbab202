#!/bin/bash
# The figures of BENCHMARKS.md for `v6sentinel scan` (issue #4), all on one throw-away
# segment: network namespaces on a Linux bridge, created here and removed on exit.
#
#   1. time to a verdict: `scan` against rdisc6 (first RA) and atk6-dump_dhcp6 (first
#      Advertise), alternating, against a unicast-only radvd on a Buffalo MAC and a
#      DHCPv6-only dnsmasq on an I-O DATA MAC;
#   2. CPU and peak RSS of a 60 s passive scan while trafgen sends 100,000 packets/s of
#      unrelated traffic (IPv4 UDP, IPv6 TCP) across the terminal's veth, against
#      `tcpdump -i` with the equivalent filter writing to /dev/null, both at the same time.
#
# Usage (as root, from the project directory): bash benches/scan.sh [RUNS] [CPU_RUNS]
# Needs: radvd dnsmasq-base ndisc6 thc-ipv6 tcpdump netsniff-ng (trafgen) time python3.
set -euo pipefail
RUNS=${1:-15}
CPU_RUNS=${2:-3}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$HERE/.." && pwd)/target/release/v6sentinel
P=v6bench$$
DIR=$(mktemp -d)
for tool in radvd dnsmasq rdisc6 atk6-dump_dhcp6 tcpdump trafgen /usr/bin/time; do
    command -v "$tool" >/dev/null || { echo "missing $tool: apt-get install radvd dnsmasq-base ndisc6 thc-ipv6 tcpdump netsniff-ng time" >&2; exit 1; }
done
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 1; }

cleanup() {
    for n in term buf dnsm gen br; do
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
for h in term=02:76:36:00:00:01 buf=10:6f:3f:12:34:56 dnsm=50:41:b9:12:34:57 gen=02:00:00:00:00:99; do
    n=${h%%=*}; mac=${h#*=}; i=$((i + 1))
    ip netns add "$P-$n"
    ip netns exec "$P-$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.default.router_solicitations=0
    ip -n "$P-br" link add "p$i" type veth peer name eth0 netns "$P-$n"
    ip -n "$P-$n" link set eth0 address "$mac"
    ip -n "$P-br" link set "p$i" master br0 up
    ip -n "$P-$n" link set lo up
    ip -n "$P-$n" link set eth0 up
done
ip netns exec "$P-buf" sysctl -qw net.ipv6.conf.all.forwarding=1
sleep 2

cat > "$DIR/radvd.conf" <<'CONF'
interface eth0 {
    AdvSendAdvert on;
    UnicastOnly on;
    AdvDefaultLifetime 1800;
    AdvOtherConfigFlag on;
    prefix 2001:db8:1::/64 { AdvOnLink on; AdvAutonomous on; };
    RDNSS 2001:db8:1::53 { };
};
CONF
ip netns exec "$P-buf" radvd -n -C "$DIR/radvd.conf" -p "$DIR/radvd.pid" -u root -m stderr \
    >"$DIR/radvd.log" 2>&1 &
ip netns exec "$P-dnsm" ip -6 addr add 2001:db8:77::1/64 dev eth0 nodad
ip netns exec "$P-dnsm" dnsmasq -k --port=0 --no-resolv --no-hosts --interface=eth0 \
    --bind-interfaces --dhcp-leasefile="$DIR/leases" --pid-file="$DIR/dnsmasq.pid" \
    --dhcp-range=2001:db8:77::10,2001:db8:77::ff,64,1h \
    --dhcp-option=option6:dns-server,[2001:db8:77::1] >"$DIR/dnsmasq.log" 2>&1 &
sleep 1

echo "== time to a verdict ($RUNS runs)"
/usr/bin/python3 "$HERE/scan_latency.py" "$P-term" "$BIN" "$RUNS"

echo
echo "== 60 s passive scan under 100,000 packets/s of unrelated traffic ($CPU_RUNS runs)"
F='(ip6 and ip6[6] == 58 and ip6[40] >= 133 and ip6[40] <= 137) or (ip6 and udp and (port 546 or port 547)) or (ip6 and (ip6[6] == 0 or ip6[6] == 43 or ip6[6] == 44 or ip6[6] == 60))'
for r in $(seq "$CPU_RUNS"); do
    rx0=$(ip netns exec "$P-term" cat /sys/class/net/eth0/statistics/rx_packets)
    ip netns exec "$P-gen" timeout 64 trafgen --dev eth0 --conf "$HERE/unrelated.trafgen" \
        --rate 100000pps --cpp -q >"$DIR/trafgen.log" 2>&1 &
    gen=$!
    sleep 2
    # rusage.py: CPU time (user + system, microseconds) of the whole command; GNU time
    # inside it: the tool's peak RSS.
    ip netns exec "$P-term" /usr/bin/python3 "$HERE/rusage.py" v6sentinel \
        /usr/bin/time -f "v6sentinel max RSS %M KB" \
        "$BIN" scan -i eth0 --passive --duration 60 -q >"$DIR/scan.out" 2>"$DIR/scan.time" &
    scan=$!
    ip netns exec "$P-term" /usr/bin/python3 "$HERE/rusage.py" tcpdump \
        /usr/bin/time -f "tcpdump max RSS %M KB" \
        timeout -s INT 60 tcpdump -p -i eth0 -w /dev/null "$F" >/dev/null 2>"$DIR/tcpdump.time" &
    dump=$!
    wait "$scan" || true
    wait "$dump" || true
    wait "$gen" || true
    rx1=$(ip netns exec "$P-term" cat /sys/class/net/eth0/statistics/rx_packets)
    echo "run $r: $(( (rx1 - rx0) / 64 )) packets/s reached the terminal's eth0 on average"
    grep -h "wall\|RSS" "$DIR/scan.time" "$DIR/tcpdump.time"
    grep -h "packets captured\|dropped by kernel" "$DIR/tcpdump.time" | tr '\n' ' '; echo
    cat "$DIR/scan.out"
done
