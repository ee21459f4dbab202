//! The IEEE registry of MAC address blocks (MA-L, MA-M, MA-S and the closed IAB
//! registry): longest-prefix vendor lookup, and the rule that a locally administered
//! (randomized) or group MAC has no vendor.
//!
//! The binary embeds the blocks of `rules/oui.tsv`, which `scripts/gen-oui.py`
//! generates from the npm package `oui-data` (MA-L, MA-M, MA-S, IEEE's own organization
//! names) and Debian's `ieee-data` `iab.csv` (IAB). Its first comment lines name the
//! exact versions; [`embedded_source`] returns them. `--oui-file` loads IEEE's own CSV
//! files (`oui.csv`, `mam.csv`, `oui36.csv`, `iab.csv`) or a table in the embedded
//! format with [`Registry::load_file`].
//!
//! `build.rs` checks the table and compiles it into sorted fixed-size records and a
//! deduplicated names blob (the format is in `table.rs`, which `build.rs` shares), and
//! [`Registry::embedded`] borrows those from the binary: nothing is parsed or allocated
//! at run time, and only the pages a lookup touches are ever read in. A registry read
//! from a file is built into the same form in memory.
//!
//! A lookup is at most three binary searches over sorted keys (/36, then /28, then
//! /24) and allocates nothing. Vendor names are matched with [`fold_name`] /
//! [`fold_eq`]: IEEE spells one maker several ways ("BUFFALO.INC", "Buffalo Inc.").

mod csv;
mod table;

pub use table::Block;

use crate::wire::Mac;
use std::borrow::Cow;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use table::{Builder, Names, RECORD_LEN, Record, Records, TABLE_BITS, Tables, View};

/// The text of `rules/oui.tsv`, which `build.rs` compiles into the embedded registry.
/// [`Registry::from_table`] of it gives the same registry, the slow way.
pub const EMBEDDED_TABLE: &str = include_str!("../../rules/oui.tsv");

/// The embedded registry's record arrays and names, as `build.rs` wrote them.
mod compiled {
    /// The /24 records.
    pub(super) const RECORDS_24: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/oui-24.bin"));
    /// The /28 records.
    pub(super) const RECORDS_28: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/oui-28.bin"));
    /// The /36 records.
    pub(super) const RECORDS_36: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/oui-36.bin"));
    /// The name offsets.
    pub(super) const OFFSETS: &[u8] = include_bytes!(concat!(env!("OUT_DIR"), "/oui-offsets.bin"));
    /// The names.
    pub(super) const NAMES: &str = include_str!(concat!(env!("OUT_DIR"), "/oui-names.txt"));
    /// The `# source:` line of `rules/oui.tsv` (`unknown` if it has none).
    pub(super) const SOURCE: &str = include_str!(concat!(env!("OUT_DIR"), "/oui-source.txt"));
}

// A record array that is not a whole number of records fails the build, not a lookup.
const _: () = assert!(
    compiled::RECORDS_24.len() % RECORD_LEN == 0
        && compiled::RECORDS_28.len() % RECORD_LEN == 0
        && compiled::RECORDS_36.len() % RECORD_LEN == 0
        && compiled::OFFSETS.len() % table::OFFSET_LEN == 0
);

/// The embedded registry: borrowed from the binary, built at compile time.
static EMBEDDED: Registry = Registry {
    records: [
        Cow::Borrowed(compiled::RECORDS_24),
        Cow::Borrowed(compiled::RECORDS_28),
        Cow::Borrowed(compiled::RECORDS_36),
    ],
    offsets: Cow::Borrowed(compiled::OFFSETS),
    names: Cow::Borrowed(compiled::NAMES),
};

/// The file name errors carry for CSV text not read from a file.
const CSV_LABEL: &str = "<csv>";
/// The file name errors carry for table text not read from a file.
const TABLE_LABEL: &str = "<table>";

/// A MAC address prefix of 4 to 48 bits, a multiple of 4: an OUI (`10:6f:3f`) or a
/// longer block (`70:b3:d5:12:3/36`).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Prefix {
    /// The prefix's bits, right-aligned: the top `bits` bits of the MAC.
    value: u64,
    bits: u8,
}

impl Prefix {
    /// A prefix of `bits` bits (4..=48, a multiple of 4) whose value is `value`,
    /// right-aligned. `None` if the length is not allowed or `value` has more bits.
    pub const fn new(value: u64, bits: u8) -> Option<Prefix> {
        if bits < 4 || bits > 48 || bits % 4 != 0 || value >> bits != 0 {
            return None;
        }
        Some(Prefix { value, bits })
    }

    /// The first `bits` bits of `mac` (`None` for a length [`new`](Self::new) refuses).
    pub fn of(mac: Mac, bits: u8) -> Option<Prefix> {
        if !(4..=48).contains(&bits) || bits % 4 != 0 {
            return None;
        }
        Prefix::new(mac_u64(mac) >> (48 - u32::from(bits)), bits)
    }

    /// The prefix's bits, right-aligned.
    pub const fn value(&self) -> u64 {
        self.value
    }

