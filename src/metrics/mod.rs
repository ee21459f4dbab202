//! Prometheus metrics and the health check of `v6sentinel watch`: the [`Metrics`]
//! registry the service updates, its rendering in the Prometheus text exposition format
//! 0.0.4 ([`Metrics::render`]), the [`Health`] verdict, and the HTTP endpoint that serves
//! both ([`serve`]).
//!
//! The registry owns no clock and no global state: the service creates one, shares it as
//! an `Arc<Metrics>`, and copies its counters in (the detector's [`Stats`], the capture's
//! [`CaptureStats`], the sinks' [`SinkSample`]s) whenever its loop runs. Those counters
//! are totals kept by their owners, so the registry *sets* them rather than adding up;
//! when an owner starts again from zero (a capture reopened, a detector rebuilt after a
//! reload) the counter goes down, which Prometheus reads as a counter reset.
//!
//! # Metrics
//! Per interface (label `interface`):
//!
//! | metric | type | from |
//! | --- | --- | --- |
//! | `v6sentinel_frames_total` | counter | [`Stats::frames`] |
//! | `v6sentinel_candidate_frames_total` | counter | [`Stats::candidates`] |
//! | `v6sentinel_messages_total{kind="router_advert"\|"dhcpv6_server"}` | counter | [`Stats::router_adverts`], [`Stats::dhcpv6_server_messages`] |
//! | `v6sentinel_invalid_router_adverts_total` | counter | [`Stats::invalid_router_adverts`] |
//! | `v6sentinel_malformed_frames_total` | counter | [`Stats::malformed`] |
//! | `v6sentinel_fragments_total` | counter | [`Stats::fragments`] |
//! | `v6sentinel_reassembled_datagrams_total` | counter | [`Stats::reassembled`] |
//! | `v6sentinel_sources_not_kept_total` | counter | [`Stats::sources_not_kept`] |
//! | `v6sentinel_capture_received_frames_total` | counter | [`CaptureStats::received`] |
//! | `v6sentinel_capture_kernel_passed_frames_total` | counter | [`CaptureStats::kernel_passed`] (when known) |
//! | `v6sentinel_capture_dropped_frames_total{stage="kernel"\|"queue"}` | counter | [`CaptureStats::dropped_by_kernel`] (when known), [`CaptureStats::dropped_by_queue`] |
//! | `v6sentinel_capture_filtered_frames_total` | counter | [`CaptureStats::filtered`] |
//! | `v6sentinel_capture_truncated_frames_total` | counter | [`CaptureStats::truncated`] |
//! | `v6sentinel_capture_up` | gauge | [`Metrics::set_capture_up`] |
//! | `v6sentinel_sources{severity="info"\|"warning"\|"critical"}` | gauge | [`Metrics::set_sources`] |
//! | `v6sentinel_alerts_total{event="raised"\|"updated"\|"resolved"}` | counter | [`Metrics::alert`] |
//!
//! Per sink (labels `sink`, the sink's name, and `type`, its `type` in the configuration):
//! `v6sentinel_sink_queue_depth` and `v6sentinel_sink_spool_depth` (gauges),
//! `v6sentinel_sink_delivered_total`, `v6sentinel_sink_failures_total` and
//! `v6sentinel_sink_dropped_total` (counters), from [`Metrics::set_sinks`].
//!
//! Process-wide: `v6sentinel_build_info{version}` (always 1),
//! `v6sentinel_start_time_seconds`, `v6sentinel_last_loop_timestamp_seconds` (the
//! heartbeat: monitoring tells "no alerts" from "dead" by its age) and
//! `v6sentinel_config_reloads_total{result="ok"\|"failed"}`.
//!
//! A family with no sample (no interface yet, no sink) is left out of the output.
#![forbid(unsafe_code)]

mod http;
mod text;

pub use http::{MetricsError, serve};

use crate::capture::CaptureStats;
use crate::detect::{EventKind, Stats};
use std::collections::BTreeMap;
use std::fmt;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::{SystemTime, UNIX_EPOCH};
use text::{Kind, Writer};

/// The `Content-Type` of [`Metrics::render`]'s output.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// The counters of one sink, filled in by the service from its sink module.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SinkSample {
    /// The sink's name (unique among the sinks; e.g. `webhook-0`).
    pub name: String,
    /// Its type as written in the configuration: `stdout`, `file`, `syslog`, `webhook`.
    pub kind: String,
    /// Alerts waiting in memory to be written or sent.
    pub queued: u64,
    /// Alerts waiting in the on-disk spool (webhook).
    pub spooled: u64,
    /// Alerts delivered since start.
    pub delivered: u64,
    /// Failed delivery attempts since start (an alert retried three times counts three).
    pub failed: u64,
    /// Alerts given up on since start (queue or spool full, too old).
    pub dropped: u64,
}

