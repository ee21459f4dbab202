//! Bounded IPv6 reassembly, only to look inside fragmented RAs and DHCPv6 (RFC 7113: an
//! RA whose ICMPv6 header is only in a later fragment slips past RA-Guard, and a host
//! reassembles and applies it). The kernel of the monitoring host never sees these: the
//! detector reassembles them itself, within fixed bounds.
//!
//! Rules (RFC 8200 §4.5, RFC 5722): fragments of one datagram are keyed by sender MAC,
//! source, destination and identification; overlapping fragments drop the datagram (and
//! are reported); a datagram not complete within [`Limits::timeout_secs`] is dropped; at
//! most [`Limits::datagrams`] are pending and each may hold at most
//! [`Limits::datagram_bytes`].

use super::time::Timestamp;
use crate::wire::Mac;
use crate::wire::ipv6::{ExtChain, HEADER_LEN};
use core::net::Ipv6Addr;
use std::collections::BTreeMap;

/// Bounds on reassembly state.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Datagrams pending at once.
    pub datagrams: usize,
    /// Bytes one datagram may hold.
    pub datagram_bytes: usize,
    /// Seconds a datagram may wait for its fragments (RFC 8200 §4.5: 60).
    pub timeout_secs: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            datagrams: 64,
            datagram_bytes: 65_535,
            timeout_secs: 60,
        }
    }
}

type Key = (Mac, Ipv6Addr, Ipv6Addr, u32);

#[derive(Debug)]
struct Datagram {
    first_seen: Timestamp,
    /// The IPv6 header and the extension headers before the Fragment header, from the
    /// first fragment, with the next-header byte that named the Fragment header patched.
    head: Option<Vec<u8>>,
    pieces: BTreeMap<usize, Vec<u8>>,
    bytes: usize,
    total: Option<usize>,
}

/// What adding a fragment led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Kept; more fragments are needed.
    Pending,
    /// The datagram is whole: a complete IPv6 packet without its Fragment header.
    Complete(Vec<u8>),
    /// The fragment overlapped another of the same datagram; the datagram was dropped.
    Overlap,
    /// Dropped by a bound (too many datagrams, too many bytes).
    Dropped,
}

/// Pending fragmented datagrams.
#[derive(Debug, Default)]
pub struct Reassembler {
    limits: Limits,
    pending: BTreeMap<Key, Datagram>,
    /// Datagrams dropped for a bound or a timeout.
    pub dropped: u64,
}

impl Reassembler {
    /// An empty reassembler with these bounds.
    pub fn new(limits: Limits) -> Reassembler {
        Reassembler {
            limits,
            pending: BTreeMap::new(),
            dropped: 0,
        }
    }

    /// How many datagrams are pending.
    pub fn len(&self) -> usize {
        self.pending.len()
    }

    /// Whether none is pending.
    pub fn is_empty(&self) -> bool {
        self.pending.is_empty()
    }

    /// The earliest time a pending datagram times out.
    pub fn next_timeout(&self) -> Option<Timestamp> {
        self.pending
            .values()
            .map(|d| d.first_seen.add_secs(self.limits.timeout_secs))
            .min()
    }

    /// Drops datagrams that have waited too long.
    pub fn expire(&mut self, now: Timestamp) {
        let timeout = self.limits.timeout_secs;
        let before = self.pending.len();
        self.pending
            .retain(|_, d| now < d.first_seen.add_secs(timeout));
        self.dropped += (before - self.pending.len()) as u64;
    }

