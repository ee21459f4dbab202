//! DHCPv6 (RFC 8415): the client/server and relay message headers, every option
//! v6sentinel reads (with the DNS, SNTP, NTP and refresh-time options of RFC 3646,
//! RFC 4075, RFC 5908 and RFC 4242), DUIDs, and the Solicit and Information-request
//! payloads the active probes send.
//!
//! Client/server message (RFC 8415 §8):
//!
//! ```text
//!  0                   1                   2                   3
//!  0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    msg-type   |               transaction-id                  |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! .            options (variable number and length)               .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Relay-forward and Relay-reply (RFC 8415 §9):
//!
//! ```text
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! |    msg-type   |   hop-count   |                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
//! |                  link-address (16 octets)                     |
//! |                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-|
//! |                               |                               |
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               |
//! |                  peer-address (16 octets)                     |
//! |                               +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-|
//! |                               |                               .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+                               .
//! .            options (variable number and length)               .
//! +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
//! ```
//!
//! Every option is a TLV (RFC 8415 §21.1): option-code (2 octets), option-len (2 octets,
//! the length of the data only), option-data.
//!
//! A [`Dhcpv6Repr`] loses nothing: every option in order, duplicates and unknown codes
//! included, and options nested inside IA_NA, IA_TA, IA_PD, IAADDR and IAPREFIX kept
//! with their exact nesting, so that emitting a parsed repr gives back the same bytes.
//! Problems are kept apart by kind:
//! - a *framing* error in a message's option area (a header cut short, a length running
//!   past the end) stops the walk; it is recorded in [`Options::error`] and everything
//!   before it is kept. The bytes from the bad option on are not in the repr.
//! - a *content* error in one option (a wrong fixed length, a bad DUID, an odd ORO, a
//!   malformed domain name, nesting deeper than [`MAX_OPTION_DEPTH`], or a framing
//!   error inside an encapsulated option area) turns that option into
//!   [`DhcpOption::Invalid`], which keeps its raw data, and the walk goes on.

use super::dns::{DnsName, DnsNames, Padding};
use super::{AddrList, Error, Field, Layer, Mac, Rest, Result, be, need};
use core::fmt;
use core::iter::FusedIterator;
use core::net::Ipv6Addr;

/// The UDP port clients listen on (RFC 8415 §7.2).
pub const CLIENT_PORT: u16 = 546;
/// The UDP port servers and relay agents listen on (RFC 8415 §7.2).
pub const SERVER_PORT: u16 = 547;
/// All_DHCP_Relay_Agents_and_Servers, `ff02::1:2` (RFC 8415 §7.1): where clients send.
pub const ALL_DHCP_RELAY_AGENTS_AND_SERVERS: Ipv6Addr = Ipv6Addr::new(0xff02, 0, 0, 0, 0, 0, 1, 2);
/// The most Relay-forward / Relay-reply layers [`Dhcpv6Repr::innermost`] unwraps.
/// (RFC 8415 §7.6 sets HOP_COUNT_LIMIT to 8; the bound here is looser on purpose, so
/// that an over-long chain is still read.)
pub const MAX_RELAY_DEPTH: usize = 16;
/// The most option areas nested inside one another below a message's own options
/// (IA_NA → IAADDR → Status Code uses two). An encapsulating option whose content would
/// be deeper becomes [`DhcpOption::Invalid`] with [`Error::TooDeep`].
pub const MAX_OPTION_DEPTH: usize = 4;

/// Length of the client/server message header: msg-type and transaction-id.
pub const HEADER_LEN: usize = field::OPTIONS.start;
/// Length of the relay message header: msg-type, hop-count, link- and peer-address.
pub const RELAY_HEADER_LEN: usize = field::RELAY_OPTIONS.start;
/// Length of an option header: option-code and option-len.
pub const OPTION_HEADER_LEN: usize = field::OPT_DATA.start;

enum_with_unknown! {
    /// DHCPv6 message types (RFC 8415 §7.3; IANA "Message Types" registry).
    pub enum MessageType(u8) {
        /// SOLICIT: a client looks for servers (RFC 8415 §7.3).
        Solicit = 1,
        /// ADVERTISE: a server offers service (RFC 8415 §7.3).
        Advertise = 2,
        /// REQUEST (RFC 8415 §7.3).
        Request = 3,
        /// CONFIRM (RFC 8415 §7.3).
        Confirm = 4,
        /// RENEW (RFC 8415 §7.3).
        Renew = 5,
        /// REBIND (RFC 8415 §7.3).
        Rebind = 6,
        /// REPLY: a server's answer (RFC 8415 §7.3).
        Reply = 7,
        /// RELEASE (RFC 8415 §7.3).
        Release = 8,
        /// DECLINE (RFC 8415 §7.3).
        Decline = 9,
        /// RECONFIGURE: a server tells a client to renew (RFC 8415 §7.3).
        Reconfigure = 10,
        /// INFORMATION-REQUEST: stateless configuration (RFC 8415 §7.3).
        InformationRequest = 11,
        /// RELAY-FORW: a relay agent forwards a message to servers (RFC 8415 §9).
        RelayForw = 12,
        /// RELAY-REPL: a server sends a message back through a relay (RFC 8415 §9).
        RelayRepl = 13,
        /// LEASEQUERY (RFC 5007).
        LeaseQuery = 14,
        /// LEASEQUERY-REPLY (RFC 5007).
        LeaseQueryReply = 15,
        /// LEASEQUERY-DONE (RFC 5460).
        LeaseQueryDone = 16,
        /// LEASEQUERY-DATA (RFC 5460).
        LeaseQueryData = 17,
        /// RECONFIGURE-REQUEST (RFC 6977).
        ReconfigureRequest = 18,
        /// RECONFIGURE-REPLY (RFC 6977).
        ReconfigureReply = 19,
        /// DHCPV4-QUERY: DHCPv4 over DHCPv6 (RFC 7341).
        Dhcpv4Query = 20,
        /// DHCPV4-RESPONSE: DHCPv4 over DHCPv6 (RFC 7341).
        Dhcpv4Response = 21,
    }
}

impl MessageType {
    /// Whether this is Relay-forward or Relay-reply, which use the relay header
    /// (RFC 8415 §9).
    pub fn is_relay(self) -> bool {
        matches!(self, MessageType::RelayForw | MessageType::RelayRepl)
    }

    /// Whether only a server sends this type straight to a client: Advertise, Reply,
    /// Reconfigure (RFC 8415 §7.3) and DHCPv4-response (RFC 7341).
    pub fn is_server_to_client(self) -> bool {
        matches!(
            self,
            MessageType::Advertise
                | MessageType::Reply
                | MessageType::Reconfigure
                | MessageType::Dhcpv4Response
        )
    }
}

enum_with_unknown! {
    /// DHCPv6 option codes (RFC 8415 §21, RFC 3646, RFC 4075, RFC 4242, RFC 5908;
    /// IANA "Option Codes" registry).
    pub enum OptionCode(u16) {
        /// OPTION_CLIENTID (RFC 8415 §21.2).
        ClientId = 1,
        /// OPTION_SERVERID (RFC 8415 §21.3).
        ServerId = 2,
        /// OPTION_IA_NA: non-temporary addresses (RFC 8415 §21.4).
        IaNa = 3,
        /// OPTION_IA_TA: temporary addresses (RFC 8415 §21.5).
        IaTa = 4,
        /// OPTION_IAADDR (RFC 8415 §21.6).
        IaAddr = 5,
        /// OPTION_ORO: Option Request (RFC 8415 §21.7).
        Oro = 6,
        /// OPTION_PREFERENCE (RFC 8415 §21.8).
        Preference = 7,
        /// OPTION_ELAPSED_TIME (RFC 8415 §21.9).
        ElapsedTime = 8,
        /// OPTION_RELAY_MSG (RFC 8415 §21.10).
        RelayMsg = 9,
        /// OPTION_AUTH (RFC 8415 §21.11).
        Auth = 11,
        /// OPTION_UNICAST: Server Unicast (RFC 8415 §21.12).
        Unicast = 12,
        /// OPTION_STATUS_CODE (RFC 8415 §21.13).
        StatusCode = 13,
        /// OPTION_RAPID_COMMIT (RFC 8415 §21.14).
        RapidCommit = 14,
        /// OPTION_USER_CLASS (RFC 8415 §21.15).
        UserClass = 15,
        /// OPTION_VENDOR_CLASS (RFC 8415 §21.16).
        VendorClass = 16,
        /// OPTION_VENDOR_OPTS (RFC 8415 §21.17).
        VendorOpts = 17,
        /// OPTION_INTERFACE_ID (RFC 8415 §21.18).
        InterfaceId = 18,
        /// OPTION_RECONF_MSG (RFC 8415 §21.19).
        ReconfMsg = 19,
        /// OPTION_RECONF_ACCEPT (RFC 8415 §21.20).
        ReconfAccept = 20,
        /// OPTION_DNS_SERVERS (RFC 3646 §3).
        DnsServers = 23,
        /// OPTION_DOMAIN_LIST (RFC 3646 §4).
        DomainList = 24,
        /// OPTION_IA_PD: delegated prefixes (RFC 8415 §21.21).
        IaPd = 25,
        /// OPTION_IAPREFIX (RFC 8415 §21.22).
        IaPrefix = 26,
        /// OPTION_SNTP_SERVERS (RFC 4075 §4).
        SntpServers = 31,
        /// OPTION_INFORMATION_REFRESH_TIME (RFC 4242 §3; RFC 8415 §21.23).
        InformationRefreshTime = 32,
        /// OPTION_NTP_SERVER (RFC 5908 §4).
        NtpServer = 56,
        /// OPTION_SOL_MAX_RT (RFC 8415 §21.24).
        SolMaxRt = 82,
        /// OPTION_INF_MAX_RT (RFC 8415 §21.25).
        InfMaxRt = 83,
    }
}

enum_with_unknown! {
    /// Status codes of the Status Code option (RFC 8415 §21.13).
    pub enum StatusCode(u16) {
        /// Success.
        Success = 0,
        /// Failure, reason unspecified.
        UnspecFail = 1,
        /// The server has no addresses available for the IA(s).
        NoAddrsAvail = 2,
        /// The client record (binding) is unavailable.
        NoBinding = 3,
        /// The prefix of the address is not appropriate for the link.
        NotOnLink = 4,
        /// The client must use multicast to reach the server.
        UseMulticast = 5,
        /// The server has no prefixes available for the IA(s).
        NoPrefixAvail = 6,
    }
}

enum_with_unknown! {
    /// DUID types (RFC 8415 §11.1; RFC 6355 §4 for DUID-UUID).
    pub enum DuidType(u16) {
        /// DUID-LLT: link-layer address plus time (RFC 8415 §11.2).
        Llt = 1,
        /// DUID-EN: enterprise number and identifier (RFC 8415 §11.3).
        En = 2,
        /// DUID-LL: link-layer address (RFC 8415 §11.4).
        Ll = 3,
        /// DUID-UUID (RFC 6355 §4).
        Uuid = 4,
    }
}

enum_with_unknown! {
    /// Suboption codes of the NTP Server option (RFC 5908 §4).
    pub enum NtpSuboptionCode(u16) {
        /// NTP_SUBOPTION_SRV_ADDR: a unicast server address (RFC 5908 §4.1).
        SrvAddr = 1,
        /// NTP_SUBOPTION_MC_ADDR: a multicast group address (RFC 5908 §4.2).
        McAddr = 2,
        /// NTP_SUBOPTION_SRV_FQDN: a server name (RFC 5908 §4.3).
        SrvFqdn = 3,
    }
}

mod field {
    use super::{Field, Rest};

    // Client/server message (RFC 8415 §8).
    pub const MSG_TYPE: usize = 0;
    pub const TRANSACTION_ID: Field = 1..4;
    pub const OPTIONS: Rest = 4..;

    // Relay message (RFC 8415 §9).
    pub const HOP_COUNT: usize = 1;
    pub const LINK_ADDRESS: Field = 2..18;
    pub const PEER_ADDRESS: Field = 18..34;
    pub const RELAY_OPTIONS: Rest = 34..;

    // Option header (RFC 8415 §21.1); the same layout frames NTP suboptions.
    pub const OPT_CODE: Field = 0..2;
    pub const OPT_LEN: Field = 2..4;
    pub const OPT_DATA: Rest = 4..;

    // Within option data. IA_NA and IA_PD (RFC 8415 §21.4, §21.21).
    pub const IA_IAID: Field = 0..4;
    pub const IA_T1: Field = 4..8;
    pub const IA_T2: Field = 8..12;
    pub const IA_OPTIONS: Rest = 12..;
    // IA_TA (§21.5).
    pub const IA_TA_IAID: Field = 0..4;
    pub const IA_TA_OPTIONS: Rest = 4..;
    // IAADDR (§21.6).
    pub const IAADDR_ADDR: Field = 0..16;
    pub const IAADDR_PREFERRED: Field = 16..20;
    pub const IAADDR_VALID: Field = 20..24;
    pub const IAADDR_OPTIONS: Rest = 24..;
    // IAPREFIX (§21.22).
    pub const IAPREFIX_PREFERRED: Field = 0..4;
    pub const IAPREFIX_VALID: Field = 4..8;
    pub const IAPREFIX_LEN: usize = 8;
    pub const IAPREFIX_PREFIX: Field = 9..25;
    pub const IAPREFIX_OPTIONS: Rest = 25..;
    // Status Code (§21.13).
    pub const STATUS_CODE: Field = 0..2;
    pub const STATUS_MESSAGE: Rest = 2..;
    // Vendor Class and Vendor-specific Information (§21.16, §21.17).
    pub const ENTERPRISE: Field = 0..4;
    pub const VENDOR_DATA: Rest = 4..;
    // Authentication (§21.11): protocol, algorithm, RDM, 8 octets of replay detection.
    pub const AUTH_INFO: Rest = 11..;
    // Unicast (§21.12), Elapsed Time (§21.9), 32-bit times (§21.23 to §21.25).
    pub const ADDRESS: Field = 0..16;
    pub const ELAPSED: Field = 0..2;
    pub const TIME: Field = 0..4;

