//! The real binary on real captures: exit codes, JSON, both languages, bad input.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_v6sentinel"));
    c.env_remove("LANG");
    c
}

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/captures")
        .join(name)
}

fn run(args: &[&str]) -> Output {
    bin().args(args).output().expect("the binary runs")
}

fn analyze(file: &str, extra: &[&str]) -> Output {
    let path = capture(file);
    let mut args = vec!["analyze", path.to_str().unwrap()];
    args.extend_from_slice(extra);
    run(&args)
}

/// The JSON report of `analyze PATH`; the file (a filtered copy) is removed afterwards.
fn analyze_json_once(path: &Path) -> serde_json::Value {
    let r = json(&run(&[
        "analyze",
        path.to_str().unwrap(),
        "--format",
        "json",
    ]));
    std::fs::remove_file(path).unwrap();
    r
}

fn json(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

fn source<'a>(report: &'a serde_json::Value, mac: &str) -> &'a serde_json::Value {
    report["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["mac"] == mac))
        .unwrap_or_else(|| panic!("no source {mac} in {report}"))
}

#[test]
fn buffalo_radvd_is_critical_in_both_languages() {
    let out = analyze("radvd-buffalo.pcap", &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r = json(&out);
    assert_eq!(r["schema"], "v6sentinel.report/1");
    assert_eq!(r["verdict"], "critical");
    assert_eq!(r["error_011_risk"], true);
    let s = source(&r, "10:6f:3f:12:34:56");
    assert_eq!(s["vendor"], "BUFFALO.INC");
    assert_eq!(s["remedy"]["code"], "disable_ipv6");
    assert_eq!(s["offender"]["id"], "buffalo-wifi-router");

    for (lang, phrase) in [("ja", "対処方法１"), ("en", "Remedy 1")] {
        let out = analyze("radvd-buffalo.pcap", &["--lang", lang]);
        assert_eq!(out.status.code(), Some(2));
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(text.contains("BUFFALO"), "{lang}: {text}");
        assert!(text.contains(phrase), "{lang}: no {phrase} in {text}");
        let last = text.lines().last().unwrap_or_default();
        assert!(last.starts_with("CRITICAL - "), "{lang}: last line {last}");
        assert!(
            last.contains("10:6f:3f:12:34:56"),
            "{lang}: last line {last}"
        );
    }
    let ja = String::from_utf8_lossy(&analyze("radvd-buffalo.pcap", &["--lang", "ja"]).stdout)
        .into_owned();
    assert!(ja.contains("ネットワークエラー011"), "{ja}");
    assert!(ja.contains("0800-080-4583"), "{ja}");
    // LANG decides when --lang is absent.
    let out = bin()
        .env("LANG", "ja_JP.UTF-8")
        .args(["analyze", capture("radvd-buffalo.pcap").to_str().unwrap()])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("対処方法１"));
}

#[test]
fn thread_border_routers_get_separate_line() {
    for (file, mac, offender) in [
        (
            "radvd-apple-thread.pcap",
            "f0:18:98:aa:bb:01",
            Some("apple-tv"),
        ),
        ("radvd-randomized-thread.pcap", "7a:11:22:33:44:55", None),
    ] {
        let out = analyze(file, &["--format", "json"]);
        let r = json(&out);
        let s = source(&r, mac);
        assert_eq!(s["fingerprint"], "thread_border_router", "{file}");
        assert_eq!(s["remedy"]["code"], "separate_line", "{file}");
        match offender {
            Some(id) => assert_eq!(s["offender"]["id"], id),
            None => {
                assert!(s["offender"].is_null());
                assert_eq!(s["mac_randomized"], true);
            }
        }
        assert_eq!(out.status.code(), Some(2), "{file}");
    }
}

