//! The IPv6 header (RFC 8200 §3) and the extension-header chain (RFC 8200 §4):
//! Hop-by-Hop Options, Routing, Fragment and Destination Options.
//!
//! ```text
//! +-------+-------+---------------+-------------------------------+
//! |Version| Traffic Class |           Flow Label                  |
//! +-------+-------+---------------+---------------+---------------+
//! |         Payload Length        |  Next Header  |   Hop Limit   |
//! +-------------------------------+---------------+---------------+
//! |                  Source Address (16 octets)                   |
//! |               Destination Address (16 octets)                 |
//! +---------------------------------------------------------------+
//! ```
//!
//! The chain walk is what RA-Guard evasion (RFC 6980, RFC 7113) plays with: an RA behind
//! a Destination Options header, or split so that the ICMPv6 header is only in a later
//! fragment. [`ExtChain::walk`] reports every header it crossed, the fragment position,
//! and whether the upper layer was reached.

use super::{Error, Field, Layer, Rest, Result, be, need};
use core::net::Ipv6Addr;

enum_with_unknown! {
    /// IP protocol numbers / IPv6 Next Header values (IANA "Assigned Internet Protocol
    /// Numbers").
    pub enum IpProtocol(u8) {
        /// IPv6 Hop-by-Hop Options (RFC 8200 §4.3).
        HopByHop = 0,
        /// ICMP for IPv4.
        Icmp = 1,
        /// IPv4 encapsulation.
        Ipv4 = 4,
        /// TCP.
        Tcp = 6,
        /// UDP.
        Udp = 17,
        /// IPv6 encapsulation.
        Ipv6 = 41,
        /// Routing header (RFC 8200 §4.4).
        Routing = 43,
        /// Fragment header (RFC 8200 §4.5).
        Fragment = 44,
        /// Encapsulating Security Payload.
        Esp = 50,
        /// Authentication Header.
        Ah = 51,
        /// ICMPv6 (RFC 4443).
        Icmpv6 = 58,
        /// No Next Header (RFC 8200 §4.7).
        NoNextHeader = 59,
        /// Destination Options (RFC 8200 §4.6).
        DestinationOptions = 60,
    }
}

impl IpProtocol {
    /// Whether the walk crosses this header: Hop-by-Hop, Routing, Fragment, Destination
    /// Options. Anything else ends the chain.
    pub fn is_extension_header(self) -> bool {
        matches!(
            self,
            IpProtocol::HopByHop
                | IpProtocol::Routing
                | IpProtocol::Fragment
                | IpProtocol::DestinationOptions
        )
    }
}

mod field {
    use super::{Field, Rest};
    pub const VER_TC_FLOW: Field = 0..4;
    pub const PAYLOAD_LEN: Field = 4..6;
    pub const NXT_HDR: usize = 6;
    pub const HOP_LIMIT: usize = 7;
    pub const SRC_ADDR: Field = 8..24;
    pub const DST_ADDR: Field = 24..40;
    pub const PAYLOAD: Rest = 40..;

    // Generic extension header (RFC 8200 §4.3, §4.4, §4.6).
    pub const EXT_NXT_HDR: usize = 0;
    pub const EXT_LEN: usize = 1;
    // Routing header.
    pub const RT_TYPE: usize = 2;
    pub const RT_SEG_LEFT: usize = 3;
    // Fragment header (RFC 8200 §4.5).
    pub const FRAG_RESERVED: usize = 1;
    pub const FRAG_OFFSET_FLAGS: Field = 2..4;
    pub const FRAG_IDENT: Field = 4..8;
}

/// Length of the fixed IPv6 header.
pub const HEADER_LEN: usize = field::PAYLOAD.start;

/// The link-local all-nodes group ff02::1.
pub const ALL_NODES: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 1);
/// The link-local all-routers group ff02::2.
pub const ALL_ROUTERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 0, 2);

