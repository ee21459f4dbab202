//! The HTTP/1.1 endpoint (hyper): `GET /metrics` and `GET /healthz`.
//!
//! | request | answer |
//! | --- | --- |
//! | `GET` or `HEAD /metrics` | 200, [`super::CONTENT_TYPE`], [`Metrics::render`] |
//! | `GET` or `HEAD /healthz` | 200 `ok`, or 503 with the one-line reason of [`Health::Unhealthy`] |
//! | another method on those paths | 405 with `Allow: GET, HEAD` |
//! | any other path | 404 |
//!
//! The query string is ignored. At most [`MAX_CONNECTIONS`] connections are served at
//! once (more wait in the listen backlog); a client has [`HEADER_TIMEOUT`] to send its
//! request headers and a connection lasts at most [`CONNECTION_TIMEOUT`], so a stuck
//! scraper cannot pin the service's memory. Nothing here logs: an accept error (e.g. out
//! of file descriptors) is retried after a short pause.

use super::{CONTENT_TYPE as METRICS_CONTENT_TYPE, Health, Metrics};
use http_body_util::Full;
use hyper::body::{Bytes, Incoming};
use hyper::header::{ALLOW, CACHE_CONTROL, CONTENT_TYPE, HeaderValue};
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper::{Method, Request, Response, StatusCode};
use hyper_util::rt::{TokioIo, TokioTimer};
use std::convert::Infallible;
use std::io;
use std::net::SocketAddr;
use std::sync::Arc;
use std::time::Duration;
use tokio::net::TcpListener;
use tokio::sync::Semaphore;
use tokio::task::JoinHandle;

/// Connections served at once.
pub const MAX_CONNECTIONS: usize = 16;
/// How long a client may take to send a request's headers (also the keep-alive idle
/// time between requests).
pub const HEADER_TIMEOUT: Duration = Duration::from_secs(10);
/// How long one connection may stay open, whatever it does.
pub const CONNECTION_TIMEOUT: Duration = Duration::from_secs(60);
/// The pause after a failed `accept`.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(100);

/// Why the metrics endpoint could not start. Each variant names the address.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MetricsError {
    /// The address could not be bound (in use, not local, a privileged port).
    #[error("metrics endpoint: cannot listen on {addr}: {source}")]
    Bind {
        /// The address asked for.
        addr: SocketAddr,
        /// The cause.
        source: io::Error,
    },
    /// [`serve`] was called outside a tokio runtime.
    #[error("metrics endpoint on {addr}: must be started inside a tokio runtime")]
    NoRuntime {
        /// The address asked for.
        addr: SocketAddr,
    },
    /// Another step of setting up the listener failed.
    #[error("metrics endpoint on {addr}: {operation}: {source}")]
    Setup {
        /// The address asked for.
        addr: SocketAddr,
        /// What was being done.
        operation: &'static str,
        /// The cause.
        source: io::Error,
    },
}

/// Starts serving `metrics` and `health` on `addr` (port 0 picks a free port) and returns
/// the address bound and the server's task. Must be called inside a tokio runtime with
/// I/O and time enabled; the server runs until the task is aborted or the runtime stops.
/// `health` is called once per `/healthz` request, e.g.
/// `move || metrics.health(unix_now(), 30)`.
pub fn serve<H>(
    addr: SocketAddr,
    metrics: Arc<Metrics>,
    health: H,
) -> Result<(SocketAddr, JoinHandle<()>), MetricsError>
where
    H: Fn() -> Health + Send + Sync + 'static,
{
    let runtime =
        tokio::runtime::Handle::try_current().map_err(|_| MetricsError::NoRuntime { addr })?;
    // std sets SO_REUSEADDR, so a restarted service binds again at once.
    let listener =
        std::net::TcpListener::bind(addr).map_err(|source| MetricsError::Bind { addr, source })?;
    let setup = |operation| {
        move |source| MetricsError::Setup {
            addr,
            operation,
            source,
        }
    };
    listener
        .set_nonblocking(true)
        .map_err(setup("making the socket non-blocking"))?;
    let bound = listener
        .local_addr()
        .map_err(setup("reading the bound address"))?;
    let listener = {
        let _guard = runtime.enter();
        TcpListener::from_std(listener).map_err(setup("registering with the runtime"))?
    };
    let app = Arc::new(App { metrics, health });
    Ok((bound, runtime.spawn(accept_loop(listener, app))))
}

/// What a request can see.
struct App<H> {
    metrics: Arc<Metrics>,
    health: H,
}

