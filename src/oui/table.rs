//! The registry's storage format, shared by the library and `build.rs` (which includes
//! this file with `#[path]`, so it uses nothing but `std`): the line format of
//! `rules/oui.tsv`, the builder that interns names and sorts blocks, and the compact
//! binary form in which both the embedded registry and a loaded one are stored.
//!
//! The binary form is three record arrays, one per prefix length (/24, /28, /36), and
//! the organization names:
//!
//! - a record is a little-endian `u64`: the prefix value (right-aligned, at most 36
//!   bits) in bits 63..28, the registry in bits 27..26, the index of the name in bits
//!   25..0. Keys are unique within an array and the array is sorted by key (which is
//!   also the order of the `u64`s);
//! - the names are one string, each name once, plus `n + 1` little-endian `u32`
//!   offsets into it: name `i` is `names[offsets[i]..offsets[i + 1]]`.
//!
//! `build.rs` writes these arrays into `OUT_DIR` and the library includes them, so the
//! embedded registry needs no parsing at run time; a registry read from a file is built
//! into the same form in memory.

use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;

/// Which IEEE registry a block comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Block {
    /// MAC Address Block Large: a 24-bit OUI.
    MaL,
    /// MAC Address Block Medium: 28 bits.
    MaM,
    /// MAC Address Block Small: 36 bits.
    MaS,
    /// Individual Address Block (closed in 2014): 36 bits under 00:50:c2 or 40:d8:55.
    Iab,
}

impl Block {
    /// The prefix length of a block of this registry, in bits.
    pub const fn bits(self) -> u8 {
        match self {
            Block::MaL => 24,
            Block::MaM => 28,
            Block::MaS | Block::Iab => 36,
        }
    }

    /// IEEE's name for the registry: `MA-L`, `MA-M`, `MA-S`, `IAB`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Block::MaL => "MA-L",
            Block::MaM => "MA-M",
            Block::MaS => "MA-S",
            Block::Iab => "IAB",
        }
    }

    /// Parses IEEE's registry name (the first CSV column).
    pub fn from_registry(s: &str) -> Option<Block> {
        match s {
            "MA-L" => Some(Block::MaL),
            "MA-M" => Some(Block::MaM),
            "MA-S" => Some(Block::MaS),
            "IAB" => Some(Block::Iab),
            _ => None,
        }
    }

    /// Index of the record array for this block's length (see [`TABLE_BITS`]).
    pub(super) const fn table(self) -> usize {
        match self {
            Block::MaL => 0,
            Block::MaM => 1,
            Block::MaS | Block::Iab => 2,
        }
    }

    /// The registry's 2-bit code in a record.
    const fn code(self) -> u64 {
        match self {
            Block::MaL => 0,
            Block::MaM => 1,
            Block::MaS => 2,
            Block::Iab => 3,
        }
    }

    /// The registry of a record's 2-bit code (only the low 2 bits are read).
    const fn from_code(code: u64) -> Block {
        match code & 3 {
            0 => Block::MaL,
            1 => Block::MaM,
            2 => Block::MaS,
            _ => Block::Iab,
        }
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The prefix lengths of the three record arrays, longest last.
pub(super) const TABLE_BITS: [u8; 3] = [24, 28, 36];

/// The bytes of one record.
pub(super) const RECORD_LEN: usize = 8;
/// The bytes of one name offset.
pub(super) const OFFSET_LEN: usize = 4;

/// Record bit layout (see the module docs).
const KEY_SHIFT: u32 = 28;
const BLOCK_SHIFT: u32 = 26;
const NAME_MASK: u64 = (1 << BLOCK_SHIFT) - 1;
/// How many names a registry can hold: the record's name field is 26 bits.
const MAX_NAMES: usize = 1 << BLOCK_SHIFT;

/// One block as a record stores it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Record {
    /// The prefix value, right-aligned (at most 36 bits).
    pub(super) key: u64,
    /// The registry.
    pub(super) block: Block,
    /// The index of the organization name.
    pub(super) name: u32,
}

impl Record {
    /// The record's bytes. `key` must fit in 36 bits and `name` in 26 (the builder
    /// checks both).
    pub(super) fn encode(self) -> [u8; RECORD_LEN] {
        let packed =
            self.key << KEY_SHIFT | self.block.code() << BLOCK_SHIFT | u64::from(self.name);
        packed.to_le_bytes()
    }

