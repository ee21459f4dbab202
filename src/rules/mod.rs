//! The knowledge tables: which devices are known offenders and what to do about them
//! (`rules/offenders.toml`), whose prefixes and DNS servers the expected upstream uses
//! (`rules/providers.toml`), and the texts a report shows per remedy
//! (`rules/remedies.toml`).
//!
//! The three files are embedded at build time ([`Rules::embedded`]) and can be
//! overridden with `--rules DIR` ([`Rules::load_dir`]); `v6sentinel rules check`
//! uses [`Rules::check_dir`]. A bad file gives one [`RulesError`] that reads
//! `FILE:LINE:COLUMN: what is wrong`, for TOML syntax errors and for values that parse
//! but mean nothing (an unknown remedy code, a bad prefix, a duplicate id, ...).
//!
//! Matching an offender is by vendor name, compared with [`oui::fold_eq`], or by an
//! explicit MAC prefix; [`Rules::offenders_for`] returns every match in file order.

mod parse;
pub use parse::line_column;
mod prefix;

pub use prefix::{ParsePrefixError, Prefix};

use crate::oui;
use crate::wire::Mac;
use core::fmt;
use core::net::Ipv6Addr;
use core::str::FromStr;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

/// The embedded `rules/offenders.toml`.
pub const EMBEDDED_OFFENDERS: &str = include_str!("../../rules/offenders.toml");
/// The embedded `rules/providers.toml`.
pub const EMBEDDED_PROVIDERS: &str = include_str!("../../rules/providers.toml");
/// The embedded `rules/remedies.toml`.
pub const EMBEDDED_REMEDIES: &str = include_str!("../../rules/remedies.toml");

/// The file names a rules directory may hold.
pub const RULE_FILES: [&str; 3] = ["offenders.toml", "providers.toml", "remedies.toml"];

/// Declares a string-coded enum with `ALL`, `as_str`, `Display`, `FromStr` and serde
/// in snake_case.
macro_rules! coded_enum {
    ($(#[$meta:meta])* $name:ident, $what:literal {
        $($(#[$vmeta:meta])* $variant:ident => $code:literal,)+
    }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        #[derive(serde::Serialize, serde::Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($code),+].len()] = [$($name::$variant),+];

            /// The stable code used in rule files and JSON.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $code,)+
                }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $name {
            type Err = UnknownCode;

            fn from_str(s: &str) -> Result<$name, UnknownCode> {
                match s {
                    $($code => Ok($name::$variant),)+
                    _ => Err(UnknownCode { what: $what, code: s.to_owned() }),
                }
            }
        }
    };
}

/// A string that is not one of an enum's codes.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {what} `{code}`")]
pub struct UnknownCode {
    /// Which kind of code (`remedy`, `category`).
    pub what: &'static str,
    /// The string given.
    pub code: String,
}

coded_enum! {
    /// What to do about a device (DESIGN.md, Remedy codes).
    RemedyCode, "remedy" {
        /// Remedy 1: turn off IPv6 on the device (対処方法１).
        DisableIpv6 => "disable_ipv6",
        /// Remedy 2: move the device to a separate line (対処方法２).
        SeparateLine => "separate_line",
        /// Not known whether IPv6 can be turned off (the source's 不明).
        Unknown => "unknown",
        /// Nothing to do.
        None => "none",
    }
}

coded_enum! {
    /// What kind of device an offender is.
    Category, "category" {
        /// A Wi-Fi (wireless LAN) router or access point.
        WifiRouter => "wifi_router",
        /// A media player (Apple TV).
        MediaPlayer => "media_player",
        /// A smart display (Google Nest Hub).
        SmartDisplay => "smart_display",
        /// A smart speaker (Amazon Echo).
        SmartSpeaker => "smart_speaker",
        /// A UTM (unified threat management) appliance or business router.
        Utm => "utm",
    }
}

/// A kind of device known to break the eligibility terminal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Offender {
    /// Stable identifier (lower-case, digits, '-'), used in JSON.
    pub id: String,
    /// What a report calls the device.
    pub name: String,
    /// IEEE organization names, matched after [`oui::fold_name`].
    pub vendors: Vec<String>,
    /// Explicit MAC prefixes that identify the device.
    pub ouis: Vec<oui::Prefix>,
    /// Models the source names (free text).
    pub models: Vec<String>,
    /// Kind of device.
    pub category: Category,
    /// What to do about it.
    pub remedy: RemedyCode,
    /// Where the entry comes from.
    pub source: String,
}

impl Offender {
    /// Whether a device with vendor name `vendor` (as the registry gives it) and MAC
    /// `mac` is this offender: the folded vendor name equals one of
    /// [`vendors`](Self::vendors), or `mac` starts with one of [`ouis`](Self::ouis).
    pub fn matches(&self, vendor: Option<&str>, mac: Mac) -> bool {
        vendor.is_some_and(|v| self.vendors.iter().any(|n| oui::fold_eq(n, v)))
            || self.ouis.iter().any(|p| p.contains(mac))
    }
}

