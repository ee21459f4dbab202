//! Zero-copy views and lossless reprs of everything v6sentinel reads off the wire:
//! Ethernet (+802.1Q/802.1ad), IPv6 and its extension-header chain, UDP, ICMPv6
//! (RS, RA, NS, NA, Redirect) with every Neighbor Discovery option, and DHCPv6.
//!
//! Conventions (after smoltcp's `wire`):
//! - A view `Packet<T: AsRef<[u8]>>` has `new_unchecked`, `new_checked` and `check_len`;
//!   **after `check_len` succeeds no accessor panics.** Setters live in a separate
//!   `impl<T: AsRef<[u8]> + AsMut<[u8]>>` block.
//! - Offsets are named ranges in a private `mod field` under the RFC diagram.
//! - A `Repr` parses from a view and emits into a buffer; `buffer_len()` says how much
//!   room it needs. Unlike smoltcp, **a repr loses nothing**: every option in order,
//!   duplicates, reserved bits and unknown kinds included, so that emitting a parsed repr
//!   gives back the same bytes.
//! - Malformed input is evidence: it is reported as an [`Error`] carrying what was wrong
//!   and where, never a panic. Lengths are computed in `usize`.
//!
//! [`dissect`] walks a whole Ethernet frame once, link to message.

#[macro_use]
mod macros;

pub mod build;
pub mod dhcpv6;
mod dissect;
pub mod dns;
pub mod ethernet;
pub mod icmpv6;
pub mod ipv6;
pub mod ndisc;
pub mod ndopt;
pub mod udp;

pub use dissect::{
    ChecksumStatus, Dissected, Message, Transport, dissect, dissect_ipv6, is_candidate,
    is_ipv6_candidate,
};
pub use ethernet::{EtherType, Mac};
pub use ipv6::IpProtocol;

/// A named byte range inside a header.
pub(crate) type Field = core::ops::Range<usize>;
/// The bytes from an offset to the end of a header.
pub(crate) type Rest = core::ops::RangeFrom<usize>;

/// Which layer an [`Error`] was found in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Layer {
    /// Ethernet II header.
    Ethernet,
    /// An 802.1Q / 802.1ad tag.
    Vlan,
    /// The fixed IPv6 header.
    Ipv6,
    /// An IPv6 extension header.
    ExtHeader,
    /// The UDP header.
    Udp,
    /// An ICMPv6 message.
    Icmpv6,
    /// A Neighbor Discovery option.
    NdOption,
    /// A DHCPv6 message.
    Dhcpv6,
    /// A DHCPv6 option.
    Dhcpv6Option,
    /// A DUID inside a DHCPv6 option.
    Duid,
    /// A DNS name (DNSSL, DHCPv6 domain list).
    DnsName,
}

impl core::fmt::Display for Layer {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(match self {
            Layer::Ethernet => "Ethernet",
            Layer::Vlan => "VLAN tag",
            Layer::Ipv6 => "IPv6",
            Layer::ExtHeader => "IPv6 extension header",
            Layer::Udp => "UDP",
            Layer::Icmpv6 => "ICMPv6",
            Layer::NdOption => "ND option",
            Layer::Dhcpv6 => "DHCPv6",
            Layer::Dhcpv6Option => "DHCPv6 option",
            Layer::Duid => "DUID",
            Layer::DnsName => "DNS name",
        })
    }
}

/// What is wrong with a packet, and where. Offsets are relative to the start of the
/// layer named in the error unless said otherwise.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The buffer ends before the header or field does.
    #[error("{layer}: truncated: need {need} bytes, have {have}")]
    Truncated {
        /// Where.
        layer: Layer,
        /// Bytes the header or field needs.
        need: usize,
        /// Bytes there are.
        have: usize,
    },
    /// An option's length field is zero (RFC 4861 §4.6: the whole packet is invalid).
    #[error("{layer}: option type {kind} at offset {offset} has length zero")]
    ZeroLengthOption {
        /// Where.
        layer: Layer,
        /// The option type.
        kind: u16,
        /// Offset of the option in the options area.
        offset: usize,
    },
    /// An option's length is wrong for its type, or runs past the end of its container.
    #[error("{layer}: option type {kind} at offset {offset} has a bad length {len}")]
    BadOptionLen {
        /// Where.
        layer: Layer,
        /// The option type.
        kind: u16,
        /// Offset of the option in its container.
        offset: usize,
        /// The length in bytes the option claims (data only for DHCPv6; whole option for ND).
        len: usize,
    },
    /// A field holds a value its RFC forbids.
    #[error("{layer}: malformed at offset {offset}: {what}")]
    Malformed {
        /// Where.
        layer: Layer,
        /// Offset of the offending byte.
        offset: usize,
        /// What is wrong.
        what: &'static str,
    },
    /// The checksum does not match the data.
    #[error("{layer}: bad checksum")]
    Checksum {
        /// Where.
        layer: Layer,
    },
    /// More nesting (extension headers, VLAN tags, DHCPv6 relays or options) than the
    /// parser walks.
    #[error("{layer}: nested deeper than {limit}")]
    TooDeep {
        /// Where.
        layer: Layer,
        /// The bound.
        limit: usize,
    },
}

