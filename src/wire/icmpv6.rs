//! ICMPv6 (RFC 4443): the message header, checksum verification, and the repr that hands
//! Neighbor Discovery messages to [`super::ndisc`].
//!
//! ```text
//! +---------------+---------------+-------------------------------+
//! |     Type      |     Code      |          Checksum             |
//! +---------------+---------------+-------------------------------+
//! |                         Message Body                          |
//! ```

use super::ndisc::NdiscRepr;
use super::{Field, Layer, Rest, Result, be, checksum, need};
use core::net::Ipv6Addr;

enum_with_unknown! {
    /// ICMPv6 message types (IANA "ICMPv6 Parameters").
    pub enum Message(u8) {
        /// Destination Unreachable (RFC 4443 §3.1).
        DstUnreachable = 1,
        /// Packet Too Big (RFC 4443 §3.2).
        PktTooBig = 2,
        /// Time Exceeded (RFC 4443 §3.3).
        TimeExceeded = 3,
        /// Parameter Problem (RFC 4443 §3.4).
        ParamProblem = 4,
        /// Echo Request (RFC 4443 §4.1).
        EchoRequest = 128,
        /// Echo Reply (RFC 4443 §4.2).
        EchoReply = 129,
        /// Multicast Listener Query (RFC 2710, RFC 3810).
        MldQuery = 130,
        /// Multicast Listener Report (RFC 2710).
        MldReport = 131,
        /// Multicast Listener Done (RFC 2710).
        MldDone = 132,
        /// Router Solicitation (RFC 4861 §4.1).
        RouterSolicit = 133,
        /// Router Advertisement (RFC 4861 §4.2).
        RouterAdvert = 134,
        /// Neighbor Solicitation (RFC 4861 §4.3).
        NeighborSolicit = 135,
        /// Neighbor Advertisement (RFC 4861 §4.4).
        NeighborAdvert = 136,
        /// Redirect (RFC 4861 §4.5).
        Redirect = 137,
        /// Version 2 Multicast Listener Report (RFC 3810).
        MldV2Report = 143,
    }
}

impl Message {
    /// Whether this is one of the five Neighbor Discovery messages.
    pub fn is_ndisc(self) -> bool {
        matches!(
            self,
            Message::RouterSolicit
                | Message::RouterAdvert
                | Message::NeighborSolicit
                | Message::NeighborAdvert
                | Message::Redirect
        )
    }
}

mod field {
    use super::{Field, Rest};
    pub const TYPE: usize = 0;
    pub const CODE: usize = 1;
    pub const CHECKSUM: Field = 2..4;
    pub const BODY: Rest = 4..;
}

/// Length of the ICMPv6 header.
pub const HEADER_LEN: usize = field::BODY.start;

/// The IANA protocol number, for the pseudo-header.
const PROTOCOL: u8 = 58;

