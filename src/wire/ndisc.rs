//! The five Neighbor Discovery messages (RFC 4861 §4): Router Solicitation, Router
//! Advertisement, Neighbor Solicitation, Neighbor Advertisement and Redirect, as one
//! lossless repr with all their options.
//!
//! Router Advertisement (RFC 4861 §4.2, RFC 4191 §2.2, RFC 4389 §4.1.3.3, RFC 5175):
//! ```text
//! +---------------+---------------+-------------------------------+
//! |     Type      |     Code      |          Checksum             |
//! +---------------+-+-+-+---+-+-+-+-------------------------------+
//! | Cur Hop Limit |M|O|H|Prf|P|S|R|       Router Lifetime         |
//! +---------------+-+-+-+---+-+-+-+-------------------------------+
//! |                         Reachable Time                        |
//! |                          Retrans Timer                        |
//! |   Options ...
//! ```
//! Offsets below are from the start of the message body (after type, code, checksum).

use super::icmpv6::Message;
use super::ndopt::{NdOptions, Preference};
use super::{Error, Field, Layer, Result, be, need};
use core::net::Ipv6Addr;

mod field {
    use super::Field;
    // Router Solicitation.
    pub const RS_RESERVED: Field = 0..4;
    pub const RS_OPTIONS: usize = 4;
    // Router Advertisement.
    pub const RA_HOP_LIMIT: usize = 0;
    pub const RA_FLAGS: usize = 1;
    pub const RA_ROUTER_LT: Field = 2..4;
    pub const RA_REACHABLE: Field = 4..8;
    pub const RA_RETRANS: Field = 8..12;
    pub const RA_OPTIONS: usize = 12;
    // Neighbor Solicitation / Advertisement.
    pub const N_WORD: Field = 0..4;
    pub const N_TARGET: Field = 4..20;
    pub const N_OPTIONS: usize = 20;
    // Redirect.
    pub const RD_RESERVED: Field = 0..4;
    pub const RD_TARGET: Field = 4..20;
    pub const RD_DEST: Field = 20..36;
    pub const RD_OPTIONS: usize = 36;
}

/// The flag octet of a Router Advertisement, every bit kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct RaFlags(pub u8);

impl RaFlags {
    /// M, managed address configuration: addresses from DHCPv6 (RFC 4861 §4.2).
    pub const fn managed(&self) -> bool {
        self.0 & 0x80 != 0
    }
    /// O, other configuration: DNS and the like from DHCPv6 (RFC 4861 §4.2).
    pub const fn other(&self) -> bool {
        self.0 & 0x40 != 0
    }
    /// H, Mobile IPv6 home agent (RFC 6275 §7.1).
    pub const fn home_agent(&self) -> bool {
        self.0 & 0x20 != 0
    }
    /// Prf, the default router preference (RFC 4191 §2.2).
    pub const fn preference(&self) -> Preference {
        Preference::from_bits(self.0 >> 3)
    }
    /// P, the proxy flag of an ND proxy (RFC 4389 §4.1.3.3).
    pub const fn proxy(&self) -> bool {
        self.0 & 0x04 != 0
    }
    /// The SNAC router flag (IANA "IPv6 ND Router Advertisement flags", bit 6), sent by
    /// stub routers such as Thread border routers.
    pub const fn snac_router(&self) -> bool {
        self.0 & 0x02 != 0
    }
    /// The last, still reserved bit (RFC 5175 §3).
    pub const fn reserved(&self) -> bool {
        self.0 & 0x01 != 0
    }
}

/// The flag word of a Neighbor Advertisement (RFC 4861 §4.4), reserved bits kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct NaFlags(pub u32);

impl NaFlags {
    /// R: the sender is a router.
    pub const fn router(&self) -> bool {
        self.0 & 0x8000_0000 != 0
    }
    /// S: sent in response to a Neighbor Solicitation.
    pub const fn solicited(&self) -> bool {
        self.0 & 0x4000_0000 != 0
    }
    /// O: override an existing cache entry.
    pub const fn override_(&self) -> bool {
        self.0 & 0x2000_0000 != 0
    }
}