    // DUIDs (RFC 8415 §11; RFC 6355 §4).
    pub const DUID_TYPE: Field = 0..2;
    pub const DUID_LLT_HW_TYPE: Field = 2..4;
    pub const DUID_LLT_TIME: Field = 4..8;
    pub const DUID_LLT_LLADDR: Rest = 8..;
    pub const DUID_EN_ENTERPRISE: Field = 2..6;
    pub const DUID_EN_ID: Rest = 6..;
    pub const DUID_LL_HW_TYPE: Field = 2..4;
    pub const DUID_LL_LLADDR: Rest = 4..;
    pub const DUID_UUID: Field = 2..18;
    pub const DUID_DATA: Rest = 2..;
}

/// The bytes of `r`, or none if `b` is too short.
fn get(b: &[u8], r: Field) -> &[u8] {
    b.get(r).unwrap_or_default()
}

/// The bytes from `r.start` on, or none if `b` is too short.
fn rest(b: &[u8], r: Rest) -> &[u8] {
    b.get(r).unwrap_or_default()
}

/// The bytes of `r`, writable, or none if `b` is too short.
fn get_mut(b: &mut [u8], r: Field) -> &mut [u8] {
    b.get_mut(r).unwrap_or_default()
}

/// The bytes from `r.start` on, writable, or none if `b` is too short.
fn rest_mut(b: &mut [u8], r: Rest) -> &mut [u8] {
    b.get_mut(r).unwrap_or_default()
}

/// Copies `src` to the start of `dst` if it fits (callers have checked that it does).
fn put_bytes(dst: &mut [u8], src: &[u8]) {
    if let Some(d) = dst.get_mut(..src.len()) {
        d.copy_from_slice(src);
    }
}

/// Reads a 24-bit big-endian value, or 0 if `b` is not three bytes.
fn u24(b: &[u8]) -> u32 {
    match b {
        [x, y, z] => u32::from_be_bytes([0, *x, *y, *z]),
        _ => 0,
    }
}

/// Splits one code-length-data TLV off the front of `buf`, whose first byte is at
/// `offset` in its container. Returns the code, the data and what follows.
fn split_tlv(buf: &[u8], offset: usize, layer: Layer) -> Result<(u16, &[u8], &[u8])> {
    let Some((header, body)) = buf.split_first_chunk::<OPTION_HEADER_LEN>() else {
        return Err(Error::Truncated {
            layer,
            need: OPTION_HEADER_LEN,
            have: buf.len(),
        });
    };
    let code = be::u16(get(header, field::OPT_CODE));
    let len = usize::from(be::u16(get(header, field::OPT_LEN)));
    match body.split_at_checked(len) {
        Some((data, tail)) => Ok((code, data, tail)),
        None => Err(Error::BadOptionLen {
            layer,
            kind: code,
            offset,
            len,
        }),
    }
}

/// A DHCPv6 transaction ID: 24 bits, shown as six lower-case hex digits
/// (RFC 8415 §8). Only the low 24 bits are emitted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Default)]
pub struct TransactionId(pub u32);

impl TransactionId {
    /// The largest transaction ID.
    pub const MAX: TransactionId = TransactionId(0x00ff_ffff);

    /// Keeps the low 24 bits of `value`.
    pub const fn new(value: u32) -> TransactionId {
        TransactionId(value & Self::MAX.0)
    }
}

impl fmt::Display for TransactionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:06x}", self.0 & Self::MAX.0)
    }
}

/// A read-only or writable view of a DHCPv6 message (the UDP payload).
#[derive(Debug, Clone)]
pub struct Packet<T: AsRef<[u8]>> {
    buffer: T,
}

impl<T: AsRef<[u8]>> Packet<T> {
    /// Wraps a buffer without checking its length.
    pub const fn new_unchecked(buffer: T) -> Packet<T> {
        Packet { buffer }
    }

    /// Wraps a buffer and checks that it holds the header its message type needs.
    pub fn new_checked(buffer: T) -> Result<Packet<T>> {
        let packet = Packet::new_unchecked(buffer);
        packet.check_len()?;
        Ok(packet)
    }

    /// Checks that the header fits: 4 bytes for a client/server message, 34 for
    /// Relay-forward and Relay-reply. Afterwards no accessor panics (none does before
    /// either: a missing field reads as zero).
    pub fn check_len(&self) -> Result<()> {
        need(Layer::Dhcpv6, self.buffer.as_ref(), self.header_len())
    }

    /// Consumes the view, returning the buffer.
    pub fn into_inner(self) -> T {
        self.buffer
    }

    /// The header length the message type calls for: [`HEADER_LEN`] or
    /// [`RELAY_HEADER_LEN`].
    pub fn header_len(&self) -> usize {
        if self.msg_type().is_relay() {
            RELAY_HEADER_LEN
        } else {
            HEADER_LEN
        }
    }

    /// The message type (RFC 8415 §8, §9).
    pub fn msg_type(&self) -> MessageType {
        MessageType::from(
            self.buffer
                .as_ref()
                .get(field::MSG_TYPE)
                .copied()
                .unwrap_or(0),
        )
    }

    /// The transaction ID of a client/server message (RFC 8415 §8). Meaningless for
    /// relay messages; for DHCPv4-query and -response these 24 bits are flags
    /// (RFC 7341).
    pub fn transaction_id(&self) -> TransactionId {
        TransactionId(u24(get(self.buffer.as_ref(), field::TRANSACTION_ID)))
    }

    /// The hop count of a relay message (RFC 8415 §9.1).
    pub fn hop_count(&self) -> u8 {
        self.buffer
            .as_ref()
            .get(field::HOP_COUNT)
            .copied()
            .unwrap_or(0)
    }

    /// The link address of a relay message (RFC 8415 §9.1): an address on the client's
    /// link, or unspecified.
    pub fn link_address(&self) -> Ipv6Addr {
        be::addr(get(self.buffer.as_ref(), field::LINK_ADDRESS))
    }

    /// The peer address of a relay message (RFC 8415 §9.1): where the relayed message
    /// came from.
    pub fn peer_address(&self) -> Ipv6Addr {
        be::addr(get(self.buffer.as_ref(), field::PEER_ADDRESS))
    }

    /// The options area: from byte 4, or from byte 34 for relay messages
    /// (RFC 8415 §8, §9).
    pub fn options(&self) -> &[u8] {
        let buf = self.buffer.as_ref();
        if self.msg_type().is_relay() {
            rest(buf, field::RELAY_OPTIONS)
        } else {
            rest(buf, field::OPTIONS)
        }
    }
}

impl<T: AsRef<[u8]> + AsMut<[u8]>> Packet<T> {
    /// Sets the message type. Set it first: it decides where the other fields are.
    pub fn set_msg_type(&mut self, msg_type: MessageType) {
        if let Some(b) = self.buffer.as_mut().get_mut(field::MSG_TYPE) {
            *b = msg_type.into();
        }
    }

    /// Sets the transaction ID (its low 24 bits).
    pub fn set_transaction_id(&mut self, id: TransactionId) {
        let [_, x, y, z] = id.0.to_be_bytes();
        put_bytes(
            get_mut(self.buffer.as_mut(), field::TRANSACTION_ID),
            &[x, y, z],
        );
    }

    /// Sets the hop count of a relay message.
    pub fn set_hop_count(&mut self, hop_count: u8) {
        if let Some(b) = self.buffer.as_mut().get_mut(field::HOP_COUNT) {
            *b = hop_count;
        }
    }

    /// Sets the link address of a relay message.
    pub fn set_link_address(&mut self, addr: Ipv6Addr) {
        be::put_addr(get_mut(self.buffer.as_mut(), field::LINK_ADDRESS), &addr);
    }

    /// Sets the peer address of a relay message.
    pub fn set_peer_address(&mut self, addr: Ipv6Addr) {
        be::put_addr(get_mut(self.buffer.as_mut(), field::PEER_ADDRESS), &addr);
    }

    /// The options area, writable.
    pub fn options_mut(&mut self) -> &mut [u8] {
        let relay = self.msg_type().is_relay();
        let buf = self.buffer.as_mut();
        if relay {
            rest_mut(buf, field::RELAY_OPTIONS)
        } else {
            rest_mut(buf, field::OPTIONS)
        }
    }
}

/// A DHCP Unique Identifier (RFC 8415 §11; RFC 6355 for DUID-UUID), borrowed from a
/// packet.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Duid<'a> {
    /// DUID-LLT (RFC 8415 §11.2).
    Llt {
        /// IANA hardware type (1 is Ethernet).
        hw_type: u16,
        /// Seconds since midnight UTC, 1 January 2000, modulo 2^32.
        time: u32,
        /// The link-layer address.
        lladdr: &'a [u8],
    },
    /// DUID-EN (RFC 8415 §11.3).
    En {
        /// The vendor's IANA private enterprise number.
        enterprise: u32,
        /// The vendor-assigned identifier.
        id: &'a [u8],
    },
    /// DUID-LL (RFC 8415 §11.4).
    Ll {
        /// IANA hardware type (1 is Ethernet).
        hw_type: u16,
        /// The link-layer address.
        lladdr: &'a [u8],
    },
    /// DUID-UUID (RFC 6355 §4).
    Uuid(&'a [u8; 16]),
    /// A DUID type this module does not decode.
    Unknown {
        /// The DUID type.
        kind: u16,
        /// Everything after the type.
        data: &'a [u8],
    },
}

impl<'a> Duid<'a> {
    /// Parses a whole DUID (RFC 8415 §11.1). Errors when it is empty, shorter than its
    /// type's fixed fields, or a DUID-UUID that is not 16 octets.
    pub fn parse(buf: &'a [u8]) -> Result<Duid<'a>> {
        let at_least = |n: usize| need(Layer::Duid, buf, n);
        at_least(field::DUID_TYPE.end)?;
        Ok(match DuidType::from(be::u16(get(buf, field::DUID_TYPE))) {
            DuidType::Llt => {
                at_least(field::DUID_LLT_LLADDR.start)?;
                Duid::Llt {
                    hw_type: be::u16(get(buf, field::DUID_LLT_HW_TYPE)),
                    time: be::u32(get(buf, field::DUID_LLT_TIME)),
                    lladdr: rest(buf, field::DUID_LLT_LLADDR),
                }
            }
            DuidType::En => {
                at_least(field::DUID_EN_ID.start)?;
                Duid::En {
                    enterprise: be::u32(get(buf, field::DUID_EN_ENTERPRISE)),
                    id: rest(buf, field::DUID_EN_ID),
                }
            }
            DuidType::Ll => {
                at_least(field::DUID_LL_LLADDR.start)?;
                Duid::Ll {
                    hw_type: be::u16(get(buf, field::DUID_LL_HW_TYPE)),
                    lladdr: rest(buf, field::DUID_LL_LLADDR),
                }
            }
            DuidType::Uuid => {
                at_least(field::DUID_UUID.end)?;
                if buf.len() > field::DUID_UUID.end {
                    return Err(Error::Malformed {
                        layer: Layer::Duid,
                        offset: field::DUID_UUID.end,
                        what: "DUID-UUID longer than 16 octets",
                    });
                }
                match <&[u8; 16]>::try_from(get(buf, field::DUID_UUID)) {
                    Ok(uuid) => Duid::Uuid(uuid),
                    Err(_) => {
                        return Err(Error::Truncated {
                            layer: Layer::Duid,
                            need: field::DUID_UUID.end,
                            have: buf.len(),
                        });
                    }
                }
            }
            DuidType::Unknown(kind) => Duid::Unknown {
                kind,
                data: rest(buf, field::DUID_DATA),
            },
        })
    }

    /// The DUID type (RFC 8415 §11.1).
    pub fn duid_type(&self) -> DuidType {
        match self {
            Duid::Llt { .. } => DuidType::Llt,
            Duid::En { .. } => DuidType::En,
            Duid::Ll { .. } => DuidType::Ll,
            Duid::Uuid(_) => DuidType::Uuid,
            Duid::Unknown { kind, .. } => DuidType::from(*kind),
        }
    }

    /// The Ethernet MAC inside a DUID-LLT or DUID-LL with hardware type 1 and a six-octet
    /// link-layer address (RFC 8415 §11.2, §11.4). It names the interface the DUID was
    /// made from, which need not be the one the message came from.
    pub fn mac(&self) -> Option<Mac> {
        match self {
            Duid::Llt {
                hw_type: 1, lladdr, ..
            }
            | Duid::Ll { hw_type: 1, lladdr }
                if lladdr.len() == 6 =>
            {
                Mac::from_bytes(lladdr)
            }
            _ => None,
        }
    }

    /// The length of the DUID in octets, type included.
    pub fn buffer_len(&self) -> usize {
        match self {
            Duid::Llt { lladdr, .. } => field::DUID_LLT_LLADDR.start + lladdr.len(),
            Duid::En { id, .. } => field::DUID_EN_ID.start + id.len(),
            Duid::Ll { lladdr, .. } => field::DUID_LL_LLADDR.start + lladdr.len(),
            Duid::Uuid(_) => field::DUID_UUID.end,
            Duid::Unknown { data, .. } => field::DUID_DATA.start + data.len(),
        }
    }

    /// Writes the DUID into the start of `buf`, which must hold
    /// [`buffer_len`](Self::buffer_len) bytes.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        need(Layer::Duid, buf, self.buffer_len())?;
        be::put_u16(get_mut(buf, field::DUID_TYPE), self.duid_type().into());
        match self {
            Duid::Llt {
                hw_type,
                time,
                lladdr,
            } => {
                be::put_u16(get_mut(buf, field::DUID_LLT_HW_TYPE), *hw_type);
                be::put_u32(get_mut(buf, field::DUID_LLT_TIME), *time);
                put_bytes(rest_mut(buf, field::DUID_LLT_LLADDR), lladdr);
            }
            Duid::En { enterprise, id } => {
                be::put_u32(get_mut(buf, field::DUID_EN_ENTERPRISE), *enterprise);
                put_bytes(rest_mut(buf, field::DUID_EN_ID), id);
            }
            Duid::Ll { hw_type, lladdr } => {
                be::put_u16(get_mut(buf, field::DUID_LL_HW_TYPE), *hw_type);
                put_bytes(rest_mut(buf, field::DUID_LL_LLADDR), lladdr);
            }
            Duid::Uuid(uuid) => put_bytes(get_mut(buf, field::DUID_UUID), &uuid[..]),
            Duid::Unknown { data, .. } => put_bytes(rest_mut(buf, field::DUID_DATA), data),
        }
        Ok(())
    }
}

