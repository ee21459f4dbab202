//! The webhook sink: every alert is spooled to disk first, then POSTed in order by a
//! delivery thread, and removed from the spool only once the endpoint answered 2xx.
//!
//! Two threads, because both block: the spool writer (fsync) takes alerts off the
//! sink's queue and appends them to the spool, so the queue drains at disk speed
//! whatever the endpoint does; the delivery thread sends the oldest spooled alert with
//! `ureq`, one request at a time, so alerts arrive in the order they were raised.
//!
//! # Delivery
//! - **2xx**: delivered; removed from the spool.
//! - **No answer** (connection refused, timeout, TLS failure), **408**, **429**, **5xx**,
//!   and **3xx** (redirects are not followed: a POST body cannot be replayed safely
//!   and a moved endpoint is a configuration error, so the alerts wait for the fix):
//!   retried, the same alert first, after 1 s, 2 s, 4 s … up to `retry_max_s` (a
//!   `Retry-After` in seconds lengthens the wait, within that cap).
//! - **Other 4xx**: the endpoint will never take this alert; it is dropped (counted as
//!   failed and dropped, reported on stderr) so that one bad alert cannot hold back
//!   every later one.
//!
//! Within one run each alert is delivered exactly once; across a crash between the 2xx
//! and the removal of its file, an alert is sent again at the next start.

use std::fmt::Write as _;
use std::io;
use std::path::PathBuf;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Condvar, Mutex, MutexGuard, PoisonError};
use std::time::{Duration, Instant};

use tokio::sync::mpsc;
use ureq::Agent;
use ureq::tls::{Certificate, PemItem, RootCerts, TlsConfig};

use super::config::{WebhookConfig, redact_url};
use super::spool::{SpoolDir, SpoolQueue};
use super::{Backoff, Counters, Done, Msg, SinkError, Streak};

/// How many queued alerts the spool writer takes at once (one directory fsync each).
const BATCH: usize = 256;

/// State shared by the two threads and [`super::Sinks`].
pub(crate) struct Shared {
    state: Mutex<State>,
    wake: Condvar,
}

struct State {
    queue: SpoolQueue,
    /// The spool writer has drained the sink's queue and ended.
    writer_done: bool,
    /// Set by [`super::Sinks::shutdown`]: deliver until then, then stop.
    deadline: Option<Instant>,
    /// While the spool is full: how many alerts were dropped in this burst.
    overflow: Option<u64>,
}

impl Shared {
    fn lock(&self) -> MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Starts the shutdown: deliver what is spooled until `deadline`.
    pub(crate) fn begin_shutdown(&self, deadline: Instant) {
        self.lock().deadline = Some(deadline);
        self.wake.notify_all();
    }
}

impl State {
    /// Accounts for alerts the cap dropped, warning once per burst.
    fn note_dropped(&mut self, name: &str, max: usize, dropped: usize, counters: &Counters) {
        if dropped == 0 {
            return;
        }
        counters
            .dropped
            .fetch_add(dropped as u64, Ordering::Relaxed);
        let burst = self.overflow.get_or_insert_with(|| {
            eprintln!(
                "v6sentinel: warning: sink {name}: the spool is full ({max} alerts); \
                 dropping the oldest until the endpoint takes them"
            );
            0
        });
        *burst += dropped as u64;
    }

    /// Ends an overflow burst once the spool has room again.
    fn note_room(&mut self, name: &str, max: usize) {
        if self.queue.len() < max {
            if let Some(n) = self.overflow.take() {
                eprintln!(
                    "v6sentinel: sink {name}: the spool has room again; {n} alerts were \
                     dropped while it was full"
                );
            }
        }
    }
}

