//! Ethernet II frames (IEEE 802.3) with a stack of 802.1Q / 802.1ad VLAN tags, and the
//! [`Mac`] address type.
//!
//! ```text
//!  0                   1
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3
//! +-----------+-----------+-----+--- - - -
//! |    dst    |    src    |type |  [TPID TCI]* type payload
//! +-----------+-----------+-----+--- - - -
//! ```

use super::{Error, Field, Layer, Rest, Result, be, need};
use core::fmt;
use core::str::FromStr;

/// A 48-bit IEEE MAC address.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct Mac(pub [u8; 6]);

impl Mac {
    /// The broadcast address.
    pub const BROADCAST: Mac = Mac([0xff; 6]);

    /// Reads a MAC from the first six bytes of `b`, if there are six.
    pub fn from_bytes(b: &[u8]) -> Option<Mac> {
        b.first_chunk::<6>().map(|a| Mac(*a))
    }

    /// The six octets.
    pub const fn octets(&self) -> [u8; 6] {
        self.0
    }

    /// The I/G bit: a group (multicast or broadcast) address.
    pub const fn is_multicast(&self) -> bool {
        self.0[0] & 0x01 != 0
    }

    /// The U/L bit: a locally administered address, such as the randomized ("private")
    /// addresses phones, tablets and smart speakers use. It has no IEEE vendor.
    pub const fn is_locally_administered(&self) -> bool {
        self.0[0] & 0x02 != 0
    }

    /// The Ethernet multicast address for an IPv6 multicast group (RFC 2464 §7).
    pub fn for_ipv6_multicast(group: &core::net::Ipv6Addr) -> Mac {
        let o = group.octets();
        Mac([0x33, 0x33, o[12], o[13], o[14], o[15]])
    }

    /// The MAC inside a modified EUI-64 interface identifier (RFC 4291 appendix A), if
    /// the identifier has the `ff:fe` marker.
    pub fn from_eui64(iid: &[u8; 8]) -> Option<Mac> {
        if iid[3] == 0xff && iid[4] == 0xfe {
            Some(Mac([iid[0] ^ 0x02, iid[1], iid[2], iid[5], iid[6], iid[7]]))
        } else {
            None
        }
    }

    /// The MAC embedded in an IPv6 address's EUI-64 interface identifier, if any.
    pub fn from_ipv6_eui64(addr: &core::net::Ipv6Addr) -> Option<Mac> {
        let o = addr.octets();
        o.last_chunk::<8>().and_then(Mac::from_eui64)
    }

    /// The link-local address SLAAC derives from this MAC with EUI-64 (RFC 4862, 4291).
    pub fn link_local_eui64(&self) -> core::net::Ipv6Addr {
        let m = self.0;
        core::net::Ipv6Addr::from([
            0xfe,
            0x80,
            0,
            0,
            0,
            0,
            0,
            0,
            m[0] ^ 0x02,
            m[1],
            m[2],
            0xff,
            0xfe,
            m[3],
            m[4],
            m[5],
        ])
    }
}

impl fmt::Display for Mac {
    /// Lower-case colon form, as in the JSON contract.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let m = self.0;
        write!(
            f,
            "{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}",
            m[0], m[1], m[2], m[3], m[4], m[5]
        )
    }
}

impl fmt::Debug for Mac {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Mac({self})")
    }
}

/// Why a string is not a MAC address.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("not a MAC address (expected six hex octets separated by ':' or '-', or 12 hex digits)")]
pub struct ParseMacError;

impl FromStr for Mac {
    type Err = ParseMacError;