impl fmt::Display for Duid<'_> {
    /// The whole DUID, type included, as colon-separated lower-case hex
    /// (`00:03:00:01:00:1a:2b:3c:4d:5e`).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut first = true;
        let mut hex = |f: &mut fmt::Formatter<'_>, bytes: &[u8]| -> fmt::Result {
            for b in bytes {
                if !first {
                    f.write_str(":")?;
                }
                first = false;
                write!(f, "{b:02x}")?;
            }
            Ok(())
        };
        hex(f, &u16::from(self.duid_type()).to_be_bytes())?;
        match self {
            Duid::Llt {
                hw_type,
                time,
                lladdr,
            } => {
                hex(f, &hw_type.to_be_bytes())?;
                hex(f, &time.to_be_bytes())?;
                hex(f, lladdr)
            }
            Duid::En { enterprise, id } => {
                hex(f, &enterprise.to_be_bytes())?;
                hex(f, id)
            }
            Duid::Ll { hw_type, lladdr } => {
                hex(f, &hw_type.to_be_bytes())?;
                hex(f, lladdr)
            }
            Duid::Uuid(uuid) => hex(f, &uuid[..]),
            Duid::Unknown { data, .. } => hex(f, data),
        }
    }
}

/// One DHCPv6 option, decoded. Variants that borrow raw bytes hold the option data
/// only (no header). Encapsulated option areas are parsed into [`Options`]; after
/// [`DhcpOption::parse`] their `error` is always `None` (a framing error inside makes
/// the encapsulating option [`Invalid`](DhcpOption::Invalid), so that nothing is lost).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DhcpOption<'a> {
    /// Client Identifier (RFC 8415 §21.2).
    ClientId(Duid<'a>),
    /// Server Identifier (RFC 8415 §21.3).
    ServerId(Duid<'a>),
    /// Identity Association for Non-temporary Addresses (RFC 8415 §21.4).
    IaNa {
        /// Identity association ID, chosen by the client.
        iaid: u32,
        /// Seconds until the client contacts the server to renew (T1).
        t1: u32,
        /// Seconds until the client contacts any server to rebind (T2).
        t2: u32,
        /// The encapsulated options (IAADDR, Status Code, ...).
        options: Options<'a>,
    },
    /// Identity Association for Temporary Addresses (RFC 8415 §21.5).
    IaTa {
        /// Identity association ID.
        iaid: u32,
        /// The encapsulated options.
        options: Options<'a>,
    },
    /// IA Address (RFC 8415 §21.6).
    IaAddr {
        /// The address.
        addr: Ipv6Addr,
        /// Preferred lifetime in seconds.
        preferred: u32,
        /// Valid lifetime in seconds.
        valid: u32,
        /// The encapsulated options (Status Code).
        options: Options<'a>,
    },
    /// Option Request: a list of 16-bit option codes (RFC 8415 §21.7); see
    /// [`requested_options`](DhcpOption::requested_options).
    Oro(&'a [u8]),
    /// Server Preference, 0 to 255 (RFC 8415 §21.8).
    Preference(u8),
    /// Elapsed Time in hundredths of a second (RFC 8415 §21.9).
    ElapsedTime(u16),
    /// Relay Message: a whole relayed DHCPv6 message (RFC 8415 §21.10).
    RelayMsg(&'a [u8]),
    /// Authentication, raw: protocol, algorithm, RDM, replay detection, information
    /// (RFC 8415 §21.11). At least 11 octets.
    Auth(&'a [u8]),
    /// Server Unicast: the address the server accepts unicast on (RFC 8415 §21.12).
    Unicast(Ipv6Addr),
    /// Status Code (RFC 8415 §21.13).
    StatusCode {
        /// The code.
        code: StatusCode,
        /// The UTF-8 message, as sent.
        message: &'a [u8],
    },
    /// Rapid Commit, no data (RFC 8415 §21.14).
    RapidCommit,
    /// User Class, raw length-prefixed class data (RFC 8415 §21.15).
    UserClass(&'a [u8]),
    /// Vendor Class (RFC 8415 §21.16).
    VendorClass {
        /// IANA private enterprise number.
        enterprise: u32,
        /// Raw length-prefixed vendor class data.
        data: &'a [u8],
    },
    /// Vendor-specific Information (RFC 8415 §21.17).
    VendorOpts {
        /// IANA private enterprise number.
        enterprise: u32,
        /// Raw vendor option data.
        data: &'a [u8],
    },
    /// Interface-Id set by a relay agent (RFC 8415 §21.18).
    InterfaceId(&'a [u8]),
    /// Reconfigure Message: the message type the client should send (RFC 8415 §21.19).
    ReconfMsg(u8),
    /// Reconfigure Accept, no data (RFC 8415 §21.20).
    ReconfAccept,
    /// DNS Recursive Name Servers (RFC 3646 §3).
    DnsServers(AddrList<'a>),
    /// Domain Search List (RFC 3646 §4).
    DomainList(DnsNames<'a>),
    /// Identity Association for Prefix Delegation (RFC 8415 §21.21).
    IaPd {
        /// Identity association ID.
        iaid: u32,
        /// T1 in seconds.
        t1: u32,
        /// T2 in seconds.
        t2: u32,
        /// The encapsulated options (IAPREFIX, Status Code, ...).
        options: Options<'a>,
    },
    /// IA Prefix (RFC 8415 §21.22).
    IaPrefix {
        /// Preferred lifetime in seconds.
        preferred: u32,
        /// Valid lifetime in seconds.
        valid: u32,
        /// Prefix length in bits, as sent (not checked against 128).
        prefix_len: u8,
        /// The prefix.
        prefix: Ipv6Addr,
        /// The encapsulated options.
        options: Options<'a>,
    },
    /// Simple Network Time Protocol servers (RFC 4075 §4).
    SntpServers(AddrList<'a>),
    /// NTP Server: raw suboptions (RFC 5908 §4), framing checked; see
    /// [`ntp_suboptions`](DhcpOption::ntp_suboptions).
    NtpServer(&'a [u8]),
    /// Information Refresh Time in seconds (RFC 4242 §3; RFC 8415 §21.23).
    InformationRefreshTime(u32),
    /// SOL_MAX_RT in seconds (RFC 8415 §21.24).
    SolMaxRt(u32),
    /// INF_MAX_RT in seconds (RFC 8415 §21.25).
    InfMaxRt(u32),
    /// An option code this module does not decode.
    Unknown {
        /// The option code.
        code: u16,
        /// The option data.
        data: &'a [u8],
    },
    /// A known option whose content is wrong, kept raw with what is wrong with it.
    Invalid {
        /// The option code.
        code: u16,
        /// The option data.
        data: &'a [u8],
        /// What is wrong. Offsets are within the enclosing option area for length and
        /// domain-name errors, within the DUID for DUID errors, and within the nested
        /// option area or NTP suboptions for their framing errors.
        error: Error,
    },
}

impl<'a> DhcpOption<'a> {
    /// Decodes option `code` with `data`, found at `offset` in an option area nested
    /// `depth` levels below a message's own options (0 for those). Never fails: a content
    /// error yields [`DhcpOption::Invalid`].
    pub fn parse(code: u16, data: &'a [u8], offset: usize, depth: usize) -> DhcpOption<'a> {
        match Self::parse_content(code, data, offset, depth) {
            Ok(option) => option,
            Err(error) => DhcpOption::Invalid { code, data, error },
        }
    }

    fn parse_content(
        code: u16,
        data: &'a [u8],
        offset: usize,
        depth: usize,
    ) -> Result<DhcpOption<'a>> {
        let bad_len = Error::BadOptionLen {
            layer: Layer::Dhcpv6Option,
            kind: code,
            offset,
            len: data.len(),
        };
        let exactly = |n: usize| {
            if data.len() == n {
                Ok(())
            } else {
                Err(bad_len)
            }
        };
        let at_least = |n: usize| {
            if data.len() >= n {
                Ok(())
            } else {
                Err(bad_len)
            }
        };
        let nested = |r: Rest| -> Result<Options<'a>> {
            if depth >= MAX_OPTION_DEPTH {
                return Err(Error::TooDeep {
                    layer: Layer::Dhcpv6Option,
                    limit: MAX_OPTION_DEPTH,
                });
            }
            let options = Options::parse(rest(data, r), depth + 1);
            match options.error {
                Some(error) => Err(error),
                None => Ok(options),
            }
        };
        Ok(match OptionCode::from(code) {
            OptionCode::ClientId => DhcpOption::ClientId(Duid::parse(data)?),
            OptionCode::ServerId => DhcpOption::ServerId(Duid::parse(data)?),
            OptionCode::IaNa => {
                at_least(field::IA_OPTIONS.start)?;
                DhcpOption::IaNa {
                    iaid: be::u32(get(data, field::IA_IAID)),
                    t1: be::u32(get(data, field::IA_T1)),
                    t2: be::u32(get(data, field::IA_T2)),
                    options: nested(field::IA_OPTIONS)?,
                }
            }
            OptionCode::IaTa => {
                at_least(field::IA_TA_OPTIONS.start)?;
                DhcpOption::IaTa {
                    iaid: be::u32(get(data, field::IA_TA_IAID)),
                    options: nested(field::IA_TA_OPTIONS)?,
                }
            }
            OptionCode::IaAddr => {
                at_least(field::IAADDR_OPTIONS.start)?;
                DhcpOption::IaAddr {
                    addr: be::addr(get(data, field::IAADDR_ADDR)),
                    preferred: be::u32(get(data, field::IAADDR_PREFERRED)),
                    valid: be::u32(get(data, field::IAADDR_VALID)),
                    options: nested(field::IAADDR_OPTIONS)?,
                }
            }
            OptionCode::Oro => {
                if data.len() % 2 != 0 {
                    return Err(bad_len);
                }
                DhcpOption::Oro(data)
            }
            OptionCode::Preference => match data {
                [preference] => DhcpOption::Preference(*preference),
                _ => return Err(bad_len),
            },
            OptionCode::ElapsedTime => {
                exactly(field::ELAPSED.end)?;
                DhcpOption::ElapsedTime(be::u16(get(data, field::ELAPSED)))
            }
            OptionCode::RelayMsg => DhcpOption::RelayMsg(data),
            OptionCode::Auth => {
                at_least(field::AUTH_INFO.start)?;
                DhcpOption::Auth(data)
            }
            OptionCode::Unicast => {
                exactly(field::ADDRESS.end)?;
                DhcpOption::Unicast(be::addr(get(data, field::ADDRESS)))
            }
            OptionCode::StatusCode => {
                at_least(field::STATUS_MESSAGE.start)?;
                DhcpOption::StatusCode {
                    code: StatusCode::from(be::u16(get(data, field::STATUS_CODE))),
                    message: rest(data, field::STATUS_MESSAGE),
                }
            }
            OptionCode::RapidCommit => {
                exactly(0)?;
                DhcpOption::RapidCommit
            }
            OptionCode::UserClass => DhcpOption::UserClass(data),
            OptionCode::VendorClass => {
                at_least(field::VENDOR_DATA.start)?;
                DhcpOption::VendorClass {
                    enterprise: be::u32(get(data, field::ENTERPRISE)),
                    data: rest(data, field::VENDOR_DATA),
                }
            }
            OptionCode::VendorOpts => {
                at_least(field::VENDOR_DATA.start)?;
                DhcpOption::VendorOpts {
                    enterprise: be::u32(get(data, field::ENTERPRISE)),
                    data: rest(data, field::VENDOR_DATA),
                }
            }
            OptionCode::InterfaceId => DhcpOption::InterfaceId(data),
            OptionCode::ReconfMsg => match data {
                [msg_type] => DhcpOption::ReconfMsg(*msg_type),
                _ => return Err(bad_len),
            },
            OptionCode::ReconfAccept => {
                exactly(0)?;
                DhcpOption::ReconfAccept
            }
            OptionCode::DnsServers => DhcpOption::DnsServers(AddrList::new(data).ok_or(bad_len)?),
            OptionCode::DomainList => DhcpOption::DomainList(DnsNames::parse(
                data,
                Padding::None,
                offset + OPTION_HEADER_LEN,
            )?),
            OptionCode::IaPd => {
                at_least(field::IA_OPTIONS.start)?;
                DhcpOption::IaPd {
                    iaid: be::u32(get(data, field::IA_IAID)),
                    t1: be::u32(get(data, field::IA_T1)),
                    t2: be::u32(get(data, field::IA_T2)),
                    options: nested(field::IA_OPTIONS)?,
                }
            }
            OptionCode::IaPrefix => {
                at_least(field::IAPREFIX_OPTIONS.start)?;
                DhcpOption::IaPrefix {
                    preferred: be::u32(get(data, field::IAPREFIX_PREFERRED)),
                    valid: be::u32(get(data, field::IAPREFIX_VALID)),
                    prefix_len: data.get(field::IAPREFIX_LEN).copied().unwrap_or(0),
                    prefix: be::addr(get(data, field::IAPREFIX_PREFIX)),
                    options: nested(field::IAPREFIX_OPTIONS)?,
                }
            }
            OptionCode::SntpServers => DhcpOption::SntpServers(AddrList::new(data).ok_or(bad_len)?),
            OptionCode::NtpServer => {
                for suboption in NtpSuboptions::new(data) {
                    suboption?;
                }
                DhcpOption::NtpServer(data)
            }
            OptionCode::InformationRefreshTime => {
                exactly(field::TIME.end)?;
                DhcpOption::InformationRefreshTime(be::u32(data))
            }
            OptionCode::SolMaxRt => {
                exactly(field::TIME.end)?;
                DhcpOption::SolMaxRt(be::u32(data))
            }
            OptionCode::InfMaxRt => {
                exactly(field::TIME.end)?;
                DhcpOption::InfMaxRt(be::u32(data))
            }
            OptionCode::Unknown(_) => DhcpOption::Unknown { code, data },
        })
    }

    /// The option code (RFC 8415 §21.1).
    pub fn code(&self) -> OptionCode {
        match self {
            DhcpOption::ClientId(_) => OptionCode::ClientId,
            DhcpOption::ServerId(_) => OptionCode::ServerId,
            DhcpOption::IaNa { .. } => OptionCode::IaNa,
            DhcpOption::IaTa { .. } => OptionCode::IaTa,
            DhcpOption::IaAddr { .. } => OptionCode::IaAddr,
            DhcpOption::Oro(_) => OptionCode::Oro,
            DhcpOption::Preference(_) => OptionCode::Preference,
            DhcpOption::ElapsedTime(_) => OptionCode::ElapsedTime,
            DhcpOption::RelayMsg(_) => OptionCode::RelayMsg,
            DhcpOption::Auth(_) => OptionCode::Auth,
            DhcpOption::Unicast(_) => OptionCode::Unicast,
            DhcpOption::StatusCode { .. } => OptionCode::StatusCode,
            DhcpOption::RapidCommit => OptionCode::RapidCommit,
            DhcpOption::UserClass(_) => OptionCode::UserClass,
            DhcpOption::VendorClass { .. } => OptionCode::VendorClass,
            DhcpOption::VendorOpts { .. } => OptionCode::VendorOpts,
            DhcpOption::InterfaceId(_) => OptionCode::InterfaceId,
            DhcpOption::ReconfMsg(_) => OptionCode::ReconfMsg,
            DhcpOption::ReconfAccept => OptionCode::ReconfAccept,
            DhcpOption::DnsServers(_) => OptionCode::DnsServers,
            DhcpOption::DomainList(_) => OptionCode::DomainList,
            DhcpOption::IaPd { .. } => OptionCode::IaPd,
            DhcpOption::IaPrefix { .. } => OptionCode::IaPrefix,
            DhcpOption::SntpServers(_) => OptionCode::SntpServers,
            DhcpOption::NtpServer(_) => OptionCode::NtpServer,
            DhcpOption::InformationRefreshTime(_) => OptionCode::InformationRefreshTime,
            DhcpOption::SolMaxRt(_) => OptionCode::SolMaxRt,
            DhcpOption::InfMaxRt(_) => OptionCode::InfMaxRt,
            DhcpOption::Unknown { code, .. } | DhcpOption::Invalid { code, .. } => {
                OptionCode::from(*code)
            }
        }
    }

    /// The length of the option data (the option-len field).
    pub fn data_len(&self) -> usize {
        match self {
            DhcpOption::ClientId(duid) | DhcpOption::ServerId(duid) => duid.buffer_len(),
            DhcpOption::IaNa { options, .. } | DhcpOption::IaPd { options, .. } => {
                field::IA_OPTIONS.start + options.buffer_len()
            }
            DhcpOption::IaTa { options, .. } => field::IA_TA_OPTIONS.start + options.buffer_len(),
            DhcpOption::IaAddr { options, .. } => {
                field::IAADDR_OPTIONS.start + options.buffer_len()
            }
            DhcpOption::IaPrefix { options, .. } => {
                field::IAPREFIX_OPTIONS.start + options.buffer_len()
            }
            DhcpOption::Oro(data)
            | DhcpOption::RelayMsg(data)
            | DhcpOption::Auth(data)
            | DhcpOption::UserClass(data)
            | DhcpOption::InterfaceId(data)
            | DhcpOption::NtpServer(data)
            | DhcpOption::Unknown { data, .. }
            | DhcpOption::Invalid { data, .. } => data.len(),
            DhcpOption::Preference(_) | DhcpOption::ReconfMsg(_) => 1,
            DhcpOption::ElapsedTime(_) => field::ELAPSED.end,
            DhcpOption::Unicast(_) => field::ADDRESS.end,
            DhcpOption::StatusCode { message, .. } => field::STATUS_MESSAGE.start + message.len(),
            DhcpOption::RapidCommit | DhcpOption::ReconfAccept => 0,
            DhcpOption::VendorClass { data, .. } | DhcpOption::VendorOpts { data, .. } => {
                field::VENDOR_DATA.start + data.len()
            }
            DhcpOption::DnsServers(list) | DhcpOption::SntpServers(list) => list.as_bytes().len(),
            DhcpOption::DomainList(names) => names.as_bytes().len(),
            DhcpOption::InformationRefreshTime(_)
            | DhcpOption::SolMaxRt(_)
            | DhcpOption::InfMaxRt(_) => field::TIME.end,
        }
    }

    /// The length of the whole option, header included.
    pub fn buffer_len(&self) -> usize {
        OPTION_HEADER_LEN + self.data_len()
    }

    /// Writes the option into the start of `buf`, which must hold
    /// [`buffer_len`](Self::buffer_len) bytes. Fails if the data is longer than the
    /// 16-bit length field can say.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        let code = u16::from(self.code());
        let len = self.data_len();
        let Ok(len16) = u16::try_from(len) else {
            return Err(Error::BadOptionLen {
                layer: Layer::Dhcpv6Option,
                kind: code,
                offset: 0,
                len,
            });
        };
        need(Layer::Dhcpv6Option, buf, OPTION_HEADER_LEN + len)?;
        be::put_u16(get_mut(buf, field::OPT_CODE), code);
        be::put_u16(get_mut(buf, field::OPT_LEN), len16);
        let data = rest_mut(buf, field::OPT_DATA);
        match self {
            DhcpOption::ClientId(duid) | DhcpOption::ServerId(duid) => duid.emit(data)?,
            DhcpOption::IaNa {
                iaid,
                t1,
                t2,
                options,
            }
            | DhcpOption::IaPd {
                iaid,
                t1,
                t2,
                options,
            } => {
                be::put_u32(get_mut(data, field::IA_IAID), *iaid);
                be::put_u32(get_mut(data, field::IA_T1), *t1);
                be::put_u32(get_mut(data, field::IA_T2), *t2);
                options.emit(rest_mut(data, field::IA_OPTIONS))?;
            }
            DhcpOption::IaTa { iaid, options } => {
                be::put_u32(get_mut(data, field::IA_TA_IAID), *iaid);
                options.emit(rest_mut(data, field::IA_TA_OPTIONS))?;
            }
            DhcpOption::IaAddr {
                addr,
                preferred,
                valid,
                options,
            } => {
                be::put_addr(get_mut(data, field::IAADDR_ADDR), addr);
                be::put_u32(get_mut(data, field::IAADDR_PREFERRED), *preferred);
                be::put_u32(get_mut(data, field::IAADDR_VALID), *valid);
                options.emit(rest_mut(data, field::IAADDR_OPTIONS))?;
            }
            DhcpOption::IaPrefix {
                preferred,
                valid,
                prefix_len,
                prefix,
                options,
            } => {
                be::put_u32(get_mut(data, field::IAPREFIX_PREFERRED), *preferred);
                be::put_u32(get_mut(data, field::IAPREFIX_VALID), *valid);
                if let Some(b) = data.get_mut(field::IAPREFIX_LEN) {
                    *b = *prefix_len;
                }
                be::put_addr(get_mut(data, field::IAPREFIX_PREFIX), prefix);
                options.emit(rest_mut(data, field::IAPREFIX_OPTIONS))?;
            }
            DhcpOption::Oro(bytes)
            | DhcpOption::RelayMsg(bytes)
            | DhcpOption::Auth(bytes)
            | DhcpOption::UserClass(bytes)
            | DhcpOption::InterfaceId(bytes)
            | DhcpOption::NtpServer(bytes)
            | DhcpOption::Unknown { data: bytes, .. }
            | DhcpOption::Invalid { data: bytes, .. } => put_bytes(data, bytes),
            DhcpOption::Preference(value) | DhcpOption::ReconfMsg(value) => {
                put_bytes(data, &[*value]);
            }
            DhcpOption::ElapsedTime(time) => be::put_u16(get_mut(data, field::ELAPSED), *time),
            DhcpOption::Unicast(addr) => be::put_addr(get_mut(data, field::ADDRESS), addr),
            DhcpOption::StatusCode { code, message } => {
                be::put_u16(get_mut(data, field::STATUS_CODE), (*code).into());
                put_bytes(rest_mut(data, field::STATUS_MESSAGE), message);
            }
            DhcpOption::RapidCommit | DhcpOption::ReconfAccept => {}
            DhcpOption::VendorClass {
                enterprise,
                data: bytes,
            }
            | DhcpOption::VendorOpts {
                enterprise,
                data: bytes,
            } => {
                be::put_u32(get_mut(data, field::ENTERPRISE), *enterprise);
                put_bytes(rest_mut(data, field::VENDOR_DATA), bytes);
            }
            DhcpOption::DnsServers(list) | DhcpOption::SntpServers(list) => {
                put_bytes(data, list.as_bytes());
            }
            DhcpOption::DomainList(names) => put_bytes(data, names.as_bytes()),
            DhcpOption::InformationRefreshTime(time)
            | DhcpOption::SolMaxRt(time)
            | DhcpOption::InfMaxRt(time) => be::put_u32(get_mut(data, field::TIME), *time),
        }
        Ok(())
    }

    /// The option codes an Option Request option asks for, in order (RFC 8415 §21.7);
    /// nothing for any other option.
    pub fn requested_options(&self) -> impl ExactSizeIterator<Item = OptionCode> + use<'a> {
        let data: &'a [u8] = match self {
            DhcpOption::Oro(data) => data,
            _ => &[],
        };
        data.chunks_exact(2).map(|c| OptionCode::from(be::u16(c)))
    }

    /// The suboptions of an NTP Server option (RFC 5908 §4); nothing for any other
    /// option.
    pub fn ntp_suboptions(&self) -> NtpSuboptions<'a> {
        match self {
            DhcpOption::NtpServer(data) => NtpSuboptions::new(data),
            _ => NtpSuboptions::new(&[]),
        }
    }
}

/// Iterator over the suboptions of an NTP Server option (RFC 5908 §4), yielding the
/// code and data of each. A suboption header cut short or a length running past the
/// end is yielded once as an error (offsets within the option data), then iteration
/// stops.
#[derive(Debug, Clone)]
pub struct NtpSuboptions<'a> {
    rest: &'a [u8],
    offset: usize,
    done: bool,
}

impl<'a> NtpSuboptions<'a> {
    /// Walks the raw option data `data`.
    pub fn new(data: &'a [u8]) -> NtpSuboptions<'a> {
        NtpSuboptions {
            rest: data,
            offset: 0,
            done: false,
        }
    }
}

impl<'a> Iterator for NtpSuboptions<'a> {
    type Item = Result<(NtpSuboptionCode, &'a [u8])>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.rest.is_empty() {
            return None;
        }
        match split_tlv(self.rest, self.offset, Layer::Dhcpv6Option) {
            Ok((code, data, tail)) => {
                self.rest = tail;
                self.offset += OPTION_HEADER_LEN + data.len();
                Some(Ok((NtpSuboptionCode::from(code), data)))
            }
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}

impl FusedIterator for NtpSuboptions<'_> {}

/// A lazy walk over a raw option area, yielding each option decoded. A framing error
/// (a header cut short, a length running past the end) is yielded once, then the walk
/// stops; offsets are within the area.
#[derive(Debug, Clone)]
pub struct OptionIter<'a> {
    rest: &'a [u8],
    offset: usize,
    depth: usize,
    done: bool,
}

impl<'a> OptionIter<'a> {
    /// Walks the option area `buf`, nested `depth` levels below a message's own options
    /// (0 for those).
    pub fn new(buf: &'a [u8], depth: usize) -> OptionIter<'a> {
        OptionIter {
            rest: buf,
            offset: 0,
            depth,
            done: false,
        }
    }

    /// The offset of the next option in the area.
    pub fn offset(&self) -> usize {
        self.offset
    }
}

impl<'a> Iterator for OptionIter<'a> {
    type Item = Result<DhcpOption<'a>>;

    fn next(&mut self) -> Option<Self::Item> {
        if self.done || self.rest.is_empty() {
            return None;
        }
        match split_tlv(self.rest, self.offset, Layer::Dhcpv6Option) {
            Ok((code, data, tail)) => {
                let option = DhcpOption::parse(code, data, self.offset, self.depth);
                self.rest = tail;
                self.offset += OPTION_HEADER_LEN + data.len();
                Some(Ok(option))
            }
            Err(error) => {
                self.done = true;
                Some(Err(error))
            }
        }
    }
}

impl FusedIterator for OptionIter<'_> {}

/// A parsed option area: every option in order, and the framing error that stopped the
/// walk, if any.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Options<'a> {
    /// The options, in wire order, duplicates and unknown codes included.
    pub list: Vec<DhcpOption<'a>>,
    /// The framing error that ended the walk early: [`Error::Truncated`] for an option
    /// header cut short, [`Error::BadOptionLen`] for a length running past the end of
    /// the area. The bytes from there on are not in `list`.
    pub error: Option<Error>,
}

impl<'a> Options<'a> {
    /// A complete list, without error.
    pub fn new(list: Vec<DhcpOption<'a>>) -> Options<'a> {
        Options { list, error: None }
    }

    /// Parses the option area `buf`, nested `depth` levels below a message's own options
    /// (0 for those), up to the first framing error.
    pub fn parse(buf: &'a [u8], depth: usize) -> Options<'a> {
        let mut options = Options::default();
        for item in OptionIter::new(buf, depth) {
            match item {
                Ok(option) => options.list.push(option),
                Err(error) => options.error = Some(error),
            }
        }
        options
    }

    /// The total length of the options, headers included.
    pub fn buffer_len(&self) -> usize {
        self.list.iter().map(DhcpOption::buffer_len).sum()
    }

    /// Writes the options in order into the start of `buf`, which must hold
    /// [`buffer_len`](Self::buffer_len) bytes.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        need(Layer::Dhcpv6Option, buf, self.buffer_len())?;
        let mut at = 0;
        for option in &self.list {
            option.emit(buf.get_mut(at..).unwrap_or_default())?;
            at += option.buffer_len();
        }
        Ok(())
    }

    /// How many options.
    pub fn len(&self) -> usize {
        self.list.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.list.is_empty()
    }

    /// The options in order.
    pub fn iter(&self) -> core::slice::Iter<'_, DhcpOption<'a>> {
        self.list.iter()
    }

    /// The first option with `code`, valid or [`Invalid`](DhcpOption::Invalid).
    pub fn find(&self, code: OptionCode) -> Option<&DhcpOption<'a>> {
        self.list.iter().find(|o| o.code() == code)
    }

    /// Every option with `code`, in order.
    pub fn find_all(&self, code: OptionCode) -> impl Iterator<Item = &DhcpOption<'a>> + '_ {
        self.list.iter().filter(move |o| o.code() == code)
    }

    /// The first valid Client Identifier (RFC 8415 §21.2).
    pub fn client_id(&self) -> Option<Duid<'a>> {
        self.list.iter().find_map(|o| match o {
            DhcpOption::ClientId(duid) => Some(*duid),
            _ => None,
        })
    }

    /// The first valid Server Identifier (RFC 8415 §21.3).
    pub fn server_id(&self) -> Option<Duid<'a>> {
        self.list.iter().find_map(|o| match o {
            DhcpOption::ServerId(duid) => Some(*duid),
            _ => None,
        })
    }

    /// The first valid Status Code and its message (RFC 8415 §21.13).
    pub fn status_code(&self) -> Option<(StatusCode, &'a [u8])> {
        self.list.iter().find_map(|o| match o {
            DhcpOption::StatusCode { code, message } => Some((*code, *message)),
            _ => None,
        })
    }

    /// The first valid Server Preference (RFC 8415 §21.8).
    pub fn preference(&self) -> Option<u8> {
        self.list.iter().find_map(|o| match o {
            DhcpOption::Preference(p) => Some(*p),
            _ => None,
        })
    }

    /// The data of the first Relay Message option (RFC 8415 §21.10).
    pub fn relay_msg(&self) -> Option<&'a [u8]> {
        self.list.iter().find_map(|o| match o {
            DhcpOption::RelayMsg(msg) => Some(*msg),
            _ => None,
        })
    }
}

impl<'o, 'a> IntoIterator for &'o Options<'a> {
    type Item = &'o DhcpOption<'a>;
    type IntoIter = core::slice::Iter<'o, DhcpOption<'a>>;
    fn into_iter(self) -> Self::IntoIter {
        self.list.iter()
    }
}

/// An address leased in an IA_NA or IA_TA (RFC 8415 §21.4 to §21.6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeasedAddress {
    /// The IAID of the identity association that holds it.
    pub iaid: u32,
    /// Whether the identity association is an IA_TA (temporary addresses).
    pub temporary: bool,
    /// The address.
    pub addr: Ipv6Addr,
    /// Preferred lifetime in seconds.
    pub preferred: u32,
    /// Valid lifetime in seconds.
    pub valid: u32,
}

/// A prefix delegated in an IA_PD (RFC 8415 §21.21, §21.22).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct LeasedPrefix {
    /// The IAID of the IA_PD that holds it.
    pub iaid: u32,
    /// The prefix.
    pub prefix: Ipv6Addr,
    /// Its length in bits, as sent.
    pub prefix_len: u8,
    /// Preferred lifetime in seconds.
    pub preferred: u32,
    /// Valid lifetime in seconds.
    pub valid: u32,
}

