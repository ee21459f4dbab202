//! The syslog sink: each alert as one RFC 5424 message, sent to a local unix datagram
//! socket, over UDP (RFC 5426) or over TCP with octet-counting framing (RFC 6587).
//!
//! It runs as a tokio task: every socket operation is asynchronous, so a syslog daemon
//! that stops reading only fills this sink's own queue. A failed send is retried, on a
//! new connection, with a backoff from one second to a minute; alerts that arrive
//! meanwhile wait in the queue and are dropped (counted) once it is full.

use std::io;
use std::sync::Arc;
use std::sync::atomic::Ordering;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use tokio::io::AsyncWriteExt;
#[cfg(unix)]
use tokio::net::UnixDatagram;
use tokio::net::{TcpStream, UdpSocket};
use tokio::sync::mpsc;

use super::config::{Facility, SyslogConfig, SyslogTarget};
use super::{Backoff, Counters, Msg, Streak};

/// The MSGID field of every message: lets a log pipeline pick v6sentinel's alerts out.
const MSGID: &str = "alert";

/// How long one TCP write may wait for the daemon to read before the connection is
/// given up and the message resent on a new one.
const TCP_WRITE_TIMEOUT: Duration = Duration::from_secs(10);

/// A message's fixed header fields.
#[derive(Debug, Clone)]
pub(crate) struct Header {
    pub facility: Facility,
    pub hostname: String,
    pub app_name: String,
    pub procid: u32,
}

impl Header {
    fn from_config(config: &SyslogConfig) -> Header {
        Header {
            facility: config.facility,
            hostname: local_hostname(),
            app_name: config.app_name.clone(),
            procid: std::process::id(),
        }
    }
}

/// One RFC 5424 message: `<PRI>1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID - MSG`, with
/// no structured data and MSG the JSON line as it is. MSG carries no byte order mark
/// (RFC 5424 allows that form, `MSG-ANY`): consumers parse it as JSON, and a BOM would
/// break that.
pub(crate) fn format_rfc5424(header: &Header, severity: u8, time: SystemTime, msg: &str) -> String {
    let pri = u16::from(header.facility.code()) * 8 + u16::from(severity & 7);
    format!(
        "<{pri}>1 {} {} {} {} {MSGID} - {msg}",
        rfc3339_micros(time),
        header.hostname,
        header.app_name,
        header.procid,
    )
}

/// RFC 6587 §3.4.1 octet counting: `MSG-LEN SP SYSLOG-MSG`, the length in bytes.
pub(crate) fn octet_counted(message: &str) -> Vec<u8> {
    let mut framed = format!("{} ", message.len()).into_bytes();
    framed.extend_from_slice(message.as_bytes());
    framed
}

/// `2026-05-01T03:04:05.123456Z`: the RFC 3339 form RFC 5424 §6.2.3 asks for, in UTC.
pub(crate) fn rfc3339_micros(time: SystemTime) -> String {
    let since = time.duration_since(UNIX_EPOCH).unwrap_or_default();
    let secs = i64::try_from(since.as_secs()).unwrap_or(0);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's civil_from_days.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{:06}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60,
        since.subsec_micros()
    )
}

/// The HOSTNAME field: the kernel's host name, limited to what RFC 5424 §6.2.4 allows
/// (printable ASCII, at most 255 characters), or the nil value `-`.
fn local_hostname() -> String {
    let name = std::fs::read_to_string("/proc/sys/kernel/hostname").unwrap_or_default();
    let name: String = name
        .trim()
        .chars()
        .filter(|c| c.is_ascii_graphic())
        .take(255)
        .collect();
    if name.is_empty() {
        "-".to_owned()
    } else {
        name
    }
}

/// An open connection to the target.
enum Conn {
    #[cfg(unix)]
    Unix(UnixDatagram),
    Udp(UdpSocket),
    Tcp(TcpStream),
}

async fn connect(target: &SyslogTarget) -> io::Result<Conn> {
    match target {
        #[cfg(unix)]
        SyslogTarget::Unix(path) => {
            let socket = UnixDatagram::unbound()?;
            socket.connect(path)?;
            Ok(Conn::Unix(socket))
        }
        #[cfg(not(unix))]
        SyslogTarget::Unix(path) => Err(io::Error::new(
            io::ErrorKind::Unsupported,
            format!(
                "{} is a unix socket, which this system does not have: use udp:// or tcp://",
                path.display()
            ),
        )),
        SyslogTarget::Udp(host_port) => {
            let mut last = io::Error::new(io::ErrorKind::NotFound, "no address");
            for addr in tokio::net::lookup_host(host_port.as_str()).await? {
                let local = if addr.is_ipv4() {
                    "0.0.0.0:0"
                } else {
                    "[::]:0"
                };
                match UdpSocket::bind(local).await {
                    Ok(socket) => match socket.connect(addr).await {
                        Ok(()) => return Ok(Conn::Udp(socket)),
                        Err(e) => last = e,
                    },
                    Err(e) => last = e,
                }
            }
            Err(last)
        }
        SyslogTarget::Tcp(host_port) => {
            let stream = TcpStream::connect(host_port.as_str()).await?;
            stream.set_nodelay(true)?;
            Ok(Conn::Tcp(stream))
        }
    }
}

