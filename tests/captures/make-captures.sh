#!/usr/bin/env bash
# make-captures.sh - regenerate the packet-capture fixtures in this directory.
#
# Every capture is produced by real tools (radvd, dnsmasq, kea-dhcp6, dhclient,
# rdisc6, thc-ipv6, tcpdump, tshark) running inside throw-away Linux network
# namespaces that this script creates and deletes itself.  Nothing runs on the
# host's own interfaces and no packet leaves the namespaces:
#
#   <prefix>-br    : namespace holding the bridge br0 (IPv6 disabled there)
#   <prefix>-term  : the "terminal" (observer) host; eth0 <-> br0, captures here
#   <prefix>-<dev> : one namespace per advertising/answering device, eth0 <-> br0
#
# <prefix> is "v6s-cap-<pid of this script>", so parallel runs do not clash.
#
# Usage: sudo tests/captures/make-captures.sh [SCENARIO...]
#        (no argument = all scenarios, about 3 minutes; "list" prints the names)
# Environment: KEEP_WORK=1 keeps the temp dir (daemon configs and logs) for
#              debugging; RADVD_DEBUG=N sets radvd's -d level (default 1).
#
# Requires root and: ip tcpdump tshark capinfos radvd dnsmasq kea-dhcp6 dhclient
# rdisc6 atk6-fake_router6 atk6-fake_router26 atk6-flood_router26 /usr/bin/python3
# with scapy.
# Debian packages: iproute2 tcpdump tshark radvd dnsmasq-base kea-dhcp6-server
# isc-dhcp-client ndisc6 thc-ipv6 python3-scapy (capinfos comes with tshark)
#
# Timestamps, DUID times, transaction ids and thc's random values differ from
# run to run, and so can the number of MLD reports; the README describes what
# each file holds.  scapy-edge.py output is deterministic.
set -euo pipefail

OUT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
PREFIX="v6s-cap-$$"
PYTHON=/usr/bin/python3
TERM_MAC=02:76:36:00:00:01           # locally administered observer MAC

# capture filter for ND/RA/DHCPv6 plus IPv6 extension headers / fragments
F_ND='icmp6 or udp port 546 or udp port 547 or ip6[6]==0 or ip6[6]==43 or ip6[6]==44 or ip6[6]==60'

WORK=""
PIDS=()          # every background process we started (killed on exit)
CAP_PIDS=()      # capture processes of the current scenario
CAP_FILES=()     # capture files of the current scenario
NS_BR="" NS_TERM="" DEV_NS="" BG_PID=""

# ----------------------------------------------------------------- utilities

log() { printf '[%(%H:%M:%S)T] %s\n' -1 "$*" >&2; }
die() { log "ERROR: $*"; exit 1; }
nsx() { local ns=$1; shift; ip netns exec "$ns" "$@"; }

