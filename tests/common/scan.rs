//! `v6sentinel scan` in a namespace of [`Net`], and reading its JSON report; reading
//! `watch`'s alert files.
#![allow(dead_code)]

use super::netns::{Net, v6sentinel};
use std::path::Path;
use std::process::Output;

/// Runs `scan -i eth0 --format json ARGS` in namespace `term`.
pub fn scan(net: &Net, term: &str, args: &[&str]) -> Output {
    let bin = v6sentinel().to_str().expect("path");
    let mut cmd = vec![bin, "scan", "-i", "eth0", "--format", "json"];
    cmd.extend_from_slice(args);
    net.exec(term, &cmd)
}

/// The JSON report `scan` printed; fails with its output when there is none.
pub fn report(out: &Output) -> serde_json::Value {
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "scan printed no JSON ({e}); exit {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    })
}

/// The report's source with this MAC.
pub fn source<'a>(r: &'a serde_json::Value, mac: &str) -> Option<&'a serde_json::Value> {
    r["sources"]
        .as_array()
        .and_then(|s| s.iter().find(|s| s["mac"] == mac))
}

/// The alerts of a file sink (one JSON object a line); none when the file is not there.
pub fn alerts(path: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON ({e}): {l}")))
        .collect()
}
