//! `v6sentinel watch`: the always-on service. One task per interface owns its capture
//! and its detector; alerts go to the sinks as JSON lines; the host's own state comes
//! from netlink notifications (Windows: the IP Helper tables); SIGHUP reloads,
//! SIGTERM/SIGINT flush and exit 0. On Windows, Ctrl-C and the service manager's "stop"
//! flush and exit 0, and its "parameters changed" reloads ([`run_with`]).
//!
//! ```text
//!  capture(eth0) ─┐                                   ┌─▶ stdout / file / syslog / webhook
//!  netlink(eth0) ─┼─▶ interface task: Detector ─ Event ┤
//!  probe timer  ──┘        ▲ reconfigure               └─▶ metrics
//!  SIGHUP ─▶ reload config ┘
//! ```

use super::config::{self, Flags, WatchConfig};
use super::{Failure, Settings};
use core::time::Duration;
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};
#[cfg(unix)]
use tokio::signal::unix::{Signal, SignalKind, signal};
use tokio::sync::{mpsc, watch};
use v6sentinel::capture::{self, CaptureError, LiveCapture};
use v6sentinel::detect::{Config, Detector, EventKind, HostObservation, Subject, Timestamp};
use v6sentinel::metrics::{Metrics, SinkSample};
use v6sentinel::oui::Registry;
#[cfg(target_os = "linux")]
use v6sentinel::privilege;
use v6sentinel::rules::Rules;
use v6sentinel::sink::{Alert, AlertSeverity, Sinks};
use v6sentinel::{host, probe, report};

/// Exit code for a bad configuration (sysexits' EX_CONFIG, DESIGN.md).
pub const EXIT_CONFIG: u8 = 78;

/// `/healthz` says unhealthy when the main loop has not run for this long.
const HEALTH_SILENCE_S: u64 = 30;

/// The shortest time between two readings of the host's own state.
const HOST_COALESCE: Duration = Duration::from_secs(1);
/// The longest: however slow a reading is, the host is read again within this.
const HOST_COALESCE_MAX: Duration = Duration::from_secs(30);

/// How long SIGTERM waits for the sinks to deliver what they hold.
const FLUSH_DEADLINE: Duration = Duration::from_secs(10);

/// How often an interface task wakes up when nothing happens: heartbeat, metrics,
/// reopening a capture that was lost.
const TICK: Duration = Duration::from_secs(1);

/// `watch`'s own arguments.
#[derive(Debug, Clone, Default)]
pub struct WatchArgs {
    /// `--config FILE`.
    pub config: Option<PathBuf>,
    /// The flags, to merge over the file.
    pub flags: Flags,
}

/// What every interface task shares and a reload replaces.
struct Live {
    config: WatchConfig,
    rules: Arc<Rules>,
    registry: Arc<Registry>,
}

impl Live {
    /// Reads the configuration and the tables it names. Every error is a config error.
    fn load(args: &WatchArgs) -> Result<Live, String> {
        let config = config::load(args.config.as_deref(), &args.flags).map_err(|e| e.0)?;
        let rules = match &config.rules {
            Some(dir) => Rules::load_dir(dir).map_err(|e| e.to_string())?,
            None => Rules::embedded().clone(),
        };
        let mut registry = Registry::embedded().clone();
        for path in &config.oui_files {
            registry.merge(Registry::load_file(path).map_err(|e| e.to_string())?);
        }
        Ok(Live {
            config,
            rules: Arc::new(rules),
            registry: Arc::new(registry),
        })
    }

    fn detector_config(&self) -> Config {
        Config {
            allow: self.config.allow.clone(),
            resolve_timeout: self.config.resolve_timeout,
            ..Config::default()
        }
    }
}

/// What the service is told from outside.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[cfg_attr(not(unix), allow(dead_code))]
pub enum Control {
    /// Flush the sinks and exit 0 (SIGTERM, SIGINT, Ctrl-C, the service manager's stop).
    Stop,
    /// Read the configuration again (SIGHUP, the service manager's "parameters changed").
    Reload,
}

/// Controls sent by a service manager (the Windows service's handler).
pub type Controls = mpsc::UnboundedReceiver<Control>;

/// Runs the service until SIGTERM or SIGINT.
pub fn run(s: &Settings, args: &WatchArgs) -> Result<u8, Failure> {
    run_with(s, args, None)
}

/// Runs the service until told to stop by a signal or by `external`.
pub fn run_with(s: &Settings, args: &WatchArgs, external: Option<Controls>) -> Result<u8, Failure> {
    let live = Live::load(args).map_err(|message| Failure {
        code: EXIT_CONFIG,
        message,
    })?;
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .enable_time()
        .build()
        .map_err(|e| Failure::unknown(format!("starting the event loop: {e}")))?;
    runtime.block_on(service(s, args, live, external))
}

