//! Live capture, whatever the backend: the [`FrameSource`] trait the backends implement,
//! the [`LiveCapture`] handle the modes drive, [`open`], the counters ([`CaptureStats`])
//! and the errors ([`CaptureError`]).
//!
//! A source yields whole Ethernet frames (VLAN tags included) with their receive time in
//! microseconds since the Unix epoch, the same unit as [`super::file::Record`], ready for
//! [`crate::wire::dissect`]. Only frames that may carry what v6sentinel reads get this far
//! ([`crate::wire::is_candidate`]): AF_PACKET filters in the kernel, pnet in user space.
#![forbid(unsafe_code)]

use std::fmt;
use std::future::Future;
use std::io;
use std::pin::Pin;
use std::str::FromStr;
use std::time::{SystemTime, UNIX_EPOCH};

/// How frames are read off the interface.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Backend {
    /// A Linux `AF_PACKET` socket with a kernel BPF filter (see [`super::afpacket`]).
    AfPacket,
    /// `pnet_datalink` on a blocking thread, filtering in user space (see
    /// [`super::pnet`]); the only backend off Linux.
    Pnet,
}

impl Backend {
    /// The backend used when none is asked for: AF_PACKET on Linux, pnet elsewhere.
    pub const fn platform_default() -> Backend {
        if cfg!(target_os = "linux") {
            Backend::AfPacket
        } else {
            Backend::Pnet
        }
    }

    /// The name used on the command line (`--backend afpacket|pnet`).
    pub const fn name(self) -> &'static str {
        match self {
            Backend::AfPacket => "afpacket",
            Backend::Pnet => "pnet",
        }
    }
}

impl Default for Backend {
    fn default() -> Backend {
        Backend::platform_default()
    }
}

impl fmt::Display for Backend {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// A backend name that is neither `afpacket` nor `pnet`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown capture backend {0:?} (expected afpacket or pnet)")]
pub struct UnknownBackend(pub String);

impl FromStr for Backend {
    type Err = UnknownBackend;

    /// `afpacket` (also `af_packet`, `af-packet`) or `pnet`, in any case.
    fn from_str(s: &str) -> Result<Backend, UnknownBackend> {
        match s.to_ascii_lowercase().as_str() {
            "afpacket" | "af_packet" | "af-packet" => Ok(Backend::AfPacket),
            "pnet" => Ok(Backend::Pnet),
            _ => Err(UnknownBackend(s.to_owned())),
        }
    }
}

/// Why a live capture could not be opened or read. Each variant names the interface.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CaptureError {
    /// The process may not open a packet socket.
    #[error(
        "capturing on {interface} needs root or the CAP_NET_RAW capability \
         (e.g. sudo setcap cap_net_raw+ep $(command -v v6sentinel)): {source}"
    )]
    Permission {
        /// The interface.
        interface: String,
        /// What the operating system said (EPERM or EACCES).
        source: io::Error,
    },
    /// There is no interface of that name (in this network namespace).
    #[error("no such network interface: {interface}")]
    NoSuchInterface {
        /// The name asked for.
        interface: String,
    },
    /// The interface exists but is administratively down (no IFF_UP).
    #[error("network interface {interface} is down (ip link set {interface} up)")]
    InterfaceDown {
        /// The interface.
        interface: String,
    },
    /// The interface does not carry Ethernet frames (a tunnel, a PPP link, ...).
    #[error("{interface} is not an Ethernet interface (ARP hardware type {hardware_type})")]
    NotEthernet {
        /// The interface.
        interface: String,
        /// Its `ARPHRD_*` type.
        hardware_type: u16,
    },
    /// A step of opening the capture failed: creating the socket, a socket option, the
    /// filter, an interface query.
    #[error("{interface}: {operation}: {source}")]
    Setup {
        /// The interface.
        interface: String,
        /// What was being done, e.g. `setsockopt(PACKET_ADD_MEMBERSHIP)`.
        operation: &'static str,
        /// The cause.
        source: io::Error,
    },
    /// Binding the capture socket to the interface failed.
    #[error("{interface}: binding the capture socket: {source}")]
    Bind {
        /// The interface.
        interface: String,
        /// The cause.
        source: io::Error,
    },
    /// Receiving a frame failed.
    #[error("{interface}: receiving a frame: {source}")]
    Recv {
        /// The interface.
        interface: String,
        /// The cause.
        source: io::Error,
    },
    /// The packet capture library is not installed (Windows: Npcap's `Packet.dll`).
    #[error(
        "capturing on {interface} needs Npcap, which is not installed: download it from \
         https://npcap.com/#download and install it with \"Install Npcap in WinPcap \
         API-compatible Mode\" ticked, then run this again"
    )]
    NpcapMissing {
        /// The interface.
        interface: String,
    },
    /// Reading the kernel's counters failed.
    #[error("{interface}: reading the capture statistics: {source}")]
    Stats {
        /// The interface.
        interface: String,
        /// The cause.
        source: io::Error,
    },
    /// The capture thread of a backend that has one stopped.
    #[error("{interface}: the capture thread stopped")]
    Closed {
        /// The interface.
        interface: String,
    },
    /// The backend does not exist on this operating system.
    #[error("the {backend} capture backend is not available here: {reason}")]
    Unsupported {
        /// The backend asked for.
        backend: Backend,
        /// Why not.
        reason: &'static str,
    },
    /// [`open`] was called outside a tokio runtime.
    #[error("{interface}: live capture must be opened inside a tokio runtime with I/O enabled")]
    NoRuntime {
        /// The interface.
        interface: String,
    },
}