/// A parsed DHCPv6 message, losslessly: [`emit`](Self::emit) of a parsed repr whose
/// options have no framing error gives back the parsed bytes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Dhcpv6Repr<'a> {
    /// A client/server message (RFC 8415 §8).
    Message {
        /// The message type; not Relay-forward or Relay-reply.
        msg_type: MessageType,
        /// The transaction ID.
        transaction_id: TransactionId,
        /// The options.
        options: Options<'a>,
    },
    /// A Relay-forward or Relay-reply message (RFC 8415 §9).
    Relay {
        /// [`MessageType::RelayForw`] or [`MessageType::RelayRepl`].
        msg_type: MessageType,
        /// How many relay agents have relayed this message.
        hop_count: u8,
        /// An address on the client's link, or unspecified.
        link_address: Ipv6Addr,
        /// The address the relayed message came from.
        peer_address: Ipv6Addr,
        /// The options, one of which is normally the Relay Message.
        options: Options<'a>,
    },
}

impl<'a> Dhcpv6Repr<'a> {
    /// Parses a DHCPv6 message (a UDP payload). Fails only when the fixed header is cut
    /// short; option problems are kept in [`Options::error`] and
    /// [`DhcpOption::Invalid`].
    pub fn parse(buf: &'a [u8]) -> Result<Dhcpv6Repr<'a>> {
        let packet = Packet::new_checked(buf)?;
        let msg_type = packet.msg_type();
        Ok(if msg_type.is_relay() {
            Dhcpv6Repr::Relay {
                msg_type,
                hop_count: packet.hop_count(),
                link_address: packet.link_address(),
                peer_address: packet.peer_address(),
                options: Options::parse(rest(buf, field::RELAY_OPTIONS), 0),
            }
        } else {
            Dhcpv6Repr::Message {
                msg_type,
                transaction_id: packet.transaction_id(),
                options: Options::parse(rest(buf, field::OPTIONS), 0),
            }
        })
    }

    /// The message type (RFC 8415 §7.3).
    pub fn msg_type(&self) -> MessageType {
        match self {
            Dhcpv6Repr::Message { msg_type, .. } | Dhcpv6Repr::Relay { msg_type, .. } => *msg_type,
        }
    }

    /// The transaction ID of a client/server message (RFC 8415 §8); `None` for relays.
    pub fn transaction_id(&self) -> Option<TransactionId> {
        match self {
            Dhcpv6Repr::Message { transaction_id, .. } => Some(*transaction_id),
            Dhcpv6Repr::Relay { .. } => None,
        }
    }

    /// The message's own (top-level) options.
    pub fn options(&self) -> &Options<'a> {
        match self {
            Dhcpv6Repr::Message { options, .. } | Dhcpv6Repr::Relay { options, .. } => options,
        }
    }

