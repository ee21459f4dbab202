//! UDP (RFC 768) over IPv6 (RFC 8200 §8.1: the checksum is mandatory).
//!
//! ```text
//! +----------------+----------------+
//! |  Source Port   |   Dest. Port   |
//! +----------------+----------------+
//! |     Length     |    Checksum    |
//! +----------------+----------------+
//! ```

use super::{Field, Layer, Rest, Result, be, checksum, need};
use core::net::Ipv6Addr;

mod field {
    use super::{Field, Rest};
    pub const SRC_PORT: Field = 0..2;
    pub const DST_PORT: Field = 2..4;
    pub const LENGTH: Field = 4..6;
    pub const CHECKSUM: Field = 6..8;
    pub const PAYLOAD: Rest = 8..;
}

/// Length of the UDP header.
pub const HEADER_LEN: usize = field::PAYLOAD.start;

/// The IANA protocol number, for the pseudo-header.
const PROTOCOL: u8 = 17;

/// A read-only or writable view of a UDP datagram.
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
        let p = Packet::new_unchecked(buffer);
        p.check_len()?;
        Ok(p)
    }

    /// Checks that the header fits and that the length field is at least the header and
    /// no more than the buffer. Afterwards no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        let buf = self.buffer.as_ref();
        need(Layer::Udp, buf, HEADER_LEN)?;
        let len = usize::from(self.len());
        if len < HEADER_LEN {
            return Err(super::Error::Malformed {
                layer: Layer::Udp,
                offset: field::LENGTH.start,
                what: "length field shorter than the header",
            });
        }
        need(Layer::Udp, buf, len)
    }

    /// The source port.
    pub fn src_port(&self) -> u16 {
        be::u16(
            self.buffer
                .as_ref()
                .get(field::SRC_PORT)
                .unwrap_or_default(),
        )
    }

    /// The destination port.
    pub fn dst_port(&self) -> u16 {
        be::u16(
            self.buffer
                .as_ref()
                .get(field::DST_PORT)
                .unwrap_or_default(),
        )
    }

    /// The length field (header and payload).
    pub fn len(&self) -> u16 {
        be::u16(self.buffer.as_ref().get(field::LENGTH).unwrap_or_default())
    }

    /// Whether the length field says there is no payload.
    pub fn is_empty(&self) -> bool {
        usize::from(self.len()) <= HEADER_LEN
    }

    /// The checksum field.
    pub fn checksum(&self) -> u16 {
        be::u16(
            self.buffer
                .as_ref()
                .get(field::CHECKSUM)
                .unwrap_or_default(),
        )
    }

    /// The payload, as long as the length field says (or what there is, if shorter).
    pub fn payload(&self) -> &[u8] {
        let buf = self.buffer.as_ref();
        let end = usize::from(self.len()).clamp(HEADER_LEN, buf.len().max(HEADER_LEN));
        buf.get(HEADER_LEN..end).unwrap_or_default()
    }

    /// Verifies the checksum over the datagram as long as its length field says. A zero
    /// checksum is invalid over IPv6.
    pub fn verify_checksum(&self, src: &Ipv6Addr, dst: &Ipv6Addr) -> bool {
        let buf = self.buffer.as_ref();
        let Some(datagram) = buf.get(..usize::from(self.len())) else {
            return false;
        };
        self.checksum() != 0 && checksum::verify(src, dst, PROTOCOL, datagram)
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    fn put(&mut self, f: Field, v: u16) {
        if let Some(d) = self.buffer.as_mut().get_mut(f) {
            be::put_u16(d, v);
        }
    }

    /// Sets the source port.
    pub fn set_src_port(&mut self, port: u16) {
        self.put(field::SRC_PORT, port);
    }

    /// Sets the destination port.
    pub fn set_dst_port(&mut self, port: u16) {
        self.put(field::DST_PORT, port);
    }

    /// Sets the length field.
    pub fn set_len(&mut self, len: u16) {
        self.put(field::LENGTH, len);
    }

    /// Sets the checksum field.
    pub fn set_checksum(&mut self, sum: u16) {
        self.put(field::CHECKSUM, sum);
    }

    /// Computes and stores the checksum over the whole buffer.
    pub fn fill_checksum(&mut self, src: &Ipv6Addr, dst: &Ipv6Addr) {
        self.set_checksum(0);
        let sum = match checksum::compute(src, dst, PROTOCOL, self.buffer.as_ref()) {
            0 => 0xffff,
            s => s,
        };
        self.set_checksum(sum);
    }

    /// The payload, writable.
    pub fn payload_mut(&mut self) -> &mut [u8] {
        self.buffer
            .as_mut()
            .get_mut(field::PAYLOAD)
            .unwrap_or_default()
    }
}