/// An upstream provider whose prefixes an expected router advertises.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Provider {
    /// Stable identifier.
    pub id: String,
    /// Display name.
    pub name: String,
    /// Its address blocks.
    pub prefixes: Vec<Prefix>,
    /// Where the prefixes come from.
    pub source: String,
}

/// A provider's DNS server.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProviderDns {
    /// The [`Provider::id`] it belongs to.
    pub provider: String,
    /// The server's address.
    pub address: Ipv6Addr,
    /// Where the address comes from.
    pub source: String,
}

/// One text in Japanese and English.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RemedyText {
    /// Japanese.
    pub ja: String,
    /// English.
    pub en: String,
}

impl RemedyText {
    /// The Japanese text when `lang` starts with `ja` (`ja`, `ja_JP.UTF-8`), the
    /// English one otherwise.
    pub fn for_lang(&self, lang: &str) -> &str {
        if lang.starts_with("ja") {
            &self.ja
        } else {
            &self.en
        }
    }
}

/// The texts of `remedies.toml`.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Remedies {
    /// `[remedy.disable_ipv6]`.
    pub disable_ipv6: RemedyText,
    /// `[remedy.separate_line]`.
    pub separate_line: RemedyText,
    /// `[remedy.unknown]`.
    pub unknown: RemedyText,
    /// `[remedy.none]`.
    pub none: RemedyText,
    /// `[contact]`: where the clinic gets help.
    pub contact: RemedyText,
}

/// A rules file that could not be read or makes no sense.
///
/// Displays as `FILE:LINE:COLUMN: message` (line and column 1-based, the column
/// counted in characters). An error about a whole file or directory (it cannot be
/// read) has line and column 0 and displays as `FILE: message`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RulesError {
    /// The file (or directory) at fault.
    pub file: PathBuf,
    /// 1-based line, or 0 when the error is about the whole file.
    pub line: usize,
    /// 1-based column in characters, or 0 when the error is about the whole file.
    pub column: usize,
    /// What is wrong.
    pub message: String,
}

impl RulesError {
    fn whole(file: &Path, message: impl Into<String>) -> RulesError {
        RulesError {
            file: file.to_path_buf(),
            line: 0,
            column: 0,
            message: message.into(),
        }
    }
}

impl fmt::Display for RulesError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.line == 0 {
            write!(f, "{}: {}", self.file.display(), self.message)
        } else {
            write!(
                f,
                "{}:{}:{}: {}",
                self.file.display(),
                self.line,
                self.column,
                self.message
            )
        }
    }
}

impl std::error::Error for RulesError {}

/// The three tables.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Rules {
    /// `offenders.toml`, in file order.
    pub offenders: Vec<Offender>,
    /// `providers.toml` `[[provider]]`, in file order.
    pub providers: Vec<Provider>,
    /// `providers.toml` `[[dns]]`, in file order.
    pub dns: Vec<ProviderDns>,
    /// `remedies.toml`.
    pub remedies: Remedies,
}