    /// The header length plus the options: the room [`emit`](Self::emit) needs.
    pub fn buffer_len(&self) -> usize {
        match self {
            Dhcpv6Repr::Message { options, .. } => HEADER_LEN + options.buffer_len(),
            Dhcpv6Repr::Relay { options, .. } => RELAY_HEADER_LEN + options.buffer_len(),
        }
    }

    /// Writes the message into the start of `buf`, which must hold
    /// [`buffer_len`](Self::buffer_len) bytes. Fails if the message type does not match
    /// the variant (a relay type in a `Message`, or the reverse), since the bytes would
    /// not parse back to the same repr.
    pub fn emit(&self, buf: &mut [u8]) -> Result<()> {
        need(Layer::Dhcpv6, buf, self.buffer_len())?;
        let wrong_type = Error::Malformed {
            layer: Layer::Dhcpv6,
            offset: field::MSG_TYPE,
            what: "message type does not match the header format",
        };
        let mut packet = Packet::new_unchecked(&mut *buf);
        match self {
            Dhcpv6Repr::Message {
                msg_type,
                transaction_id,
                options,
            } => {
                if msg_type.is_relay() {
                    return Err(wrong_type);
                }
                packet.set_msg_type(*msg_type);
                packet.set_transaction_id(*transaction_id);
                options.emit(packet.options_mut())
            }
            Dhcpv6Repr::Relay {
                msg_type,
                hop_count,
                link_address,
                peer_address,
                options,
            } => {
                if !msg_type.is_relay() {
                    return Err(wrong_type);
                }
                packet.set_msg_type(*msg_type);
                packet.set_hop_count(*hop_count);
                packet.set_link_address(*link_address);
                packet.set_peer_address(*peer_address);
                options.emit(packet.options_mut())
            }
        }
    }

    /// Unwraps Relay-forward / Relay-reply layers through their (first) Relay Message
    /// option (RFC 8415 §9, §21.10) down to the client/server message, and returns it
    /// with the number of relay layers (0 if `self` is not a relay). Fails with
    /// [`Error::TooDeep`] past [`MAX_RELAY_DEPTH`] layers, [`Error::Malformed`] for a relay
    /// without a Relay Message option, and with the parse error of a relayed message
    /// whose header is cut short.
    pub fn innermost(&self) -> Result<(Dhcpv6Repr<'a>, usize)> {
        let mut relayed = match self {
            Dhcpv6Repr::Message { .. } => return Ok((self.clone(), 0)),
            Dhcpv6Repr::Relay { options, .. } => Self::relayed(options)?,
        };
        let mut depth = 1;
        loop {
            let inner = Dhcpv6Repr::parse(relayed)?;
            match &inner {
                Dhcpv6Repr::Message { .. } => return Ok((inner, depth)),
                Dhcpv6Repr::Relay { options, .. } => {
                    if depth >= MAX_RELAY_DEPTH {
                        return Err(Error::TooDeep {
                            layer: Layer::Dhcpv6,
                            limit: MAX_RELAY_DEPTH,
                        });
                    }
                    relayed = Self::relayed(options)?;
                    depth += 1;
                }
            }
        }
    }

    /// The Relay Message data of a relay's options.
    fn relayed(options: &Options<'a>) -> Result<&'a [u8]> {
        options.relay_msg().ok_or(Error::Malformed {
            layer: Layer::Dhcpv6,
            offset: RELAY_HEADER_LEN,
            what: "relay message without a Relay Message option",
        })
    }

    /// The first valid Client Identifier among the top-level options (RFC 8415 §21.2).
    pub fn client_id(&self) -> Option<Duid<'a>> {
        self.options().client_id()
    }

