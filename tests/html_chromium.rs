//! The HTML report rendered in a real browser: the binary writes `analyze --format html
//! --output` pages for a few captures, headless Chromium loads each one, takes an A4-sized
//! screenshot (kept in `target/html-screenshots/` as a test artefact) and prints it to an
//! A4 PDF, and the tests check that the page:
//! - holds every device's MAC and remedy text, and refers to nothing outside itself
//!   (checked on the HTML text);
//! - loads with no console message at all — a blocked fetch, a CSP violation or a script
//!   error would each log one (Chromium's `--enable-logging=stderr`);
//! - makes no request: Chromium's network log (`--log-net-log`) has no request started
//!   on behalf of the page;
//! - renders to a non-trivial screenshot and a PDF on A4 paper.
//!
//! A control test proves the detectors work: the same page with an external image and an
//! external CSS background added shows the blocked loads in the console log (the CSP at
//! work), and without its CSP it shows the requests in the network log.
//!
//! Chromium is required: without it these tests fail, saying how to install it (Debian:
//! `apt-get install chromium`; `scripts/test.sh` does it). Japanese text needs a Japanese
//! font for the screenshots to be readable (`fonts-ipafont-gothic`), not for the checks.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

/// How long one Chromium run may take.
const CHROMIUM_TIMEOUT: Duration = Duration::from_secs(120);
/// The screenshot: A4 proportions at 150 dpi.
const WIDTH: u32 = 1240;
const HEIGHT: u32 = 1754;
/// A blank page of that size is a few kilobytes of PNG; a rendered report is hundreds.
const MIN_PNG_BYTES: u64 = 50_000;

fn capture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/captures")
        .join(name)
}

/// `target/html-screenshots/` (the target directory is the parent of Cargo's
/// `CARGO_TARGET_TMPDIR`, so `CARGO_TARGET_DIR` is honoured).
fn artefacts() -> PathBuf {
    let tmp = Path::new(env!("CARGO_TARGET_TMPDIR"));
    let dir = tmp.parent().map_or_else(
        || tmp.join("html-screenshots"),
        |t| t.join("html-screenshots"),
    );
    std::fs::create_dir_all(&dir).expect("create target/html-screenshots");
    dir
}

/// The Chromium binary, or a failure saying how to get one.
fn chromium() -> PathBuf {
    let path = std::env::var_os("PATH").unwrap_or_default();
    for name in ["chromium", "chromium-browser"] {
        for dir in std::env::split_paths(&path) {
            let candidate = dir.join(name);
            if candidate.is_file() {
                return candidate;
            }
        }
    }
    panic!(
        "chromium is not installed, and the HTML report tests need it to render the pages: \
         run `apt-get install chromium` (Debian; scripts/test.sh installs it, with \
         fonts-ipafont-gothic for readable Japanese in the screenshots)"
    );
}

/// Runs `cmd`, killing it after `limit`.
fn run_with_timeout(mut cmd: Command, limit: Duration) -> Output {
    use std::io::Read;
    cmd.stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd.spawn().expect("start the command");
    let mut stdout = child.stdout.take().expect("stdout piped");
    let mut stderr = child.stderr.take().expect("stderr piped");
    let out = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stdout.read_to_end(&mut b);
        b
    });
    let err = std::thread::spawn(move || {
        let mut b = Vec::new();
        let _ = stderr.read_to_end(&mut b);
        b
    });
    let start = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().expect("wait for the command") {
            break status;
        }
        if start.elapsed() > limit {
            let _ = child.kill();
            let _ = child.wait();
            panic!("{cmd:?} did not finish within {limit:?}");
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    Output {
        status,
        stdout: out.join().unwrap_or_default(),
        stderr: err.join().unwrap_or_default(),
    }
}

/// What Chromium said and did while it rendered a page.
struct Rendered {
    /// `--dump-dom`: the page's DOM after loading.
    dom: String,
    /// Chromium's log.
    log: String,
    /// The network log.
    netlog: serde_json::Value,
}

