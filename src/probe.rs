//! The active probes of `scan` (and of `watch` when asked): one Router Solicitation to
//! ff02::2 and one DHCPv6 Solicit plus one Information-request to ff02::1:2, so that
//! every router and DHCPv6 server on the link answers within the listening window
//! instead of at its next periodic advertisement. Never a Router Advertisement.
//!
//! The answers are not read here: they come back through the frame source (AF_PACKET,
//! pcap), like every other frame, and the detector sees them there. The sockets below
//! only send, and are closed at once.
//!
//! # Router Solicitation (RFC 4861 §4.1, §6.3.7)
//! A raw ICMPv6 socket (needs root or CAP_NET_RAW), bound to the interface
//! (`SO_BINDTODEVICE`) and to its link-local address when it has one, hop limit 255
//! (routers drop an RS with any other), sent to ff02::2 with the Source Link-Layer
//! Address option when the source is the link-local address. Without a usable
//! link-local address (none yet, or DAD still running) the kernel picks the source and
//! the RS goes without the option. The kernel fills in the ICMPv6 checksum on raw
//! ICMPv6 sockets (RFC 3542 §3.1); the one computed here is the same.
//!
//! # DHCPv6 Solicit and Information-request (RFC 8415 §18.2.1, §18.2.6)
//! A UDP socket bound to the interface, sent to \[ff02::1:2\]:547 with hop limit 1, from
//! the kernel's choice of source address (the link-local one, RFC 8415 §13.1). Client
//! Identifier DUID-LL of the interface's MAC, IAID the last four octets of the MAC (what
//! ISC dhclient uses), Elapsed Time 0, an Option Request for DNS servers and the domain
//! list, and **no Rapid Commit**: a server answers a Solicit with an Advertise and
//! commits no lease (RFC 8415 §18.3.1). The Information-request asks for configuration
//! only and makes servers that answer stateless requests (and those that only do that)
//! show themselves.
//!
//! **Source port.** RFC 8415 §7.2 has clients listen on 546, and servers send their
//! answers there: dnsmasq does so whatever port the request came from (the netns test
//! checks it), as do odhcpd and most embedded stacks. So the socket binds \[::\]:546,
//! as a real client does, with `SO_REUSEADDR` and `SO_REUSEPORT`, which a DHCPv6 client
//! that set them too (odhcp6c, systemd-networkd, NetworkManager) does not block. When
//! the port is held without them (ISC dhclient), or binding below 1024 is not permitted
//! (running with CAP_NET_RAW only), the probe falls back to an ephemeral source port and
//! says so in [`DhcpSent::fallback`]. Either way the answers cross the link, where the
//! capture sees them. The socket is closed right after sending, so when no DHCPv6
//! client runs the kernel answers the server with an ICMPv6 Port Unreachable; that
//! costs nothing but one rate-limited error message.
//! The system's own DHCPv6 client ignores our answers: their transaction ID is not one
//! of its own.
//!
//! # Whole frames through the capture handle (pnet backend, Windows)
//! [`frames`] builds the same three messages as whole Ethernet frames — from the
//! interface's MAC and link-local address, to 33:33:00:00:00:02 and 33:33:00:01:00:02,
//! UDP 546 → 547 — and [`send_frames`] writes them through the capture's own handle
//! ([`LiveCapture::send`]). That is how the probes go out on Windows, where the system's
//! DHCPv6 client holds UDP 546 and raw ICMPv6 sockets cannot set the hop limit, and how
//! they go out with `--backend pnet` on Linux, which tests the same path in network
//! namespaces. Without a usable link-local address the DHCPv6 frames are not sent (a
//! DHCPv6 client must use its link-local address, RFC 8415 §13.1); the RS goes from ::
//! without the Source Link-Layer Address option.

use crate::capture::LiveCapture;
use crate::host::{self, HostError};
use crate::wire::Mac;
use crate::wire::dhcpv6::{self, ALL_DHCP_RELAY_AGENTS_AND_SERVERS, Duid, TransactionId};
use crate::wire::icmpv6::Icmpv6Repr;
use crate::wire::ipv6::ALL_ROUTERS;
use crate::wire::ndisc::NdiscRepr;
use crate::wire::ndopt::{NdOption, NdOptions};
use core::fmt;
use core::net::Ipv6Addr;
#[cfg(target_os = "linux")]
use core::net::SocketAddrV6;
#[cfg(target_os = "linux")]
use socket2::{Domain, Protocol, SockAddr, Socket, Type};
#[cfg(target_os = "linux")]
use std::io::ErrorKind;
use std::io::Read;