    /// The first valid Server Identifier among the top-level options (RFC 8415 §21.3).
    pub fn server_id(&self) -> Option<Duid<'a>> {
        self.options().server_id()
    }

    /// The first valid Server Preference among the top-level options (RFC 8415 §21.8).
    pub fn preference(&self) -> Option<u8> {
        self.options().preference()
    }

    /// The first valid top-level Status Code (RFC 8415 §21.13); IA-level status codes
    /// are inside the IA options.
    pub fn status_code(&self) -> Option<(StatusCode, &'a [u8])> {
        self.options().status_code()
    }

    /// Every IAADDR inside the top-level IA_NA and IA_TA options, in order
    /// (RFC 8415 §21.4 to §21.6). For a relay, call this on [`innermost`](Self::innermost).
    pub fn addresses(&self) -> impl Iterator<Item = LeasedAddress> + '_ {
        self.options().iter().flat_map(|ia| {
            let (iaid, temporary, inner): (u32, bool, &[DhcpOption<'a>]) = match ia {
                DhcpOption::IaNa { iaid, options, .. } => (*iaid, false, &options.list),
                DhcpOption::IaTa { iaid, options } => (*iaid, true, &options.list),
                _ => (0, false, &[]),
            };
            inner.iter().filter_map(move |o| match o {
                DhcpOption::IaAddr {
                    addr,
                    preferred,
                    valid,
                    ..
                } => Some(LeasedAddress {
                    iaid,
                    temporary,
                    addr: *addr,
                    preferred: *preferred,
                    valid: *valid,
                }),
                _ => None,
            })
        })
    }

    /// Every IAPREFIX inside the top-level IA_PD options, in order (RFC 8415 §21.21,
    /// §21.22).
    pub fn prefixes(&self) -> impl Iterator<Item = LeasedPrefix> + '_ {
        self.options().iter().flat_map(|ia| {
            let (iaid, inner): (u32, &[DhcpOption<'a>]) = match ia {
                DhcpOption::IaPd { iaid, options, .. } => (*iaid, &options.list),
                _ => (0, &[]),
            };
            inner.iter().filter_map(move |o| match o {
                DhcpOption::IaPrefix {
                    preferred,
                    valid,
                    prefix_len,
                    prefix,
                    ..
                } => Some(LeasedPrefix {
                    iaid,
                    prefix: *prefix,
                    prefix_len: *prefix_len,
                    preferred: *preferred,
                    valid: *valid,
                }),
                _ => None,
            })
        })
    }

    /// The addresses of every valid top-level DNS Recursive Name Server option, in order
    /// (RFC 3646 §3).
    pub fn dns_servers(&self) -> impl Iterator<Item = Ipv6Addr> + '_ {
        // `AddrList::iter` borrows the list itself; go through its `'a` bytes instead.
        self.options().iter().flat_map(|o| {
            let bytes: &'a [u8] = match o {
                DhcpOption::DnsServers(list) => list.as_bytes(),
                _ => &[],
            };
            bytes.chunks_exact(16).map(be::addr)
        })
    }

    /// The names of every valid top-level Domain Search List option, in order
    /// (RFC 3646 §4).
    pub fn domains(&self) -> impl Iterator<Item = DnsName<'a>> + '_ {
        self.options().iter().flat_map(|o| {
            let names: Option<DnsNames<'a>> = match o {
                DhcpOption::DomainList(names) => Some(*names),
                _ => None,
            };
            names.into_iter().flat_map(|n| n.iter())
        })
    }
}

/// The ORO a probe Solicit sends: DNS servers (23) and domain list (24) (RFC 3646 §3,
/// §4), and SOL_MAX_RT (82), which RFC 8415 §21.24 says a Solicit MUST request.
const SOLICIT_ORO: [u8; 6] = [0, 23, 0, 24, 0, 82];
/// The ORO a probe Information-request sends: DNS servers, domain list, and INF_MAX_RT
/// (83), which RFC 8415 §21.25 says it MUST request.
const INFORMATION_REQUEST_ORO: [u8; 6] = [0, 23, 0, 24, 0, 83];

/// Emits a client message with `options`, or nothing if it cannot be emitted.
fn client_message(
    msg_type: MessageType,
    transaction_id: TransactionId,
    options: Vec<DhcpOption<'_>>,
) -> Vec<u8> {
    let repr = Dhcpv6Repr::Message {
        msg_type,
        transaction_id,
        options: Options::new(options),
    };
    let mut buf = vec![0; repr.buffer_len()];
    match repr.emit(&mut buf) {
        Ok(()) => buf,
        Err(_) => Vec::new(),
    }
}

/// A Solicit (RFC 8415 §18.2.1) as a UDP payload: Client ID `client_duid`, Elapsed Time
/// 0, an ORO for DNS servers, the domain list and SOL_MAX_RT, and an IA_NA with `iaid` and T1 = T2
/// = 0 (no preference). No Rapid Commit, so servers answer with Advertise and commit
/// nothing. Empty if the DUID is too long for an option (over 65,535 octets).
pub fn solicit(transaction_id: TransactionId, client_duid: Duid<'_>, iaid: u32) -> Vec<u8> {
    client_message(
        MessageType::Solicit,
        transaction_id,
        vec![
            DhcpOption::ClientId(client_duid),
            DhcpOption::ElapsedTime(0),
            DhcpOption::Oro(&SOLICIT_ORO),
            DhcpOption::IaNa {
                iaid,
                t1: 0,
                t2: 0,
                options: Options::default(),
            },
        ],
    )
}

