//! DNS names in uncompressed wire form (RFC 1035 §3.1), as carried by the DNSSL option
//! (RFC 8106 §5.2) and the DHCPv6 Domain Search List (RFC 3646 §4, RFC 8415 §10).
//!
//! The rules are strict: a label is 1 to 63 octets, a name ends with the zero-length
//! root label inside its option, a whole name is at most 255 octets, and compression
//! pointers (or any length byte above 63) are errors. Octets are not restricted to
//! letters-digits-hyphen: a monitor keeps whatever was sent and escapes it on display.

use super::{Error, Layer, Result};
use core::fmt;

/// The longest name in wire form, root label included (RFC 1035 §3.1).
pub const MAX_NAME_LEN: usize = 255;
/// The longest label (RFC 1035 §2.3.4).
pub const MAX_LABEL_LEN: usize = 63;

/// One validated name in wire form, root label included.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DnsName<'a>(&'a [u8]);

impl<'a> DnsName<'a> {
    /// Reads the name at the start of `buf`; `offset` is reported in errors as the
    /// position of `buf` inside the enclosing option. Returns the name and its length.
    pub fn parse(buf: &'a [u8], offset: usize) -> Result<(DnsName<'a>, usize)> {
        let mut at = 0usize;
        loop {
            let Some(&len) = buf.get(at) else {
                return Err(Error::Malformed {
                    layer: Layer::DnsName,
                    offset: offset + at,
                    what: "name does not end with a root label",
                });
            };
            let len = usize::from(len);
            if len > MAX_LABEL_LEN {
                return Err(Error::Malformed {
                    layer: Layer::DnsName,
                    offset: offset + at,
                    what: "label longer than 63 octets or a compression pointer",
                });
            }
            at += 1 + len;
            if at > MAX_NAME_LEN {
                return Err(Error::Malformed {
                    layer: Layer::DnsName,
                    offset,
                    what: "name longer than 255 octets",
                });
            }
            if len == 0 {
                return Ok((DnsName(&buf[..at]), at));
            }
        }
    }

    /// The wire form, root label included.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.0
    }

    /// The labels, without the root label.
    pub fn labels(&self) -> Labels<'a> {
        Labels { rest: self.0 }
    }

    /// Whether this is the root name alone.
    pub fn is_root(&self) -> bool {
        self.0.len() == 1
    }
}

/// Iterator over the labels of a [`DnsName`].
#[derive(Clone, Debug)]
pub struct Labels<'a> {
    rest: &'a [u8],
}

impl<'a> Iterator for Labels<'a> {
    type Item = &'a [u8];

    fn next(&mut self) -> Option<&'a [u8]> {
        let (&len, tail) = self.rest.split_first()?;
        let len = usize::from(len);
        if len == 0 || tail.len() < len {
            self.rest = &[];
            return None;
        }
        let (label, rest) = tail.split_at(len);
        self.rest = rest;
        Some(label)
    }
}

impl fmt::Display for DnsName<'_> {
    /// Dotted presentation form without the trailing dot (`.` for the root); octets other
    /// than letters, digits, `-` and `_` are escaped as `\DDD` (RFC 4343 §2.1).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.is_root() {
            return f.write_str(".");
        }
        for (i, label) in self.labels().enumerate() {
            if i > 0 {
                f.write_str(".")?;
            }
            for &b in label {
                if b.is_ascii_alphanumeric() || b == b'-' || b == b'_' {
                    write!(f, "{}", b as char)?;
                } else {
                    write!(f, "\\{b:03}")?;
                }
            }
        }
        Ok(())
    }
}

impl fmt::Debug for DnsName<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DnsName({self})")
    }
}

/// How a list of names ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Padding {
    /// The names fill the buffer exactly (DHCPv6 Domain Search List).
    None,
    /// Zero octets may follow the last name (DNSSL, RFC 8106 §5.2); a zero where a name
    /// would start begins the padding.
    Zeros,
}

/// A validated list of names: every name parses and the padding, if any, is all zeros.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct DnsNames<'a> {
    buf: &'a [u8],
    padding: Padding,
}