/// Chromium with a fresh profile, nothing running in the background, names resolving
/// nowhere (so that a faulty page could not reach the network even if it tried), its log
/// on stderr (console messages included) and its network log in `name.netlog.json`.
fn chromium_command(name: &str, profile: &Path) -> Command {
    let mut cmd = Command::new(chromium());
    cmd.args([
        "--headless=new",
        "--no-sandbox",
        "--disable-gpu",
        "--hide-scrollbars",
        "--no-first-run",
        "--no-default-browser-check",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-extensions",
        "--disable-sync",
        "--host-resolver-rules=MAP * ~NOTFOUND",
        "--enable-logging=stderr",
        "--v=0",
    ])
    .arg(format!("--user-data-dir={}", profile.display()))
    .arg(format!(
        "--log-net-log={}",
        artefacts().join(format!("{name}.netlog.json")).display()
    ));
    cmd
}

fn file_url(path: &Path) -> String {
    format!("file://{}", path.display())
}

/// Renders `html` to `name.png` (and its DOM) in headless Chromium.
fn screenshot(name: &str, html: &Path) -> Rendered {
    let profile = tempfile::tempdir().expect("a profile directory");
    let png = artefacts().join(format!("{name}.png"));
    let _ = std::fs::remove_file(&png);
    let mut cmd = chromium_command(name, profile.path());
    cmd.arg(format!("--screenshot={}", png.display()))
        .arg(format!("--window-size={WIDTH},{HEIGHT}"))
        .arg("--dump-dom")
        .arg(file_url(html));
    let out = run_with_timeout(cmd, CHROMIUM_TIMEOUT);
    let log = String::from_utf8_lossy(&out.stderr).into_owned();
    assert!(out.status.success(), "chromium failed on {name}: {log}");
    Rendered {
        dom: String::from_utf8_lossy(&out.stdout).into_owned(),
        log,
        netlog: read_netlog(name),
    }
}

/// The network log Chromium wrote for run `name`.
fn read_netlog(name: &str) -> serde_json::Value {
    let path = artefacts().join(format!("{name}.netlog.json"));
    let text = std::fs::read_to_string(&path).expect("chromium wrote its network log");
    // A log cut short by an abrupt exit lacks its closing brackets.
    serde_json::from_str(&text)
        .or_else(|_| serde_json::from_str(&format!("{}]}}", text.trim_end().trim_end_matches(','))))
        .unwrap_or_else(|e| panic!("{}: not JSON: {e}", path.display()))
}

/// Prints `html` to `name.pdf`; returns the PDF's bytes, after checking that printing
/// too logged no console message and made no request.
fn print_pdf(name: &str, html: &Path) -> Vec<u8> {
    let profile = tempfile::tempdir().expect("a profile directory");
    let pdf = artefacts().join(format!("{name}.pdf"));
    let mut cmd = chromium_command(&format!("{name}.pdf"), profile.path());
    cmd.arg(format!("--print-to-pdf={}", pdf.display()))
        .arg("--no-pdf-header-footer")
        .arg(file_url(html));
    let out = run_with_timeout(cmd, CHROMIUM_TIMEOUT);
    let log = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "chromium could not print {name}: {log}"
    );
    let console = console_messages(&log);
    assert!(
        console.is_empty(),
        "{name} (print): console messages: {console:#?}"
    );
    let requests = page_requests(&read_netlog(&format!("{name}.pdf")));
    assert!(
        requests.is_empty(),
        "{name} (print): the page made requests: {requests:?}"
    );
    std::fs::read(&pdf).expect("chromium wrote the PDF")
}

/// The console messages in Chromium's log (`[…:INFO:CONSOLE:…] "message", source: …`):
/// script errors, blocked loads, CSP violations, `console.*` calls.
fn console_messages(log: &str) -> Vec<&str> {
    log.lines().filter(|l| l.contains(":CONSOLE")).collect()
}