/// Hop limit of every Neighbor Discovery message (RFC 4861 §4.1).
pub const ND_HOP_LIMIT: u32 = 255;
/// Hop limit of the DHCPv6 messages: the destination is link-scoped anyway.
pub const DHCPV6_HOP_LIMIT: u32 = 1;

/// The interface the probes go out of, and what they say about it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeTarget {
    /// The interface name.
    pub interface: String,
    /// Its index.
    pub ifindex: u32,
    /// Its MAC address: the RS's Source Link-Layer Address and the DHCPv6 DUID-LL.
    pub mac: Mac,
    /// Its usable link-local address, the RS's source; `None` when it has none yet.
    pub link_local: Option<Ipv6Addr>,
}

/// What went wrong preparing or sending a probe.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ProbeError {
    /// The interface does not exist (in this network namespace).
    #[error("no such interface: {interface}")]
    NoSuchInterface {
        /// The name asked for.
        interface: String,
    },
    /// The interface has no Ethernet MAC address.
    #[error("{interface} has no Ethernet MAC address ({detail})")]
    NoMac {
        /// The interface.
        interface: String,
        /// What was found instead.
        detail: String,
    },
    /// The interface's addresses could not be read.
    #[error("reading the addresses of {interface}: {source}")]
    Host {
        /// The interface.
        interface: String,
        /// The cause.
        source: HostError,
    },
    /// The operating system refused: not root and no CAP_NET_RAW.
    #[error(
        "{op} on {interface}: {source}: sending probes needs root or CAP_NET_RAW \
         (sudo setcap cap_net_raw+ep on the binary), or use --passive"
    )]
    Permission {
        /// The system call or option.
        op: &'static str,
        /// The interface.
        interface: String,
        /// The cause.
        source: std::io::Error,
    },
    /// Any other socket error.
    #[error("{op} on {interface}: {source}")]
    Io {
        /// The system call or option.
        op: &'static str,
        /// The interface.
        interface: String,
        /// The cause.
        source: std::io::Error,
    },
    /// A DHCPv6 probe sent as a whole frame needs the interface's link-local address as
    /// its source, and there is none usable yet (DAD running, or IPv6 off).
    #[error("{interface} has no usable IPv6 link-local address yet: DHCPv6 probe not sent")]
    NoLinkLocal {
        /// The interface.
        interface: String,
    },
    /// The message could not be built (never expected: the inputs are fixed-size).
    #[error("cannot build the {what} for {interface}")]
    Build {
        /// Which message.
        what: &'static str,
        /// The interface.
        interface: String,
    },
}

/// Why a DHCPv6 probe did not use source port 546.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PortFallback {
    /// Another socket (the system's DHCPv6 client) holds port 546 exclusively.
    InUse,
    /// Binding a port below 1024 needs root or CAP_NET_BIND_SERVICE.
    NotPermitted,
}

impl fmt::Display for PortFallback {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            PortFallback::InUse => "UDP port 546 is held by another DHCPv6 client",
            PortFallback::NotPermitted => "binding UDP port 546 needs root or CAP_NET_BIND_SERVICE",
        })
    }
}

/// One DHCPv6 message sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct DhcpSent {
    /// Its transaction ID: the server's answer carries the same.
    pub transaction_id: TransactionId,
    /// The UDP source port used (546 unless [`fallback`](Self::fallback) says why not).
    pub source_port: u16,
    /// Why the source port is not 546; servers that answer to 546 regardless still
    /// answer on the link.
    pub fallback: Option<PortFallback>,
}

/// The outcome of each probe of [`send_all`].
#[derive(Debug)]
pub struct ProbesSent {
    /// The Router Solicitation.
    pub router_solicitation: Result<(), ProbeError>,
    /// The DHCPv6 Solicit.
    pub dhcpv6_solicit: Result<DhcpSent, ProbeError>,
    /// The DHCPv6 Information-request.
    pub information_request: Result<DhcpSent, ProbeError>,
}