    /// The prefix length in bits.
    pub const fn bits(&self) -> u8 {
        self.bits
    }

    /// Whether `mac` starts with this prefix.
    pub fn contains(&self, mac: Mac) -> bool {
        mac_u64(mac) >> (48 - u32::from(self.bits)) == self.value
    }
}

impl fmt::Display for Prefix {
    /// Lower-case hex digits in colon-separated pairs; a prefix that is not 24 bits
    /// long carries its length: `10:6f:3f`, `00:55:da:0/28`, `70:b3:d5:12:3/36`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let digits = usize::from(self.bits / 4);
        for i in 0..digits {
            if i > 0 && i % 2 == 0 {
                f.write_str(":")?;
            }
            let nibble = (self.value >> (4 * (digits - 1 - i))) & 0xf;
            write!(f, "{nibble:x}")?;
        }
        if self.bits != 24 {
            write!(f, "/{}", self.bits)?;
        }
        Ok(())
    }
}

impl fmt::Debug for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prefix({self})")
    }
}

/// Why a string is not a MAC prefix.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "not a MAC prefix: {0} (expected hex digits, optionally separated by ':', '-' or '.', \
     and an optional /LEN that matches them, e.g. 10:6f:3f or 70:b3:d5:12:3/36)"
)]
pub struct ParsePrefixError(&'static str);

impl FromStr for Prefix {
    type Err = ParsePrefixError;

    /// Accepts `10:6f:3f`, `10-6F-3F`, `106f3f`, `70:b3:d5:12:3/36`, `70B3D5123`: the
    /// number of hex digits gives the length, and `/LEN` if present must agree.
    fn from_str(s: &str) -> Result<Prefix, ParsePrefixError> {
        let (digits, len) = match s.split_once('/') {
            Some((d, l)) => (
                d,
                Some(
                    l.parse::<u8>()
                        .map_err(|_| ParsePrefixError("the length is not a number"))?,
                ),
            ),
            None => (s, None),
        };
        let mut value: u64 = 0;
        let mut count: u8 = 0;
        for c in digits.chars() {
            if matches!(c, ':' | '-' | '.') {
                continue;
            }
            let d = c
                .to_digit(16)
                .ok_or(ParsePrefixError("a character is not a hex digit"))?;
            count += 1;
            if count > 12 {
                return Err(ParsePrefixError("more than 12 hex digits"));
            }
            value = value << 4 | u64::from(d);
        }
        if count == 0 {
            return Err(ParsePrefixError("no hex digits"));
        }
        let bits = count * 4;
        if len.is_some_and(|l| l != bits) {
            return Err(ParsePrefixError(
                "the length does not match the number of hex digits",
            ));
        }
        Prefix::new(value, bits).ok_or(ParsePrefixError("bad length"))
    }
}

/// What the registry says about a MAC address.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Vendor<'a> {
    /// The organization name exactly as IEEE writes it (whitespace trimmed).
    pub name: &'a str,
    /// The registry of the matching block.
    pub block: Block,
    /// The matching block.
    pub prefix: Prefix,
}

/// Why a registry file could not be loaded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum OuiError {
    /// The file could not be read.
    #[error("{}: cannot read: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// A line of the file is not a registry entry.
    #[error("{}:{line}: {what}", file.display())]
    Line {
        /// The file (`<csv>` or `<table>` for text not read from a file).
        file: PathBuf,
        /// The 1-based line number (where the record starts, for a CSV record).
        line: usize,
        /// What is wrong.
        what: String,
    },
}

impl OuiError {
    fn line(file: &str, line: usize, what: impl Into<String>) -> OuiError {
        OuiError::Line {
            file: PathBuf::from(file),
            line,
            what: what.into(),
        }
    }

    fn in_file(self, name: &Path) -> OuiError {
        match self {
            OuiError::Line { line, what, .. } => OuiError::Line {
                file: name.to_path_buf(),
                line,
                what,
            },
            other => other,
        }
    }
}

/// A set of IEEE MAC address blocks with their organization names.
///
/// Stored in the compact form of `table.rs`: the embedded registry borrows it from the
/// binary; one read from a file, or merged, owns it. Cloning the embedded registry
/// copies a few pointers.
#[derive(Clone, Default)]
pub struct Registry {
    /// The record arrays for /24, /28 and /36.
    records: [Cow<'static, [u8]>; 3],
    /// The name offsets.
    offsets: Cow<'static, [u8]>,
    /// The names.
    names: Cow<'static, str>,
}

impl fmt::Debug for Registry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Registry")
            .field("blocks", &self.len())
            .field("names", &self.names().len())
            .field("embedded", &matches!(self.names, Cow::Borrowed(_)))
            .finish()
    }
}

impl From<Tables> for Registry {
    fn from(tables: Tables) -> Registry {
        let Tables {
            records,
            offsets,
            names,
        } = tables;
        Registry {
            records: records.map(Cow::Owned),
            offsets: Cow::Owned(offsets),
            names: Cow::Owned(names),
        }
    }
}