impl CaptureError {
    /// The error for a failed system call made to open `interface`: EPERM and EACCES
    /// become [`CaptureError::Permission`], ENODEV [`CaptureError::NoSuchInterface`],
    /// ENETDOWN [`CaptureError::InterfaceDown`], anything else [`CaptureError::Setup`].
    pub(crate) fn setup(interface: &str, operation: &'static str, source: io::Error) -> Self {
        let interface = interface.to_owned();
        match classify(&source) {
            Some(Class::Permission) => CaptureError::Permission { interface, source },
            Some(Class::NoDevice) => CaptureError::NoSuchInterface { interface },
            Some(Class::Down) => CaptureError::InterfaceDown { interface },
            None => CaptureError::Setup {
                interface,
                operation,
                source,
            },
        }
    }

    /// The error for a failed `bind` to `interface`: as [`CaptureError::setup`], with
    /// [`CaptureError::Bind`] for the rest.
    #[cfg_attr(not(target_os = "linux"), allow(dead_code))]
    pub(crate) fn bind(interface: &str, source: io::Error) -> Self {
        match CaptureError::setup(interface, "bind", source) {
            CaptureError::Setup {
                interface, source, ..
            } => CaptureError::Bind { interface, source },
            other => other,
        }
    }

    /// The error for a failed receive on `interface`: the interface going down or away
    /// is reported as such, anything else as [`CaptureError::Recv`].
    pub(crate) fn recv(interface: &str, source: io::Error) -> Self {
        let interface = interface.to_owned();
        match classify(&source) {
            Some(Class::NoDevice) => CaptureError::NoSuchInterface { interface },
            Some(Class::Down) => CaptureError::InterfaceDown { interface },
            _ => CaptureError::Recv { interface, source },
        }
    }
}

#[cfg_attr(not(target_os = "linux"), allow(dead_code))]
enum Class {
    Permission,
    NoDevice,
    Down,
}

fn classify(e: &io::Error) -> Option<Class> {
    if e.kind() == io::ErrorKind::PermissionDenied {
        return Some(Class::Permission);
    }
    // errno values shared by Linux and the BSDs are not; name the Linux ones only there.
    #[cfg(target_os = "linux")]
    match e.raw_os_error() {
        Some(libc::ENODEV | libc::ENXIO) => return Some(Class::NoDevice),
        Some(libc::ENETDOWN) => return Some(Class::Down),
        _ => {}
    }
    None
}

