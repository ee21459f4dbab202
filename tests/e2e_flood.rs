//! RA floods against `watch`, end to end: thc-ipv6's flood_router26 and flood_router6 in
//! a namespace of their own, the real service in the terminal's. Shortened for CI (a
//! 10-second flood); the 60-second runs are in RELIABILITY.md. Needs root.
#![cfg(target_os = "linux")]

mod common;

use common::netns::{Net, radvd_conf, require, v6sentinel};
use common::scan::alerts;
use serde_json::Value;
use std::time::Duration;

const TERM_MAC: &str = "02:76:36:00:00:01";
const BUFFALO_MAC: &str = "10:6f:3f:12:34:56";
const FLOOD_SECS: &str = "10";

fn count(all: &[Value], event: &str, id: &str) -> usize {
    all.iter()
        .filter(|a| a["event"] == event && a["id"] == id)
        .count()
}

/// One metric's value from the Prometheus text (the first sample whose line starts with
/// `prefix`).
fn metric(text: &str, prefix: &str) -> f64 {
    text.lines()
        .find(|l| l.starts_with(prefix))
        .and_then(|l| l.rsplit(' ').next())
        .and_then(|v| v.parse().ok())
        .unwrap_or_else(|| panic!("no metric {prefix} in:\n{text}"))
}

fn flood(tool: &str) {
    require(&[
        ("ip", "iproute2"),
        ("radvd", "radvd"),
        (tool, "thc-ipv6"),
        ("python3", "python3"),
    ]);
    let mut net = Net::new(&tool[tool.len() - 2..]);
    let term = net.host("term", TERM_MAC, false);
    let buf = net.host("buf", BUFFALO_MAC, true);
    let atk = net.host("atk", "00:1b:21:de:ad:01", false);
    let alerts_file = net.dir.join("alerts.jsonl");
    let (bin, file) = (
        v6sentinel().display().to_string(),
        alerts_file.display().to_string(),
    );
    net.spawn(
        &term,
        "watch",
        &[
            &bin,
            "watch",
            "-i",
            "eth0",
            "--alerts-file",
            &file,
            "--metrics",
            "127.0.0.1:9810",
        ],
    );
    // A real offender first.
    let conf = net.file("radvd.conf", &radvd_conf("    prefix 2001:db8:1::/64 { };"));
    let conf = conf.display().to_string();
    net.spawn(
        &buf,
        "radvd",
        &["radvd", "-n", "-C", &conf, "-u", "root", "-m", "stderr"],
    );
    let buffalo = format!("src:{BUFFALO_MAC}");
    let raised = net.wait_for(Duration::from_secs(20), || {
        count(&alerts(&alerts_file), "raised", &buffalo) == 1
    });
    assert!(
        raised,
        "watch: {}\nradvd: {}",
        net.log("watch"),
        net.log("radvd")
    );

    // The flood.
    let rx = |net: &Net| -> u64 {
        let out = net.exec(&term, &["cat", "/sys/class/net/eth0/statistics/rx_packets"]);
        String::from_utf8_lossy(&out.stdout)
            .trim()
            .parse()
            .unwrap_or(0)
    };
    let rx0 = rx(&net);
    let out = net.exec(&atk, &["timeout", FLOOD_SECS, tool, "eth0"]);
    assert!(
        out.status.code() == Some(124),
        "{tool} did not run for {FLOOD_SECS} s: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let arrived = rx(&net) - rx0;
    assert!(
        arrived > 1000,
        "the flood hardly reached the terminal: {arrived} frames"
    );
    assert!(
        net.running("watch"),
        "watch died in the flood: {}",
        net.log("watch")
    );

    // It ends: one raised and one resolved flood alert, a window after the last sender.
    let ended = net.wait_for(Duration::from_secs(20), || {
        count(&alerts(&alerts_file), "resolved", "flood:eth0") == 1
    });
    let all = alerts(&alerts_file);
    assert!(ended, "no resolved flood alert: {all:#?}");
    assert_eq!(count(&all, "raised", "flood:eth0"), 1);
    assert!(all.len() < 60, "{} alert lines for one flood", all.len());
    // The offender raised before it is still raised, once.
    assert_eq!(count(&all, "raised", &buffalo), 1);
    assert_eq!(count(&all, "resolved", &buffalo), 0);

    // Nothing lost, memory bounded.
    let script = "import urllib.request; print(urllib.request.urlopen('http://127.0.0.1:9810/metrics').read().decode())";
    let text = net.exec(&term, &["/usr/bin/python3", "-c", script]);
    let text = String::from_utf8_lossy(&text.stdout).into_owned();
    let received = metric(
        &text,
        "v6sentinel_capture_received_frames_total{interface=\"eth0\"}",
    );
    let dropped = metric(
        &text,
        "v6sentinel_capture_dropped_frames_total{interface=\"eth0\",stage=\"kernel\"}",
    );
    assert!(
        dropped <= received * 0.01,
        "{dropped} of {received} frames dropped by the kernel"
    );
    assert!(
        received >= arrived as f64 * 0.99 - 50.0,
        "{received} frames read of {arrived} that reached eth0"
    );
    let pid = net.pid("watch");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    let rss_kb: u64 = status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches(" kB").trim().parse().ok())
        .unwrap_or(u64::MAX);
    assert!(
        rss_kb < 32 * 1024,
        "RSS {rss_kb} kB after the flood:\n{status}"
    );
    let exit = net.terminate("watch", Duration::from_secs(15));
    assert_eq!(exit.and_then(|s| s.code()), Some(0), "{}", net.log("watch"));
}

/// Both tools, one after the other: two floods at once would starve each other's
/// namespaces of CPU (the terminal's kernel takes every RA too) and test the machine,
/// not the service.
#[test]
fn floods_are_one_alert_each() {
    flood("atk6-flood_router26");
    flood("atk6-flood_router6");
}
