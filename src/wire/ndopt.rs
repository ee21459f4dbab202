//! Neighbor Discovery options (RFC 4861 §4.6 and the RFCs that add kinds): the framing
//! iterator and a lossless repr of every kind v6sentinel knows.
//!
//! ```text
//! +---------------+---------------+-------------------------------+
//! |     Type      |    Length     |  data ... (Length * 8 - 2)    |
//! +---------------+---------------+-------------------------------+
//! ```
//!
//! Two kinds of trouble, handled differently:
//! - **Framing** (fewer than two bytes left, a zero length, a length past the end): the
//!   options after it cannot be located. [`NdOptionIter`] yields the error once and stops;
//!   RFC 4861 §4.6 makes a zero length invalidate the whole packet.
//! - **Content** (a known kind whose length or value its RFC forbids, e.g. a Prefix
//!   Information option that is not 32 bytes): the option is kept as
//!   [`NdOption::Invalid`] with its raw bytes and the error, and the walk goes on, as
//!   hosts do (they ignore the one option and apply the rest).
//!
//! Lengths are computed in `usize`: an RDNSS with 16 servers is 264 bytes long.

use super::dns::{DnsNames, Padding};
use super::{AddrList, Error, Layer, Result, be};
use core::fmt;
use core::net::Ipv6Addr;

enum_with_unknown! {
    /// ND option types (IANA "IPv6 Neighbor Discovery Option Formats").
    pub enum NdOptionType(u8) {
        /// Source Link-Layer Address (RFC 4861 §4.6.1).
        SourceLinkLayerAddr = 1,
        /// Target Link-Layer Address (RFC 4861 §4.6.1).
        TargetLinkLayerAddr = 2,
        /// Prefix Information (RFC 4861 §4.6.2).
        PrefixInformation = 3,
        /// Redirected Header (RFC 4861 §4.6.3).
        RedirectedHeader = 4,
        /// MTU (RFC 4861 §4.6.4).
        Mtu = 5,
        /// Advertisement Interval (RFC 6275 §7.3).
        AdvertisementInterval = 7,
        /// Home Agent Information (RFC 6275 §7.4).
        HomeAgentInfo = 8,
        /// Nonce (RFC 3971 §5.3.2).
        Nonce = 14,
        /// Route Information (RFC 4191 §2.3).
        RouteInformation = 24,
        /// Recursive DNS Server (RFC 8106 §5.1).
        Rdnss = 25,
        /// RA Flags Extension (RFC 5175 §4).
        RaFlagsExtension = 26,
        /// DNS Search List (RFC 8106 §5.2).
        Dnssl = 31,
        /// Captive Portal (RFC 8910 §2.3).
        CaptivePortal = 37,
        /// PREF64, the NAT64 prefix (RFC 8781 §4).
        Pref64 = 38,
    }
}

/// The two-bit router / route preference (RFC 4191 §2.1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Preference {
    /// 01.
    High,
    /// 00.
    Medium,
    /// 11.
    Low,
    /// 10: receivers treat it as medium (RFC 4191 §2.2), senders must not send it.
    Reserved,
}

impl Preference {
    /// Decodes the two bits.
    pub const fn from_bits(bits: u8) -> Preference {
        match bits & 0b11 {
            0b01 => Preference::High,
            0b00 => Preference::Medium,
            0b11 => Preference::Low,
            _ => Preference::Reserved,
        }
    }

    /// The lower-case name used in reports.
    pub const fn as_str(&self) -> &'static str {
        match self {
            Preference::High => "high",
            Preference::Medium => "medium",
            Preference::Low => "low",
            Preference::Reserved => "reserved",
        }
    }
}