/// Whether the service is working, as `GET /healthz` reports it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Health {
    /// Everything runs: `200 ok`.
    Healthy,
    /// Something does not: `503` with this one-line reason.
    Unhealthy(String),
}

impl Health {
    /// Whether it is [`Health::Healthy`].
    pub fn is_healthy(&self) -> bool {
        matches!(self, Health::Healthy)
    }
}

impl fmt::Display for Health {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Health::Healthy => f.write_str("ok"),
            Health::Unhealthy(reason) => f.write_str(reason),
        }
    }
}

/// What is known about one interface.
#[derive(Debug, Clone, Copy, Default)]
struct Interface {
    detector: Stats,
    capture: CaptureStats,
    up: bool,
    /// info, warning, critical.
    sources: [u64; 3],
    /// raised, updated, resolved.
    alerts: [u64; 3],
}

/// Everything behind the lock.
#[derive(Debug, Default)]
struct State {
    interfaces: BTreeMap<String, Interface>,
    sinks: Vec<SinkSample>,
    last_loop: Option<u64>,
    reloads_ok: u64,
    reloads_failed: u64,
}

/// The metrics registry of one `watch` service. Share it as `Arc<Metrics>`: every method
/// takes `&self`. Updates take a short lock; [`Metrics::render`] copies nothing it does
/// not print.
#[derive(Debug)]
pub struct Metrics {
    version: String,
    start_time: u64,
    state: Mutex<State>,
}

impl Metrics {
    /// A registry for this build `version` (e.g. `env!("CARGO_PKG_VERSION")`) of a service
    /// started at `start_unix_secs` (see [`unix_now`]).
    pub fn new(version: &str, start_unix_secs: u64) -> Metrics {
        Metrics {
            version: version.to_owned(),
            start_time: start_unix_secs,
            state: Mutex::new(State::default()),
        }
    }

