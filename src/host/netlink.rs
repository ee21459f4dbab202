//! rtnetlink dumps of IPv6 addresses and routes (rtnetlink(7)), decoded with
//! `netlink-packet-route` and filtered to one interface.

use super::{AddressInfo, HostError, HostState, RouteInfo, RoutePreference, classify};
use crate::rules::Prefix;
use core::net::{IpAddr, Ipv6Addr};
use netlink_packet_core::{
    NLM_F_DUMP, NLM_F_DUMP_INTR, NLM_F_REQUEST, NetlinkHeader, NetlinkMessage, NetlinkPayload,
};
use netlink_packet_route::address::{AddressAttribute, AddressMessage};
use netlink_packet_route::route::{
    RouteAddress, RouteAttribute, RouteHeader, RouteMessage, RouteNextHop,
    RoutePreference as NlPreference, RouteType,
};
use netlink_packet_route::{AddressFamily, RouteNetlinkMessage};
use netlink_sys::protocols::NETLINK_ROUTE;
use netlink_sys::{Socket, SocketAddr};
use std::time::Duration;

/// How long one dump may take before the kernel is deemed not to answer.
const DUMP_TIMEOUT: Duration = Duration::from_secs(5);
/// How often a dump the kernel marks as interrupted (the tables changed during it) is
/// tried again.
const DUMP_TRIES: usize = 3;
/// Room for one datagram; the kernel fills dump datagrams up to 32 KiB.
const RECV_BUFFER: usize = 64 * 1024;
/// `struct nlmsghdr` length.
const NLMSG_HDRLEN: usize = 16;
/// `NLMSG_ERROR`.
const NLMSG_ERROR: u16 = 2;
/// `NLMSG_DONE`.
const NLMSG_DONE: u16 = 3;
/// The `local` routing table: addresses of this host, not routes.
const RT_TABLE_LOCAL: u32 = 255;
/// `USER_HZ`: the unit of `rta_expires` in `RTA_CACHEINFO`.
const USER_HZ: u32 = 100;

/// A route-netlink socket connected to the kernel.
pub(super) fn open(interface: &str) -> Result<Socket, HostError> {
    let err = |op| {
        move |source| HostError::Netlink {
            op,
            interface: interface.to_owned(),
            source,
        }
    };
    let mut socket = Socket::new(NETLINK_ROUTE).map_err(err("socket"))?;
    socket.bind_auto().map_err(err("bind"))?;
    socket
        .connect(&SocketAddr::new(0, 0))
        .map_err(err("connect"))?;
    socket2::SockRef::from(&socket)
        .set_read_timeout(Some(DUMP_TIMEOUT))
        .map_err(err("setsockopt SO_RCVTIMEO"))?;
    Ok(socket)
}

pub use super::{MAX_ADDRESSES, MAX_ROUTES};

/// Addresses and routes of `ifindex` (DNS is left empty), at most [`MAX_ADDRESSES`] and
/// [`MAX_ROUTES`]: each message is reduced as it arrives, never kept whole.
pub(super) fn dump(interface: &str, ifindex: u32) -> Result<HostState, HostError> {
    let socket = open(interface)?;
    let mut state = HostState {
        interface: interface.to_owned(),
        ifindex,
        ..HostState::default()
    };
    let mut addr_req = AddressMessage::default();
    addr_req.header.family = AddressFamily::Inet6;
    let mut addresses = Vec::new();
    let mut not_kept = 0;
    state.undecoded += request(
        &socket,
        1,
        RouteNetlinkMessage::GetAddress(addr_req),
        interface,
        "RTM_GETADDR dump",
        &mut |m| {
            match m {
                Some(RouteNetlinkMessage::NewAddress(a)) => {
                    if let Some(info) = address_info(&a, ifindex) {
                        if addresses.len() < MAX_ADDRESSES {
                            addresses.push(info);
                        } else {
                            not_kept += 1;
                        }
                    }
                }
                Some(_) => {}
                None => {
                    addresses.clear();
                    not_kept = 0;
                }
            }
            true
        },
    )?;
    state.addresses = addresses;
    state.not_kept += not_kept;
    let mut route_req = RouteMessage::default();
    route_req.header.address_family = AddressFamily::Inet6;
    let mut routes = Vec::new();
    let mut not_kept = 0;
    state.undecoded += request(
        &socket,
        2,
        RouteNetlinkMessage::GetRoute(route_req),
        interface,
        "RTM_GETROUTE dump",
        &mut |m| {
            match m {
                Some(RouteNetlinkMessage::NewRoute(r)) => {
                    for info in route_info(&r, ifindex) {
                        if routes.len() < MAX_ROUTES {
                            routes.push(info);
                        } else {
                            not_kept += 1;
                        }
                    }
                }
                Some(_) => {}
                None => {
                    routes.clear();
                    not_kept = 0;
                }
            }
            // Past the cap the dump is abandoned: the kernel walks its whole routing
            // tree to dump it, which with an RA flood's tens of thousands of routes
            // costs seconds of CPU. Default routes sit at the root of the tree and come
            // first.
            not_kept == 0
        },
    )?;
    state.routes = routes;
    state.not_kept += not_kept;
    Ok(state)
}