/// Where [`Control`]s come from: the process's signals and, under a service manager, its
/// handler.
struct Listener {
    #[cfg(unix)]
    signals: (Signal, Signal, Signal),
    external: Option<Controls>,
}

impl Listener {
    fn new(external: Option<Controls>) -> Result<Listener, Failure> {
        #[cfg(unix)]
        let signals = match (
            signal(SignalKind::hangup()),
            signal(SignalKind::terminate()),
            signal(SignalKind::interrupt()),
        ) {
            (Ok(hup), Ok(term), Ok(int)) => (hup, term, int),
            _ => return Err(Failure::unknown("cannot install the signal handlers")),
        };
        Ok(Listener {
            #[cfg(unix)]
            signals,
            external,
        })
    }

    /// The next control. Cancel-safe.
    async fn next(&mut self) -> Control {
        let external = async {
            match self.external.as_mut() {
                Some(rx) => match rx.recv().await {
                    Some(c) => c,
                    None => std::future::pending().await,
                },
                None => std::future::pending().await,
            }
        };
        #[cfg(unix)]
        {
            let (hup, term, int) = &mut self.signals;
            tokio::select! {
                _ = term.recv() => Control::Stop,
                _ = int.recv() => Control::Stop,
                _ = hup.recv() => Control::Reload,
                c = external => c,
            }
        }
        #[cfg(not(unix))]
        {
            tokio::select! {
                _ = tokio::signal::ctrl_c() => Control::Stop,
                c = external => c,
            }
        }
    }
}

async fn service(
    s: &Settings,
    args: &WatchArgs,
    live: Live,
    external: Option<Controls>,
) -> Result<u8, Failure> {
    let metrics = Arc::new(Metrics::new(
        env!("CARGO_PKG_VERSION"),
        v6sentinel::metrics::unix_now(),
    ));
    // The metrics port may need privilege; it is a task on this thread, no thread of its
    // own. Then the privileges go: capabilities are per thread, so this must happen
    // before any thread starts (the sinks', the host watchers', pnet's). The captures and
    // probes need only CAP_NET_RAW, which is kept.
    if let Some(addr) = live.config.metrics {
        let m = metrics.clone();
        let (bound, _server) = v6sentinel::metrics::serve(addr, metrics.clone(), move || {
            m.health(v6sentinel::metrics::unix_now(), HEALTH_SILENCE_S)
        })
        .map_err(|e| Failure::unknown(e.to_string()))?;
        if s.verbose > 0 {
            eprintln!("v6sentinel: metrics on http://{bound}/metrics");
        }
    }
    #[cfg(target_os = "linux")]
    match privilege::drop_privileges(live.config.user.as_deref()) {
        Ok(dropped) if s.verbose > 0 => eprintln!("v6sentinel: {dropped}"),
        Ok(_) => {}
        Err(e) => return Err(Failure::unknown(e.to_string())),
    }
    #[cfg(not(target_os = "linux"))]
    if live.config.user.is_some() {
        return Err(Failure {
            code: EXIT_CONFIG,
            message: "user: dropping to another user is done on Linux only; on Windows the \
                      service runs as the account the service manager gives it"
                .to_owned(),
        });
    }
    let mut captures = Vec::new();
    for iface in &live.config.interfaces {
        match capture::open(iface, live.config.backend) {
            Ok(c) => captures.push((iface.clone(), Some(c))),
            Err(e @ CaptureError::InterfaceDown { .. }) => {
                eprintln!("v6sentinel: warning: {e}; watching for it to come up");
                captures.push((iface.clone(), None));
            }
            Err(e) => return Err(Failure::unknown(e.to_string())),
        }
    }
    let sinks = Sinks::start(&effective_sinks(&live.config))
        .map_err(|e| Failure::unknown(e.to_string()))?;
    let sinks = Arc::new(sinks);

    let (live_tx, live_rx) = watch::channel(Arc::new(live));
    let (stop_tx, stop_rx) = watch::channel(false);
    let mut tasks = Vec::new();
    for (iface, capture) in captures {
        let task = Interface {
            name: iface,
            capture,
            live: live_rx.clone(),
            stop: stop_rx.clone(),
            sinks: sinks.clone(),
            metrics: metrics.clone(),
            verbose: s.verbose,
        };
        tasks.push(tokio::spawn(task.run()));
    }

    let mut listener = Listener::new(external)?;
    let mut tick = tokio::time::interval(TICK);
    loop {
        tokio::select! {
            control = listener.next() => match control {
                Control::Stop => break,
                Control::Reload => {
                    sinks.reopen();
                    reload(args, &live_tx, &metrics);
                }
            },
            _ = tick.tick() => {
                metrics.heartbeat(v6sentinel::metrics::unix_now());
                metrics.set_sinks(sink_samples(&sinks));
            }
        }
    }
    let _ = stop_tx.send(true);
    for task in tasks {
        let _ = task.await;
    }
    metrics.set_sinks(sink_samples(&sinks));
    match Arc::try_unwrap(sinks) {
        Ok(sinks) => sinks.shutdown(FLUSH_DEADLINE).await,
        Err(_) => eprintln!("v6sentinel: warning: the sinks were still in use at exit"),
    }
    Ok(0)
}