    /// The record held in `bytes`.
    pub(super) fn decode(bytes: [u8; RECORD_LEN]) -> Record {
        let packed = u64::from_le_bytes(bytes);
        Record {
            key: packed >> KEY_SHIFT,
            block: Block::from_code(packed >> BLOCK_SHIFT),
            // The mask keeps 26 bits: the conversion cannot fail.
            name: u32::try_from(packed & NAME_MASK).unwrap_or(u32::MAX),
        }
    }
}

/// A record array in its binary form. A trailing partial record is ignored.
#[derive(Debug, Clone, Copy)]
pub(super) struct Records<'a>(pub(super) &'a [u8]);

impl<'a> Records<'a> {
    /// How many records the array holds.
    pub(super) fn len(self) -> usize {
        self.0.len() / RECORD_LEN
    }

    /// Record `i`.
    fn get(self, i: usize) -> Option<Record> {
        let bytes = self.0.get(i * RECORD_LEN..(i + 1) * RECORD_LEN)?;
        Some(Record::decode(bytes.try_into().ok()?))
    }

    /// The record whose key is `key`: a binary search.
    pub(super) fn find(self, key: u64) -> Option<Record> {
        let (mut lo, mut hi) = (0, self.len());
        while lo < hi {
            let mid = lo + (hi - lo) / 2;
            let record = self.get(mid)?;
            match record.key.cmp(&key) {
                std::cmp::Ordering::Less => lo = mid + 1,
                std::cmp::Ordering::Greater => hi = mid,
                std::cmp::Ordering::Equal => return Some(record),
            }
        }
        None
    }

    /// Every record, in key order.
    pub(super) fn iter(self) -> impl Iterator<Item = Record> + 'a {
        self.0
            .chunks_exact(RECORD_LEN)
            .filter_map(|c| Some(Record::decode(c.try_into().ok()?)))
    }
}

/// The names of a registry in their binary form.
#[derive(Debug, Clone, Copy)]
pub(super) struct Names<'a> {
    /// `n + 1` little-endian `u32` offsets into `text`.
    pub(super) offsets: &'a [u8],
    /// The names, one after the other.
    pub(super) text: &'a str,
}

impl<'a> Names<'a> {
    /// How many names there are.
    pub(super) fn len(self) -> usize {
        (self.offsets.len() / OFFSET_LEN).saturating_sub(1)
    }

    /// Name `i`; `None` if the index or its offsets are out of range.
    pub(super) fn get(self, i: u32) -> Option<&'a str> {
        let at = usize::try_from(i).ok()? * OFFSET_LEN;
        let offset = |at: usize| -> Option<usize> {
            let bytes = self.offsets.get(at..at + OFFSET_LEN)?;
            usize::try_from(u32::from_le_bytes(bytes.try_into().ok()?)).ok()
        };
        self.text.get(offset(at)?..offset(at + OFFSET_LEN)?)
    }
}

/// A registry in its binary form, owned: what [`Builder::finish`] returns.
#[derive(Debug, Clone, Default)]
pub(super) struct Tables {
    /// The record arrays for /24, /28 and /36.
    pub(super) records: [Vec<u8>; 3],
    /// The name offsets.
    pub(super) offsets: Vec<u8>,
    /// The names.
    pub(super) names: String,
}

/// A registry in its binary form, borrowed.
#[derive(Debug, Clone, Copy)]
pub(super) struct View<'a> {
    /// The record arrays for /24, /28 and /36.
    pub(super) records: [Records<'a>; 3],
    /// The names.
    pub(super) names: Names<'a>,
}