/// An Information-request (RFC 8415 §18.2.6) as a UDP payload: Client ID `client_duid`,
/// Elapsed Time 0, and an ORO for DNS servers, the domain list and INF_MAX_RT. Empty if the DUID is
/// too long for an option.
pub fn information_request(transaction_id: TransactionId, client_duid: Duid<'_>) -> Vec<u8> {
    client_message(
        MessageType::InformationRequest,
        transaction_id,
        vec![
            DhcpOption::ClientId(client_duid),
            DhcpOption::ElapsedTime(0),
            DhcpOption::Oro(&INFORMATION_REQUEST_ORO),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    // Advertise from scapy 2.5.0 (`DHCP6_Advertise(trid=0x3a2b1c) / DHCP6OptServerId(
    // DUID_LL 00:1a:2b:3c:4d:5e) / DHCP6OptClientId(DUID_LLT 0x2d7f8a1c 52:54:00:12:34:56)
    // / DHCP6OptIA_NA(iaid=0x0c0ffee0, T1=3600, T2=5400, IAAddress 2001:db8:1::1234
    // 7200/10800 with StatusCode(0, "Assigned")) / DHCP6OptPref(255) / DHCP6OptDNSServers
    // [2001:db8::53, 2001:db8::5353] / DHCP6OptDNSDomains[example.com., lan.]`).
    // Options start at 4; option boundaries (packet offsets): 4, 18, 36, 94, 99, 135, 157.
    const ADVERTISE: [u8; 157] = [
        0x02, 0x3a, 0x2b, 0x1c, 0x00, 0x02, 0x00, 0x0a, 0x00, 0x03, 0x00, 0x01, 0x00, 0x1a, 0x2b,
        0x3c, 0x4d, 0x5e, 0x00, 0x01, 0x00, 0x0e, 0x00, 0x01, 0x00, 0x01, 0x2d, 0x7f, 0x8a, 0x1c,
        0x52, 0x54, 0x00, 0x12, 0x34, 0x56, 0x00, 0x03, 0x00, 0x36, 0x0c, 0x0f, 0xfe, 0xe0, 0x00,
        0x00, 0x0e, 0x10, 0x00, 0x00, 0x15, 0x18, 0x00, 0x05, 0x00, 0x26, 0x20, 0x01, 0x0d, 0xb8,
        0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00, 0x1c,
        0x20, 0x00, 0x00, 0x2a, 0x30, 0x00, 0x0d, 0x00, 0x0a, 0x00, 0x00, 0x41, 0x73, 0x73, 0x69,
        0x67, 0x6e, 0x65, 0x64, 0x00, 0x07, 0x00, 0x01, 0xff, 0x00, 0x17, 0x00, 0x20, 0x20, 0x01,
        0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x53, 0x20,
        0x01, 0x0d, 0xb8, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x53, 0x53,
        0x00, 0x18, 0x00, 0x12, 0x07, 0x65, 0x78, 0x61, 0x6d, 0x70, 0x6c, 0x65, 0x03, 0x63, 0x6f,
        0x6d, 0x00, 0x03, 0x6c, 0x61, 0x6e, 0x00,
    ];
    const ADVERTISE_BOUNDARIES: [usize; 7] = [4, 18, 36, 94, 99, 135, 157];

    // Relay-forward from scapy 2.5.0 (`DHCP6_RelayForward(hopcount=0,
    // linkaddr=2001:db8:1::1, peeraddr=fe80::5054:ff:fe12:3456) / DHCP6OptIfaceId(b"eth0")
    // / DHCP6OptRelayMsg(DHCP6_Solicit(trid=0xabcdef) / DHCP6OptClientId(DUID_LL
    // 52:54:00:12:34:56) / DHCP6OptElapsedTime(0) / DHCP6OptRapidCommit() /
    // DHCP6OptOptReq([23, 24]) / DHCP6OptIA_NA(iaid=1))`).
    const RELAY_FORW: [u8; 98] = [
        0x0c, 0x00, 0x20, 0x01, 0x0d, 0xb8, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
        0x00, 0x00, 0x01, 0xfe, 0x80, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x50, 0x54, 0x00, 0xff,
        0xfe, 0x12, 0x34, 0x56, 0x00, 0x12, 0x00, 0x04, 0x65, 0x74, 0x68, 0x30, 0x00, 0x09, 0x00,
        0x34, 0x01, 0xab, 0xcd, 0xef, 0x00, 0x01, 0x00, 0x0a, 0x00, 0x03, 0x00, 0x01, 0x52, 0x54,
        0x00, 0x12, 0x34, 0x56, 0x00, 0x08, 0x00, 0x02, 0x00, 0x00, 0x00, 0x0e, 0x00, 0x00, 0x00,
        0x06, 0x00, 0x04, 0x00, 0x17, 0x00, 0x18, 0x00, 0x03, 0x00, 0x0c, 0x00, 0x00, 0x00, 0x01,
        0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00,
    ];

    const SERVER_MAC: [u8; 6] = [0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e];
    const CLIENT_MAC: [u8; 6] = [0x52, 0x54, 0x00, 0x12, 0x34, 0x56];
    // 2001:db8::53 and 2001:db8::5353.
    const DNS: [u8; 32] = [
        0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x00, 0x53, 0x20, 0x01, 0x0d, 0xb8,
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x53, 0x53,
    ];
    const DOMAINS: &[u8] = b"\x07example\x03com\x00\x03lan\x00";

    fn advertise_repr() -> Dhcpv6Repr<'static> {
        Dhcpv6Repr::Message {
            msg_type: MessageType::Advertise,
            transaction_id: TransactionId(0x3a2b1c),
            options: Options::new(vec![
                DhcpOption::ServerId(Duid::Ll {
                    hw_type: 1,
                    lladdr: &SERVER_MAC,
                }),
                DhcpOption::ClientId(Duid::Llt {
                    hw_type: 1,
                    time: 0x2d7f_8a1c,
                    lladdr: &CLIENT_MAC,
                }),
                DhcpOption::IaNa {
                    iaid: 0x0c0f_fee0,
                    t1: 3600,
                    t2: 5400,
                    options: Options::new(vec![DhcpOption::IaAddr {
                        addr: "2001:db8:1::1234".parse().unwrap(),
                        preferred: 7200,
                        valid: 10800,
                        options: Options::new(vec![DhcpOption::StatusCode {
                            code: StatusCode::Success,
                            message: b"Assigned",
                        }]),
                    }]),
                },
                DhcpOption::Preference(255),
                DhcpOption::DnsServers(AddrList::new(&DNS).unwrap()),
                DhcpOption::DomainList(DnsNames::parse(DOMAINS, Padding::None, 0).unwrap()),
            ]),
        }
    }

    /// One option, header included.
    fn opt(code: u16, data: &[u8]) -> Vec<u8> {
        let mut out = code.to_be_bytes().to_vec();
        out.extend_from_slice(&u16::try_from(data.len()).unwrap().to_be_bytes());
        out.extend_from_slice(data);
        out
    }

    /// A client/server message with raw options.
    fn message(msg_type: u8, options: &[u8]) -> Vec<u8> {
        let mut out = vec![msg_type, 0x12, 0x34, 0x56];
        out.extend_from_slice(options);
        out
    }

    /// A Relay-forward around `inner`.
    fn relay_forw(hop_count: u8, inner: &[u8]) -> Vec<u8> {
        let mut out = vec![12, hop_count];
        out.extend_from_slice(&[0; 32]);
        out.extend_from_slice(&opt(9, inner));
        out
    }

    fn round_trip(repr: &Dhcpv6Repr<'_>) -> Vec<u8> {
        let mut buf = vec![0u8; repr.buffer_len()];
        repr.emit(&mut buf).unwrap();
        buf
    }

    #[test]
    fn deconstruct_advertise() {
        let packet = Packet::new_checked(&ADVERTISE[..]).unwrap();
        assert_eq!(packet.msg_type(), MessageType::Advertise);
        assert_eq!(packet.transaction_id(), TransactionId(0x3a2b1c));
        assert_eq!(packet.transaction_id().to_string(), "3a2b1c");
        assert_eq!(packet.header_len(), HEADER_LEN);
        assert_eq!(packet.options(), &ADVERTISE[4..]);

        let repr = Dhcpv6Repr::parse(&ADVERTISE).unwrap();
        assert_eq!(repr, advertise_repr());
        assert_eq!(repr.msg_type(), MessageType::Advertise);
        assert!(repr.msg_type().is_server_to_client());
        assert_eq!(repr.transaction_id(), Some(TransactionId(0x3a2b1c)));
        assert_eq!(repr.options().len(), 6);
        assert_eq!(repr.options().error, None);

        let server = repr.server_id().unwrap();
        assert_eq!(server.mac(), Some(Mac(SERVER_MAC)));
        assert_eq!(server.to_string(), "00:03:00:01:00:1a:2b:3c:4d:5e");
        let client = repr.client_id().unwrap();
        assert_eq!(client.duid_type(), DuidType::Llt);
        assert_eq!(client.mac(), Some(Mac(CLIENT_MAC)));
        assert_eq!(repr.preference(), Some(255));

        let addrs: Vec<_> = repr.addresses().collect();
        assert_eq!(
            addrs,
            [LeasedAddress {
                iaid: 0x0c0f_fee0,
                temporary: false,
                addr: "2001:db8:1::1234".parse().unwrap(),
                preferred: 7200,
                valid: 10800,
            }]
        );
        assert_eq!(repr.prefixes().count(), 0);
        let Some(DhcpOption::IaNa { options, .. }) = repr.options().find(OptionCode::IaNa) else {
            panic!("no IA_NA");
        };
        let Some(DhcpOption::IaAddr { options, .. }) = options.find(OptionCode::IaAddr) else {
            panic!("no IAADDR");
        };
        assert_eq!(
            options.status_code(),
            Some((StatusCode::Success, &b"Assigned"[..]))
        );

        let dns: Vec<String> = repr.dns_servers().map(|a| a.to_string()).collect();
        assert_eq!(dns, ["2001:db8::53", "2001:db8::5353"]);
        let domains: Vec<String> = repr.domains().map(|n| n.to_string()).collect();
        assert_eq!(domains, ["example.com", "lan"]);
    }

    #[test]
    fn construct_advertise() {
        let repr = advertise_repr();
        assert_eq!(repr.buffer_len(), ADVERTISE.len());
        assert_eq!(round_trip(&repr), ADVERTISE);
        // And parse → emit gives the same bytes.
        assert_eq!(
            round_trip(&Dhcpv6Repr::parse(&ADVERTISE).unwrap()),
            ADVERTISE
        );
        // Too small a buffer is an error, not a panic.
        let mut small = [0u8; 100];
        assert!(matches!(
            repr.emit(&mut small),
            Err(Error::Truncated { need: 157, .. })
        ));
    }

    #[test]
    fn packet_setters() {
        let mut buf = [0u8; RELAY_HEADER_LEN];
        let mut packet = Packet::new_unchecked(&mut buf[..]);
        packet.set_msg_type(MessageType::RelayRepl);
        packet.set_hop_count(3);
        packet.set_link_address("2001:db8::1".parse().unwrap());
        packet.set_peer_address("fe80::1".parse().unwrap());
        assert!(packet.options_mut().is_empty());
        let packet = Packet::new_checked(&buf[..]).unwrap();
        assert_eq!(packet.hop_count(), 3);
        assert_eq!(packet.peer_address().to_string(), "fe80::1");

        let mut buf = [0u8; 6];
        let mut packet = Packet::new_unchecked(&mut buf[..]);
        packet.set_msg_type(MessageType::Reply);
        packet.set_transaction_id(TransactionId(0xff_abcdef));
        packet.options_mut().copy_from_slice(&[0xaa, 0xbb]);
        assert_eq!(buf, [7, 0xab, 0xcd, 0xef, 0xaa, 0xbb]);
        assert_eq!(TransactionId::new(0xff_abcdef), TransactionId(0xabcdef));
        assert_eq!(TransactionId(0x42).to_string(), "000042");
    }

    #[test]
    fn unchecked_accessors_do_not_panic() {
        for buf in [&[][..], &[12][..], &[12, 1, 0x20][..], &[1, 2][..]] {
            let packet = Packet::new_unchecked(buf);
            assert!(packet.check_len().is_err());
            let _ = (
                packet.msg_type(),
                packet.transaction_id(),
                packet.hop_count(),
                packet.link_address(),
                packet.peer_address(),
                packet.options(),
            );
        }
        let mut empty: [u8; 0] = [];
        let mut packet = Packet::new_unchecked(&mut empty[..]);
        packet.set_msg_type(MessageType::RelayForw);
        packet.set_transaction_id(TransactionId(1));
        packet.set_link_address(Ipv6Addr::LOCALHOST);
        assert!(packet.options_mut().is_empty());
    }

    #[test]
    fn relay_forward_unwraps() {
        let packet = Packet::new_checked(&RELAY_FORW[..]).unwrap();
        assert_eq!(packet.header_len(), RELAY_HEADER_LEN);
        assert_eq!(packet.link_address().to_string(), "2001:db8:1::1");
        assert_eq!(packet.peer_address().to_string(), "fe80::5054:ff:fe12:3456");

        let repr = Dhcpv6Repr::parse(&RELAY_FORW).unwrap();
        let Dhcpv6Repr::Relay {
            msg_type,
            hop_count,
            options,
            ..
        } = &repr
        else {
            panic!("not a relay: {repr:?}");
        };
        assert_eq!(*msg_type, MessageType::RelayForw);
        assert_eq!(*hop_count, 0);
        assert_eq!(options.list[0], DhcpOption::InterfaceId(b"eth0"));
        assert_eq!(repr.transaction_id(), None);
        assert_eq!(round_trip(&repr), RELAY_FORW);

        let (inner, depth) = repr.innermost().unwrap();
        assert_eq!(depth, 1);
        assert_eq!(inner.msg_type(), MessageType::Solicit);
        assert_eq!(inner.transaction_id(), Some(TransactionId(0xabcdef)));
        assert_eq!(inner.client_id().unwrap().mac(), Some(Mac(CLIENT_MAC)));
        assert!(inner.options().find(OptionCode::RapidCommit).is_some());
        assert_eq!(round_trip(&inner), RELAY_FORW[46..]);

        // A client/server message is its own innermost message.
        let (same, depth) = inner.innermost().unwrap();
        assert_eq!((same, depth), (inner.clone(), 0));
    }

    #[test]
    fn nested_relays_are_bounded() {
        let mut msg = RELAY_FORW[46..].to_vec();
        for hop in 0..MAX_RELAY_DEPTH {
            msg = relay_forw(hop as u8, &msg);
        }
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        let (inner, depth) = repr.innermost().unwrap();
        assert_eq!(depth, MAX_RELAY_DEPTH);
        assert_eq!(inner.msg_type(), MessageType::Solicit);

        let msg = relay_forw(16, &msg);
        assert_eq!(
            Dhcpv6Repr::parse(&msg).unwrap().innermost(),
            Err(Error::TooDeep {
                layer: Layer::Dhcpv6,
                limit: MAX_RELAY_DEPTH
            })
        );
    }

    #[test]
    fn relay_without_message() {
        let mut msg = RELAY_FORW[..42].to_vec(); // header and Interface-Id only
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        assert!(matches!(
            repr.innermost(),
            Err(Error::Malformed {
                layer: Layer::Dhcpv6,
                ..
            })
        ));
        // A relayed message whose header is cut short.
        msg.extend_from_slice(&opt(9, &[1, 2]));
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        assert!(matches!(
            repr.innermost(),
            Err(Error::Truncated {
                layer: Layer::Dhcpv6,
                need: 4,
                have: 2
            })
        ));
    }

    #[test]
    fn short_buffers_at_every_cut() {
        let full = advertise_repr();
        let Dhcpv6Repr::Message {
            options: full_options,
            ..
        } = &full
        else {
            unreachable!()
        };
        for cut in 0..=ADVERTISE.len() {
            let buf = &ADVERTISE[..cut];
            let Ok(repr) = Dhcpv6Repr::parse(buf) else {
                assert!(cut < HEADER_LEN, "cut {cut}");
                assert_eq!(
                    Dhcpv6Repr::parse(buf),
                    Err(Error::Truncated {
                        layer: Layer::Dhcpv6,
                        need: 4,
                        have: cut
                    })
                );
                continue;
            };
            let options = repr.options();
            let kept = ADVERTISE_BOUNDARIES[1..]
                .iter()
                .filter(|&&b| b <= cut)
                .count();
            assert_eq!(options.list[..], full_options.list[..kept], "cut {cut}");
            let boundary = ADVERTISE_BOUNDARIES[kept];
            let area_offset = boundary - HEADER_LEN;
            if cut == boundary {
                assert_eq!(options.error, None, "cut {cut}");
                assert_eq!(round_trip(&repr), buf);
            } else if cut - boundary < OPTION_HEADER_LEN {
                assert_eq!(
                    options.error,
                    Some(Error::Truncated {
                        layer: Layer::Dhcpv6Option,
                        need: 4,
                        have: cut - boundary
                    }),
                    "cut {cut}"
                );
            } else {
                assert!(
                    matches!(
                        options.error,
                        Some(Error::BadOptionLen { layer: Layer::Dhcpv6Option, offset, .. })
                            if offset == area_offset
                    ),
                    "cut {cut}: {:?}",
                    options.error
                );
            }
            // What was kept re-emits as the bytes it came from.
            assert_eq!(round_trip(&repr), ADVERTISE[..boundary]);
        }
    }

    #[test]
    fn zero_length_options() {
        let mut options = opt(14, &[]); // Rapid Commit
        options.extend(opt(20, &[])); // Reconfigure Accept
        options.extend(opt(7, &[])); // Preference needs one octet
        options.extend(opt(1, &[])); // an empty DUID is an error
        options.extend(opt(0xfff0, &[])); // unknown, empty
        options.extend(opt(23, &[])); // no DNS servers: a multiple of 16
        let msg = message(7, &options);
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        let list = &repr.options().list;
        assert_eq!(list[0], DhcpOption::RapidCommit);
        assert_eq!(list[1], DhcpOption::ReconfAccept);
        assert!(matches!(
            list[2],
            DhcpOption::Invalid {
                code: 7,
                error: Error::BadOptionLen {
                    kind: 7,
                    offset: 8,
                    len: 0,
                    ..
                },
                ..
            }
        ));
        assert!(matches!(
            list[3],
            DhcpOption::Invalid {
                code: 1,
                error: Error::Truncated {
                    layer: Layer::Duid,
                    ..
                },
                ..
            }
        ));
        assert_eq!(
            list[4],
            DhcpOption::Unknown {
                code: 0xfff0,
                data: &[]
            }
        );
        assert!(matches!(&list[5], DhcpOption::DnsServers(l) if l.is_empty()));
        assert_eq!(repr.options().error, None);
        assert_eq!(round_trip(&repr), msg);
        // Rapid Commit with data is invalid, and kept.
        let msg = message(2, &opt(14, &[0]));
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        assert!(matches!(
            repr.options().list[0],
            DhcpOption::Invalid { code: 14, .. }
        ));
        assert_eq!(round_trip(&repr), msg);
    }

    #[test]
    fn option_length_past_end() {
        let mut options = opt(7, &[10]);
        options.extend(opt(0xabcd, &[1, 2, 3]));
        options.extend_from_slice(&[0x00, 0x02, 0x00, 0x20, 0x00, 0x03]); // Server ID, 32 claimed
        let msg = message(2, &options);
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        assert_eq!(repr.options().len(), 2);
        assert_eq!(repr.preference(), Some(10));
        assert_eq!(
            repr.options().error,
            Some(Error::BadOptionLen {
                layer: Layer::Dhcpv6Option,
                kind: 2,
                offset: 12,
                len: 32
            })
        );

        // The lazy iterator yields the error once, then stops.
        let mut iter = OptionIter::new(&options, 0);
        assert!(matches!(iter.next(), Some(Ok(DhcpOption::Preference(10)))));
        assert!(matches!(iter.next(), Some(Ok(DhcpOption::Unknown { .. }))));
        assert_eq!(iter.offset(), 12);
        assert!(matches!(
            iter.next(),
            Some(Err(Error::BadOptionLen { kind: 2, .. }))
        ));
        assert!(iter.next().is_none());
        assert!(iter.next().is_none());
    }

    #[test]
    fn nested_framing_error_is_invalid() {
        // IA_NA whose inner option claims more than the IA_NA holds.
        let mut ia = vec![0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0];
        ia.extend_from_slice(&[0x00, 0x05, 0x00, 0x30, 0xaa]);
        let msg = message(7, &opt(3, &ia));
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        assert_eq!(repr.options().error, None);
        assert!(matches!(
            repr.options().list[0],
            DhcpOption::Invalid {
                code: 3,
                error: Error::BadOptionLen {
                    kind: 5,
                    offset: 0,
                    len: 0x30,
                    ..
                },
                ..
            }
        ));
        assert_eq!(repr.addresses().count(), 0);
        assert_eq!(round_trip(&repr), msg);
    }

    #[test]
    fn option_depth_is_bounded() {
        let ia_header = [0u8, 0, 0, 9, 0, 0, 0, 1, 0, 0, 0, 2];
        let nest = |levels: usize| {
            let mut inner = opt(13, &[0, 0]);
            for _ in 0..levels {
                let mut data = ia_header.to_vec();
                data.extend(inner);
                inner = opt(3, &data);
            }
            message(7, &inner)
        };
        // Four IA_NAs inside one another: the Status Code is four areas down.
        let msg = nest(MAX_OPTION_DEPTH);
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        let mut options = repr.options();
        for _ in 0..MAX_OPTION_DEPTH {
            let Some(DhcpOption::IaNa { options: inner, .. }) = options.list.first() else {
                panic!("expected IA_NA in {options:?}");
            };
            options = inner;
        }
        assert_eq!(options.status_code(), Some((StatusCode::Success, &[][..])));
        assert_eq!(round_trip(&repr), msg);

        // One more: the innermost IA_NA becomes Invalid, and nothing is lost.
        let msg = nest(MAX_OPTION_DEPTH + 1);
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        let mut options = repr.options();
        for _ in 0..MAX_OPTION_DEPTH {
            let Some(DhcpOption::IaNa { options: inner, .. }) = options.list.first() else {
                panic!("expected IA_NA in {options:?}");
            };
            options = inner;
        }
        assert!(matches!(
            options.list[0],
            DhcpOption::Invalid {
                code: 3,
                error: Error::TooDeep {
                    layer: Layer::Dhcpv6Option,
                    limit: MAX_OPTION_DEPTH
                },
                ..
            }
        ));
        assert_eq!(round_trip(&repr), msg);
    }

    #[test]
    fn duids_of_each_type() {
        // DUID-LLT, Ethernet.
        let llt = [
            0, 1, 0, 1, 0x2d, 0x7f, 0x8a, 0x1c, 0x52, 0x54, 0, 0x12, 0x34, 0x56,
        ];
        // DUID-EN, enterprise 9 (Cisco), identifier 0a0b0c.
        let en = [0, 2, 0, 0, 0, 9, 0x0a, 0x0b, 0x0c];
        // DUID-LL, Ethernet.
        let ll = [0, 3, 0, 1, 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e];
        // DUID-LL, hardware type 6 (IEEE 802): no MAC.
        let ll6 = [0, 3, 0, 6, 0x00, 0x1a, 0x2b, 0x3c, 0x4d, 0x5e];
        // DUID-LLT, Ethernet, but an 8-octet link-layer address: no MAC.
        let llt8 = [0, 1, 0, 1, 0, 0, 0, 0, 1, 2, 3, 4, 5, 6, 7, 8];
        // DUID-UUID.
        let mut uuid = vec![0, 4];
        uuid.extend(0x10..0x20u8);
        // Unknown type 0x1234.
        let unknown = [0x12, 0x34, 0xde, 0xad];

        type Case<'c> = (&'c [u8], DuidType, Option<[u8; 6]>);
        let cases: [Case<'_>; 7] = [
            (&llt, DuidType::Llt, Some(CLIENT_MAC)),
            (&en, DuidType::En, None),
            (&ll, DuidType::Ll, Some(SERVER_MAC)),
            (&ll6, DuidType::Ll, None),
            (&llt8, DuidType::Llt, None),
            (&uuid, DuidType::Uuid, None),
            (&unknown, DuidType::Unknown(0x1234), None),
        ];
        for (bytes, kind, mac) in cases {
            let duid = Duid::parse(bytes).unwrap();
            assert_eq!(duid.duid_type(), kind);
            assert_eq!(duid.mac(), mac.map(Mac));
            assert_eq!(duid.buffer_len(), bytes.len());
            let mut out = vec![0u8; duid.buffer_len()];
            duid.emit(&mut out).unwrap();
            assert_eq!(out, bytes);
            let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            assert_eq!(duid.to_string(), hex.join(":"));
        }
        assert_eq!(
            Duid::parse(&en).unwrap(),
            Duid::En {
                enterprise: 9,
                id: &[0x0a, 0x0b, 0x0c]
            }
        );
        assert_eq!(Duid::parse(&unknown).unwrap().to_string(), "12:34:de:ad");

        // Too short for the type, empty, or a UUID of the wrong size.
        for bad in [&[][..], &[0], &llt[..7], &en[..5], &ll[..3], &uuid[..17]] {
            assert!(
                matches!(
                    Duid::parse(bad),
                    Err(Error::Truncated {
                        layer: Layer::Duid,
                        ..
                    })
                ),
                "{bad:?}"
            );
        }
        let mut long_uuid = uuid.clone();
        long_uuid.push(0);
        assert!(matches!(
            Duid::parse(&long_uuid),
            Err(Error::Malformed {
                layer: Layer::Duid,
                offset: 18,
                ..
            })
        ));
        // Type only: a valid LLT needs more; an unknown type may be empty.
        assert_eq!(
            Duid::parse(&[0, 9]).unwrap(),
            Duid::Unknown { kind: 9, data: &[] }
        );
        let mut small = [0u8; 3];
        assert!(Duid::parse(&llt).unwrap().emit(&mut small).is_err());
    }

    #[test]
    fn odd_oro_is_invalid() {
        let msg = message(11, &opt(6, &[0, 23, 0]));
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        let option = &repr.options().list[0];
        assert!(matches!(
            option,
            DhcpOption::Invalid {
                code: 6,
                error: Error::BadOptionLen { len: 3, .. },
                ..
            }
        ));
        assert_eq!(option.code(), OptionCode::Oro);
        assert_eq!(option.requested_options().count(), 0);
        assert_eq!(round_trip(&repr), msg);

        let oro = DhcpOption::parse(6, &[0, 23, 0, 24, 0x12, 0x34], 0, 0);
        let codes: Vec<OptionCode> = oro.requested_options().collect();
        assert_eq!(
            codes,
            [
                OptionCode::DnsServers,
                OptionCode::DomainList,
                OptionCode::Unknown(0x1234)
            ]
        );
    }

    #[test]
    fn bad_content_is_invalid_and_kept() {
        let mut options = opt(23, &[0; 17]); // DNS servers, not a multiple of 16
        options.extend(opt(24, &[3, b'f', b'o', b'o', 0xc0, 0x0c])); // compression pointer
        options.extend(opt(8, &[0, 0, 0])); // Elapsed Time, 3 octets
        options.extend(opt(32, &[0, 0, 0x0e, 0x10])); // Information Refresh Time 3600
        let msg = message(7, &options);
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        let list = &repr.options().list;
        assert!(matches!(list[0], DhcpOption::Invalid { code: 23, .. }));
        assert!(matches!(
            list[1],
            DhcpOption::Invalid {
                code: 24,
                error: Error::Malformed {
                    layer: Layer::DnsName,
                    offset: 29,
                    ..
                },
                ..
            }
        ));
        assert!(matches!(list[2], DhcpOption::Invalid { code: 8, .. }));
        assert_eq!(list[3], DhcpOption::InformationRefreshTime(3600));
        assert_eq!(repr.dns_servers().count(), 0);
        assert_eq!(repr.domains().count(), 0);
        assert_eq!(round_trip(&repr), msg);
    }

    #[test]
    fn prefix_delegation_and_more() {
        let mut iaprefix = vec![0, 0, 0x0e, 0x10, 0, 0, 0x1c, 0x20, 56];
        iaprefix.extend("2001:db8:ff00::".parse::<Ipv6Addr>().unwrap().octets());
        let mut ia_pd = vec![0, 0, 0, 7, 0, 0, 0, 0, 0, 0, 0, 0];
        ia_pd.extend(opt(26, &iaprefix));
        let mut ntp = opt(
            1,
            &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x7b],
        );
        ntp.extend(opt(3, b"\x03ntp\x00"));
        let mut options = opt(25, &ia_pd);
        options.extend(opt(56, &ntp));
        options.extend(opt(56, &[0, 1, 0, 9])); // suboption runs past the end
        options.extend(opt(
            31,
            &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1],
        ));
        options.extend(opt(16, &[0, 0, 0x01, 0x37, 0, 2, b'h', b'i']));
        options.extend(opt(
            12,
            &[0xfe, 0x80, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2],
        ));
        options.extend(opt(11, &[0; 10])); // Authentication needs 11 octets
        options.extend(opt(82, &[0, 0, 0x0e, 0x10]));
        let msg = message(7, &options);
        let repr = Dhcpv6Repr::parse(&msg).unwrap();
        let prefixes: Vec<_> = repr.prefixes().collect();
        assert_eq!(
            prefixes,
            [LeasedPrefix {
                iaid: 7,
                prefix: "2001:db8:ff00::".parse().unwrap(),
                prefix_len: 56,
                preferred: 3600,
                valid: 7200,
            }]
        );
        let list = &repr.options().list;
        let subs: Vec<_> = list[1].ntp_suboptions().map(Result::unwrap).collect();
        assert_eq!(subs.len(), 2);
        assert_eq!(subs[0].0, NtpSuboptionCode::SrvAddr);
        assert_eq!(subs[1], (NtpSuboptionCode::SrvFqdn, &b"\x03ntp\x00"[..]));
        assert!(matches!(list[2], DhcpOption::Invalid { code: 56, .. }));
        let mut subs = NtpSuboptions::new(&[0, 1, 0, 9]);
        assert!(matches!(subs.next(), Some(Err(Error::BadOptionLen { .. }))));
        assert!(subs.next().is_none());
        assert!(matches!(&list[3], DhcpOption::SntpServers(l) if l.len() == 1));
        assert_eq!(
            list[4],
            DhcpOption::VendorClass {
                enterprise: 311,
                data: &[0, 2, b'h', b'i']
            }
        );
        assert_eq!(list[5], DhcpOption::Unicast("fe80::2".parse().unwrap()));
        assert!(matches!(list[6], DhcpOption::Invalid { code: 11, .. }));
        assert_eq!(list[7], DhcpOption::SolMaxRt(3600));
        assert_eq!(round_trip(&repr), msg);
    }

    #[test]
    fn solicit_emitter() {
        let duid = Duid::Ll {
            hw_type: 1,
            lladdr: &CLIENT_MAC,
        };
        let bytes = solicit(TransactionId(0xabcdef), duid, 1);
        // Same as scapy's Solicit in RELAY_FORW, without its Rapid Commit, and with
        // SOL_MAX_RT (82) added to the ORO as RFC 8415 §21.24 requires.
        let mut expected = RELAY_FORW[46..70].to_vec();
        expected.extend_from_slice(&RELAY_FORW[74..]);
        assert_eq!(expected[24..28], [0, 6, 0, 4]);
        expected[27] = 6;
        expected.splice(32..32, [0, 82]);
        assert_eq!(bytes, expected);

        let repr = Dhcpv6Repr::parse(&bytes).unwrap();
        assert_eq!(repr.msg_type(), MessageType::Solicit);
        assert_eq!(repr.transaction_id(), Some(TransactionId(0xabcdef)));
        assert_eq!(repr.client_id(), Some(duid));
        let list = &repr.options().list;
        assert_eq!(list.len(), 4);
        assert_eq!(list[1], DhcpOption::ElapsedTime(0));
        let codes: Vec<_> = list[2].requested_options().collect();
        assert_eq!(
            codes,
            [
                OptionCode::DnsServers,
                OptionCode::DomainList,
                OptionCode::SolMaxRt
            ]
        );
        assert_eq!(
            list[3],
            DhcpOption::IaNa {
                iaid: 1,
                t1: 0,
                t2: 0,
                options: Options::default()
            }
        );
        assert!(repr.options().find(OptionCode::RapidCommit).is_none());
    }

    #[test]
    fn information_request_emitter() {
        let uuid = [7u8; 16];
        let duid = Duid::Uuid(&uuid);
        let bytes = information_request(TransactionId(0x010203), duid);
        assert_eq!(&bytes[..4], &[11, 1, 2, 3]);
        let repr = Dhcpv6Repr::parse(&bytes).unwrap();
        assert_eq!(repr.msg_type(), MessageType::InformationRequest);
        assert_eq!(repr.client_id(), Some(duid));
        let list = &repr.options().list;
        assert_eq!(list.len(), 3);
        assert_eq!(list[1], DhcpOption::ElapsedTime(0));
        assert_eq!(list[2], DhcpOption::Oro(&[0, 23, 0, 24, 0, 83]));
        assert_eq!(repr.options().error, None);
    }

    #[test]
    fn emit_rejects_inconsistent_reprs() {
        let repr = Dhcpv6Repr::Message {
            msg_type: MessageType::RelayForw,
            transaction_id: TransactionId(1),
            options: Options::default(),
        };
        let mut buf = vec![0u8; repr.buffer_len()];
        assert!(matches!(repr.emit(&mut buf), Err(Error::Malformed { .. })));
        let big = vec![0u8; 70_000];
        let option = DhcpOption::RelayMsg(&big);
        let mut buf = vec![0u8; option.buffer_len()];
        assert!(matches!(
            option.emit(&mut buf),
            Err(Error::BadOptionLen { len: 70_000, .. })
        ));
    }

    #[test]
    fn codes_convert() {
        assert_eq!(MessageType::from(14), MessageType::LeaseQuery);
        assert_eq!(MessageType::from(21), MessageType::Dhcpv4Response);
        assert_eq!(MessageType::from(22), MessageType::Unknown(22));
        assert!(MessageType::RelayRepl.is_relay());
        assert!(!MessageType::Reply.is_relay());
        assert_eq!(u16::from(OptionCode::NtpServer), 56);
        assert_eq!(OptionCode::from(83), OptionCode::InfMaxRt);
        assert_eq!(StatusCode::from(6), StatusCode::NoPrefixAvail);
        assert_eq!(ALL_DHCP_RELAY_AGENTS_AND_SERVERS.to_string(), "ff02::1:2");
    }

    /// Every known code with every data length up to 40: never panics, always re-emits
    /// the same bytes (valid, `Invalid` or `Unknown`).
    #[test]
    fn every_code_round_trips() {
        let data: Vec<u8> = (0..40u8).map(|i| i.wrapping_mul(37) | 1).collect();
        for code in 0..=90u16 {
            for len in 0..=data.len() {
                let option = DhcpOption::parse(code, &data[..len], 0, 0);
                assert_eq!(option.code(), OptionCode::from(code));
                let mut out = vec![0u8; option.buffer_len()];
                option.emit(&mut out).unwrap();
                assert_eq!(out, opt(code, &data[..len]), "code {code} len {len}");
            }
        }
    }

    /// Random mutations of the fixtures: parsing never panics, and when the option walk
    /// completes the repr re-emits the input exactly.
    #[test]
    fn mutated_fixtures_round_trip() {
        let mut state = 0x2545_f491_4f6c_dd1du64;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for i in 0..4000 {
            let mut buf = if i % 2 == 0 {
                ADVERTISE.to_vec()
            } else {
                RELAY_FORW.to_vec()
            };
            for _ in 0..(next() % 4 + 1) {
                let at = (next() % buf.len() as u64) as usize;
                buf[at] = next() as u8;
            }
            let cut = buf.len() - (next() % 8) as usize;
            let buf = &buf[..cut];
            let Ok(repr) = Dhcpv6Repr::parse(buf) else {
                continue;
            };
            let _ = repr.innermost();
            let _ = (repr.addresses().count(), repr.domains().count());
            if repr.options().error.is_none() {
                assert_eq!(repr.buffer_len(), buf.len());
                assert_eq!(round_trip(&repr), buf);
            }
        }
    }
}
