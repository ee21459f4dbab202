//! IPv6 prefixes (`addr/len`): the provider tables' unit, and what `--allow` and the
//! detector compare advertised prefixes against.

use core::fmt;
use core::net::Ipv6Addr;
use core::str::FromStr;

/// An IPv6 prefix: an address whose bits past `len` are zero, and a length 0..=128.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix {
    addr: Ipv6Addr,
    len: u8,
}

/// The mask of the first `len` bits of a 128-bit value (`len` ≤ 128).
const fn mask(len: u8) -> u128 {
    if len == 0 {
        0
    } else {
        u128::MAX << (128 - len as u32)
    }
}

// `len()` is the prefix length, named as the issue asks; a prefix is never "empty".
#[allow(clippy::len_without_is_empty)]
impl Prefix {
    /// `addr/len` with the host bits of `addr` cleared; `None` if `len` > 128.
    pub const fn new(addr: Ipv6Addr, len: u8) -> Option<Prefix> {
        if len > 128 {
            return None;
        }
        let bits = addr.to_bits() & mask(len);
        Some(Prefix {
            addr: Ipv6Addr::from_bits(bits),
            len,
        })
    }

    /// The network address (host bits zero).
    pub const fn addr(&self) -> Ipv6Addr {
        self.addr
    }

    /// The prefix length in bits.
    pub const fn len(&self) -> u8 {
        self.len
    }

    /// Whether `addr` lies inside this prefix.
    pub const fn contains_addr(&self, addr: &Ipv6Addr) -> bool {
        addr.to_bits() & mask(self.len) == self.addr.to_bits()
    }

    /// Whether `other` lies wholly inside this prefix (a prefix contains itself).
    pub const fn contains(&self, other: &Prefix) -> bool {
        other.len >= self.len && self.contains_addr(&other.addr)
    }

    /// Whether the prefix lies inside fc00::/7, the unique local addresses
    /// (RFC 4193) Thread border routers advertise.
    pub const fn is_ula(&self) -> bool {
        const ULA: Prefix = Prefix {
            addr: Ipv6Addr::new(0xfc00, 0, 0, 0, 0, 0, 0, 0),
            len: 7,
        };
        ULA.contains(self)
    }

    /// Whether the prefix lies inside fe80::/10, the link-local unicast addresses
    /// (RFC 4291 §2.5.6), which a Prefix Information option must not carry.
    pub const fn is_link_local(&self) -> bool {
        const LINK_LOCAL: Prefix = Prefix {
            addr: Ipv6Addr::new(0xfe80, 0, 0, 0, 0, 0, 0, 0),
            len: 10,
        };
        LINK_LOCAL.contains(self)
    }

    /// Parses `addr/len` like [`FromStr`] does, but refuses an address with host bits
    /// set (`2001:db8::1/32`): in a rules file that is a typing error.
    pub fn from_str_exact(s: &str) -> Result<Prefix, ParsePrefixError> {
        let (addr, len) = split(s)?;
        let prefix = Prefix::new(addr, len).ok_or(ParsePrefixError::BadLength)?;
        if prefix.addr != addr {
            return Err(ParsePrefixError::HostBits(prefix));
        }
        Ok(prefix)
    }
}

/// Why a string is not an IPv6 prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ParsePrefixError {
    /// No `/`.
    #[error("missing the prefix length: expected ADDR/LEN, e.g. 2001:c90::/32")]
    MissingLength,
    /// The part before `/` is not an IPv6 address.
    #[error("not an IPv6 address before the '/': expected ADDR/LEN, e.g. 2001:c90::/32")]
    BadAddress,
    /// The part after `/` is not a number from 0 to 128.
    #[error("the prefix length must be a number from 0 to 128")]
    BadLength,
    /// Bits past the prefix length are set (only [`Prefix::from_str_exact`]).
    #[error("host bits are set after the prefix length; did you mean {0}?")]
    HostBits(Prefix),
}

fn split(s: &str) -> Result<(Ipv6Addr, u8), ParsePrefixError> {
    let (addr, len) = s
        .trim()
        .split_once('/')
        .ok_or(ParsePrefixError::MissingLength)?;
    let addr: Ipv6Addr = addr.parse().map_err(|_| ParsePrefixError::BadAddress)?;
    if len.is_empty() || !len.bytes().all(|b| b.is_ascii_digit()) {
        return Err(ParsePrefixError::BadLength);
    }
    let len: u8 = len.parse().map_err(|_| ParsePrefixError::BadLength)?;
    Ok((addr, len))
}

