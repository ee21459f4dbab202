//! Reading pcap and pcapng files (through the `pcap-parser` crate) and turning each
//! record's link layer into something [`crate::wire`] dissects: Ethernet, Linux cooked
//! capture v1 / v2, or bare IPv6.

use crate::wire::{self, Dissected, Mac};
use pcap_parser::{PcapBlockOwned, PcapError};
use std::io::Read;
use std::path::{Path, PathBuf};

/// Link types read (tcpdump.org "LINK-LAYER HEADER TYPES").
pub mod linktype {
    /// Ethernet II.
    pub const ETHERNET: i32 = 1;
    /// Raw IP (version from the first nibble).
    pub const RAW: i32 = 101;
    /// Linux cooked capture v1 (`tcpdump -i any`).
    pub const LINUX_SLL: i32 = 113;
    /// Raw IPv6.
    pub const IPV6: i32 = 229;
    /// Linux cooked capture v2.
    pub const LINUX_SLL2: i32 = 276;
}

/// Why a capture file could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum FileError {
    /// The file could not be opened or read.
    #[error("{path}: {source}")]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Neither a pcap nor a pcapng file.
    #[error("{path}: not a pcap or pcapng file")]
    NotACapture {
        /// The file.
        path: PathBuf,
    },
    /// The file ends in the middle of a record, or a record is malformed.
    #[error("{path}: malformed or truncated after {records} records: {what}")]
    Malformed {
        /// The file.
        path: PathBuf,
        /// Records read before the problem.
        records: u64,
        /// What went wrong.
        what: String,
    },
}

/// One captured record.
#[derive(Debug, Clone, Copy)]
pub struct Record<'a> {
    /// Capture time in microseconds since the Unix epoch.
    pub ts_micros: i64,
    /// The link type of the interface it was captured on.
    pub linktype: i32,
    /// The captured bytes (possibly fewer than were on the wire).
    pub data: &'a [u8],
    /// The length on the wire.
    pub orig_len: u32,
}

/// What reading a file counted.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct FileStats {
    /// Packet records read.
    pub records: u64,
}

/// The largest record accepted; larger ones are reported as malformed.
const MAX_BUFFER: usize = 16 << 20;