/// Whether a send error condemns this message rather than the connection: a datagram
/// too large for the socket will never fit, so retrying it would block the queue.
fn message_is_bad(e: &io::Error) -> bool {
    #[cfg(unix)]
    const EMSGSIZE: i32 = libc::EMSGSIZE;
    // WSAEMSGSIZE.
    #[cfg(windows)]
    const EMSGSIZE: i32 = 10040;
    e.raw_os_error() == Some(EMSGSIZE)
}

async fn send(conn: &mut Conn, message: &str) -> io::Result<()> {
    match conn {
        #[cfg(unix)]
        Conn::Unix(socket) => socket.send(message.as_bytes()).await.map(drop),
        Conn::Udp(socket) => socket.send(message.as_bytes()).await.map(drop),
        Conn::Tcp(stream) => {
            let framed = octet_counted(message);
            match tokio::time::timeout(TCP_WRITE_TIMEOUT, stream.write_all(&framed)).await {
                Ok(result) => result,
                Err(_) => Err(io::Error::new(
                    io::ErrorKind::TimedOut,
                    "the syslog daemon stopped reading",
                )),
            }
        }
    }
}

/// The sink's task: drains the queue until it is closed. [`super::Sinks::shutdown`]
/// cancels it at the deadline, wherever it waits.
pub(crate) async fn run(
    name: Arc<str>,
    config: SyslogConfig,
    target: SyslogTarget,
    mut rx: mpsc::Receiver<Msg>,
    counters: Arc<Counters>,
) {
    let header = Header::from_config(&config);
    let mut conn: Option<Conn> = None;
    let mut backoff = Backoff::new(Duration::from_secs(1), Duration::from_secs(60));
    let mut streak = Streak::default();
    while let Some(msg) = rx.recv().await {
        counters.note_dequeued(&name, rx.is_empty());
        let Msg::Alert(alert) = msg else { continue };
        let message = format_rfc5424(
            &header,
            alert.severity.syslog_severity(),
            SystemTime::now(),
            &alert.line,
        );
        deliver(
            &name,
            &target,
            &message,
            &mut conn,
            &mut backoff,
            &mut streak,
            &counters,
        )
        .await;
    }
}

/// Sends one message, reconnecting and retrying until it is sent or found unsendable.
async fn deliver(
    name: &str,
    target: &SyslogTarget,
    message: &str,
    conn: &mut Option<Conn>,
    backoff: &mut Backoff,
    streak: &mut Streak,
    counters: &Counters,
) {
    loop {
        let result = match conn {
            Some(c) => send(c, message).await,
            None => match connect(target).await {
                Ok(mut c) => {
                    let r = send(&mut c, message).await;
                    *conn = Some(c);
                    r
                }
                Err(e) => Err(e),
            },
        };
        match result {
            Ok(()) => {
                counters.delivered.fetch_add(1, Ordering::Relaxed);
                backoff.reset();
                streak.succeeded(name);
                return;
            }
            Err(e) if message_is_bad(&e) => {
                counters.failed.fetch_add(1, Ordering::Relaxed);
                counters.dropped.fetch_add(1, Ordering::Relaxed);
                eprintln!(
                    "v6sentinel: warning: sink {name}: an alert of {} bytes is too large \
                     for the socket and was dropped: {e}",
                    message.len()
                );
                return;
            }
            Err(e) => {
                counters.failed.fetch_add(1, Ordering::Relaxed);
                *conn = None;
                streak.failed(name, &e);
                tokio::time::sleep(backoff.next_delay()).await;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> Header {
        Header {
            facility: Facility::Daemon,
            hostname: "terminal-01".into(),
            app_name: "v6sentinel".into(),
            procid: 4242,
        }
    }

    #[test]
    fn rfc5424_message_fields() {
        let t = UNIX_EPOCH + Duration::from_micros(1_777_777_777_123_456);
        let m = format_rfc5424(&header(), 2, t, r#"{"schema":"v6sentinel.alert/1"}"#);
        assert_eq!(
            m,
            r#"<26>1 2026-05-03T03:09:37.123456Z terminal-01 v6sentinel 4242 alert - {"schema":"v6sentinel.alert/1"}"#
        );
        let mut h = header();
        h.facility = Facility::Local7;
        assert!(format_rfc5424(&h, 6, t, "x").starts_with("<190>1 "));
        h.facility = Facility::Kern;
        assert!(format_rfc5424(&h, 0, t, "x").starts_with("<0>1 "));
    }

    #[test]
    fn timestamps_are_rfc3339_utc_with_microseconds() {
        assert_eq!(rfc3339_micros(UNIX_EPOCH), "1970-01-01T00:00:00.000000Z");
        let leap = UNIX_EPOCH + Duration::from_secs(951_782_400); // 2000-02-29
        assert_eq!(rfc3339_micros(leap), "2000-02-29T00:00:00.000000Z");
        let t = UNIX_EPOCH + Duration::new(1_735_689_599, 999_999_999);
        assert_eq!(rfc3339_micros(t), "2024-12-31T23:59:59.999999Z");
    }

    #[test]
    fn octet_counting_counts_bytes_not_characters() {
        assert_eq!(
            octet_counted("<13>1 - - - - - hi"),
            b"18 <13>1 - - - - - hi"
        );
        // "端末" is 6 bytes in UTF-8.
        assert_eq!(octet_counted("端末"), "6 端末".as_bytes());
    }

    #[test]
    fn hostname_is_printable_or_nil() {
        let h = local_hostname();
        assert!(!h.is_empty() && h.len() <= 255);
        assert!(h.bytes().all(|b| b.is_ascii_graphic()));
    }
}