/// The URLs of the requests Chromium started on behalf of a `file://` page (the
/// browser's own requests — updates, sign-in — have another network isolation key and
/// initiator).
fn page_requests(netlog: &serde_json::Value) -> Vec<String> {
    let Some(start_job) = netlog["constants"]["logEventTypes"]["URL_REQUEST_START_JOB"].as_u64()
    else {
        panic!("the network log has no URL_REQUEST_START_JOB event type");
    };
    let events = netlog["events"].as_array().cloned().unwrap_or_default();
    events
        .iter()
        .filter(|e| e["type"].as_u64() == Some(start_job))
        .filter_map(|e| {
            let p = &e["params"];
            let url = p["url"].as_str()?;
            let key = p["network_isolation_key"].as_str().unwrap_or("");
            let initiator = p["initiator"].as_str().unwrap_or("");
            let from_page =
                key.contains("file://") || initiator == "null" || initiator.starts_with("file:");
            let local = url.starts_with("file:") || url.starts_with("data:");
            (from_page && !local).then(|| url.to_owned())
        })
        .collect()
}

/// References in the HTML to anything outside it: `src=`, `href=`, `url(`, `@import`,
/// `<link`, `<script`, `<iframe`, `<object`, `<embed`, and `srcset=` whose value is not a
/// fragment or a `data:` URL. The report itself uses none of them.
fn external_references(html: &str) -> Vec<String> {
    let lower = html.to_ascii_lowercase();
    let mut found = Vec::new();
    for tag in [
        "<script", "<link", "<iframe", "<object", "<embed", "@import",
    ] {
        if let Some(i) = lower.find(tag) {
            found.push(lower[i..].chars().take(80).collect());
        }
    }
    for attr in ["src=", "href=", "srcset=", "url(", "action=", "poster="] {
        for (i, _) in lower.match_indices(attr) {
            let value = lower[i + attr.len()..].trim_start_matches(['"', '\'', ' ']);
            if !(value.starts_with('#') || value.starts_with("data:")) {
                found.push(lower[i..].chars().take(80).collect());
            }
        }
    }
    found
}

/// The HTML escaping the report uses, for comparing texts.
fn escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_v6sentinel"));
    c.env_remove("LANG");
    c
}

/// `analyze FILES --format html --output name.html`: checks the exit code and that
/// stdout holds just the status line; returns the page's path and text.
fn write_report(name: &str, files: &[&str], code: i32) -> (PathBuf, String) {
    let html = artefacts().join(format!("{name}.html"));
    let _ = std::fs::remove_file(&html);
    let out = bin()
        .arg("analyze")
        .args(files.iter().map(|f| capture(f)))
        .args(["--format", "html", "--output"])
        .arg(&html)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(code),
        "{name}: {stdout}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(
        stdout.lines().count(),
        1,
        "{name}: only the status line: {stdout}"
    );
    let word = match code {
        0 => "OK - ",
        1 => "WARNING - ",
        _ => "CRITICAL - ",
    };
    assert!(stdout.starts_with(word), "{name}: {stdout}");
    let text = std::fs::read_to_string(&html).expect("the report was written");
    (html, text)
}

/// The same analysis as JSON.
fn report_json(files: &[&str]) -> serde_json::Value {
    let out = bin()
        .arg("analyze")
        .args(files.iter().map(|f| capture(f)))
        .args(["--format", "json"])
        .output()
        .expect("the binary runs");
    serde_json::from_slice(&out.stdout).expect("JSON report")
}