#[test]
fn ntt_gateway_alone_is_ok() {
    let out = analyze("radvd-ntt-nec.pcap", &["--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    let r = json(&out);
    assert_eq!(r["verdict"], "ok");
    let text = String::from_utf8_lossy(&analyze("radvd-ntt-nec.pcap", &["--lang", "en"]).stdout)
        .into_owned();
    assert!(
        text.lines().last().unwrap_or_default().starts_with("OK - "),
        "{text}"
    );
}

#[test]
fn rogue_dhcpv6_servers_are_critical() {
    for file in ["dnsmasq-dhcpv6-only.pcap", "kea-dhcp6.pcap"] {
        let out = analyze(file, &["--format", "json"]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let r = json(&out);
        let found = r["sources"].as_array().unwrap().iter().any(|s| {
            s["effects"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == "dhcpv6_address")
        });
        assert!(found, "{file}: no dhcpv6_address in {r}");
    }
}

#[test]
fn hidden_ras_from_thc_ipv6() {
    for file in [
        "thc-fake_router6-H.pcap",
        "thc-fake_router6-D.pcap",
        "thc-fake_router6-F.pcap",
    ] {
        let r = json(&analyze(file, &["--format", "json"]));
        let hidden = r["sources"].as_array().unwrap().iter().any(|s| {
            s["effects"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == "hidden_ra")
        });
        assert!(hidden, "{file}: no hidden_ra in {r}");
    }
    // Only fake_router6 -F's cut multicast RAs (hosts drop them): the sender is still
    // reported, hidden_ra alone, a warning.
    let r = json(&analyze(
        "thc-fake_router6-F-multicast.pcap",
        &["--format", "json"],
    ));
    assert_eq!(r["verdict"], "warning", "{r}");
    let s = source(&r, "00:1b:21:de:ad:01");
    assert_eq!(s["effects"], serde_json::json!(["hidden_ra"]));
}

/// A copy of the capture `file` (little-endian pcap, Ethernet) with only the frames whose
/// destination MAC passes `keep`, in a temporary file: the same real bytes, as a terminal
/// that sends no solicitation (multicast only) or only the answers to one would see them.
fn only_frames(file: &str, tag: &str, keep: impl Fn(&[u8]) -> bool) -> PathBuf {
    let bytes = std::fs::read(capture(file)).unwrap();
    assert_eq!(
        bytes[..4],
        [0xd4, 0xc3, 0xb2, 0xa1],
        "{file}: not a little-endian pcap"
    );
    let mut out = bytes[..24].to_vec();
    let mut at = 24;
    while at + 16 <= bytes.len() {
        let len = u32::from_le_bytes(bytes[at + 8..at + 12].try_into().unwrap()) as usize;
        let record = &bytes[at..at + 16 + len];
        if keep(&record[16..]) {
            out.extend_from_slice(record);
        }
        at += 16 + len;
    }
    let path = std::env::temp_dir().join(format!("v6s-cli-{}-{tag}-{file}", std::process::id()));
    std::fs::write(&path, out).unwrap();
    path
}

fn multicast(frame: &[u8]) -> bool {
    frame[0] & 1 == 1
}

fn effects(s: &serde_json::Value) -> Vec<&str> {
    s["effects"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e.as_str())
        .collect()
}

/// thc-ipv6's `fake_router26 -E` types, on the bytes it sent (tests/captures/README.md):
/// each sender is a router reported with hidden_ra, critical (autonomous prefix, default
/// route); and on the RAs it multicasts unsolicited alone, as each type hides them.
#[test]
fn hidden_ras_from_fake_router26() {
    const MAC: &str = "00:1b:21:de:ad:26";
    for file in [
        "thc-fake_router26-EH.pcap",
        "thc-fake_router26-E1.pcap",
        "thc-fake_router26-ED.pcap",
        "thc-fake_router26-EF.pcap",
        "thc-fake_router26-EO-keep-first.pcap",
        "thc-fake_router26-Eo-keep-last.pcap",
    ] {
        let out = analyze(file, &["--format", "json"]);
        assert_eq!(out.status.code(), Some(2), "{file}");
        let r = json(&out);
        let s = source(&r, MAC);
        assert_eq!(s["severity"], "critical", "{file}: {s}");
        assert_eq!(s["roles"], serde_json::json!(["router"]), "{file}: {s}");
        let e = effects(s);
        for want in ["hidden_ra", "slaac_address", "default_route"] {
            assert!(e.contains(&want), "{file}: no {want} in {s}");
        }
    }
    // Unsolicited RAs alone. -E H, -E D, and the overlapping fragments of -E O / -E o
    // (an RA in one reading, an echo request in the other) configure the terminal.
    for (file, evidence) in [
        ("thc-fake_router26-EH.pcap", "extension headers"),
        ("thc-fake_router26-ED.pcap", "in fragments"),
        ("thc-fake_router26-EO-keep-first.pcap", "RFC 5722"),
        ("thc-fake_router26-Eo-keep-last.pcap", "RFC 5722"),
    ] {
        let path = only_frames(file, "mc", multicast);
        let out = run(&["analyze", path.to_str().unwrap(), "--format", "json"]);
        std::fs::remove_file(&path).unwrap();
        let r = json(&out);
        let s = source(&r, MAC);
        assert_eq!(s["severity"], "critical", "{file} (multicast): {s}");
        assert!(effects(s).contains(&"hidden_ra"), "{file} (multicast): {s}");
        assert!(
            s["evidence"].to_string().contains(evidence),
            "{file} (multicast): {s}"
        );
    }
    // -E F's periodic RA reassembles with a wrong checksum (a thc-ipv6 3.8 bug): hosts drop
    // it; the attempt alone is a warning.
    let path = only_frames("thc-fake_router26-EF.pcap", "mc", multicast);
    let r = analyze_json_once(&path);
    let s = source(&r, MAC);
    assert_eq!(s["severity"], "warning", "{s}");
    assert_eq!(effects(s), ["hidden_ra"], "{s}");
    assert!(s["evidence"].to_string().contains("checksum"), "{s}");
    // -E 1 stacks its one-shot fragment headers only on the answer to a solicitation.
    let path = only_frames("thc-fake_router26-E1.pcap", "uc", |f| !multicast(f));
    let r = analyze_json_once(&path);
    let s = source(&r, MAC);
    assert_eq!(s["severity"], "critical", "{s}");
    assert!(effects(s).contains(&"hidden_ra"), "{s}");
}

/// RAs inside IPv6-in-IPv6 (scapy-ip6ip6.py): the sender is reported, hidden_ra alone, a
/// warning; the RA's prefix and default route are not counted (only a tunnel endpoint
/// would apply them, to its tunnel interface — the terminal answered with Parameter
/// Problem).
#[test]
fn ra_inside_ipv6_in_ipv6() {
    let out = analyze("scapy-ip6ip6.pcap", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(1));
    let r = json(&out);
    assert_eq!(r["verdict"], "warning", "{r}");
    let s = source(&r, "00:1b:21:de:ad:41");
    assert_eq!(effects(s), ["hidden_ra"], "{s}");
    assert_eq!(s["router_advertisement"], serde_json::Value::Null, "{s}");
    assert!(s["evidence"].to_string().contains("IPv6-in-IPv6"), "{s}");
}

#[test]
fn flood_capture_is_summarised() {
    let out = analyze("thc-flood_router26.pcap", &["--format", "json"]);
    assert_eq!(out.status.code(), Some(2));
    let r = json(&out);
    assert!(r["flood"]["new_sources"].as_u64().unwrap_or(0) > 0, "{r}");
    assert!(r["sources"].as_array().unwrap().len() <= 256);
}

#[test]
fn cooked_and_pcapng_captures_agree_with_ethernet() {
    let verdict = |f: &str| json(&analyze(f, &["--format", "json"]))["verdict"].clone();
    for f in [
        "radvd-buffalo.pcapng",
        "radvd-buffalo-cooked.pcap",
        "radvd-buffalo-cooked2.pcap",
    ] {
        assert_eq!(verdict(f), verdict("radvd-buffalo.pcap"), "{f}");
    }
}

#[test]
fn bad_input_exits_3_with_a_clear_message() {
    let dir = std::env::temp_dir().join(format!("v6s-cli-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    // Not a capture.
    let junk = dir.join("junk.pcap");
    std::fs::write(&junk, b"this is not a capture file at all").unwrap();
    let out = run(&["analyze", junk.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("not a pcap or pcapng file"));
    // Missing file.
    let out = run(&["analyze", dir.join("missing.pcap").to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing.pcap"));
    // Truncated capture: analysed up to the damage, with a warning.
    let whole = std::fs::read(capture("radvd-buffalo.pcap")).unwrap();
    let cut = dir.join("cut.pcap");
    std::fs::write(&cut, &whole[..whole.len() - 10]).unwrap();
    let out = run(&["analyze", cut.to_str().unwrap(), "--format", "json"]);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("truncated"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(matches!(out.status.code(), Some(0..=2)));
    // Bad --allow.
    let out = run(&[
        "analyze",
        capture("radvd-buffalo.pcap").to_str().unwrap(),
        "--allow",
        "nonsense",
    ]);
    assert_eq!(out.status.code(), Some(3));
    assert!(String::from_utf8_lossy(&out.stderr).contains("nonsense"));
    // A bad rules directory names file, line and column.
    let rules = dir.join("rules");
    std::fs::create_dir_all(&rules).unwrap();
    std::fs::write(
        rules.join("remedies.toml"),
        "[remedy.disable_ipv6]\nja = \"x\"\nen = \n",
    )
    .unwrap();
    let out = run(&[
        "analyze",
        capture("radvd-buffalo.pcap").to_str().unwrap(),
        "--rules",
        rules.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(err.contains("remedies.toml:3:"), "{err}");
    let out = run(&["rules", "check", rules.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("remedies.toml:3:"));
    std::fs::remove_dir_all(&dir).ok();
}

#[test]
fn allow_makes_the_upstream_expected() {
    let out = analyze(
        "radvd-buffalo.pcap",
        &["--format", "json", "--allow", "10:6f:3f:12:34:56"],
    );
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(source(&json(&out), "10:6f:3f:12:34:56")["expected"], true);
}

#[test]
fn oui_lookup() {
    let out = run(&["oui", "10:6f:3f:12:34:56", "7a:11:22:33:44:55"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains("BUFFALO.INC"), "{text}");
    assert!(text.contains("randomized"), "{text}");
    let out = run(&["oui", "not-a-mac"]);
    assert_eq!(out.status.code(), Some(3));
}

#[test]
fn rules_check_embedded() {
    let out = run(&["rules", "check"]);
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: 10 offenders"));
}

#[test]
fn bad_arguments_exit_3_not_2() {
    // 2 is CRITICAL: a typo must not page anyone as a rogue router.
    for args in [
        &["scan", "--duration", "abc"][..],
        &["scan", "--duration", "0"],
        &["scan", "--duration", "100000"],
        &["scan", "--backend", "xyz"],
        &["scan", "--no-such-flag"],
        &["no-such-command"],
        &["analyze"],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.starts_with("error: "), "{args:?}: {err}");
    }
    let out = run(&["scan", "--duration", "abc"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("`abc` is not a number of seconds"));
    let out = run(&["scan", "--backend", "xyz"]);
    assert!(String::from_utf8_lossy(&out.stderr).contains("expected afpacket or pnet"));
    assert_eq!(run(&["--help"]).status.code(), Some(0));
    assert_eq!(run(&["--version"]).status.code(), Some(0));
}

#[test]
fn scan_rejects_an_unknown_interface_before_anything_else() {
    // No privilege needed to learn the name is wrong.
    let out = run(&["scan", "-i", "nosuch-if9", "--duration", "1"]);
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("nosuch-if9"), "{err}");
    // A name that cannot be an interface at all.
    let out = run(&["scan", "-i", "../../etc", "--duration", "1"]);
    assert_eq!(out.status.code(), Some(3));
}

/// A classic pcap file: global header (`snaplen`, `linktype`) and records given as
/// (claimed length, bytes actually present).
fn pcap_bytes(snaplen: u32, linktype: u32, records: &[(u32, &[u8])]) -> Vec<u8> {
    let mut out = Vec::new();
    out.extend_from_slice(&0xa1b2_c3d4u32.to_le_bytes());
    out.extend_from_slice(&2u16.to_le_bytes());
    out.extend_from_slice(&4u16.to_le_bytes());
    out.extend_from_slice(&[0; 8]);
    out.extend_from_slice(&snaplen.to_le_bytes());
    out.extend_from_slice(&linktype.to_le_bytes());
    for (i, (claimed, data)) in records.iter().enumerate() {
        out.extend_from_slice(&(1_700_000_000u32 + i as u32).to_le_bytes());
        out.extend_from_slice(&0u32.to_le_bytes());
        out.extend_from_slice(&claimed.to_le_bytes());
        out.extend_from_slice(&claimed.to_le_bytes());
        out.extend_from_slice(data);
    }
    out
}

#[test]
fn hostile_capture_files_get_a_clear_message_or_a_counted_skip() {
    let dir = std::env::temp_dir().join(format!("v6s-hostile-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let write = |name: &str, bytes: &[u8]| {
        let p = dir.join(name);
        std::fs::write(&p, bytes).unwrap();
        p.to_str().unwrap().to_owned()
    };
    // Everything below: no panic (exit 101), no hang, a verdict or exit 3, one message.
    let ok_exit = |out: &Output, what: &str| {
        let code = out.status.code();
        assert!(
            matches!(code, Some(0..=3)),
            "{what}: exit {code:?}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("panicked"),
            "{what}"
        );
    };
    // A huge snaplen and a zero-length record: read, nothing found.
    let p = write(
        "snaplen.pcap",
        &pcap_bytes(u32::MAX, 1, &[(0, &[]), (0, &[])]),
    );
    let out = run(&["analyze", &p, "--format", "json"]);
    ok_exit(&out, "huge snaplen");
    assert_eq!(out.status.code(), Some(0));
    assert_eq!(json(&out)["stats"]["frames"], 2);
    // A record that claims 2 GiB: never allocated; what came before is analysed.
    let radvd = std::fs::read(capture("radvd-buffalo.pcap")).unwrap();
    let mut big = radvd.clone();
    big.extend_from_slice(&pcap_bytes(65535, 1, &[(0x7fff_ffff, &[0; 64])])[24..]);
    let p = write("oversized.pcap", &big);
    let out = run(&["analyze", &p, "--format", "json"]);
    ok_exit(&out, "oversized record");
    assert_eq!(
        out.status.code(),
        Some(2),
        "the records before it still count"
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("oversized.pcap") && err.contains("after 8 records"),
        "{err}"
    );
    assert!(err.contains("ends inside a record"), "{err}");
    // A record cut short by the end of the file.
    let p = write("cut.pcap", &pcap_bytes(65535, 1, &[(1000, &[0; 10])]));
    let out = run(&["analyze", &p]);
    ok_exit(&out, "cut record");
    assert!(String::from_utf8_lossy(&out.stderr).contains("ends inside a record"));
    // An unknown link type: every record skipped and counted (-v says how many).
    let p = write(
        "usr0.pcap",
        &pcap_bytes(65535, 147, &[(64, &[0xff; 64]), (64, &[0; 64])]),
    );
    let out = run(&["analyze", &p, "-v"]);
    ok_exit(&out, "unknown link type");
    assert_eq!(out.status.code(), Some(0));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("2 records were neither Ethernet nor IPv6")
    );
    // Wrong magic, an empty file, a header alone.
    for (name, bytes) in [
        (
            "magic.pcap",
            b"\xde\xad\xbe\xef0000000000000000000000000".to_vec(),
        ),
        ("empty.pcap", Vec::new()),
        ("header.pcap", pcap_bytes(65535, 1, &[])),
    ] {
        let p = write(name, &bytes);
        let out = run(&["analyze", &p]);
        ok_exit(&out, name);
    }
    std::fs::remove_dir_all(&dir).ok();
}

#[cfg(not(windows))]
#[test]
fn service_is_windows_only() {
    for args in [
        &["service", "install"][..],
        &["service", "install", "--config", "/tmp/x.toml"][..],
        &["service", "uninstall"][..],
        &["service", "run"][..],
    ] {
        let out = run(args);
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(err.lines().count(), 1, "{err}");
        assert!(
            err.contains("exists on Windows only") && err.contains("packaging/"),
            "{err}"
        );
        assert!(out.stdout.is_empty());
    }
}

#[cfg(not(windows))]
#[test]
fn an_eventlog_sink_is_a_config_error_off_windows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("v6sentinel.toml");
    std::fs::write(
        &path,
        "interfaces = [\"lo\"]\n\n[[sink]]\ntype = \"eventlog\"\n",
    )
    .unwrap();
    let out = run(&["watch", "--config", path.to_str().unwrap()]);
    assert_eq!(out.status.code(), Some(78));
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        err.trim_end(),
        format!(
            "v6sentinel: {}:3:1: sink: eventlog sink exists only on Windows (here: file, \
             syslog, webhook or stdout)",
            path.display()
        )
    );
}
