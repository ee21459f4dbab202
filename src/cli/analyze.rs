//! `v6sentinel analyze FILE...`: the detector over capture files, one report for all.

use super::{Failure, Settings, print_report};
use core::time::Duration;
use std::path::PathBuf;
use v6sentinel::capture::file::{self, FileError, Link};
use v6sentinel::detect::{Config, Detector, Timestamp};
use v6sentinel::report::{Context, Probes};
use v6sentinel::wire::Mac;

/// Runs the analysis and prints the report; returns the verdict's exit code.
pub fn run(s: &Settings, files: &[PathBuf]) -> Result<u8, Failure> {
    let config = Config {
        allow: s.allow.clone(),
        ..Config::default()
    };
    let mut detector = Detector::new(config, s.rules.clone(), s.registry.clone());
    let mut first: Option<i64> = None;
    let mut last = i64::MIN;
    let mut skipped = 0u64;
    for path in files {
        let result = file::read_file(path, |record| {
            first.get_or_insert(record.ts_micros);
            last = last.max(record.ts_micros);
            let now = Timestamp::from_micros(record.ts_micros);
            match file::link(record.linktype, record.data) {
                Link::Ethernet(frame) => detector.handle_frame(now, frame),
                Link::Ipv6 { mac, packet } => {
                    detector.handle_packet(now, mac.unwrap_or(Mac::default()), packet)
                }
                Link::Other => skipped += 1,
            }
            while detector.poll_event().is_some() {}
        });
        match result {
            Ok(_) => {}
            Err(e @ FileError::Malformed { .. }) => {
                // What was read before the damage is analysed; the damage is reported.
                eprintln!("v6sentinel: warning: {e}; the records before it were analysed");
            }
            Err(e) => return Err(Failure::unknown(e.to_string())),
        }
    }
    if skipped > 0 && s.verbose > 0 {
        eprintln!("v6sentinel: {skipped} records were neither Ethernet nor IPv6 and were skipped");
    }
    let started = Timestamp::from_micros(first.unwrap_or(0));
    let end = Timestamp::from_micros(last.max(first.unwrap_or(0)));
    detector.handle_timeout(end);
    let snapshot = detector.snapshot(end);
    let ctx = Context {
        interface: s.interface.as_deref(),
        started,
        duration: end.since(started).max(Duration::ZERO),
        probes: Probes {
            router_solicitation: false,
            dhcpv6_solicit: false,
        },
        inputs: files.iter().map(|p| p.display().to_string()).collect(),
        rules: &s.rules,
    };
    print_report(s, &snapshot, &ctx)?;
    Ok(snapshot.verdict.exit_code())
}