impl Rules {
    /// The rules embedded in the binary, parsed on first use.
    ///
    /// The embedded files are checked by the tests; were they ever invalid, this
    /// returns empty tables rather than panic.
    pub fn embedded() -> &'static Rules {
        static EMBEDDED: OnceLock<Rules> = OnceLock::new();
        EMBEDDED.get_or_init(|| Rules::parse_embedded().unwrap_or_default())
    }

    fn parse_embedded() -> Result<Rules, RulesError> {
        Rules::from_texts(EMBEDDED_OFFENDERS, EMBEDDED_PROVIDERS, EMBEDDED_REMEDIES)
    }

    /// Parses the three files from text; errors name them `offenders.toml`,
    /// `providers.toml` and `remedies.toml`.
    pub fn from_texts(
        offenders: &str,
        providers: &str,
        remedies: &str,
    ) -> Result<Rules, RulesError> {
        let [o, p, r] = RULE_FILES.map(Path::new);
        Rules::from_sources(
            parse::Source {
                file: o,
                text: offenders,
            },
            parse::Source {
                file: p,
                text: providers,
            },
            parse::Source {
                file: r,
                text: remedies,
            },
        )
    }

    fn from_sources(
        offenders: parse::Source<'_>,
        providers: parse::Source<'_>,
        remedies: parse::Source<'_>,
    ) -> Result<Rules, RulesError> {
        let offenders = parse::offenders(offenders)?;
        let (providers, dns) = parse::providers(providers)?;
        let remedies = parse::remedies(remedies)?;
        Ok(Rules {
            offenders,
            providers,
            dns,
            remedies,
        })
    }

    /// Loads `--rules DIR`: `DIR/offenders.toml`, `DIR/providers.toml` and
    /// `DIR/remedies.toml`. **A file missing from DIR falls back to the embedded
    /// one**, so a directory may override just one table. A file that exists but
    /// cannot be read or is invalid is an error, and so is a DIR that is not a
    /// directory.
    pub fn load_dir(dir: &Path) -> Result<Rules, RulesError> {
        Rules::load(dir, false)
    }

    /// Validates a rules directory for `v6sentinel rules check`: like
    /// [`load_dir`](Self::load_dir) (missing files fall back to the embedded ones), but
    /// a directory holding none of the three files is an error, since checking it
    /// would only check the embedded rules.
    pub fn check_dir(dir: &Path) -> Result<Rules, RulesError> {
        Rules::load(dir, true)
    }

    fn load(dir: &Path, need_one: bool) -> Result<Rules, RulesError> {
        match std::fs::metadata(dir) {
            Ok(m) if m.is_dir() => {}
            Ok(_) => return Err(RulesError::whole(dir, "not a directory")),
            Err(e) => return Err(RulesError::whole(dir, format!("cannot read: {e}"))),
        }
        let mut texts: [Option<String>; 3] = Default::default();
        for (slot, name) in texts.iter_mut().zip(RULE_FILES) {
            let path = dir.join(name);
            match std::fs::read_to_string(&path) {
                Ok(text) => *slot = Some(text),
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(RulesError::whole(&path, format!("cannot read: {e}"))),
            }
        }
        if need_one && texts.iter().all(Option::is_none) {
            return Err(RulesError::whole(
                dir,
                format!("no rule files here (expected {})", RULE_FILES.join(", ")),
            ));
        }
        // Errors in a fallback name the embedded file (they cannot happen: tested).
        let file = |text: &Option<String>, name: &str| match text {
            Some(_) => dir.join(name),
            None => PathBuf::from(format!("(embedded) rules/{name}")),
        };
        let [o, p, r] = texts;
        let [o_name, p_name, r_name] = RULE_FILES;
        let (o_file, p_file, r_file) = (file(&o, o_name), file(&p, p_name), file(&r, r_name));
        Rules::from_sources(
            parse::Source {
                file: &o_file,
                text: o.as_deref().unwrap_or(EMBEDDED_OFFENDERS),
            },
            parse::Source {
                file: &p_file,
                text: p.as_deref().unwrap_or(EMBEDDED_PROVIDERS),
            },
            parse::Source {
                file: &r_file,
                text: r.as_deref().unwrap_or(EMBEDDED_REMEDIES),
            },
        )
    }

    /// The offenders a device may be, in file order: those whose vendor names equal
    /// `vendor` after folding (`vendor` is the registry's name for the MAC, e.g.
    /// `Registry::embedded().lookup(mac).map(|v| v.name)`), and those with an
    /// explicit prefix `mac` starts with.
    ///
    /// Several entries can match (NEC makes both Aterm Wi-Fi routers and UNIVERGE
    /// UTMs); the caller picks, e.g. by the category that fits what the device does,
    /// else the first.
    pub fn offenders_for(&self, vendor: Option<&str>, mac: Mac) -> impl Iterator<Item = &Offender> {
        self.offenders
            .iter()
            .filter(move |o| o.matches(vendor, mac))
    }

    /// The offender with this id.
    pub fn offender(&self, id: &str) -> Option<&Offender> {
        self.offenders.iter().find(|o| o.id == id)
    }

    /// The first provider (in file order) one of whose prefixes wholly contains
    /// `prefix`.
    pub fn provider_of(&self, prefix: &Prefix) -> Option<&Provider> {
        self.providers
            .iter()
            .find(|p| p.prefixes.iter().any(|own| own.contains(prefix)))
    }

    /// The first provider (in file order) one of whose prefixes contains `addr`.
    pub fn provider_of_addr(&self, addr: &Ipv6Addr) -> Option<&Provider> {
        self.providers
            .iter()
            .find(|p| p.prefixes.iter().any(|own| own.contains_addr(addr)))
    }

    /// The `[[dns]]` entry for `addr`, if it is a known provider DNS server.
    pub fn dns_server(&self, addr: &Ipv6Addr) -> Option<&ProviderDns> {
        self.dns.iter().find(|d| d.address == *addr)
    }

    /// The texts for a remedy code.
    pub fn remedy(&self, code: RemedyCode) -> &RemedyText {
        match code {
            RemedyCode::DisableIpv6 => &self.remedies.disable_ipv6,
            RemedyCode::SeparateLine => &self.remedies.separate_line,
            RemedyCode::Unknown => &self.remedies.unknown,
            RemedyCode::None => &self.remedies.none,
        }
    }

    /// Where the clinic gets help (the seed's contact line).
    pub fn contact(&self) -> &RemedyText {
        &self.remedies.contact
    }
}

#[cfg(test)]
mod tests;