/// A PNG's width and height (IHDR), after checking the signature.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert!(
        bytes.len() > 24 && bytes.starts_with(b"\x89PNG\r\n\x1a\n") && &bytes[12..16] == b"IHDR",
        "not a PNG"
    );
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// Every check for one scenario.
fn scenario(name: &str, files: &[&str], code: i32) {
    let (html_path, html) = write_report(name, files, code);

    // The page itself.
    assert!(html.starts_with("<!DOCTYPE html>"), "{name}");
    assert!(
        html.contains(
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; \
             style-src 'unsafe-inline'; img-src data:"
        ),
        "{name}: no CSP"
    );
    assert!(
        html.contains("@page { size: A4;"),
        "{name}: no A4 page rule"
    );
    let external = external_references(&html);
    assert!(
        external.is_empty(),
        "{name}: external references {external:?}"
    );
    let report = report_json(files);
    let sources = report["sources"].as_array().cloned().unwrap_or_default();
    for s in &sources {
        let mac = s["mac"].as_str().expect("a MAC");
        assert!(html.contains(mac), "{name}: no {mac}");
        if s["expected"] == false && s["remedy"]["code"] != "none" {
            for lang in ["ja", "en"] {
                let text = s["remedy"][lang].as_str().expect("remedy text");
                assert!(
                    html.contains(&escape(text)),
                    "{name}: no {lang} remedy for {mac}"
                );
            }
        }
    }
    if code != 0 {
        assert!(html.contains("0800-080-4583"), "{name}: no contact line");
    }

    // Chromium: loads cleanly, fetches nothing, renders.
    let r = screenshot(name, &html_path);
    let console = console_messages(&r.log);
    assert!(console.is_empty(), "{name}: console messages: {console:#?}");
    let requests = page_requests(&r.netlog);
    assert!(
        requests.is_empty(),
        "{name}: the page made requests: {requests:?}"
    );
    assert!(
        r.dom.contains("<svg class=\"segment\""),
        "{name}: no diagram in the DOM"
    );
    for s in &sources {
        let mac = s["mac"].as_str().unwrap_or_default();
        assert!(r.dom.contains(mac), "{name}: {mac} not in the DOM");
    }
    let png_path = artefacts().join(format!("{name}.png"));
    let png = std::fs::read(&png_path).expect("chromium wrote the screenshot");
    assert_eq!(png_size(&png), (WIDTH, HEIGHT), "{name}");
    assert!(
        png.len() as u64 > MIN_PNG_BYTES,
        "{name}: the screenshot is nearly empty ({} bytes)",
        png.len()
    );

    // Printing: A4 paper (595.3 × 841.9 pt; Chromium rounds to whole device pixels).
    let pdf = print_pdf(name, &html_path);
    assert!(pdf.starts_with(b"%PDF-"), "{name}: not a PDF");
    let text = String::from_utf8_lossy(&pdf);
    let boxes: Vec<&str> = text
        .match_indices("/MediaBox [")
        .map(|(i, _)| text[i..].split(']').next().unwrap_or(""))
        .collect();
    assert!(!boxes.is_empty(), "{name}: no page in the PDF");
    for b in &boxes {
        let nums: Vec<f64> = b
            .trim_start_matches("/MediaBox [")
            .split_whitespace()
            .filter_map(|n| n.parse().ok())
            .collect();
        assert!(
            nums.len() == 4 && (nums[2] - 595.3).abs() < 2.0 && (nums[3] - 841.9).abs() < 2.0,
            "{name}: not A4: {b}"
        );
    }
    eprintln!(
        "{name}: {} and {} ({} pages)",
        png_path.display(),
        artefacts().join(format!("{name}.pdf")).display(),
        boxes.len()
    );
}

#[test]
fn buffalo_router() {
    scenario("buffalo", &["radvd-buffalo.pcap"], 2);
}

#[test]
fn apple_thread_border_routers() {
    scenario(
        "apple-thread",
        &["radvd-apple-thread.pcap", "radvd-randomized-thread.pcap"],
        2,
    );
}

#[test]
fn ra_flood() {
    scenario("flood", &["thc-flood_router26.pcap"], 2);
}

#[test]
fn ntt_gateway_only_is_ok() {
    scenario("ntt-ok", &["radvd-ntt-nec.pcap"], 0);
}

#[test]
fn upstream_and_four_devices() {
    scenario(
        "several",
        &[
            "radvd-ntt-nec.pcap",
            "radvd-buffalo.pcap",
            "radvd-apple-thread.pcap",
            "dnsmasq-dhcpv6-only.pcap",
            "radvd-randomized-thread.pcap",
        ],
        2,
    );
}