/// Counters of one live capture, from its opening on.
///
/// The kernel counters are the AF_PACKET socket's `PACKET_STATISTICS`, which reset on
/// every read; the backend adds them up, so these are totals.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub struct CaptureStats {
    /// Frames handed to the caller.
    pub received: u64,
    /// Frames the kernel filter passed to the socket, queued or dropped (AF_PACKET
    /// `tp_packets`); `None` when the backend cannot tell.
    pub kernel_passed: Option<u64>,
    /// Frames the kernel dropped because the socket's receive buffer was full (AF_PACKET
    /// `tp_drops`); `None` when the backend cannot tell.
    pub dropped_by_kernel: Option<u64>,
    /// Frames dropped in user space because the queue between the capture thread and the
    /// caller was full (pnet).
    pub dropped_by_queue: u64,
    /// Frames read from the socket but not handed over: turned away by the user-space
    /// filter (pnet), or sent by this host when the kernel cannot leave them out.
    pub filtered: u64,
    /// Frames longer than the capture buffer, handed over cut (see [`Frame::orig_len`]).
    pub truncated: u64,
}

/// One captured frame.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Frame<'a> {
    /// When it was received, in microseconds since the Unix epoch: the kernel's receive
    /// timestamp where the backend has it, else the clock when it was read.
    pub ts_micros: i64,
    /// The Ethernet frame, from the destination MAC on, without the FCS.
    pub data: &'a [u8],
    /// Its length on the wire (more than `data.len()` when it was cut).
    pub orig_len: usize,
}

/// Where a [`FrameSource`] put a frame in the buffer it was given.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Received {
    /// See [`Frame::ts_micros`].
    pub ts_micros: i64,
    /// The frame starts at this offset of the buffer.
    pub start: usize,
    /// and is this long.
    pub len: usize,
    /// See [`Frame::orig_len`].
    pub orig_len: usize,
}

/// What [`FrameSource::recv`] returns: a boxed future, so that the trait stays
/// object-safe (one small allocation per frame, after the kernel filter).
pub type RecvFuture<'a> = Pin<Box<dyn Future<Output = Result<Received, CaptureError>> + Send + 'a>>;

/// A live source of Ethernet frames. Implemented by the AF_PACKET and pnet backends;
/// tests may implement it too and wrap it with [`LiveCapture::from_source`].
pub trait FrameSource: Send {
    /// Waits for the next frame and writes it into `buf` (at least [`BUFFER_LEN`]
    /// bytes). Must be cancel-safe: a future dropped before it completes consumes no
    /// frame.
    fn recv<'a>(&'a mut self, buf: &'a mut [u8]) -> RecvFuture<'a>;

    /// The counters so far.
    fn stats(&mut self) -> Result<CaptureStats, CaptureError>;

    /// Sends one whole Ethernet frame out of the interface (the probes on Windows, where
    /// the system's DHCPv6 client holds UDP port 546). Backends that cannot say
    /// [`io::ErrorKind::Unsupported`].
    fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        let _ = frame;
        Err(io::Error::new(
            io::ErrorKind::Unsupported,
            "this capture backend does not send frames",
        ))
    }
}

/// The size of the buffer a [`LiveCapture`] receives into: a 64 KiB frame (the largest
/// the kernel hands a packet socket outside GSO) plus room for restored VLAN tags.
pub const BUFFER_LEN: usize = 65_536 + 64;

/// A live capture on one interface: the handle the modes drive.
///
/// ```no_run
/// # async fn run() -> Result<(), v6sentinel::capture::CaptureError> {
/// use v6sentinel::capture::{self, Backend};
/// let mut cap = capture::open("eth0", Backend::AfPacket)?;
/// loop {
///     let frame = cap.recv().await?;
///     let dissected = v6sentinel::wire::dissect(frame.data);
///     // detector.handle_frame(Timestamp::from_micros(frame.ts_micros), frame.data) ...
/// #   let _ = dissected;
/// }
/// # }
/// ```
pub struct LiveCapture {
    source: Box<dyn FrameSource>,
    buf: Box<[u8]>,
    interface: String,
    backend: Backend,
}