    /// Adds the fragment in `packet` (a whole IPv6 packet whose chain is `chain`).
    pub fn add(&mut self, now: Timestamp, mac: Mac, packet: &[u8], chain: &ExtChain) -> Outcome {
        self.expire(now);
        let Some(frag) = chain.fragment else {
            return Outcome::Dropped;
        };
        let (Some(src), Some(dst)) = (packet.get(8..24), packet.get(24..40)) else {
            return Outcome::Dropped;
        };
        let (Ok(src), Ok(dst)) = (<[u8; 16]>::try_from(src), <[u8; 16]>::try_from(dst)) else {
            return Outcome::Dropped;
        };
        let key = (mac, Ipv6Addr::from(src), Ipv6Addr::from(dst), frag.ident);
        // Where the Fragment header sits and where its data starts.
        let Some(fh) = chain
            .headers()
            .find(|h| h.kind == crate::wire::IpProtocol::Fragment)
        else {
            return Outcome::Dropped;
        };
        let fh_start = HEADER_LEN + usize::from(fh.offset);
        let data_start = fh_start + usize::from(fh.len);
        let Some(data) = packet.get(data_start..) else {
            return Outcome::Dropped;
        };
        let offset = usize::from(frag.offset) * 8;
        if !self.pending.contains_key(&key) && self.pending.len() >= self.limits.datagrams {
            self.dropped += 1;
            return Outcome::Dropped;
        }
        let limit = self.limits.datagram_bytes;
        let datagram = self.pending.entry(key).or_insert_with(|| Datagram {
            first_seen: now,
            head: None,
            pieces: BTreeMap::new(),
            bytes: 0,
            total: None,
        });
        // RFC 5722: any overlap drops the whole datagram.
        let end = offset + data.len();
        let overlaps = datagram
            .pieces
            .range(..end)
            .next_back()
            .is_some_and(|(&o, p)| o + p.len() > offset);
        if overlaps
            || datagram.bytes + data.len() > limit
            || (!frag.more && datagram.total.is_some())
        {
            self.pending.remove(&key);
            if overlaps {
                return Outcome::Overlap;
            }
            self.dropped += 1;
            return Outcome::Dropped;
        }
        if offset == 0 {
            let mut head = packet.get(..fh_start).unwrap_or_default().to_vec();
            // The byte that named the Fragment header now names what followed it.
            let patch = chain
                .headers()
                .take_while(|h| h.offset < fh.offset)
                .last()
                .map_or(6, |prev| HEADER_LEN + usize::from(prev.offset));
            if let Some(b) = head.get_mut(patch) {
                *b = frag.next_header.into();
            }
            datagram.head = Some(head);
        }
        if !frag.more {
            datagram.total = Some(end);
        }
        datagram.bytes += data.len();
        datagram.pieces.insert(offset, data.to_vec());
        // Whole when the pieces run contiguously from 0 to the total.
        let Some(total) = datagram.total else {
            return Outcome::Pending;
        };
        let mut at = 0;
        for (&o, p) in &datagram.pieces {
            if o != at {
                return Outcome::Pending;
            }
            at += p.len();
        }
        if at != total || datagram.head.is_none() {
            return Outcome::Pending;
        }
        let Some(datagram) = self.pending.remove(&key) else {
            return Outcome::Dropped;
        };
        let mut out = datagram.head.unwrap_or_default();
        let payload_len = out.len() - HEADER_LEN + total;
        let Ok(payload_len) = u16::try_from(payload_len) else {
            return Outcome::Dropped;
        };
        if let Some(b) = out.get_mut(4..6) {
            b.copy_from_slice(&payload_len.to_be_bytes());
        }
        for piece in datagram.pieces.into_values() {
            out.extend_from_slice(&piece);
        }
        Outcome::Complete(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::wire::IpProtocol;
    use crate::wire::ipv6::ExtChain;

    fn fragment(ident: u32, offset: usize, more: bool, data: &[u8]) -> Vec<u8> {
        let mut p = vec![0x60, 0, 0, 0, 0, 0, 44, 255];
        p.extend_from_slice(&"fe80::1".parse::<Ipv6Addr>().unwrap().octets());
        p.extend_from_slice(&"ff02::1".parse::<Ipv6Addr>().unwrap().octets());
        let word = ((offset / 8) as u16) << 3 | u16::from(more);
        p.extend_from_slice(&[58, 0]);
        p.extend_from_slice(&word.to_be_bytes());
        p.extend_from_slice(&ident.to_be_bytes());
        p.extend_from_slice(data);
        let plen = (p.len() - 40) as u16;
        p[4..6].copy_from_slice(&plen.to_be_bytes());
        p
    }

    fn add(r: &mut Reassembler, t: i64, p: &[u8]) -> Outcome {
        let chain = ExtChain::walk(IpProtocol::Fragment, &p[40..]);
        r.add(Timestamp::from_secs(t), Mac::default(), p, &chain)
    }

    #[test]
    fn out_of_order_reassembles() {
        let mut r = Reassembler::new(Limits::default());
        let data: Vec<u8> = (0..24).collect();
        assert_eq!(
            add(&mut r, 0, &fragment(7, 16, false, &data[16..])),
            Outcome::Pending
        );
        assert_eq!(
            add(&mut r, 0, &fragment(7, 0, true, &data[..8])),
            Outcome::Pending
        );
        let Outcome::Complete(p) = add(&mut r, 1, &fragment(7, 8, true, &data[8..16])) else {
            panic!("not complete")
        };
        assert_eq!(p[6], 58);
        assert_eq!(u16::from_be_bytes([p[4], p[5]]), 24);
        assert_eq!(&p[40..], &data[..]);
        assert!(r.is_empty());
    }

    #[test]
    fn overlap_drops() {
        let mut r = Reassembler::new(Limits::default());
        assert_eq!(
            add(&mut r, 0, &fragment(1, 0, true, &[0; 16])),
            Outcome::Pending
        );
        assert_eq!(
            add(&mut r, 0, &fragment(1, 8, false, &[1; 8])),
            Outcome::Overlap
        );
        assert!(r.is_empty());
    }

    #[test]
    fn bounds_and_timeout() {
        let mut r = Reassembler::new(Limits {
            datagrams: 2,
            datagram_bytes: 64,
            timeout_secs: 60,
        });
        assert_eq!(
            add(&mut r, 0, &fragment(1, 0, true, &[0; 8])),
            Outcome::Pending
        );
        assert_eq!(
            add(&mut r, 0, &fragment(2, 0, true, &[0; 8])),
            Outcome::Pending
        );
        assert_eq!(
            add(&mut r, 0, &fragment(3, 0, true, &[0; 8])),
            Outcome::Dropped
        );
        assert_eq!(
            add(&mut r, 0, &fragment(1, 8, true, &[0; 64])),
            Outcome::Dropped
        );
        assert_eq!(r.len(), 1);
        r.expire(Timestamp::from_secs(61));
        assert!(r.is_empty());
        assert_eq!(r.dropped, 3);
    }
}
