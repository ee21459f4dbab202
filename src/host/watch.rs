//! Change notifications: a netlink socket in the IPv6 address, IPv6 route and link
//! multicast groups, reporting whether anything about one interface changed.

use super::netlink::{next_message, open, route_info};
use super::{HostError, ifindex};
use netlink_packet_core::{NetlinkMessage, NetlinkPayload};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::Socket;
use std::io::ErrorKind;
use std::os::fd::{AsFd, BorrowedFd};
use std::time::{Duration, Instant};

/// `RTNLGRP_LINK`: interfaces appearing, going up or down.
const RTNLGRP_LINK: u32 = 1;
/// `RTNLGRP_IPV6_IFADDR`: IPv6 addresses added, removed, changed.
const RTNLGRP_IPV6_IFADDR: u32 = 9;
/// `RTNLGRP_IPV6_ROUTE`: IPv6 routes added, removed, changed.
const RTNLGRP_IPV6_ROUTE: u32 = 11;
/// `ENOBUFS` on Linux: the socket's queue overflowed and notifications were lost.
const ENOBUFS: i32 = 105;
/// `RTM_NEWLINK`..`RTM_GETLINK`, `RTM_NEWADDR`..`RTM_GETADDR`.
const RTM_LINK: core::ops::Range<u16> = 16..20;
const RTM_ADDR: core::ops::Range<u16> = 20..24;
/// Offset of `ifi_index` / `ifa_index` after the netlink header.
const IFINDEX_IN_LINK: usize = 16 + 4;
const IFINDEX_IN_ADDR: usize = 16 + 4;

/// Tells when the IPv6 addresses or routes of one interface change (see the module
/// documentation of [`crate::host`] for how `watch` uses it).
#[derive(Debug)]
pub struct Watcher {
    socket: Socket,
    interface: String,
    ifindex: u32,
}

impl Watcher {
    /// Subscribes to the kernel's notifications. Call it before the first [`observe`]
    /// so that no change falls between the two.
    ///
    /// [`observe`]: super::observe
    pub fn new(interface: &str) -> Result<Watcher, HostError> {
        let ifindex = ifindex(interface)?;
        let socket = open(interface)?;
        for group in [RTNLGRP_LINK, RTNLGRP_IPV6_IFADDR, RTNLGRP_IPV6_ROUTE] {
            socket
                .add_membership(group)
                .map_err(|source| HostError::Netlink {
                    op: "NETLINK_ADD_MEMBERSHIP",
                    interface: interface.to_owned(),
                    source,
                })?;
        }
        Ok(Watcher {
            socket,
            interface: interface.to_owned(),
            ifindex,
        })
    }

    /// Blocks until a notification about the interface arrives (then reads whatever
    /// else is queued) or `timeout` passes (`None`: no limit). `true` means something
    /// changed, or notifications were lost: observe again.
    pub fn wait(&mut self, timeout: Option<Duration>) -> Result<bool, HostError> {
        let deadline = timeout.map(|t| Instant::now() + t);
        loop {
            let left = match deadline {
                Some(d) => match d.checked_duration_since(Instant::now()) {
                    Some(left) if !left.is_zero() => Some(left),
                    _ => return Ok(false),
                },
                None => None,
            };
            self.sockref()
                .set_read_timeout(left)
                .map_err(self.err("setsockopt SO_RCVTIMEO"))?;
            match self.read_one() {
                Ok(Some(true)) => {
                    self.drain()?;
                    return Ok(true);
                }
                Ok(Some(false)) => {}
                Ok(None) => return Ok(false),
                Err(e) => return Err(e),
            }
        }
    }

    /// Reads every queued notification without blocking; `true` if one concerned the
    /// interface (or some were lost). For an event loop: call it when the descriptor is
    /// readable.
    pub fn drain(&mut self) -> Result<bool, HostError> {
        let blocking = !self.socket_is_nonblocking();
        if blocking {
            self.set_nonblocking(true)?;
        }
        let mut changed = false;
        let result = loop {
            match self.read_one() {
                Ok(Some(c)) => changed |= c,
                Ok(None) => break Ok(changed),
                Err(e) => break Err(e),
            }
        };
        if blocking {
            self.set_nonblocking(false)?;
        }
        result
    }

    /// Puts the socket in non-blocking mode (for `tokio::io::unix::AsyncFd`).
    pub fn set_nonblocking(&mut self, on: bool) -> Result<(), HostError> {
        self.socket
            .set_non_blocking(on)
            .map_err(self.err("set O_NONBLOCK"))
    }

    /// The interface watched.
    pub fn interface(&self) -> &str {
        &self.interface
    }

    fn socket_is_nonblocking(&self) -> bool {
        self.sockref().nonblocking().unwrap_or(false)
    }

    fn sockref(&self) -> socket2::SockRef<'_> {
        socket2::SockRef::from(&self.socket)
    }

    fn err(&self, op: &'static str) -> impl FnOnce(std::io::Error) -> HostError + '_ {
        move |source| HostError::Netlink {
            op,
            interface: self.interface.clone(),
            source,
        }
    }

    /// One datagram: `Some(relevant)`, or `None` when nothing is queued (time-out or
    /// would block).
    fn read_one(&mut self) -> Result<Option<bool>, HostError> {
        let mut buf = vec![0u8; 64 * 1024];
        let size = match self.socket.recv(&mut &mut buf[..], 0) {
            Ok(n) => n,
            Err(e) if matches!(e.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
                return Ok(None);
            }
            Err(e) if e.kind() == ErrorKind::Interrupted => return Ok(Some(false)),
            Err(e) if e.raw_os_error() == Some(ENOBUFS) => return Ok(Some(true)),
            Err(e) => return Err(self.err("recv")(e)),
        };
        let mut data = buf.get(..size).unwrap_or_default();
        let mut relevant = false;
        while let Some(raw) = next_message(&mut data) {
            relevant |= concerns(raw, self.ifindex);
        }
        Ok(Some(relevant))
    }
}

impl AsFd for Watcher {
    fn as_fd(&self) -> BorrowedFd<'_> {
        self.socket.as_fd()
    }
}

/// Whether one notification is about `ifindex`. A route message that cannot be decoded
/// counts (better one observation too many than a change missed).
fn concerns(raw: &[u8], ifindex: u32) -> bool {
    let Some(kind) = raw.get(4..6).map(|b| u16::from_ne_bytes([b[0], b[1]])) else {
        return false;
    };
    let index_at = |off: usize| {
        raw.get(off..off + 4)
            .map(|b| u32::from_ne_bytes([b[0], b[1], b[2], b[3]]))
    };
    if RTM_LINK.contains(&kind) {
        return index_at(IFINDEX_IN_LINK) == Some(ifindex);
    }
    if RTM_ADDR.contains(&kind) {
        return index_at(IFINDEX_IN_ADDR) == Some(ifindex);
    }
    match NetlinkMessage::<RouteNetlinkMessage>::deserialize(raw) {
        Ok(m) => match m.payload {
            NetlinkPayload::InnerMessage(
                RouteNetlinkMessage::NewRoute(r) | RouteNetlinkMessage::DelRoute(r),
            ) => !route_info(&r, ifindex).is_empty(),
            _ => false,
        },
        Err(_) => true,
    }
}
