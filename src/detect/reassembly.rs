//! Bounded IPv6 reassembly, only to look inside fragmented RAs and DHCPv6 (RFC 7113: an
//! RA whose ICMPv6 header is only in a later fragment slips past RA-Guard, and a host
//! reassembles and applies it). The kernel of the monitoring host never sees these: the
//! detector reassembles them itself, within fixed bounds.
//!
//! Rules (RFC 8200 §4.5): fragments of one datagram are keyed by sender MAC, source,
//! destination and identification; a fragment other than the last whose length is not a
//! multiple of 8 is discarded; a datagram whose fragments disagree on where it ends is
//! dropped; a datagram not complete within [`Limits::timeout_secs`] is dropped; at most
//! [`Limits::datagrams`] are pending and each may hold at most [`Limits::datagram_bytes`].
//!
//! **Overlapping fragments.** RFC 5722 makes a host drop a datagram whose fragments
//! overlap, and current stacks do; stacks that predate it kept either the first or the
//! last copy of the overlapped bytes, and RA-Guard evasion tools (thc-ipv6's
//! `fake_router26 -E O` / `-E o`) send a harmless-looking first fragment that a later
//! one overwrites with an RA. A monitor cannot know which stack the terminal runs, so an
//! overlapped datagram is not dropped here: it is completed both ways — each byte as the
//! first fragment to carry it gave it, and as the last one did — and the detector looks at
//! both ([`Outcome::Overlapping`]). A fragment that only repeats bytes already held (a
//! duplicate) changes nothing and is not an overlap (RFC 5722 errata 3089). The second
//! copy of the datagram exists only once bytes disagreed, and counts toward
//! [`Limits::datagram_bytes`]: an overlapped datagram may be half as long.

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
    /// Bytes one datagram may hold (both copies of an overlapped one together).
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

/// Fragment offsets count in units of 8 bytes (RFC 8200 §4.5); coverage is kept per unit.
const UNIT: usize = 8;

#[derive(Debug)]
struct Datagram {
    first_seen: Timestamp,
    /// The IPv6 header and the extension headers before the Fragment header, from the
    /// first fragment at offset 0 to arrive, with the next-header byte that named the
    /// Fragment header patched.
    head: Option<Vec<u8>>,
    /// The same from the latest fragment at offset 0, once it differed from `head`.
    last_head: Option<Vec<u8>>,
    /// The fragmentable part, each byte as the first fragment to carry it gave it.
    data: Vec<u8>,
    /// The same, each byte as the last fragment to carry it gave it: only once fragments
    /// overlapped with different bytes.
    last: Option<Vec<u8>>,
    /// Which units of `data` a fragment has carried, one bit each.
    covered: Vec<u64>,
    /// How many bits of `covered` are set.
    units: usize,
    /// Where the datagram ends, once its last fragment (M = 0) came.
    total: Option<usize>,
}

impl Datagram {
    fn is_covered(&self, unit: usize) -> bool {
        self.covered
            .get(unit / 64)
            .is_some_and(|w| w & (1 << (unit % 64)) != 0)
    }

    fn cover(&mut self, unit: usize) {
        if self.covered.len() <= unit / 64 {
            self.covered.resize(unit / 64 + 1, 0);
        }
        if let Some(w) = self.covered.get_mut(unit / 64) {
            if *w & (1 << (unit % 64)) == 0 {
                *w |= 1 << (unit % 64);
                self.units += 1;
            }
        }
    }

    /// Bytes held with `copies` copies of `data_len` bytes of data.
    fn held(&self, data_len: usize, copies: usize) -> usize {
        let heads =
            self.head.as_ref().map_or(0, Vec::len) + self.last_head.as_ref().map_or(0, Vec::len);
        heads + data_len * copies
    }

    /// Whether every unit up to the end is covered (no fragment reaches past the end:
    /// those are refused, so counting the units covered is enough).
    fn is_whole(&self) -> bool {
        let Some(total) = self.total else {
            return false;
        };
        self.head.is_some() && self.units == total.div_ceil(UNIT)
    }
}

/// What adding a fragment led to.
#[derive(Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Kept; more fragments are needed.
    Pending,
    /// The datagram is whole: a complete IPv6 packet without its Fragment header.
    Complete(Vec<u8>),
    /// The datagram is whole, but its fragments overlapped with different bytes (RFC 5722:
    /// a host that follows it drops the datagram): the packet as a stack that keeps the
    /// first copy of each byte would see it, and as one that keeps the last copy would.
    Overlapping {
        /// Each byte from the first fragment that carried it.
        first_wins: Vec<u8>,
        /// Each byte from the last fragment that carried it.
        last_wins: Vec<u8>,
    },
    /// Dropped: by a bound (too many datagrams, too many bytes), a fragment hosts discard
    /// (not the last, and its length not a multiple of 8), or fragments that disagree on
    /// where the datagram ends.
    Dropped,
}