    /// Accepts `aa:bb:cc:dd:ee:ff`, `aa-bb-cc-dd-ee-ff`, `aabb.ccdd.eeff` and
    /// `aabbccddeeff`, in either case.
    fn from_str(s: &str) -> core::result::Result<Mac, ParseMacError> {
        let hex: String = s
            .chars()
            .filter(|c| !matches!(c, ':' | '-' | '.'))
            .collect();
        let sep_ok = match s.len() {
            17 => {
                let sep = s.as_bytes()[2];
                (sep == b':' || sep == b'-')
                    && s.bytes().enumerate().all(|(i, b)| i % 3 != 2 || b == sep)
            }
            14 => s.bytes().enumerate().all(|(i, b)| i % 5 != 4 || b == b'.'),
            12 => true,
            _ => false,
        };
        if !sep_ok || hex.len() != 12 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(ParseMacError);
        }
        let mut out = [0u8; 6];
        for (i, o) in out.iter_mut().enumerate() {
            *o = u8::from_str_radix(&hex[2 * i..2 * i + 2], 16).map_err(|_| ParseMacError)?;
        }
        Ok(Mac(out))
    }
}

enum_with_unknown! {
    /// EtherType values v6sentinel distinguishes.
    pub enum EtherType(u16) {
        /// IPv4.
        Ipv4 = 0x0800,
        /// ARP.
        Arp = 0x0806,
        /// IEEE 802.1Q customer VLAN tag.
        Vlan = 0x8100,
        /// IEEE 802.1ad service VLAN tag (QinQ outer tag).
        QinQ = 0x88a8,
        /// The pre-standard QinQ outer tag some switches still send.
        QinQLegacy = 0x9100,
        /// IPv6.
        Ipv6 = 0x86dd,
    }
}

impl EtherType {
    /// Whether this type introduces a VLAN tag.
    pub fn is_vlan_tag(self) -> bool {
        matches!(
            self,
            EtherType::Vlan | EtherType::QinQ | EtherType::QinQLegacy
        )
    }
}

mod field {
    use super::{Field, Rest};
    pub const DESTINATION: Field = 0..6;
    pub const SOURCE: Field = 6..12;
    pub const ETHERTYPE: Field = 12..14;
    pub const PAYLOAD: Rest = 14..;
    /// Within a 4-byte VLAN tag that follows a VLAN TPID: TCI, then the next type.
    pub const TAG_TCI: Field = 0..2;
    pub const TAG_TYPE: Field = 2..4;
}

/// Length of the untagged Ethernet II header.
pub const HEADER_LEN: usize = field::PAYLOAD.start;
/// Length of one VLAN tag (TCI and the following EtherType).
pub const TAG_LEN: usize = 4;
/// The most VLAN tags walked before the frame is reported as too deep.
pub const MAX_TAGS: usize = 4;

/// A read-only or writable view of an Ethernet II frame.
#[derive(Debug, Clone)]
pub struct Frame<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Frame<T> {
    /// Wraps a buffer without checking its length.
    pub const fn new_unchecked(buffer: T) -> Frame<T> {
        Frame { buffer }
    }

    /// Wraps a buffer and checks that it holds the untagged header.
    pub fn new_checked(buffer: T) -> Result<Frame<T>> {
        let frame = Frame::new_unchecked(buffer);
        frame.check_len()?;
        Ok(frame)
    }

    /// Checks that the untagged header fits; afterwards no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        need(Layer::Ethernet, self.buffer.as_ref(), HEADER_LEN)
    }

    /// Consumes the view, returning the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The destination address.
    pub fn dst_addr(&self) -> Mac {
        Mac::from_bytes(
            self.buffer
                .as_ref()
                .get(field::DESTINATION)
                .unwrap_or_default(),
        )
        .unwrap_or_default()
    }

    /// The source address.
    pub fn src_addr(&self) -> Mac {
        Mac::from_bytes(self.buffer.as_ref().get(field::SOURCE).unwrap_or_default())
            .unwrap_or_default()
    }

    /// The outer EtherType (a TPID when the frame is tagged).
    pub fn ethertype(&self) -> EtherType {
        EtherType::from(be::u16(
            self.buffer
                .as_ref()
                .get(field::ETHERTYPE)
                .unwrap_or_default(),
        ))
    }

    /// Everything after the untagged header (tags included).
    pub fn payload(&self) -> &[u8] {
        self.buffer.as_ref().get(field::PAYLOAD).unwrap_or_default()
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Frame<T> {
    /// Sets the destination address.
    pub fn set_dst_addr(&mut self, mac: Mac) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::DESTINATION) {
            d.copy_from_slice(&mac.0);
        }
    }

    /// Sets the source address.
    pub fn set_src_addr(&mut self, mac: Mac) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::SOURCE) {
            d.copy_from_slice(&mac.0);
        }
    }

    /// Sets the outer EtherType.
    pub fn set_ethertype(&mut self, ethertype: EtherType) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::ETHERTYPE) {
            be::put_u16(d, ethertype.into());
        }
    }

    /// Everything after the untagged header, writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        self.buffer
            .as_mut()
            .get_mut(field::PAYLOAD)
            .unwrap_or_default()
    }
}

