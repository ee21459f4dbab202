//! Windows only: `scan` through the whole Windows path — the adapter chosen by default
//! (IP Helper), the capture opened through Npcap's `Packet.dll`, the host's addresses
//! read from the IP Helper tables, the three probes written as frames through the
//! capture handle, and the report.
//!
//! Needs Npcap. Under wine, `scripts/test.sh` runs it with `V6S_WINE_NPCAP_STUB=1`
//! (`scripts/wine-run.sh` then puts `tests/wine/packet_stub.c` in the prefix as
//! `Packet.dll`: it opens the adapters, captures nothing and accepts every frame sent),
//! so what this checks there is that every step runs and fits together; no frame
//! crosses a wire. Without a Packet.dll the test fails, saying so.
#![cfg(windows)]

use std::process::Command;

#[test]
fn scan_runs_the_windows_path_end_to_end() {
    let out = Command::new(env!("CARGO_BIN_EXE_v6sentinel"))
        .args(["scan", "--duration", "1", "--format", "json"])
        .output()
        .expect("the binary runs");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        !stderr.contains("needs Npcap"),
        "Npcap is not installed (under wine: V6S_WINE_NPCAP_STUB=1 scripts/wine-run.sh): {stderr}"
    );
    let code = out.status.code();
    assert!(matches!(code, Some(0..=2)), "exit {code:?}: {stderr}");
    let r: serde_json::Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("no JSON report ({e}): {stderr}"));
    assert!(
        r["interface"].as_str().is_some_and(|i| !i.is_empty()),
        "{r}"
    );
    assert_eq!(r["probes"]["router_solicitation"], true, "{r}\n{stderr}");
    let addresses = r["host"]["addresses"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert!(
        addresses.iter().any(|a| a["origin"] == "link_local"),
        "no link-local address read from the IP Helper tables: {r}"
    );
    // With a link-local address the DHCPv6 probes go out as frames too.
    assert_eq!(r["probes"]["dhcpv6_solicit"], true, "{r}\n{stderr}");
}