impl FromStr for Prefix {
    type Err = ParsePrefixError;

    /// Parses `2001:c90::/32`. Host bits are cleared, as [`Prefix::new`] does:
    /// `2001:db8::1/64` reads as `2001:db8::/64`.
    fn from_str(s: &str) -> Result<Prefix, ParsePrefixError> {
        let (addr, len) = split(s)?;
        Prefix::new(addr, len).ok_or(ParsePrefixError::BadLength)
    }
}

impl fmt::Display for Prefix {
    /// `addr/len` with the address in RFC 5952 form.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.addr, self.len)
    }
}

impl fmt::Debug for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prefix({self})")
    }
}

impl serde::Serialize for Prefix {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Prefix {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Prefix, D::Error> {
        let s = <std::borrow::Cow<'de, str>>::deserialize(deserializer)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Prefix {
        s.parse().unwrap()
    }

    #[test]
    fn parse_and_display() {
        let x = p("2001:0C90:0000::/32");
        assert_eq!(x.to_string(), "2001:c90::/32");
        assert_eq!(x.len(), 32);
        assert_eq!(x.addr(), "2001:c90::".parse::<Ipv6Addr>().unwrap());
        assert_eq!(p("2001:db8::1/64").to_string(), "2001:db8::/64");
        assert_eq!(p("::/0").to_string(), "::/0");
        assert_eq!(p("2001:db8::1/128").to_string(), "2001:db8::1/128");
        assert_eq!(
            "2001:db8::".parse::<Prefix>(),
            Err(ParsePrefixError::MissingLength)
        );
        assert_eq!(
            "2001:db8::/129".parse::<Prefix>(),
            Err(ParsePrefixError::BadLength)
        );
        assert_eq!(
            "2001:db8::/+3".parse::<Prefix>(),
            Err(ParsePrefixError::BadLength)
        );
        assert_eq!(
            "192.0.2.0/24".parse::<Prefix>(),
            Err(ParsePrefixError::BadAddress)
        );
        assert_eq!(
            Prefix::from_str_exact("2001:c90::1/32"),
            Err(ParsePrefixError::HostBits(p("2001:c90::/32")))
        );
        assert_eq!(
            ParsePrefixError::HostBits(p("2001:c90::/32")).to_string(),
            "host bits are set after the prefix length; did you mean 2001:c90::/32?"
        );
        assert_eq!(Prefix::from_str_exact("2408::/22"), Ok(p("2408::/22")));
        assert_eq!(Prefix::new(Ipv6Addr::UNSPECIFIED, 129), None);
    }

    #[test]
    fn containment() {
        let ngn = p("2408::/22");
        assert!(ngn.contains(&p("2408:210:1234:5600::/56")));
        assert!(ngn.contains(&p("2408:3ff::/32")));
        assert!(!ngn.contains(&p("2408:400::/32")));
        assert!(!ngn.contains(&p("2408::/21")));
        assert!(ngn.contains(&ngn));
        assert!(ngn.contains_addr(&"2408:3ff:ffff::1".parse().unwrap()));
        assert!(!ngn.contains_addr(&"2409::1".parse().unwrap()));
        assert!(p("::/0").contains(&ngn));
    }

    #[test]
    fn kinds() {
        assert!(p("fd12:3456:789a:1::/64").is_ula());
        assert!(p("fc00::/7").is_ula());
        assert!(!p("fc00::/6").is_ula());
        assert!(!p("2001:db8::/64").is_ula());
        assert!(p("fe80::/64").is_link_local());
        assert!(p("febf:ffff::/32").is_link_local());
        assert!(!p("fec0::/10").is_link_local());
    }

    #[test]
    fn serde_round_trip() {
        let x = p("2001:a000::/21");
        let json = serde_json::to_string(&x).unwrap();
        assert_eq!(json, "\"2001:a000::/21\"");
        assert_eq!(serde_json::from_str::<Prefix>(&json).unwrap(), x);
        assert!(serde_json::from_str::<Prefix>("\"2001:a000::\"").is_err());
    }
}
