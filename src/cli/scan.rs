//! `v6sentinel scan`: open the capture, read the host's own state, send the probes, listen
//! for `--duration`, read the host again, report.
//!
//! The capture is opened before the probes go out, so that no answer is missed; the host
//! is read again at the end, so that addresses the terminal formed from an answer during
//! the scan are attributed to their source.

use super::{Failure, Settings, iface, print_report};
use core::time::Duration;
use std::time::{SystemTime, UNIX_EPOCH};
use v6sentinel::capture::{self, Backend, CaptureError, CaptureStats, LiveCapture};
use v6sentinel::detect::{Config, Detector, Subject, Timestamp};
use v6sentinel::host;
use v6sentinel::probe::{self, ProbeError};
use v6sentinel::report::{Context, Probes};

/// What `scan` was asked to do beyond the common settings.
#[derive(Debug, Clone, Copy)]
pub struct ScanOptions {
    /// How long to listen.
    pub duration: Duration,
    /// Send nothing.
    pub passive: bool,
    /// The frame source.
    pub backend: Backend,
}

/// Runs the scan and prints the report; returns the verdict's exit code.
pub fn run(s: &Settings, opts: ScanOptions) -> Result<u8, Failure> {
    // The scan lasts `--duration` from the start of the command, so the verdict comes on
    // time whatever loading the tables, opening the capture and probing took.
    let deadline = tokio::time::Instant::from_std(s.started) + opts.duration;
    let interface = match &s.interface {
        Some(i) => i.clone(),
        None => iface::default_interface().ok_or_else(|| {
            Failure::unknown(
                "no interface to scan: there is no default route and no Ethernet interface \
                 is up; name one with -i",
            )
        })?,
    };
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Failure::unknown(format!("starting the event loop: {e}")))?;
    runtime.block_on(scan(s, &interface, opts, deadline))
}

async fn scan(
    s: &Settings,
    interface: &str,
    opts: ScanOptions,
    deadline: tokio::time::Instant,
) -> Result<u8, Failure> {
    let mut capture = capture::open(interface, opts.backend).map_err(capture_failure)?;
    let config = Config {
        allow: s.allow.clone(),
        ..Config::default()
    };
    let mut detector = Detector::new(config, s.rules.clone(), s.registry.clone());
    let started = now();
    observe_host(s, &mut detector, interface, started);
    let probes = if opts.passive {
        Probes::default()
    } else {
        send_probes(s, interface, &mut capture)?
    };
    loop {
        match tokio::time::timeout_at(deadline, capture.recv()).await {
            Err(_elapsed) => break,
            Ok(Ok(frame)) => {
                detector.handle_frame(Timestamp::from_micros(frame.ts_micros), frame.data);
            }
            Ok(Err(e)) => return Err(capture_failure(e)),
        }
        report_progress(s, &mut detector, started);
    }
    let end = now();
    observe_host(s, &mut detector, interface, end);
    detector.handle_timeout(end);
    report_progress(s, &mut detector, started);
    warn_about_losses(s, &mut capture);
    let snapshot = detector.snapshot(end);
    let ctx = Context {
        interface: Some(interface),
        started,
        duration: end.since(started),
        probes,
        inputs: Vec::new(),
        rules: &s.rules,
    };
    print_report(s, &snapshot, &ctx)?;
    Ok(snapshot.verdict.exit_code())
}

/// The clock now, as the detector counts time (the capture's timestamps are on the same
/// clock).
fn now() -> Timestamp {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    Timestamp::from_micros(micros)
}

/// Feeds the host's addresses, routes and resolvers. A host that cannot be read (no
/// netlink in a restricted container) makes the report poorer, not the scan impossible.
fn observe_host(s: &Settings, detector: &mut Detector, interface: &str, at: Timestamp) {
    match host::observe(interface) {
        Ok(observation) => detector.handle_host(at, observation),
        Err(e) if !s.quiet => {
            eprintln!("v6sentinel: warning: {e}; the report leaves out this host's own state");
        }
        Err(_) => {}
    }
}

/// Sends the Router Solicitation, the DHCPv6 Solicit and the Information-request. No
/// privilege is fatal (exit 3, saying what is needed); any other failure of one probe is
/// a warning, and the report says which probes went out.
fn send_probes(
    s: &Settings,
    interface: &str,
    capture: &mut LiveCapture,
) -> Result<Probes, Failure> {
    let target = probe::target_for(interface).map_err(probe_failure)?;
    let sent = probe::send_for(&target, capture);
    for result in [
        sent.router_solicitation.as_ref().err(),
        sent.dhcpv6_solicit.as_ref().err(),
        sent.information_request.as_ref().err(),
    ]
    .into_iter()
    .flatten()
    {
        if let ProbeError::Permission { .. } = result {
            return Err(Failure::unknown(result.to_string()));
        }
        if !s.quiet {
            eprintln!("v6sentinel: warning: {result}");
        }
    }
    if s.verbose > 0 {
        if let Ok(d) = &sent.dhcpv6_solicit {
            if let Some(why) = d.fallback {
                eprintln!(
                    "v6sentinel: DHCPv6 probes sent from port {} ({why})",
                    d.source_port
                );
            }
        }
    }
    Ok(Probes {
        router_solicitation: sent.router_solicitation.is_ok(),
        dhcpv6_solicit: sent.dhcpv6_solicit.is_ok(),
    })
}

/// With `-v`, one line on stderr per source as it is raised or changes, with the time
/// since the start; otherwise the events are only drained.
fn report_progress(s: &Settings, detector: &mut Detector, started: Timestamp) {
    while let Some(event) = detector.poll_event() {
        if s.verbose == 0 {
            continue;
        }
        let what = event.kind.as_str();
        let at = event.time.since(started).as_secs_f64();
        match event.subject {
            Subject::Source(mac) => {
                let severity = detector
                    .finding(&mac)
                    .map(|f| f.severity.as_str())
                    .unwrap_or("-");
                eprintln!("v6sentinel: +{at:.3} s {what} {mac} ({severity})");
            }
            Subject::Flood => eprintln!("v6sentinel: +{at:.3} s {what} flood"),
        }
    }
}

/// Says on stderr when frames were lost, so a clean report is not over-trusted.
fn warn_about_losses(s: &Settings, capture: &mut LiveCapture) {
    let Ok(stats) = capture.stats() else {
        return;
    };
    let CaptureStats {
        received,
        dropped_by_kernel,
        dropped_by_queue,
        truncated,
        ..
    } = stats;
    let lost = dropped_by_kernel
        .unwrap_or(0)
        .saturating_add(dropped_by_queue);
    if lost > 0 && !s.quiet {
        eprintln!(
            "v6sentinel: warning: {lost} frames were dropped before they could be read; \
             the report may be incomplete"
        );
    }
    if s.verbose > 0 {
        eprintln!(
            "v6sentinel: {received} frames read, {lost} dropped, {truncated} cut ({} backend)",
            capture.backend()
        );
    }
}

fn capture_failure(e: CaptureError) -> Failure {
    Failure::unknown(e.to_string())
}

fn probe_failure(e: ProbeError) -> Failure {
    let hint = match e {
        ProbeError::NoMac { .. } => "; scan an Ethernet interface, or use --passive",
        _ => "",
    };
    Failure::unknown(format!("{e}{hint}"))
}