/// Reads every record of a pcap or pcapng file, in order, and hands it to `on_record`.
pub fn read_file(path: &Path, on_record: impl FnMut(Record<'_>)) -> Result<FileStats, FileError> {
    let file = std::fs::File::open(path).map_err(|source| FileError::Io {
        path: path.to_owned(),
        source,
    })?;
    read(file, path, on_record)
}

/// Reads every record of a pcap or pcapng stream (see [`read_file`]); `path` names it in
/// errors.
pub fn read<R: Read + Send>(
    input: R,
    path: &Path,
    mut on_record: impl FnMut(Record<'_>),
) -> Result<FileStats, FileError> {
    let malformed = |records: u64, what: String| FileError::Malformed {
        path: path.to_owned(),
        records,
        what,
    };
    let mut capacity = 1 << 20;
    let mut reader = match pcap_parser::create_reader(capacity, input) {
        Ok(r) => r,
        Err(PcapError::Eof | PcapError::HeaderNotRecognized | PcapError::Incomplete(_)) => {
            return Err(FileError::NotACapture {
                path: path.to_owned(),
            });
        }
        Err(e) => return Err(malformed(0, format!("{e:?}"))),
    };
    let mut stats = FileStats::default();
    // pcap: one link type and a timestamp unit for the file. pcapng: per interface.
    let mut legacy = (linktype::ETHERNET, 1_000u64);
    let mut interfaces: Vec<(i32, u64, i64)> = Vec::new();
    loop {
        match reader.next() {
            Ok((offset, block)) => {
                match block {
                    PcapBlockOwned::LegacyHeader(h) => {
                        let nanos = matches!(h.magic_number, 0xa1b2_3c4d | 0x4d3c_b2a1);
                        legacy = (h.network.0, if nanos { 1 } else { 1_000 });
                    }
                    PcapBlockOwned::Legacy(b) => {
                        stats.records += 1;
                        let ns = u64::from(b.ts_usec) * legacy.1;
                        on_record(Record {
                            ts_micros: i64::from(b.ts_sec) * 1_000_000 + (ns / 1_000) as i64,
                            linktype: legacy.0,
                            data: b.data,
                            orig_len: b.origlen,
                        });
                    }
                    PcapBlockOwned::NG(pcap_parser::Block::SectionHeader(_)) => interfaces.clear(),
                    PcapBlockOwned::NG(pcap_parser::Block::InterfaceDescription(idb)) => {
                        let resolution = idb.ts_resolution().unwrap_or(1_000_000).max(1);
                        interfaces.push((idb.linktype.0, resolution, idb.if_tsoffset));
                    }
                    PcapBlockOwned::NG(pcap_parser::Block::EnhancedPacket(epb)) => {
                        stats.records += 1;
                        let (lt, resolution, offset) = interfaces
                            .get(epb.if_id as usize)
                            .copied()
                            .unwrap_or((linktype::ETHERNET, 1_000_000, 0));
                        let ticks = (u64::from(epb.ts_high) << 32) | u64::from(epb.ts_low);
                        let micros =
                            (u128::from(ticks) * 1_000_000 / u128::from(resolution)) as i64;
                        let len = (epb.caplen as usize).min(epb.data.len());
                        on_record(Record {
                            ts_micros: micros.saturating_add(offset.saturating_mul(1_000_000)),
                            linktype: lt,
                            data: &epb.data[..len],
                            orig_len: epb.origlen,
                        });
                    }
                    PcapBlockOwned::NG(pcap_parser::Block::SimplePacket(spb)) => {
                        stats.records += 1;
                        let lt = interfaces.first().map_or(linktype::ETHERNET, |i| i.0);
                        let len = (spb.origlen as usize).min(spb.data.len());
                        on_record(Record {
                            ts_micros: 0,
                            linktype: lt,
                            data: &spb.data[..len],
                            orig_len: spb.origlen,
                        });
                    }
                    PcapBlockOwned::NG(_) => {}
                }
                reader.consume(offset);
            }
            Err(PcapError::Eof) => return Ok(stats),
            Err(PcapError::Incomplete(_)) => {
                if reader.reader_exhausted() {
                    return Err(malformed(
                        stats.records,
                        "the file ends inside a record".into(),
                    ));
                }
                reader
                    .refill()
                    .map_err(|e| malformed(stats.records, format!("{e:?}")))?;
            }
            Err(PcapError::BufferTooSmall) => {
                capacity *= 2;
                if capacity > MAX_BUFFER || !reader.grow(capacity) {
                    return Err(malformed(
                        stats.records,
                        "a record larger than 16 MiB".into(),
                    ));
                }
                reader
                    .refill()
                    .map_err(|e| malformed(stats.records, format!("{e:?}")))?;
            }
            Err(PcapError::UnexpectedEof) => {
                return Err(malformed(
                    stats.records,
                    "the file ends inside a record".into(),
                ));
            }
            Err(e) => return Err(malformed(stats.records, format!("{e:?}"))),
        }
    }
}

/// What a record's link layer carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Link<'a> {
    /// A whole Ethernet frame.
    Ethernet(&'a [u8]),
    /// A bare IPv6 packet and, for cooked captures, the sender's MAC.
    Ipv6 {
        /// The sender's MAC, when the capture recorded one.
        mac: Option<Mac>,
        /// The packet.
        packet: &'a [u8],
    },
    /// Something else: another protocol, or a link type not read.
    Other,
}

/// Unwraps one record's link layer. Cooked captures (`tcpdump -i any`) carry the
/// sender's MAC but no Ethernet header.
pub fn link(linktype: i32, data: &[u8]) -> Link<'_> {
    let be16 = |at: usize| {
        data.get(at..at + 2)
            .map(|s| u16::from_be_bytes([s[0], s[1]]))
    };
    fn cooked<'a>(mac: Option<Mac>, proto: Option<u16>, payload: Option<&'a [u8]>) -> Link<'a> {
        match (proto, payload) {
            (Some(p), Some(packet)) if p == u16::from(wire::EtherType::Ipv6) => {
                Link::Ipv6 { mac, packet }
            }
            _ => Link::Other,
        }
    }
    match linktype {
        linktype::ETHERNET => Link::Ethernet(data),
        linktype::RAW | linktype::IPV6 => match data.first() {
            Some(b) if b >> 4 == 6 => Link::Ipv6 {
                mac: None,
                packet: data,
            },
            _ => Link::Other,
        },
        linktype::LINUX_SLL => {
            // packet type, ARPHRD, address length, address (8), protocol.
            let mac = (be16(4) == Some(6))
                .then(|| data.get(6..12).and_then(Mac::from_bytes))
                .flatten();
            cooked(mac, be16(14), data.get(16..))
        }
        linktype::LINUX_SLL2 => {
            // protocol, reserved, ifindex, ARPHRD, packet type, address length, address (8).
            let mac = (data.get(11) == Some(&6))
                .then(|| data.get(12..18).and_then(Mac::from_bytes))
                .flatten();
            cooked(mac, be16(0), data.get(20..))
        }
        _ => Link::Other,
    }
}

/// Dissects one record according to its link type; `None` for what is not Ethernet or
/// IPv6. For cooked captures the dissection gets an Ethernet header with the recorded
/// sender as its source and a zero destination.
pub fn dissect_record(linktype: i32, data: &[u8]) -> Option<Dissected<'_>> {
    match link(linktype, data) {
        Link::Ethernet(frame) => Some(wire::dissect(frame)),
        Link::Ipv6 { mac, packet } => {
            let mut d = wire::dissect_ipv6(packet);
            if let Some(mac) = mac {
                d.ethernet = Some(wire::ethernet::EthernetRepr {
                    src: mac,
                    ethertype: wire::EtherType::Ipv6.into(),
                    ..Default::default()
                });
            }
            Some(d)
        }
        Link::Other => None,
    }
}
