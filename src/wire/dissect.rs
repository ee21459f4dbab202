//! One walk over a frame, link to message: [`dissect`] for Ethernet frames,
//! [`dissect_ipv6`] for bare IPv6 packets (raw-IP captures).
//!
//! Frames v6sentinel does not care about (IPv4, ARP, TCP, ...) are turned away after a
//! few comparisons, without allocating. Errors never abort silently: whatever was parsed
//! before the error is returned with it.

use super::dhcpv6::{self, Dhcpv6Repr};
use super::ethernet::{EtherType, EthernetRepr, Frame};
use super::icmpv6::{self, Icmpv6Repr};
use super::ipv6::{ExtChain, FragmentPosition, IpProtocol, Ipv6Repr};
use super::ndisc::NdiscRepr;
use super::{Error, Layer, udp};

/// The state of an upper-layer checksum.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ChecksumStatus {
    /// It matches.
    Valid,
    /// It does not match (reported, not dropped: a monitor keeps the evidence).
    Invalid,
    /// The message is only partly here (a first fragment), so it cannot be checked.
    Unverifiable,
}

/// The transport header, as far as it was reached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Transport {
    /// An ICMPv6 message header.
    Icmpv6 {
        /// The type.
        msg_type: icmpv6::Message,
        /// The code.
        code: u8,
        /// The checksum.
        checksum: ChecksumStatus,
    },
    /// A UDP header.
    Udp {
        /// Source port.
        src_port: u16,
        /// Destination port.
        dst_port: u16,
        /// The checksum.
        checksum: ChecksumStatus,
    },
    /// Another upper-layer protocol, not decoded.
    Other(IpProtocol),
}

/// The decoded message, when it is one v6sentinel reads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Message<'a> {
    /// Nothing decoded.
    None,
    /// RS, RA, NS, NA or Redirect.
    Ndisc(NdiscRepr<'a>),
    /// A DHCPv6 message (client, server or relay) on port 546 or 547.
    Dhcpv6(Dhcpv6Repr<'a>),
}

/// Everything [`dissect`] found in one frame.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dissected<'a> {
    /// The link layer (absent for [`dissect_ipv6`]).
    pub ethernet: Option<EthernetRepr>,
    /// The IPv6 header, when the frame carries IPv6.
    pub ipv6: Option<Ipv6Repr>,
    /// The extension-header chain, when there is an IPv6 header.
    pub chain: Option<ExtChain>,
    /// The transport header, when the walk reached it.
    pub transport: Option<Transport>,
    /// The decoded message.
    pub message: Message<'a>,
    /// The first error met; what was parsed before it is kept above. A bad checksum is
    /// reported as [`Error::Checksum`] here with the message still decoded.
    pub error: Option<Error>,
}

impl<'a> Dissected<'a> {
    fn empty() -> Dissected<'a> {
        Dissected {
            ethernet: None,
            ipv6: None,
            chain: None,
            transport: None,
            message: Message::None,
            error: None,
        }
    }

    fn fail(mut self, error: Error) -> Dissected<'a> {
        self.error.get_or_insert(error);
        self
    }

    /// Whether the message arrived behind extension headers or in a fragment: the shape
    /// RA-Guard evasion takes (RFC 7113).
    pub fn behind_extension_headers(&self) -> bool {
        self.chain.is_some_and(|c| c.crossed > 0)
    }

    /// Where the packet stands in a fragmented datagram.
    pub fn fragment_position(&self) -> FragmentPosition {
        self.chain
            .map_or(FragmentPosition::Unfragmented, |c| c.fragment_position())
    }

    /// The Router Advertisement, if that is what this is.
    pub fn router_advert(&self) -> Option<&NdiscRepr<'a>> {
        match &self.message {
            Message::Ndisc(m @ NdiscRepr::RouterAdvert { .. }) => Some(m),
            _ => None,
        }
    }
}