/// A read-only or writable view of an IPv6 packet.
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking it.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer and checks it with [`check_len`](Self::check_len).
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let packet = Packet::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Checks that the fixed header fits, that the version is 6, and that the payload
    /// length does not run past the buffer (bytes beyond it, e.g. Ethernet padding, are
    /// ignored). Afterwards no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        need(Layer::Ipv6, buf, HEADER_LEN)?;
        if self.version() != 6 {
            return Err(Error::Malformed {
                layer: Layer::Ipv6,
                offset: 0,
                what: "version is not 6",
            });
        }
        need(
            Layer::Ipv6,
            buf,
            HEADER_LEN + usize::from(self.payload_len()),
        )
    }

    /// Consumes the view, returning the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    fn word0(&self) -> u32 {
        be::u32(
            self.buffer
                .as_ref()
                .get(field::VER_TC_FLOW)
                .unwrap_or_default(),
        )
    }

    /// The version field (RFC 8200 §3).
    pub fn version(&self) -> u8 {
        (self.word0() >> 28) as u8
    }

    /// The traffic class (RFC 8200 §7).
    pub fn traffic_class(&self) -> u8 {
        (self.word0() >> 20) as u8
    }

    /// The 20-bit flow label (RFC 6437).
    pub fn flow_label(&self) -> u32 {
        self.word0() & 0x000f_ffff
    }

    /// The payload length field (RFC 8200 §3).
    pub fn payload_len(&self) -> u16 {
        be::u16(
            self.buffer
                .as_ref()
                .get(field::PAYLOAD_LEN)
                .unwrap_or_default(),
        )
    }

    /// The first next header (RFC 8200 §3).
    pub fn next_header(&self) -> IpProtocol {
        IpProtocol::from(
            self.buffer
                .as_ref()
                .get(field::NXT_HDR)
                .copied()
                .unwrap_or(0),
        )
    }

    /// The hop limit. Neighbor Discovery messages must carry 255 (RFC 4861 §6.1).
    pub fn hop_limit(&self) -> u8 {
        self.buffer
            .as_ref()
            .get(field::HOP_LIMIT)
            .copied()
            .unwrap_or(0)
    }

    /// The source address.
    pub fn src_addr(&self) -> Ipv6Addr {
        be::addr(
            self.buffer
                .as_ref()
                .get(field::SRC_ADDR)
                .unwrap_or_default(),
        )
    }

    /// The destination address.
    pub fn dst_addr(&self) -> Ipv6Addr {
        be::addr(
            self.buffer
                .as_ref()
                .get(field::DST_ADDR)
                .unwrap_or_default(),
        )
    }

    /// The payload, as long as the payload length says (or what there is, if shorter).
    pub fn payload(&self) -> &[u8] {
        let buf = self.buffer.as_ref();
        let end = (HEADER_LEN + usize::from(self.payload_len())).min(buf.len());
        buf.get(HEADER_LEN..end).unwrap_or_default()
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    fn set_word0(&mut self, value: u32) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::VER_TC_FLOW) {
            be::put_u32(d, value);
        }
    }

    /// Sets version 6, the traffic class and the flow label.
    pub fn set_version_tc_flow(&mut self, traffic_class: u8, flow_label: u32) {
        self.set_word0((6 << 28) | (u32::from(traffic_class) << 20) | (flow_label & 0x000f_ffff));
    }

    /// Sets the payload length.
    pub fn set_payload_len(&mut self, len: u16) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::PAYLOAD_LEN) {
            be::put_u16(d, len);
        }
    }

    /// Sets the first next header.
    pub fn set_next_header(&mut self, proto: IpProtocol) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::NXT_HDR) {
            *d = proto.into();
        }
    }

    /// Sets the hop limit.
    pub fn set_hop_limit(&mut self, hop_limit: u8) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::HOP_LIMIT) {
            *d = hop_limit;
        }
    }

    /// Sets the source address.
    pub fn set_src_addr(&mut self, addr: Ipv6Addr) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::SRC_ADDR) {
            be::put_addr(d, &addr);
        }
    }

    /// Sets the destination address.
    pub fn set_dst_addr(&mut self, addr: Ipv6Addr) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::DST_ADDR) {
            be::put_addr(d, &addr);
        }
    }

    /// The payload, writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        self.buffer
            .as_mut()
            .get_mut(field::PAYLOAD)
            .unwrap_or_default()
    }
}

/// The fixed IPv6 header.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ipv6Repr {
    /// Source address.
    pub src: Ipv6Addr,
    /// Destination address.
    pub dst: Ipv6Addr,
    /// The first next header.
    pub next_header: IpProtocol,
    /// Payload length in bytes.
    pub payload_len: u16,
    /// Hop limit.
    pub hop_limit: u8,
    /// Traffic class.
    pub traffic_class: u8,
    /// Flow label (20 bits).
    pub flow_label: u32,
}