/// Sends one dump request and hands each decoded answer to `each`, trying again when the
/// kernel says the dump was interrupted (`each(None)` first, to forget the partial
/// answer); `each` returning `false` abandons the dump. Returns how many messages could
/// not be decoded.
fn request(
    socket: &Socket,
    seq: u32,
    message: RouteNetlinkMessage,
    interface: &str,
    op: &'static str,
    each: &mut dyn FnMut(Option<RouteNetlinkMessage>) -> bool,
) -> Result<usize, HostError> {
    let netlink_err = |source| HostError::Netlink {
        op,
        interface: interface.to_owned(),
        source,
    };
    let mut header = NetlinkHeader::default();
    header.flags = NLM_F_REQUEST | NLM_F_DUMP;
    let mut packet = NetlinkMessage::new(header, NetlinkPayload::from(message));
    let mut undecoded = 0;
    for attempt in 0..DUMP_TRIES {
        // Each try has its own sequence number, so late parts of an abandoned dump are
        // not mixed in.
        let seq = seq.wrapping_mul(16).wrapping_add(attempt as u32);
        packet.header.sequence_number = seq;
        packet.finalize();
        let mut buf = vec![0u8; packet.buffer_len()];
        packet.serialize(&mut buf);
        socket.send(&buf, 0).map_err(netlink_err)?;
        if attempt > 0 {
            each(None);
        }
        let (skipped, interrupted) = collect(socket, seq, interface, op, each)?;
        undecoded = skipped;
        if !interrupted {
            break;
        }
    }
    Ok(undecoded)
}

/// Reads datagrams until `NLMSG_DONE` of sequence `seq`.
fn collect(
    socket: &Socket,
    seq: u32,
    interface: &str,
    op: &'static str,
    each: &mut dyn FnMut(Option<RouteNetlinkMessage>) -> bool,
) -> Result<(usize, bool), HostError> {
    let mut undecoded = 0;
    let mut interrupted = false;
    let mut buf = vec![0u8; RECV_BUFFER];
    loop {
        let size = socket
            .recv(&mut &mut buf[..], 0)
            .map_err(|source| HostError::Netlink {
                op,
                interface: interface.to_owned(),
                source,
            })?;
        let mut data = buf.get(..size).unwrap_or_default();
        while let Some(raw) = next_message(&mut data) {
            let Some(h) = RawHeader::read(raw) else { break };
            if h.seq != seq {
                continue;
            }
            interrupted |= h.flags & NLM_F_DUMP_INTR != 0;
            if h.kind == NLMSG_DONE {
                return Ok((undecoded, interrupted));
            }
            match NetlinkMessage::<RouteNetlinkMessage>::deserialize(raw) {
                Ok(m) => match m.payload {
                    NetlinkPayload::InnerMessage(inner) => {
                        // (`each` takes the message: it cannot be a match guard.)
                        #[allow(clippy::collapsible_match)]
                        if !each(Some(inner)) {
                            return Ok((undecoded, false));
                        }
                    }
                    NetlinkPayload::Error(e) if e.code.is_some() => {
                        return Err(HostError::Kernel {
                            op,
                            interface: interface.to_owned(),
                            source: e.to_io(),
                        });
                    }
                    NetlinkPayload::Done(_) => return Ok((undecoded, interrupted)),
                    _ => {}
                },
                Err(_) if h.kind == NLMSG_ERROR => {
                    return Err(HostError::Kernel {
                        op,
                        interface: interface.to_owned(),
                        source: std::io::Error::other("undecodable NLMSG_ERROR"),
                    });
                }
                Err(_) => undecoded += 1,
            }
        }
    }
}