/// Whether an Ethernet frame may carry something v6sentinel reads: an IPv6 packet (after
/// any VLAN tags) whose first next header is ICMPv6 of type 133 to 137 (RS, RA, NS, NA,
/// Redirect), UDP to or from port 546 or 547 (DHCPv6), an extension header (which may
/// hide either), or IPv6 (IPv6-in-IPv6, which may carry an RA past RA-Guard). It reads a handful of bytes and allocates nothing, so a capture can turn
/// away the bulk of a LAN's traffic before [`dissect`]; it is the same test as the live
/// capture's kernel filter. An IPv6 frame too short to tell is a candidate, so that
/// [`dissect`] reports what is wrong with it.
pub fn is_candidate(frame: &[u8]) -> bool {
    let be16 = |at: usize| {
        frame
            .get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    let mut at = 12;
    for _ in 0..=super::ethernet::MAX_TAGS {
        match be16(at) {
            Some(0x86dd) => return is_ipv6_candidate(frame.get(at + 2..).unwrap_or_default()),
            Some(0x8100 | 0x88a8 | 0x9100) => at += 4,
            _ => return false,
        }
    }
    false
}

/// [`is_candidate`] for a bare IPv6 packet.
pub fn is_ipv6_candidate(packet: &[u8]) -> bool {
    const PORTS: [u16; 2] = [dhcpv6::CLIENT_PORT, dhcpv6::SERVER_PORT];
    let port = |at: usize| {
        packet
            .get(at..at + 2)
            .map(|b| u16::from_be_bytes([b[0], b[1]]))
    };
    match packet.get(6).copied().map(IpProtocol::from) {
        None => true,
        Some(IpProtocol::Icmpv6) => packet.get(40).is_none_or(|t| (133..=137).contains(t)),
        Some(IpProtocol::Udp) => match (port(40), port(42)) {
            (Some(s), Some(d)) => PORTS.contains(&s) || PORTS.contains(&d),
            _ => true,
        },
        Some(IpProtocol::Ipv6) => true,
        Some(p) => p.is_extension_header(),
    }
}

/// Dissects an Ethernet II frame (with any VLAN tags).
pub fn dissect(frame: &[u8]) -> Dissected<'_> {
    let out = Dissected::empty();
    let ethernet = match EthernetRepr::parse(&Frame::new_unchecked(frame)) {
        Ok(e) => e,
        Err(e) => return out.fail(e),
    };
    let out = Dissected {
        ethernet: Some(ethernet),
        ..out
    };
    if EtherType::from(ethernet.ethertype) != EtherType::Ipv6 {
        return out;
    }
    let payload = frame.get(ethernet.header_len()..).unwrap_or_default();
    dissect_ip_into(out, payload)
}

/// Dissects a bare IPv6 packet (link type RAW / IPV6 in captures).
pub fn dissect_ipv6(packet: &[u8]) -> Dissected<'_> {
    dissect_ip_into(Dissected::empty(), packet)
}