/// Opens the spool, builds the HTTP client and starts both threads.
pub(crate) fn start(
    name: &Arc<str>,
    config: &WebhookConfig,
    rx: mpsc::Receiver<Msg>,
    counters: &Arc<Counters>,
    done: (Done, Done),
) -> Result<Arc<Shared>, SinkError> {
    let url = redact_url(&config.url);
    let spool_error = |source: io::Error| SinkError::Spool {
        url: url.clone(),
        dir: config.spool_dir.clone(),
        source,
    };
    let (spool, found) = SpoolDir::open(&config.spool_dir).map_err(spool_error)?;
    let agent = agent(config, &url)?;

    let (queue, over) = SpoolQueue::new(config.spool_max, found);
    let next_seq = queue.next_seq();
    if !over.is_empty() {
        eprintln!(
            "v6sentinel: warning: sink {name}: the spool holds more than spool_max = {}; \
             the {} oldest alerts were dropped",
            config.spool_max,
            over.len()
        );
        counters
            .dropped
            .fetch_add(over.len() as u64, Ordering::Relaxed);
        for seq in over {
            spool.remove(seq).map_err(spool_error)?;
        }
    }
    counters
        .spooled
        .store(queue.len() as u64, Ordering::Relaxed);
    let shared = Arc::new(Shared {
        state: Mutex::new(State {
            queue,
            writer_done: false,
            deadline: None,
            overflow: None,
        }),
        wake: Condvar::new(),
    });
    let spool = Arc::new(spool);

    let writer = Writer {
        name: name.clone(),
        spool: spool.clone(),
        shared: shared.clone(),
        counters: counters.clone(),
        max: config.spool_max,
        next_seq,
    };
    let (writer_done, delivery_done) = done;
    spawn(name, "spool", move || {
        let _done = writer_done;
        writer.run(rx);
    })?;
    let delivery = Delivery {
        name: name.clone(),
        spool,
        shared: shared.clone(),
        counters: counters.clone(),
        agent,
        config: config.clone(),
    };
    if let Err(e) = spawn(name, "send", move || {
        let _done = delivery_done;
        delivery.run();
    }) {
        // The writer is running: make it stop with the queue.
        shared.lock().writer_done = true;
        return Err(e);
    }
    Ok(shared)
}

/// The spool directory, created if needed, as a canonical path: what tells two
/// webhooks' spools apart before either is opened.
pub(crate) fn spool_identity(config: &WebhookConfig) -> Result<PathBuf, SinkError> {
    SpoolDir::create(&config.spool_dir)
        .and_then(|()| std::fs::canonicalize(&config.spool_dir))
        .map_err(|source| SinkError::Spool {
            url: redact_url(&config.url),
            dir: config.spool_dir.clone(),
            source,
        })
}

fn spawn(name: &str, role: &str, f: impl FnOnce() + Send + 'static) -> Result<(), SinkError> {
    std::thread::Builder::new()
        .name(format!("v6s-webhook-{role}"))
        .spawn(f)
        .map(drop)
        .map_err(|source| SinkError::Thread {
            sink: name.to_owned(),
            source,
        })
}

/// The HTTP client: no redirects, statuses as values, one timeout for the whole
/// request, and for https the system's CA store plus `ca_file`.
fn agent(config: &WebhookConfig, url: &str) -> Result<Agent, SinkError> {
    let mut builder = Agent::config_builder()
        .http_status_as_error(false)
        .max_redirects(0)
        .timeout_global(Some(Duration::from_secs(config.timeout_s)))
        .user_agent(concat!("v6sentinel/", env!("CARGO_PKG_VERSION")));
    if config.url.starts_with("https:") {
        let roots = root_certs(config, url)?;
        builder = builder.tls_config(TlsConfig::builder().root_certs(roots).build());
    }
    Ok(builder.build().into())
}