impl Ipv6Repr {
    /// Parses a checked view.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<Ipv6Repr> {
        packet.check_len()?;
        Ok(Ipv6Repr {
            src: packet.src_addr(),
            dst: packet.dst_addr(),
            next_header: packet.next_header(),
            payload_len: packet.payload_len(),
            hop_limit: packet.hop_limit(),
            traffic_class: packet.traffic_class(),
            flow_label: packet.flow_label(),
        })
    }

    /// The room [`emit`](Self::emit) needs: the fixed header.
    pub const fn buffer_len(&self) -> usize {
        HEADER_LEN
    }

    /// Writes the fixed header into the start of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        need(Layer::Ipv6, buf, HEADER_LEN)?;
        let mut p = Packet::new_unchecked(buf);
        p.set_version_tc_flow(self.traffic_class, self.flow_label);
        p.set_payload_len(self.payload_len);
        p.set_next_header(self.next_header);
        p.set_hop_limit(self.hop_limit);
        p.set_src_addr(self.src);
        p.set_dst_addr(self.dst);
        Ok(())
    }
}

/// One extension header crossed by the walk.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ExtHeader {
    /// Which header.
    pub kind: IpProtocol,
    /// Its offset from the start of the IPv6 payload (which is at most 65535 bytes).
    pub offset: u16,
    /// Its length in bytes (at most 2048).
    pub len: u16,
}

/// A Fragment header (RFC 8200 §4.5).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FragmentHeader {
    /// The next header of the fragmentable part.
    pub next_header: IpProtocol,
    /// Fragment offset in 8-octet units.
    pub offset: u16,
    /// The M flag: more fragments follow.
    pub more: bool,
    /// The identification.
    pub ident: u32,
    /// The two reserved bits next to M and the reserved octet, kept as evidence.
    pub reserved: u16,
}

/// Where a packet stands in a fragmented datagram.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FragmentPosition {
    /// No Fragment header.
    Unfragmented,
    /// Offset 0, M clear: a whole datagram in one "atomic" fragment (RFC 6946).
    Atomic,
    /// Offset 0, M set: the upper-layer header may be here, its payload is not whole.
    First,
    /// Offset > 0: no upper-layer header here.
    Later,
}

/// The most extension headers recorded in [`ExtChain::headers`]; the walk itself goes on
/// (it is bounded by the packet's length) and [`ExtChain::crossed`] counts them all.
pub const MAX_RECORDED_HEADERS: usize = 16;

/// The result of walking the extension-header chain of one packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ExtChain {
    headers: [Option<ExtHeader>; MAX_RECORDED_HEADERS],
    /// How many extension headers were crossed.
    pub crossed: usize,
    /// The Fragment header, if one was crossed (the first one, if several).
    pub fragment: Option<FragmentHeader>,
    /// How many Fragment headers were crossed (more than one is an evasion pattern).
    pub fragment_headers: usize,
    /// The protocol after the last extension header: the upper layer, or the header the
    /// walk stopped at.
    pub upper: IpProtocol,
    /// Where the upper layer starts, from the start of the IPv6 payload.
    pub upper_offset: usize,
    /// Whether the upper-layer header is in this packet (false after a later fragment,
    /// No Next Header, or an error).
    pub reached_upper: bool,
    /// The final destination after a Routing header with segments left (RFC 8200 §8.1),
    /// for the upper-layer checksum.
    pub final_destination: Option<Ipv6Addr>,
    /// What stopped the walk early.
    pub error: Option<Error>,
}

