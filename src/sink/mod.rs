//! Alert sinks for `v6sentinel watch`: stdout, file, syslog, webhook and, on Windows,
//! the Event Log.
//!
//! Alerts reach the sinks already rendered: one `v6sentinel.alert/1` JSON object per
//! line (DESIGN.md, "JSON"), with the alert's [`AlertSeverity`] beside it for syslog.
//! The detector knows nothing of sinks; `watch` hands each alert to [`Sinks::send`].
//!
//! # Never blocking the capture
//! Each sink has its own bounded queue ([`QUEUE_CAPACITY`] alerts) and its own worker:
//! a thread for stdout, file and the Event Log (their writes block), a tokio task for
//! syslog (its sockets are asynchronous), two threads for a webhook (spool writer and
//! delivery).
//! [`Sinks::send`] only puts the alert in each queue without waiting; when a queue is
//! full the alert is dropped *for that sink* and counted, with one warning on stderr
//! per burst. So a syslog daemon that stops reading or a webhook that hangs costs its
//! own alerts, never the capture's time or the other sinks' alerts. The webhook's
//! queue only feeds its spool writer, which drains it at disk speed; its outages are
//! absorbed by the spool (see `docs/CHOICES.md`, "Alert sinks").
//!
//! # Life cycle
//! [`Sinks::start`] (inside a tokio runtime with I/O and time enabled) →
//! [`Sinks::send`] for every alert, [`Sinks::reopen`] on SIGHUP, [`Sinks::stats`] for
//! metrics → [`Sinks::shutdown`] with a deadline.

mod config;
pub mod eventlog;
mod spool;
mod stream;
mod syslog;
mod webhook;

#[cfg(windows)]
pub use config::program_data_dir;
pub use config::{
    EventlogConfig, Facility, FileConfig, SinkConfig, SyslogConfig, SyslogTarget, WebhookConfig,
};

use std::fmt;
use std::io;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::time::{Duration, Instant};

use tokio::sync::{mpsc, oneshot, watch};

use crate::detect::{EventKind, Severity};

/// How many alerts each sink's queue holds before new ones are dropped for it.
pub const QUEUE_CAPACITY: usize = 4096;

/// How much longer than the deadline [`Sinks::shutdown`] waits for workers to notice it
/// and end cleanly.
const SHUTDOWN_GRACE: Duration = Duration::from_millis(500);

/// How serious an alert is, for sinks that grade their messages (syslog).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum AlertSeverity {
    /// An info-level source (expected, or changes nothing).
    Info,
    /// Changes the terminal's DNS or routes.
    Warning,
    /// Network error 011 is likely.
    Critical,
    /// A source or flood that was raised is over.
    Resolved,
}

impl AlertSeverity {
    /// The severity of a lifecycle event: `resolved` events are [`AlertSeverity::Resolved`]
    /// whatever the source's last severity; the others take the source's.
    pub const fn of_event(kind: EventKind, severity: Severity) -> AlertSeverity {
        match (kind, severity) {
            (EventKind::Resolved, _) => AlertSeverity::Resolved,
            (_, Severity::Critical) => AlertSeverity::Critical,
            (_, Severity::Warning) => AlertSeverity::Warning,
            (_, Severity::Info) => AlertSeverity::Info,
        }
    }

    /// The syslog severity (RFC 5424 Table 2): critical → 2 (crit), warning → 4
    /// (warning), resolved → 5 (notice: normal but significant, worth a look in a
    /// filtered log), info → 6 (informational).
    pub const fn syslog_severity(self) -> u8 {
        match self {
            AlertSeverity::Critical => 2,
            AlertSeverity::Warning => 4,
            AlertSeverity::Resolved => 5,
            AlertSeverity::Info => 6,
        }
    }

    /// The lower-case name.
    pub const fn as_str(self) -> &'static str {
        match self {
            AlertSeverity::Info => "info",
            AlertSeverity::Warning => "warning",
            AlertSeverity::Critical => "critical",
            AlertSeverity::Resolved => "resolved",
        }
    }
}

impl fmt::Display for AlertSeverity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One alert, as every sink receives it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The rendered JSON object, without a trailing newline (the sinks add their own
    /// framing).
    pub line: Arc<str>,
    /// How serious it is.
    pub severity: AlertSeverity,
}

