//! The JSON output of real captures validates against `schemas/*.schema.json`, and says
//! what DESIGN.md's "JSON" section promises (codes, current state, ids).

use serde_json::Value;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use v6sentinel::capture::file::{Link, link, read_file};
use v6sentinel::detect::{Config, Detector, Event, EventKind, Subject, Timestamp};
use v6sentinel::oui::Registry;
use v6sentinel::report::{self, Context, Probes};
use v6sentinel::rules::Rules;

const REPORT_ID: &str = "https://v6sentinel.invalid/schemas/report.schema.json";
const ALERT_ID: &str = "https://v6sentinel.invalid/schemas/alert.schema.json";

struct Validator {
    schemas: boon::Schemas,
    report: boon::SchemaIndex,
    alert: boon::SchemaIndex,
}

fn load(name: &str) -> Value {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("schemas")
        .join(name);
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

impl Validator {
    fn new() -> Validator {
        let mut schemas = boon::Schemas::new();
        let mut compiler = boon::Compiler::new();
        compiler.enable_format_assertions();
        compiler
            .add_resource(REPORT_ID, load("report.schema.json"))
            .unwrap();
        compiler
            .add_resource(ALERT_ID, load("alert.schema.json"))
            .unwrap();
        let report = compiler
            .compile(REPORT_ID, &mut schemas)
            .unwrap_or_else(|e| panic!("report schema: {e:#}"));
        let alert = compiler
            .compile(ALERT_ID, &mut schemas)
            .unwrap_or_else(|e| panic!("alert schema: {e:#}"));
        Validator {
            schemas,
            report,
            alert,
        }
    }

    fn check(&self, index: boon::SchemaIndex, line: &str, what: &str) -> Value {
        assert!(!line.contains('\n'), "{what}: one line");
        let value: Value =
            serde_json::from_str(line).unwrap_or_else(|e| panic!("{what}: {e}: {line}"));
        if let Err(e) = self.schemas.validate(&value, index) {
            panic!("{what} does not match its schema:\n{e:#}\n{line}");
        }
        value
    }

    fn report(&self, line: &str, what: &str) -> Value {
        self.check(self.report, line, what)
    }

    fn alert(&self, line: &str, what: &str) -> Value {
        self.check(self.alert, line, what)
    }
}

struct Fed {
    detector: Detector,
    events: Vec<Event>,
    first: Timestamp,
    last: Timestamp,
}

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/captures")
        .join(name)
}

fn feed(names: &[&str]) -> Fed {
    let mut detector = Detector::new(
        Config::default(),
        Arc::new(Rules::embedded().clone()),
        Arc::new(Registry::embedded().clone()),
    );
    let mut events = Vec::new();
    let mut first = None;
    let mut last = Timestamp::default();
    for name in names {
        read_file(&capture(name), |r| {
            let t = Timestamp::from_micros(r.ts_micros);
            first.get_or_insert(t);
            last = last.max(t);
            match link(r.linktype, r.data) {
                Link::Ethernet(frame) => detector.handle_frame(t, frame),
                Link::Ipv6 { mac, packet } => {
                    detector.handle_packet(t, mac.unwrap_or_default(), packet)
                }
                Link::Other => {}
            }
            while let Some(e) = detector.poll_event() {
                events.push(e);
            }
        })
        .unwrap_or_else(|e| panic!("{name}: {e}"));
    }
    Fed {
        detector,
        events,
        first: first.unwrap_or_default(),
        last,
    }
}

fn context<'r>(fed: &Fed, rules: &'r Rules, names: &[&str]) -> Context<'r> {
    Context {
        interface: None,
        started: fed.first,
        duration: fed.last.since(fed.first),
        probes: Probes::default(),
        inputs: names.iter().map(|n| (*n).to_owned()).collect(),
        rules,
    }
}

fn all_captures() -> Vec<String> {
    let mut names: Vec<String> =
        std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/captures"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng"))
            .collect();
    names.sort();
    assert!(names.len() >= 20, "captures missing: {names:?}");
    names
}

#[test]
fn every_capture_report_matches_the_schema() {
    let v = Validator::new();
    let rules = Rules::embedded();
    for name in all_captures() {
        let fed = feed(&[name.as_str()]);
        let snap = fed.detector.snapshot(fed.last);
        let ctx = context(&fed, rules, &[name.as_str()]);
        let report = v.report(&report::report_json(&snap, &ctx), &name);
        assert_eq!(report["schema"], "v6sentinel.report/1");
        assert_eq!(report["verdict"], snap.verdict.as_str(), "{name}");
        assert_eq!(report["inputs"][0], name.as_str());
        assert_eq!(
            report["sources"].as_array().unwrap().len(),
            snap.findings.len(),
            "{name}"
        );
        // Non-expected sources come first.
        let expected: Vec<bool> = report["sources"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s["expected"].as_bool().unwrap())
            .collect();
        assert!(
            expected.windows(2).all(|w| w[0] <= w[1]),
            "{name}: {expected:?}"
        );
    }
}

