//! `v6sentinel watch` end to end: the real service in a terminal namespace on a bridge,
//! real radvd in namespaces of their own, a real HTTP server as the webhook. Needs root.
//! Lifetimes are short so that resolution is driven by the detector's timers, not sleeps.
#![cfg(target_os = "linux")]

mod common;

use common::netns::{Net, radvd_conf, require, v6sentinel};
use common::scan::alerts;
use serde_json::Value;
use std::path::{Path, PathBuf};
use std::time::Duration;

const TERM_MAC: &str = "02:76:36:00:00:01";
const BUFFALO_MAC: &str = "10:6f:3f:12:34:56";
const APPLE_MAC: &str = "f0:18:98:aa:bb:01";

/// A Buffalo router whose every lifetime is short: 6 s default route, 8 s prefix.
const SHORT_LIVED: &str = "    AdvDefaultLifetime 6;\n    prefix 2001:db8:1::/64 { AdvValidLifetime 8; AdvPreferredLifetime 4; };";
/// An Apple TV as a Thread border router.
const APPLE_TV: &str = "    AdvDefaultLifetime 0;\n    prefix fd12:3456:789a:1::/64 { };\n    route fd00:1234:5678::/48 { };";

fn tools() {
    require(&[
        ("ip", "iproute2"),
        ("radvd", "radvd"),
        ("python3", "python3"),
    ]);
}

fn start_radvd(net: &mut Net, ns: &str, name: &str, body: &str) {
    let conf = net.file(&format!("{name}.conf"), &radvd_conf(body));
    let pid = net.dir.join(format!("{name}.pid"));
    let (conf, pid) = (conf.display().to_string(), pid.display().to_string());
    net.spawn(
        ns,
        name,
        &[
            "radvd", "-n", "-C", &conf, "-p", &pid, "-u", "root", "-m", "stderr",
        ],
    );
    std::thread::sleep(Duration::from_millis(300));
    net.assert_running();
}

/// Starts `watch` in `ns` as daemon `name`, its alerts appended to `DIR/name.jsonl`
/// (plus whatever `args` add); returns that path.
fn start_watch(net: &mut Net, ns: &str, name: &str, args: &[&str]) -> PathBuf {
    let alerts = net.dir.join(format!("{name}.jsonl"));
    // Writable by the user `--user` switches to.
    std::fs::write(&alerts, "").expect("alerts file");
    std::fs::set_permissions(&alerts, std::os::unix::fs::PermissionsExt::from_mode(0o666))
        .expect("chmod");
    let bin = v6sentinel().display().to_string();
    let file = alerts.display().to_string();
    let mut cmd = vec![bin.as_str(), "watch", "-i", "eth0", "--alerts-file", &file];
    cmd.extend_from_slice(args);
    net.spawn(ns, name, &cmd);
    std::thread::sleep(Duration::from_millis(500));
    assert!(net.running(name), "watch exited: {}", net.log(name));
    alerts
}

/// Waits until an alert matching `event` and `id` is in `path`.
fn wait_alert(net: &Net, path: &Path, event: &str, id: &str, timeout: Duration) -> Vec<Value> {
    let found = net.wait_for(timeout, || {
        alerts(path)
            .iter()
            .any(|a| a["event"] == event && a["id"] == id)
    });
    let all = alerts(path);
    assert!(
        found,
        "no `{event}` alert for {id} within {timeout:?}: {all:#?}"
    );
    all
}

fn count(all: &[Value], event: &str, id: &str) -> usize {
    all.iter()
        .filter(|a| a["event"] == event && a["id"] == id)
        .count()
}

/// `GET path` from the service's metrics port inside `ns`, through Python's urllib:
/// (status, body).
fn http_get(net: &Net, ns: &str, url: &str) -> (u16, String) {
    let script = "import sys, urllib.request, urllib.error\n\
        try:\n    r = urllib.request.urlopen(sys.argv[1], timeout=5); print(r.status); print(r.read().decode())\n\
        except urllib.error.HTTPError as e:\n    print(e.code); print(e.read().decode())\n";
    let out = net.exec(ns, &["/usr/bin/python3", "-c", script, url]);
    let text = String::from_utf8_lossy(&out.stdout).into_owned();
    let (status, body) = text.split_once('\n').unwrap_or((&text, ""));
    (status.trim().parse().unwrap_or(0), body.to_owned())
}