/// The MAC, index and link-local address of `interface`, from [`crate::host`] (Linux:
/// `/sys/class/net` and netlink; Windows: the IP Helper API).
pub fn target_for(interface: &str) -> Result<ProbeTarget, ProbeError> {
    let ifindex = host::ifindex(interface).map_err(|_| ProbeError::NoSuchInterface {
        interface: interface.to_owned(),
    })?;
    let mac = host::mac_address(interface).ok_or_else(|| ProbeError::NoMac {
        interface: interface.to_owned(),
        detail: "none, or all zeros (loopback or a tunnel)".to_owned(),
    })?;
    let state = host::snapshot(interface).map_err(|source| ProbeError::Host {
        interface: interface.to_owned(),
        source,
    })?;
    Ok(ProbeTarget {
        interface: interface.to_owned(),
        ifindex,
        mac,
        link_local: state.link_local(),
    })
}

/// The Router Solicitation `t` sends, as an ICMPv6 message (type 133 onwards, checksum
/// for the link-local source and ff02::2): with the Source Link-Layer Address option
/// when `t` has a link-local address, without it otherwise.
pub fn router_solicitation(t: &ProbeTarget) -> Result<Vec<u8>, ProbeError> {
    let mac = t.mac.octets();
    let options = match t.link_local {
        Some(_) => NdOptions::from_list(vec![NdOption::SourceLinkLayerAddr(&mac)]),
        None => NdOptions::default(),
    };
    let message = Icmpv6Repr::Ndisc {
        code: 0,
        repr: NdiscRepr::RouterSolicit {
            reserved: 0,
            options,
        },
    };
    let mut buf = vec![0u8; message.buffer_len()];
    let src = t.link_local.unwrap_or(Ipv6Addr::UNSPECIFIED);
    message
        .emit(&mut buf, &src, &ALL_ROUTERS)
        .map_err(|_| ProbeError::Build {
            what: "Router Solicitation",
            interface: t.interface.clone(),
        })?;
    Ok(buf)
}

/// Sends one Router Solicitation to ff02::2 out of `t` (see the module documentation).
#[cfg(target_os = "linux")]
pub fn send_router_solicitation(t: &ProbeTarget) -> Result<(), ProbeError> {
    let message = router_solicitation(t)?;
    let e = Errors(t);
    let socket = Socket::new(Domain::IPV6, Type::RAW, Some(Protocol::ICMPV6))
        .map_err(e.of("socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)"))?;
    socket
        .bind_device(Some(t.interface.as_bytes()))
        .map_err(e.of("setsockopt SO_BINDTODEVICE"))?;
    socket
        .set_multicast_if_v6(t.ifindex)
        .map_err(e.of("setsockopt IPV6_MULTICAST_IF"))?;
    socket
        .set_multicast_hops_v6(ND_HOP_LIMIT)
        .map_err(e.of("setsockopt IPV6_MULTICAST_HOPS"))?;
    socket
        .set_unicast_hops_v6(ND_HOP_LIMIT)
        .map_err(e.of("setsockopt IPV6_UNICAST_HOPS"))?;
    if let Some(ll) = t.link_local {
        let local = SocketAddrV6::new(ll, 0, 0, t.ifindex);
        socket
            .bind(&SockAddr::from(local))
            .map_err(e.of("bind to the link-local address"))?;
    }
    let dst = SocketAddrV6::new(ALL_ROUTERS, 0, 0, t.ifindex);
    socket
        .send_to(&message, &SockAddr::from(dst))
        .map_err(e.of("sendto ff02::2"))?;
    Ok(())
}

/// The DHCPv6 client DUID of `t`: DUID-LL, hardware type 1 (Ethernet), its MAC.
pub fn client_duid(t: &ProbeTarget) -> Duid<'_> {
    Duid::Ll {
        hw_type: 1,
        lladdr: &t.mac.0,
    }
}

/// The IAID of the probe's IA_NA: the last four octets of the MAC.
pub fn iaid(t: &ProbeTarget) -> u32 {
    let m = t.mac.0;
    u32::from_be_bytes([m[2], m[3], m[4], m[5]])
}

/// Sends one DHCPv6 Solicit (no Rapid Commit) to ff02::1:2 out of `t`.
#[cfg(target_os = "linux")]
pub fn send_dhcpv6_solicit(
    t: &ProbeTarget,
    transaction_id: TransactionId,
) -> Result<DhcpSent, ProbeError> {
    let payload = dhcpv6::solicit(transaction_id, client_duid(t), iaid(t));
    send_dhcpv6(t, transaction_id, &payload, "DHCPv6 Solicit")
}

/// Sends one DHCPv6 Information-request to ff02::1:2 out of `t`.
#[cfg(target_os = "linux")]
pub fn send_information_request(
    t: &ProbeTarget,
    transaction_id: TransactionId,
) -> Result<DhcpSent, ProbeError> {
    let payload = dhcpv6::information_request(transaction_id, client_duid(t));
    send_dhcpv6(t, transaction_id, &payload, "DHCPv6 Information-request")
}