require_tools() {
    local missing=() t
    declare -A pkg=(
        [ip]=iproute2 [tcpdump]=tcpdump [tshark]=tshark [capinfos]=tshark
        [radvd]=radvd [dnsmasq]=dnsmasq-base [kea-dhcp6]=kea-dhcp6-server
        [dhclient]=isc-dhcp-client [rdisc6]=ndisc6
        [atk6-fake_router6]=thc-ipv6 [atk6-flood_router26]=thc-ipv6
        [atk6-fake_router26]=thc-ipv6
    )
    [[ $EUID -eq 0 ]] || die "must run as root (network namespaces)"
    for t in "${!pkg[@]}"; do
        command -v "$t" >/dev/null 2>&1 || missing+=("$t (Debian package ${pkg[$t]})")
    done
    "$PYTHON" -c 'import scapy.all' 2>/dev/null ||
        missing+=("scapy for $PYTHON (Debian package python3-scapy)")
    if ((${#missing[@]})); then
        printf 'missing tool: %s\n' "${missing[@]}" >&2
        die "install the missing tools listed above"
    fi
}

# is_running PID: true while the process exists and is not a zombie
is_running() {
    local st
    st=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1) || return 1
    [[ -n $st && $st != Z ]]
}

# start_bg LOGNAME NS CMD... : run CMD in namespace NS in the background.
# `ip netns exec` execs CMD, so $! is the PID of CMD itself.
start_bg() {
    local name=$1 ns=$2
    shift 2
    ip netns exec "$ns" "$@" >"$WORK/$name.log" 2>&1 </dev/null &
    BG_PID=$!
    PIDS+=("$BG_PID")
}

# stop_pid PID [SIGNAL] [TENTHS_OF_SECONDS]: signal, wait, then SIGKILL
stop_pid() {
    local pid=$1 sig=${2:-TERM} tries=${3:-50}
    if is_running "$pid"; then kill -s "$sig" "$pid" 2>/dev/null || true; fi
    while is_running "$pid" && ((tries-- > 0)); do sleep 0.1; done
    if is_running "$pid"; then
        log "pid $pid ignored SIG$sig, sending SIGKILL"
        kill -KILL "$pid" 2>/dev/null || true
    fi
    wait "$pid" 2>/dev/null || true
}

# wait_exit PID SECONDS: wait for a process to end on its own (false on timeout)
wait_exit() {
    local pid=$1 tries=$(($2 * 10))
    while is_running "$pid"; do
        ((tries-- > 0)) || return 1
        sleep 0.1
    done
    wait "$pid" 2>/dev/null || true
}

# wait_log FILE REGEX SECONDS
wait_log() {
    local f=$1 re=$2 tries=$(($3 * 10))
    until grep -Eq -- "$re" "$f" 2>/dev/null; do
        ((tries-- > 0)) || return 1
        sleep 0.1
    done
}

cleanup() {
    local rc=$? pid ns
    for pid in "${PIDS[@]}"; do stop_pid "$pid" TERM 20; done
    for ns in $(ip netns list 2>/dev/null | awk '{print $1}' | grep "^$PREFIX-" || true); do
        for pid in $(ip netns pids "$ns" 2>/dev/null); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$ns" 2>/dev/null || true
    done
    if [[ -n $WORK && -d $WORK ]]; then
        if [[ -n ${KEEP_WORK:-} ]]; then log "kept work dir $WORK"; else rm -rf -- "$WORK"; fi
    fi
    if ((rc != 0)); then log "FAILED (exit $rc); namespaces and processes cleaned up"; fi
    exit "$rc"
}

# ------------------------------------------------------------------ topology

# wait_ll NS: wait until eth0 in NS has a non-tentative link-local address
wait_ll() {
    local ns=$1 tries=50 out
    while :; do
        out=$(ip -n "$ns" -6 -o addr show dev eth0 scope link 2>/dev/null)
        if [[ -n $out && $out != *tentative* ]]; then return 0; fi
        ((tries-- > 0)) || die "no link-local address on eth0 in $ns"
        sleep 0.1
    done
}

# attach NS PORT MAC: veth pair br0:p-PORT <-> NS:eth0, MAC set before link up
attach() {
    local ns=$1 port=$2 mac=$3
    ip -n "$NS_BR" link add name "p-$port" type veth peer name eth0 netns "$ns"
    ip -n "$ns" link set dev eth0 address "$mac"
    ip -n "$NS_BR" link set dev "p-$port" master br0 up
    ip -n "$ns" link set dev lo up
    ip -n "$ns" link set dev eth0 up
    wait_ll "$ns"
}

# topo_up [TERM_ACCEPT_RA] [TERM_ROUTER_SOLICITATIONS]
topo_up() {
    local accept_ra=${1:-2} rs=${2:-3}
    NS_BR="$PREFIX-br" NS_TERM="$PREFIX-term"
    ip netns add "$NS_BR"
    nsx "$NS_BR" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 net.ipv6.conf.default.disable_ipv6=1
    ip -n "$NS_BR" link add name br0 type bridge stp_state 0 mcast_snooping 0
    ip -n "$NS_BR" link set dev br0 up

    ip netns add "$NS_TERM"
    nsx "$NS_TERM" sysctl -qw \
        net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.forwarding=0 net.ipv6.conf.default.forwarding=0 \
        net.ipv6.conf.default.accept_ra="$accept_ra" \
        net.ipv6.conf.default.router_solicitations="$rs"
    attach "$NS_TERM" term "$TERM_MAC"
}

# add_dev NAME MAC [ROUTER]: create a device namespace -> DEV_NS.  ROUTER=1
# (default) enables forwarding (radvd wants it; NAs carry the R flag);
# ROUTER=0 makes it a plain host, e.g. a DHCPv6-only server.
add_dev() {
    local fwd=${3:-1}
    DEV_NS="$PREFIX-$1"
    ip netns add "$DEV_NS"
    nsx "$DEV_NS" sysctl -qw \
        net.ipv6.conf.all.accept_dad=0 net.ipv6.conf.default.accept_dad=0 \
        net.ipv6.conf.all.forwarding="$fwd" net.ipv6.conf.default.forwarding="$fwd"
    attach "$DEV_NS" "$1" "$2"
}

topo_down() {
    local pid ns
    for pid in "${PIDS[@]}"; do stop_pid "$pid" TERM 30; done
    PIDS=()
    for ns in $(ip netns list | awk '{print $1}' | grep "^$PREFIX-" || true); do
        for pid in $(ip netns pids "$ns"); do kill -KILL "$pid" 2>/dev/null || true; done
        ip netns del "$ns"
    done
}

# ------------------------------------------------------------------ captures

# cap_start FILE IFACE COUNT FILTER [EXTRA TCPDUMP ARGS...]   (in the terminal)
cap_start() {
    local file=$1 iface=$2 count=$3 filter=$4
    shift 4
    start_bg "tcpdump-$file" "$NS_TERM" \
        tcpdump -i "$iface" -n -U --immediate-mode -Z root -s 0 -c "$count" "$@" -w "$WORK/$file" "$filter"
    CAP_PIDS+=("$BG_PID") CAP_FILES+=("$file")
    wait_log "$WORK/tcpdump-$file.log" 'listening on' 10 ||
        die "tcpdump for $file did not start: $(cat "$WORK/tcpdump-$file.log")"
}

# tshark_start FILE IFACE COUNT FILTER   (pcapng, in the terminal)
tshark_start() {
    local file=$1 iface=$2 count=$3 filter=$4
    start_bg "tshark-$file" "$NS_TERM" \
        tshark -i "$iface" -n -q -c "$count" -f "$filter" -w "$WORK/$file"
    CAP_PIDS+=("$BG_PID") CAP_FILES+=("$file")
    wait_log "$WORK/tshark-$file.log" 'Capturing on' 15 ||
        die "tshark for $file did not start: $(cat "$WORK/tshark-$file.log")"
    sleep 0.3
}

# cap_finish: stop all captures of this scenario cleanly (SIGINT flushes the
# file) and move the files into the output directory.  The pause first lets
# packets still sitting in a capture ring buffer (tshark/dumpcap deliver them
# in blocks) reach the file: SIGINT discards a partially filled block.
cap_finish() {
    local pid f n
    sleep 1.5
    for pid in "${CAP_PIDS[@]}"; do stop_pid "$pid" INT 50; done
    for f in "${CAP_FILES[@]}"; do
        [[ -s $WORK/$f ]] || die "capture $f is empty or missing"
        n=$(capinfos -M -c -T "$WORK/$f" | awk -F'\t' 'NR==2{print $2}')
        ((n > 0)) || die "capture $f holds no packets"
        mv -f "$WORK/$f" "$OUT_DIR/$f"
        chmod 0644 "$OUT_DIR/$f"
        log "  wrote $f ($n packets)"
    done
    CAP_PIDS=() CAP_FILES=()
}

# ------------------------------------------------------------------- daemons

# start_radvd NAME BODY : radvd -n in $DEV_NS with "interface eth0 { BODY };"
start_radvd() {
    local name=$1 body=$2 conf="$WORK/$1.radvd.conf"
    printf 'interface eth0 {\n%s\n};\n' "$body" >"$conf"
    radvd -c -C "$conf" -m stderr >"$WORK/radvd-$name.check" 2>&1 ||
        die "radvd rejected config $name: $(cat "$WORK/radvd-$name.check")"
    start_bg "radvd-$name" "$DEV_NS" \
        radvd -n -C "$conf" -p "$WORK/$name.radvd.pid" -u root -m stderr -d "${RADVD_DEBUG:-1}"
    RADVD_PID=$BG_PID
    sleep 0.5
    is_running "$RADVD_PID" || die "radvd $name died: $(cat "$WORK/radvd-$name.log")"
}

# stop_radvd: SIGTERM makes radvd send its final RA (router lifetime 0)
stop_radvd() {
    stop_pid "$RADVD_PID" TERM 50
    sleep 0.5
}

# dhclient6 NAME ARGS... : dhclient -6 in the terminal, isolated from the system
# (own config, lease, pid and DUID files; /bin/true as script)
DHCLIENT_CONF='request dhcp6.name-servers, dhcp6.domain-search, dhcp6.sntp-servers;'
start_dhclient6() {
    local name=$1
    shift
    printf '%s\n' "$DHCLIENT_CONF" >"$WORK/$name.dhclient.conf"
    : >"$WORK/$name.dhclient.leases"
    start_bg "dhclient-$name" "$NS_TERM" \
        dhclient -6 -d -v "$@" -cf "$WORK/$name.dhclient.conf" \
        -lf "$WORK/$name.dhclient.leases" -pf "$WORK/$name.dhclient.pid" \
        -df "$WORK/$name.dhclient.duid" -sf /bin/true eth0
    DHCLIENT_PID=$BG_PID
}

# start_dnsmasq NAME BODY : dnsmasq -k (foreground), DNS off, in $DEV_NS
start_dnsmasq() {
    local name=$1 body=$2 conf="$WORK/$1.dnsmasq.conf"
    cat >"$conf" <<EOF
port=0
no-resolv
no-hosts
interface=eth0
bind-interfaces
user=root
group=root
pid-file=$WORK/$name.dnsmasq.pid
dhcp-leasefile=$WORK/$name.dnsmasq.leases
log-dhcp
$body
EOF
    dnsmasq --test --conf-file="$conf" >"$WORK/dnsmasq-$name.check" 2>&1 ||
        die "dnsmasq rejected config $name: $(cat "$WORK/dnsmasq-$name.check")"
    start_bg "dnsmasq-$name" "$DEV_NS" dnsmasq -k --conf-file="$conf" --log-facility=-
    DNSMASQ_PID=$BG_PID
    sleep 0.5
    is_running "$DNSMASQ_PID" || die "dnsmasq $name died: $(cat "$WORK/dnsmasq-$name.log")"
}

# start_kea NAME : kea-dhcp6 in the foreground in $DEV_NS; all state in $WORK
start_kea() {
    local name=$1 conf="$WORK/$1.kea6.json"
    cat >"$conf" <<EOF
{ "Dhcp6": {
    "interfaces-config": { "interfaces": [ "eth0" ] },
    "lease-database": { "type": "memfile", "persist": true,
                        "name": "$WORK/$name.kea-leases6.csv", "lfc-interval": 0 },
    "data-directory": "$WORK",
    "server-id": { "type": "LLT", "persist": false },
    "renew-timer": 1000, "rebind-timer": 2000,
    "preferred-lifetime": 3000, "valid-lifetime": 4000,
    "option-data": [
        { "name": "dns-servers",  "data": "2001:db8:99::53, 2001:db8:99::54" },
        { "name": "domain-search", "data": "kea.example, example.org" },
        { "name": "sntp-servers", "data": "2001:db8:99::123" }
    ],
    "subnet6": [ {
        "id": 1, "subnet": "2001:db8:99::/64", "interface": "eth0",
        "pools": [ { "pool": "2001:db8:99::100 - 2001:db8:99::1ff" } ],
        "pd-pools": [ { "prefix": "2001:db8:9900::", "prefix-len": 40,
                        "delegated-len": 56 } ]
    } ],
    "loggers": [ { "name": "kea-dhcp6", "severity": "INFO",
                   "output_options": [ { "output": "stdout" } ] } ]
} }
EOF
    KEA_PIDFILE_DIR="$WORK" KEA_LOCKFILE_DIR="$WORK" kea-dhcp6 -t "$conf" \
        >"$WORK/kea-$name.check" 2>&1 ||
        die "kea-dhcp6 rejected config $name: $(cat "$WORK/kea-$name.check")"
    start_bg "kea-$name" "$DEV_NS" \
        env KEA_PIDFILE_DIR="$WORK" KEA_LOCKFILE_DIR="$WORK" kea-dhcp6 -c "$conf"
    KEA_PID=$BG_PID
    wait_log "$WORK/kea-$name.log" 'DHCP6_STARTED|DHCPSRV_.*OPEN_SOCKET|DHCP6_OPEN_SOCKET' 10 || true
    sleep 0.5
    is_running "$KEA_PID" || die "kea-dhcp6 $name died: $(cat "$WORK/kea-$name.log")"
}

# ----------------------------------------------------------------- scenarios

# radvd on a Buffalo router; also written as pcapng (tshark) and with Linux
# cooked headers (tcpdump -i any: SLL and SLL2), all from the same run.
scenario_radvd_buffalo() {
    topo_up
    add_dev buffalo 10:6f:3f:12:34:56
    cap_start radvd-buffalo.pcap eth0 50 "$F_ND"
    cap_start radvd-buffalo-cooked.pcap any 50 "$F_ND" -y LINUX_SLL
    cap_start radvd-buffalo-cooked2.pcap any 50 "$F_ND" -y LINUX_SLL2
    tshark_start radvd-buffalo.pcapng eth0 50 "$F_ND"
    start_radvd buffalo '
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 4;
    AdvOtherConfigFlag on;
    AdvLinkMTU 1454;
    prefix 2001:db8:1::/64 { AdvOnLink on; AdvAutonomous on; };
    RDNSS 2001:db8:1::1 { AdvRDNSSLifetime 8; };
    DNSSL buffalo.example { AdvDNSSLLifetime 8; };'
    sleep 9
    stop_radvd
    cap_finish
    topo_down
}

# radvd 2.19 with (nearly) every option it can send
scenario_radvd_many_options() {
    topo_up
    add_dev yamaha 00:a0:de:01:02:03
    ip -n "$DEV_NS" addr add fe80::1/64 dev eth0 nodad        # AdvRASrcAddress
    ip -n "$DEV_NS" addr add 2001:db8:5::1/64 dev eth0 nodad  # AdvRouterAddr
    cap_start radvd-many-options.pcap eth0 50 "$F_ND"
    start_radvd many '
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 4;
    MinDelayBetweenRAs 3;
    AdvManagedFlag on;
    AdvOtherConfigFlag on;
    AdvLinkMTU 1454;
    AdvReachableTime 30000;
    AdvRetransTimer 1000;
    AdvCurHopLimit 255;
    AdvDefaultLifetime 1800;
    AdvDefaultPreference high;
    AdvSourceLLAddress on;
    AdvHomeAgentFlag on;
    AdvHomeAgentInfo on;
    HomeAgentLifetime 1800;
    HomeAgentPreference 10;
    AdvMobRtrSupportFlag on;
    AdvIntervalOpt on;
    AdvRASolicitedUnicast off;
    AdvRASrcAddress { fe80::1; };
    prefix 2001:db8:1::/64 { AdvOnLink on;  AdvAutonomous on;  AdvValidLifetime 86400; AdvPreferredLifetime 14400; };
    prefix 2001:db8:2::/64 { AdvOnLink off; AdvAutonomous on;  AdvValidLifetime 7200; AdvPreferredLifetime 3600; };
    prefix 2001:db8:3::/64 { AdvOnLink on;  AdvAutonomous off; AdvValidLifetime infinity; AdvPreferredLifetime infinity; };
    prefix 2001:db8:4::/64 { AdvOnLink off; AdvAutonomous off; };
    prefix 2001:db8:dead::/64 { AdvValidLifetime 0; AdvPreferredLifetime 0; };
    prefix 2001:db8:5::1/64 { AdvRouterAddr on; };
    prefix 2001:db8:600::/56 { AdvAutonomous off; DeprecatePrefix on; };
    prefix 2001:db8:7::/64 { DecrementLifetimes on; AdvValidLifetime 600; AdvPreferredLifetime 300; };
    route ::/0 { AdvRouteLifetime 1800; AdvRoutePreference high; };
    route 2001:db8:100::/48 { AdvRoutePreference high; AdvRouteLifetime infinity; };
    route 2001:db8:200:1::/64 { AdvRoutePreference low; AdvRouteLifetime 600; };
    route 2001:db8:300::/96 { AdvRoutePreference medium; };
    route 2001:db8:400::1/128 { AdvRoutePreference low; RemoveRoute off; };
    RDNSS 2001:db8::53:1 2001:db8::53:2 2001:db8::53:3 { AdvRDNSSLifetime 8; };
    RDNSS 2001:db8::53:4 2001:db8::53:5 2001:db8::53:6 { AdvRDNSSLifetime 8; };
    RDNSS 2001:db8::53:7 2001:db8::53:8 2001:db8::53:9 { AdvRDNSSLifetime 8; };
    RDNSS 2001:db8::53:a 2001:db8::53:b 2001:db8::53:c { AdvRDNSSLifetime 8; };
    RDNSS 2001:db8::53:d 2001:db8::53:e 2001:db8::53:f { AdvRDNSSLifetime 8; };
    RDNSS 2001:db8:1::53 { AdvRDNSSLifetime infinity; FlushRDNSS off; };
    DNSSL example.com corp.example.net a.rather.long.sub.domain.name.example.org { AdvDNSSLLifetime 8; };
    DNSSL lan { AdvDNSSLLifetime 0; FlushDNSSL off; };
    lowpanco { AdvContextLength 64; AdvContextCompressionFlag on; AdvContextID 1; AdvLifeTime 10; };
    abro fe80::1 { AdvVersionLow 10; AdvVersionHigh 2; AdvValidLifeTime 2; };'
    sleep 9
    stop_radvd
    cap_finish
    topo_down
}

THREAD_BR_CONF='
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 4;
    AdvDefaultLifetime 0;
    prefix fd12:3456:789a:1::/64 { AdvOnLink on; AdvAutonomous on; AdvValidLifetime 1800; AdvPreferredLifetime 1800; };
    route fd00:1234:5678::/48 { AdvRoutePreference medium; AdvRouteLifetime 1800; };'

# Thread border router shaped RA from an Apple OUI
scenario_radvd_apple_thread() {
    topo_up
    add_dev apple f0:18:98:aa:bb:01
    cap_start radvd-apple-thread.pcap eth0 50 "$F_ND"
    start_radvd apple "$THREAD_BR_CONF"
    sleep 9
    stop_radvd
    cap_finish
    topo_down
}

# same, from a locally administered (randomized) MAC
scenario_radvd_randomized_thread() {
    topo_up
    add_dev randthr 7a:11:22:33:44:55
    cap_start radvd-randomized-thread.pcap eth0 50 "$F_ND"
    start_radvd randthr "$THREAD_BR_CONF"
    sleep 9
    stop_radvd
    cap_finish
    topo_down
}

# NTT NGN home gateway shaped RA from an NEC Platforms OUI
scenario_radvd_ntt_nec() {
    topo_up
    add_dev nec 00:3a:9d:11:22:33
    cap_start radvd-ntt-nec.pcap eth0 50 "$F_ND"
    start_radvd nec '
    AdvSendAdvert on;
    MinRtrAdvInterval 3;
    MaxRtrAdvInterval 4;
    AdvManagedFlag off;
    AdvOtherConfigFlag on;
    AdvDefaultLifetime 1800;
    prefix 2001:c90:1234:5678::/64 { AdvOnLink on; AdvAutonomous on; };'
    sleep 9
    stop_radvd
    cap_finish
    topo_down
}

# rdisc6 soliciting; radvd answers (default: solicited RAs unicast).  The
# kernel of the terminal does not send RS itself here (router_solicitations=0).
RDISC_RADVD_CONF='
    AdvSendAdvert on;
    MaxRtrAdvInterval 600;
    prefix 2001:db8:6::/64 { AdvOnLink on; AdvAutonomous on; };
    RDNSS 2001:db8:6::53 { AdvRDNSSLifetime 1200; };'

run_rdisc6_scenario() { # FILE DEVNAME MAC RADVD_BODY
    local file=$1 name=$2 mac=$3 body=$4 i
    topo_up 2 0
    add_dev "$name" "$mac"
    cap_start "$file" eth0 50 "$F_ND"
    start_radvd "$name" "$body"
    sleep 1
    for i in 1 2 3; do
        nsx "$NS_TERM" rdisc6 -n -r 2 -w 1500 eth0 >>"$WORK/rdisc6-$name.log" 2>&1 ||
            die "rdisc6 got no answer ($file): $(cat "$WORK/rdisc6-$name.log")"
        sleep 1
    done
    stop_radvd
    cap_finish
    topo_down
}

scenario_rdisc6() {
    run_rdisc6_scenario rdisc6.pcap cisco 00:30:85:aa:bb:cc "$RDISC_RADVD_CONF"
}

scenario_radvd_unicastonly() {
    run_rdisc6_scenario radvd-unicastonly.pcap unionly 00:30:85:aa:bb:cd \
        "$RDISC_RADVD_CONF
    UnicastOnly on;"
}

# dnsmasq doing RA + stateful DHCPv6 (I-O DATA OUI); dhclient -6 in terminal
scenario_dnsmasq_ra_dhcpv6() {
    topo_up
    add_dev iodata 00:a0:b0:12:34:56
    ip -n "$DEV_NS" addr add 2001:db8:77::1/64 dev eth0 nodad
    cap_start dnsmasq-ra-dhcpv6.pcap eth0 50 "$F_ND"
    start_dnsmasq ra 'enable-ra
ra-param=eth0,high,10,1800
dhcp-range=2001:db8:77::10,2001:db8:77::ff,64,1h
dhcp-option=option6:dns-server,[2001:db8:77::1]
dhcp-option=option6:domain-search,home.example,iodata.example
dhcp-option=option6:ntp-server,[2001:db8:77::123]'
    sleep 2
    start_dhclient6 ra
    wait_log "$WORK/dhclient-ra.log" 'RCV: Reply' 20 ||
        die "dhclient got no Reply: $(cat "$WORK/dhclient-ra.log")"
    sleep 2
    stop_pid "$DHCLIENT_PID" TERM
    stop_pid "$DNSMASQ_PID" TERM
    cap_finish
    topo_down
}

# dnsmasq RA-only (SLAAC) with 16 DNS servers: radvd 2.19 allows at most 3
# addresses per RDNSS block, dnsmasq puts all 16 into one RDNSS option
# (length 33 = 264 bytes, i.e. more than 255 bytes)
scenario_dnsmasq_ra_rdnss16() {
    local i dns=""
    for i in $(seq 1 16); do dns+=",[2001:db8:79::$(printf '%x' $((0x52 + i)))]"; done
    topo_up
    add_dev iodata3 00:a0:b0:12:34:58
    ip -n "$DEV_NS" addr add 2001:db8:79::1/64 dev eth0 nodad
    cap_start dnsmasq-ra-rdnss16.pcap eth0 50 "$F_ND"
    start_dnsmasq rdnss16 "enable-ra
ra-param=eth0,10,1800
dhcp-range=::,constructor:eth0,ra-only,64,1h
dhcp-option=option6:dns-server$dns
dhcp-option=option6:domain-search,one.example,two.example,three.example.org,a.long.search.domain.example.net"
    sleep 2
    # one Router Solicitation so that a solicited RA follows the initial one
    nsx "$NS_TERM" rdisc6 -n -r 2 -w 1500 eth0 >"$WORK/rdisc6-rdnss16.log" 2>&1 ||
        die "no RA from dnsmasq: $(cat "$WORK/rdisc6-rdnss16.log")"
    sleep 1
    stop_pid "$DNSMASQ_PID" TERM
    cap_finish
    topo_down
}

# dnsmasq as DHCPv6-only server (no RA)
scenario_dnsmasq_dhcpv6_only() {
    topo_up
    add_dev iodata2 50:41:b9:12:34:57 0
    ip -n "$DEV_NS" addr add 2001:db8:78::1/64 dev eth0 nodad
    cap_start dnsmasq-dhcpv6-only.pcap eth0 50 "$F_ND"
    start_dnsmasq v6only 'dhcp-range=2001:db8:78::10,2001:db8:78::ff,64,1h
dhcp-option=option6:dns-server,[2001:db8:78::1]
dhcp-option=option6:domain-search,iodata.example'
    start_dhclient6 v6only
    wait_log "$WORK/dhclient-v6only.log" 'RCV: Reply' 20 ||
        die "dhclient got no Reply: $(cat "$WORK/dhclient-v6only.log")"
    sleep 1
    stop_pid "$DHCLIENT_PID" TERM
    stop_pid "$DNSMASQ_PID" TERM
    cap_finish
    topo_down
}

# kea-dhcp6 answering dhclient -6 (mode args: "" = IA_NA, -P = IA_PD,
# -S = Information-Request); with RELEASE=1 the lease is released afterwards
run_kea_scenario() { # FILE DHCLIENT_MODE_ARGS RELEASE
    local file=$1 mode=$2 release=$3 name
    name=${file%.pcap}
    topo_up
    add_dev kea 00:1b:21:0a:0b:0c 0
    ip -n "$DEV_NS" addr add 2001:db8:99::1/64 dev eth0 nodad
    cap_start "$file" eth0 50 "$F_ND"
    start_kea "$name"
    # shellcheck disable=SC2086
    start_dhclient6 "$name" $mode
    wait_log "$WORK/dhclient-$name.log" 'RCV: Reply' 20 ||
        die "dhclient got no Reply ($file): $(cat "$WORK/dhclient-$name.log")"
    sleep 1
    if ((release)); then
        # dhclient -r: stops the running client (via its pid file), sends Release
        # shellcheck disable=SC2086
        nsx "$NS_TERM" timeout 15 dhclient -6 -r -v $mode -cf "$WORK/$name.dhclient.conf" \
            -lf "$WORK/$name.dhclient.leases" -pf "$WORK/$name.dhclient.pid" \
            -df "$WORK/$name.dhclient.duid" -sf /bin/true eth0 \
            >"$WORK/dhclient-$name-release.log" 2>&1 ||
            log "  dhclient -r failed: $(tail -3 "$WORK/dhclient-$name-release.log")"
        sleep 0.5
    fi
    stop_pid "$DHCLIENT_PID" TERM
    stop_pid "$KEA_PID" TERM
    cap_finish
    topo_down
}

scenario_kea_dhcp6()         { run_kea_scenario kea-dhcp6.pcap "" 1; }
scenario_kea_dhcp6_pd()      { run_kea_scenario kea-dhcp6-pd.pcap "-P" 1; }
scenario_kea_dhcp6_inforeq() { run_kea_scenario kea-dhcp6-inforeq.pcap "-S" 0; }

# thc-ipv6 fake_router6 with -H / -D / -F.  It multicasts an RA every 5 s and
# answers Router Solicitations (once per 5 s loop), so rdisc6 solicits a few
# extra ones.  thc-ipv6 3.8's fake_router6 -D segfaults after answering the
# solicitations; bash then prints "Segmentation fault" - harmless, the packets
# are already on the wire.
run_fake_router6() { # VARIANT
    local v=$1 file="thc-fake_router6-$1.pcap" pid i
    topo_up 2 0
    add_dev thc 00:1b:21:de:ad:01
    cap_start "$file" eth0 40 ip6
    start_bg "fake_router6-$v" "$DEV_NS" atk6-fake_router6 "-$v" eth0 2001:db8:dead::/64
    pid=$BG_PID
    sleep 1
    for i in 1 2 3; do
        nsx "$NS_TERM" rdisc6 -n -1 -r 1 -w 1000 eth0 >>"$WORK/rdisc6-thc-$v.log" 2>&1 || true
        sleep 1
    done
    sleep 5     # one more unsolicited RA
    stop_pid "$pid" TERM
    cap_finish
    topo_down
}
scenario_thc_fake_router6_H() { run_fake_router6 H; }
scenario_thc_fake_router6_D() { run_fake_router6 D; }
scenario_thc_fake_router6_F() { run_fake_router6 F; }

# thc-ipv6 flood_router26 for about one second, at most 200 packets.  The
# terminal ignores RAs here (accept_ra=0) so its kernel is not flooded.
scenario_thc_flood_router26() {
    topo_up 0 0
    add_dev flood 00:1b:21:de:ad:02
    cap_start thc-flood_router26.pcap eth0 200 ip6
    start_bg flood_router26 "$DEV_NS" atk6-flood_router26 eth0
    local pid=$BG_PID
    wait_exit "${CAP_PIDS[0]}" 1 || true
    stop_pid "$pid" TERM
    cap_finish
    topo_down
}

# thc-ipv6 fake_router26 with each RA-Guard evasion type of -E: H (hop-by-hop
# header), 1 (one-shot fragment headers; thc-ipv6 3.8 adds them only to the
# answers to a Router Solicitation, its periodic RA goes out plain), D (large
# destination options header, so the RA is fragmented), F ("full evasion":
# 32-byte fragments behind destination options and routing headers; its
# periodic RA reassembles with a wrong checksum, a thc bug, the answer to an RS
# is a plain RA), O and o (overlapping fragments for keep-first and keep-last
# stacks; the RA is in the later fragment).  Three RAs a second apart with an
# autonomous prefix and a default route, and one rdisc6 solicitation.
run_fake_router26() { # VARIANT FILE
    local v=$1 file=$2 pid
    topo_up 2 0
    add_dev thc 00:1b:21:de:ad:26
    cap_start "$file" eth0 40 ip6
    start_bg "fake_router26-$v" "$DEV_NS" atk6-fake_router26 -E "$v" \
        -A 2001:db8:dead::/64 -n 3 -i 1 eth0
    pid=$BG_PID
    sleep 0.5
    nsx "$NS_TERM" rdisc6 -n -1 -r 1 -w 1500 eth0 >>"$WORK/rdisc6-fr26-$v.log" 2>&1 || true
    wait_exit "$pid" 5 || stop_pid "$pid" TERM
    cap_finish
    topo_down
}
scenario_thc_fake_router26_H() { run_fake_router26 H thc-fake_router26-EH.pcap; }
scenario_thc_fake_router26_1() { run_fake_router26 1 thc-fake_router26-E1.pcap; }
scenario_thc_fake_router26_D() { run_fake_router26 D thc-fake_router26-ED.pcap; }
scenario_thc_fake_router26_F() { run_fake_router26 F thc-fake_router26-EF.pcap; }
scenario_thc_fake_router26_O() { run_fake_router26 O thc-fake_router26-EO-keep-first.pcap; }
scenario_thc_fake_router26_o() { run_fake_router26 o thc-fake_router26-Eo-keep-last.pcap; }

# RAs inside IPv6-in-IPv6, sent by scapy-ip6ip6.py (the kernel here has no
# ip6tnl) from fd00:5e::2 to the terminal's fd00:5e::1.
scenario_scapy_ip6ip6() {
    topo_up 2 0
    nsx "$NS_TERM" ip -6 addr add fd00:5e::1/64 dev eth0 nodad
    add_dev tun 00:1b:21:de:ad:41 0
    nsx "$DEV_NS" ip -6 addr add fd00:5e::2/64 dev eth0 nodad
    cap_start scapy-ip6ip6.pcap eth0 20 ip6
    nsx "$DEV_NS" "$PYTHON" "$OUT_DIR/scapy-ip6ip6.py" eth0 "$TERM_MAC" 3 1 >&2
    cap_finish
    topo_down
}

# hand-crafted packets (no network at all)
scenario_scapy_edge() {
    "$PYTHON" "$OUT_DIR/scapy-edge.py" "$OUT_DIR" >&2
}

SCENARIOS=(
    radvd_buffalo radvd_many_options radvd_apple_thread radvd_randomized_thread
    radvd_ntt_nec rdisc6 radvd_unicastonly
    dnsmasq_ra_dhcpv6 dnsmasq_ra_rdnss16 dnsmasq_dhcpv6_only
    kea_dhcp6 kea_dhcp6_pd kea_dhcp6_inforeq
    thc_fake_router6_H thc_fake_router6_D thc_fake_router6_F thc_flood_router26
    thc_fake_router26_H thc_fake_router26_1 thc_fake_router26_D thc_fake_router26_F
    thc_fake_router26_O thc_fake_router26_o scapy_ip6ip6
    scapy_edge
)

main() {
    local s start=$SECONDS todo=("$@")
    if [[ ${1:-} == list ]]; then printf '%s\n' "${SCENARIOS[@]}"; return; fi
    ((${#todo[@]})) || todo=("${SCENARIOS[@]}")
    for s in "${todo[@]}"; do
        declare -F "scenario_$s" >/dev/null || die "unknown scenario '$s' (try: $0 list)"
    done
    require_tools
    WORK=$(mktemp -d /tmp/v6s-cap.XXXXXX)
    trap cleanup EXIT
    trap 'exit 130' INT TERM
    for s in "${todo[@]}"; do
        log "scenario $s"
        "scenario_$s"
    done
    log "done in $((SECONDS - start)) s; output in $OUT_DIR"
}

main "$@"