/// One VLAN tag (IEEE 802.1Q).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct VlanTag {
    /// The tag protocol identifier that introduced this tag (0x8100, 0x88a8, 0x9100).
    pub tpid: u16,
    /// The whole tag control information: PCP (3 bits), DEI (1), VID (12).
    pub tci: u16,
}

impl VlanTag {
    /// The VLAN identifier.
    pub const fn vid(&self) -> u16 {
        self.tci & 0x0fff
    }

    /// The priority code point.
    pub const fn pcp(&self) -> u8 {
        (self.tci >> 13) as u8
    }

    /// The drop-eligible indicator.
    pub const fn dei(&self) -> bool {
        self.tci & 0x1000 != 0
    }
}

/// The parsed link layer: addresses, tags, the inner EtherType and where its payload
/// starts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct EthernetRepr {
    /// Source address.
    pub src: Mac,
    /// Destination address.
    pub dst: Mac,
    /// VLAN tags, outermost first; `tags[..tag_count]` are valid.
    pub tags: [VlanTag; MAX_TAGS],
    /// How many tags there are.
    pub tag_count: usize,
    /// The EtherType after the last tag.
    pub ethertype: u16,
}

impl EthernetRepr {
    /// Parses the header and every VLAN tag of `frame`.
    pub fn parse<T: AsRef<[u8]>>(frame: &Frame<T>) -> Result<EthernetRepr> {
        frame.check_len()?;
        let mut repr = EthernetRepr {
            src: frame.src_addr(),
            dst: frame.dst_addr(),
            ethertype: frame.ethertype().into(),
            ..EthernetRepr::default()
        };
        let mut rest = frame.payload();
        while EtherType::from(repr.ethertype).is_vlan_tag() {
            if repr.tag_count == MAX_TAGS {
                return Err(Error::TooDeep {
                    layer: Layer::Vlan,
                    limit: MAX_TAGS,
                });
            }
            need(Layer::Vlan, rest, TAG_LEN)?;
            repr.tags[repr.tag_count] = VlanTag {
                tpid: repr.ethertype,
                tci: be::u16(&rest[field::TAG_TCI]),
            };
            repr.tag_count += 1;
            repr.ethertype = be::u16(&rest[field::TAG_TYPE]);
            rest = &rest[TAG_LEN..];
        }
        Ok(repr)
    }

    /// The VLAN tags, outermost first.
    pub fn tags(&self) -> &[VlanTag] {
        &self.tags[..self.tag_count.min(MAX_TAGS)]
    }

    /// The header length, tags included: where the payload starts.
    pub fn header_len(&self) -> usize {
        HEADER_LEN + TAG_LEN * self.tags().len()
    }

    /// Same as [`header_len`](Self::header_len): the room [`emit`](Self::emit) needs.
    pub fn buffer_len(&self) -> usize {
        self.header_len()
    }

