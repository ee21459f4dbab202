#!/bin/bash
# RA floods against `watch` for 60 s each (RELIABILITY.md): thc-ipv6's flood_router26 and
# flood_router6 in a namespace of their own, a Buffalo radvd raised before the flood, the
# terminal's kernel accepting RAs as a Windows terminal does. Prints what was sent,
# what reached the terminal, what watch read and dropped, its alerts, CPU and memory.
# Usage (as root, from the project directory): bash benches/flood.sh [SECONDS]
set -euo pipefail
SECS=${1:-60}
HERE=$(cd "$(dirname "$0")" && pwd)
BIN=$(cd "$HERE/.." && pwd)/target/release/v6sentinel
P=v6flood$$
DIR=$(mktemp -d)
[ -x "$BIN" ] || { echo "build first: cargo build --release" >&2; exit 1; }
cleanup() {
    for n in term buf atk br; do
        for p in $(ip netns pids "$P-$n" 2>/dev/null); do kill -9 "$p" 2>/dev/null || true; done
        ip netns del "$P-$n" 2>/dev/null || true
    done
    rm -rf "$DIR"
}
trap cleanup EXIT
metric() { # name-prefix: the value of the first sample starting with it
    ip netns exec "$P-term" /usr/bin/python3 -c \
        "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9810/metrics').read().decode())" |
        grep -v "^#" | grep -F "$1" | head -1 | awk '{print $NF}'
}
for tool in atk6-flood_router26 atk6-flood_router6; do
    ip netns add "$P-br"
    ip netns exec "$P-br" sysctl -qw net.ipv6.conf.all.disable_ipv6=1
    ip -n "$P-br" link add br0 type bridge stp_state 0 mcast_snooping 0
    ip -n "$P-br" link set br0 up
    i=0
    for h in term=02:76:36:00:00:01 buf=10:6f:3f:12:34:56 atk=00:1b:21:de:ad:01; do
        n=${h%%=*}; mac=${h#*=}; i=$((i + 1))
        ip netns add "$P-$n"
        ip netns exec "$P-$n" sysctl -qw net.ipv6.conf.all.accept_dad=0 \
            net.ipv6.conf.default.accept_dad=0 net.ipv6.conf.default.accept_ra=2
        ip -n "$P-br" link add "p$i" type veth peer name eth0 netns "$P-$n"
        ip -n "$P-$n" link set eth0 address "$mac"
        ip -n "$P-br" link set "p$i" master br0 up
        ip -n "$P-$n" link set lo up
        ip -n "$P-$n" link set eth0 up
    done
    ip netns exec "$P-buf" sysctl -qw net.ipv6.conf.all.forwarding=1
    sleep 2
    printf 'interface eth0 {\n AdvSendAdvert on;\n MinRtrAdvInterval 3;\n MaxRtrAdvInterval 4;\n prefix 2001:db8:1::/64 { };\n};\n' >"$DIR/radvd.conf"
    ip netns exec "$P-buf" radvd -n -C "$DIR/radvd.conf" -p "$DIR/radvd.pid" -u root -m stderr 2>/dev/null &
    ip netns exec "$P-term" /usr/bin/time -f "%e s wall, %U s user, %S s system, peak RSS %M KB" \
        "$BIN" watch -i eth0 --alerts-file "$DIR/alerts.jsonl" --metrics 127.0.0.1:9810 \
        2>"$DIR/watch.log" &
    sleep 6
    pid=$(pgrep -f -n "alerts-file $DIR/alerts.jsonl")
    rss_before=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    tx0=$(ip netns exec "$P-atk" cat /sys/class/net/eth0/statistics/tx_packets)
    rx0=$(ip netns exec "$P-term" cat /sys/class/net/eth0/statistics/rx_packets)
    if [ -n "${PERF:-}" ]; then perf record -q -g -o "$PERF.$tool" -p "$pid" -- sleep 20 &>/dev/null & fi
    ip netns exec "$P-atk" timeout "$SECS" "$tool" eth0 >/dev/null 2>&1 || true
    tx1=$(ip netns exec "$P-atk" cat /sys/class/net/eth0/statistics/tx_packets)
    rx1=$(ip netns exec "$P-term" cat /sys/class/net/eth0/statistics/rx_packets)
    rss_after=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
    sleep 15   # the flood window passes: the flood alert resolves
    echo "== $tool, $SECS s"
    echo "sent by the tool: $((tx1 - tx0)) frames; reached the terminal's eth0: $((rx1 - rx0))"
    echo "read by watch: $(metric 'v6sentinel_capture_received_frames_total'); kernel drops: $(metric 'stage="kernel"'); RAs parsed: $(metric 'kind="router_advert"'); new sources not kept: $(metric 'v6sentinel_sources_not_kept_total')"
    echo "terminal's IPv6 routes at the end: $(ip netns exec "$P-term" ip -6 route | wc -l)"
    echo "RSS before the flood ${rss_before} KB, right after ${rss_after} KB"
    echo "alert lines: $(wc -l <"$DIR/alerts.jsonl") (flood raised $(grep -c '"event":"raised","kind":"flood"' "$DIR/alerts.jsonl"), flood resolved $(grep -c '"event":"resolved","kind":"flood"' "$DIR/alerts.jsonl"), buffalo raised $(grep -c '"event":"raised","kind":"source","id":"src:10:6f:3f:12:34:56"' "$DIR/alerts.jsonl"), buffalo resolved $(grep -c '"event":"resolved","kind":"source","id":"src:10:6f:3f:12:34:56"' "$DIR/alerts.jsonl"))"
    kill -TERM "$pid"
    sleep 2
    echo "watch: $(tail -1 "$DIR/watch.log")"
    cleanup
    mkdir -p "$DIR"
done