/// Accepts connections forever, each served by its own task.
async fn accept_loop<H>(listener: TcpListener, app: Arc<App<H>>)
where
    H: Fn() -> Health + Send + Sync + 'static,
{
    let permits = Arc::new(Semaphore::new(MAX_CONNECTIONS));
    loop {
        let Ok(permit) = Arc::clone(&permits).acquire_owned().await else {
            return; // never closed
        };
        let stream = match listener.accept().await {
            Ok((stream, _peer)) => stream,
            Err(_) => {
                tokio::time::sleep(ACCEPT_BACKOFF).await;
                continue;
            }
        };
        let app = Arc::clone(&app);
        tokio::spawn(async move {
            let _permit = permit;
            let service = service_fn(move |request: Request<Incoming>| {
                let response = respond(&app, &request);
                async move { Ok::<_, Infallible>(response) }
            });
            let connection = http1::Builder::new()
                .timer(TokioTimer::new())
                .header_read_timeout(HEADER_TIMEOUT)
                .serve_connection(TokioIo::new(stream), service);
            // A client error or a timeout only ends this connection.
            let _ = tokio::time::timeout(CONNECTION_TIMEOUT, connection).await;
        });
    }
}

/// The answer to one request (see the module documentation).
fn respond<H>(app: &App<H>, request: &Request<Incoming>) -> Response<Full<Bytes>>
where
    H: Fn() -> Health,
{
    let path = request.uri().path();
    if path != "/metrics" && path != "/healthz" {
        return text(StatusCode::NOT_FOUND, "not found\n".to_owned());
    }
    if request.method() != Method::GET && request.method() != Method::HEAD {
        let mut response = text(
            StatusCode::METHOD_NOT_ALLOWED,
            "method not allowed\n".to_owned(),
        );
        response
            .headers_mut()
            .insert(ALLOW, HeaderValue::from_static("GET, HEAD"));
        return response;
    }
    if path == "/metrics" {
        let mut response = text(StatusCode::OK, app.metrics.render());
        response
            .headers_mut()
            .insert(CONTENT_TYPE, HeaderValue::from_static(METRICS_CONTENT_TYPE));
        return response;
    }
    match (app.health)() {
        Health::Healthy => text(StatusCode::OK, "ok\n".to_owned()),
        Health::Unhealthy(reason) => text(
            StatusCode::SERVICE_UNAVAILABLE,
            format!("{}\n", reason.replace(['\n', '\r'], " ")),
        ),
    }
}