/// A Neighbor Discovery message with every field and option.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NdiscRepr<'a> {
    /// Router Solicitation (RFC 4861 §4.1).
    RouterSolicit {
        /// The reserved field.
        reserved: u32,
        /// The options.
        options: NdOptions<'a>,
    },
    /// Router Advertisement (RFC 4861 §4.2).
    RouterAdvert {
        /// Cur Hop Limit.
        hop_limit: u8,
        /// The flag octet.
        flags: RaFlags,
        /// Router lifetime in seconds; 0 means "not a default router".
        router_lifetime: u16,
        /// Reachable time in milliseconds.
        reachable_time: u32,
        /// Retrans timer in milliseconds.
        retrans_time: u32,
        /// The options.
        options: NdOptions<'a>,
    },
    /// Neighbor Solicitation (RFC 4861 §4.3).
    NeighborSolicit {
        /// The reserved field.
        reserved: u32,
        /// The target address.
        target: Ipv6Addr,
        /// The options.
        options: NdOptions<'a>,
    },
    /// Neighbor Advertisement (RFC 4861 §4.4).
    NeighborAdvert {
        /// R, S, O and the reserved bits.
        flags: NaFlags,
        /// The target address.
        target: Ipv6Addr,
        /// The options.
        options: NdOptions<'a>,
    },
    /// Redirect (RFC 4861 §4.5).
    Redirect {
        /// The reserved field.
        reserved: u32,
        /// The better first hop.
        target: Ipv6Addr,
        /// The destination being redirected.
        destination: Ipv6Addr,
        /// The options.
        options: NdOptions<'a>,
    },
}

impl<'a> NdiscRepr<'a> {
    /// Parses the body (after type, code and checksum) of an ND message. Returns `None`
    /// for other message types, an error when the fixed part is cut short. Option
    /// problems do not fail the parse: see [`NdOptions`].
    pub fn parse(msg_type: Message, body: &'a [u8]) -> Option<Result<NdiscRepr<'a>>> {
        let fixed = match msg_type {
            Message::RouterSolicit => field::RS_OPTIONS,
            Message::RouterAdvert => field::RA_OPTIONS,
            Message::NeighborSolicit | Message::NeighborAdvert => field::N_OPTIONS,
            Message::Redirect => field::RD_OPTIONS,
            _ => return None,
        };
        if let Err(e) = need(Layer::Icmpv6, body, fixed) {
            return Some(Err(match e {
                Error::Truncated { need, have, .. } => Error::Truncated {
                    layer: Layer::Icmpv6,
                    need: need + super::icmpv6::HEADER_LEN,
                    have: have + super::icmpv6::HEADER_LEN,
                },
                other => other,
            }));
        }
        let options = NdOptions::parse(&body[fixed..]);
        Some(Ok(match msg_type {
            Message::RouterSolicit => NdiscRepr::RouterSolicit {
                reserved: be::u32(&body[field::RS_RESERVED]),
                options,
            },
            Message::RouterAdvert => NdiscRepr::RouterAdvert {
                hop_limit: body[field::RA_HOP_LIMIT],
                flags: RaFlags(body[field::RA_FLAGS]),
                router_lifetime: be::u16(&body[field::RA_ROUTER_LT]),
                reachable_time: be::u32(&body[field::RA_REACHABLE]),
                retrans_time: be::u32(&body[field::RA_RETRANS]),
                options,
            },
            Message::NeighborSolicit => NdiscRepr::NeighborSolicit {
                reserved: be::u32(&body[field::N_WORD]),
                target: be::addr(&body[field::N_TARGET]),
                options,
            },
            Message::NeighborAdvert => NdiscRepr::NeighborAdvert {
                flags: NaFlags(be::u32(&body[field::N_WORD])),
                target: be::addr(&body[field::N_TARGET]),
                options,
            },
            _ => NdiscRepr::Redirect {
                reserved: be::u32(&body[field::RD_RESERVED]),
                target: be::addr(&body[field::RD_TARGET]),
                destination: be::addr(&body[field::RD_DEST]),
                options,
            },
        }))
    }

    /// The ICMPv6 type of this message.
    pub fn msg_type(&self) -> Message {
        match self {
            NdiscRepr::RouterSolicit { .. } => Message::RouterSolicit,
            NdiscRepr::RouterAdvert { .. } => Message::RouterAdvert,
            NdiscRepr::NeighborSolicit { .. } => Message::NeighborSolicit,
            NdiscRepr::NeighborAdvert { .. } => Message::NeighborAdvert,
            NdiscRepr::Redirect { .. } => Message::Redirect,
        }
    }

    /// The options.
    pub fn options(&self) -> &NdOptions<'a> {
        match self {
            NdiscRepr::RouterSolicit { options, .. }
            | NdiscRepr::RouterAdvert { options, .. }
            | NdiscRepr::NeighborSolicit { options, .. }
            | NdiscRepr::NeighborAdvert { options, .. }
            | NdiscRepr::Redirect { options, .. } => options,
        }
    }