impl<'a> DnsNames<'a> {
    /// Validates `buf` as a list of names. `offset` locates `buf` in errors.
    pub fn parse(buf: &'a [u8], padding: Padding, offset: usize) -> Result<DnsNames<'a>> {
        let mut at = 0;
        while at < buf.len() {
            if padding == Padding::Zeros && buf[at] == 0 {
                if let Some(i) = buf[at..].iter().position(|&b| b != 0) {
                    return Err(Error::Malformed {
                        layer: Layer::DnsName,
                        offset: offset + at + i,
                        what: "non-zero octet in the padding after the last name",
                    });
                }
                break;
            }
            let (_, len) = DnsName::parse(&buf[at..], offset + at)?;
            at += len;
        }
        Ok(DnsNames { buf, padding })
    }

    /// The raw bytes, padding included.
    pub fn as_bytes(&self) -> &'a [u8] {
        self.buf
    }

    /// The names in order.
    pub fn iter(&self) -> DnsNameIter<'a> {
        DnsNameIter {
            rest: self.buf,
            padding: self.padding,
        }
    }
}

impl fmt::Debug for DnsNames<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_list().entries(self.iter()).finish()
    }
}

impl<'a> IntoIterator for &DnsNames<'a> {
    type Item = DnsName<'a>;
    type IntoIter = DnsNameIter<'a>;
    fn into_iter(self) -> DnsNameIter<'a> {
        self.iter()
    }
}

/// Iterator over the names of a validated [`DnsNames`].
#[derive(Clone, Debug)]
pub struct DnsNameIter<'a> {
    rest: &'a [u8],
    padding: Padding,
}

impl<'a> Iterator for DnsNameIter<'a> {
    type Item = DnsName<'a>;

    fn next(&mut self) -> Option<DnsName<'a>> {
        if self.rest.is_empty() || (self.padding == Padding::Zeros && self.rest[0] == 0) {
            return None;
        }
        match DnsName::parse(self.rest, 0) {
            Ok((name, len)) => {
                self.rest = &self.rest[len..];
                Some(name)
            }
            Err(_) => {
                self.rest = &[];
                None
            }
        }
    }
}

/// Encodes dotted names (`"example.com"`) into wire form, for emitters and tests.
/// Returns `None` when a label is empty or longer than 63 octets or a name is too long.
pub fn encode_names<'s>(names: impl IntoIterator<Item = &'s str>) -> Option<Vec<u8>> {
    let mut out = Vec::new();
    for name in names {
        let start = out.len();
        let trimmed = name.strip_suffix('.').unwrap_or(name);
        if !trimmed.is_empty() {
            for label in trimmed.split('.') {
                if label.is_empty() || label.len() > MAX_LABEL_LEN {
                    return None;
                }
                out.push(label.len() as u8);
                out.extend_from_slice(label.as_bytes());
            }
        }
        out.push(0);
        if out.len() - start > MAX_NAME_LEN {
            return None;
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_with_padding() {
        let mut buf = encode_names(["example.com", "lan"]).unwrap();
        buf.extend_from_slice(&[0, 0, 0]);
        let names = DnsNames::parse(&buf, Padding::Zeros, 0).unwrap();
        let shown: Vec<String> = names.iter().map(|n| n.to_string()).collect();
        assert_eq!(shown, ["example.com", "lan"]);
    }

    #[test]
    fn pointer_is_rejected() {
        let buf = [3, b'f', b'o', b'o', 0xc0, 0x0c];
        assert!(matches!(
            DnsNames::parse(&buf, Padding::None, 8),
            Err(Error::Malformed { offset: 12, .. })
        ));
    }

    #[test]
    fn unterminated_is_rejected() {
        let buf = [3, b'f', b'o', b'o'];
        assert!(DnsNames::parse(&buf, Padding::None, 0).is_err());
        assert!(DnsNames::parse(&[2, b'a'], Padding::Zeros, 0).is_err());
    }

    #[test]
    fn nonzero_padding_is_rejected() {
        let buf = [1, b'a', 0, 0, 7];
        assert!(DnsNames::parse(&buf, Padding::Zeros, 0).is_err());
    }

    #[test]
    fn long_name_is_rejected() {
        let mut buf = Vec::new();
        for _ in 0..5 {
            buf.push(63);
            buf.extend_from_slice(&[b'a'; 63]);
        }
        buf.push(0);
        assert!(DnsName::parse(&buf, 0).is_err());
    }

    #[test]
    fn escapes_on_display() {
        let buf = [3, b'a', b'.', b' ', 0];
        let (name, _) = DnsName::parse(&buf, 0).unwrap();
        assert_eq!(name.to_string(), "a\\046\\032");
    }
}