/// A plain-text response that no cache keeps. (hyper leaves the body out for `HEAD`.)
fn text(status: StatusCode, body: String) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(Bytes::from(body)));
    *response.status_mut() = status;
    let headers = response.headers_mut();
    headers.insert(
        CONTENT_TYPE,
        HeaderValue::from_static("text/plain; charset=utf-8"),
    );
    headers.insert(CACHE_CONTROL, HeaderValue::from_static("no-store"));
    response
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::unix_now;
    use std::io::{Read, Write};
    use std::sync::atomic::{AtomicBool, Ordering};

    /// Sends `request` on a fresh connection and returns the whole answer (the request
    /// asks the server to close).
    fn exchange(addr: SocketAddr, request: &str) -> String {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(request.as_bytes()).unwrap();
        let mut answer = String::new();
        stream.read_to_string(&mut answer).unwrap();
        answer
    }

    fn get(addr: SocketAddr, method: &str, path: &str) -> String {
        exchange(
            addr,
            &format!("{method} {path} HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"),
        )
    }

    /// Splits an answer into its status line, its lower-cased header lines and its body.
    fn split(answer: &str) -> (&str, Vec<String>, &str) {
        let (head, body) = answer.split_once("\r\n\r\n").unwrap();
        let mut lines = head.split("\r\n");
        let status = lines.next().unwrap();
        (status, lines.map(str::to_ascii_lowercase).collect(), body)
    }

    fn runtime() -> tokio::runtime::Runtime {
        tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .unwrap()
    }

    #[test]
    fn serves_metrics_health_404_and_405_over_tcp() {
        let rt = runtime();
        rt.block_on(async {
            let metrics = Arc::new(Metrics::new("9.9.9", 1_700_000_000));
            metrics.set_capture_up("eth0", true);
            metrics.heartbeat(1_700_000_001);
            let healthy = Arc::new(AtomicBool::new(true));
            let flag = Arc::clone(&healthy);
            let (addr, task) = serve(
                "127.0.0.1:0".parse().unwrap(),
                Arc::clone(&metrics),
                move || {
                    if flag.load(Ordering::SeqCst) {
                        Health::Healthy
                    } else {
                        Health::Unhealthy("capture down on eth0\nsecond line".to_owned())
                    }
                },
            )
            .unwrap();
            assert!(addr.ip().is_loopback());
            assert_ne!(addr.port(), 0);

            let answers = tokio::task::spawn_blocking(move || {
                let a = vec![
                    get(addr, "GET", "/metrics"),
                    get(addr, "GET", "/healthz"),
                    get(addr, "GET", "/metrics?x=1"),
                    get(addr, "HEAD", "/metrics"),
                    get(addr, "POST", "/metrics"),
                    get(addr, "DELETE", "/healthz"),
                    get(addr, "GET", "/"),
                    get(addr, "POST", "/nope"),
                ];
                healthy.store(false, Ordering::SeqCst);
                let mut b = a;
                b.push(get(addr, "GET", "/healthz"));
                b
            })
            .await
            .unwrap();

            let (status, headers, body) = split(&answers[0]);
            assert_eq!(status, "HTTP/1.1 200 OK");
            assert!(
                headers.contains(&"content-type: text/plain; version=0.0.4; charset=utf-8".into()),
                "{headers:?}"
            );
            assert_eq!(body, metrics.render());
            assert!(body.contains("v6sentinel_build_info{version=\"9.9.9\"} 1\n"));

            let (status, _, body) = split(&answers[1]);
            assert_eq!((status, body), ("HTTP/1.1 200 OK", "ok\n"));

            let (status, _, body) = split(&answers[2]);
            assert_eq!(status, "HTTP/1.1 200 OK");
            assert_eq!(body, metrics.render());

            let (status, headers, body) = split(&answers[3]);
            assert_eq!(status, "HTTP/1.1 200 OK");
            assert_eq!(body, "", "HEAD has no body");
            let length = format!("content-length: {}", metrics.render().len());
            assert!(headers.contains(&length), "{headers:?}");

            for answer in &answers[4..6] {
                let (status, headers, _) = split(answer);
                assert_eq!(status, "HTTP/1.1 405 Method Not Allowed");
                assert!(headers.contains(&"allow: get, head".into()), "{headers:?}");
            }
            for answer in &answers[6..8] {
                let (status, _, body) = split(answer);
                assert_eq!((status, body), ("HTTP/1.1 404 Not Found", "not found\n"));
            }

            let (status, _, body) = split(&answers[8]);
            assert_eq!(status, "HTTP/1.1 503 Service Unavailable");
            assert_eq!(body, "capture down on eth0 second line\n");
            task.abort();
        });
    }

    #[test]
    fn keep_alive_serves_several_requests_on_one_connection() {
        let rt = runtime();
        rt.block_on(async {
            let metrics = Arc::new(Metrics::new("1", 0));
            let (addr, task) =
                serve("127.0.0.1:0".parse().unwrap(), metrics, || Health::Healthy).unwrap();
            let answer = tokio::task::spawn_blocking(move || {
                exchange(
                    addr,
                    "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n\
                     GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
                )
            })
            .await
            .unwrap();
            assert_eq!(answer.matches("HTTP/1.1 200 OK").count(), 2, "{answer}");
            task.abort();
        });
    }

    #[test]
    fn bind_errors_name_the_address() {
        let rt = runtime();
        rt.block_on(async {
            let metrics = Arc::new(Metrics::new("1", unix_now()));
            let (addr, task) = serve("127.0.0.1:0".parse().unwrap(), Arc::clone(&metrics), || {
                Health::Healthy
            })
            .unwrap();
            let err = serve(addr, metrics, || Health::Healthy).unwrap_err();
            assert!(matches!(err, MetricsError::Bind { .. }), "{err:?}");
            let message = err.to_string();
            assert!(
                message.starts_with(&format!("metrics endpoint: cannot listen on {addr}: ")),
                "{message}"
            );
            task.abort();
        });
    }

    #[test]
    fn outside_a_runtime_is_an_error_not_a_panic() {
        let metrics = Arc::new(Metrics::new("1", 0));
        let err = serve("127.0.0.1:0".parse().unwrap(), metrics, || Health::Healthy).unwrap_err();
        assert!(matches!(err, MetricsError::NoRuntime { .. }), "{err:?}");
        assert!(err.to_string().contains("127.0.0.1:0"), "{err}");
    }
}