/// The fields of `struct nlmsghdr` needed before decoding.
struct RawHeader {
    kind: u16,
    flags: u16,
    seq: u32,
}

impl RawHeader {
    fn read(raw: &[u8]) -> Option<RawHeader> {
        let u16_at = |i: usize| Some(u16::from_ne_bytes(raw.get(i..i + 2)?.try_into().ok()?));
        let seq = u32::from_ne_bytes(raw.get(8..12)?.try_into().ok()?);
        Some(RawHeader {
            kind: u16_at(4)?,
            flags: u16_at(6)?,
            seq,
        })
    }
}

/// Splits the next netlink message off `data` (NLMSG_NEXT); `None` at the end or on a
/// length that does not fit.
pub(super) fn next_message<'a>(data: &mut &'a [u8]) -> Option<&'a [u8]> {
    let len = u32::from_ne_bytes(data.get(..4)?.try_into().ok()?) as usize;
    if len < NLMSG_HDRLEN || len > data.len() {
        *data = &[];
        return None;
    }
    let msg = data.get(..len)?;
    let aligned = (len + 3) & !3;
    *data = data.get(aligned..).unwrap_or_default();
    Some(msg)
}

/// The address in `msg`, if it is IPv6 and on `ifindex`.
pub(super) fn address_info(msg: &AddressMessage, ifindex: u32) -> Option<AddressInfo> {
    if msg.header.family != AddressFamily::Inet6 || msg.header.index != ifindex {
        return None;
    }
    let mut addr = None;
    let mut flags = u32::from(msg.header.flags.bits());
    let mut proto = None;
    let mut lifetimes = (None, None);
    for attr in &msg.attributes {
        match attr {
            // IFA_ADDRESS is the address on a broadcast link; IFA_LOCAL appears only on
            // point-to-point links, where it is the local end.
            AddressAttribute::Local(IpAddr::V6(a)) => addr = Some(*a),
            AddressAttribute::Address(IpAddr::V6(a)) if addr.is_none() => addr = Some(*a),
            AddressAttribute::Flags(f) => flags = f.bits(),
            AddressAttribute::Protocol(p) => proto = Some(u8::from(*p)),
            AddressAttribute::CacheInfo(c) => {
                let finite = |s: u32| (s != u32::MAX).then_some(s);
                lifetimes = (finite(c.ifa_valid), finite(c.ifa_preferred));
            }
            _ => {}
        }
    }
    let addr: Ipv6Addr = addr?;
    let prefix_len = msg.header.prefix_len;
    Some(AddressInfo {
        addr,
        prefix_len,
        origin: classify(&addr, prefix_len, flags, proto),
        flags,
        proto,
        valid_lifetime: lifetimes.0,
        preferred_lifetime: lifetimes.1,
    })
}