/// A sink that could not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// [`SinkConfig::validate`] refused the configuration.
    #[error("sink {sink}: {reason}")]
    Invalid {
        /// The sink's name.
        sink: String,
        /// What is wrong.
        reason: String,
    },
    /// A file sink's file could not be opened.
    #[error("file sink {}: {source}", path.display())]
    Open {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// A webhook's spool directory could not be created or read.
    #[error("webhook {url}: spool directory {}: {source}", dir.display())]
    Spool {
        /// The webhook (without credentials).
        url: String,
        /// The spool directory.
        dir: PathBuf,
        /// Why.
        source: io::Error,
    },
    /// Two webhooks were given one spool directory: each would deliver the other's
    /// alerts.
    #[error("webhooks {first} and {second} share the spool directory {}", dir.display())]
    SharedSpool {
        /// One webhook.
        first: String,
        /// The other.
        second: String,
        /// The directory.
        dir: PathBuf,
    },
    /// A webhook's `ca_file` could not be used.
    #[error("webhook {url}: CA file {}: {reason}", path.display())]
    CaFile {
        /// The webhook (without credentials).
        url: String,
        /// The file.
        path: PathBuf,
        /// Why.
        reason: String,
    },
    /// A syslog sink was started outside a tokio runtime.
    #[error("sink {sink}: must be started inside a tokio runtime (with I/O and time enabled)")]
    NoRuntime {
        /// The sink's name.
        sink: String,
    },
    /// An event log sink could not open its event source (`RegisterEventSourceW`).
    #[error("sink {sink}: cannot open the event source: {error}")]
    EventSource {
        /// The sink's name.
        sink: String,
        /// Why.
        error: io::Error,
    },
    /// A sink's thread could not be started.
    #[error("sink {sink}: cannot start its thread: {source}")]
    Thread {
        /// The sink's name.
        sink: String,
        /// Why.
        source: io::Error,
    },
}

/// One sink's counters, for metrics.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SinkStats {
    /// `stdout`, `file:PATH`, `syslog:TARGET` or `webhook:URL` (without credentials or
    /// query).
    pub name: String,
    /// `stdout`, `file`, `syslog`, `webhook` or `eventlog`.
    pub kind: &'static str,
    /// Alerts waiting in the sink's queue now.
    pub queued: u64,
    /// Alerts waiting in the spool now (webhook; 0 for the others).
    pub spooled: u64,
    /// Alerts delivered (written, sent, or answered 2xx).
    pub delivered: u64,
    /// Delivery attempts that failed (a retried alert counts once per attempt).
    pub failed: u64,
    /// Alerts this sink will never deliver: queue full, spool cap, refused by the
    /// endpoint (4xx), a failed write, or the sink disabled.
    pub dropped: u64,
}

/// The running sinks. Dropping it without [`Sinks::shutdown`] closes the queues with no
/// deadline: stdout and file still write what is queued, a webhook spools it but stops
/// delivering (the spool waits for the next start), syslog stops at once.
pub struct Sinks {
    sinks: Vec<Running>,
}

impl fmt::Debug for Sinks {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list()
            .entries(self.sinks.iter().map(|s| &s.name))
            .finish()
    }
}

/// One running sink.
struct Running {
    name: Arc<str>,
    kind: &'static str,
    tx: mpsc::Sender<Msg>,
    counters: Arc<Counters>,
    control: Control,
    /// Fired when each worker ends.
    done: Vec<oneshot::Receiver<()>>,
}

/// How [`Sinks::reopen`] and [`Sinks::shutdown`] reach a sink beyond its queue.
enum Control {
    None,
    File(Arc<AtomicBool>),
    Syslog(watch::Sender<Option<tokio::time::Instant>>),
    Webhook(Arc<webhook::Shared>),
}

/// What goes through a sink's queue.
pub(crate) enum Msg {
    Alert(Alert),
    /// Reopen the file (a wake-up; the flag in [`Control::File`] carries the request).
    Reopen,
}

/// Counters shared by a sink's worker and [`Sinks::stats`].
#[derive(Debug, Default)]
pub(crate) struct Counters {
    pub delivered: AtomicU64,
    pub failed: AtomicU64,
    pub dropped: AtomicU64,
    pub spooled: AtomicU64,
    /// The queue overflowed and was not empty since (one warning per burst).
    queue_full: AtomicBool,
}

impl Counters {
    /// Called by a worker after taking from its queue: a full queue that has drained
    /// ends the overflow burst.
    pub(crate) fn note_dequeued(&self, name: &str, queue_empty: bool) {
        if queue_empty && self.queue_full.swap(false, Ordering::Relaxed) {
            eprintln!(
                "v6sentinel: sink {name}: the queue has room again ({} alerts dropped so far)",
                self.dropped.load(Ordering::Relaxed)
            );
        }
    }
}