/// Sends all three probes, each with its own fresh transaction ID; one failing does
/// not stop the others.
#[cfg(target_os = "linux")]
pub fn send_all(t: &ProbeTarget) -> ProbesSent {
    ProbesSent {
        router_solicitation: send_router_solicitation(t),
        dhcpv6_solicit: send_dhcpv6_solicit(t, random_transaction_id()),
        information_request: send_information_request(t, random_transaction_id()),
    }
}

#[cfg(target_os = "linux")]
fn send_dhcpv6(
    t: &ProbeTarget,
    transaction_id: TransactionId,
    payload: &[u8],
    what: &'static str,
) -> Result<DhcpSent, ProbeError> {
    if payload.is_empty() {
        return Err(ProbeError::Build {
            what,
            interface: t.interface.clone(),
        });
    }
    let e = Errors(t);
    let socket = Socket::new(Domain::IPV6, Type::DGRAM, Some(Protocol::UDP))
        .map_err(e.of("socket(AF_INET6, SOCK_DGRAM, IPPROTO_UDP)"))?;
    socket
        .set_only_v6(true)
        .map_err(e.of("setsockopt IPV6_V6ONLY"))?;
    socket
        .set_reuse_address(true)
        .map_err(e.of("setsockopt SO_REUSEADDR"))?;
    socket
        .set_reuse_port(true)
        .map_err(e.of("setsockopt SO_REUSEPORT"))?;
    socket
        .bind_device(Some(t.interface.as_bytes()))
        .map_err(e.of("setsockopt SO_BINDTODEVICE"))?;
    socket
        .set_multicast_if_v6(t.ifindex)
        .map_err(e.of("setsockopt IPV6_MULTICAST_IF"))?;
    socket
        .set_multicast_hops_v6(DHCPV6_HOP_LIMIT)
        .map_err(e.of("setsockopt IPV6_MULTICAST_HOPS"))?;
    let any = |port| SockAddr::from(SocketAddrV6::new(Ipv6Addr::UNSPECIFIED, port, 0, 0));
    let fallback = match socket.bind(&any(dhcpv6::CLIENT_PORT)) {
        Ok(()) => None,
        Err(err) if err.kind() == ErrorKind::AddrInUse => Some(PortFallback::InUse),
        Err(err) if err.kind() == ErrorKind::PermissionDenied => Some(PortFallback::NotPermitted),
        Err(err) => return Err(e.of("bind [::]:546")(err)),
    };
    if fallback.is_some() {
        socket
            .bind(&any(0))
            .map_err(e.of("bind [::]:0 (546 unavailable)"))?;
    }
    let source_port = socket
        .local_addr()
        .ok()
        .and_then(|a| a.as_socket())
        .map_or(0, |a| a.port());
    let dst = SocketAddrV6::new(
        ALL_DHCP_RELAY_AGENTS_AND_SERVERS,
        dhcpv6::SERVER_PORT,
        0,
        t.ifindex,
    );
    socket
        .send_to(payload, &SockAddr::from(dst))
        .map_err(e.of("sendto [ff02::1:2]:547"))?;
    Ok(DhcpSent {
        transaction_id,
        source_port,
        fallback,
    })
}

/// The three probes as whole Ethernet frames (see the module documentation).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProbeFrames {
    /// The Router Solicitation.
    pub router_solicitation: Vec<u8>,
    /// The DHCPv6 Solicit and its transaction ID; `None` without a link-local address.
    pub dhcpv6_solicit: Option<(Vec<u8>, TransactionId)>,
    /// The DHCPv6 Information-request and its transaction ID; `None` likewise.
    pub information_request: Option<(Vec<u8>, TransactionId)>,
}