impl fmt::Display for Preference {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The flag octet of a Prefix Information option (RFC 4861 §4.6.2, RFC 6275 §7.2,
/// RFC 9762 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct PrefixFlags(pub u8);

impl PrefixFlags {
    /// L: the prefix is on-link.
    pub const fn on_link(&self) -> bool {
        self.0 & 0x80 != 0
    }
    /// A: hosts form addresses from it with SLAAC.
    pub const fn autonomous(&self) -> bool {
        self.0 & 0x40 != 0
    }
    /// R: the prefix field holds the router's full address (Mobile IPv6).
    pub const fn router_address(&self) -> bool {
        self.0 & 0x20 != 0
    }
    /// P: hosts should ask for a delegated prefix with DHCPv6-PD instead (RFC 9762).
    pub const fn dhcpv6_pd_preferred(&self) -> bool {
        self.0 & 0x10 != 0
    }
    /// The reserved bits, kept as evidence.
    pub const fn reserved(&self) -> u8 {
        self.0 & 0x0f
    }
}

/// A Prefix Information option (RFC 4861 §4.6.2), every field kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PrefixInformation {
    /// Prefix length in bits (0 to 128).
    pub prefix_len: u8,
    /// L, A, R, P and reserved bits.
    pub flags: PrefixFlags,
    /// Valid lifetime in seconds; 0xffffffff is infinity.
    pub valid_lifetime: u32,
    /// Preferred lifetime in seconds; 0xffffffff is infinity.
    pub preferred_lifetime: u32,
    /// The Reserved2 field.
    pub reserved: u32,
    /// The prefix, bits past `prefix_len` as sent.
    pub prefix: Ipv6Addr,
}

/// A Route Information option (RFC 4191 §2.3). The prefix is 0, 8 or 16 bytes on the
/// wire depending on the option length; `prefix_bytes` keeps exactly what was sent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct RouteInformation<'a> {
    /// Prefix length in bits.
    pub prefix_len: u8,
    /// The flag octet: preference in bits 3-4, the rest reserved.
    pub flags: u8,
    /// Route lifetime in seconds; 0xffffffff is infinity.
    pub lifetime: u32,
    /// The prefix as sent: 0, 8 or 16 bytes.
    pub prefix_bytes: &'a [u8],
}

impl RouteInformation<'_> {
    /// The route preference (RFC 4191 §2.3).
    pub const fn preference(&self) -> Preference {
        Preference::from_bits(self.flags >> 3)
    }

    /// The prefix, zero-extended to 128 bits.
    pub fn prefix(&self) -> Ipv6Addr {
        let mut octets = [0u8; 16];
        let n = self.prefix_bytes.len().min(16);
        octets[..n].copy_from_slice(&self.prefix_bytes[..n]);
        Ipv6Addr::from(octets)
    }
}

/// A PREF64 option (RFC 8781 §4).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Pref64 {
    /// The 16-bit word: scaled lifetime (13 bits) and prefix length code (3 bits).
    pub lifetime_plc: u16,
    /// The highest 96 bits of the prefix.
    pub prefix: [u8; 12],
}

impl Pref64 {
    /// The lifetime in seconds (the scaled lifetime times 8).
    pub const fn lifetime(&self) -> u32 {
        (self.lifetime_plc >> 3) as u32 * 8
    }

    /// The prefix length code.
    pub const fn plc(&self) -> u8 {
        (self.lifetime_plc & 0b111) as u8
    }

    /// The prefix length the code stands for, or `None` for the reserved codes 6 and 7.
    pub const fn prefix_len(&self) -> Option<u8> {
        match self.plc() {
            0 => Some(96),
            1 => Some(64),
            2 => Some(56),
            3 => Some(48),
            4 => Some(40),
            5 => Some(32),
            _ => None,
        }
    }

    /// The prefix, zero-extended to 128 bits.
    pub fn prefix_addr(&self) -> Ipv6Addr {
        let mut octets = [0u8; 16];
        octets[..12].copy_from_slice(&self.prefix);
        Ipv6Addr::from(octets)
    }
}