impl Registry {
    /// The registry embedded in the binary. It was built at compile time: this call
    /// parses and allocates nothing.
    pub fn embedded() -> &'static Registry {
        &EMBEDDED
    }

    /// Parses IEEE's CSV format (`Registry,Assignment,Organization Name,Organization
    /// Address`), as in `oui.csv`, `mam.csv`, `oui36.csv` and `iab.csv`.
    ///
    /// Header records are skipped wherever they appear, so concatenated files parse;
    /// quoted fields may hold commas, doubled quotes and line breaks. Records of the
    /// `CID` registry (Company IDs, which are never the source address of a frame) are
    /// skipped. The organization name is trimmed; the address is ignored. A later
    /// record for the same block replaces an earlier one.
    pub fn from_ieee_csv(text: &str) -> Result<Registry, OuiError> {
        let mut builder = Builder::new();
        for record in csv::Records::new(text) {
            let (line, fields) =
                record.map_err(|(line, what)| OuiError::line(CSV_LABEL, line, what))?;
            let registry = fields.first().map(|f| f.trim()).unwrap_or_default();
            if registry.is_empty() && fields.len() == 1 {
                continue;
            }
            if registry.eq_ignore_ascii_case("Registry") || registry == "CID" {
                continue;
            }
            let block = Block::from_registry(registry).ok_or_else(|| {
                OuiError::line(
                    CSV_LABEL,
                    line,
                    format!(
                        "unknown registry `{registry}` (expected MA-L, MA-M, MA-S, IAB or CID)"
                    ),
                )
            })?;
            let [_, assignment, name, ..] = fields.as_slice() else {
                return Err(OuiError::line(
                    CSV_LABEL,
                    line,
                    "expected at least 3 fields: Registry,Assignment,Organization Name",
                ));
            };
            let name = match name {
                Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
                Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
            };
            let key = table::parse_assignment(block, assignment.trim())
                .map_err(|what| OuiError::line(CSV_LABEL, line, what))?;
            builder
                .add(block, key, name)
                .map_err(|what| OuiError::line(CSV_LABEL, line, what))?;
        }
        Ok(builder.finish().into())
    }

    /// Parses the embedded table format: `#` comment lines, blank lines, and lines
    /// `ASSIGNMENT<TAB>REGISTRY<TAB>ORGANIZATION`. A later line for the same block
    /// replaces an earlier one.
    pub fn from_table(text: &str) -> Result<Registry, OuiError> {
        let mut builder = Builder::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            let parsed = table::parse_line(line)
                .map_err(|what| OuiError::line(TABLE_LABEL, line_no, what))?;
            if let Some(l) = parsed {
                builder
                    .add(l.block, l.key, Cow::Borrowed(l.name))
                    .map_err(|what| OuiError::line(TABLE_LABEL, line_no, what))?;
            }
        }
        Ok(builder.finish().into())
    }

    /// Reads a registry for `--oui-file`: IEEE's CSV format when the first non-blank
    /// line starts with `Registry,`, the embedded table format otherwise. Errors name
    /// the file and line.
    pub fn load_file(path: &Path) -> Result<Registry, OuiError> {
        let text = std::fs::read_to_string(path).map_err(|source| OuiError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        let text = text.strip_prefix('\u{feff}').unwrap_or(&text);
        let is_csv = text
            .lines()
            .find(|l| !l.trim().is_empty())
            .is_some_and(|l| l.trim_start().starts_with("Registry,"));
        let parsed = if is_csv {
            Registry::from_ieee_csv(text)
        } else {
            Registry::from_table(text)
        };
        parsed.map_err(|e| e.in_file(path))
    }

    /// Adds every block of `other`; where both hold the same block, `other`'s name
    /// wins (so a newer file merged last overrides).
    ///
    /// The result is owned: merged into the embedded registry, this copies it (about
    /// 1.3 MB, a linear merge of sorted arrays; only `--oui-file` does it).
    pub fn merge(&mut self, other: Registry) {
        let merged = table::merge(self.view(), other.view()).unwrap_or_else(|| {
            // More names than a record can index: intern them (a name in both
            // registries is then stored once). Adding cannot fail otherwise: each block
            // comes from a registry, so its value fits its length and its name is set.
            let mut builder = Builder::new();
            for v in self.iter().chain(other.iter()) {
                let _ = builder.add(v.block, v.prefix.value(), Cow::Borrowed(v.name));
            }
            builder.finish()
        });
        *self = merged.into();
    }

    /// The registry's binary form.
    fn view(&self) -> View<'_> {
        View {
            records: [0, 1, 2].map(|t| self.records(t)),
            names: self.names(),
        }
    }

    /// Record array `t` (0: /24, 1: /28, 2: /36).
    fn records(&self, t: usize) -> Records<'_> {
        Records(self.records.get(t).map(|r| &r[..]).unwrap_or_default())
    }

    fn names(&self) -> Names<'_> {
        Names {
            offsets: &self.offsets,
            text: &self.names,
        }
    }

    /// The vendor a record of the `bits`-long array describes.
    fn vendor(&self, record: Record, bits: u8) -> Option<Vendor<'_>> {
        Some(Vendor {
            name: self.names().get(record.name)?,
            block: record.block,
            prefix: Prefix::new(record.key, bits)?,
        })
    }

    /// The vendor of `mac`: the longest matching block (MA-S/IAB /36, then MA-M /28,
    /// then MA-L /24). `None` for a group (multicast) address and for a locally
    /// administered address (randomized MACs, which have no IEEE vendor), and when no
    /// block matches.
    pub fn lookup(&self, mac: Mac) -> Option<Vendor<'_>> {
        if mac.is_multicast() || mac.is_locally_administered() {
            return None;
        }
        let m = mac_u64(mac);
        TABLE_BITS.iter().enumerate().rev().find_map(|(t, &bits)| {
            let record = self.records(t).find(m >> (48 - u32::from(bits)))?;
            self.vendor(record, bits)
        })
    }

    /// How many blocks the registry holds.
    pub fn len(&self) -> usize {
        (0..TABLE_BITS.len()).map(|t| self.records(t).len()).sum()
    }

    /// Whether the registry holds no block.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// How many blocks of each registry: MA-L, MA-M, MA-S, IAB.
    pub fn counts(&self) -> [(Block, usize); 4] {
        let mut counts = [
            (Block::MaL, 0),
            (Block::MaM, 0),
            (Block::MaS, 0),
            (Block::Iab, 0),
        ];
        for t in 0..TABLE_BITS.len() {
            for record in self.records(t).iter() {
                if let Some(c) = counts.iter_mut().find(|c| c.0 == record.block) {
                    c.1 += 1;
                }
            }
        }
        counts
    }

    /// Every block, shortest prefixes first, each length in prefix order.
    pub fn iter(&self) -> impl Iterator<Item = Vendor<'_>> {
        TABLE_BITS.iter().enumerate().flat_map(move |(t, &bits)| {
            self.records(t)
                .iter()
                .filter_map(move |record| self.vendor(record, bits))
        })
    }
}