fn dissect_ip_into<'a>(mut out: Dissected<'a>, packet: &'a [u8]) -> Dissected<'a> {
    let view = super::ipv6::Packet::new_unchecked(packet);
    // The fixed header must be whole; a payload shorter than its length field (a cut
    // capture, a lying sender) is reported and dissected as far as it goes.
    if let Err(e) = view.check_len() {
        if packet.len() < super::ipv6::HEADER_LEN || view.version() != 6 {
            return out.fail(e);
        }
        out.error = Some(e);
    }
    let ip = Ipv6Repr {
        src: view.src_addr(),
        dst: view.dst_addr(),
        next_header: view.next_header(),
        payload_len: view.payload_len(),
        hop_limit: view.hop_limit(),
        traffic_class: view.traffic_class(),
        flow_label: view.flow_label(),
    };
    out.ipv6 = Some(ip);
    let payload: &'a [u8] = packet
        .get(super::ipv6::HEADER_LEN..)
        .unwrap_or_default()
        .get(..usize::from(ip.payload_len))
        .or_else(|| packet.get(super::ipv6::HEADER_LEN..))
        .unwrap_or_default();
    let cut = out.error.is_some();
    // Fast path: no extension header, not a protocol we read (an IPv6 packet inside is
    // for the detector to look into: the chain says where it starts).
    if !matches!(
        ip.next_header,
        IpProtocol::Icmpv6 | IpProtocol::Udp | IpProtocol::Ipv6
    ) && !ip.next_header.is_extension_header()
    {
        out.transport = Some(Transport::Other(ip.next_header));
        return out;
    }
    let chain = ExtChain::walk(ip.next_header, payload);
    out.chain = Some(chain);
    if let Some(e) = chain.error {
        return out.fail(e);
    }
    if !chain.reached_upper {
        return out;
    }
    let upper = payload.get(chain.upper_offset..).unwrap_or_default();
    let whole = !cut && chain.fragment_position() != FragmentPosition::First;
    let dst = chain.final_destination.unwrap_or(ip.dst);
    let status = |ok: bool| match (whole, ok) {
        (false, _) => ChecksumStatus::Unverifiable,
        (true, true) => ChecksumStatus::Valid,
        (true, false) => ChecksumStatus::Invalid,
    };
    match chain.upper {
        IpProtocol::Icmpv6 => {
            let packet = match icmpv6::Packet::new_checked(upper) {
                Ok(p) => p,
                Err(e) => return out.fail(e),
            };
            let checksum = status(packet.verify_checksum(&ip.src, &dst));
            out.transport = Some(Transport::Icmpv6 {
                msg_type: packet.msg_type(),
                code: packet.msg_code(),
                checksum,
            });
            if checksum == ChecksumStatus::Invalid {
                out.error.get_or_insert(Error::Checksum {
                    layer: Layer::Icmpv6,
                });
            }
            if packet.msg_type().is_ndisc() {
                match Icmpv6Repr::parse(&packet) {
                    Ok(Icmpv6Repr::Ndisc { repr, .. }) => out.message = Message::Ndisc(repr),
                    Ok(Icmpv6Repr::Other { .. }) => {}
                    Err(e) => return out.fail(e),
                }
            }
            out
        }
        IpProtocol::Udp => {
            let packet = match udp::Packet::new_checked(upper) {
                Ok(p) => p,
                Err(e) => {
                    // A first fragment holds the UDP header but not the whole datagram.
                    if whole || upper.len() < udp::HEADER_LEN {
                        return out.fail(e);
                    }
                    udp::Packet::new_unchecked(upper)
                }
            };
            let (src_port, dst_port) = (packet.src_port(), packet.dst_port());
            let checksum = status(packet.verify_checksum(&ip.src, &dst));
            out.transport = Some(Transport::Udp {
                src_port,
                dst_port,
                checksum,
            });
            if checksum == ChecksumStatus::Invalid {
                out.error
                    .get_or_insert(Error::Checksum { layer: Layer::Udp });
            }
            let ports = [dhcpv6::CLIENT_PORT, dhcpv6::SERVER_PORT];
            if ports.contains(&dst_port) || ports.contains(&src_port) {
                match Dhcpv6Repr::parse(packet_payload(upper, &packet)) {
                    Ok(m) => out.message = Message::Dhcpv6(m),
                    Err(e) => return out.fail(e),
                }
            }
            out
        }
        other => {
            out.transport = Some(Transport::Other(other));
            out
        }
    }
}

