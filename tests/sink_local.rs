//! The file and syslog sinks against real sockets and files (a unix datagram socket in
//! a temporary directory, UDP and TCP listeners on 127.0.0.1), logrotate's rename +
//! SIGHUP pattern, and sinks that stall while the others go on.
#![cfg(target_os = "linux")]

use std::io::{BufRead, BufReader};
use std::net::{TcpListener, TcpStream, UdpSocket};
use std::os::unix::net::UnixDatagram;
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use v6sentinel::sink::{
    Alert, AlertSeverity, FileConfig, SinkConfig, SinkStats, Sinks, SyslogConfig, WebhookConfig,
};

fn body(n: u32) -> String {
    format!(r#"{{"schema":"v6sentinel.alert/1","event":"raised","n":{n}}}"#)
}

fn alert(n: u32, severity: AlertSeverity) -> Alert {
    Alert {
        line: body(n).into(),
        severity,
    }
}

fn syslog(target: String) -> SinkConfig {
    SinkConfig::Syslog(SyslogConfig {
        target,
        ..SyslogConfig::default()
    })
}

fn stats(sinks: &Sinks, i: usize) -> SinkStats {
    sinks.stats().remove(i)
}

async fn wait_for(what: &str, secs: u64, mut done: impl FnMut() -> bool) {
    let until = Instant::now() + Duration::from_secs(secs);
    while !done() {
        assert!(Instant::now() < until, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

fn lines(path: &Path) -> Vec<String> {
    match std::fs::read_to_string(path) {
        Ok(text) => text.lines().map(str::to_owned).collect(),
        Err(_) => Vec::new(),
    }
}

/// Checks one RFC 5424 message: `<PRI>1 TIMESTAMP HOST APP PROCID MSGID - MSG`.
fn check_rfc5424(message: &str, pri: u8, msg: &str) {
    let fields: Vec<&str> = message.splitn(8, ' ').collect();
    assert_eq!(fields.len(), 8, "{message}");
    assert_eq!(fields[0], format!("<{pri}>1"), "{message}");
    let ts = fields[1];
    assert!(
        ts.len() == 27 && ts.ends_with('Z') && ts.as_bytes()[10] == b'T',
        "{ts}"
    );
    assert!(!fields[2].is_empty());
    assert_eq!(fields[3], "v6sentinel");
    assert_eq!(fields[4], std::process::id().to_string());
    assert_eq!(fields[5], "alert");
    assert_eq!(fields[6], "-");
    assert_eq!(fields[7], msg);
}

/// Reads octet-counted frames (RFC 6587 §3.4.1) until `n` were read or the peer closes.
fn read_frames(stream: &mut impl BufRead, n: usize) -> Vec<String> {
    let mut frames = Vec::new();
    while frames.len() < n {
        let mut len = Vec::new();
        if stream.read_until(b' ', &mut len).unwrap() == 0 {
            break;
        }
        let len: usize = std::str::from_utf8(&len[..len.len() - 1])
            .unwrap()
            .parse()
            .unwrap();
        let mut frame = vec![0; len];
        stream.read_exact(&mut frame).unwrap();
        frames.push(String::from_utf8(frame).unwrap());
    }
    frames
}

#[tokio::test]
async fn syslog_to_a_unix_datagram_socket() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("log");
    let socket = UnixDatagram::bind(&path).unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let sinks = Sinks::start(&[syslog(path.display().to_string())]).unwrap();
    sinks.send(alert(1, AlertSeverity::Critical));
    sinks.send(alert(2, AlertSeverity::Warning));
    sinks.send(alert(3, AlertSeverity::Resolved));
    sinks.send(alert(4, AlertSeverity::Info));
    let received: Vec<String> = tokio::task::spawn_blocking(move || {
        let mut buf = vec![0; 65536];
        (0..4)
            .map(|_| {
                let n = socket.recv(&mut buf).unwrap();
                String::from_utf8(buf[..n].to_vec()).unwrap()
            })
            .collect()
    })
    .await
    .unwrap();
    // daemon (3) × 8 + crit 2, warning 4, notice 5, info 6.
    for (i, pri) in [26, 28, 29, 30].into_iter().enumerate() {
        check_rfc5424(&received[i], pri, &body(i as u32 + 1));
    }
    assert_eq!(stats(&sinks, 0).delivered, 4);
    assert_eq!(stats(&sinks, 0).name, format!("syslog:{}", path.display()));
    sinks.shutdown(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn syslog_over_udp() {
    let socket = UdpSocket::bind("127.0.0.1:0").unwrap();
    socket
        .set_read_timeout(Some(Duration::from_secs(10)))
        .unwrap();
    let port = socket.local_addr().unwrap().port();
    let sinks = Sinks::start(&[SinkConfig::Syslog(SyslogConfig {
        target: format!("udp://127.0.0.1:{port}"),
        facility: v6sentinel::sink::Facility::Local0,
        app_name: "v6sentinel".into(),
    })])
    .unwrap();
    for n in 1..=3 {
        sinks.send(alert(n, AlertSeverity::Critical));
    }
    let received: Vec<String> = tokio::task::spawn_blocking(move || {
        let mut buf = vec![0; 65536];
        (0..3)
            .map(|_| {
                let n = socket.recv(&mut buf).unwrap();
                String::from_utf8(buf[..n].to_vec()).unwrap()
            })
            .collect()
    })
    .await
    .unwrap();
    for (i, message) in received.iter().enumerate() {
        check_rfc5424(message, 16 * 8 + 2, &body(i as u32 + 1));
    }
    sinks.shutdown(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn syslog_over_tcp_waits_for_the_daemon_and_reconnects() {
    // Nothing listens yet: alerts wait in the queue while the sink retries.
    let port = {
        let l = TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let sinks = Sinks::start(&[syslog(format!("tcp://127.0.0.1:{port}"))]).unwrap();
    for n in 1..=3 {
        sinks.send(alert(n, AlertSeverity::Warning));
    }
    wait_for("a failed connect", 20, || stats(&sinks, 0).failed >= 1).await;

    let listener = TcpListener::bind(("127.0.0.1", port)).unwrap();
    let (first, listener) = tokio::task::spawn_blocking(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        // Reading consumes the connection: it closes here, as when the daemon restarts.
        let frames = read_frames(&mut BufReader::new(tcp), 3);
        (frames, listener)
    })
    .await
    .unwrap();
    assert_eq!(first.len(), 3);
    for (i, message) in first.iter().enumerate() {
        check_rfc5424(message, 28, &body(i as u32 + 1));
    }
    wait_for("delivery", 20, || stats(&sinks, 0).delivered == 3).await;

    // Alerts sent after the old connection closed arrive over a new one. The first
    // write into a connection the peer closed can succeed locally and be lost (TCP
    // syslog has no acknowledgements), so the check is that later alerts get through.
    let sender = async {
        for n in 4..=40 {
            sinks.send(alert(n, AlertSeverity::Warning));
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    };
    let receiver = tokio::task::spawn_blocking(move || {
        let (tcp, _) = listener.accept().unwrap();
        tcp.set_read_timeout(Some(Duration::from_secs(20))).unwrap();
        let mut reader = BufReader::new(tcp);
        let mut got = Vec::new();
        while !got.iter().any(|m: &String| m.ends_with(&body(40))) {
            let frames = read_frames(&mut reader, 1);
            if frames.is_empty() {
                break;
            }
            got.extend(frames);
        }
        got
    });
    let ((), received) = tokio::join!(sender, receiver);
    let received = received.unwrap();
    assert!(
        received.last().unwrap().ends_with(&body(40)),
        "{received:?}"
    );
    sinks.shutdown(Duration::from_secs(2)).await;
}

#[tokio::test]
async fn a_file_sink_follows_logrotate() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("alerts.jsonl");
    let rotated = dir.path().join("alerts.jsonl.1");
    let sinks = Sinks::start(&[SinkConfig::File(FileConfig { path: path.clone() })]).unwrap();
    for n in 1..=3 {
        sinks.send(alert(n, AlertSeverity::Critical));
    }
    wait_for("three lines", 10, || lines(&path).len() == 3).await;
    std::fs::rename(&path, &rotated).unwrap();
    sinks.reopen(); // what `watch` does on SIGHUP
    wait_for("the new file", 10, || path.exists()).await;
    for n in 4..=5 {
        sinks.send(alert(n, AlertSeverity::Critical));
    }
    sinks.shutdown(Duration::from_secs(2)).await;
    assert_eq!(lines(&rotated), [body(1), body(2), body(3)]);
    assert_eq!(lines(&path), [body(4), body(5)]);
}

/// A syslog daemon that accepts and never reads, and a webhook that accepts and never
/// answers, while the file sink gets every alert, in order; shutdown still returns at
/// its deadline.
#[tokio::test]
async fn stalled_sinks_do_not_hold_up_the_others() {
    let dir = tempfile::tempdir().unwrap();
    let held = Arc::new(Mutex::new(Vec::<TcpStream>::new()));
    let mut ports = Vec::new();
    for _ in 0..2 {
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        ports.push(listener.local_addr().unwrap().port());
        let keep = held.clone();
        std::thread::spawn(move || {
            for tcp in listener.incoming().flatten() {
                keep.lock().unwrap().push(tcp); // accepted, never read
            }
        });
    }
    let path = dir.path().join("alerts.jsonl");
    let mut webhook = WebhookConfig::new(format!("http://127.0.0.1:{}/", ports[1]));
    webhook.spool_dir = dir.path().join("spool");
    webhook.timeout_s = 60;
    let sinks = Sinks::start(&[
        syslog(format!("tcp://127.0.0.1:{}", ports[0])),
        SinkConfig::Webhook(webhook),
        SinkConfig::File(FileConfig { path: path.clone() }),
    ])
    .unwrap();

    // 2,000 alerts of 16 KiB: 32 MiB, far more than the loopback socket buffers hold,
    // and fewer than a queue holds, so the file sink must get every one.
    let padding = "x".repeat(16 * 1024);
    let expected: Vec<String> = (1..=2000)
        .map(|n| format!(r#"{{"schema":"v6sentinel.alert/1","n":{n},"pad":"{padding}"}}"#))
        .collect();
    for line in &expected {
        sinks.send(Alert {
            line: line.as_str().into(),
            severity: AlertSeverity::Critical,
        });
    }
    wait_for("the file sink", 60, || stats(&sinks, 2).delivered == 2000).await;
    assert!(
        lines(&path) == expected,
        "the file holds every alert, in order"
    );
    let syslog = stats(&sinks, 0);
    assert!(syslog.delivered < 2000, "{syslog:?}");
    assert_eq!(stats(&sinks, 1).delivered, 0);

    let started = Instant::now();
    sinks.shutdown(Duration::from_secs(1)).await;
    assert!(started.elapsed() < Duration::from_secs(10));
}