/// The routes in `msg` that leave through `ifindex`: one, or one per next hop of a
/// multipath route. Nothing for the local table or non-unicast routes.
pub(super) fn route_info(msg: &RouteMessage, ifindex: u32) -> Vec<RouteInfo> {
    let h: &RouteHeader = &msg.header;
    if h.address_family != AddressFamily::Inet6 || h.kind != RouteType::Unicast {
        return Vec::new();
    }
    let mut dst = Ipv6Addr::UNSPECIFIED;
    let mut table = u32::from(h.table);
    let mut oif = None;
    let mut gateway = None;
    let mut metric = None;
    let mut preference = None;
    let mut expires = None;
    let mut hops: &[RouteNextHop] = &[];
    for attr in &msg.attributes {
        match attr {
            RouteAttribute::Destination(RouteAddress::Inet6(a)) => dst = *a,
            RouteAttribute::Table(t) => table = *t,
            RouteAttribute::Oif(i) => oif = Some(*i),
            RouteAttribute::Gateway(RouteAddress::Inet6(a)) => gateway = Some(*a),
            RouteAttribute::Priority(p) => metric = Some(*p),
            RouteAttribute::Preference(p) => preference = Some(preference_of(*p)),
            RouteAttribute::CacheInfo(c) if c.expires != 0 => {
                expires = Some(c.expires / USER_HZ);
            }
            RouteAttribute::MultiPath(nh) => hops = nh,
            _ => {}
        }
    }
    if table == RT_TABLE_LOCAL {
        return Vec::new();
    }
    let Some(destination) = Prefix::new(dst, h.destination_prefix_length) else {
        return Vec::new();
    };
    let route = |gateway| RouteInfo {
        destination,
        gateway,
        protocol: u8::from(h.protocol),
        table,
        metric,
        preference,
        expires,
    };
    if hops.is_empty() {
        return if oif == Some(ifindex) {
            vec![route(gateway)]
        } else {
            Vec::new()
        };
    }
    hops.iter()
        .filter(|nh| nh.interface_index == ifindex)
        .map(|nh| {
            let gw = nh.attributes.iter().find_map(|a| match a {
                RouteAttribute::Gateway(RouteAddress::Inet6(g)) => Some(*g),
                _ => None,
            });
            route(gw)
        })
        .collect()
}