/// One ND option. Variable parts borrow from the packet; every byte needed to emit the
/// option again is kept, reserved fields and padding included.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum NdOption<'a> {
    /// Source Link-Layer Address: the sender's MAC on Ethernet (RFC 4861 §4.6.1).
    SourceLinkLayerAddr(&'a [u8]),
    /// Target Link-Layer Address (RFC 4861 §4.6.1).
    TargetLinkLayerAddr(&'a [u8]),
    /// Prefix Information (RFC 4861 §4.6.2).
    PrefixInformation(PrefixInformation),
    /// Redirected Header (RFC 4861 §4.6.3): six reserved bytes, then the packet.
    RedirectedHeader {
        /// The six reserved bytes.
        reserved: &'a [u8],
        /// As much of the redirected packet as fits.
        packet: &'a [u8],
    },
    /// MTU (RFC 4861 §4.6.4).
    Mtu {
        /// The reserved field.
        reserved: u16,
        /// The link MTU.
        mtu: u32,
    },
    /// Advertisement Interval (RFC 6275 §7.3): the sender's maximum RA interval.
    AdvertisementInterval {
        /// The reserved field.
        reserved: u16,
        /// The interval in milliseconds.
        interval_ms: u32,
    },
    /// Home Agent Information (RFC 6275 §7.4).
    HomeAgentInfo {
        /// The reserved field.
        reserved: u16,
        /// Home agent preference.
        preference: u16,
        /// Home agent lifetime in seconds.
        lifetime: u16,
    },
    /// Nonce (RFC 3971 §5.3.2).
    Nonce(&'a [u8]),
    /// Route Information (RFC 4191 §2.3).
    RouteInformation(RouteInformation<'a>),
    /// Recursive DNS Server (RFC 8106 §5.1).
    Rdnss {
        /// The reserved field.
        reserved: u16,
        /// Lifetime in seconds; 0xffffffff is infinity, 0 withdraws the servers.
        lifetime: u32,
        /// The servers.
        servers: AddrList<'a>,
    },
    /// RA Flags Extension (RFC 5175 §4): the flag bits that follow the RA header's own.
    /// The first octet holds bits 8-15 of the combined field.
    RaFlagsExtension(&'a [u8]),
    /// DNS Search List (RFC 8106 §5.2).
    Dnssl {
        /// The reserved field.
        reserved: u16,
        /// Lifetime in seconds.
        lifetime: u32,
        /// The domains, with their zero padding.
        domains: DnsNames<'a>,
    },
    /// Captive Portal (RFC 8910 §2.3): a URI padded with NULs.
    CaptivePortal(&'a [u8]),
    /// PREF64 (RFC 8781 §4).
    Pref64(Pref64),
    /// A kind this module does not decode.
    Unknown {
        /// The option type.
        kind: u8,
        /// The bytes after type and length.
        data: &'a [u8],
    },
    /// A known kind whose length or content its RFC forbids.
    Invalid {
        /// The option type.
        kind: u8,
        /// The bytes after type and length.
        data: &'a [u8],
        /// What is wrong.
        error: Error,
    },
}

/// Offsets inside an option's data (after type and length).
mod field {
    use crate::wire::Field;
    // Prefix Information.
    pub const PI_PREFIX_LEN: usize = 0;
    pub const PI_FLAGS: usize = 1;
    pub const PI_VALID: Field = 2..6;
    pub const PI_PREFERRED: Field = 6..10;
    pub const PI_RESERVED: Field = 10..14;
    pub const PI_PREFIX: Field = 14..30;
    // MTU, RDNSS, DNSSL: reserved, then a 32-bit value.
    pub const RESERVED16: Field = 0..2;
    pub const VALUE32: Field = 2..6;
    pub const LIST: usize = 6;
    // Home Agent Information.
    pub const HA_PREFERENCE: Field = 2..4;
    pub const HA_LIFETIME: Field = 4..6;
    // Route Information.
    pub const RI_PREFIX_LEN: usize = 0;
    pub const RI_FLAGS: usize = 1;
    pub const RI_LIFETIME: Field = 2..6;
    pub const RI_PREFIX: usize = 6;
    // PREF64.
    pub const P64_LIFETIME_PLC: Field = 0..2;
    pub const P64_PREFIX: Field = 2..14;
    // Redirected Header.
    pub const RH_RESERVED: Field = 0..6;
}

impl<'a> NdOption<'a> {
    /// Decodes one option's content. `offset` locates the option in errors.
    pub fn parse(kind: u8, data: &'a [u8], offset: usize) -> NdOption<'a> {
        match Self::parse_known(kind, data, offset) {
            Ok(option) => option,
            Err(error) => NdOption::Invalid { kind, data, error },
        }
    }

    fn parse_known(kind: u8, data: &'a [u8], offset: usize) -> Result<NdOption<'a>> {
        let total = data.len() + 2;
        let bad_len = Error::BadOptionLen {
            layer: Layer::NdOption,
            kind: u16::from(kind),
            offset,
            len: total,
        };
        let exact = |len: usize| if total == len { Ok(()) } else { Err(bad_len) };
        Ok(match NdOptionType::from(kind) {
            NdOptionType::SourceLinkLayerAddr => NdOption::SourceLinkLayerAddr(data),
            NdOptionType::TargetLinkLayerAddr => NdOption::TargetLinkLayerAddr(data),
            NdOptionType::PrefixInformation => {
                exact(32)?;
                NdOption::PrefixInformation(PrefixInformation {
                    prefix_len: data[field::PI_PREFIX_LEN],
                    flags: PrefixFlags(data[field::PI_FLAGS]),
                    valid_lifetime: be::u32(&data[field::PI_VALID]),
                    preferred_lifetime: be::u32(&data[field::PI_PREFERRED]),
                    reserved: be::u32(&data[field::PI_RESERVED]),
                    prefix: be::addr(&data[field::PI_PREFIX]),
                })
            }
            NdOptionType::RedirectedHeader => NdOption::RedirectedHeader {
                reserved: &data[field::RH_RESERVED],
                packet: &data[field::RH_RESERVED.end..],
            },
            NdOptionType::Mtu => {
                exact(8)?;
                NdOption::Mtu {
                    reserved: be::u16(&data[field::RESERVED16]),
                    mtu: be::u32(&data[field::VALUE32]),
                }
            }
            NdOptionType::AdvertisementInterval => {
                exact(8)?;
                NdOption::AdvertisementInterval {
                    reserved: be::u16(&data[field::RESERVED16]),
                    interval_ms: be::u32(&data[field::VALUE32]),
                }
            }
            NdOptionType::HomeAgentInfo => {
                exact(8)?;
                NdOption::HomeAgentInfo {
                    reserved: be::u16(&data[field::RESERVED16]),
                    preference: be::u16(&data[field::HA_PREFERENCE]),
                    lifetime: be::u16(&data[field::HA_LIFETIME]),
                }
            }
            NdOptionType::Nonce => NdOption::Nonce(data),
            NdOptionType::RouteInformation => {
                let prefix_len = data[field::RI_PREFIX_LEN];
                // RFC 4191 §2.3: length 1, 2 or 3, and long enough for the prefix length.
                let fits = match total {
                    8 => prefix_len == 0,
                    16 => prefix_len <= 64,
                    24 => prefix_len <= 128,
                    _ => false,
                };
                if !fits {
                    return Err(bad_len);
                }
                NdOption::RouteInformation(RouteInformation {
                    prefix_len,
                    flags: data[field::RI_FLAGS],
                    lifetime: be::u32(&data[field::RI_LIFETIME]),
                    prefix_bytes: &data[field::RI_PREFIX..],
                })
            }
            NdOptionType::Rdnss => {
                // RFC 8106 §5.1: length 3 + 2n, n >= 1.
                if total < 24 || (total / 8) % 2 == 0 {
                    return Err(bad_len);
                }
                NdOption::Rdnss {
                    reserved: be::u16(&data[field::RESERVED16]),
                    lifetime: be::u32(&data[field::VALUE32]),
                    servers: AddrList::new(&data[field::LIST..]).ok_or(bad_len)?,
                }
            }
            NdOptionType::RaFlagsExtension => NdOption::RaFlagsExtension(data),
            NdOptionType::Dnssl => {
                if total < 16 {
                    return Err(bad_len);
                }
                NdOption::Dnssl {
                    reserved: be::u16(&data[field::RESERVED16]),
                    lifetime: be::u32(&data[field::VALUE32]),
                    domains: DnsNames::parse(
                        &data[field::LIST..],
                        Padding::Zeros,
                        offset + 2 + field::LIST,
                    )?,
                }
            }
            NdOptionType::CaptivePortal => NdOption::CaptivePortal(data),
            NdOptionType::Pref64 => {
                exact(16)?;
                let mut prefix = [0u8; 12];
                prefix.copy_from_slice(&data[field::P64_PREFIX]);
                NdOption::Pref64(Pref64 {
                    lifetime_plc: be::u16(&data[field::P64_LIFETIME_PLC]),
                    prefix,
                })
            }
            NdOptionType::Unknown(_) => NdOption::Unknown { kind, data },
        })
    }

    /// The option type.
    pub fn kind(&self) -> NdOptionType {
        NdOptionType::from(match self {
            NdOption::SourceLinkLayerAddr(_) => 1,
            NdOption::TargetLinkLayerAddr(_) => 2,
            NdOption::PrefixInformation(_) => 3,
            NdOption::RedirectedHeader { .. } => 4,
            NdOption::Mtu { .. } => 5,
            NdOption::AdvertisementInterval { .. } => 7,
            NdOption::HomeAgentInfo { .. } => 8,
            NdOption::Nonce(_) => 14,
            NdOption::RouteInformation(_) => 24,
            NdOption::Rdnss { .. } => 25,
            NdOption::RaFlagsExtension(_) => 26,
            NdOption::Dnssl { .. } => 31,
            NdOption::CaptivePortal(_) => 37,
            NdOption::Pref64(_) => 38,
            NdOption::Unknown { kind, .. } | NdOption::Invalid { kind, .. } => *kind,
        })
    }

    /// The MAC of a Source or Target Link-Layer Address option on Ethernet.
    pub fn link_layer_mac(&self) -> Option<super::Mac> {
        match self {
            NdOption::SourceLinkLayerAddr(a) | NdOption::TargetLinkLayerAddr(a) => {
                super::Mac::from_bytes(a)
            }
            _ => None,
        }
    }

    /// The URI of a Captive Portal option without its NUL padding.
    pub fn captive_portal_uri(&self) -> Option<&'a [u8]> {
        match self {
            NdOption::CaptivePortal(data) => {
                let end = data.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
                Some(&data[..end])
            }
            _ => None,
        }
    }

    /// Length of the data part (after type and length), before padding to 8 octets.
    fn data_len(&self) -> usize {
        match self {
            NdOption::SourceLinkLayerAddr(d)
            | NdOption::TargetLinkLayerAddr(d)
            | NdOption::Nonce(d)
            | NdOption::RaFlagsExtension(d)
            | NdOption::CaptivePortal(d)
            | NdOption::Unknown { data: d, .. }
            | NdOption::Invalid { data: d, .. } => d.len(),
            NdOption::PrefixInformation(_) => 30,
            NdOption::RedirectedHeader { packet, .. } => 6 + packet.len(),
            NdOption::Mtu { .. }
            | NdOption::AdvertisementInterval { .. }
            | NdOption::HomeAgentInfo { .. } => 6,
            NdOption::RouteInformation(ri) => field::RI_PREFIX + ri.prefix_bytes.len(),
            NdOption::Rdnss { servers, .. } => field::LIST + servers.as_bytes().len(),
            NdOption::Dnssl { domains, .. } => field::LIST + domains.as_bytes().len(),
            NdOption::Pref64(_) => 14,
        }
    }

    /// The room [`emit`](Self::emit) needs: the option rounded up to 8 octets.
    pub fn buffer_len(&self) -> usize {
        (2 + self.data_len()).div_ceil(8) * 8
    }

    /// Writes the option into the start of `buf`, zero-padding it to 8 octets.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let len = self.buffer_len();
        super::need(Layer::NdOption, buf, len)?;
        let units = u8::try_from(len / 8).map_err(|_| Error::BadOptionLen {
            layer: Layer::NdOption,
            kind: u16::from(u8::from(self.kind())),
            offset: 0,
            len,
        })?;
        let (head, data) = buf[..len].split_at_mut(2);
        head[0] = self.kind().into();
        head[1] = units;
        data.fill(0);
        let copy = |data: &mut [u8], at: usize, src: &[u8]| {
            data[at..at + src.len()].copy_from_slice(src);
        };
        match self {
            NdOption::SourceLinkLayerAddr(d)
            | NdOption::TargetLinkLayerAddr(d)
            | NdOption::Nonce(d)
            | NdOption::RaFlagsExtension(d)
            | NdOption::CaptivePortal(d)
            | NdOption::Unknown { data: d, .. }
            | NdOption::Invalid { data: d, .. } => copy(data, 0, d),
            NdOption::PrefixInformation(pi) => {
                data[field::PI_PREFIX_LEN] = pi.prefix_len;
                data[field::PI_FLAGS] = pi.flags.0;
                be::put_u32(&mut data[field::PI_VALID], pi.valid_lifetime);
                be::put_u32(&mut data[field::PI_PREFERRED], pi.preferred_lifetime);
                be::put_u32(&mut data[field::PI_RESERVED], pi.reserved);
                be::put_addr(&mut data[field::PI_PREFIX], &pi.prefix);
            }
            NdOption::RedirectedHeader { reserved, packet } => {
                let n = reserved.len().min(6);
                copy(data, 0, &reserved[..n]);
                copy(data, 6, packet);
            }
            NdOption::Mtu {
                reserved,
                mtu: value,
            }
            | NdOption::AdvertisementInterval {
                reserved,
                interval_ms: value,
            } => {
                be::put_u16(&mut data[field::RESERVED16], *reserved);
                be::put_u32(&mut data[field::VALUE32], *value);
            }
            NdOption::HomeAgentInfo {
                reserved,
                preference,
                lifetime,
            } => {
                be::put_u16(&mut data[field::RESERVED16], *reserved);
                be::put_u16(&mut data[field::HA_PREFERENCE], *preference);
                be::put_u16(&mut data[field::HA_LIFETIME], *lifetime);
            }
            NdOption::RouteInformation(ri) => {
                data[field::RI_PREFIX_LEN] = ri.prefix_len;
                data[field::RI_FLAGS] = ri.flags;
                be::put_u32(&mut data[field::RI_LIFETIME], ri.lifetime);
                copy(data, field::RI_PREFIX, ri.prefix_bytes);
            }
            NdOption::Rdnss {
                reserved,
                lifetime,
                servers,
            } => {
                be::put_u16(&mut data[field::RESERVED16], *reserved);
                be::put_u32(&mut data[field::VALUE32], *lifetime);
                copy(data, field::LIST, servers.as_bytes());
            }
            NdOption::Dnssl {
                reserved,
                lifetime,
                domains,
            } => {
                be::put_u16(&mut data[field::RESERVED16], *reserved);
                be::put_u32(&mut data[field::VALUE32], *lifetime);
                copy(data, field::LIST, domains.as_bytes());
            }
            NdOption::Pref64(p) => {
                be::put_u16(&mut data[field::P64_LIFETIME_PLC], p.lifetime_plc);
                copy(data, field::P64_PREFIX.start, &p.prefix);
            }
        }
        Ok(())
    }
}

/// Walks an options area, yielding each option or the framing error that ends the walk.
#[derive(Debug, Clone)]
pub struct NdOptionIter<'a> {
    buf: &'a [u8],
    offset: usize,
    done: bool,
}

impl<'a> NdOptionIter<'a> {
    /// Iterates over the options in `buf` (the options area of an ND message).
    pub fn new(buf: &'a [u8]) -> NdOptionIter<'a> {
        NdOptionIter {
            buf,
            offset: 0,
            done: false,
        }
    }

    /// Where the next option starts in the options area.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl<'a> Iterator for NdOptionIter<'a> {
    type Item = Result<NdOption<'a>>;

    fn next(&mut self) -> Option<Result<NdOption<'a>>> {
        if self.done {
            return None;
        }
        let rest = self.buf.get(self.offset..).unwrap_or_default();
        let (kind, units) = match rest {
            [] => return None,
            [kind, units, ..] => (*kind, usize::from(*units)),
            [_] => {
                self.done = true;
                return Some(Err(Error::Truncated {
                    layer: Layer::NdOption,
                    need: 2,
                    have: 1,
                }));
            }
        };
        let offset = self.offset;
        if units == 0 {
            self.done = true;
            return Some(Err(Error::ZeroLengthOption {
                layer: Layer::NdOption,
                kind: u16::from(kind),
                offset,
            }));
        }
        let len = units * 8;
        let Some(option) = rest.get(..len) else {
            self.done = true;
            return Some(Err(Error::BadOptionLen {
                layer: Layer::NdOption,
                kind: u16::from(kind),
                offset,
                len,
            }));
        };
        self.offset += len;
        Some(Ok(NdOption::parse(kind, &option[2..], offset)))
    }
}

/// All the options of one ND message, in order, and the framing error that stopped the
/// walk, if any (the options before it are kept).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct NdOptions<'a> {
    /// The options, in order.
    pub list: Vec<NdOption<'a>>,
    /// The framing error that ended the walk early.
    pub error: Option<Error>,
}

impl<'a> NdOptions<'a> {
    /// Walks `buf` to its end or its first framing error.
    pub fn parse(buf: &'a [u8]) -> NdOptions<'a> {
        let mut out = NdOptions::default();
        for item in NdOptionIter::new(buf) {
            match item {
                Ok(option) => out.list.push(option),
                Err(e) => out.error = Some(e),
            }
        }
        out
    }

    /// Options built by hand (for emitters and tests).
    pub fn from_list(list: Vec<NdOption<'a>>) -> NdOptions<'a> {
        NdOptions { list, error: None }
    }

    /// Whether every option was framed correctly and none is [`NdOption::Invalid`].
    pub fn is_valid(&self) -> bool {
        self.error.is_none()
            && !self
                .list
                .iter()
                .any(|o| matches!(o, NdOption::Invalid { .. }))
    }

    /// The options in order.
    pub fn iter(&self) -> core::slice::Iter<'_, NdOption<'a>> {
        self.list.iter()
    }

    /// The MAC of the first Source Link-Layer Address option.
    pub fn source_mac(&self) -> Option<super::Mac> {
        self.list.iter().find_map(|o| match o {
            NdOption::SourceLinkLayerAddr(_) => o.link_layer_mac(),
            _ => None,
        })
    }

    /// Every Prefix Information option.
    pub fn prefixes(&self) -> impl Iterator<Item = &PrefixInformation> {
        self.list.iter().filter_map(|o| match o {
            NdOption::PrefixInformation(p) => Some(p),
            _ => None,
        })
    }

    /// Every Route Information option.
    pub fn routes(&self) -> impl Iterator<Item = &RouteInformation<'a>> {
        self.list.iter().filter_map(|o| match o {
            NdOption::RouteInformation(r) => Some(r),
            _ => None,
        })
    }

    /// The room [`emit`](Self::emit) needs.
    pub fn buffer_len(&self) -> usize {
        self.list.iter().map(NdOption::buffer_len).sum()
    }

    /// Writes every option in order into the start of `buf`.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        super::need(Layer::NdOption, buf, self.buffer_len())?;
        let mut at = 0;
        for option in &self.list {
            option.emit(&mut buf[at..])?;
            at += option.buffer_len();
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hex(s: &str) -> Vec<u8> {
        let s: String = s.split_whitespace().collect();
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
            .collect()
    }

    // SLLA 10:6f:3f:12:34:56; MTU 1500; PIO 2001:db8:1::/64 L A 86400/14400;
    // RIO ::/0 high 1800 (8 bytes); RIO 2001:db8:2::/48 (16 bytes);
    // DNSSL example.com, padded; PREF64 64:ff9b::/96 lifetime 600.
    const OPTIONS: &str = "
        01 01 10 6f 3f 12 34 56
        05 01 00 00 00 00 05 dc
        03 04 40 c0 00 01 51 80 00 00 38 40 00 00 00 00
        20 01 0d b8 00 01 00 00 00 00 00 00 00 00 00 00
        18 01 00 08 00 00 07 08
        18 02 30 00 00 00 07 08 20 01 0d b8 00 02 00 00
        1f 03 00 00 00 00 07 08 07 65 78 61 6d 70 6c 65
        03 63 6f 6d 00 00 00 00
        26 02 02 58 00 64 ff 9b 00 00 00 00 00 00 00 00";

    #[test]
    fn deconstruct() {
        let buf = hex(OPTIONS);
        let opts = NdOptions::parse(&buf);
        assert_eq!(opts.error, None);
        assert!(opts.is_valid());
        assert_eq!(opts.list.len(), 7);
        assert_eq!(opts.source_mac().unwrap().to_string(), "10:6f:3f:12:34:56");
        assert_eq!(
            opts.list[1],
            NdOption::Mtu {
                reserved: 0,
                mtu: 1500
            }
        );
        let pi = opts.prefixes().next().unwrap();
        assert_eq!(pi.prefix.to_string(), "2001:db8:1::");
        assert_eq!(pi.prefix_len, 64);
        assert!(pi.flags.on_link() && pi.flags.autonomous() && !pi.flags.router_address());
        assert_eq!((pi.valid_lifetime, pi.preferred_lifetime), (86400, 14400));
        let routes: Vec<_> = opts.routes().collect();
        assert_eq!(routes[0].prefix_len, 0);
        assert_eq!(routes[0].preference(), Preference::High);
        assert_eq!(routes[0].prefix_bytes.len(), 0);
        assert_eq!(routes[1].prefix().to_string(), "2001:db8:2::");
        assert_eq!(routes[1].preference(), Preference::Medium);
        let NdOption::Dnssl {
            domains, lifetime, ..
        } = &opts.list[5]
        else {
            panic!()
        };
        assert_eq!(*lifetime, 1800);
        assert_eq!(
            domains.iter().map(|d| d.to_string()).collect::<Vec<_>>(),
            ["example.com"]
        );
        let NdOption::Pref64(p) = &opts.list[6] else {
            panic!()
        };
        assert_eq!(p.lifetime(), 600);
        assert_eq!(p.prefix_len(), Some(96));
        assert_eq!(p.prefix_addr().to_string(), "64:ff9b::");
    }

    #[test]
    fn round_trip() {
        let buf = hex(OPTIONS);
        let opts = NdOptions::parse(&buf);
        let mut out = vec![0u8; opts.buffer_len()];
        opts.emit(&mut out).unwrap();
        assert_eq!(out, buf);
    }

    #[test]
    fn rdnss_with_16_servers_is_longer_than_255_bytes() {
        let mut buf = vec![25, 33, 0, 0, 0, 0, 0x0e, 0x10];
        for i in 0..16u16 {
            buf.extend_from_slice(&Ipv6Addr::new(0x2001, 0xdb8, 0, 0, 0, 0, 0, i).octets());
        }
        assert_eq!(buf.len(), 264);
        let opts = NdOptions::parse(&buf);
        assert!(opts.is_valid());
        let NdOption::Rdnss {
            servers, lifetime, ..
        } = &opts.list[0]
        else {
            panic!()
        };
        assert_eq!(*lifetime, 3600);
        assert_eq!(servers.len(), 16);
        assert_eq!(servers.iter().last().unwrap().to_string(), "2001:db8::f");
        let mut out = vec![0u8; opts.buffer_len()];
        opts.emit(&mut out).unwrap();
        assert_eq!(out, buf);
    }

    #[test]
    fn framing_errors_stop_the_walk() {
        let mut buf = hex("01 01 10 6f 3f 12 34 56");
        buf.extend_from_slice(&[5, 0, 0, 0, 0, 0, 0, 0]);
        buf.extend_from_slice(&hex("01 01 10 6f 3f 12 34 56"));
        let opts = NdOptions::parse(&buf);
        assert_eq!(opts.list.len(), 1);
        assert_eq!(
            opts.error,
            Some(Error::ZeroLengthOption {
                layer: Layer::NdOption,
                kind: 5,
                offset: 8
            })
        );
        let mut it = NdOptionIter::new(&buf[..9]);
        assert!(it.next().unwrap().is_ok());
        assert!(matches!(it.next(), Some(Err(Error::Truncated { .. }))));
        assert!(it.next().is_none());
        let too_long = [3u8, 4, 64, 0xc0, 0, 0, 0, 0];
        assert!(matches!(
            NdOptions::parse(&too_long).error,
            Some(Error::BadOptionLen {
                kind: 3,
                offset: 0,
                len: 32,
                ..
            })
        ));
    }

    #[test]
    fn content_errors_are_kept_and_the_walk_goes_on() {
        // A PIO of length 1, then an MTU option.
        let buf = hex("03 01 40 c0 00 00 00 00 05 01 00 00 00 00 05 dc");
        let opts = NdOptions::parse(&buf);
        assert_eq!(opts.error, None);
        assert!(!opts.is_valid());
        assert!(matches!(opts.list[0], NdOption::Invalid { kind: 3, .. }));
        assert_eq!(
            opts.list[1],
            NdOption::Mtu {
                reserved: 0,
                mtu: 1500
            }
        );
        let mut out = vec![0u8; opts.buffer_len()];
        opts.emit(&mut out).unwrap();
        assert_eq!(out, buf);
        // RIO with prefix length 64 in the 8-byte form; RDNSS of even length; DNSSL with a
        // compression pointer.
        for bad in [
            "18 01 40 00 00 00 07 08",
            "19 02 00 00 00 00 07 08 00 00 00 00 00 00 00 00",
            "1f 02 00 00 00 00 07 08 c0 0c 00 00 00 00 00 00",
        ] {
            let b = hex(bad);
            let opts = NdOptions::parse(&b);
            assert!(matches!(opts.list[..], [NdOption::Invalid { .. }]), "{bad}");
        }
    }

    #[test]
    fn short_buffers_never_panic() {
        let buf = hex(OPTIONS);
        for cut in 0..buf.len() {
            let opts = NdOptions::parse(&buf[..cut]);
            let consumed: usize = opts.list.iter().map(NdOption::buffer_len).sum();
            assert!(consumed <= cut);
            assert_eq!(opts.error.is_some(), consumed != cut, "cut at {cut}");
        }
    }

    #[test]
    fn captive_portal_and_unknown() {
        let mut buf = vec![37, 3];
        buf.extend_from_slice(b"https://cp.example/");
        buf.resize(24, 0);
        buf.extend_from_slice(&[200, 1, 1, 2, 3, 4, 5, 6]);
        let opts = NdOptions::parse(&buf);
        assert_eq!(
            opts.list[0].captive_portal_uri(),
            Some(&b"https://cp.example/"[..])
        );
        assert_eq!(
            opts.list[1],
            NdOption::Unknown {
                kind: 200,
                data: &[1, 2, 3, 4, 5, 6]
            }
        );
        assert_eq!(opts.list[1].kind(), NdOptionType::Unknown(200));
    }
}