    /// The lock; a panic elsewhere while holding it leaves counters that are still worth
    /// showing, so poisoning is ignored.
    fn state(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Runs `f` on `interface`'s entry, creating it (capture down, all zero) if new.
    fn with_interface(&self, interface: &str, f: impl FnOnce(&mut Interface)) {
        let mut state = self.state();
        match state.interfaces.get_mut(interface) {
            Some(entry) => f(entry),
            None => {
                let mut entry = Interface::default();
                f(&mut entry);
                state.interfaces.insert(interface.to_owned(), entry);
            }
        }
    }

    /// Copies the detector's counters for `interface` (totals since the detector began).
    pub fn set_detector_stats(&self, interface: &str, stats: &Stats) {
        self.with_interface(interface, |i| i.detector = *stats);
    }

    /// Copies the capture's counters for `interface` (totals since it was opened).
    pub fn set_capture_stats(&self, interface: &str, stats: &CaptureStats) {
        self.with_interface(interface, |i| i.capture = *stats);
    }

    /// Records whether the capture on `interface` runs. An interface is down until this
    /// says otherwise.
    pub fn set_capture_up(&self, interface: &str, up: bool) {
        self.with_interface(interface, |i| i.up = up);
    }

    /// Records how many sources on `interface` are at each severity now.
    pub fn set_sources(&self, interface: &str, info: u64, warning: u64, critical: u64) {
        self.with_interface(interface, |i| i.sources = [info, warning, critical]);
    }

    /// Counts one alert event emitted for `interface`.
    pub fn alert(&self, interface: &str, event: EventKind) {
        let index = match event {
            EventKind::Raised => 0,
            EventKind::Updated => 1,
            EventKind::Resolved => 2,
        };
        self.with_interface(interface, |i| {
            i.alerts[index] = i.alerts[index].saturating_add(1);
        });
    }

    /// Forgets `interface` (no longer captured after a reload).
    pub fn remove_interface(&self, interface: &str) {
        self.state().interfaces.remove(interface);
    }

    /// Replaces the sinks' counters; they are shown in this order.
    pub fn set_sinks(&self, sinks: Vec<SinkSample>) {
        self.state().sinks = sinks;
    }

    /// Records that the service's main loop ran at `unix_secs`. The service calls it at
    /// least every few seconds, idle or not.
    pub fn heartbeat(&self, unix_secs: u64) {
        self.state().last_loop = Some(unix_secs);
    }

    /// Counts one configuration reload, successful or not.
    pub fn reload(&self, ok: bool) {
        let mut state = self.state();
        let counter = if ok {
            &mut state.reloads_ok
        } else {
            &mut state.reloads_failed
        };
        *counter = counter.saturating_add(1);
    }

    /// The health verdict at `now_unix_secs`: unhealthy when the main loop last ran more
    /// than `max_silence_s` seconds ago (counting from the start time before the first
    /// heartbeat), or when a capture is down. The reason names what is wrong, e.g.
    /// `capture down on eth0, eth1` or `main loop last ran 42 s ago (limit 30 s)`.
    pub fn health(&self, now_unix_secs: u64, max_silence_s: u64) -> Health {
        let state = self.state();
        let mut reasons = Vec::new();
        let last = state.last_loop.unwrap_or(self.start_time);
        let silent = now_unix_secs.saturating_sub(last);
        if silent > max_silence_s {
            reasons.push(match state.last_loop {
                Some(_) => format!("main loop last ran {silent} s ago (limit {max_silence_s} s)"),
                None => format!("main loop has not run in {silent} s since start"),
            });
        }
        let down: Vec<&str> = state
            .interfaces
            .iter()
            .filter(|(_, i)| !i.up)
            .map(|(name, _)| name.as_str())
            .collect();
        if !down.is_empty() {
            reasons.push(format!("capture down on {}", down.join(", ")));
        }
        if reasons.is_empty() {
            Health::Healthy
        } else {
            // One line, whatever the interface names hold.
            Health::Unhealthy(reasons.join("; ").replace(['\n', '\r'], " "))
        }
    }

    /// All metrics in the Prometheus text exposition format 0.0.4 (see the module
    /// documentation for the list). Families are in a fixed order, interfaces sorted by
    /// name, sinks in the order given.
    pub fn render(&self) -> String {
        let state = self.state();
        let mut w = Writer::default();
        let version = [("version", self.version.as_str())];
        w.family(
            "v6sentinel_build_info",
            Kind::Gauge,
            "The version of v6sentinel that runs (always 1).",
            [(&version[..], 1)],
        );
        w.family(
            "v6sentinel_start_time_seconds",
            Kind::Gauge,
            "When the service started, in seconds since the Unix epoch.",
            [(&[][..], self.start_time)],
        );
        if let Some(last) = state.last_loop {
            w.family(
                "v6sentinel_last_loop_timestamp_seconds",
                Kind::Gauge,
                "When the service's main loop last ran, in seconds since the Unix epoch; \
                 it runs at least every few seconds, idle or not.",
                [(&[][..], last)],
            );
        }
        w.family(
            "v6sentinel_config_reloads_total",
            Kind::Counter,
            "Configuration reloads (SIGHUP), by result.",
            [
                (&[("result", "ok")][..], state.reloads_ok),
                (&[("result", "failed")][..], state.reloads_failed),
            ],
        );

        let ifaces = &state.interfaces;
        // One sample per interface, labelled with it.
        let per_iface = |w: &mut Writer, name, kind, help, value: fn(&Interface) -> u64| {
            let labels: Vec<[(&str, &str); 1]> =
                ifaces.keys().map(|n| [("interface", n.as_str())]).collect();
            let samples = labels
                .iter()
                .zip(ifaces.values())
                .map(|(l, i)| (&l[..], value(i)));
            w.family(name, kind, help, samples);
        };
        // Several samples per interface, labelled with it and `label`.
        let per_iface_by =
            |w: &mut Writer,
             name,
             kind,
             help,
             label: &'static str,
             values: fn(&Interface) -> Vec<(&'static str, u64)>| {
                let rows: Vec<([(&str, &str); 2], u64)> = ifaces
                    .iter()
                    .flat_map(|(n, i)| {
                        values(i)
                            .into_iter()
                            .map(move |(v, x)| ([("interface", n.as_str()), (label, v)], x))
                    })
                    .collect();
                w.family(name, kind, help, rows.iter().map(|(l, x)| (&l[..], *x)));
            };

        per_iface(
            &mut w,
            "v6sentinel_capture_up",
            Kind::Gauge,
            "Whether the capture on the interface runs (1) or not (0).",
            |i| u64::from(i.up),
        );
        per_iface(
            &mut w,
            "v6sentinel_frames_total",
            Kind::Counter,
            "Frames fed to the detector.",
            |i| i.detector.frames,
        );
        per_iface(
            &mut w,
            "v6sentinel_candidate_frames_total",
            Kind::Counter,
            "Frames that may carry a Router Advertisement or DHCPv6 (passed the prefilter).",
            |i| i.detector.candidates,
        );
        per_iface_by(
            &mut w,
            "v6sentinel_messages_total",
            Kind::Counter,
            "Router Advertisements and DHCPv6 server messages seen, valid or not.",
            "kind",
            |i| {
                vec![
                    ("router_advert", i.detector.router_adverts),
                    ("dhcpv6_server", i.detector.dhcpv6_server_messages),
                ]
            },
        );
        per_iface(
            &mut w,
            "v6sentinel_invalid_router_adverts_total",
            Kind::Counter,
            "Router Advertisements a host would ignore (RFC 4861 section 6.1.2).",
            |i| i.detector.invalid_router_adverts,
        );
        per_iface(
            &mut w,
            "v6sentinel_malformed_frames_total",
            Kind::Counter,
            "Frames with a malformed part.",
            |i| i.detector.malformed,
        );
        per_iface(
            &mut w,
            "v6sentinel_fragments_total",
            Kind::Counter,
            "IPv6 fragments fed to reassembly.",
            |i| i.detector.fragments,
        );
        per_iface(
            &mut w,
            "v6sentinel_reassembled_datagrams_total",
            Kind::Counter,
            "IPv6 datagrams reassembled from fragments.",
            |i| i.detector.reassembled,
        );
        per_iface(
            &mut w,
            "v6sentinel_sources_not_kept_total",
            Kind::Counter,
            "Messages from new senders not kept (source cap reached or flood).",
            |i| i.detector.sources_not_kept,
        );
        per_iface(
            &mut w,
            "v6sentinel_capture_received_frames_total",
            Kind::Counter,
            "Frames the capture handed to the detector.",
            |i| i.capture.received,
        );
        // Only the interfaces whose backend can tell.
        let passed: Vec<([(&str, &str); 1], u64)> = ifaces
            .iter()
            .filter_map(|(n, i)| Some(([("interface", n.as_str())], i.capture.kernel_passed?)))
            .collect();
        w.family(
            "v6sentinel_capture_kernel_passed_frames_total",
            Kind::Counter,
            "Frames the kernel filter passed to the capture socket, queued or dropped.",
            passed.iter().map(|(l, x)| (&l[..], *x)),
        );
        per_iface_by(
            &mut w,
            "v6sentinel_capture_dropped_frames_total",
            Kind::Counter,
            "Frames lost before the detector: socket buffer full (kernel) or \
             capture queue full (queue).",
            "stage",
            |i| {
                let mut v = Vec::with_capacity(2);
                if let Some(d) = i.capture.dropped_by_kernel {
                    v.push(("kernel", d));
                }
                v.push(("queue", i.capture.dropped_by_queue));
                v
            },
        );
        per_iface(
            &mut w,
            "v6sentinel_capture_filtered_frames_total",
            Kind::Counter,
            "Frames read but not handed over (user-space filter, or sent by this host).",
            |i| i.capture.filtered,
        );
        per_iface(
            &mut w,
            "v6sentinel_capture_truncated_frames_total",
            Kind::Counter,
            "Frames longer than the capture buffer, handed over cut.",
            |i| i.capture.truncated,
        );
        per_iface_by(
            &mut w,
            "v6sentinel_sources",
            Kind::Gauge,
            "Devices sending IPv6 configuration now, by severity.",
            "severity",
            |i| {
                vec![
                    ("info", i.sources[0]),
                    ("warning", i.sources[1]),
                    ("critical", i.sources[2]),
                ]
            },
        );
        per_iface_by(
            &mut w,
            "v6sentinel_alerts_total",
            Kind::Counter,
            "Alert events emitted, by event.",
            "event",
            |i| {
                vec![
                    ("raised", i.alerts[0]),
                    ("updated", i.alerts[1]),
                    ("resolved", i.alerts[2]),
                ]
            },
        );

        let sink_labels: Vec<[(&str, &str); 2]> = state
            .sinks
            .iter()
            .map(|s| [("sink", s.name.as_str()), ("type", s.kind.as_str())])
            .collect();
        let per_sink = |w: &mut Writer, name, kind, help, value: fn(&SinkSample) -> u64| {
            let samples = sink_labels
                .iter()
                .zip(&state.sinks)
                .map(|(l, s)| (&l[..], value(s)));
            w.family(name, kind, help, samples);
        };
        per_sink(
            &mut w,
            "v6sentinel_sink_queue_depth",
            Kind::Gauge,
            "Alerts waiting in memory for the sink.",
            |s| s.queued,
        );
        per_sink(
            &mut w,
            "v6sentinel_sink_spool_depth",
            Kind::Gauge,
            "Alerts waiting in the sink's on-disk spool.",
            |s| s.spooled,
        );
        per_sink(
            &mut w,
            "v6sentinel_sink_delivered_total",
            Kind::Counter,
            "Alerts the sink delivered.",
            |s| s.delivered,
        );
        per_sink(
            &mut w,
            "v6sentinel_sink_failures_total",
            Kind::Counter,
            "Failed delivery attempts.",
            |s| s.failed,
        );
        per_sink(
            &mut w,
            "v6sentinel_sink_dropped_total",
            Kind::Counter,
            "Alerts the sink gave up on (queue or spool full).",
            |s| s.dropped,
        );
        w.finish()
    }
}

/// The current time in whole seconds since the Unix epoch (0 if the clock is set before
/// 1970), for [`Metrics::new`], [`Metrics::heartbeat`] and [`Metrics::health`].
pub fn unix_now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

#[cfg(test)]
mod tests;