fn preference_of(p: NlPreference) -> RoutePreference {
    match p {
        NlPreference::Low => RoutePreference::Low,
        NlPreference::Medium => RoutePreference::Medium,
        NlPreference::High => RoutePreference::High,
        other => RoutePreference::Other(u8::from(other)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::{flags, ifa_proto, rtprot};
    use super::*;
    use crate::detect::AddressOrigin;
    use netlink_packet_route::address::{AddressFlags, AddressProtocol, CacheInfo};
    use netlink_packet_route::route::{RouteCacheInfo, RouteProtocol};

    fn roundtrip(m: RouteNetlinkMessage) -> RouteNetlinkMessage {
        // Through bytes and back, as the kernel's answer would arrive.
        let mut packet = NetlinkMessage::new(NetlinkHeader::default(), NetlinkPayload::from(m));
        packet.finalize();
        let mut buf = vec![0; packet.buffer_len()];
        packet.serialize(&mut buf);
        let mut data = &buf[..];
        let raw = next_message(&mut data).unwrap();
        assert!(data.is_empty());
        let back = NetlinkMessage::<RouteNetlinkMessage>::deserialize(raw).unwrap();
        match back.payload {
            NetlinkPayload::InnerMessage(i) => i,
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn slaac_address_from_kernel() {
        let mut m = AddressMessage::default();
        m.header.family = AddressFamily::Inet6;
        m.header.prefix_len = 64;
        m.header.index = 7;
        let a: Ipv6Addr = "2001:db8:1::126f:3fff:fe12:3456".parse().unwrap();
        m.attributes = vec![
            AddressAttribute::Address(IpAddr::V6(a)),
            AddressAttribute::Flags(AddressFlags::Managetempaddr),
            AddressAttribute::Protocol(AddressProtocol::RouterAnnouncement),
            AddressAttribute::CacheInfo({
                let mut c = CacheInfo::default();
                c.ifa_valid = 86400;
                c.ifa_preferred = u32::MAX;
                c
            }),
        ];
        let RouteNetlinkMessage::NewAddress(m) = roundtrip(RouteNetlinkMessage::NewAddress(m))
        else {
            panic!()
        };
        let info = address_info(&m, 7).unwrap();
        assert_eq!(info.addr, a);
        assert_eq!(info.prefix_len, 64);
        assert_eq!(info.origin, AddressOrigin::Slaac);
        assert_eq!(info.proto, Some(ifa_proto::KERNEL_RA));
        assert!(info.has(flags::MANAGETEMPADDR));
        assert_eq!(
            (info.valid_lifetime, info.preferred_lifetime),
            (Some(86400), None)
        );
        assert_eq!(address_info(&m, 8), None);
    }

    #[test]
    fn default_and_multipath_routes() {
        let gw: Ipv6Addr = "fe80::126f:3fff:fe12:3456".parse().unwrap();
        let mut m = RouteMessage::default();
        m.header.address_family = AddressFamily::Inet6;
        m.header.kind = RouteType::Unicast;
        m.header.protocol = RouteProtocol::Ra;
        m.header.table = RouteHeader::RT_TABLE_MAIN;
        m.attributes = vec![
            RouteAttribute::Table(254),
            RouteAttribute::Gateway(RouteAddress::Inet6(gw)),
            RouteAttribute::Oif(3),
            RouteAttribute::Priority(1024),
            RouteAttribute::Preference(NlPreference::High),
            RouteAttribute::CacheInfo({
                // struct rta_cacheinfo: clntref, lastuse, expires, error, used, id, ts,
                // tsage.
                let mut raw = [0u8; 32];
                raw[8..12].copy_from_slice(&179_900u32.to_ne_bytes());
                RouteCacheInfo::parse(&raw).unwrap()
            }),
        ];
        let RouteNetlinkMessage::NewRoute(m) = roundtrip(RouteNetlinkMessage::NewRoute(m)) else {
            panic!()
        };
        let r = route_info(&m, 3);
        assert_eq!(r.len(), 1);
        let r = r[0];
        assert!(r.is_default() && r.from_ra());
        assert_eq!(r.protocol, rtprot::RA);
        assert_eq!(r.gateway, Some(gw));
        assert_eq!(r.preference, Some(RoutePreference::High));
        assert_eq!(r.expires, Some(1799));
        assert_eq!(r.metric, Some(1024));
        assert!(route_info(&m, 4).is_empty());

        let mut mp = m.clone();
        mp.attributes
            .retain(|a| !matches!(a, RouteAttribute::Gateway(_) | RouteAttribute::Oif(_)));
        let hop = |ifindex, g: &str| {
            let mut h = RouteNextHop::default();
            h.interface_index = ifindex;
            h.attributes = vec![RouteAttribute::Gateway(RouteAddress::Inet6(
                g.parse().unwrap(),
            ))];
            h
        };
        mp.attributes.push(RouteAttribute::MultiPath(vec![
            hop(3, "fe80::1"),
            hop(5, "fe80::2"),
            hop(3, "fe80::3"),
        ]));
        let RouteNetlinkMessage::NewRoute(mp) = roundtrip(RouteNetlinkMessage::NewRoute(mp)) else {
            panic!()
        };
        let gws: Vec<_> = route_info(&mp, 3).iter().map(|r| r.gateway).collect();
        assert_eq!(
            gws,
            vec![
                Some("fe80::1".parse().unwrap()),
                Some("fe80::3".parse().unwrap())
            ]
        );

        let mut local = m.clone();
        local
            .attributes
            .retain(|a| !matches!(a, RouteAttribute::Table(_)));
        local.attributes.push(RouteAttribute::Table(255));
        assert!(route_info(&local, 3).is_empty());
    }

    #[test]
    fn message_splitting_stops_on_bad_lengths() {
        let mut msg = 20u32.to_ne_bytes().to_vec();
        msg.extend_from_slice(&[0; 16]);
        msg.extend_from_slice(&[8, 0]);
        let mut data = &msg[..];
        assert_eq!(next_message(&mut data).map(<[u8]>::len), Some(20));
        assert_eq!(next_message(&mut data), None);
        let mut short: &[u8] = &[4, 0, 0, 0];
        assert_eq!(next_message(&mut short), None);
    }
}