/// The sinks of `config`, or stdout when it names none.
fn effective_sinks(config: &WatchConfig) -> Vec<v6sentinel::sink::SinkConfig> {
    if config.sinks.is_empty() {
        vec![v6sentinel::sink::SinkConfig::Stdout {}]
    } else {
        config.sinks.clone()
    }
}

/// SIGHUP: reads the configuration again. A broken one is logged and the old one keeps
/// running; settings that need the sockets reopened (interfaces, backend, metrics
/// address, user, sinks) are reported as needing a restart.
fn reload(args: &WatchArgs, live_tx: &watch::Sender<Arc<Live>>, metrics: &Metrics) {
    match Live::load(args) {
        Err(message) => {
            metrics.reload(false);
            eprintln!("v6sentinel: reload failed, keeping the running configuration: {message}");
        }
        Ok(new) => {
            let old = live_tx.borrow().clone();
            let (a, b) = (&old.config, &new.config);
            let mut restart = Vec::new();
            if a.interfaces != b.interfaces {
                restart.push("interfaces");
            }
            if a.backend != b.backend {
                restart.push("backend");
            }
            if a.metrics != b.metrics {
                restart.push("metrics");
            }
            if a.user != b.user {
                restart.push("user");
            }
            if a.sinks != b.sinks {
                restart.push("sink");
            }
            if !restart.is_empty() {
                eprintln!(
                    "v6sentinel: reload: {} changed; restart the service to apply {}",
                    restart.join(", "),
                    if restart.len() == 1 { "it" } else { "them" }
                );
            }
            metrics.reload(true);
            eprintln!("v6sentinel: configuration reloaded");
            let _ = live_tx.send(Arc::new(new));
        }
    }
}

fn sink_samples(sinks: &Sinks) -> Vec<SinkSample> {
    sinks
        .stats()
        .into_iter()
        .map(|s| SinkSample {
            name: s.name,
            kind: s.kind.to_owned(),
            queued: s.queued,
            spooled: s.spooled,
            delivered: s.delivered,
            failed: s.failed,
            dropped: s.dropped,
        })
        .collect()
}

fn now() -> Timestamp {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    Timestamp::from_micros(micros)
}

/// One watched interface.
struct Interface {
    name: String,
    capture: Option<LiveCapture>,
    live: watch::Receiver<Arc<Live>>,
    stop: watch::Receiver<bool>,
    sinks: Arc<Sinks>,
    metrics: Arc<Metrics>,
    verbose: u8,
}

/// Why the capture is not delivering frames.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Link {
    /// Delivering.
    Up,
    /// The interface is down; the socket stays open and frames flow again once it is
    /// up (AF_PACKET), so receiving resumes on the next tick.
    Down,
    /// The interface is gone or the capture failed: reopen on each tick.
    Closed,
}