impl fmt::Debug for LiveCapture {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("LiveCapture")
            .field("interface", &self.interface)
            .field("backend", &self.backend)
            .finish_non_exhaustive()
    }
}

impl LiveCapture {
    /// Wraps a source (for tests, or a backend of one's own).
    pub fn from_source(
        interface: &str,
        backend: Backend,
        source: Box<dyn FrameSource>,
    ) -> LiveCapture {
        LiveCapture {
            source,
            buf: vec![0; BUFFER_LEN].into_boxed_slice(),
            interface: interface.to_owned(),
            backend,
        }
    }

    /// Waits for the next frame.
    ///
    /// Cancel-safe: when the future is dropped before it completes (a timer won the
    /// `select!`), no frame is lost. Errors: [`CaptureError::InterfaceDown`] when the
    /// interface is taken down (AF_PACKET: the socket stays open and frames flow again
    /// once it is back up, so the caller may treat this as transient and go on calling
    /// `recv`), [`CaptureError::NoSuchInterface`] when it is removed,
    /// [`CaptureError::Recv`] or [`CaptureError::Closed`] otherwise.
    pub async fn recv(&mut self) -> Result<Frame<'_>, CaptureError> {
        let got = self.source.recv(&mut self.buf).await?;
        Ok(self.frame(got))
    }

    fn frame(&self, got: Received) -> Frame<'_> {
        let end = got.start.saturating_add(got.len);
        Frame {
            ts_micros: got.ts_micros,
            data: self.buf.get(got.start..end).unwrap_or_default(),
            orig_len: got.orig_len,
        }
    }

    /// The counters so far (AF_PACKET: reads and adds up the kernel's).
    pub fn stats(&mut self) -> Result<CaptureStats, CaptureError> {
        self.source.stats()
    }

    /// The interface captured on.
    pub fn interface(&self) -> &str {
        &self.interface
    }

    /// Sends one whole Ethernet frame out of the interface, through the capture's own
    /// handle (see [`FrameSource::send`]).
    pub fn send(&mut self, frame: &[u8]) -> io::Result<()> {
        self.source.send(frame)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }
}

/// Opens a live capture of IPv6 configuration traffic (RS, RA, NS, NA, Redirect,
/// DHCPv6, and anything behind IPv6 extension headers) on `interface`.
///
/// Must be called inside a tokio runtime with I/O enabled (AF_PACKET registers its socket
/// with the runtime's reactor). The interface is checked before any socket is opened, so
/// a wrong name or a down interface is reported as such even without privileges:
/// [`CaptureError::NoSuchInterface`], [`CaptureError::InterfaceDown`],
/// [`CaptureError::NotEthernet`], then [`CaptureError::Permission`] without root or
/// CAP_NET_RAW.
pub fn open(interface: &str, backend: Backend) -> Result<LiveCapture, CaptureError> {
    let source: Box<dyn FrameSource> = match backend {
        #[cfg(target_os = "linux")]
        Backend::AfPacket => Box::new(super::afpacket::AfPacket::open(interface)?),
        #[cfg(not(target_os = "linux"))]
        Backend::AfPacket => {
            return Err(CaptureError::Unsupported {
                backend,
                reason: "AF_PACKET sockets exist only on Linux; use --backend pnet",
            });
        }
        Backend::Pnet => Box::new(super::pnet::Pnet::open(interface)?),
    };
    Ok(LiveCapture::from_source(interface, backend, source))
}

/// The clock now, in microseconds since the Unix epoch (0 before 1970).
pub(crate) fn now_micros() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX))
}

/// Whether `name` can be an interface name at all. Windows: see
/// [`crate::host::valid_interface_name`].
#[cfg(windows)]
pub(crate) fn valid_interface_name(name: &str) -> bool {
    crate::host::valid_interface_name(name)
}

