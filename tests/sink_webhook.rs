//! The webhook sink against a real HTTP(S) server on 127.0.0.1, started by each test:
//! an endpoint that is down and comes back, answers 500 or 400, a spool past its cap,
//! a restart with a full spool, and HTTPS with a private CA.

use std::io::{ErrorKind, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use v6sentinel::sink::{Alert, AlertSeverity, SinkConfig, SinkStats, Sinks, WebhookConfig};

/// One request as the server saw it.
#[derive(Debug, Clone)]
struct Request {
    /// Request line and headers, lower-cased.
    head: String,
    body: String,
}

type Answer = Box<dyn FnMut(&Request) -> u16 + Send>;

/// A small HTTP/1.1 server: one request per connection, answered by `answer`.
struct Server {
    log: Arc<Mutex<Vec<(Request, u16)>>>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    port: u16,
}

impl Server {
    fn start(port: u16, tls: Option<Arc<rustls::ServerConfig>>, mut answer: Answer) -> Server {
        let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
        let port = listener.local_addr().unwrap().port();
        listener.set_nonblocking(true).unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (thread_log, thread_stop) = (log.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !thread_stop.load(Ordering::Relaxed) {
                let tcp = match listener.accept() {
                    Ok((tcp, _)) => tcp,
                    Err(e) if e.kind() == ErrorKind::WouldBlock => {
                        std::thread::sleep(Duration::from_millis(10));
                        continue;
                    }
                    Err(e) => panic!("accept: {e}"),
                };
                tcp.set_nonblocking(false).unwrap();
                tcp.set_read_timeout(Some(Duration::from_secs(5))).unwrap();
                let served = match &tls {
                    None => serve(tcp, &mut answer),
                    Some(config) => {
                        let conn = rustls::ServerConnection::new(config.clone()).unwrap();
                        serve(rustls::StreamOwned::new(conn, tcp), &mut answer)
                    }
                };
                if let Some(entry) = served {
                    thread_log.lock().unwrap().push(entry);
                }
            }
        });
        Server {
            log,
            stop,
            thread: Some(thread),
            port,
        }
    }

    /// The bodies the server answered with a 2xx, in arrival order.
    fn delivered(&self) -> Vec<String> {
        let log = self.log.lock().unwrap();
        log.iter()
            .filter(|(_, status)| (200..300).contains(status))
            .map(|(r, _)| r.body.clone())
            .collect()
    }

    fn requests(&self) -> Vec<Request> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .map(|(r, _)| r.clone())
            .collect()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Reads one request and answers it; `None` if the client went away (a failed TLS
/// handshake, for instance).
fn serve(mut stream: impl Read + Write, answer: &mut Answer) -> Option<(Request, u16)> {
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    let head_end = loop {
        if let Some(i) = data.windows(4).position(|w| w == b"\r\n\r\n") {
            break i + 4;
        }
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    };
    let head = String::from_utf8_lossy(&data[..head_end]).to_lowercase();
    let length: usize = head
        .lines()
        .find_map(|l| l.strip_prefix("content-length:"))
        .map_or(0, |v| v.trim().parse().unwrap());
    while data.len() < head_end + length {
        let n = stream.read(&mut buf).ok()?;
        if n == 0 {
            return None;
        }
        data.extend_from_slice(&buf[..n]);
    }
    let request = Request {
        head,
        body: String::from_utf8(data[head_end..head_end + length].to_vec()).unwrap(),
    };
    let status = answer(&request);
    let response =
        format!("HTTP/1.1 {status} X\r\nContent-Length: 2\r\nConnection: close\r\n\r\nok");
    stream.write_all(response.as_bytes()).ok()?;
    stream.flush().ok()?;
    Some((request, status))
}

fn tls_config() -> Arc<rustls::ServerConfig> {
    use rustls::pki_types::pem::PemObject;
    use rustls::pki_types::{CertificateDer, PrivateKeyDer};
    let dir = tls_dir();
    let certs = CertificateDer::pem_file_iter(dir.join("server.pem"))
        .unwrap()
        .collect::<Result<Vec<_>, _>>()
        .unwrap();
    let key = PrivateKeyDer::from_pem_file(dir.join("server.key")).unwrap();
    let provider = Arc::new(rustls::crypto::ring::default_provider());
    let config = rustls::ServerConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .unwrap()
        .with_no_client_auth()
        .with_single_cert(certs, key)
        .unwrap();
    Arc::new(config)
}

fn tls_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/sink_tls")
}

/// A port with nothing listening on it (until a test starts a server there).
fn closed_port() -> u16 {
    let l = TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn body(n: u32) -> String {
    format!(r#"{{"schema":"v6sentinel.alert/1","event":"raised","n":{n}}}"#)
}

fn alert(n: u32) -> Alert {
    Alert {
        line: body(n).into(),
        severity: AlertSeverity::Critical,
    }
}

fn bodies(range: std::ops::RangeInclusive<u32>) -> Vec<String> {
    range.map(body).collect()
}

/// A webhook to 127.0.0.1:`port` that retries every second.
fn hook(port: u16, spool: &Path) -> WebhookConfig {
    let mut config = WebhookConfig::new(format!("http://127.0.0.1:{port}/alerts"));
    config.spool_dir = spool.to_path_buf();
    config.retry_max_s = 1;
    config.timeout_s = 5;
    config
}

fn stats(sinks: &Sinks) -> SinkStats {
    sinks.stats().remove(0)
}

fn spool_files(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .unwrap()
        .filter(|e| {
            let name = e.as_ref().unwrap().file_name();
            name.to_string_lossy().ends_with(".json")
        })
        .count()
}

async fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

#[tokio::test]
async fn alerts_sent_while_the_endpoint_is_down_arrive_once_and_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let mut config = hook(port, dir.path());
    config
        .headers
        .insert("Authorization".into(), "Bearer t0ken".into());
    let sinks = Sinks::start(&[SinkConfig::Webhook(config)]).unwrap();
    for n in 1..=20 {
        sinks.send(alert(n));
    }
    wait_for("attempts against the closed port", 20, || {
        let s = stats(&sinks);
        s.failed >= 2 && s.spooled == 20
    })
    .await;
    assert_eq!(stats(&sinks).delivered, 0);
    assert_eq!(spool_files(dir.path()), 20);

    let server = Server::start(port, None, Box::new(|_| 200));
    wait_for("delivery", 30, || stats(&sinks).delivered == 20).await;
    assert_eq!(server.delivered(), bodies(1..=20));
    let request = &server.requests()[0];
    assert!(
        request.head.starts_with("post /alerts http/1.1\r\n"),
        "{}",
        request.head
    );
    assert!(
        request
            .head
            .contains("\r\ncontent-type: application/json\r\n")
    );
    assert!(request.head.contains("\r\nauthorization: bearer t0ken\r\n"));
    let s = stats(&sinks);
    assert_eq!((s.spooled, s.queued, s.dropped), (0, 0, 0));
    assert_eq!(s.name, format!("webhook:http://127.0.0.1:{port}/alerts"));
    assert_eq!(s.kind, "webhook");
    assert_eq!(spool_files(dir.path()), 0);
    sinks.shutdown(Duration::from_secs(2)).await;
    assert_eq!(server.delivered().len(), 20, "nothing sent twice");
}

#[tokio::test]
async fn a_500_is_retried_without_duplicates() {
    let dir = tempfile::tempdir().unwrap();
    let mut first = true;
    let server = Server::start(
        0,
        None,
        Box::new(move |_| if std::mem::take(&mut first) { 500 } else { 200 }),
    );
    let sinks = Sinks::start(&[SinkConfig::Webhook(hook(server.port, dir.path()))]).unwrap();
    for n in 1..=3 {
        sinks.send(alert(n));
    }
    wait_for("delivery", 30, || stats(&sinks).delivered == 3).await;
    assert_eq!(server.delivered(), bodies(1..=3));
    let sent: Vec<String> = server.requests().into_iter().map(|r| r.body).collect();
    assert_eq!(sent, [body(1), body(1), body(2), body(3)]);
    let s = stats(&sinks);
    assert_eq!((s.failed, s.dropped, s.spooled), (1, 0, 0));
    sinks.shutdown(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn a_400_drops_that_alert_only() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(
        0,
        None,
        Box::new(|r| {
            if r.body.contains("\"n\":2}") {
                400
            } else {
                200
            }
        }),
    );
    let sinks = Sinks::start(&[SinkConfig::Webhook(hook(server.port, dir.path()))]).unwrap();
    for n in 1..=4 {
        sinks.send(alert(n));
    }
    wait_for("delivery", 30, || stats(&sinks).delivered == 3).await;
    assert_eq!(server.delivered(), [body(1), body(3), body(4)]);
    let s = stats(&sinks);
    assert_eq!((s.failed, s.dropped, s.spooled), (1, 1, 0));
    assert_eq!(
        server.requests().len(),
        4,
        "the refused alert was not retried"
    );
    sinks.shutdown(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn past_the_spool_cap_the_oldest_are_dropped_and_the_rest_kept_in_order() {
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let mut config = hook(port, dir.path());
    config.spool_max = 5;
    let sinks = Sinks::start(&[SinkConfig::Webhook(config)]).unwrap();
    for n in 1..=12 {
        sinks.send(alert(n));
    }
    wait_for("the cap", 20, || {
        let s = stats(&sinks);
        s.spooled == 5 && s.dropped == 7 && s.failed >= 1
    })
    .await;
    assert_eq!(spool_files(dir.path()), 5);

    let server = Server::start(port, None, Box::new(|_| 200));
    wait_for("delivery", 30, || stats(&sinks).delivered == 5).await;
    assert_eq!(server.delivered(), bodies(8..=12));
    assert_eq!(stats(&sinks).dropped, 7);
    sinks.shutdown(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn a_restart_delivers_the_spool_first() {
    let dir = tempfile::tempdir().unwrap();
    let port = closed_port();
    let config = SinkConfig::Webhook(hook(port, dir.path()));

    let before = Sinks::start(std::slice::from_ref(&config)).unwrap();
    for n in 1..=5 {
        before.send(alert(n));
    }
    wait_for("spooling", 20, || stats(&before).spooled == 5).await;
    before.shutdown(Duration::from_millis(300)).await;
    assert_eq!(
        spool_files(dir.path()),
        5,
        "left in the spool for the next start"
    );

    let server = Server::start(port, None, Box::new(|_| 200));
    let after = Sinks::start(&[config]).unwrap();
    assert_eq!(stats(&after).spooled, 5);
    for n in 6..=8 {
        after.send(alert(n));
    }
    wait_for("delivery", 30, || stats(&after).delivered == 8).await;
    assert_eq!(server.delivered(), bodies(1..=8));
    after.shutdown(Duration::from_secs(2)).await;
    assert_eq!(spool_files(dir.path()), 0);
}

#[tokio::test]
async fn https_with_a_private_ca() {
    let dir = tempfile::tempdir().unwrap();
    let server = Server::start(0, Some(tls_config()), Box::new(|_| 200));
    let url = format!("https://127.0.0.1:{}/alerts", server.port);

    // Without the CA the certificate is not trusted: nothing is delivered, all is kept.
    let mut untrusted = WebhookConfig::new(url.clone());
    untrusted.spool_dir = dir.path().join("untrusted");
    untrusted.retry_max_s = 1;
    let sinks = Sinks::start(&[SinkConfig::Webhook(untrusted)]).unwrap();
    sinks.send(alert(1));
    wait_for("a refused handshake", 20, || stats(&sinks).failed >= 1).await;
    assert_eq!(stats(&sinks).delivered, 0);
    assert_eq!(stats(&sinks).spooled, 1);
    sinks.shutdown(Duration::from_millis(100)).await;
    assert!(server.delivered().is_empty());

    let mut trusted = WebhookConfig::new(url);
    trusted.spool_dir = dir.path().join("trusted");
    trusted.ca_file = Some(tls_dir().join("ca.pem"));
    let sinks = Sinks::start(&[SinkConfig::Webhook(trusted)]).unwrap();
    for n in 1..=3 {
        sinks.send(alert(n));
    }
    wait_for("delivery over TLS", 30, || stats(&sinks).delivered == 3).await;
    assert_eq!(server.delivered(), bodies(1..=3));
    sinks.shutdown(Duration::from_secs(2)).await;
}

/// A server that accepts connections and never answers: the spool keeps everything
/// and shutdown still returns at its deadline.
#[tokio::test]
async fn a_hanging_endpoint_holds_nothing_up() {
    let dir = tempfile::tempdir().unwrap();
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let held = Arc::new(Mutex::new(Vec::<TcpStream>::new()));
    let keep = held.clone();
    std::thread::spawn(move || {
        for tcp in listener.incoming().flatten() {
            keep.lock().unwrap().push(tcp);
        }
    });
    let mut config = hook(port, dir.path());
    config.timeout_s = 60;
    let sinks = Sinks::start(&[SinkConfig::Webhook(config)]).unwrap();
    for n in 1..=100 {
        sinks.send(alert(n));
    }
    wait_for("spooling", 20, || stats(&sinks).spooled == 100).await;
    assert_eq!(stats(&sinks).delivered, 0);
    let started = Instant::now();
    sinks.shutdown(Duration::from_secs(1)).await;
    assert!(started.elapsed() < Duration::from_secs(10));
    assert_eq!(spool_files(dir.path()), 100);
}