impl Interface {
    async fn run(mut self) {
        let current = self.live.borrow().clone();
        let mut detector = Detector::new(
            current.detector_config(),
            current.rules.clone(),
            current.registry.clone(),
        );
        let mut rules = current.rules.clone();
        let mut probe_interval = current.config.probe_interval;
        let backend = current.config.backend;
        drop(current);

        let (host_tx, mut host_rx) = mpsc::channel::<HostObservation>(8);
        let host_stop = Arc::new(AtomicBool::new(false));
        spawn_host_watch(self.name.clone(), host_tx, host_stop.clone());

        let mut down = if self.capture.is_some() {
            Link::Up
        } else {
            Link::Closed
        };
        self.metrics.set_capture_up(&self.name, down == Link::Up);
        let mut tick = tokio::time::interval(TICK);
        // With a probe interval, the first probe goes out at once.
        let mut next_probe = probe_interval.map(|_| tokio::time::Instant::now());
        let mut frame = Vec::with_capacity(capture::BUFFER_LEN);
        loop {
            let timer = detector.poll_timeout().map(deadline_of);
            let receiving = down == Link::Up;
            tokio::select! {
                _ = self.stop.changed() => break,
                got = next_frame(self.capture.as_mut(), receiving, &mut frame) => match got {
                    Ok(ts) => detector.handle_frame(Timestamp::from_micros(ts), &frame),
                    Err(e) => {
                        down = self.capture_lost(e);
                        if down == Link::Closed {
                            self.capture = None;
                        }
                    }
                },
                Some(observation) = host_rx.recv() => detector.handle_host(now(), observation),
                _ = sleep_until(timer) => detector.handle_timeout(now()),
                _ = sleep_until(next_probe) => {
                    if down == Link::Up {
                        self.probe();
                    }
                    next_probe = probe_interval.map(|d| tokio::time::Instant::now() + d);
                }
                _ = tick.tick() => {
                    detector.handle_timeout(now());
                    down = self.recover(down, backend);
                    self.update_metrics(&detector, down);
                }
                Ok(()) = self.live.changed() => {
                    let new = self.live.borrow_and_update().clone();
                    detector.reconfigure(
                        now(),
                        new.detector_config(),
                        new.rules.clone(),
                        new.registry.clone(),
                    );
                    rules = new.rules.clone();
                    if new.config.probe_interval != probe_interval {
                        probe_interval = new.config.probe_interval;
                        next_probe = probe_interval.map(|d| tokio::time::Instant::now() + d);
                    }
                }
            }
            self.emit(&mut detector, &rules);
        }
        host_stop.store(true, Ordering::Relaxed);
        detector.handle_timeout(now());
        self.emit(&mut detector, &rules);
        self.update_metrics(&detector, down);
    }

    /// Sends the detector's events to the sinks as alert lines.
    fn emit(&self, detector: &mut Detector, rules: &Rules) {
        while let Some(event) = detector.poll_event() {
            let at = event.time;
            let (line, severity) = match event.subject {
                Subject::Source(mac) => {
                    let finding = detector.finding(&mac);
                    let line = report::alert_json_with_rules(
                        at,
                        event.kind,
                        finding.as_ref(),
                        None,
                        &self.name,
                        at,
                        rules,
                    );
                    let severity = match (event.kind, finding.map(|f| f.severity)) {
                        (EventKind::Resolved, _) => AlertSeverity::Resolved,
                        (_, Some(v6sentinel::detect::Severity::Critical)) => {
                            AlertSeverity::Critical
                        }
                        (_, Some(v6sentinel::detect::Severity::Warning)) => AlertSeverity::Warning,
                        _ => AlertSeverity::Info,
                    };
                    (line, severity)
                }
                Subject::Flood => {
                    let flood = detector.flood();
                    let line = report::alert_json_with_rules(
                        at,
                        event.kind,
                        None,
                        flood.as_ref(),
                        &self.name,
                        at,
                        rules,
                    );
                    let severity = match event.kind {
                        EventKind::Resolved => AlertSeverity::Resolved,
                        _ => AlertSeverity::Critical,
                    };
                    (line, severity)
                }
            };
            self.metrics.alert(&self.name, event.kind);
            self.sinks.send(Alert {
                line: Arc::from(line),
                severity,
            });
        }
    }

    /// What a receive error means for the capture.
    fn capture_lost(&self, e: CaptureError) -> Link {
        let down = match e {
            CaptureError::InterfaceDown { .. } => Link::Down,
            _ => Link::Closed,
        };
        eprintln!(
            "v6sentinel: {e}; capture resumes when {} is back",
            self.name
        );
        self.metrics.set_capture_up(&self.name, false);
        down
    }

    /// On each tick: a link that was down and is up again, and a closed capture, are
    /// reopened. A link seen down may also have been removed and added again under the
    /// same name (a USB adapter unplugged and plugged back): the old socket is bound to
    /// the old interface and would stay silent, so the capture is always opened afresh.
    fn recover(&mut self, down: Link, backend: capture::Backend) -> Link {
        match down {
            Link::Up => Link::Up,
            Link::Down if !host::is_up(&self.name) => Link::Down,
            Link::Down | Link::Closed => match capture::open(&self.name, backend) {
                Ok(c) => {
                    self.capture = Some(c);
                    self.resumed();
                    Link::Up
                }
                Err(_) => Link::Closed,
            },
        }
    }

    fn resumed(&self) {
        eprintln!("v6sentinel: capture on {} resumed", self.name);
        self.metrics.set_capture_up(&self.name, true);
    }