#[test]
fn every_event_alert_matches_the_schema() {
    let v = Validator::new();
    let rules = Rules::embedded();
    let mut kinds = std::collections::BTreeSet::new();
    for name in all_captures() {
        let fed = feed(&[name.as_str()]);
        for event in &fed.events {
            let line = match event.subject {
                Subject::Source(mac) => {
                    let finding = fed.detector.finding(&mac);
                    assert!(finding.is_some(), "{name}: no finding for {mac}");
                    report::alert_json_with_rules(
                        event.time,
                        event.kind,
                        finding.as_ref(),
                        None,
                        "eth0",
                        fed.last,
                        rules,
                    )
                }
                Subject::Flood => {
                    let snap = fed.detector.snapshot(fed.last);
                    report::alert_json(
                        event.time,
                        event.kind,
                        None,
                        snap.flood.as_ref(),
                        "eth0",
                        fed.last,
                    )
                }
            };
            let alert = v.alert(&line, &format!("{name}: {event:?}"));
            kinds.insert(alert["kind"].as_str().unwrap().to_owned());
            match event.subject {
                Subject::Source(mac) => {
                    assert_eq!(alert["id"], format!("src:{mac}"));
                    assert_eq!(alert["source"]["mac"], mac.to_string());
                    assert_eq!(alert["source"]["severity"], alert["severity"]);
                    // The same source object as in the report (up to the time it is judged at).
                    let snap = fed.detector.snapshot(fed.last);
                    let ctx = context(&fed, rules, &[]);
                    let report: Value =
                        serde_json::from_str(&report::report_json(&snap, &ctx)).unwrap();
                    let in_report = report["sources"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .find(|s| s["mac"] == mac.to_string())
                        .unwrap();
                    assert_eq!(&alert["source"], in_report, "{name}");
                }
                Subject::Flood => {
                    assert_eq!(alert["id"], "flood:eth0");
                    assert!(alert.get("source").is_none());
                    assert!(alert["flood"]["new_sources"].as_u64().unwrap() > 0);
                }
            }
        }
    }
    assert!(
        kinds.contains("source") && kinds.contains("flood"),
        "{kinds:?}"
    );
}

#[test]
fn resolved_flood_alert() {
    let v = Validator::new();
    let mut fed = feed(&["thc-flood_router26.pcap"]);
    let later = fed.last.add_secs(60);
    fed.detector.handle_timeout(later);
    let mut resolved = None;
    while let Some(e) = fed.detector.poll_event() {
        if e.subject == Subject::Flood {
            resolved = Some(e);
        }
    }
    let e = resolved.expect("the flood resolves once the senders stop");
    assert_eq!(e.kind, EventKind::Resolved);
    let snap = fed.detector.snapshot(later);
    let line = report::alert_json(e.time, e.kind, None, snap.flood.as_ref(), "eth0", later);
    let alert = v.alert(&line, "resolved flood");
    assert_eq!(alert["event"], "resolved");
    assert_eq!(alert["severity"], "info");
    assert_eq!(alert["error_011_risk"], false);
    assert!(alert["flood"]["ended"].is_string());
}

#[test]
fn buffalo_report_content() {
    let v = Validator::new();
    let rules = Rules::embedded();
    let fed = feed(&["radvd-buffalo.pcap"]);
    let snap = fed.detector.snapshot(fed.last);
    let mut ctx = context(&fed, rules, &[]);
    ctx.interface = Some("eth0");
    ctx.probes = Probes {
        router_solicitation: true,
        dhcpv6_solicit: true,
    };
    ctx.duration = core::time::Duration::from_millis(5003);
    let r = v.report(&report::report_json(&snap, &ctx), "buffalo");
    assert_eq!(r["verdict"], "critical");
    assert_eq!(r["error_011_risk"], true);
    assert_eq!(r["interface"], "eth0");
    assert_eq!(r["duration_ms"], 5003);
    assert_eq!(r["probes"]["router_solicitation"], true);
    assert_eq!(r["host"], Value::Null);
    assert_eq!(r["flood"], Value::Null);
    let s = &r["sources"][0];
    assert_eq!(s["mac"], "10:6f:3f:12:34:56");
    assert_eq!(s["link_local"], "fe80::126f:3fff:fe12:3456");
    assert_eq!(s["roles"], serde_json::json!(["router"]));
    assert_eq!(s["expected"], false);
    assert_eq!(s["severity"], "critical");
    assert_eq!(s["remedy"]["code"], "disable_ipv6");
    assert_eq!(s["packets"], 4);
    let ra = &s["router_advertisement"];
    assert_eq!(ra["other"], true);
    assert_eq!(ra["managed"], false);
    assert_eq!(ra["mtu"], 1454);
    assert_eq!(
        ra["prefixes"],
        serde_json::json!([{"prefix":"2001:db8:1::/64","on_link":true,"autonomous":true,
            "valid_lifetime_s":86400,"preferred_lifetime_s":14400}])
    );
    assert_eq!(s["dhcpv6"], Value::Null);
    // Times: RFC 3339 UTC with microseconds.
    let t = r["started"].as_str().unwrap();
    assert_eq!(t.len(), 27, "{t}");
}

#[test]
fn apple_thread_report_content() {
    let v = Validator::new();
    let rules = Rules::embedded();
    let fed = feed(&["radvd-apple-thread.pcap"]);
    let snap = fed.detector.snapshot(fed.last);
    let r = v.report(
        &report::report_json(&snap, &context(&fed, rules, &[])),
        "apple",
    );
    let s = &r["sources"][0];
    assert_eq!(s["mac"], "f0:18:98:aa:bb:01");
    assert_eq!(s["fingerprint"], "thread_border_router");
    assert_eq!(s["remedy"]["code"], "separate_line");
    assert_eq!(s["router_advertisement"]["router_lifetime_s"], 0);
    assert_eq!(
        s["router_advertisement"]["prefixes"][0]["prefix"],
        "fd12:3456:789a:1::/64"
    );
}

#[test]
fn current_state_drops_what_ran_out() {
    let v = Validator::new();
    let rules = Rules::embedded();
    let fed = feed(&["radvd-buffalo.pcap"]);
    // Two days later every lifetime radvd advertised (at most 1 d) has run out.
    let later = fed.last.add_secs(2 * 86_400);
    let snap = fed.detector.snapshot(later);
    let r = v.report(
        &report::report_json(&snap, &context(&fed, rules, &[])),
        "later",
    );
    let ra = &r["sources"][0]["router_advertisement"];
    assert_eq!(ra["prefixes"], serde_json::json!([]));
    assert_eq!(ra["rdnss"], serde_json::json!([]));
    assert_eq!(ra["dnssl"], serde_json::json!([]));
    // The header of the latest RA stays.
    assert_eq!(ra["mtu"], 1454);
}

#[test]
fn dhcpv6_and_many_options_reports() {
    let v = Validator::new();
    let rules = Rules::embedded();
    let fed = feed(&["scapy-edge.pcap"]);
    let snap = fed.detector.snapshot(fed.last);
    let r = v.report(
        &report::report_json(&snap, &context(&fed, rules, &[])),
        "scapy-edge",
    );
    let server = r["sources"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["dhcpv6"].is_object())
        .expect("a DHCPv6 server");
    let d = &server["dhcpv6"];
    assert!(d["server_duid"].as_str().unwrap().len() >= 8);
    assert!(!d["addresses"].as_array().unwrap().is_empty());
    assert!(!d["prefixes"].as_array().unwrap().is_empty());
    assert!(!d["dns"].as_array().unwrap().is_empty());

    let fed = feed(&["radvd-many-options.pcap"]);
    let snap = fed.detector.snapshot(fed.last);
    let r = v.report(
        &report::report_json(&snap, &context(&fed, rules, &[])),
        "many",
    );
    let ra = &r["sources"][0]["router_advertisement"];
    // The prefix advertised with valid lifetime 0 is not current.
    assert!(
        !ra["prefixes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|p| p["prefix"] == "2001:db8:dead::/64"),
        "{ra}"
    );
    assert!(!ra["rdnss"].as_array().unwrap().is_empty(), "{ra}");
}

#[test]
fn flood_report() {
    let v = Validator::new();
    let rules = Rules::embedded();
    let fed = feed(&["thc-flood_router26.pcap"]);
    let snap = fed.detector.snapshot(fed.last);
    let r = v.report(
        &report::report_json(&snap, &context(&fed, rules, &[])),
        "flood",
    );
    assert_eq!(r["verdict"], "critical");
    let f = &r["flood"];
    assert_eq!(f["window_s"], 10);
    assert_eq!(f["kept"], r["sources"].as_array().unwrap().len());
    assert!(f["new_sources"].as_u64().unwrap() > 100, "{f}");
}

#[test]
fn schemas_reject_what_they_should() {
    let v = Validator::new();
    let rules = Rules::embedded();
    let fed = feed(&["radvd-buffalo.pcap"]);
    let snap = fed.detector.snapshot(fed.last);
    let good: Value =
        serde_json::from_str(&report::report_json(&snap, &context(&fed, rules, &[]))).unwrap();
    let bad = |edit: &dyn Fn(&mut Value)| {
        let mut value = good.clone();
        edit(&mut value);
        assert!(
            v.schemas.validate(&value, v.report).is_err(),
            "accepted: {value}"
        );
    };
    bad(&|r| r["extra"] = Value::Bool(true));
    bad(&|r| r["verdict"] = "bad".into());
    bad(&|r| r["error_011_risk"] = false.into());
    bad(&|r| r["sources"][0]["mac"] = "10:6F:3F:12:34:56".into());
    bad(&|r| r["sources"][0]["effects"] = serde_json::json!(["teleport"]));
    bad(&|r| r["sources"][0]["first_seen"] = "2026-11-24T16:31:50Z".into());
    bad(&|r| {
        r["sources"][0]["router_advertisement"]["prefixes"][0]["prefix"] = "2001:db8:1::".into()
    });
    bad(&|r| r["sources"][0]["remedy"]["code"] = "reboot".into());
    bad(&|r| {
        r["sources"][0]["router_advertisement"]
            .as_object_mut()
            .unwrap()
            .remove("mtu");
    });
    assert!(v.schemas.validate(&good, v.report).is_ok());
}
