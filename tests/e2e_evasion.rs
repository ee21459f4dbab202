//! RA-Guard evasion end to end: `v6sentinel scan` in a terminal namespace on a bridge with
//! thc-ipv6's `atk6-fake_router26` sending RAs with each evasion type of `-E`, and RAs
//! inside IPv6-in-IPv6 sent by scapy, each in a namespace of its own. Needs root,
//! thc-ipv6 and python3-scapy. (`fake_router6 -H/-D/-F` are in `tests/e2e_scan.rs`.)
#![cfg(target_os = "linux")]

mod common;

use common::netns::{Net, require};
use common::scan::{report, scan, source};
use std::path::Path;
use std::process::Command;
use std::time::Duration;

const TERM_MAC: &str = "02:76:36:00:00:01";
/// The prefix every fake_router26 advertises (autonomous, with a default route).
const PREFIX: &str = "2001:db8:dead::/64";

/// Each `-E` type of fake_router26 3.8, from its own Intel-OUI MAC.
const VARIANTS: [(&str, &str); 6] = [
    ("H", "00:1b:21:de:26:01"), // hop-by-hop header
    ("1", "00:1b:21:de:26:02"), // one-shot fragment headers (only on solicited RAs)
    ("D", "00:1b:21:de:26:03"), // large destination options header: fragments
    ("F", "00:1b:21:de:26:04"), // "full evasion": 32-byte fragments behind ext. headers
    ("O", "00:1b:21:de:26:05"), // overlapping fragments for keep-first stacks
    ("o", "00:1b:21:de:26:06"), // overlapping fragments for keep-last stacks
];

const PYTHON: &str = "/usr/bin/python3";

fn tools() {
    require(&[
        ("ip", "iproute2"),
        ("atk6-fake_router26", "thc-ipv6"),
        (PYTHON, "python3"),
    ]);
    let scapy = Command::new(PYTHON)
        .args(["-c", "import scapy.all"])
        .output()
        .is_ok_and(|o| o.status.success());
    assert!(
        scapy,
        "scapy is missing for {PYTHON}: install the Debian package python3-scapy (scripts/test.sh does)"
    );
}

fn effects(s: &serde_json::Value) -> Vec<&str> {
    s["effects"]
        .as_array()
        .map(|a| a.iter().filter_map(|e| e.as_str()).collect())
        .unwrap_or_default()
}

fn evidence(s: &serde_json::Value) -> String {
    s["evidence"].to_string()
}

/// Starts fake_router26 with each `-E` type, one RA a second, in the namespaces given.
fn start_fake_routers(net: &mut Net, hosts: &[String]) {
    for ((kind, _), ns) in VARIANTS.iter().zip(hosts) {
        net.spawn(
            ns,
            &format!("fake_router26-E{kind}"),
            &[
                "atk6-fake_router26",
                "-E",
                kind,
                "-A",
                PREFIX,
                "-i",
                "1",
                "eth0",
            ],
        );
    }
    std::thread::sleep(Duration::from_millis(500));
    net.assert_running();
}