    /// The periodic probe: an RS and a DHCPv6 Solicit. Failures are logged, not fatal.
    fn probe(&mut self) {
        let Some(capture) = self.capture.as_mut() else {
            return;
        };
        let sent = match probe::target_for(&self.name) {
            Ok(target) => probe::send_for(&target, capture),
            Err(e) => {
                eprintln!("v6sentinel: probe on {}: {e}", self.name);
                return;
            }
        };
        if let Err(e) = sent.router_solicitation {
            eprintln!("v6sentinel: probe on {}: {e}", self.name);
        }
        if let Err(e) = sent.dhcpv6_solicit {
            eprintln!("v6sentinel: probe on {}: {e}", self.name);
        }
        if self.verbose > 0 {
            eprintln!("v6sentinel: probed {}", self.name);
        }
    }

    fn update_metrics(&mut self, detector: &Detector, down: Link) {
        self.metrics
            .set_detector_stats(&self.name, &detector.stats());
        let snapshot = detector.snapshot(now());
        let mut counts = [0u64; 3];
        for f in &snapshot.findings {
            let i = match f.severity {
                v6sentinel::detect::Severity::Info => 0,
                v6sentinel::detect::Severity::Warning => 1,
                v6sentinel::detect::Severity::Critical => 2,
            };
            if let Some(c) = counts.get_mut(i) {
                *c += 1;
            }
        }
        self.metrics
            .set_sources(&self.name, counts[0], counts[1], counts[2]);
        if let Some(c) = self.capture.as_mut() {
            if let Ok(stats) = c.stats() {
                self.metrics.set_capture_stats(&self.name, &stats);
            }
        }
        self.metrics.set_capture_up(&self.name, down == Link::Up);
    }
}

/// The next frame, copied into `buf`; never completes while there is no capture or it
/// is paused. Cancel-safe like [`LiveCapture::recv`].
async fn next_frame(
    capture: Option<&mut LiveCapture>,
    receiving: bool,
    buf: &mut Vec<u8>,
) -> Result<i64, CaptureError> {
    match capture {
        Some(c) if receiving => {
            let frame = c.recv().await?;
            buf.clear();
            buf.extend_from_slice(frame.data);
            Ok(frame.ts_micros)
        }
        _ => std::future::pending().await,
    }
}

/// The tokio deadline for a detector timestamp (wall clock).
fn deadline_of(at: Timestamp) -> tokio::time::Instant {
    let wait = at.since(now());
    tokio::time::Instant::now() + wait
}

/// Sleeps until `at`, or forever when there is nothing to wait for.
async fn sleep_until(at: Option<tokio::time::Instant>) {
    match at {
        Some(at) => tokio::time::sleep_until(at).await,
        None => std::future::pending().await,
    }
}

/// The host's own state of `iface`: observed at once, then again on each netlink
/// notification about it. A blocking thread, because the watcher is a blocking socket;
/// it ends when `stop` is set or the service stops listening.
fn spawn_host_watch(iface: String, tx: mpsc::Sender<HostObservation>, stop: Arc<AtomicBool>) {
    let spawned = std::thread::Builder::new()
        .name(format!("host-{iface}"))
        .spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                let (Ok(index), Ok(mut watcher)) =
                    (host::ifindex(&iface), host::Watcher::new(&iface))
                else {
                    // Not there (yet): look again later.
                    std::thread::sleep(Duration::from_secs(2));
                    continue;
                };
                let mut changed = true;
                let mut pause = HOST_COALESCE;
                // An interface removed and added again has a new index: watch that one.
                while !stop.load(Ordering::Relaxed) && host::ifindex(&iface).ok() == Some(index) {
                    if changed {
                        let started = std::time::Instant::now();
                        if let Ok(observation) = host::observe(&iface) {
                            if tx.blocking_send(observation).is_err() {
                                return;
                            }
                        }
                        // A dump that takes long (a kernel holding tens of thousands of
                        // routes during an RA flood) is not repeated more than one
                        // twentieth of the time.
                        pause = (started.elapsed() * 20).clamp(HOST_COALESCE, HOST_COALESCE_MAX);
                    }
                    // At most one observation a second: a terminal flooded with RAs
                    // changes its routes thousands of times a second, and each dump
                    // reads them all. What changes meanwhile is gathered by `drain`.
                    let result = if changed {
                        std::thread::sleep(pause);
                        watcher.drain()
                    } else {
                        watcher.wait(Some(Duration::from_secs(1)))
                    };
                    match result {
                        Ok(c) => changed = c,
                        Err(_) => break,
                    }
                }
            }
        });
    if let Err(e) = spawned {
        eprintln!("v6sentinel: warning: cannot watch the host's own state: {e}");
    }
}
