//! The IEEE registry of MAC address blocks (MA-L, MA-M, MA-S and the closed IAB
//! registry): longest-prefix vendor lookup, and the rule that a locally administered
//! (randomized) or group MAC has no vendor.
//!
//! The binary embeds `rules/oui.tsv`, which `scripts/gen-oui.py` generates from the
//! npm package `oui-data` (MA-L, MA-M, MA-S, IEEE's own organization names) and
//! Debian's `ieee-data` `iab.csv` (IAB). Its first comment lines name the exact
//! versions; [`embedded_source`] returns them. `--oui-file` loads IEEE's own CSV
//! files (`oui.csv`, `mam.csv`, `oui36.csv`, `iab.csv`) or a table in the embedded
//! format with [`Registry::load_file`].
//!
//! A lookup is at most three binary searches over sorted `u64` keys (/36, then /28,
//! then /24) and allocates nothing. Vendor names are matched with [`fold_name`] /
//! [`fold_eq`]: IEEE spells one maker several ways ("BUFFALO.INC", "Buffalo Inc.").

mod csv;

use crate::wire::Mac;
use std::borrow::Cow;
use std::collections::HashMap;
use std::fmt;
use std::path::{Path, PathBuf};
use std::str::FromStr;
use std::sync::OnceLock;

/// The generated table the binary embeds (see the module docs for its format).
pub const EMBEDDED_TABLE: &str = include_str!("../../rules/oui.tsv");

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

    /// Index of the lookup table for this block's length.
    const fn table(self) -> usize {
        match self {
            Block::MaL => 0,
            Block::MaM => 1,
            Block::MaS | Block::Iab => 2,
        }
    }
}

impl fmt::Display for Block {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The file name errors carry for CSV text not read from a file.
const CSV_LABEL: &str = "<csv>";
/// The file name errors carry for table text not read from a file.
const TABLE_LABEL: &str = "<table>";

/// The prefix lengths of the three lookup tables, longest last.
const TABLE_BITS: [u8; 3] = [24, 28, 36];

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

/// One lookup table: the blocks of one prefix length, sorted by key.
#[derive(Debug, Clone, Default)]
struct Table {
    /// Prefix values, right-aligned, sorted and unique.
    keys: Vec<u64>,
    /// Name index and registry, parallel to `keys`.
    vals: Vec<(u32, Block)>,
}

/// A set of IEEE MAC address blocks with their organization names.
#[derive(Debug, Clone, Default)]
pub struct Registry {
    names: Vec<Cow<'static, str>>,
    tables: [Table; 3],
}

/// Collects entries while parsing, interning names.
struct Builder<'a> {
    names: Vec<Cow<'a, str>>,
    index: HashMap<Cow<'a, str>, u32>,
    /// (table, key, name index, block), in input order.
    entries: Vec<(usize, u64, u32, Block)>,
}

impl<'a> Builder<'a> {
    fn new() -> Builder<'a> {
        Builder {
            names: Vec::new(),
            index: HashMap::new(),
            entries: Vec::new(),
        }
    }

    /// Adds a block given as IEEE writes the assignment (hex digits, no separators).
    fn add(
        &mut self,
        block: Block,
        assignment: &str,
        name: Cow<'a, str>,
    ) -> Result<(), &'static str> {
        let digits = usize::from(block.bits() / 4);
        if assignment.len() != digits || !assignment.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(match block {
                Block::MaL => "an MA-L assignment must be 6 hex digits",
                Block::MaM => "an MA-M assignment must be 7 hex digits",
                Block::MaS => "an MA-S assignment must be 9 hex digits",
                Block::Iab => "an IAB assignment must be 9 hex digits",
            });
        }
        let key = u64::from_str_radix(assignment, 16).map_err(|_| "bad hex digits")?;
        if name.is_empty() {
            return Err("empty organization name");
        }
        let id = match self.index.get(&name) {
            Some(id) => *id,
            None => {
                let id = u32::try_from(self.names.len()).map_err(|_| "too many names")?;
                self.names.push(name.clone());
                self.index.insert(name, id);
                id
            }
        };
        self.entries.push((block.table(), key, id, block));
        Ok(())
    }

    fn finish(self, own: impl Fn(Cow<'a, str>) -> Cow<'static, str>) -> Registry {
        let mut registry = Registry {
            names: self.names.into_iter().map(own).collect(),
            tables: Default::default(),
        };
        registry.insert_all(self.entries.into_iter());
        registry
    }
}