/// Fires its oneshot when dropped, i.e. when the worker holding it ends in any way.
pub(crate) struct Done(Option<oneshot::Sender<()>>);

impl Drop for Done {
    fn drop(&mut self) {
        if let Some(tx) = self.0.take() {
            let _ = tx.send(());
        }
    }
}

fn done_pair() -> (Done, oneshot::Receiver<()>) {
    let (tx, rx) = oneshot::channel();
    (Done(Some(tx)), rx)
}

/// Exponential backoff: `initial`, doubled after each failure, capped at `max`.
#[derive(Debug)]
pub(crate) struct Backoff {
    initial: Duration,
    max: Duration,
    next: Duration,
}

impl Backoff {
    pub(crate) fn new(initial: Duration, max: Duration) -> Backoff {
        let initial = initial.min(max);
        Backoff {
            initial,
            max,
            next: initial,
        }
    }

    /// The wait before the next attempt.
    pub(crate) fn next_delay(&mut self) -> Duration {
        let delay = self.next;
        self.next = (self.next * 2).min(self.max);
        delay
    }

    /// After a success.
    pub(crate) fn reset(&mut self) {
        self.next = self.initial;
    }
}

/// A run of failures, reported once when it starts and once when it ends, not per
/// attempt: an endpoint down for a night must not fill the journal.
#[derive(Debug, Default)]
pub(crate) struct Streak {
    failures: u64,
}

impl Streak {
    pub(crate) fn failed(&mut self, name: &str, why: &dyn fmt::Display) {
        if self.failures == 0 {
            eprintln!("v6sentinel: warning: sink {name}: {why}; retrying");
        }
        self.failures += 1;
    }

    pub(crate) fn succeeded(&mut self, name: &str) {
        if self.failures > 0 {
            eprintln!(
                "v6sentinel: sink {name}: working again after {} failed attempts",
                self.failures
            );
            self.failures = 0;
        }
    }
}

impl Sinks {
    /// Validates every configuration, then opens and starts each sink (files are
    /// opened, spools read, CA files loaded here, so errors surface before `watch`
    /// starts capturing). Alerts found in a webhook's spool are delivered first.
    ///
    /// Call it inside a tokio runtime with I/O and time enabled when a syslog sink is
    /// configured; [`Sinks::shutdown`] needs the runtime in any case.
    pub fn start(configs: &[SinkConfig]) -> Result<Sinks, SinkError> {
        for config in configs {
            config.validate().map_err(|reason| SinkError::Invalid {
                sink: config.name(),
                reason,
            })?;
        }
        let mut spools: Vec<(PathBuf, String)> = Vec::new();
        for config in configs {
            if let SinkConfig::Webhook(w) = config {
                let dir = webhook::spool_identity(w)?;
                if let Some((_, first)) = spools.iter().find(|(d, _)| *d == dir) {
                    return Err(SinkError::SharedSpool {
                        first: first.clone(),
                        second: config.name(),
                        dir,
                    });
                }
                spools.push((dir, config.name()));
            }
        }
        let mut sinks = Vec::with_capacity(configs.len());
        for config in configs {
            let name: Arc<str> = config.name().into();
            let counters = Arc::new(Counters::default());
            let (tx, rx) = mpsc::channel(QUEUE_CAPACITY);
            let mut done = Vec::new();
            let control = match config {
                SinkConfig::Stdout {} => {
                    let (guard, rx_done) = done_pair();
                    done.push(rx_done);
                    spawn_stream(&name, stream::Output::Stdout, rx, &counters, guard)?;
                    Control::None
                }
                SinkConfig::File(f) => {
                    let file = stream::open_append(&f.path).map_err(|source| SinkError::Open {
                        path: f.path.clone(),
                        source,
                    })?;
                    let reopen = Arc::new(AtomicBool::new(false));
                    let output = stream::Output::File {
                        path: f.path.clone(),
                        file: Some(file),
                        reopen: reopen.clone(),
                    };
                    let (guard, rx_done) = done_pair();
                    done.push(rx_done);
                    spawn_stream(&name, output, rx, &counters, guard)?;
                    Control::File(reopen)
                }
                SinkConfig::Syslog(s) => {
                    let runtime = tokio::runtime::Handle::try_current().map_err(|_| {
                        SinkError::NoRuntime {
                            sink: name.to_string(),
                        }
                    })?;
                    let target =
                        SyslogTarget::parse(&s.target).map_err(|reason| SinkError::Invalid {
                            sink: name.to_string(),
                            reason,
                        })?;
                    let (deadline_tx, deadline_rx) = watch::channel(None);
                    let (guard, rx_done) = done_pair();
                    done.push(rx_done);
                    let task = syslog::run(name.clone(), s.clone(), target, rx, counters.clone());
                    runtime.spawn(async move {
                        let _done = guard;
                        tokio::select! {
                            () = task => {}
                            () = until_deadline(deadline_rx) => {}
                        }
                    });
                    Control::Syslog(deadline_tx)
                }
                SinkConfig::Webhook(w) => {
                    let (writer_guard, writer_done) = done_pair();
                    let (send_guard, send_done) = done_pair();
                    done.push(writer_done);
                    done.push(send_done);
                    let shared =
                        webhook::start(&name, w, rx, &counters, (writer_guard, send_guard))?;
                    Control::Webhook(shared)
                }
                #[cfg(windows)]
                SinkConfig::Eventlog(e) => {
                    let (guard, rx_done) = done_pair();
                    done.push(rx_done);
                    eventlog::spawn(&name, &e.source, rx, &counters, guard)?;
                    Control::None
                }
                // `validate` refused it above; this arm is never reached.
                #[cfg(not(windows))]
                SinkConfig::Eventlog(_) => {
                    return Err(SinkError::Invalid {
                        sink: name.to_string(),
                        reason: "eventlog sink exists only on Windows".to_owned(),
                    });
                }
            };
            sinks.push(Running {
                name,
                kind: config.kind(),
                tx,
                counters,
                control,
                done,
            });
        }
        Ok(Sinks { sinks })
    }