/// The system's CA store (what the clinic's administrators maintain, private CAs
/// included) plus the certificates of `ca_file`. Only when both are empty — a minimal
/// container without `ca-certificates` — the Mozilla roots built into the binary are
/// used, with a warning.
fn root_certs(config: &WebhookConfig, url: &str) -> Result<RootCerts, SinkError> {
    let native = rustls_native_certs::load_native_certs();
    let mut certs: Vec<Certificate<'static>> = native
        .certs
        .iter()
        .map(|der| Certificate::from_der(der.as_ref()).to_owned())
        .collect();
    if let Some(path) = &config.ca_file {
        let ca_error = |reason: String| SinkError::CaFile {
            url: url.to_owned(),
            path: path.clone(),
            reason,
        };
        let pem = std::fs::read(path).map_err(|e| ca_error(e.to_string()))?;
        let before = certs.len();
        for item in ureq::tls::parse_pem(&pem) {
            match item {
                Ok(PemItem::Certificate(cert)) => certs.push(cert),
                Ok(_) => {}
                Err(e) => return Err(ca_error(e.to_string())),
            }
        }
        if certs.len() == before {
            return Err(ca_error("no PEM certificate in it".to_owned()));
        }
    }
    if certs.is_empty() {
        let mut why = String::new();
        for e in native.errors.iter().take(3) {
            let _ = write!(why, "; {e}");
        }
        eprintln!(
            "v6sentinel: warning: webhook {url}: no CA certificate in the system store{why}; \
             using the Mozilla roots built into v6sentinel"
        );
        return Ok(RootCerts::WebPki);
    }
    Ok(RootCerts::Specific(Arc::new(certs)))
}

/// The spool writer thread.
struct Writer {
    name: Arc<str>,
    spool: Arc<SpoolDir>,
    shared: Arc<Shared>,
    counters: Arc<Counters>,
    max: usize,
    next_seq: u64,
}

impl Writer {
    fn run(mut self, mut rx: mpsc::Receiver<Msg>) {
        let mut streak = Streak::default();
        let mut batch = Vec::with_capacity(BATCH);
        while let Some(first) = rx.blocking_recv() {
            batch.push(first);
            while batch.len() < BATCH {
                match rx.try_recv() {
                    Ok(msg) => batch.push(msg),
                    Err(_) => break,
                }
            }
            self.counters.note_dequeued(&self.name, rx.is_empty());
            let mut written = Vec::with_capacity(batch.len());
            for msg in batch.drain(..) {
                let Msg::Alert(alert) = msg else { continue };
                let seq = self.next_seq;
                self.next_seq = self.next_seq.saturating_add(1);
                match self.spool.write(seq, &alert.line) {
                    Ok(()) => {
                        written.push(seq);
                        streak.succeeded(&self.name);
                    }
                    Err(e) => {
                        self.counters.failed.fetch_add(1, Ordering::Relaxed);
                        self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                        let why = format!(
                            "cannot spool an alert in {}: {e}; it is lost",
                            self.spool.path().display()
                        );
                        streak.failed(&self.name, &why);
                    }
                }
            }
            if written.is_empty() {
                continue;
            }
            if let Err(e) = self.spool.sync() {
                streak.failed(
                    &self.name,
                    &format!("fsync of {}: {e}", self.spool.path().display()),
                );
            }
            let dropped = {
                let mut state = self.shared.lock();
                let mut dropped = Vec::new();
                for seq in written {
                    dropped.extend(state.queue.push(seq));
                }
                state.note_dropped(&self.name, self.max, dropped.len(), &self.counters);
                self.counters
                    .spooled
                    .store(state.queue.len() as u64, Ordering::Relaxed);
                dropped
            };
            self.shared.wake.notify_all();
            for seq in dropped {
                let _ = self.spool.remove(seq);
            }
        }
        self.shared.lock().writer_done = true;
        self.shared.wake.notify_all();
    }
}

/// What one POST came to.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Delivered,
    /// Try again later (after at least `after`, if the endpoint said so).
    Retry {
        why: String,
        after: Option<Duration>,
    },
    /// The endpoint will never take this alert.
    Rejected(u16),
}