    /// Writes the header and tags into the start of `buf`, which must hold
    /// [`buffer_len`](Self::buffer_len) bytes.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        need(Layer::Ethernet, buf, self.buffer_len())?;
        let mut frame = Frame::new_unchecked(&mut *buf);
        frame.set_dst_addr(self.dst);
        frame.set_src_addr(self.src);
        let mut types = self
            .tags()
            .iter()
            .map(|t| t.tpid)
            .chain(core::iter::once(self.ethertype));
        frame.set_ethertype(EtherType::from(types.next().unwrap_or(self.ethertype)));
        let mut at = HEADER_LEN;
        for (tag, next) in self.tags().iter().zip(types) {
            be::put_u16(&mut buf[at..], tag.tci);
            be::put_u16(&mut buf[at + 2..], next);
            at += TAG_LEN;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    // dst 33:33:00:00:00:01, src 10:6f:3f:12:34:56, 802.1ad tag vid 100, 802.1Q vid 5, IPv6.
    const QINQ: [u8; 22] = [
        0x33, 0x33, 0x00, 0x00, 0x00, 0x01, 0x10, 0x6f, 0x3f, 0x12, 0x34, 0x56, 0x88, 0xa8, 0x00,
        0x64, 0x81, 0x00, 0x20, 0x05, 0x86, 0xdd,
    ];

    #[test]
    fn deconstruct_qinq() {
        let frame = Frame::new_checked(&QINQ[..]).unwrap();
        assert_eq!(frame.dst_addr().to_string(), "33:33:00:00:00:01");
        assert_eq!(frame.src_addr().to_string(), "10:6f:3f:12:34:56");
        let repr = EthernetRepr::parse(&frame).unwrap();
        assert_eq!(repr.tags().len(), 2);
        assert_eq!(repr.tags()[0].vid(), 100);
        assert_eq!(repr.tags()[1].vid(), 5);
        assert_eq!(repr.tags()[1].pcp(), 1);
        assert_eq!(EtherType::from(repr.ethertype), EtherType::Ipv6);
        assert_eq!(repr.header_len(), 22);
    }

    #[test]
    fn construct_round_trip() {
        let repr = EthernetRepr::parse(&Frame::new_unchecked(&QINQ[..])).unwrap();
        let mut buf = vec![0u8; repr.buffer_len()];
        repr.emit(&mut buf).unwrap();
        assert_eq!(buf, QINQ);
    }

    #[test]
    fn short_buffers() {
        assert!(Frame::new_checked(&QINQ[..13]).is_err());
        let frame = Frame::new_unchecked(&QINQ[..16]);
        assert!(matches!(
            EthernetRepr::parse(&frame),
            Err(Error::Truncated {
                layer: Layer::Vlan,
                need: 4,
                have: 2
            })
        ));
        // Unchecked accessors on an empty buffer do not panic.
        let empty = Frame::new_unchecked(&[][..]);
        assert_eq!(empty.src_addr(), Mac::default());
        assert!(empty.payload().is_empty());
    }

    #[test]
    fn too_many_tags() {
        let mut f = QINQ[..14].to_vec();
        f[12] = 0x81;
        f[13] = 0x00;
        for _ in 0..5 {
            f.extend_from_slice(&[0, 1, 0x81, 0]);
        }
        assert!(matches!(
            EthernetRepr::parse(&Frame::new_unchecked(&f)),
            Err(Error::TooDeep { .. })
        ));
    }

    #[test]
    fn mac_forms() {
        let m: Mac = "10:6F:3f:12:34:56".parse().unwrap();
        assert_eq!(m, "10-6f-3f-12-34-56".parse().unwrap());
        assert_eq!(m, "106f.3f12.3456".parse().unwrap());
        assert_eq!(m, "106f3f123456".parse().unwrap());
        assert!("10:6f:3f:12:34".parse::<Mac>().is_err());
        assert!("10:6f-3f:12:34:56".parse::<Mac>().is_err());
        assert!("zz:6f:3f:12:34:56".parse::<Mac>().is_err());
        assert!(!m.is_locally_administered());
        assert!(
            "7a:11:22:33:44:55"
                .parse::<Mac>()
                .unwrap()
                .is_locally_administered()
        );
        let ll = m.link_local_eui64();
        assert_eq!(ll.to_string(), "fe80::126f:3fff:fe12:3456");
        assert_eq!(Mac::from_ipv6_eui64(&ll), Some(m));
    }
}