/// Pending fragmented datagrams.
#[derive(Debug, Default)]
pub struct Reassembler {
    limits: Limits,
    pending: BTreeMap<Key, Datagram>,
    /// Datagrams dropped for a bound, a disagreement on their length, or a timeout.
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
        // RFC 8200 §4.5: such a fragment is discarded (the datagram is not).
        if frag.more && data.len() % UNIT != 0 {
            return Outcome::Dropped;
        }
        let offset = usize::from(frag.offset) * UNIT;
        let end = offset + data.len();
        if !self.pending.contains_key(&key) && self.pending.len() >= self.limits.datagrams {
            self.dropped += 1;
            return Outcome::Dropped;
        }
        let head = (offset == 0).then(|| {
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
            head
        });
        let limit = self.limits.datagram_bytes;
        let datagram = self.pending.entry(key).or_insert_with(|| Datagram {
            first_seen: now,
            head: None,
            last_head: None,
            data: Vec::new(),
            last: None,
            covered: Vec::new(),
            units: 0,
            total: None,
        });
        // Fragments that disagree on where the datagram ends: hosts drop it.
        let disagree = match datagram.total {
            Some(total) => end > total || (!frag.more && end != total),
            None => !frag.more && datagram.data.len() > end,
        };
        // Does it carry bytes already held, and are they the same?
        let units = offset / UNIT..end.div_ceil(UNIT);
        let mut differs = false;
        for u in units.clone().filter(|u| datagram.is_covered(*u)) {
            let (a, b) = (u * UNIT, ((u + 1) * UNIT).min(end));
            let new = data.get(a - offset..b - offset);
            let same_first = datagram.data.get(a..b) == new;
            let same_last = datagram.last.as_ref().is_none_or(|l| l.get(a..b) == new);
            if !(same_first && same_last) {
                differs = true;
                break;
            }
        }
        let new_head = match (&head, &datagram.head) {
            (Some(new), Some(old)) => new != datagram.last_head.as_ref().unwrap_or(old),
            _ => false,
        };
        differs |= new_head;
        let copies = if differs || datagram.last.is_some() {
            2
        } else {
            1
        };
        let data_len = datagram.data.len().max(end);
        let head_cost = match &head {
            Some(h) if datagram.head.is_none() || new_head => h.len(),
            _ => 0,
        };
        let held = datagram.held(data_len, copies) + head_cost;
        if disagree || held > limit {
            self.pending.remove(&key);
            self.dropped += 1;
            return Outcome::Dropped;
        }
        // A duplicate (bytes already held, the same) writes them again: no change.
        if differs && datagram.last.is_none() {
            datagram.last = Some(datagram.data.clone());
        }
        if let Some(head) = head {
            if datagram.head.is_none() {
                datagram.head = Some(head);
            } else if new_head {
                datagram.last_head = Some(head);
            }
        }
        if datagram.data.len() < end {
            datagram.data.resize(end, 0);
            if let Some(l) = datagram.last.as_mut() {
                l.resize(end, 0);
            }
        }
        for u in units {
            let (a, b) = (u * UNIT, ((u + 1) * UNIT).min(end));
            let Some(new) = data.get(a - offset..b - offset) else {
                continue;
            };
            if !datagram.is_covered(u) {
                if let Some(old) = datagram.data.get_mut(a..b) {
                    old.copy_from_slice(new);
                }
                datagram.cover(u);
            }
            if let Some(old) = datagram.last.as_mut().and_then(|l| l.get_mut(a..b)) {
                old.copy_from_slice(new);
            }
        }
        if !frag.more {
            datagram.total = Some(end);
        }
        if !datagram.is_whole() {
            return Outcome::Pending;
        }
        let Some(datagram) = self.pending.remove(&key) else {
            return Outcome::Dropped;
        };
        let total = datagram.total.unwrap_or_default();
        let head = datagram.head.unwrap_or_default();
        let first_wins = assemble(&head, &datagram.data, total);
        if datagram.last.is_none() && datagram.last_head.is_none() {
            return first_wins.map_or(Outcome::Dropped, Outcome::Complete);
        }
        let last_head = datagram.last_head.as_ref().unwrap_or(&head);
        let last = datagram.last.as_ref().unwrap_or(&datagram.data);
        match (first_wins, assemble(last_head, last, total)) {
            (Some(first_wins), Some(last_wins)) => Outcome::Overlapping {
                first_wins,
                last_wins,
            },
            _ => Outcome::Dropped,
        }
    }
}