#[test]
fn raised_once_then_resolved_when_the_lifetimes_run_out() {
    tools();
    let mut net = Net::new("wl");
    let term = net.host("term", TERM_MAC, false);
    let buf = net.host("buf", BUFFALO_MAC, true);
    let alerts_file = start_watch(
        &mut net,
        &term,
        "watch",
        &["--metrics", "127.0.0.1:9810", "--user", "nobody"],
    );
    start_radvd(&mut net, &buf, "radvd", SHORT_LIVED);
    let id = format!("src:{BUFFALO_MAC}");
    wait_alert(&net, &alerts_file, "raised", &id, Duration::from_secs(10));
    // Several more RAs: still raised once.
    std::thread::sleep(Duration::from_secs(5));
    // The device is unplugged: no goodbye RA, only the lifetimes running out.
    net.signal("radvd", "KILL");
    let all = wait_alert(&net, &alerts_file, "resolved", &id, Duration::from_secs(20));
    assert_eq!(count(&all, "raised", &id), 1, "{all:#?}");
    assert_eq!(count(&all, "resolved", &id), 1, "{all:#?}");
    let raised = all.iter().find(|a| a["event"] == "raised").expect("raised");
    assert_eq!(raised["severity"], "critical");
    assert_eq!(raised["interface"], "eth0");
    assert_eq!(raised["source"]["offender"]["id"], "buffalo-wifi-router");

    // Metrics and health, served by the unprivileged process.
    let (status, body) = http_get(&net, &term, "http://127.0.0.1:9810/metrics");
    assert_eq!(status, 200, "{body}");
    for metric in [
        "v6sentinel_build_info",
        "v6sentinel_last_loop_timestamp_seconds",
        "v6sentinel_alerts_total",
    ] {
        assert!(body.contains(metric), "{metric} missing:\n{body}");
    }
    let (status, body) = http_get(&net, &term, "http://127.0.0.1:9810/healthz");
    assert_eq!(status, 200, "{body}");

    // It switched to nobody and kept only CAP_NET_RAW (bit 13).
    let pid = net.pid("watch");
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    assert!(status.contains("Uid:\t65534"), "{status}");
    assert!(status.contains("CapEff:\t0000000000002000"), "{status}");

    let exit = net.terminate("watch", Duration::from_secs(15));
    assert_eq!(exit.and_then(|s| s.code()), Some(0), "{}", net.log("watch"));
}

/// A webhook receiver: appends each POSTed body as one line to `out`.
const RECEIVER: &str = r#"
import http.server, sys
out = sys.argv[2]
class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with open(out, "ab") as f:
            f.write(body.rstrip(b"\n") + b"\n")
        self.send_response(200)
        self.end_headers()
    def log_message(self, *args):
        pass
http.server.HTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
"#;

#[test]
fn webhook_down_then_up_gets_every_alert_once_in_order() {
    tools();
    let mut net = Net::new("wh");
    let term = net.host("term", TERM_MAC, false);
    let buf = net.host("buf", BUFFALO_MAC, true);
    let atv = net.host("atv", APPLE_MAC, true);
    let spool = net.dir.join("spool");
    let received = net.dir.join("received.jsonl");
    let spool_arg = spool.display().to_string();
    let alerts_file = start_watch(
        &mut net,
        &term,
        "watch",
        &[
            "--webhook",
            "http://127.0.0.1:8080/alerts",
            "--spool-dir",
            &spool_arg,
        ],
    );
    // While the endpoint is down: two devices raised, one of them resolved.
    start_radvd(&mut net, &buf, "buffalo", SHORT_LIVED);
    start_radvd(&mut net, &atv, "atv", APPLE_TV);
    let buffalo = format!("src:{BUFFALO_MAC}");
    wait_alert(
        &net,
        &alerts_file,
        "raised",
        &buffalo,
        Duration::from_secs(10),
    );
    wait_alert(
        &net,
        &alerts_file,
        "raised",
        &format!("src:{APPLE_MAC}"),
        Duration::from_secs(10),
    );
    net.signal("buffalo", "KILL");
    let sent = wait_alert(
        &net,
        &alerts_file,
        "resolved",
        &buffalo,
        Duration::from_secs(20),
    );
    assert!(sent.len() >= 3, "{sent:#?}");
    assert!(!received.exists());

    // The endpoint comes up: everything spooled arrives, in order, once.
    let script = net.file("receiver.py", RECEIVER);
    let (script, out) = (script.display().to_string(), received.display().to_string());
    net.spawn(
        &term,
        "receiver",
        &["/usr/bin/python3", &script, "8080", &out],
    );
    let delivered = net.wait_for(Duration::from_secs(60), || {
        alerts(&received).len() >= alerts(&alerts_file).len()
    });
    let (got, want) = (alerts(&received), alerts(&alerts_file));
    assert!(
        delivered,
        "delivered {} of {}:\n{}",
        got.len(),
        want.len(),
        net.log("watch")
    );
    assert_eq!(
        got, want,
        "the webhook must get exactly the alerts, in order"
    );

    let exit = net.terminate("watch", Duration::from_secs(15));
    assert_eq!(exit.and_then(|s| s.code()), Some(0), "{}", net.log("watch"));
    assert_eq!(alerts(&received), alerts(&alerts_file));
}

#[test]
fn capture_resumes_when_the_link_comes_back() {
    tools();
    let mut net = Net::new("wr");
    let term = net.host("term", TERM_MAC, false);
    let buf = net.host("buf", BUFFALO_MAC, true);
    let alerts_file = start_watch(&mut net, &term, "watch", &[]);
    // The cable is pulled (the interface disappears) and plugged back.
    net.replug(&term, TERM_MAC, Duration::from_secs(2));
    assert!(
        net.running("watch"),
        "watch ended with its interface: {}",
        net.log("watch")
    );
    let resumed = net.wait_for(Duration::from_secs(10), || {
        net.log("watch").contains("resumed")
    });
    assert!(resumed, "{}", net.log("watch"));
    start_radvd(&mut net, &buf, "radvd", SHORT_LIVED);
    wait_alert(
        &net,
        &alerts_file,
        "raised",
        &format!("src:{BUFFALO_MAC}"),
        Duration::from_secs(10),
    );
    let exit = net.terminate("watch", Duration::from_secs(15));
    assert_eq!(exit.and_then(|s| s.code()), Some(0), "{}", net.log("watch"));
}