/// A read-only or writable view of an ICMPv6 message.
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

    /// Checks that the header fits. Afterwards no accessor panics.
    pub fn check_len(&self) -> Result<()> {
        need(Layer::Icmpv6, self.buffer.as_ref(), HEADER_LEN)
    }

    /// The whole message.
    pub fn as_bytes(&self) -> &[u8] {
        self.buffer.as_ref()
    }

    /// The message type (RFC 4443 §2.1).
    pub fn msg_type(&self) -> Message {
        Message::from(self.buffer.as_ref().get(field::TYPE).copied().unwrap_or(0))
    }

    /// The code (RFC 4443 §2.1); Neighbor Discovery requires 0.
    pub fn msg_code(&self) -> u8 {
        self.buffer.as_ref().get(field::CODE).copied().unwrap_or(0)
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

    /// The message body after the 4-byte header.
    pub fn body(&self) -> &[u8] {
        self.buffer.as_ref().get(field::BODY).unwrap_or_default()
    }

    /// Verifies the checksum over the whole buffer (RFC 4443 §2.3). `dst` is the final
    /// destination (after a Routing header).
    pub fn verify_checksum(&self, src: &Ipv6Addr, dst: &Ipv6Addr) -> bool {
        checksum::verify(src, dst, PROTOCOL, self.buffer.as_ref())
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the type.
    pub fn set_msg_type(&mut self, t: Message) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::TYPE) {
            *d = t.into();
        }
    }

    /// Sets the code.
    pub fn set_msg_code(&mut self, code: u8) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::CODE) {
            *d = code;
        }
    }

    /// Sets the checksum field.
    pub fn set_checksum(&mut self, sum: u16) {
        if let Some(d) = self.buffer.as_mut().get_mut(field::CHECKSUM) {
            be::put_u16(d, sum);
        }
    }

    /// Computes and stores the checksum over the whole buffer.
    pub fn fill_checksum(&mut self, src: &Ipv6Addr, dst: &Ipv6Addr) {
        self.set_checksum(0);
        let sum = checksum::compute(src, dst, PROTOCOL, self.buffer.as_ref());
        self.set_checksum(sum);
    }

    /// The body, writable.
    pub fn body_mut(&mut self) -> &mut [u8] {
        self.buffer
            .as_mut()
            .get_mut(field::BODY)
            .unwrap_or_default()
    }
}

/// An ICMPv6 message: Neighbor Discovery decoded, anything else kept raw.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Icmpv6Repr<'a> {
    /// RS, RA, NS, NA or Redirect.
    Ndisc {
        /// The code field (0 on a valid ND message; kept as evidence).
        code: u8,
        /// The message.
        repr: NdiscRepr<'a>,
    },
    /// Any other message.
    Other {
        /// The type.
        msg_type: Message,
        /// The code.
        code: u8,
        /// The body after the header.
        body: &'a [u8],
    },
}

impl<'a> Icmpv6Repr<'a> {
    /// Parses a message. The checksum is not checked here (see
    /// [`Packet::verify_checksum`]); an ND body too short for its fixed part is an error.
    pub fn parse<T: AsRef<[u8]> + ?Sized>(packet: &Packet<&'a T>) -> Result<Icmpv6Repr<'a>> {
        packet.check_len()?;
        let buf: &'a [u8] = packet.buffer.as_ref();
        let msg_type = packet.msg_type();
        let code = packet.msg_code();
        let body = buf.get(field::BODY).unwrap_or_default();
        Ok(match NdiscRepr::parse(msg_type, body) {
            Some(repr) => Icmpv6Repr::Ndisc { code, repr: repr? },
            None => Icmpv6Repr::Other {
                msg_type,
                code,
                body,
            },
        })
    }

    /// The message type.
    pub fn msg_type(&self) -> Message {
        match self {
            Icmpv6Repr::Ndisc { repr, .. } => repr.msg_type(),
            Icmpv6Repr::Other { msg_type, .. } => *msg_type,
        }
    }

    /// The room [`emit`](Self::emit) needs.
    pub fn buffer_len(&self) -> usize {
        HEADER_LEN
            + match self {
                Icmpv6Repr::Ndisc { repr, .. } => repr.buffer_len(),
                Icmpv6Repr::Other { body, .. } => body.len(),
            }
    }

    /// Writes the message into `buf` (exactly [`buffer_len`](Self::buffer_len) long)
    /// with a checksum for the given addresses.
    pub fn emit(&self, buf: &mut [u8], src: &Ipv6Addr, dst: &Ipv6Addr) -> Result<()> {
        let len = self.buffer_len();
        need(Layer::Icmpv6, buf, len)?;
        let mut p = Packet::new_unchecked(&mut buf[..len]);
        p.set_msg_type(self.msg_type());
        match self {
            Icmpv6Repr::Ndisc { code, repr } => {
                p.set_msg_code(*code);
                repr.emit(p.body_mut())?;
            }
            Icmpv6Repr::Other { code, body, .. } => {
                p.set_msg_code(*code);
                p.body_mut().copy_from_slice(body);
            }
        }
        p.fill_checksum(src, dst);
        Ok(())
    }
}