/// Shorthand for results of this module.
pub type Result<T> = core::result::Result<T, Error>;

/// Checks that `buf` holds at least `need` bytes.
#[inline]
pub(crate) fn need(layer: Layer, buf: &[u8], need: usize) -> Result<()> {
    if buf.len() < need {
        Err(Error::Truncated {
            layer,
            need,
            have: buf.len(),
        })
    } else {
        Ok(())
    }
}

/// Big-endian reads for buffers whose length has been checked. They return 0 on a short
/// buffer instead of panicking, so that an accessor called on an unchecked view stays
/// panic-free; the checked paths never reach that arm.
pub(crate) mod be {
    use core::net::Ipv6Addr;

    #[inline]
    pub fn u16(b: &[u8]) -> u16 {
        match b {
            [a, c, ..] => u16::from_be_bytes([*a, *c]),
            _ => 0,
        }
    }

    #[inline]
    pub fn u32(b: &[u8]) -> u32 {
        match b {
            [a, c, d, e, ..] => u32::from_be_bytes([*a, *c, *d, *e]),
            _ => 0,
        }
    }

    #[inline]
    pub fn addr(b: &[u8]) -> Ipv6Addr {
        match b.first_chunk::<16>() {
            Some(octets) => Ipv6Addr::from(*octets),
            None => Ipv6Addr::UNSPECIFIED,
        }
    }

    #[inline]
    pub fn put_u16(b: &mut [u8], v: u16) {
        if let Some(d) = b.first_chunk_mut::<2>() {
            *d = v.to_be_bytes();
        }
    }

    #[inline]
    pub fn put_u32(b: &mut [u8], v: u32) {
        if let Some(d) = b.first_chunk_mut::<4>() {
            *d = v.to_be_bytes();
        }
    }

    #[inline]
    pub fn put_addr(b: &mut [u8], a: &Ipv6Addr) {
        if let Some(d) = b.first_chunk_mut::<16>() {
            *d = a.octets();
        }
    }
}

/// The RFC 1071 one's-complement sum used by ICMPv6 and UDP over IPv6.
pub mod checksum {
    use core::net::Ipv6Addr;

    /// Adds `data` to a running 32-bit sum, as big-endian 16-bit words.
    pub fn add(mut sum: u32, data: &[u8]) -> u32 {
        let mut chunks = data.chunks_exact(2);
        for w in &mut chunks {
            sum = sum.wrapping_add(u32::from(u16::from_be_bytes([w[0], w[1]])));
        }
        if let [last] = chunks.remainder() {
            sum = sum.wrapping_add(u32::from(*last) << 8);
        }
        sum
    }

    /// Folds a running sum to 16 bits.
    pub fn fold(mut sum: u32) -> u16 {
        while sum > 0xffff {
            sum = (sum & 0xffff) + (sum >> 16);
        }
        sum as u16
    }

    /// The IPv6 pseudo-header sum (RFC 8200 §8.1).
    pub fn pseudo_header(src: &Ipv6Addr, dst: &Ipv6Addr, next_header: u8, len: usize) -> u32 {
        let mut sum = add(0, &src.octets());
        sum = add(sum, &dst.octets());
        let len = len as u64;
        sum = sum.wrapping_add((len >> 16) as u32 & 0xffff);
        sum = sum.wrapping_add(len as u32 & 0xffff);
        sum.wrapping_add(u32::from(next_header))
    }

    /// The checksum field value for `data` (whose checksum field is zero) under the
    /// pseudo-header.
    pub fn compute(src: &Ipv6Addr, dst: &Ipv6Addr, next_header: u8, data: &[u8]) -> u16 {
        !fold(add(pseudo_header(src, dst, next_header, data.len()), data))
    }

    /// Whether `data` (checksum field included) sums to the all-ones value.
    pub fn verify(src: &Ipv6Addr, dst: &Ipv6Addr, next_header: u8, data: &[u8]) -> bool {
        fold(add(pseudo_header(src, dst, next_header, data.len()), data)) == 0xffff
    }
}

/// A run of IPv6 addresses, 16 bytes each, borrowed from a packet (RDNSS, DHCPv6 DNS and
/// SNTP servers). The length is a multiple of 16 once parsed.
#[derive(Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct AddrList<'a>(&'a [u8]);

impl<'a> AddrList<'a> {
    /// Wraps `buf` if its length is a multiple of 16.
    pub fn new(buf: &'a [u8]) -> Option<AddrList<'a>> {
        (buf.len() % 16 == 0).then_some(AddrList(buf))
    }

    /// The raw bytes.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// How many addresses.
    pub fn len(&self) -> usize {
        self.0.len() / 16
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The addresses in order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = core::net::Ipv6Addr> + use<'a> {
        self.0.chunks_exact(16).map(be::addr)
    }
}

impl core::fmt::Debug for AddrList<'_> {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

/// Serialises addresses into the byte form [`AddrList`] borrows (for emitters and tests).
pub fn addr_bytes(addrs: &[core::net::Ipv6Addr]) -> Vec<u8> {
    addrs.iter().flat_map(|a| a.octets()).collect()
}