#[test]
fn sighup_with_a_broken_config_keeps_the_old_one() {
    tools();
    let mut net = Net::new("wc");
    let term = net.host("term", TERM_MAC, false);
    let buf = net.host("buf", BUFFALO_MAC, true);
    let atv = net.host("atv", APPLE_MAC, true);
    let alerts_file = net.dir.join("alerts.jsonl");
    let good = format!(
        "interfaces = [\"eth0\"]\n[[sink]]\ntype = \"file\"\npath = \"{}\"\n",
        alerts_file.display()
    );
    let config = net.file("v6sentinel.toml", &good);
    let bin = v6sentinel().display().to_string();
    let config_arg = config.display().to_string();
    net.spawn(&term, "watch", &[&bin, "watch", "--config", &config_arg]);
    std::thread::sleep(Duration::from_millis(500));
    assert!(net.running("watch"), "{}", net.log("watch"));
    start_radvd(&mut net, &buf, "buffalo", SHORT_LIVED);
    let buffalo = format!("src:{BUFFALO_MAC}");
    wait_alert(
        &net,
        &alerts_file,
        "raised",
        &buffalo,
        Duration::from_secs(10),
    );

    // A broken file: the reload fails, says where, and the old configuration runs on.
    std::fs::write(&config, "interfaces = [\"eth0\"\nallow = 3\n").expect("write");
    net.signal("watch", "HUP");
    let failed = net.wait_for(Duration::from_secs(5), || {
        net.log("watch").contains("reload failed")
    });
    assert!(failed, "{}", net.log("watch"));
    assert!(
        net.log("watch").contains("v6sentinel.toml:"),
        "{}",
        net.log("watch")
    );
    start_radvd(&mut net, &atv, "atv", APPLE_TV);
    wait_alert(
        &net,
        &alerts_file,
        "raised",
        &format!("src:{APPLE_MAC}"),
        Duration::from_secs(10),
    );

    // A good one that expects the Buffalo router: it is resolved.
    std::fs::write(&config, format!("allow = [\"{BUFFALO_MAC}\"]\n{good}")).expect("write");
    net.signal("watch", "HUP");
    wait_alert(
        &net,
        &alerts_file,
        "resolved",
        &buffalo,
        Duration::from_secs(10),
    );
    assert!(net.log("watch").contains("configuration reloaded"));

    // SIGTERM: exit 0, every alert written.
    let before = alerts(&alerts_file).len();
    let exit = net.terminate("watch", Duration::from_secs(15));
    assert_eq!(exit.and_then(|s| s.code()), Some(0), "{}", net.log("watch"));
    let after = std::fs::read_to_string(&alerts_file).unwrap_or_default();
    assert!(after.ends_with('\n'));
    assert!(alerts(&alerts_file).len() >= before);
}

#[test]
fn the_periodic_probe_finds_a_router_that_only_answers() {
    tools();
    let mut net = Net::new("wp");
    let term = net.host("term", TERM_MAC, false);
    let buf = net.host("buf", BUFFALO_MAC, true);
    start_radvd(
        &mut net,
        &buf,
        "radvd",
        &format!("    UnicastOnly on;\n{SHORT_LIVED}"),
    );
    let alerts_file = start_watch(&mut net, &term, "watch", &["--probe-interval", "10"]);
    wait_alert(
        &net,
        &alerts_file,
        "raised",
        &format!("src:{BUFFALO_MAC}"),
        Duration::from_secs(5),
    );
    let exit = net.terminate("watch", Duration::from_secs(15));
    assert_eq!(exit.and_then(|s| s.code()), Some(0), "{}", net.log("watch"));

    // Without probes it stays silent.
    let quiet = start_watch(&mut net, &term, "passive", &[]);
    std::thread::sleep(Duration::from_secs(3));
    assert!(alerts(&quiet).is_empty(), "{:?}", alerts(&quiet));
}

#[test]
fn bad_configuration_exits_78_and_names_the_line() {
    let dir = std::env::temp_dir().join(format!("v6s-watch-{}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("dir");
    let config = dir.join("bad.toml");
    std::fs::write(
        &config,
        "interfaces = [\"eth0\"]\nprobe_interval_s = \"often\"\n",
    )
    .expect("write");
    let out = std::process::Command::new(v6sentinel())
        .args(["watch", "--config", config.to_str().expect("path")])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(78));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("bad.toml:2:"), "{err}");
    assert_eq!(err.lines().count(), 1, "{err}");
    let out = std::process::Command::new(v6sentinel())
        .args(["watch", "-i", "no-such-if7"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("no-such-if7"));
    std::fs::remove_dir_all(&dir).ok();
}