    fn fixed_len(&self) -> usize {
        match self {
            NdiscRepr::RouterSolicit { .. } => field::RS_OPTIONS,
            NdiscRepr::RouterAdvert { .. } => field::RA_OPTIONS,
            NdiscRepr::NeighborSolicit { .. } | NdiscRepr::NeighborAdvert { .. } => {
                field::N_OPTIONS
            }
            NdiscRepr::Redirect { .. } => field::RD_OPTIONS,
        }
    }

    /// The room [`emit`](Self::emit) needs for the body (after the ICMPv6 header).
    pub fn buffer_len(&self) -> usize {
        self.fixed_len() + self.options().buffer_len()
    }

    /// Writes the body (after the ICMPv6 header) into the start of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        need(Layer::Icmpv6, buf, self.buffer_len())?;
        match self {
            NdiscRepr::RouterSolicit { reserved, .. } => {
                be::put_u32(&mut buf[field::RS_RESERVED], *reserved);
            }
            NdiscRepr::RouterAdvert {
                hop_limit,
                flags,
                router_lifetime,
                reachable_time,
                retrans_time,
                ..
            } => {
                buf[field::RA_HOP_LIMIT] = *hop_limit;
                buf[field::RA_FLAGS] = flags.0;
                be::put_u16(&mut buf[field::RA_ROUTER_LT], *router_lifetime);
                be::put_u32(&mut buf[field::RA_REACHABLE], *reachable_time);
                be::put_u32(&mut buf[field::RA_RETRANS], *retrans_time);
            }
            NdiscRepr::NeighborSolicit {
                reserved, target, ..
            } => {
                be::put_u32(&mut buf[field::N_WORD], *reserved);
                be::put_addr(&mut buf[field::N_TARGET], target);
            }
            NdiscRepr::NeighborAdvert { flags, target, .. } => {
                be::put_u32(&mut buf[field::N_WORD], flags.0);
                be::put_addr(&mut buf[field::N_TARGET], target);
            }
            NdiscRepr::Redirect {
                reserved,
                target,
                destination,
                ..
            } => {
                be::put_u32(&mut buf[field::RD_RESERVED], *reserved);
                be::put_addr(&mut buf[field::RD_TARGET], target);
                be::put_addr(&mut buf[field::RD_DEST], destination);
            }
        }
        let fixed = self.fixed_len();
        self.options().emit(&mut buf[fixed..])
    }
}

#[cfg(test)]
mod tests {
    use super::super::icmpv6::{Icmpv6Repr, Packet};
    use super::super::ndopt::NdOption;
    use super::*;

    // A radvd RA from fe80::126f:3fff:fe12:3456 to ff02::1: hop limit 64, O flag,
    // lifetime 1800, options SLLA and MTU 1500. Checksum computed for those addresses.
    const RA: [u8; 32] = [
        0x86, 0x00, 0x00, 0x00, 0x40, 0x40, 0x07, 0x08, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x01, 0x01, 0x10, 0x6f, 0x3f, 0x12, 0x34, 0x56, 0x05, 0x01, 0x00, 0x00, 0x00, 0x00,
        0x05, 0xdc,
    ];

    fn addrs() -> (Ipv6Addr, Ipv6Addr) {
        (
            "fe80::126f:3fff:fe12:3456".parse().unwrap(),
            "ff02::1".parse().unwrap(),
        )
    }

    fn ra_with_checksum() -> Vec<u8> {
        let (src, dst) = addrs();
        let mut buf = RA.to_vec();
        Packet::new_unchecked(&mut buf[..]).fill_checksum(&src, &dst);
        buf
    }

