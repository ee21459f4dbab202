//! The detector on sequences of arbitrary frames at arbitrary (monotonic or not) times,
//! with timers and snapshots in between: no panic, bounded state, well-formed events.
//!
//! Input: records of `[dt: u16 LE milliseconds][kind: u8][len: u8][len bytes]`; kind 0 is
//! an Ethernet frame, 1 a bare IPv6 packet from a MAC taken from the first 6 bytes,
//! 2 "let time pass" (handle_timeout), 3 a snapshot.
#![no_main]
use libfuzzer_sys::fuzz_target;
use std::sync::{Arc, OnceLock};
use v6sentinel::detect::{Config, Detector, EventKind, Subject, Timestamp};
use v6sentinel::oui::Registry;
use v6sentinel::rules::Rules;
use v6sentinel::wire::Mac;

fn tables() -> &'static (Arc<Rules>, Arc<Registry>) {
    static T: OnceLock<(Arc<Rules>, Arc<Registry>)> = OnceLock::new();
    T.get_or_init(|| (Arc::new(Rules::embedded().clone()), Arc::new(Registry::embedded().clone())))
}

fuzz_target!(|data: &[u8]| {
    let (rules, registry) = tables();
    // Small caps so that the bounds are reached within one input.
    let config = Config {
        max_sources: 8,
        flood_threshold: 4,
        ..Config::default()
    };
    let max_sources = config.max_sources;
    let mut det = Detector::new(config, rules.clone(), registry.clone());
    let mut now = 1_700_000_000_000_000i64;
    let mut rest = data;
    while let [a, b, kind, len, tail @ ..] = rest {
        let len = usize::from(*len).min(tail.len());
        let (body, next) = tail.split_at(len);
        rest = next;
        now += i64::from(u16::from_le_bytes([*a, *b])) * 1000;
        let t = Timestamp::from_micros(now);
        match kind % 4 {
            0 => det.handle_frame(t, body),
            1 => {
                let mut m = [0u8; 6];
                for (d, s) in m.iter_mut().zip(body) {
                    *d = *s;
                }
                det.handle_packet(t, Mac(m), body.get(6..).unwrap_or_default());
            }
            2 => det.handle_timeout(t),
            _ => {
                let snap = det.snapshot(t);
                assert!(snap.findings.len() <= max_sources);
            }
        }
        while let Some(e) = det.poll_event() {
            assert!(e.time.as_micros() <= now, "an event from the future");
            if let Subject::Source(mac) = e.subject {
                // A raised or updated source exists; every source does, once seen.
                if e.kind != EventKind::Resolved {
                    assert!(det.finding(&mac).is_some(), "event for an unknown source");
                }
            }
        }
        if let Some(next) = det.poll_timeout() {
            assert!(next.as_micros() > now || next.as_micros() >= 0);
        }
    }
    let snap = det.snapshot(Timestamp::from_micros(now));
    assert!(snap.findings.len() <= max_sources);
});
