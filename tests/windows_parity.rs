//! The Windows build against the Linux build, on the same inputs: `analyze` gives
//! byte-identical JSON reports (and the same exit codes) on every capture of
//! `tests/captures/`, `oui` and `rules check` print the same, and `scan` on a machine
//! without Npcap (wine) exits 3 saying to install Npcap.
//!
//! Runs on Linux with the Windows executable cross-built beforehand
//! (`cargo build --target x86_64-pc-windows-gnu`, which `scripts/test.sh` does) and run
//! under wine through `scripts/wine-run.sh`. Without them the test fails, saying what to
//! install.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn windows_exe() -> PathBuf {
    let exe = std::env::var_os("V6S_WINDOWS_EXE")
        .map(PathBuf::from)
        .unwrap_or_else(|| {
            Path::new(ROOT).join("target/x86_64-pc-windows-gnu/debug/v6sentinel.exe")
        });
    assert!(
        exe.is_file(),
        "{} is missing: cross-build it first (rustup target add x86_64-pc-windows-gnu; \
         apt-get install gcc-mingw-w64-x86-64 wine wine64; cargo build --target \
         x86_64-pc-windows-gnu), or run scripts/test.sh, which does",
        exe.display()
    );
    let wine = Command::new("sh").args(["-c", "command -v wine"]).output();
    assert!(
        wine.is_ok_and(|o| o.status.success()),
        "wine is missing: apt-get install wine wine64"
    );
    exe
}

/// Runs both builds with `args` in the package root (relative paths, so that the
/// reports name the files the same way).
fn both(args: &[&str]) -> (Output, Output) {
    let linux = Command::new(env!("CARGO_BIN_EXE_v6sentinel"))
        .args(args)
        .current_dir(ROOT)
        .env_remove("LANG")
        .output()
        .expect("the Linux binary runs");
    (linux, windows(args))
}

/// Runs the Windows build under wine (a prefix without Npcap) in the package root.
fn windows(args: &[&str]) -> Output {
    Command::new(Path::new(ROOT).join("scripts/wine-run.sh"))
        .arg(windows_exe())
        .args(args)
        .current_dir(ROOT)
        .env_remove("LANG")
        .env_remove("V6S_WINE_NPCAP_STUB")
        .output()
        .expect("wine runs")
}

fn same(args: &[&str]) {
    let (linux, windows) = both(args);
    assert_eq!(
        linux.status.code(),
        windows.status.code(),
        "{args:?}: exit codes differ; Windows stderr: {}",
        String::from_utf8_lossy(&windows.stderr)
    );
    assert!(!linux.stdout.is_empty(), "{args:?}: no output");
    if linux.stdout != windows.stdout {
        let l = String::from_utf8_lossy(&linux.stdout);
        let w = String::from_utf8_lossy(&windows.stdout);
        let line = l
            .lines()
            .zip(w.lines())
            .position(|(a, b)| a != b)
            .unwrap_or(0);
        panic!(
            "{args:?}: outputs differ from line {}:\nLinux:   {:?}\nWindows: {:?}\nWindows stderr: {}",
            line + 1,
            l.lines().nth(line),
            w.lines().nth(line),
            String::from_utf8_lossy(&windows.stderr)
        );
    }
}

fn captures() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(Path::new(ROOT).join("tests/captures"))
        .expect("tests/captures")
        .filter_map(|e| e.ok())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".pcap") || n.ends_with(".pcapng"))
        .collect();
    names.sort();
    assert!(
        names.len() >= 20,
        "expected the captures of tests/captures/"
    );
    names
}

#[test]
fn analyze_json_is_byte_identical_on_every_capture() {
    for name in captures() {
        let path = format!("tests/captures/{name}");
        same(&["analyze", "--format", "json", &path]);
    }
}

#[test]
fn analyze_of_several_files_text_and_html_are_identical() {
    let files: Vec<String> = captures()
        .into_iter()
        .filter(|n| n.starts_with("radvd-") || n.starts_with("dnsmasq-"))
        .map(|n| format!("tests/captures/{n}"))
        .collect();
    let mut args: Vec<&str> = vec!["analyze", "--format", "json"];
    args.extend(files.iter().map(String::as_str));
    same(&args);
    for lang in ["en", "ja"] {
        let mut args: Vec<&str> = vec!["analyze", "--format", "text", "--lang", lang];
        args.extend(files.iter().map(String::as_str));
        same(&args);
    }
    same(&[
        "analyze",
        "--format",
        "html",
        "tests/captures/radvd-apple-thread.pcap",
    ]);
}

#[test]
fn oui_and_rules_check_are_identical() {
    same(&[
        "oui",
        "10:6f:3f:00:00:01",
        "f0:b3:ec:12:34:56",
        "02:00:00:00:00:01",
    ]);
    same(&["rules", "check", "rules"]);
}

#[test]
fn bad_input_is_refused_the_same_way() {
    let (linux, windows) = both(&["analyze", "Cargo.toml"]);
    assert_eq!(linux.status.code(), Some(3));
    assert_eq!(windows.status.code(), Some(3));
    let (linux, windows) = both(&["scan", "--duration", "0"]);
    assert_eq!(
        (linux.status.code(), windows.status.code()),
        (Some(3), Some(3))
    );
}

#[test]
fn scan_without_npcap_says_to_install_it() {
    let out = windows(&["scan", "-i", "Ethernet", "--duration", "1"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("Npcap"), "{stderr}");
    assert!(stderr.contains("https://npcap.com/"), "{stderr}");
    // watch too: it cannot capture, which is exit 3.
    let out = windows(&["watch", "-i", "Ethernet"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{stderr}");
    assert!(stderr.contains("Npcap"), "{stderr}");
}