/// The `# source:` line of the embedded table: which data it was generated from.
pub fn embedded_source() -> &'static str {
    compiled::SOURCE
}

/// The characters of `name` that vendor matching compares: alphanumeric characters
/// (Unicode's definition) lower-cased; everything else is dropped.
fn folded(name: &str) -> impl Iterator<Item = char> + '_ {
    name.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
}

/// Folds a vendor name for exact matching: lower-case, and every character that is
/// not a letter or digit dropped, so `"BUFFALO.INC"`, `"Buffalo Inc."` and
/// `"BUFFALO INC"` all fold to `"buffaloinc"`. Nothing else is normalized: no
/// abbreviation (`Co.,Ltd.` vs `Corporation`), no Unicode compatibility folding
/// (full-width letters stay full-width).
pub fn fold_name(name: &str) -> String {
    folded(name).collect()
}

/// Whether two vendor names are equal after [`fold_name`], without allocating.
pub fn fold_eq(a: &str, b: &str) -> bool {
    folded(a).eq(folded(b))
}

/// The 48 bits of a MAC as an integer.
fn mac_u64(mac: Mac) -> u64 {
    let [a, b, c, d, e, f] = mac.octets();
    u64::from_be_bytes([0, 0, a, b, c, d, e, f])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn mac(s: &str) -> Mac {
        s.parse().unwrap()
    }

    #[test]
    fn embedded_parses() {
        let parsed = Registry::from_table(EMBEDDED_TABLE).unwrap();
        let reg = Registry::embedded();
        assert_eq!(parsed.len(), reg.len());
        assert!(reg.len() > 50_000, "{}", reg.len());
        let counts = reg.counts();
        assert!(counts.iter().all(|(_, n)| *n > 1000), "{counts:?}");
        assert!(embedded_source().contains("oui-data"));
    }

    /// The compiled table is the slow path's registry: same bytes, same blocks in the
    /// same order, same answer for the first and last MAC of every block.
    #[test]
    fn compiled_table_matches_parsing() {
        let parsed = Registry::from_table(EMBEDDED_TABLE).unwrap();
        let reg = Registry::embedded();
        assert!(matches!(reg.names, Cow::Borrowed(_)));
        assert_eq!(reg.records, parsed.records);
        assert_eq!(reg.offsets, parsed.offsets);
        assert_eq!(reg.names, parsed.names);
        assert_eq!(reg.counts(), parsed.counts());
        assert_eq!(
            reg.counts(),
            [
                (Block::MaL, 40_010),
                (Block::MaM, 6_565),
                (Block::MaS, 7_155),
                (Block::Iab, 4_575),
            ]
        );
        let blocks: Vec<Vendor<'_>> = reg.iter().collect();
        assert_eq!(blocks.len(), 58_305);
        assert!(blocks.iter().copied().eq(parsed.iter()));
        for v in &blocks {
            let host_bits = 48 - u32::from(v.prefix.bits());
            let first = v.prefix.value() << host_bits;
            let last = first | ((1 << host_bits) - 1);
            for m in [first, last] {
                let [_, _, a, b, c, d, e, f] = m.to_be_bytes();
                let m = Mac([a, b, c, d, e, f]);
                let found = reg.lookup(m);
                assert_eq!(found, parsed.lookup(m), "{m}");
                // The block answers for its own MACs unless a longer one does.
                if let Some(found) = found {
                    assert!(found.prefix.bits() >= v.prefix.bits(), "{m}");
                    assert!(v.prefix.contains(m) && found.prefix.contains(m), "{m}");
                } else {
                    assert!(m.is_multicast() || m.is_locally_administered(), "{m}");
                }
            }
        }
        let first_lines = EMBEDDED_TABLE.lines().take_while(|l| l.starts_with('#'));
        let source = first_lines
            .filter_map(|l| l.strip_prefix("# source:"))
            .next();
        assert_eq!(Some(embedded_source()), source.map(str::trim));
    }

    #[test]
    fn lookup_edges() {
        let reg = Registry::embedded();
        let find = |m: &str| {
            reg.lookup(mac(m))
                .map(|v| (v.name, v.block, v.prefix.to_string()))
        };
        // The first and last block of each record array: the binary search's ends.
        let ieee = "IEEE Registration Authority";
        assert_eq!(
            find("00:00:00:00:00:00"),
            Some(("XEROX CORPORATION", Block::MaL, "00:00:00".into()))
        );
        assert_eq!(
            find("fc:ff:aa:ff:ff:ff"),
            Some((ieee, Block::MaL, "fc:ff:aa".into()))
        );
        assert_eq!(
            find("00:55:da:00:00:00").map(|v| v.2),
            Some("00:55:da:0/28".into())
        );
        assert_eq!(
            find("fc:e4:98:ef:ff:ff"),
            Some((
                "TIH Microelectronics Technology Co. Ltd.",
                Block::MaM,
                "fc:e4:98:e/28".into()
            ))
        );
        assert_eq!(
            find("00:1b:c5:00:00:00"),
            Some((
                "Converging Systems Inc.",
                Block::MaS,
                "00:1b:c5:00:0/36".into()
            ))
        );
        assert_eq!(
            find("8c:1f:64:ff:cf:ff").map(|v| v.0),
            Some("Invendis Technologies India Pvt Ltd")
        );
        assert_eq!(
            find("40:d8:55:ee:6f:ff"),
            Some(("Narinet, Inc.", Block::Iab, "40:d8:55:ee:6/36".into()))
        );
        // Past the last MA-S block, and an unassigned /36 inside the MA-S range: the
        // MA-L answers.
        assert_eq!(
            find("8c:1f:64:ff:ff:ff"),
            Some((ieee, Block::MaL, "8c:1f:64".into()))
        );
        // After the last MA-L: nothing.
        assert_eq!(find("fc:ff:ff:00:00:00"), None);
        // A registered MA-L whose first octet has the U/L bit set (RACAL-DATACOM, 1980s):
        // listed, but a MAC in it is locally administered, so it has no vendor.
        assert!(
            reg.iter()
                .any(|v| v.prefix.to_string() == "02:07:01" && v.name == "RACAL-DATACOM")
        );
        assert_eq!(find("02:07:01:00:00:01"), None);
        // The group bit on a known OUI.
        assert_eq!(find("11:6f:3f:12:34:56"), None);

        let empty = Registry::default();
        assert!(empty.is_empty());
        assert_eq!(empty.lookup(mac("10:6f:3f:12:34:56")), None);
        assert_eq!(empty.iter().count(), 0);
        assert!(empty.counts().iter().all(|(_, n)| *n == 0));
    }

    #[test]
    fn merge_over_embedded() {
        let extra = "# an --oui-file\n\
                     106F3F\tMA-L\tBuffalo Inc.\n\
                     106F3F1\tMA-M\tA new MA-M under Buffalo\n\
                     70B3D5123\tMA-S\tAmfitech ApS (renamed)\n\
                     00000A\tMA-L\tXEROX CORPORATION\n";
        let other = Registry::from_table(extra).unwrap();
        let mut merged = Registry::embedded().clone();
        merged.merge(other.clone());
        assert!(matches!(merged.names, Cow::Owned(_)));
        // The merged registry's names win; one block is new.
        assert_eq!(merged.len(), Registry::embedded().len() + 1);
        let name = |r: &Registry, m: &str| r.lookup(mac(m)).map(|v| v.name.to_owned());
        assert_eq!(name(&merged, "10:6f:3f:00:00:01").unwrap(), "Buffalo Inc.");
        assert_eq!(
            name(&merged, "10:6f:3f:12:34:56").unwrap(),
            "A new MA-M under Buffalo"
        );
        assert_eq!(
            name(&merged, "70:b3:d5:12:3a:bc").unwrap(),
            "Amfitech ApS (renamed)"
        );
        assert_eq!(
            name(&merged, "00:00:0a:00:00:01").unwrap(),
            "XEROX CORPORATION"
        );
        assert_eq!(name(&merged, "00:03:93:aa:bb:cc").unwrap(), "Apple, Inc.");
        // The embedded registry itself is unchanged.
        assert_eq!(
            name(Registry::embedded(), "10:6f:3f:12:34:56").unwrap(),
            "BUFFALO.INC"
        );
        // The same as one table with the file's lines last (a later line wins), and as
        // merging into the slow path's registry.
        let joined = Registry::from_table(&format!("{EMBEDDED_TABLE}{extra}")).unwrap();
        assert!(merged.iter().eq(joined.iter()));
        assert_eq!(merged.counts(), joined.counts());
        let mut slow = Registry::from_table(EMBEDDED_TABLE).unwrap();
        slow.merge(other.clone());
        assert!(merged.iter().eq(slow.iter()));

        // The other way round: the embedded registry's names win over the file's.
        let mut under = other.clone();
        under.merge(Registry::embedded().clone());
        let joined = Registry::from_table(&format!("{extra}{EMBEDDED_TABLE}")).unwrap();
        assert!(under.iter().eq(joined.iter()));
        assert_eq!(under.len(), merged.len());
        assert_eq!(name(&under, "10:6f:3f:00:00:01").unwrap(), "BUFFALO.INC");
        assert_eq!(
            name(&under, "10:6f:3f:12:34:56").unwrap(),
            "A new MA-M under Buffalo"
        );

        // With an empty registry on either side.
        let mut from_empty = Registry::default();
        from_empty.merge(other.clone());
        assert!(from_empty.iter().eq(other.iter()));
        let mut onto_empty = other.clone();
        onto_empty.merge(Registry::default());
        assert!(onto_empty.iter().eq(other.iter()));
        // Merging twice stacks: the last one wins.
        let mut twice = Registry::embedded().clone();
        twice.merge(other.clone());
        twice.merge(Registry::from_table("106F3F\tMA-L\tBUFFALO.INC\n").unwrap());
        assert_eq!(name(&twice, "10:6f:3f:00:00:01").unwrap(), "BUFFALO.INC");
        assert_eq!(twice.len(), merged.len());
    }

    /// Table lines drawn from a few overlapping blocks and names, so that merged
    /// registries share blocks (at every length) and names.
    fn table_lines() -> impl proptest::strategy::Strategy<Value = Vec<String>> {
        use proptest::prelude::*;
        let line = (0usize..4, 0u64..4, 0usize..4).prop_map(|(kind, low, name)| {
            let (assignment, registry) = match kind {
                0 => (format!("10{low:04X}"), "MA-L"),
                1 => (format!("10000{low:02X}"), "MA-M"),
                2 => (format!("1000000{low:02X}"), "MA-S"),
                _ => (format!("1000000{low:02X}"), "IAB"),
            };
            let name = ["Alpha", "Beta", "Gamma", "Alpha Inc."][name];
            format!("{assignment}\t{registry}\t{name}\n")
        });
        proptest::collection::vec(line, 0..12)
    }

    proptest::proptest! {
        /// Merging is the same as one table with the merged lines last.
        #[test]
        fn merge_is_later_lines_win(a in table_lines(), b in table_lines()) {
            let (a, b) = (a.concat(), b.concat());
            let mut merged = Registry::from_table(&a).unwrap();
            merged.merge(Registry::from_table(&b).unwrap());
            let joined = Registry::from_table(&format!("{a}{b}")).unwrap();
            proptest::prop_assert!(merged.iter().eq(joined.iter()));
            proptest::prop_assert_eq!(merged.counts(), joined.counts());
            for m in ["10:00:00:01:00:00", "10:00:00:00:00:00", "10:00:03:ff:ff:ff"] {
                proptest::prop_assert_eq!(merged.lookup(mac(m)), joined.lookup(mac(m)));
            }
        }
    }

    #[test]
    fn table_errors_and_repeats() {
        let err = |t: &str| Registry::from_table(t).unwrap_err().to_string();
        assert_eq!(
            err("# c\n\n106F3F MA-L BUFFALO\n"),
            "<table>:3: expected ASSIGNMENT<TAB>REGISTRY<TAB>ORGANIZATION"
        );
        assert_eq!(
            err("106F3F\tCID\tX\n"),
            "<table>:1: unknown registry `CID` (expected MA-L, MA-M, MA-S or IAB)"
        );
        assert_eq!(
            err("106F3F\tMA-L\t \n"),
            "<table>:1: empty organization name"
        );
        assert_eq!(
            err("70B3D5123\tIAB\tX\n70B3D512\tIAB\tY\n"),
            "<table>:2: an IAB assignment must be 9 hex digits"
        );
        // A later line for the same block wins; MA-S and IAB share the /36 array.
        let reg =
            Registry::from_table("70B3D5123\tIAB\tOld\r\n70B3D5123\tMA-S\t New \r\n").unwrap();
        assert_eq!(reg.len(), 1);
        let v = reg.lookup(mac("70:b3:d5:12:34:56")).unwrap();
        assert_eq!((v.name, v.block), ("New", Block::MaS));
        assert_eq!(
            format!("{reg:?}"),
            "Registry { blocks: 1, names: 2, embedded: false }"
        );
    }

    #[test]
    fn known_ouis() {
        let reg = Registry::embedded();
        let v = reg.lookup(mac("10:6f:3f:12:34:56")).unwrap();
        assert_eq!(v.name, "BUFFALO.INC");
        assert_eq!(v.block, Block::MaL);
        assert_eq!(v.prefix.to_string(), "10:6f:3f");
        // Apple (the first OUI Apple registered), Google, Nest Labs.
        assert_eq!(
            reg.lookup(mac("00:03:93:aa:bb:cc")).unwrap().name,
            "Apple, Inc."
        );
        assert_eq!(
            reg.lookup(mac("f4:f5:d8:00:00:01")).unwrap().name,
            "Google, Inc."
        );
        assert_eq!(
            reg.lookup(mac("18:b4:30:00:00:01")).unwrap().name,
            "Nest Labs Inc."
        );
        assert_eq!(
            reg.lookup(mac("1c:b1:7f:00:00:01")).unwrap().name,
            "NEC Platforms, Ltd."
        );
    }

    #[test]
    fn longest_prefix_wins() {
        let reg = Registry::embedded();
        // 70:b3:d5 is an MA-L held by the IEEE RA for MA-S blocks.
        let v = reg.lookup(mac("70:b3:d5:12:3a:bc")).unwrap();
        assert_eq!(v.block, Block::MaS);
        assert_eq!(v.name, "Amfitech ApS");
        assert_eq!(v.prefix.to_string(), "70:b3:d5:12:3/36");
        // 00:55:da is split into MA-M blocks.
        let v = reg.lookup(mac("00:55:da:1f:ff:ff")).unwrap();
        assert_eq!(v.block, Block::MaM);
        assert_eq!(v.name, "KoolPOS Inc.");
        assert_eq!(v.prefix.to_string(), "00:55:da:1/28");
        // IAB block.
        let v = reg.lookup(mac("00:50:c2:7d:50:01")).unwrap();
        assert_eq!(v.block, Block::Iab);
        assert_eq!(v.name, "DEUTA-WERKE GmbH");
        // No MA-S block is assigned at 70:b3:d5:00:0: the parent MA-L answers.
        let v = reg.lookup(mac("70:b3:d5:00:00:00")).unwrap();
        assert_eq!(
            (v.block, v.name),
            (Block::MaL, "IEEE Registration Authority")
        );
    }

    #[test]
    fn no_vendor_for_local_or_group() {
        let reg = Registry::embedded();
        // A randomized MAC: 10:6f:3f with the U/L bit set.
        assert_eq!(reg.lookup(mac("12:6f:3f:12:34:56")), None);
        assert_eq!(reg.lookup(mac("da:a1:19:00:00:01")), None);
        assert_eq!(reg.lookup(mac("33:33:00:00:00:01")), None);
        assert_eq!(reg.lookup(Mac::BROADCAST), None);
    }

    const CSV: &str = "\u{feff}Registry,Assignment,Organization Name,Organization Address\n\
MA-L,106F3F,BUFFALO.INC,\"AKAMONDORI Bldg., 30-20,Ohsu 3-chome Naka-ku,Nagoya Aichi Pref.  JP 460-8315 \"\r\n\
MA-L,70B3D5,IEEE Registration Authority,445 Hoes Lane Piscataway NJ US 08554 \n\
MA-S,70B3D5123,\"Amfitech \"\"Aps\"\", Ltd\" ,\"Two\nlines\"\n\
CID,0A1B2C,Some CID holder,\n\
\n\
MA-M,0055DA1,  KoolPOS Inc. ,somewhere\n";

    #[test]
    fn csv_parse_and_merge() {
        let text = CSV.strip_prefix('\u{feff}').unwrap();
        let reg = Registry::from_ieee_csv(text).unwrap();
        assert_eq!(reg.len(), 4);
        let v = reg.lookup(mac("70:b3:d5:12:30:00")).unwrap();
        assert_eq!(v.name, "Amfitech \"Aps\", Ltd");
        assert_eq!(
            reg.lookup(mac("00:55:da:10:00:00")).unwrap().name,
            "KoolPOS Inc."
        );
        assert_eq!(
            reg.lookup(mac("70:b3:d5:99:00:00")).unwrap().name,
            "IEEE Registration Authority"
        );

        let mut merged = reg.clone();
        let other = Registry::from_ieee_csv(
            "Registry,Assignment,Organization Name,Organization Address\n\
             MA-L,106F3F,Buffalo Inc.,x\n\
             MA-L,A41242,NEC Platforms\\, Ltd.,y\n",
        )
        .unwrap();
        merged.merge(other);
        assert_eq!(merged.len(), 5);
        assert_eq!(
            merged.lookup(mac("10:6f:3f:00:00:01")).unwrap().name,
            "Buffalo Inc."
        );
        assert!(merged.lookup(mac("a4:12:42:00:00:01")).is_some());
        assert_eq!(
            merged.lookup(mac("70:b3:d5:12:30:00")).unwrap().block,
            Block::MaS
        );
        assert_eq!(merged.iter().count(), 5);
    }

    #[test]
    fn csv_errors_name_the_line() {
        let err = Registry::from_ieee_csv("Registry,Assignment,Organization Name\nMA-L,106F3,X\n")
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "<csv>:2: an MA-L assignment must be 6 hex digits"
        );
        let err = Registry::from_ieee_csv("MA-L,106F3F,X\nMA-X,106F3F,X\n").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("<csv>:2: unknown registry `MA-X`"),
            "{err}"
        );
        let err = Registry::from_ieee_csv("MA-L,106F3F,\"X\n").unwrap_err();
        assert!(err.to_string().starts_with("<csv>:1: "), "{err}");
        let err = Registry::from_ieee_csv("MA-L,106F3F,   ,addr\n").unwrap_err();
        assert_eq!(err.to_string(), "<csv>:1: empty organization name");

        let dir = std::env::temp_dir().join(format!("v6sentinel-oui-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("bad.csv");
        std::fs::write(
            &path,
            "Registry,Assignment,Organization Name\nMA-L,zz6F3F,X\n",
        )
        .unwrap();
        let err = Registry::load_file(&path).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!(
                "{}:2: an MA-L assignment must be 6 hex digits",
                path.display()
            )
        );
        std::fs::write(&path, CSV).unwrap();
        assert_eq!(Registry::load_file(&path).unwrap().len(), 4);
        let tsv = dir.join("table.tsv");
        std::fs::write(&tsv, "# c\n106F3F\tMA-L\tBUFFALO.INC\n0055DA1\tMA-M\tK\n").unwrap();
        assert_eq!(Registry::load_file(&tsv).unwrap().len(), 2);
        std::fs::write(&tsv, "106F3F\tMA-M\tBUFFALO.INC\n").unwrap();
        assert!(
            Registry::load_file(&tsv)
                .unwrap_err()
                .to_string()
                .ends_with("table.tsv:1: an MA-M assignment must be 7 hex digits")
        );
        assert!(matches!(
            Registry::load_file(&dir.join("missing.csv")),
            Err(OuiError::Io { .. })
        ));
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// Debian's ieee-data CSVs, when installed, all parse.
    #[test]
    fn ieee_data_csv_files() {
        let dir = Path::new("/usr/share/ieee-data");
        for f in ["oui.csv", "mam.csv", "oui36.csv", "iab.csv"] {
            let path = dir.join(f);
            if path.exists() {
                let reg = Registry::load_file(&path).unwrap();
                assert!(reg.len() > 1000, "{f}: {}", reg.len());
            }
        }
    }

    #[test]
    fn prefix_forms() {
        let p: Prefix = "10:6F:3f".parse().unwrap();
        assert_eq!((p.value(), p.bits()), (0x106f3f, 24));
        assert_eq!(p, "106f3f".parse().unwrap());
        assert_eq!(p, "10-6f-3f/24".parse().unwrap());
        assert!(p.contains(mac("10:6f:3f:00:00:00")));
        assert!(!p.contains(mac("10:6f:3e:ff:ff:ff")));
        let s: Prefix = "70:b3:d5:12:3/36".parse().unwrap();
        assert_eq!(s.to_string(), "70:b3:d5:12:3/36");
        assert_eq!(s, "70B3D5123".parse().unwrap());
        assert!(s.contains(mac("70:b3:d5:12:3f:ff")));
        assert!(!s.contains(mac("70:b3:d5:12:40:00")));
        assert_eq!(
            "00:55:da:0".parse::<Prefix>().unwrap().to_string(),
            "00:55:da:0/28"
        );
        assert!("70:b3:d5:12:3/28".parse::<Prefix>().is_err());
        assert!("zz:6f:3f".parse::<Prefix>().is_err());
        assert!("".parse::<Prefix>().is_err());
        assert!("10:6f:3f:12:34:56:7".parse::<Prefix>().is_err());
        assert_eq!(Prefix::of(mac("10:6f:3f:12:34:56"), 24), Some(p));
        assert_eq!(Prefix::new(0x1000000, 24), None);
    }

    #[test]
    fn folding() {
        assert_eq!(fold_name("BUFFALO.INC"), "buffaloinc");
        assert_eq!(fold_name("Buffalo Inc."), fold_name("BUFFALO.INC"));
        assert!(fold_eq(
            "TP-LINK TECHNOLOGIES CO.,LTD.",
            "tp link technologies co ltd"
        ));
        assert!(fold_eq(
            "ELECOM CO., LTD.  (LANEED DIV.)",
            "ELECOM CO., LTD. (LANEED DIV.)"
        ));
        assert!(!fold_eq(
            "ELECOM CO.,LTD.",
            "ELECOM CO., LTD. (LANEED DIV.)"
        ));
        assert!(!fold_eq("NEC Corporation", "NEC Platforms, Ltd."));
        assert_eq!(
            fold_name("SHENZHEN BILIAN ELECTRONIC CO.，LTD"),
            "shenzhenbilianelectroniccoltd"
        );
    }
}