/// Builds the three probes of `t` as Ethernet frames, with fresh transaction IDs.
pub fn frames(t: &ProbeTarget) -> Result<ProbeFrames, ProbeError> {
    use crate::wire::build::{self, Addressing};
    let built = |what| {
        move |_| ProbeError::Build {
            what,
            interface: t.interface.clone(),
        }
    };
    let src_ip = t.link_local.unwrap_or(Ipv6Addr::UNSPECIFIED);
    let router_solicitation =
        build::router_solicit(t.mac, src_ip).map_err(built("Router Solicitation"))?;
    let dhcp = |payload: Vec<u8>, what: &'static str| -> Result<Vec<u8>, ProbeError> {
        let addressing = Addressing {
            src_mac: t.mac,
            dst_mac: Mac::for_ipv6_multicast(&ALL_DHCP_RELAY_AGENTS_AND_SERVERS),
            src_ip,
            dst_ip: ALL_DHCP_RELAY_AGENTS_AND_SERVERS,
            hop_limit: DHCPV6_HOP_LIMIT as u8,
        };
        if payload.is_empty() {
            return Err(ProbeError::Build {
                what,
                interface: t.interface.clone(),
            });
        }
        build::udp_frame(
            &addressing,
            dhcpv6::CLIENT_PORT,
            dhcpv6::SERVER_PORT,
            &payload,
        )
        .map_err(built(what))
    };
    let (solicit, information_request) = match t.link_local {
        None => (None, None),
        Some(_) => {
            let (a, b) = (random_transaction_id(), random_transaction_id());
            let solicit = dhcpv6::solicit(a, client_duid(t), iaid(t));
            let inf = dhcpv6::information_request(b, client_duid(t));
            (
                Some((dhcp(solicit, "DHCPv6 Solicit")?, a)),
                Some((dhcp(inf, "DHCPv6 Information-request")?, b)),
            )
        }
    };
    Ok(ProbeFrames {
        router_solicitation,
        dhcpv6_solicit: solicit,
        information_request,
    })
}

/// Sends the three probes of `t` as whole frames through `capture`'s handle (see the
/// module documentation); one failing does not stop the others.
pub fn send_frames(t: &ProbeTarget, capture: &mut LiveCapture) -> ProbesSent {
    let frames = match frames(t) {
        Ok(f) => f,
        // Never expected (fixed-size inputs); each probe reports it.
        Err(e) => {
            let unbuilt = || ProbeError::Build {
                what: "probe frames",
                interface: t.interface.clone(),
            };
            return ProbesSent {
                router_solicitation: Err(e),
                dhcpv6_solicit: Err(unbuilt()),
                information_request: Err(unbuilt()),
            };
        }
    };
    let io = |op: &'static str| {
        let interface = t.interface.clone();
        move |source| ProbeError::Io {
            op,
            interface,
            source,
        }
    };
    let mut dhcp = |built: Option<(Vec<u8>, TransactionId)>, op| match built {
        None => Err(ProbeError::NoLinkLocal {
            interface: t.interface.clone(),
        }),
        Some((frame, transaction_id)) => capture
            .send(&frame)
            .map(|()| DhcpSent {
                transaction_id,
                source_port: dhcpv6::CLIENT_PORT,
                fallback: None,
            })
            .map_err(io(op)),
    };
    let dhcpv6_solicit = dhcp(frames.dhcpv6_solicit, "sending the DHCPv6 Solicit frame");
    let information_request = dhcp(
        frames.information_request,
        "sending the DHCPv6 Information-request frame",
    );
    ProbesSent {
        router_solicitation: capture
            .send(&frames.router_solicitation)
            .map_err(io("sending the Router Solicitation frame")),
        dhcpv6_solicit,
        information_request,
    }
}

/// Sends the probes the way that suits `capture`'s backend: through sockets with
/// AF_PACKET (Linux), as whole frames through the handle with pnet.
pub fn send_for(t: &ProbeTarget, capture: &mut LiveCapture) -> ProbesSent {
    #[cfg(target_os = "linux")]
    if capture.backend() == crate::capture::Backend::AfPacket {
        return send_all(t);
    }
    send_frames(t, capture)
}

/// A fresh random transaction ID: three bytes of `/dev/urandom`, or, should that be
/// unreadable, a hash of the clock and process id keyed by std's per-process random
/// `RandomState`.
pub fn random_transaction_id() -> TransactionId {
    let mut b = [0u8; 3];
    let from_urandom = std::fs::File::open("/dev/urandom")
        .and_then(|mut f| f.read_exact(&mut b))
        .is_ok();
    if from_urandom {
        return TransactionId::new(u32::from_be_bytes([0, b[0], b[1], b[2]]));
    }
    use std::hash::{BuildHasher, Hasher};
    let mut h = std::collections::hash_map::RandomState::new().build_hasher();
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_nanos());
    h.write_u128(now);
    h.write_u32(std::process::id());
    // Keeps 24 bits.
    TransactionId::new(h.finish() as u32)
}

/// Maps an io error to a [`ProbeError`] naming the operation and interface; a
/// permission error says what privilege is missing.
#[cfg(target_os = "linux")]
struct Errors<'a>(&'a ProbeTarget);

