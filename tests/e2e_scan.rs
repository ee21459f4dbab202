//! `v6sentinel scan` end to end: the real binary in a terminal namespace on a bridge with
//! real radvd, dnsmasq, kea and thc-ipv6 in namespaces of their own. Needs root.
#![cfg(target_os = "linux")]

mod common;

use common::netns::{Net, radvd_conf, require, v6sentinel};
use common::scan::{report, scan, source};
use std::time::Duration;

const TERM_MAC: &str = "02:76:36:00:00:01";

fn tools() {
    require(&[
        ("ip", "iproute2"),
        ("radvd", "radvd"),
        ("dnsmasq", "dnsmasq-base"),
        ("kea-dhcp6", "kea-dhcp6-server"),
        ("atk6-fake_router6", "thc-ipv6"),
        ("setpriv", "util-linux"),
    ]);
}

fn effects(s: &serde_json::Value) -> Vec<String> {
    s["effects"]
        .as_array()
        .map(|a| {
            a.iter()
                .filter_map(|e| e.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

fn start_radvd(net: &mut Net, ns: &str, name: &str, body: &str) {
    let conf = net.file(&format!("{name}.conf"), &radvd_conf(body));
    let pid = net.dir.join(format!("{name}.pid"));
    net.spawn(
        ns,
        name,
        &[
            "radvd",
            "-n",
            "-C",
            conf.to_str().unwrap(),
            "-p",
            pid.to_str().unwrap(),
            "-u",
            "root",
            "-m",
            "stderr",
            "-d",
            "4",
        ],
    );
    std::thread::sleep(Duration::from_millis(500));
    net.assert_running();
}

const BUFFALO_UNICAST: &str = "    UnicastOnly on;\n    AdvDefaultLifetime 1800;\n    AdvOtherConfigFlag on;\n    prefix 2001:db8:1::/64 { AdvOnLink on; AdvAutonomous on; };\n    RDNSS 2001:db8:1::53 { };";

#[test]
fn unicast_only_router_is_found_by_the_probe() {
    tools();
    let mut net = Net::new("uo");
    let term = net.host("term", TERM_MAC, false);
    let dev = net.host("buf", BUFFALO_MAC, true);
    start_radvd(&mut net, &dev, "radvd", BUFFALO_UNICAST);

    let out = scan(&net, &term, &["--duration", "3"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(2), "{r}");
    let s = source(&r, BUFFALO_MAC).expect("the Buffalo router was not found");
    assert_eq!(s["severity"], "critical");
    assert_eq!(s["remedy"]["code"], "disable_ipv6");
    assert_eq!(s["offender"]["id"], "buffalo-wifi-router");
    assert_eq!(r["probes"]["router_solicitation"], true);
    let solicited = solicitations(&net);
    assert_eq!(solicited, 1, "radvd log:\n{}", net.log("radvd"));

    // Passive, and without -i (the only Ethernet interface is chosen): nothing is sent,
    // so the unicast-only router stays silent.
    let bin = v6sentinel().to_str().expect("path");
    let out = net.exec(
        &term,
        &[
            bin,
            "scan",
            "--format",
            "json",
            "--duration",
            "3",
            "--passive",
        ],
    );
    let r = report(&out);
    assert_eq!(r["interface"], "eth0");
    assert!(
        source(&r, BUFFALO_MAC).is_none(),
        "found without a probe: {r}"
    );
    assert_eq!(r["probes"]["router_solicitation"], false);
    assert_eq!(r["probes"]["dhcpv6_solicit"], false);
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(solicitations(&net), solicited, "a passive scan sent an RS");

    // The installer's printable record of the same scan: the device, its remedy, and the
    // terminal's address it handed out.
    let html = net.dir.join("report.html");
    let html_arg = html.display().to_string();
    let bin = v6sentinel().display().to_string();
    let out = net.exec(
        &term,
        &[
            &bin,
            "scan",
            "-i",
            "eth0",
            "--duration",
            "3",
            "--format",
            "html",
            "--output",
            &html_arg,
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("CRITICAL - "));
    let page = std::fs::read_to_string(&html).expect("the report file");
    assert!(page.contains(BUFFALO_MAC), "no MAC in the page");
    assert!(page.contains("対処方法１"), "no remedy in the page");
    let slaac = r["host"]["addresses"]
        .as_array()
        .and_then(|a| a.iter().find(|a| a["origin"] == "slaac"))
        .and_then(|a| a["address"].as_str())
        .unwrap_or_default()
        .to_owned();
    assert!(
        !slaac.is_empty() && page.contains(&slaac),
        "no SLAAC address {slaac} in the page"
    );

    // The portable pnet backend finds it too: its RS goes out as a whole frame through
    // the capture handle (the Windows path), and radvd answers it.
    let before = solicitations(&net);
    let out = scan(&net, &term, &["--duration", "3", "--backend", "pnet"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(2), "{r}");
    assert!(source(&r, BUFFALO_MAC).is_some(), "pnet: {r}");
    assert_eq!(r["probes"]["router_solicitation"], true, "{r}");
    assert_eq!(
        solicitations(&net),
        before + 1,
        "radvd log:\n{}",
        net.log("radvd")
    );
}

/// How many Router Solicitations radvd (`-d 4`) says it received.
fn solicitations(net: &Net) -> usize {
    net.log("radvd").matches("received RS from").count()
}

/// dnsmasq as a DHCPv6-only server (no RA, no DNS) for 2001:db8:77::/64.
fn start_dnsmasq(net: &mut Net, ns: &str) {
    net.exec(
        ns,
        &[
            "ip",
            "-6",
            "addr",
            "add",
            "2001:db8:77::1/64",
            "dev",
            "eth0",
            "nodad",
        ],
    );
    let lease = net.dir.join("dnsmasq.leases");
    let pid = net.dir.join("dnsmasq.pid");
    net.spawn(
        ns,
        "dnsmasq",
        &[
            "dnsmasq",
            "-k",
            "--port=0",
            "--no-resolv",
            "--no-hosts",
            "--interface=eth0",
            "--bind-interfaces",
            &format!("--dhcp-leasefile={}", lease.display()),
            &format!("--pid-file={}", pid.display()),
            "--dhcp-range=2001:db8:77::10,2001:db8:77::ff,64,1h",
            "--dhcp-option=option6:dns-server,[2001:db8:77::1]",
        ],
    );
}

/// kea-dhcp6 serving 2001:db8:99::/64, leases in memory only.
fn start_kea(net: &mut Net, ns: &str) {
    net.exec(
        ns,
        &[
            "ip",
            "-6",
            "addr",
            "add",
            "2001:db8:99::1/64",
            "dev",
            "eth0",
            "nodad",
        ],
    );
    let dir = net.dir.display().to_string();
    let conf = net.file(
        "kea.json",
        &format!(
            r#"{{ "Dhcp6": {{
        "interfaces-config": {{ "interfaces": [ "eth0" ] }},
        "lease-database": {{ "type": "memfile", "persist": false }},
        "data-directory": "{dir}",
        "option-data": [ {{ "name": "dns-servers", "data": "2001:db8:99::53" }} ],
        "subnet6": [ {{ "id": 1, "subnet": "2001:db8:99::/64", "interface": "eth0",
            "pools": [ {{ "pool": "2001:db8:99::100 - 2001:db8:99::1ff" }} ] }} ] }} }}"#
        ),
    );
    let conf = conf.display().to_string();
    net.spawn(
        ns,
        "kea",
        &[
            "env",
            &format!("KEA_PIDFILE_DIR={dir}"),
            &format!("KEA_LOCKFILE_DIR={dir}"),
            "kea-dhcp6",
            "-c",
            &conf,
        ],
    );
}

/// The NGN-like upstream: a default route and a prefix from NTT's 2001:c90::/32.
const NGN: &str = "    AdvDefaultLifetime 1800;\n    prefix 2001:c90:1234:5678::/64 { };";
const NGN_MAC: &str = "00:3a:9d:11:22:33";
/// An Apple TV as a Thread border router: no default route, a ULA prefix and a ULA route.
const APPLE_TV: &str = "    AdvDefaultLifetime 0;\n    prefix fd12:3456:789a:1::/64 { };\n    route fd00:1234:5678::/48 { };";
const APPLE_MAC: &str = "f0:18:98:aa:bb:01";
const BUFFALO_MAC: &str = "10:6f:3f:12:34:56";
const DNSMASQ_MAC: &str = "50:41:b9:12:34:57";
const KEA_MAC: &str = "00:a0:b0:0a:0b:0c";
/// fake_router6 variants, each from its own Intel-OUI MAC.
const ATTACKERS: [(&str, &str); 3] = [
    ("-H", "00:1b:21:de:ad:01"),
    ("-D", "00:1b:21:de:ad:02"),
    ("-F", "00:1b:21:de:ad:03"),
];

/// A namespace for each fake_router6 variant; returns their names.
fn fake_router_hosts(net: &mut Net) -> Vec<String> {
    (0..ATTACKERS.len())
        .map(|i| net.host(&format!("atk{i}"), ATTACKERS[i].1, false))
        .collect()
}

/// Starts (or restarts) fake_router6 in each namespace of [`fake_router_hosts`]. Started
/// afresh before each scan: `fake_router6 -D` stops sending after some ten seconds.
fn start_fake_routers(net: &mut Net, hosts: &[String]) {
    for ((flag, _), ns) in ATTACKERS.iter().zip(hosts) {
        let name = format!("fake_router6{flag}");
        net.stop(&name);
        net.spawn(
            ns,
            &name,
            &["atk6-fake_router6", flag, "eth0", "2001:db8:dead::/64"],
        );
    }
    std::thread::sleep(Duration::from_millis(300));
    net.assert_running();
}

#[test]
fn dhcpv6_servers_answer_the_solicit() {
    tools();
    let mut net = Net::new("dh");
    let term = net.host("term", TERM_MAC, false);
    let ns = net.host("dnsm", DNSMASQ_MAC, false);
    start_dnsmasq(&mut net, &ns);
    let ns = net.host("kea", KEA_MAC, false);
    start_kea(&mut net, &ns);
    std::thread::sleep(Duration::from_millis(1500));
    net.assert_running();

    let out = scan(&net, &term, &["--duration", "3"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(2), "{r}");
    for mac in [DNSMASQ_MAC, KEA_MAC] {
        let s = source(&r, mac).unwrap_or_else(|| panic!("{mac} did not answer: {r}"));
        assert!(
            effects(s).contains(&"dhcpv6_address".to_owned()),
            "{mac}: {s}"
        );
        assert_eq!(
            s["roles"],
            serde_json::json!(["dhcpv6_server"]),
            "{mac}: {s}"
        );
    }

    // The Solicit and Information-request as whole frames through the pnet handle (the
    // Windows path): both servers answer them.
    let out = scan(&net, &term, &["--duration", "3", "--backend", "pnet"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(2), "{r}");
    assert_eq!(r["probes"]["dhcpv6_solicit"], true, "{r}");
    for mac in [DNSMASQ_MAC, KEA_MAC] {
        let s = source(&r, mac).unwrap_or_else(|| panic!("pnet: {mac} did not answer: {r}"));
        assert!(
            effects(s).contains(&"dhcpv6_address".to_owned()),
            "pnet: {mac}: {s}"
        );
    }
}

#[test]
fn apple_thread_border_router_and_allowed_upstream() {
    tools();
    let mut net = Net::new("tb");
    let term = net.host("term", TERM_MAC, false);
    let up = net.host("ngn", NGN_MAC, true);
    start_radvd(&mut net, &up, "ngn", NGN);
    // The allowlisted upstream alone: OK.
    let out = scan(&net, &term, &["--duration", "4", "--allow", NGN_MAC]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(0), "{r}");
    assert_eq!(source(&r, NGN_MAC).expect("upstream")["expected"], true);

    let tv = net.host("atv", APPLE_MAC, true);
    start_radvd(&mut net, &tv, "atv", APPLE_TV);
    let out = scan(&net, &term, &["--duration", "4", "--allow", NGN_MAC]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(2), "{r}");
    let s = source(&r, APPLE_MAC).expect("the Apple TV was not found");
    assert_eq!(s["fingerprint"], "thread_border_router");
    assert_eq!(s["remedy"]["code"], "separate_line");
    assert_eq!(s["severity"], "critical");
}

#[test]
fn hidden_ras_from_thc_ipv6() {
    tools();
    let mut net = Net::new("hid");
    let term = net.host("term", TERM_MAC, false);
    let attackers = fake_router_hosts(&mut net);
    start_fake_routers(&mut net, &attackers);
    // fake_router6 sends its multicast RA every 5 s; with -F that one is cut short (a
    // 10-byte RA behind two fragment headers, which hosts drop), but the full RA it
    // sends, on its next 5 s tick, to each host it heard a Router Solicitation from is what
    // a terminal applies: scan with the probe, for longer than one tick.
    let out = scan(&net, &term, &["--duration", "7"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(2), "{r}");
    for (flag, mac) in ATTACKERS {
        let s =
            source(&r, mac).unwrap_or_else(|| panic!("fake_router6 {flag} ({mac}) not found: {r}"));
        assert!(
            effects(s).contains(&"hidden_ra".to_owned()),
            "fake_router6 {flag}: {s}"
        );
        assert_eq!(s["severity"], "critical", "fake_router6 {flag}: {s}");
    }
}

/// The terminal's addresses of `prefix` (a textual prefix of the address) and their sources.
fn host_sources(r: &serde_json::Value, prefix: &str) -> Vec<String> {
    r["host"]["addresses"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["address"].as_str().is_some_and(|t| t.starts_with(prefix)))
        .map(|a| a["source"].as_str().unwrap_or("none").to_owned())
        .collect()
}

#[test]
fn everything_on_one_segment() {
    tools();
    let mut net = Net::new("all");
    let term = net.host("term", TERM_MAC, false);
    let ns = net.host("ngn", NGN_MAC, true);
    start_radvd(&mut net, &ns, "ngn", NGN);
    let ns = net.host("buf", BUFFALO_MAC, true);
    start_radvd(&mut net, &ns, "buffalo", BUFFALO_UNICAST);
    let ns = net.host("atv", APPLE_MAC, true);
    start_radvd(&mut net, &ns, "atv", APPLE_TV);
    let ns = net.host("dnsm", DNSMASQ_MAC, false);
    start_dnsmasq(&mut net, &ns);
    let ns = net.host("kea", KEA_MAC, false);
    start_kea(&mut net, &ns);
    let attackers = fake_router_hosts(&mut net);
    std::thread::sleep(Duration::from_millis(1500));
    start_fake_routers(&mut net, &attackers);

    let out = scan(&net, &term, &["--duration", "7", "--allow", NGN_MAC]);
    let r = report(&out);
    net.assert_running();
    assert_eq!(out.status.code(), Some(2), "{r}");

    // Each device once, and nothing else.
    let mut macs: Vec<&str> = r["sources"]
        .as_array()
        .expect("sources")
        .iter()
        .filter_map(|s| s["mac"].as_str())
        .collect();
    macs.sort_unstable();
    let mut want = vec![NGN_MAC, BUFFALO_MAC, APPLE_MAC, DNSMASQ_MAC, KEA_MAC];
    want.extend(ATTACKERS.iter().map(|(_, mac)| *mac));
    want.sort_unstable();
    assert_eq!(macs, want, "{r}");
    assert_eq!(source(&r, NGN_MAC).expect("upstream")["expected"], true);
    assert_eq!(
        source(&r, BUFFALO_MAC).expect("buffalo")["remedy"]["code"],
        "disable_ipv6"
    );
    assert_eq!(
        source(&r, APPLE_MAC).expect("apple")["remedy"]["code"],
        "separate_line"
    );

    // The terminal's SLAAC addresses, each from the device whose prefix it is.
    assert_eq!(
        host_sources(&r, "2001:c90:1234:5678:"),
        [NGN_MAC],
        "{}",
        r["host"]
    );
    assert_eq!(
        host_sources(&r, "2001:db8:1:"),
        [BUFFALO_MAC],
        "{}",
        r["host"]
    );
    assert_eq!(
        host_sources(&r, "fd12:3456:789a:1:"),
        [APPLE_MAC],
        "{}",
        r["host"]
    );
    let dead = host_sources(&r, "2001:db8:dead:");
    assert_eq!(dead.len(), 1, "{}", r["host"]);
    assert!(
        ATTACKERS.iter().any(|(_, mac)| *mac == dead[0]),
        "{}",
        r["host"]
    );

    // The text report names each device in a section of its own, once.
    let bin = v6sentinel().to_str().expect("path");
    let args = [
        bin,
        "scan",
        "-i",
        "eth0",
        "--lang",
        "en",
        "--duration",
        "7",
        "--allow",
        NGN_MAC,
    ];
    start_fake_routers(&mut net, &attackers);
    let text = net.exec(&term, &args);
    let text = String::from_utf8_lossy(&text.stdout);
    let headings: Vec<&str> = text.lines().filter(|l| l.starts_with('[')).collect();
    for mac in want.iter().filter(|m| **m != NGN_MAC) {
        let n = headings.iter().filter(|h| h.contains(mac)).count();
        assert_eq!(n, 1, "{mac} heads {n} sections:\n{text}");
    }
    assert_eq!(headings.len(), want.len() - 1, "{text}");
}

#[test]
fn bad_input() {
    tools();
    let net = Net::new("bad");
    let bin = v6sentinel().to_str().unwrap();
    let out = std::process::Command::new(bin)
        .args(["scan", "-i", "no-such-if0"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-if0"));
    let out = std::process::Command::new(bin)
        .args(["scan", "--allow", "bogus!"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("bogus!"));
    // Without CAP_NET_RAW: exit 3 and a message saying what is needed.
    let mut net = net;
    let term = net.host("term", TERM_MAC, false);
    let out = net.exec(
        &term,
        &[
            "setpriv",
            "--reuid=65534",
            "--regid=65534",
            "--clear-groups",
            "--inh-caps=-all",
            "--bounding-set=-all",
            bin,
            "scan",
            "-i",
            "eth0",
            "--duration",
            "1",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("CAP_NET_RAW") && err.contains("root"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");

    // An interface that is down.
    net.exec(
        &term,
        &[
            "ip", "link", "add", "dn0", "type", "veth", "peer", "name", "dn1",
        ],
    );
    let out = net.exec(&term, &[bin, "scan", "-i", "dn0", "--duration", "1"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("dn0 is down"), "{err}");
}