    /// Hands one alert to every sink. Never blocks: a sink whose queue is full drops
    /// it (counted in [`SinkStats::dropped`], one warning per burst).
    pub fn send(&self, alert: Alert) {
        for sink in &self.sinks {
            match sink.tx.try_send(Msg::Alert(alert.clone())) {
                Ok(()) => {}
                Err(mpsc::error::TrySendError::Full(_)) => {
                    sink.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    if !sink.counters.queue_full.swap(true, Ordering::Relaxed) {
                        eprintln!(
                            "v6sentinel: warning: sink {}: its queue is full \
                             ({QUEUE_CAPACITY} alerts); new alerts are dropped for it until \
                             it catches up",
                            sink.name
                        );
                    }
                }
                // The sink disabled itself (stdout closed) and said so.
                Err(mpsc::error::TrySendError::Closed(_)) => {
                    sink.counters.dropped.fetch_add(1, Ordering::Relaxed);
                }
            }
        }
    }

    /// Makes every file sink close and reopen its path (on SIGHUP, after logrotate
    /// moved the file). Never blocks; the reopen happens before the next alert is
    /// written.
    pub fn reopen(&self) {
        for sink in &self.sinks {
            if let Control::File(flag) = &sink.control {
                flag.store(true, Ordering::Relaxed);
                // A wake-up so that the file is reopened now rather than at the next
                // alert; if the queue is full the flag alone does it.
                let _ = sink.tx.try_send(Msg::Reopen);
            }
        }
    }

    /// Flushes and stops every sink: stdout, file and syslog write what is queued;
    /// a webhook spools what is queued and delivers what it can until `deadline` from
    /// now, leaving the rest in its spool for the next start. Returns shortly after the
    /// deadline at the latest, even if a sink is stuck (one warning per such sink).
    pub async fn shutdown(self, deadline: Duration) {
        let until = Instant::now() + deadline;
        let until_tokio = tokio::time::Instant::from_std(until);
        for sink in &self.sinks {
            match &sink.control {
                Control::Syslog(tx) => {
                    let _ = tx.send(Some(until_tokio));
                }
                Control::Webhook(shared) => shared.begin_shutdown(until),
                Control::None | Control::File(_) => {}
            }
        }
        let mut pending = Vec::with_capacity(self.sinks.len());
        for sink in self.sinks {
            let queued = queued(&sink.tx);
            // Closing the queue tells the worker to finish once it is empty.
            drop(sink.tx);
            pending.push((sink.name, sink.done, queued, sink.control));
        }
        for (name, done, queued, _control) in pending {
            for rx in done {
                let finished = tokio::time::timeout_at(until_tokio + SHUTDOWN_GRACE, rx).await;
                if finished.is_err() {
                    eprintln!(
                        "v6sentinel: warning: sink {name} did not finish by the shutdown \
                         deadline ({queued} alerts were queued when it began)"
                    );
                    break;
                }
            }
        }
    }