#[test]
fn fake_router26_evasion_types() {
    tools();
    let mut net = Net::new("fr26");
    let term = net.host("term", TERM_MAC, false);
    let hosts: Vec<String> = VARIANTS
        .iter()
        .enumerate()
        .map(|(i, (_, mac))| net.host(&format!("e{i}"), mac, false))
        .collect();
    start_fake_routers(&mut net, &hosts);

    // Passive: only the RAs fake_router26 sends on its own, every second, evasion and all.
    let out = scan(&net, &term, &["--duration", "3", "--passive"]);
    let r = report(&out);
    net.assert_running();
    assert_eq!(out.status.code(), Some(2), "{r}");
    for (kind, mac) in VARIANTS {
        let s = source(&r, mac)
            .unwrap_or_else(|| panic!("fake_router26 -E {kind} ({mac}) not found: {r}"));
        match kind {
            // thc-ipv6 3.8 adds the one-shot fragment headers only to its answers to a
            // Router Solicitation: its periodic RA is a plain one.
            "1" => assert_eq!(s["severity"], "critical", "-E 1: {s}"),
            // Its periodic RA reassembles with a wrong checksum (a thc bug): hosts drop
            // it, so it configures nothing, but the attempt is reported.
            "F" => {
                assert_eq!(s["severity"], "warning", "-E F: {s}");
                assert_eq!(effects(s), ["hidden_ra"], "-E F: {s}");
                assert!(evidence(s).contains("checksum"), "-E F: {s}");
            }
            // The RA only in a fragment (D), behind a hop-by-hop header (H), or in one
            // reading of overlapping fragments (O, o): applied, so critical.
            _ => {
                let e = effects(s);
                for want in ["hidden_ra", "slaac_address", "default_route"] {
                    assert!(e.contains(&want), "-E {kind}: no {want} in {s}");
                }
                assert_eq!(s["severity"], "critical", "-E {kind}: {s}");
                if kind.eq_ignore_ascii_case("o") {
                    assert!(evidence(s).contains("RFC 5722"), "-E {kind}: {s}");
                }
            }
        }
    }

    // With the probe: each answers the Router Solicitation too (-E 1 with two stacked
    // one-shot fragment headers, the others plain or as they send periodically), and
    // every one is reported hidden_ra and critical. (fake_router26 3.8 -E D crashes after
    // answering a solicitation, so this scan comes last.)
    let out = scan(&net, &term, &["--duration", "3"]);
    let r = report(&out);
    assert_eq!(out.status.code(), Some(2), "{r}");
    assert_eq!(r["probes"]["router_solicitation"], true);
    for (kind, mac) in VARIANTS {
        let s = source(&r, mac)
            .unwrap_or_else(|| panic!("fake_router26 -E {kind} ({mac}) not found: {r}"));
        assert!(effects(s).contains(&"hidden_ra"), "-E {kind}: {s}");
        assert_eq!(s["severity"], "critical", "-E {kind}: {s}");
        assert_eq!(s["roles"], serde_json::json!(["router"]), "-E {kind}: {s}");
    }
}

#[test]
fn ra_inside_ipv6_in_ipv6() {
    tools();
    let mut net = Net::new("tun");
    let term = net.host("term", TERM_MAC, false);
    let tun_mac = "00:1b:21:de:26:41";
    let tun = net.host("tun", tun_mac, false);
    for (ns, addr) in [(&term, "fd00:5e::1/64"), (&tun, "fd00:5e::2/64")] {
        net.exec(
            ns,
            &["ip", "-6", "addr", "add", addr, "dev", "eth0", "nodad"],
        );
    }
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures/scapy-ip6ip6.py");
    let script = script.to_str().expect("path");
    net.spawn(
        &tun,
        "scapy-ip6ip6",
        &[PYTHON, script, "eth0", TERM_MAC, "20", "0.5"],
    );
    // Python and scapy take a moment to start.
    std::thread::sleep(Duration::from_secs(2));
    net.assert_running();

    let out = scan(&net, &term, &["--duration", "3", "--passive"]);
    let r = report(&out);
    assert!(
        net.running("scapy-ip6ip6"),
        "the sender stopped early: {}",
        net.log("scapy-ip6ip6")
    );
    // The sender is reported, hidden_ra alone: a warning, not critical.
    assert_eq!(out.status.code(), Some(1), "{r}");
    let s = source(&r, tun_mac).unwrap_or_else(|| panic!("the tunnel's sender not found: {r}"));
    assert_eq!(s["severity"], "warning", "{s}");
    assert_eq!(effects(s), ["hidden_ra"], "{s}");
    assert_eq!(s["router_advertisement"], serde_json::Value::Null, "{s}");
    assert!(evidence(s).contains("IPv6-in-IPv6"), "{s}");
    // And rightly so: the terminal, which terminates no tunnel, took nothing from it.
    let addresses = r["host"]["addresses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        !addresses.is_empty(),
        "no host state in the report: {}",
        r["host"]
    );
    assert!(
        addresses.iter().all(|a| !a["address"]
            .as_str()
            .unwrap_or("")
            .starts_with("2001:db8:7e:")),
        "the terminal took an address from the tunnelled RA: {}",
        r["host"]
    );
    let routes = net.exec(&term, &["ip", "-6", "route", "show", "default"]);
    assert!(
        routes.stdout.is_empty(),
        "the terminal took a default route from the tunnelled RA: {}",
        String::from_utf8_lossy(&routes.stdout)
    );
}