impl Registry {
    /// The registry embedded in the binary, parsed on first use.
    ///
    /// The embedded table is generated and checked by the tests; were it ever
    /// unparsable, this returns an empty registry rather than panic.
    pub fn embedded() -> &'static Registry {
        static EMBEDDED: OnceLock<Registry> = OnceLock::new();
        EMBEDDED.get_or_init(|| {
            // Borrows the names from the embedded text: no copy of them is made.
            Registry::parse_table(EMBEDDED_TABLE)
                .map(|b| b.finish(|n| n))
                .unwrap_or_default()
        })
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
            builder
                .add(block, assignment.trim(), name)
                .map_err(|what| OuiError::line(CSV_LABEL, line, what))?;
        }
        Ok(builder.finish(|n| Cow::Owned(n.into_owned())))
    }

    /// Parses the embedded table format: `#` comment lines, blank lines, and lines
    /// `ASSIGNMENT<TAB>REGISTRY<TAB>ORGANIZATION`.
    pub fn from_table(text: &str) -> Result<Registry, OuiError> {
        Registry::parse_table(text).map(|b| b.finish(|n| Cow::Owned(n.into_owned())))
    }

    fn parse_table(text: &str) -> Result<Builder<'_>, OuiError> {
        let mut builder = Builder::new();
        for (i, line) in text.lines().enumerate() {
            let line_no = i + 1;
            if line.trim().is_empty() || line.starts_with('#') {
                continue;
            }
            let mut fields = line.splitn(3, '\t');
            let (Some(assignment), Some(registry), Some(name)) =
                (fields.next(), fields.next(), fields.next())
            else {
                return Err(OuiError::line(
                    TABLE_LABEL,
                    line_no,
                    "expected ASSIGNMENT<TAB>REGISTRY<TAB>ORGANIZATION",
                ));
            };
            let block = Block::from_registry(registry).ok_or_else(|| {
                OuiError::line(
                    TABLE_LABEL,
                    line_no,
                    format!("unknown registry `{registry}` (expected MA-L, MA-M, MA-S or IAB)"),
                )
            })?;
            builder
                .add(block, assignment, Cow::Borrowed(name.trim()))
                .map_err(|what| OuiError::line(TABLE_LABEL, line_no, what))?;
        }
        Ok(builder)
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
    pub fn merge(&mut self, other: Registry) {
        let offset = u32::try_from(self.names.len()).unwrap_or(u32::MAX);
        let Registry { names, tables } = other;
        self.names.extend(names);
        let mut entries = Vec::new();
        for (t, table) in tables.into_iter().enumerate() {
            for (key, (name, block)) in table.keys.into_iter().zip(table.vals) {
                entries.push((t, key, name.saturating_add(offset), block));
            }
        }
        self.insert_all(entries.into_iter());
    }

    /// Inserts entries into the tables, a later entry replacing an earlier one for the
    /// same key, and keeps every table sorted.
    fn insert_all(&mut self, entries: impl Iterator<Item = (usize, u64, u32, Block)>) {
        let mut per_table: [Vec<(u64, u32, Block)>; 3] = Default::default();
        for (i, table) in self.tables.iter_mut().enumerate() {
            let keys = std::mem::take(&mut table.keys);
            let vals = std::mem::take(&mut table.vals);
            per_table[i].extend(keys.into_iter().zip(vals).map(|(k, (n, b))| (k, n, b)));
        }
        for (t, key, name, block) in entries {
            if let Some(list) = per_table.get_mut(t) {
                list.push((key, name, block));
            }
        }
        for (table, mut list) in self.tables.iter_mut().zip(per_table) {
            // Stable sort keeps input order among equal keys; keep the last of each run.
            list.sort_by_key(|e| e.0);
            let mut keys = Vec::with_capacity(list.len());
            let mut vals: Vec<(u32, Block)> = Vec::with_capacity(list.len());
            for (key, name, block) in list {
                if keys.last() == Some(&key) {
                    if let Some(v) = vals.last_mut() {
                        *v = (name, block);
                    }
                } else {
                    keys.push(key);
                    vals.push((name, block));
                }
            }
            *table = Table { keys, vals };
        }
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
        self.tables
            .iter()
            .zip(TABLE_BITS)
            .rev()
            .find_map(|(table, bits)| {
                let key = m >> (48 - u32::from(bits));
                let i = table.keys.binary_search(&key).ok()?;
                let (name, block) = *table.vals.get(i)?;
                Some(Vendor {
                    name: self.names.get(name as usize)?,
                    block,
                    prefix: Prefix { value: key, bits },
                })
            })
    }

    /// How many blocks the registry holds.
    pub fn len(&self) -> usize {
        self.tables.iter().map(|t| t.keys.len()).sum()
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
        for (_, block) in self.tables.iter().flat_map(|t| &t.vals) {
            if let Some(c) = counts.iter_mut().find(|c| c.0 == *block) {
                c.1 += 1;
            }
        }
        counts
    }

    /// Every block, shortest prefixes first, each length in prefix order.
    pub fn iter(&self) -> impl Iterator<Item = Vendor<'_>> {
        self.tables
            .iter()
            .zip(TABLE_BITS)
            .flat_map(move |(table, bits)| {
                table
                    .keys
                    .iter()
                    .zip(&table.vals)
                    .filter_map(move |(key, (name, block))| {
                        Some(Vendor {
                            name: self.names.get(*name as usize)?,
                            block: *block,
                            prefix: Prefix { value: *key, bits },
                        })
                    })
            })
    }
}

/// The `# source:` line of the embedded table: which data it was generated from.
pub fn embedded_source() -> &'static str {
    EMBEDDED_TABLE
        .lines()
        .take_while(|l| l.starts_with('#'))
        .find_map(|l| l.strip_prefix("# source:"))
        .map(str::trim)
        .unwrap_or("unknown")
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