/// Every block of `a` and of `b`, `b`'s where both hold the same block: the names of
/// `a` then those of `b` (a name in both is stored twice), and each record array
/// merged in key order. Linear in the size of both; nothing is hashed or sorted.
/// `None` if the result would hold more names than a record can index, or more than
/// 4 GiB of them.
pub(super) fn merge(a: View<'_>, b: View<'_>) -> Option<Tables> {
    let (a_names, b_names) = (a.names.len(), b.names.len());
    if a_names + b_names > MAX_NAMES {
        return None;
    }
    let shift = u32::try_from(a_names).ok()?;
    let mut names = String::with_capacity(a.names.text.len() + b.names.text.len());
    let mut offsets = Vec::with_capacity((a_names + b_names + 1) * OFFSET_LEN);
    offsets.extend_from_slice(&0u32.to_le_bytes());
    for (view, count) in [(a, a_names), (b, b_names)] {
        for i in 0..count {
            names.push_str(view.names.get(u32::try_from(i).ok()?)?);
            offsets.extend_from_slice(&u32::try_from(names.len()).ok()?.to_le_bytes());
        }
    }
    let mut records: [Vec<u8>; 3] = Default::default();
    for ((out, ours), theirs) in records.iter_mut().zip(a.records).zip(b.records) {
        out.reserve_exact((ours.len() + theirs.len()) * RECORD_LEN);
        let mut ours = ours.iter().peekable();
        let mut theirs = theirs.iter().map(|r| Record {
            name: r.name + shift,
            ..r
        });
        let mut next_theirs = theirs.next();
        loop {
            let record = match (ours.peek(), next_theirs) {
                (None, None) => break,
                (Some(o), Some(t)) if o.key < t.key => ours.next()?,
                (Some(_), None) => ours.next()?,
                (o, Some(t)) => {
                    if o.is_some_and(|o| o.key == t.key) {
                        ours.next();
                    }
                    next_theirs = theirs.next();
                    t
                }
            };
            out.extend_from_slice(&record.encode());
        }
    }
    Some(Tables {
        records,
        offsets,
        names,
    })
}

/// One block line of the table format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) struct Line<'a> {
    /// The registry.
    pub(super) block: Block,
    /// The prefix value, right-aligned.
    pub(super) key: u64,
    /// The organization name, trimmed and not empty.
    pub(super) name: &'a str,
}

/// Parses one line of the table format, `ASSIGNMENT<TAB>REGISTRY<TAB>ORGANIZATION`:
/// `Ok(None)` for a blank line or a `#` comment line.
pub(super) fn parse_line(line: &str) -> Result<Option<Line<'_>>, String> {
    if line.trim().is_empty() || line.starts_with('#') {
        return Ok(None);
    }
    let mut fields = line.splitn(3, '\t');
    let (Some(assignment), Some(registry), Some(name)) =
        (fields.next(), fields.next(), fields.next())
    else {
        return Err("expected ASSIGNMENT<TAB>REGISTRY<TAB>ORGANIZATION".to_owned());
    };
    let block = Block::from_registry(registry).ok_or_else(|| {
        format!("unknown registry `{registry}` (expected MA-L, MA-M, MA-S or IAB)")
    })?;
    let key = parse_assignment(block, assignment)?;
    let name = name.trim();
    if name.is_empty() {
        return Err(EMPTY_NAME.to_owned());
    }
    Ok(Some(Line { block, key, name }))
}

/// The error for an organization name that is empty once trimmed.
const EMPTY_NAME: &str = "empty organization name";

/// The prefix value of an assignment as IEEE writes it: as many hex digits as the
/// block's length needs (6, 7 or 9), no separators.
pub(super) fn parse_assignment(block: Block, assignment: &str) -> Result<u64, &'static str> {
    let digits = usize::from(block.bits() / 4);
    if assignment.len() != digits || !assignment.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Err(match block {
            Block::MaL => "an MA-L assignment must be 6 hex digits",
            Block::MaM => "an MA-M assignment must be 7 hex digits",
            Block::MaS => "an MA-S assignment must be 9 hex digits",
            Block::Iab => "an IAB assignment must be 9 hex digits",
        });
    }
    u64::from_str_radix(assignment, 16).map_err(|_| "bad hex digits")
}

/// Collects blocks, interning names, and builds the binary form.
pub(super) struct Builder<'a> {
    index: HashMap<Cow<'a, str>, u32>,
    offsets: Vec<u8>,
    names: String,
    /// Per record array: (key, registry, name index), in the order added.
    entries: [Vec<(u64, Block, u32)>; 3],
}