fn classify(status: u16, retry_after: Option<Duration>) -> Outcome {
    match status {
        200..=299 => Outcome::Delivered,
        408 | 429 | 500..=599 => Outcome::Retry {
            why: format!("HTTP {status}"),
            after: retry_after,
        },
        300..=399 => Outcome::Retry {
            why: format!("HTTP {status}: redirects are not followed; check the url"),
            after: None,
        },
        400..=499 => Outcome::Rejected(status),
        _ => Outcome::Retry {
            why: format!("unexpected HTTP {status}"),
            after: None,
        },
    }
}

/// The delivery thread.
struct Delivery {
    name: Arc<str>,
    spool: Arc<SpoolDir>,
    shared: Arc<Shared>,
    counters: Arc<Counters>,
    agent: Agent,
    config: WebhookConfig,
}

impl Delivery {
    fn run(self) {
        let retry_max = Duration::from_secs(self.config.retry_max_s);
        let mut backoff = Backoff::new(Duration::from_secs(1), retry_max);
        let mut streak = Streak::default();
        while let Some((seq, deadline)) = self.next_alert() {
            let body = match self.spool.read(seq) {
                Ok(body) => body,
                Err(e) => {
                    eprintln!(
                        "v6sentinel: warning: sink {}: spooled alert {seq} is unreadable \
                         ({e}); dropped",
                        self.name
                    );
                    self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    self.finish(seq);
                    continue;
                }
            };
            let mut timeout = Duration::from_secs(self.config.timeout_s);
            if let Some(deadline) = deadline {
                timeout = timeout
                    .min(deadline.saturating_duration_since(Instant::now()))
                    .max(Duration::from_millis(10));
            }
            match self.post(body, timeout) {
                Outcome::Delivered => {
                    self.counters.delivered.fetch_add(1, Ordering::Relaxed);
                    self.finish(seq);
                    backoff.reset();
                    streak.succeeded(&self.name);
                }
                Outcome::Rejected(status) => {
                    self.counters.failed.fetch_add(1, Ordering::Relaxed);
                    self.counters.dropped.fetch_add(1, Ordering::Relaxed);
                    eprintln!(
                        "v6sentinel: warning: sink {}: the endpoint refused an alert with \
                         HTTP {status}; it is dropped so that the alerts after it go on",
                        self.name
                    );
                    self.finish(seq);
                }
                Outcome::Retry { why, after } => {
                    self.counters.failed.fetch_add(1, Ordering::Relaxed);
                    let dropped = {
                        let mut state = self.shared.lock();
                        let dropped = state.queue.retry();
                        let max = self.config.spool_max;
                        state.note_dropped(&self.name, max, dropped.len(), &self.counters);
                        self.counters
                            .spooled
                            .store(state.queue.len() as u64, Ordering::Relaxed);
                        dropped
                    };
                    for seq in dropped {
                        let _ = self.spool.remove(seq);
                    }
                    streak.failed(&self.name, &why);
                    let delay = backoff
                        .next_delay()
                        .max(after.unwrap_or_default().min(retry_max));
                    self.wait(delay);
                }
            }
        }
    }

    /// The oldest spooled alert, now in flight, and the shutdown deadline if one is set;
    /// `None` when the thread should end: the deadline passed, everything was delivered
    /// after the shutdown began, or the sinks were dropped without a shutdown.
    fn next_alert(&self) -> Option<(u64, Option<Instant>)> {
        let mut state = self.shared.lock();
        loop {
            let now = Instant::now();
            match state.deadline {
                Some(d) if now >= d => return None,
                // Dropped without a shutdown: leave the spool for the next start.
                None if state.writer_done => return None,
                _ => {}
            }
            if let Some(seq) = state.queue.begin() {
                return Some((seq, state.deadline));
            }
            if state.writer_done {
                return None;
            }
            state = match state.deadline {
                Some(d) => {
                    self.shared
                        .wake
                        .wait_timeout(state, d - now)
                        .unwrap_or_else(PoisonError::into_inner)
                        .0
                }
                None => self
                    .shared
                    .wake
                    .wait(state)
                    .unwrap_or_else(PoisonError::into_inner),
            };
        }
    }

