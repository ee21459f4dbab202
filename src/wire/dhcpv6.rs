//! Temporary stand-in.
#![allow(missing_docs)]
pub const CLIENT_PORT: u16 = 546;
pub const SERVER_PORT: u16 = 547;
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dhcpv6Repr<'a>(pub &'a [u8]);
impl<'a> Dhcpv6Repr<'a> {
    pub fn parse(b: &'a [u8]) -> super::Result<Self> {
        Ok(Dhcpv6Repr(b))
    }
}