/// Whether `name` can be an interface name at all (Linux `dev_valid_name`: 1 to 15
/// bytes, not `.` or `..`, no `/`, `:`, NUL or white space). Anything else cannot
/// exist, and must not reach an `ifreq`.
#[cfg(not(windows))]
pub(crate) fn valid_interface_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() < 16
        && name != "."
        && name != ".."
        && !name
            .bytes()
            .any(|b| b == b'/' || b == b':' || b == 0 || b.is_ascii_whitespace())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backend_names_round_trip() {
        for b in [Backend::AfPacket, Backend::Pnet] {
            assert_eq!(b.to_string().parse::<Backend>(), Ok(b));
        }
        assert_eq!("AF_PACKET".parse::<Backend>(), Ok(Backend::AfPacket));
        let err = "pcap".parse::<Backend>().unwrap_err();
        assert!(err.to_string().contains("afpacket or pnet"), "{err}");
        #[cfg(target_os = "linux")]
        assert_eq!(Backend::default(), Backend::AfPacket);
    }

    #[cfg(not(windows))]
    #[test]
    fn interface_names() {
        for ok in ["eth0", "enp0s31f6", "wlan0", "br-1234567890ab", "a"] {
            assert!(valid_interface_name(ok), "{ok}");
        }
        for bad in [
            "",
            ".",
            "..",
            "eth0:1",
            "a/b",
            "a b",
            "0123456789abcdef",
            "x\0",
        ] {
            assert!(!valid_interface_name(bad), "{bad:?}");
        }
    }

    #[test]
    fn errors_name_interface_and_cause() {
        let e = CaptureError::setup(
            "eth9",
            "socket(AF_PACKET)",
            io::Error::from(io::ErrorKind::PermissionDenied),
        );
        assert!(matches!(e, CaptureError::Permission { .. }));
        let text = e.to_string();
        assert!(
            text.contains("eth9") && text.contains("root") && text.contains("CAP_NET_RAW"),
            "{text}"
        );
        #[cfg(target_os = "linux")]
        {
            let e = CaptureError::setup("eth9", "x", io::Error::from_raw_os_error(libc::ENODEV));
            assert_eq!(e.to_string(), "no such network interface: eth9");
            let e = CaptureError::recv("eth9", io::Error::from_raw_os_error(libc::ENETDOWN));
            assert!(matches!(e, CaptureError::InterfaceDown { .. }), "{e}");
            let e = CaptureError::setup(
                "eth9",
                "setsockopt(SO_RCVBUF)",
                io::Error::from_raw_os_error(libc::EINVAL),
            );
            assert!(
                e.to_string().starts_with("eth9: setsockopt(SO_RCVBUF): "),
                "{e}"
            );
        }
    }

    struct Fake(Vec<Vec<u8>>, u64);

    impl FrameSource for Fake {
        fn recv<'a>(&'a mut self, buf: &'a mut [u8]) -> RecvFuture<'a> {
            Box::pin(async move {
                let Some(f) = self.0.pop() else {
                    return std::future::pending().await;
                };
                buf[10..10 + f.len()].copy_from_slice(&f);
                self.1 += 1;
                Ok(Received {
                    ts_micros: 7,
                    start: 10,
                    len: f.len(),
                    orig_len: f.len(),
                })
            })
        }

        fn stats(&mut self) -> Result<CaptureStats, CaptureError> {
            Ok(CaptureStats {
                received: self.1,
                ..CaptureStats::default()
            })
        }
    }

    #[test]
    fn live_capture_hands_out_what_the_source_wrote() {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_time()
            .build()
            .unwrap();
        let mut cap = LiveCapture::from_source(
            "fake0",
            Backend::Pnet,
            Box::new(Fake(vec![vec![1, 2, 3]], 0)),
        );
        rt.block_on(async {
            let f = cap.recv().await.unwrap();
            assert_eq!((f.ts_micros, f.data, f.orig_len), (7, &[1, 2, 3][..], 3));
            let wait = std::time::Duration::from_millis(10);
            assert!(tokio::time::timeout(wait, cap.recv()).await.is_err());
        });
        assert_eq!(cap.stats().unwrap().received, 1);
        assert_eq!((cap.interface(), cap.backend()), ("fake0", Backend::Pnet));
    }
}