impl ExtChain {
    /// Walks the chain that starts with `first` at the start of `payload`.
    pub fn walk(first: IpProtocol, payload: &[u8]) -> ExtChain {
        let mut chain = ExtChain {
            headers: [None; MAX_RECORDED_HEADERS],
            crossed: 0,
            fragment: None,
            fragment_headers: 0,
            upper: first,
            upper_offset: 0,
            reached_upper: false,
            final_destination: None,
            error: None,
        };
        let mut next = first;
        let mut at = 0usize;
        while next.is_extension_header() {
            let rest = payload.get(at..).unwrap_or_default();
            let len = match next {
                IpProtocol::Fragment => 8,
                _ => match rest.get(field::EXT_LEN) {
                    Some(&l) => (usize::from(l) + 1) * 8,
                    None => 2,
                },
            };
            if let Err(e) = need(Layer::ExtHeader, rest, len) {
                chain.upper = next;
                chain.upper_offset = at;
                chain.error = Some(e);
                return chain;
            }
            let header = &rest[..len];
            if let Some(slot) = chain.headers.get_mut(chain.crossed) {
                // Both fit: the payload is at most 65535 bytes, a header at most 2048.
                *slot = Some(ExtHeader {
                    kind: next,
                    offset: u16::try_from(at).unwrap_or(u16::MAX),
                    len: u16::try_from(len).unwrap_or(u16::MAX),
                });
            }
            chain.crossed += 1;
            let following = IpProtocol::from(header[field::EXT_NXT_HDR]);
            match next {
                IpProtocol::Fragment => {
                    let word = be::u16(&header[field::FRAG_OFFSET_FLAGS]);
                    let frag = FragmentHeader {
                        next_header: following,
                        offset: word >> 3,
                        more: word & 1 != 0,
                        ident: be::u32(&header[field::FRAG_IDENT]),
                        reserved: (u16::from(header[field::FRAG_RESERVED]) << 8) | (word & 0b110),
                    };
                    chain.fragment_headers += 1;
                    if chain.fragment.is_none() {
                        chain.fragment = Some(frag);
                    }
                    if frag.offset != 0 {
                        chain.upper = following;
                        chain.upper_offset = at + len;
                        return chain;
                    }
                }
                IpProtocol::Routing => {
                    if let Some(dst) = routing_final_destination(header) {
                        chain.final_destination = Some(dst);
                    }
                }
                _ => {}
            }
            at += len;
            next = following;
        }
        chain.upper = next;
        chain.upper_offset = at;
        chain.reached_upper = next != IpProtocol::NoNextHeader;
        chain
    }

    /// The headers crossed, in order (at most [`MAX_RECORDED_HEADERS`]).
    pub fn headers(&self) -> impl Iterator<Item = &ExtHeader> {
        self.headers.iter().flatten()
    }

    /// Where this packet stands in a fragmented datagram (from the first Fragment header).
    pub fn fragment_position(&self) -> FragmentPosition {
        match self.fragment {
            None => FragmentPosition::Unfragmented,
            Some(f) if f.offset != 0 => FragmentPosition::Later,
            Some(f) if f.more => FragmentPosition::First,
            Some(_) => FragmentPosition::Atomic,
        }
    }
}