impl<'a> Builder<'a> {
    /// An empty builder.
    pub(super) fn new() -> Builder<'a> {
        Builder {
            index: HashMap::new(),
            offsets: 0u32.to_le_bytes().to_vec(),
            names: String::new(),
            entries: Default::default(),
        }
    }

    /// Adds the block of `block` whose prefix value is `key` (right-aligned). A block
    /// added again later replaces the earlier one.
    pub(super) fn add(
        &mut self,
        block: Block,
        key: u64,
        name: Cow<'a, str>,
    ) -> Result<(), &'static str> {
        if key >> block.bits() != 0 {
            return Err("the prefix value is longer than the block");
        }
        if name.is_empty() {
            return Err(EMPTY_NAME);
        }
        let id = match self.index.get(&name) {
            Some(id) => *id,
            None => {
                let id = self.index.len();
                if id >= MAX_NAMES {
                    return Err("too many organization names");
                }
                let id = u32::try_from(id).map_err(|_| "too many organization names")?;
                self.names.push_str(&name);
                let end = u32::try_from(self.names.len())
                    .map_err(|_| "the organization names exceed 4 GiB")?;
                self.offsets.extend_from_slice(&end.to_le_bytes());
                self.index.insert(name, id);
                id
            }
        };
        if let Some(list) = self.entries.get_mut(block.table()) {
            list.push((key, block, id));
        }
        Ok(())
    }

    /// The binary form: each record array sorted by key, the last block added winning
    /// where a key was added more than once.
    pub(super) fn finish(self) -> Tables {
        let mut records: [Vec<u8>; 3] = Default::default();
        for (out, mut list) in records.iter_mut().zip(self.entries) {
            // A stable sort keeps the order added among equal keys; keep the last.
            list.sort_by_key(|e| e.0);
            let mut kept: Vec<(u64, Block, u32)> = Vec::with_capacity(list.len());
            for entry in list {
                match kept.last_mut() {
                    Some(last) if last.0 == entry.0 => *last = entry,
                    _ => kept.push(entry),
                }
            }
            out.reserve_exact(kept.len() * RECORD_LEN);
            for (key, block, name) in kept {
                out.extend_from_slice(&Record { key, block, name }.encode());
            }
        }
        Tables {
            records,
            offsets: self.offsets,
            names: self.names,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn record_round_trip() {
        let widest = (1u64 << 36) - 1;
        for block in [Block::MaL, Block::MaM, Block::MaS, Block::Iab] {
            for (key, name) in [(0, 0), (widest >> (36 - block.bits()), (1 << 26) - 1)] {
                let r = Record { key, block, name };
                assert_eq!(Record::decode(r.encode()), r);
            }
        }
        // The key is in the top bits: byte order of the u64s is key order.
        let a = Record {
            key: 1,
            block: Block::Iab,
            name: (1 << 26) - 1,
        };
        let b = Record {
            key: 2,
            block: Block::MaL,
            name: 0,
        };
        assert!(u64::from_le_bytes(a.encode()) < u64::from_le_bytes(b.encode()));
    }

    #[test]
    fn builder_and_views() {
        let mut b = Builder::new();
        b.add(Block::MaL, 0x106f3f, "B".into()).unwrap();
        b.add(Block::MaS, 0x70b3d5123, "A".into()).unwrap();
        b.add(Block::MaL, 0x000001, "A".into()).unwrap();
        b.add(Block::MaL, 0x106f3f, "C".into()).unwrap();
        assert_eq!(
            b.add(Block::MaL, 0x1000000, "X".into()),
            Err("the prefix value is longer than the block")
        );
        assert_eq!(
            b.add(Block::MaM, 1, "".into()),
            Err("empty organization name")
        );
        let t = b.finish();
        let names = Names {
            offsets: &t.offsets,
            text: &t.names,
        };
        assert_eq!(names.len(), 3);
        assert_eq!(
            [names.get(0), names.get(1), names.get(2), names.get(3)],
            [Some("B"), Some("A"), Some("C"), None]
        );
        let mal = Records(&t.records[0]);
        assert_eq!(mal.len(), 2);
        let keys: Vec<(u64, u32)> = mal.iter().map(|r| (r.key, r.name)).collect();
        assert_eq!(keys, [(0x000001, 1), (0x106f3f, 2)]);
        assert_eq!(mal.find(0x106f3f).map(|r| r.name), Some(2));
        assert_eq!(mal.find(0x000000), None);
        assert_eq!(mal.find(0xffffff), None);
        assert_eq!(Records(&t.records[1]).len(), 0);
        assert_eq!(Records(&t.records[1]).find(0), None);
        // A trailing partial record is ignored.
        assert_eq!(Records(&t.records[2][..7]).iter().count(), 0);
        assert_eq!(
            Records(&t.records[2]).find(0x70b3d5123).map(|r| r.block),
            Some(Block::MaS)
        );
    }
}