/// The detectors themselves: a page with an external image and an external CSS
/// background must fail every check above.
#[test]
fn detection_catches_external_requests() {
    let (_, html) = write_report("control-source", &["radvd-buffalo.pcap"], 2);
    let bait = "<img src=\"https://example.invalid/v6sentinel-bait.png\" alt=\"\">\
                <div style=\"background:url(http://example.invalid/v6sentinel-bait-bg.png)\">\
                bait</div>\n</body>";
    let with_csp = html.replacen("</body>", bait, 1);
    assert_ne!(with_csp, html);
    let refs = external_references(&with_csp);
    assert_eq!(refs.len(), 2, "the static check finds both: {refs:?}");

    // With the report's CSP: both loads are blocked, and the console says so.
    let path = artefacts().join("control-csp.html");
    std::fs::write(&path, &with_csp).expect("write the control page");
    let r = screenshot("control-csp", &path);
    let console = console_messages(&r.log);
    let blocked: Vec<&&str> = console
        .iter()
        .filter(|l| l.contains("Content Security Policy") && l.contains("example.invalid"))
        .collect();
    assert_eq!(
        blocked.len(),
        2,
        "expected two blocked loads in {console:#?}"
    );
    assert!(
        page_requests(&r.netlog).is_empty(),
        "the CSP lets nothing reach the network"
    );

    // Without it: the network log shows the requests.
    let without: String = with_csp
        .lines()
        .filter(|l| !l.contains("Content-Security-Policy"))
        .collect::<Vec<_>>()
        .join("\n");
    assert!(!without.contains("Content-Security-Policy"));
    let path = artefacts().join("control-no-csp.html");
    std::fs::write(&path, &without).expect("write the control page");
    let r = screenshot("control-no-csp", &path);
    let mut requests = page_requests(&r.netlog);
    requests.sort();
    assert_eq!(
        requests,
        [
            "http://example.invalid/v6sentinel-bait-bg.png",
            "https://example.invalid/v6sentinel-bait.png"
        ],
        "the network log shows the page's requests"
    );
}

/// `--output` errors name the file and exit 3; the verdict's code is kept otherwise, and
/// `--format json --output` leaves stdout empty.
#[test]
fn output_option() {
    let dir = tempfile::tempdir().expect("a directory");
    let missing = dir.path().join("no/such/dir/report.html");
    let out = bin()
        .args(["analyze"])
        .arg(capture("radvd-buffalo.pcap"))
        .args(["--format", "html", "--output"])
        .arg(&missing)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(3));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains(&missing.display().to_string()), "{err}");

    let json = dir.path().join("r.json");
    let out = bin()
        .args(["analyze"])
        .arg(capture("radvd-buffalo.pcap"))
        .args(["--format", "json", "-o"])
        .arg(&json)
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(2));
    assert!(out.stdout.is_empty(), "nothing on stdout with JSON");
    let v: serde_json::Value =
        serde_json::from_slice(&std::fs::read(&json).expect("written")).expect("JSON");
    assert_eq!(v["verdict"], "critical");

    // Text to a file: the whole report there, the status line on stdout (-q or not).
    let txt = dir.path().join("r.txt");
    for quiet in [false, true] {
        let mut cmd = bin();
        cmd.args(["analyze"])
            .arg(capture("radvd-buffalo.pcap"))
            .args(["--lang", "ja", "--output"])
            .arg(&txt);
        if quiet {
            cmd.arg("-q");
        }
        let out = cmd.output().expect("runs");
        assert_eq!(out.status.code(), Some(2));
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.starts_with("CRITICAL - ") && stdout.lines().count() == 1,
            "{stdout}"
        );
        let text = std::fs::read_to_string(&txt).expect("written");
        assert!(
            text.contains("対処方法１") && text.ends_with(&*stdout),
            "{text}"
        );
    }

    // HTML on stdout without --output (and with -q, like JSON, still the page).
    let out = bin()
        .args(["analyze"])
        .arg(capture("radvd-ntt-nec.pcap"))
        .args(["--format", "html", "-q"])
        .output()
        .expect("runs");
    assert_eq!(out.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&out.stdout).starts_with("<!DOCTYPE html>"));

    // Only for scan and analyze.
    for args in [
        &["oui", "10:6f:3f:12:34:56", "--output", "x.html"][..],
        &["oui", "10:6f:3f:12:34:56", "--format", "html"][..],
        &["rules", "check", "--format", "html"][..],
    ] {
        let out = bin().args(args).output().expect("runs");
        assert_eq!(out.status.code(), Some(3), "{args:?}");
        assert!(
            String::from_utf8_lossy(&out.stderr).contains("scan` and `analyze`"),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}