    #[test]
    fn deconstruct_ra() {
        let (src, dst) = addrs();
        let buf = ra_with_checksum();
        let packet = Packet::new_checked(&buf[..]).unwrap();
        assert!(packet.verify_checksum(&src, &dst));
        let Icmpv6Repr::Ndisc { code: 0, repr } = Icmpv6Repr::parse(&packet).unwrap() else {
            panic!("not ND")
        };
        let NdiscRepr::RouterAdvert {
            hop_limit,
            flags,
            router_lifetime,
            options,
            ..
        } = &repr
        else {
            panic!("not an RA")
        };
        assert_eq!(*hop_limit, 64);
        assert!(flags.other() && !flags.managed() && !flags.proxy());
        assert_eq!(flags.preference(), Preference::Medium);
        assert_eq!(*router_lifetime, 1800);
        assert_eq!(
            options.source_mac().unwrap().to_string(),
            "10:6f:3f:12:34:56"
        );
        assert_eq!(
            options.list[1],
            NdOption::Mtu {
                reserved: 0,
                mtu: 1500
            }
        );
    }

    #[test]
    fn round_trip_every_message() {
        let (src, dst) = addrs();
        let bodies: [(Message, Vec<u8>); 5] = [
            (
                Message::RouterSolicit,
                vec![0, 0, 0, 0, 1, 1, 1, 2, 3, 4, 5, 6],
            ),
            (Message::RouterAdvert, RA[4..].to_vec()),
            (
                Message::NeighborSolicit,
                [
                    vec![0; 4],
                    src.octets().to_vec(),
                    vec![14, 1, 1, 2, 3, 4, 5, 6],
                ]
                .concat(),
            ),
            (
                Message::NeighborAdvert,
                [
                    vec![0xe0, 0, 0, 0],
                    src.octets().to_vec(),
                    vec![2, 1, 1, 2, 3, 4, 5, 6],
                ]
                .concat(),
            ),
            (
                Message::Redirect,
                [
                    vec![0; 4],
                    src.octets().to_vec(),
                    dst.octets().to_vec(),
                    vec![4, 1, 0, 0, 0, 0, 0, 0],
                ]
                .concat(),
            ),
        ];
        for (msg_type, body) in bodies {
            let repr = NdiscRepr::parse(msg_type, &body).unwrap().unwrap();
            assert!(repr.options().is_valid(), "{msg_type}");
            assert_eq!(repr.msg_type(), msg_type);
            let mut out = vec![0u8; repr.buffer_len()];
            repr.emit(&mut out).unwrap();
            assert_eq!(out, body, "{msg_type}");
            let full = Icmpv6Repr::Ndisc { code: 0, repr };
            let mut msg = vec![0u8; full.buffer_len()];
            full.emit(&mut msg, &src, &dst).unwrap();
            assert!(Packet::new_unchecked(&msg[..]).verify_checksum(&src, &dst));
        }
        let NdiscRepr::NeighborAdvert { flags, .. } = NdiscRepr::parse(
            Message::NeighborAdvert,
            &[vec![0xe0, 0, 0, 0], src.octets().to_vec()].concat(),
        )
        .unwrap()
        .unwrap() else {
            panic!()
        };
        assert!(flags.router() && flags.solicited() && flags.override_());
    }

    #[test]
    fn short_bodies() {
        let buf = ra_with_checksum();
        for cut in 0..buf.len() {
            let packet = Packet::new_unchecked(&buf[..cut]);
            let r = Icmpv6Repr::parse(&packet);
            if cut < 16 {
                assert!(r.is_err(), "cut {cut}");
            } else {
                let Ok(Icmpv6Repr::Ndisc { repr, .. }) = r else {
                    panic!("cut {cut}")
                };
                assert_eq!(
                    repr.options().error.is_some(),
                    cut != 16 && cut != 24 && cut != 32
                );
            }
        }
        assert!(NdiscRepr::parse(Message::EchoRequest, &[]).is_none());
    }

    #[test]
    fn every_flag_bit() {
        let f = RaFlags(0xff);
        assert!(f.managed() && f.other() && f.home_agent() && f.proxy());
        assert!(f.snac_router() && f.reserved());
        assert_eq!(f.preference(), Preference::Low);
        assert_eq!(RaFlags(0x08).preference(), Preference::High);
        assert_eq!(RaFlags(0x10).preference(), Preference::Reserved);
    }
}