    /// Removes the alert in flight from the spool (delivered or given up).
    fn finish(&self, seq: u64) {
        {
            let mut state = self.shared.lock();
            state.queue.finish();
            state.note_room(&self.name, self.config.spool_max);
            self.counters
                .spooled
                .store(state.queue.len() as u64, Ordering::Relaxed);
        }
        if let Err(e) = self.spool.remove(seq) {
            eprintln!(
                "v6sentinel: warning: sink {}: removing spooled alert {seq}: {e}",
                self.name
            );
        }
    }

    /// Waits out a backoff delay. A shutdown that begins meanwhile cuts it short (one
    /// more try right away, then waits bounded by the deadline).
    fn wait(&self, delay: Duration) {
        let until = Instant::now() + delay;
        let mut state = self.shared.lock();
        let shutting_down = state.deadline.is_some();
        loop {
            let now = Instant::now();
            let mut wake = until;
            match state.deadline {
                Some(_) if !shutting_down => return,
                Some(deadline) => wake = wake.min(deadline),
                None if state.writer_done => return,
                None => {}
            }
            if now >= wake {
                return;
            }
            state = self
                .shared
                .wake
                .wait_timeout(state, wake - now)
                .unwrap_or_else(PoisonError::into_inner)
                .0;
        }
    }

    fn post(&self, body: Vec<u8>, timeout: Duration) -> Outcome {
        let mut request = self
            .agent
            .post(&self.config.url)
            .config()
            .timeout_global(Some(timeout))
            .build();
        let mut content_type = false;
        for (name, value) in &self.config.headers {
            content_type |= name.eq_ignore_ascii_case("content-type");
            request = request.header(name.as_str(), value.as_str());
        }
        if !content_type {
            request = request.header("Content-Type", "application/json");
        }
        match request.send(&body[..]) {
            Err(e) => Outcome::Retry {
                why: e.to_string(),
                after: None,
            },
            Ok(mut response) => {
                let status = response.status().as_u16();
                let retry_after = response
                    .headers()
                    .get("retry-after")
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.trim().parse::<u64>().ok())
                    .map(Duration::from_secs);
                // Read the answer (bounded) so the connection can be reused.
                let _ = response
                    .body_mut()
                    .with_config()
                    .limit(64 * 1024)
                    .read_to_vec();
                classify(status, retry_after)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        assert_eq!(classify(200, None), Outcome::Delivered);
        assert_eq!(classify(204, None), Outcome::Delivered);
        for status in [408, 429, 500, 502, 503, 301, 307] {
            assert!(
                matches!(classify(status, None), Outcome::Retry { .. }),
                "{status}"
            );
        }
        for status in [400, 401, 403, 404, 413, 422] {
            assert_eq!(classify(status, None), Outcome::Rejected(status));
        }
        let after = Some(Duration::from_secs(30));
        assert!(matches!(classify(429, after), Outcome::Retry { after: a, .. } if a == after));
    }

    #[test]
    fn a_ca_file_without_certificates_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let ca = dir.path().join("ca.pem");
        std::fs::write(&ca, "not a certificate\n").unwrap();
        let mut config = WebhookConfig::new("https://h/");
        config.ca_file = Some(ca.clone());
        let e = root_certs(&config, "https://h/").unwrap_err().to_string();
        assert!(
            e.contains("ca.pem") && e.contains("no PEM certificate"),
            "{e}"
        );
        config.ca_file = Some(dir.path().join("missing.pem"));
        let e = root_certs(&config, "https://h/").unwrap_err().to_string();
        assert!(e.contains("missing.pem"), "{e}");
    }
}