/// The whole packet: `head` with its payload length set, then `total` bytes of `data`.
fn assemble(head: &[u8], data: &[u8], total: usize) -> Option<Vec<u8>> {
    let body = data.get(..total)?;
    let payload_len = u16::try_from(head.len().checked_sub(HEADER_LEN)? + total).ok()?;
    let mut out = Vec::with_capacity(head.len() + total);
    out.extend_from_slice(head);
    out.get_mut(4..6)?
        .copy_from_slice(&payload_len.to_be_bytes());
    out.extend_from_slice(body);
    Some(out)
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
    fn a_duplicate_is_not_an_overlap() {
        let mut r = Reassembler::new(Limits::default());
        let data: Vec<u8> = (0..21).collect();
        for _ in 0..2 {
            assert_eq!(
                add(&mut r, 0, &fragment(3, 0, true, &data[..16])),
                Outcome::Pending
            );
        }
        let Outcome::Complete(p) = add(&mut r, 0, &fragment(3, 16, false, &data[16..])) else {
            panic!("not complete")
        };
        assert_eq!(&p[40..], &data[..]);
    }

    #[test]
    fn overlapping_fragments_are_completed_both_ways() {
        let mut r = Reassembler::new(Limits::default());
        assert_eq!(
            add(&mut r, 0, &fragment(1, 0, true, &[0xaa; 16])),
            Outcome::Pending
        );
        let Outcome::Overlapping {
            first_wins,
            last_wins,
        } = add(&mut r, 0, &fragment(1, 8, false, &[0xbb; 12]))
        else {
            panic!("not completed both ways")
        };
        assert_eq!(u16::from_be_bytes([first_wins[4], first_wins[5]]), 20);
        assert_eq!(first_wins[6], 58);
        assert_eq!(
            &first_wins[40..],
            [[0xaa; 16].as_slice(), &[0xbb; 4]].concat()
        );
        assert_eq!(
            &last_wins[40..],
            [[0xaa; 8].as_slice(), &[0xbb; 12]].concat()
        );
        assert_eq!(&first_wins[..40], &last_wins[..40]);
        assert!(r.is_empty());
    }

    /// thc-ipv6's `fake_router26 -E O`: the later fragment first, then a first fragment
    /// whose tail overlaps it with other bytes.
    #[test]
    fn the_first_fragment_last_overlapping() {
        let mut r = Reassembler::new(Limits::default());
        let ra = [0x86; 24];
        assert_eq!(
            add(&mut r, 0, &fragment(9, 16, false, &ra)),
            Outcome::Pending
        );
        let Outcome::Overlapping {
            first_wins,
            last_wins,
        } = add(&mut r, 0, &fragment(9, 0, true, &[0x80; 24]))
        else {
            panic!("not completed both ways")
        };
        assert_eq!(&first_wins[40..], [[0x80; 16].as_slice(), &ra].concat());
        assert_eq!(&last_wins[40..], [[0x80; 24].as_slice(), &ra[8..]].concat());
    }

    #[test]
    fn fragments_that_disagree_on_the_end_drop_the_datagram() {
        let mut r = Reassembler::new(Limits::default());
        assert_eq!(
            add(&mut r, 0, &fragment(2, 8, false, &[1; 8])),
            Outcome::Pending
        );
        assert_eq!(
            add(&mut r, 0, &fragment(2, 16, false, &[1; 8])),
            Outcome::Dropped
        );
        assert!(r.is_empty());
        assert_eq!(
            add(&mut r, 0, &fragment(4, 8, false, &[1; 8])),
            Outcome::Pending
        );
        assert_eq!(
            add(&mut r, 0, &fragment(4, 16, true, &[1; 8])),
            Outcome::Dropped
        );
        assert_eq!(r.dropped, 2);
    }

    #[test]
    fn a_fragment_of_odd_length_is_discarded_alone() {
        let mut r = Reassembler::new(Limits::default());
        let data: Vec<u8> = (0..20).collect();
        assert_eq!(
            add(&mut r, 0, &fragment(5, 8, false, &data[8..])),
            Outcome::Pending
        );
        assert_eq!(
            add(&mut r, 0, &fragment(5, 0, true, &data[..7])),
            Outcome::Dropped
        );
        assert_eq!(r.len(), 1);
        assert!(matches!(
            add(&mut r, 0, &fragment(5, 0, true, &data[..8])),
            Outcome::Complete(_)
        ));
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

    /// An overlapped datagram holds two copies, both within the bound.
    #[test]
    fn an_overlapped_datagram_is_bounded_twice() {
        let limits = Limits {
            datagrams: 2,
            datagram_bytes: 40 + 2 * 24,
            timeout_secs: 60,
        };
        let mut r = Reassembler::new(limits);
        assert_eq!(
            add(&mut r, 0, &fragment(1, 0, true, &[1; 16])),
            Outcome::Pending
        );
        assert_eq!(
            add(&mut r, 0, &fragment(1, 8, true, &[2; 16])),
            Outcome::Pending
        );
        assert_eq!(
            add(&mut r, 0, &fragment(1, 24, true, &[3; 8])),
            Outcome::Dropped
        );
        assert!(r.is_empty());
    }
}