/// The UDP payload of `upper`, as long as the length field says or the bytes there are.
fn packet_payload<'a>(upper: &'a [u8], packet: &udp::Packet<&'a [u8]>) -> &'a [u8] {
    let end = usize::from(packet.len()).clamp(udp::HEADER_LEN, upper.len().max(udp::HEADER_LEN));
    upper.get(udp::HEADER_LEN..end).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::Mac;
    use crate::wire::build::{Addressing, icmpv6_frame};
    use crate::wire::ndisc::RaFlags;
    use crate::wire::ndopt::{NdOption, NdOptions, PrefixFlags, PrefixInformation};
    use core::net::Ipv6Addr;

    fn addressing() -> Addressing {
        let mac: Mac = "10:6f:3f:12:34:56".parse().unwrap();
        Addressing {
            src_mac: mac,
            dst_mac: "33:33:00:00:00:01".parse().unwrap(),
            src_ip: mac.link_local_eui64(),
            dst_ip: "ff02::1".parse().unwrap(),
            hop_limit: 255,
        }
    }

    fn ra_frame() -> Vec<u8> {
        let mac = addressing().src_mac.octets();
        let ra = Icmpv6Repr::Ndisc {
            code: 0,
            repr: NdiscRepr::RouterAdvert {
                hop_limit: 64,
                flags: RaFlags(0x40),
                router_lifetime: 1800,
                reachable_time: 0,
                retrans_time: 0,
                options: NdOptions::from_list(vec![
                    NdOption::SourceLinkLayerAddr(&mac),
                    NdOption::PrefixInformation(PrefixInformation {
                        prefix_len: 64,
                        flags: PrefixFlags(0xc0),
                        valid_lifetime: 86400,
                        preferred_lifetime: 14400,
                        reserved: 0,
                        prefix: Ipv6Addr::new(0x2001, 0xdb8, 1, 0, 0, 0, 0, 0),
                    }),
                ]),
            },
        };
        icmpv6_frame(&addressing(), &ra).unwrap()
    }

    /// Inserts an extension header of `kind` (8 bytes, raw `body` after next-header) right
    /// after the IPv6 header of an untagged frame, fixing lengths and next headers.
    fn insert_ext(frame: &[u8], kind: u8, body: [u8; 7]) -> Vec<u8> {
        let mut out = frame[..54].to_vec();
        let old_next = out[20];
        out[20] = kind;
        out.push(old_next);
        out.extend_from_slice(&body);
        out.extend_from_slice(&frame[54..]);
        let plen = u16::from_be_bytes([out[18], out[19]]) + 8;
        out[18..20].copy_from_slice(&plen.to_be_bytes());
        out
    }

    #[test]
    fn plain_ra() {
        let f = ra_frame();
        let d = dissect(&f);
        assert_eq!(d.error, None);
        assert!(!d.behind_extension_headers());
        assert!(matches!(
            d.transport,
            Some(Transport::Icmpv6 {
                checksum: ChecksumStatus::Valid,
                code: 0,
                ..
            })
        ));
        let Some(NdiscRepr::RouterAdvert {
            router_lifetime: 1800,
            options,
            ..
        }) = d.router_advert()
        else {
            panic!("no RA")
        };
        assert_eq!(options.prefixes().count(), 1);
    }

    #[test]
    fn ra_behind_destination_options_is_seen() {
        let f = insert_ext(&ra_frame(), 60, [0, 1, 4, 0, 0, 0, 0]);
        let d = dissect(&f);
        assert_eq!(d.error, None);
        assert!(d.behind_extension_headers());
        assert!(d.router_advert().is_some());
        assert_eq!(d.fragment_position(), FragmentPosition::Unfragmented);
    }

    #[test]
    fn first_and_later_fragments() {
        let whole = ra_frame();
        // First fragment: Fragment header offset 0, M=1, carrying the first 32 bytes of
        // the ICMPv6 message.
        let first = insert_ext(&whole[..54 + 32], 44, [0, 0, 1, 0, 0, 0, 7]);
        let mut first = first;
        first[18..20].copy_from_slice(&(8u16 + 32).to_be_bytes());
        let d = dissect(&first);
        assert_eq!(d.fragment_position(), FragmentPosition::First);
        assert!(matches!(
            d.transport,
            Some(Transport::Icmpv6 {
                checksum: ChecksumStatus::Unverifiable,
                ..
            })
        ));
        // The RA header is there; the cut option is reported.
        let Some(NdiscRepr::RouterAdvert { options, .. }) = d.router_advert() else {
            panic!("no RA")
        };
        assert!(options.error.is_some());
        // A later fragment has no upper layer.
        let mut later = insert_ext(&whole[..54], 44, [0, 0, 32, 0, 0, 0, 7]);
        later.extend_from_slice(&whole[54 + 32..]);
        let plen = (later.len() - 54) as u16;
        later[18..20].copy_from_slice(&plen.to_be_bytes());
        let d = dissect(&later);
        assert_eq!(d.fragment_position(), FragmentPosition::Later);
        assert_eq!(d.transport, None);
        assert_eq!(d.message, Message::None);
        assert_eq!(d.error, None);
    }

    #[test]
    fn an_ipv6_packet_inside_is_located_not_decoded() {
        let inner = ra_frame();
        let mut outer = inner[..54].to_vec();
        outer[20] = 41;
        outer[18..20].copy_from_slice(&((inner.len() - 14) as u16).to_be_bytes());
        outer.extend_from_slice(&inner[14..]);
        assert!(is_candidate(&outer));
        let d = dissect(&outer);
        assert_eq!(d.error, None);
        assert_eq!(d.transport, Some(Transport::Other(IpProtocol::Ipv6)));
        assert_eq!(d.message, Message::None);
        let chain = d
            .chain
            .expect("the chain says where the inner packet starts");
        assert!(chain.reached_upper && chain.upper_offset == 0);
        assert!(!d.behind_extension_headers());
        assert!(dissect_ipv6(&outer[54..]).router_advert().is_some());
    }

    #[test]
    fn bad_checksum_is_reported_not_dropped() {
        let mut f = ra_frame();
        let last = f.len() - 1;
        f[last] ^= 0xff;
        let d = dissect(&f);
        assert_eq!(
            d.error,
            Some(Error::Checksum {
                layer: Layer::Icmpv6
            })
        );
        assert!(d.router_advert().is_some());
    }

    #[test]
    fn vlan_tagged_ra() {
        let f = ra_frame();
        let mut tagged = f[..12].to_vec();
        tagged.extend_from_slice(&[0x81, 0x00, 0x00, 0x0a]);
        tagged.extend_from_slice(&f[12..]);
        let d = dissect(&tagged);
        assert_eq!(d.ethernet.unwrap().tags()[0].vid(), 10);
        assert!(d.router_advert().is_some());
        assert_eq!(d.error, None);
    }

    #[test]
    fn other_traffic_is_turned_away() {
        let mut f = ra_frame();
        f[20] = 6; // TCP
        let d = dissect(&f);
        assert_eq!(d.transport, Some(Transport::Other(IpProtocol::Tcp)));
        assert_eq!(d.message, Message::None);
        let mut v4 = ra_frame();
        v4[12..14].copy_from_slice(&[0x08, 0x00]);
        let d = dissect(&v4);
        assert!(d.ipv6.is_none() && d.error.is_none());
    }

    #[test]
    fn every_truncation_is_reported() {
        let f = ra_frame();
        for cut in 0..f.len() {
            let d = dissect(&f[..cut]);
            assert!(d.error.is_some(), "cut at {cut} not reported");
        }
        let ip = &f[14..];
        assert!(dissect_ipv6(ip).router_advert().is_some());
    }

    #[test]
    fn candidates() {
        let f = ra_frame();
        assert!(is_candidate(&f));
        assert!(is_candidate(&insert_ext(&f, 60, [0, 1, 4, 0, 0, 0, 0])));
        let mut tcp = f.clone();
        tcp[20] = 6;
        assert!(!is_candidate(&tcp));
        let mut echo = f.clone();
        echo[54] = 128;
        assert!(!is_candidate(&echo));
        let mut v4 = f.clone();
        v4[12..14].copy_from_slice(&[0x08, 0x00]);
        assert!(!is_candidate(&v4));
        let mut tagged = f[..12].to_vec();
        tagged.extend_from_slice(&[0x88, 0xa8, 0, 1, 0x81, 0x00, 0, 2]);
        tagged.extend_from_slice(&f[12..]);
        assert!(is_candidate(&tagged));
        // Too short to tell, but IPv6: let dissect report it.
        assert!(is_candidate(&f[..20]));
        assert!(!is_candidate(&f[..10]));
    }
}