#[cfg(target_os = "linux")]
impl<'a> Errors<'a> {
    fn of(&self, op: &'static str) -> impl FnOnce(std::io::Error) -> ProbeError + 'a {
        let interface = self.0.interface.clone();
        move |source| {
            if source.kind() == ErrorKind::PermissionDenied {
                ProbeError::Permission {
                    op,
                    interface,
                    source,
                }
            } else {
                ProbeError::Io {
                    op,
                    interface,
                    source,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::dhcpv6::{DhcpOption, Dhcpv6Repr, MessageType, OptionCode};
    use crate::wire::icmpv6::Packet;

    fn target(link_local: Option<Ipv6Addr>) -> ProbeTarget {
        let mac: Mac = "10:6f:3f:12:34:56".parse().unwrap();
        ProbeTarget {
            interface: "eth0".into(),
            ifindex: 2,
            mac,
            link_local,
        }
    }

    #[test]
    fn rs_with_and_without_slla() {
        let t = target(Some("fe80::126f:3fff:fe12:3456".parse().unwrap()));
        let rs = router_solicitation(&t).unwrap();
        // Type 133, code 0, checksum, reserved, SLLA (type 1, length 1, MAC).
        assert_eq!(rs.len(), 16);
        assert_eq!((rs[0], rs[1]), (133, 0));
        assert_eq!(&rs[8..16], &[1, 1, 0x10, 0x6f, 0x3f, 0x12, 0x34, 0x56]);
        let p = Packet::new_checked(&rs[..]).unwrap();
        assert!(p.verify_checksum(&t.link_local.unwrap(), &ALL_ROUTERS));
        let Icmpv6Repr::Ndisc {
            repr: NdiscRepr::RouterSolicit { options, .. },
            ..
        } = Icmpv6Repr::parse(&p).unwrap()
        else {
            panic!("not an RS")
        };
        assert_eq!(options.source_mac(), Some(t.mac));

        let bare = router_solicitation(&target(None)).unwrap();
        assert_eq!(bare.len(), 8);
        assert_eq!(bare[0], 133);
    }

    #[test]
    fn solicit_has_no_rapid_commit_and_asks_for_dns() {
        let t = target(None);
        let xid = TransactionId::new(0xabcdef);
        let payload = dhcpv6::solicit(xid, client_duid(&t), iaid(&t));
        let repr = Dhcpv6Repr::parse(&payload).unwrap();
        assert_eq!(repr.msg_type(), MessageType::Solicit);
        assert_eq!(repr.transaction_id(), Some(xid));
        assert_eq!(repr.client_id().and_then(|d| d.mac()), Some(t.mac));
        let opts = repr.options();
        assert!(opts.find(OptionCode::RapidCommit).is_none());
        let Some(oro) = opts.iter().find_map(|o| match o {
            DhcpOption::Oro(_) => Some(o.requested_options().collect::<Vec<_>>()),
            _ => None,
        }) else {
            panic!("no ORO")
        };
        assert!(oro.contains(&OptionCode::DnsServers));
        assert!(oro.contains(&OptionCode::DomainList));
        assert_eq!(iaid(&t), 0x3f12_3456);
    }

    #[test]
    fn transaction_ids_are_24_bits_and_vary() {
        let ids: Vec<u32> = (0..8).map(|_| random_transaction_id().0).collect();
        assert!(ids.iter().all(|&i| i <= TransactionId::MAX.0));
        assert!(ids.windows(2).any(|w| w[0] != w[1]));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn errors_name_operation_interface_and_privilege() {
        let t = target(None);
        let denied = std::io::Error::from(ErrorKind::PermissionDenied);
        let e = Errors(&t).of("socket(AF_INET6, SOCK_RAW, IPPROTO_ICMPV6)")(denied);
        let text = e.to_string();
        assert!(text.contains("socket(AF_INET6, SOCK_RAW"), "{text}");
        assert!(text.contains("eth0"), "{text}");
        assert!(text.contains("root or CAP_NET_RAW"), "{text}");
        let other = Errors(&t).of("sendto ff02::2")(std::io::Error::from(ErrorKind::NotFound));
        assert!(matches!(other, ProbeError::Io { .. }));
    }

    #[test]
    fn unknown_interface() {
        assert!(matches!(
            target_for("v6s-no-such0"),
            Err(ProbeError::NoSuchInterface { .. })
        ));
    }
}