    /// Every sink's counters, in configuration order.
    pub fn stats(&self) -> Vec<SinkStats> {
        self.sinks
            .iter()
            .map(|s| SinkStats {
                name: s.name.to_string(),
                kind: s.kind,
                queued: queued(&s.tx),
                spooled: s.counters.spooled.load(Ordering::Relaxed),
                delivered: s.counters.delivered.load(Ordering::Relaxed),
                failed: s.counters.failed.load(Ordering::Relaxed),
                dropped: s.counters.dropped.load(Ordering::Relaxed),
            })
            .collect()
    }
}

/// Alerts waiting in a queue now.
fn queued(tx: &mpsc::Sender<Msg>) -> u64 {
    if tx.is_closed() {
        return 0;
    }
    (tx.max_capacity() - tx.capacity()) as u64
}

fn spawn_stream(
    name: &Arc<str>,
    output: stream::Output,
    rx: mpsc::Receiver<Msg>,
    counters: &Arc<Counters>,
    done: Done,
) -> Result<(), SinkError> {
    let thread_name = name.clone();
    let counters = counters.clone();
    std::thread::Builder::new()
        .name(format!(
            "v6s-sink-{}",
            name.split(':').next().unwrap_or("stream")
        ))
        .spawn(move || {
            let _done = done;
            stream::run(&thread_name, output, rx, &counters);
        })
        .map(drop)
        .map_err(|source| SinkError::Thread {
            sink: name.to_string(),
            source,
        })
}

/// Resolves at the shutdown deadline, or at once when the [`Sinks`] were dropped
/// without one.
async fn until_deadline(mut rx: watch::Receiver<Option<tokio::time::Instant>>) {
    loop {
        let deadline = *rx.borrow_and_update();
        if let Some(deadline) = deadline {
            tokio::time::sleep_until(deadline).await;
            return;
        }
        if rx.changed().await.is_err() {
            return;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severities_map_to_syslog() {
        let of = AlertSeverity::of_event;
        assert_eq!(
            of(EventKind::Raised, Severity::Critical),
            AlertSeverity::Critical
        );
        assert_eq!(
            of(EventKind::Updated, Severity::Warning),
            AlertSeverity::Warning
        );
        assert_eq!(
            of(EventKind::Resolved, Severity::Critical),
            AlertSeverity::Resolved
        );
        assert_eq!(of(EventKind::Updated, Severity::Info), AlertSeverity::Info);
        let codes: Vec<u8> = [
            AlertSeverity::Critical,
            AlertSeverity::Warning,
            AlertSeverity::Resolved,
            AlertSeverity::Info,
        ]
        .iter()
        .map(|s| s.syslog_severity())
        .collect();
        assert_eq!(codes, vec![2, 4, 5, 6]);
    }

    #[test]
    fn backoff_doubles_up_to_its_cap_and_resets() {
        let mut b = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
        let delays: Vec<u64> = (0..8).map(|_| b.next_delay().as_secs()).collect();
        assert_eq!(delays, vec![1, 2, 4, 8, 16, 32, 60, 60]);
        b.reset();
        assert_eq!(b.next_delay(), Duration::from_secs(1));
    }

    #[test]
    fn a_bad_configuration_is_refused_before_anything_starts() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("alerts.jsonl");
        let configs = [
            SinkConfig::File(FileConfig { path: file.clone() }),
            SinkConfig::Webhook(WebhookConfig::new("ftp://h/")),
        ];
        let e = Sinks::start(&configs).unwrap_err();
        assert!(matches!(e, SinkError::Invalid { .. }), "{e}");
        assert!(e.to_string().starts_with("sink webhook:ftp://h/: "), "{e}");
        assert!(!file.exists(), "nothing was opened");
    }

    #[test]
    fn errors_name_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("no-such-dir/alerts.jsonl");
        let e = Sinks::start(&[SinkConfig::File(FileConfig { path })]).unwrap_err();
        assert!(e.to_string().contains("no-such-dir/alerts.jsonl"), "{e}");
        let e = Sinks::start(&[SinkConfig::Syslog(SyslogConfig::default())]).unwrap_err();
        assert!(matches!(e, SinkError::NoRuntime { .. }), "{e}");
    }

    #[test]
    fn two_webhooks_cannot_share_a_spool() {
        let dir = tempfile::tempdir().unwrap();
        let mut a = WebhookConfig::new("http://127.0.0.1:9/a");
        a.spool_dir = dir.path().join("spool");
        let mut b = WebhookConfig::new("http://127.0.0.1:9/b");
        b.spool_dir = dir.path().join("./spool/");
        let e = Sinks::start(&[SinkConfig::Webhook(a), SinkConfig::Webhook(b)]).unwrap_err();
        assert!(matches!(e, SinkError::SharedSpool { .. }), "{e}");
    }
}