/// The final destination named by a Routing header that still has segments left: the last
/// address of a type 0 or type 2 header (RFC 8200 §8.1, RFC 6275 §6.4), the first entry
/// of a Segment Routing header's list (RFC 8754 §2).
fn routing_final_destination(header: &[u8]) -> Option<Ipv6Addr> {
    let segments_left = *header.get(field::RT_SEG_LEFT)?;
    if segments_left == 0 {
        return None;
    }
    let addrs = header.get(8..)?;
    match header.get(field::RT_TYPE)? {
        0 | 2 => addrs.rchunks_exact(16).next().map(be::addr),
        4 => addrs.chunks_exact(16).next().map(be::addr),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // An RA from fe80::126f:3fff:fe12:3456 to ff02::1 behind a Destination Options header
    // (PadN), payload = 8 (dest opts) + 16 (RA header only).
    const HEADER: [u8; 40] = [
        0x60, 0x00, 0x00, 0x00, 0x00, 0x18, 0x3c, 0xff, 0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0x12, 0x6f,
        0x3f, 0xff, 0xfe, 0x12, 0x34, 0x56, 0xff, 0x02, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
        0x01,
    ];
    const DSTOPT: [u8; 8] = [58, 0, 1, 4, 0, 0, 0, 0];

    fn packet() -> Vec<u8> {
        let mut p = HEADER.to_vec();
        p.extend_from_slice(&DSTOPT);
        p.extend_from_slice(&[134, 0, 0, 0, 64, 0, 0x07, 0x08, 0, 0, 0, 0, 0, 0, 0, 0]);
        p
    }

    #[test]
    fn deconstruct() {
        let p = packet();
        let packet = Packet::new_checked(&p[..]).unwrap();
        let repr = Ipv6Repr::parse(&packet).unwrap();
        assert_eq!(repr.src.to_string(), "fe80::126f:3fff:fe12:3456");
        assert_eq!(repr.dst, ALL_NODES);
        assert_eq!(repr.hop_limit, 255);
        assert_eq!(repr.next_header, IpProtocol::DestinationOptions);
        let chain = ExtChain::walk(repr.next_header, packet.payload());
        assert_eq!(chain.crossed, 1);
        assert_eq!(chain.upper, IpProtocol::Icmpv6);
        assert_eq!(chain.upper_offset, 8);
        assert!(chain.reached_upper);
        assert_eq!(chain.fragment_position(), FragmentPosition::Unfragmented);
        assert_eq!(
            chain.headers().next().map(|h| h.kind),
            Some(IpProtocol::DestinationOptions)
        );
    }

    #[test]
    fn construct() {
        let p = packet();
        let repr = Ipv6Repr::parse(&Packet::new_unchecked(&p[..])).unwrap();
        let mut buf = [0u8; 40];
        repr.emit(&mut buf).unwrap();
        assert_eq!(buf, HEADER);
    }

    #[test]
    fn short_and_bad() {
        let p = packet();
        for cut in 0..p.len() {
            let r = Packet::new_checked(&p[..cut]);
            assert!(r.is_err(), "cut at {cut}");
        }
        let mut v4 = p.clone();
        v4[0] = 0x45;
        assert!(matches!(
            Packet::new_checked(&v4[..]),
            Err(Error::Malformed { .. })
        ));
        // Ethernet padding after the payload is ignored.
        let mut padded = p.clone();
        padded.extend_from_slice(&[0; 6]);
        assert_eq!(
            Packet::new_checked(&padded[..]).unwrap().payload().len(),
            24
        );
        // A truncated extension header stops the walk with an error.
        let chain = ExtChain::walk(IpProtocol::DestinationOptions, &DSTOPT[..5]);
        assert!(!chain.reached_upper);
        assert!(matches!(chain.error, Some(Error::Truncated { .. })));
    }

    #[test]
    fn fragments() {
        // First fragment: Fragment header (offset 0, M=1) then ICMPv6.
        let first = [58, 0, 0x00, 0x01, 0xde, 0xad, 0xbe, 0xef, 134, 0];
        let chain = ExtChain::walk(IpProtocol::Fragment, &first);
        assert_eq!(chain.fragment_position(), FragmentPosition::First);
        assert!(chain.reached_upper);
        assert_eq!(chain.upper, IpProtocol::Icmpv6);
        assert_eq!(chain.fragment.map(|f| f.ident), Some(0xdead_beef));
        // Later fragment: offset 1 (8 bytes).
        let later = [58, 0, 0x00, 0x08, 0, 0, 0, 1, 0, 0];
        let chain = ExtChain::walk(IpProtocol::Fragment, &later);
        assert_eq!(chain.fragment_position(), FragmentPosition::Later);
        assert!(!chain.reached_upper);
        // Atomic fragment.
        let atomic = [58, 0, 0, 0, 0, 0, 0, 1, 134];
        let chain = ExtChain::walk(IpProtocol::Fragment, &atomic);
        assert_eq!(chain.fragment_position(), FragmentPosition::Atomic);
        assert!(chain.reached_upper);
    }

    #[test]
    fn long_chain_is_walked_past_the_record() {
        let mut payload = Vec::new();
        for _ in 0..40 {
            payload.extend_from_slice(&[60, 0, 1, 4, 0, 0, 0, 0]);
        }
        let last = payload.len() - 8;
        payload[last] = 58;
        payload.extend_from_slice(&[134, 0, 0, 0]);
        let chain = ExtChain::walk(IpProtocol::DestinationOptions, &payload);
        assert_eq!(chain.crossed, 40);
        assert_eq!(chain.headers().count(), MAX_RECORDED_HEADERS);
        assert!(chain.reached_upper);
        assert_eq!(chain.upper, IpProtocol::Icmpv6);
    }

    #[test]
    fn routing_header_final_destination() {
        let mut rh = vec![58, 2, 0, 1, 0, 0, 0, 0];
        rh.extend_from_slice(&Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 9).octets());
        let chain = ExtChain::walk(IpProtocol::Routing, &rh);
        assert_eq!(
            chain.final_destination,
            Some(Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, 9))
        );
    }
}