/// The UDP header fields other than length and checksum, which emission computes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct UdpRepr {
    /// Source port.
    pub src_port: u16,
    /// Destination port.
    pub dst_port: u16,
}

impl UdpRepr {
    /// Parses a checked view.
    pub fn parse<T: AsRef<[u8]>>(packet: &Packet<T>) -> Result<UdpRepr> {
        packet.check_len()?;
        Ok(UdpRepr {
            src_port: packet.src_port(),
            dst_port: packet.dst_port(),
        })
    }

    /// The room [`emit`](Self::emit) needs for `payload_len` bytes of payload.
    pub const fn buffer_len(&self, payload_len: usize) -> usize {
        HEADER_LEN + payload_len
    }

    /// Writes the header and `payload` into `buf` (exactly `buffer_len` long) and fills in
    /// the checksum.
    pub fn emit(
        &self,
        buf: &mut [u8],
        src: &Ipv6Addr,
        dst: &Ipv6Addr,
        payload: &[u8],
    ) -> Result<()> {
        let total = self.buffer_len(payload.len());
        need(Layer::Udp, buf, total)?;
        let len = u16::try_from(total).map_err(|_| super::Error::Malformed {
            layer: Layer::Udp,
            offset: field::LENGTH.start,
            what: "datagram longer than 65535 bytes",
        })?;
        let mut p = Packet::new_unchecked(&mut buf[..total]);
        p.set_src_port(self.src_port);
        p.set_dst_port(self.dst_port);
        p.set_len(len);
        p.payload_mut().copy_from_slice(payload);
        p.fill_checksum(src, dst);
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn addrs() -> (Ipv6Addr, Ipv6Addr) {
        ("fe80::1".parse().unwrap(), "ff02::1:2".parse().unwrap())
    }

    #[test]
    fn construct_and_deconstruct() {
        let (src, dst) = addrs();
        let repr = UdpRepr {
            src_port: 546,
            dst_port: 547,
        };
        let mut buf = vec![0u8; repr.buffer_len(4)];
        repr.emit(&mut buf, &src, &dst, &[1, 0, 0, 42]).unwrap();
        let p = Packet::new_checked(&buf[..]).unwrap();
        assert_eq!(p.src_port(), 546);
        assert_eq!(p.dst_port(), 547);
        assert_eq!(p.len(), 12);
        assert_eq!(p.payload(), &[1, 0, 0, 42]);
        assert!(p.verify_checksum(&src, &dst));
        assert_eq!(UdpRepr::parse(&p).unwrap(), repr);
        let mut bad = buf.clone();
        bad[11] ^= 1;
        assert!(!Packet::new_unchecked(&bad[..]).verify_checksum(&src, &dst));
    }

    #[test]
    fn short_buffers() {
        let (src, dst) = addrs();
        let repr = UdpRepr {
            src_port: 547,
            dst_port: 546,
        };
        let mut buf = vec![0u8; repr.buffer_len(4)];
        repr.emit(&mut buf, &src, &dst, &[1, 2, 3, 4]).unwrap();
        for cut in 0..buf.len() {
            assert!(Packet::new_checked(&buf[..cut]).is_err());
            let p = Packet::new_unchecked(&buf[..cut]);
            let _ = (p.payload(), p.verify_checksum(&src, &dst));
        }
        let mut tiny = buf.clone();
        tiny[5] = 3;
        assert!(Packet::new_checked(&tiny[..]).is_err());
    }
}
