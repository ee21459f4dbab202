//! Reading the three rule files: TOML through serde into raw structs that keep the
//! byte span of every value we validate (`toml::Spanned`), then validation into the
//! domain types. Every error, syntactic or semantic, becomes one [`RulesError`] that
//! points at a line and column of the file.

use super::{
    Category, Offender, Prefix, Provider, ProviderDns, Remedies, RemedyCode, RemedyText, RulesError,
};
use crate::oui;
use core::net::Ipv6Addr;
use core::ops::Range;
use serde::Deserialize;
use std::collections::HashMap;
use std::path::Path;
use toml::Spanned;

/// A rules file being read: its name (for errors) and its text.
#[derive(Clone, Copy)]
pub(super) struct Source<'a> {
    pub(super) file: &'a Path,
    pub(super) text: &'a str,
}

impl Source<'_> {
    /// An error at byte `offset` of the text.
    fn error_at(&self, offset: usize, message: impl Into<String>) -> RulesError {
        let (line, column) = line_column(self.text, offset);
        RulesError {
            file: self.file.to_path_buf(),
            line,
            column,
            message: message.into(),
        }
    }

    /// An error at the start of `span`.
    fn error(&self, span: Range<usize>, message: impl Into<String>) -> RulesError {
        self.error_at(span.start, message)
    }

    /// Deserializes the whole file, mapping a TOML or serde error to its position.
    fn deserialize<T: serde::de::DeserializeOwned>(&self) -> Result<T, RulesError> {
        toml::from_str(self.text).map_err(|e| {
            let offset = e.span().map_or(0, |s| s.start);
            // toml's messages may run over several lines; the contract is one line.
            let message = e
                .message()
                .lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .collect::<Vec<_>>()
                .join("; ");
            self.error_at(offset, message)
        })
    }

    /// A required, non-blank string.
    fn text(&self, value: Spanned<String>, what: &str) -> Result<String, RulesError> {
        if value.get_ref().trim().is_empty() {
            return Err(self.error(value.span(), format!("{what} must not be empty")));
        }
        Ok(value.into_inner())
    }

    /// An identifier: lower-case ASCII letters, digits and '-', starting with a letter
    /// or digit.
    fn id(&self, value: Spanned<String>, what: &str) -> Result<String, RulesError> {
        let id = value.get_ref();
        let ok = id
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
            && id.bytes().next().is_some_and(|b| b != b'-');
        if !ok {
            return Err(self.error(
                value.span(),
                format!(
                    "{what} `{id}` must be lower-case letters, digits and '-', not starting with '-'"
                ),
            ));
        }
        Ok(value.into_inner())
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `text`. An offset
/// past the end or inside a character is moved back to the nearest character start.
pub fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(text.len());
    while !text.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = text.get(..offset).unwrap_or_default();
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before.get(line_start..).unwrap_or_default().chars().count() + 1;
    (line, column)
}

// ---------------------------------------------------------------- offenders.toml

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct OffendersFile {
    #[serde(default)]
    offender: Vec<RawOffender>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawOffender {
    id: Spanned<String>,
    name: Spanned<String>,
    #[serde(default)]
    vendors: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    ouis: Option<Spanned<Vec<Spanned<String>>>>,
    #[serde(default)]
    models: Vec<String>,
    category: Spanned<String>,
    remedy: Spanned<String>,
    source: Spanned<String>,
}

pub(super) fn offenders(src: Source<'_>) -> Result<Vec<Offender>, RulesError> {
    let file: OffendersFile = src.deserialize()?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut out = Vec::with_capacity(file.offender.len());
    for raw in file.offender {
        let id_span = raw.id.span();
        let id = src.id(raw.id, "offender id")?;
        if let Some(first) = seen.get(&id) {
            let (line, _) = line_column(src.text, *first);
            return Err(src.error(
                id_span,
                format!("duplicate offender id `{id}` (first used on line {line})"),
            ));
        }
        seen.insert(id.clone(), id_span.start);

        let mut vendors = Vec::new();
        let vendors_span = raw.vendors.as_ref().map(Spanned::span);
        for v in raw.vendors.map(Spanned::into_inner).unwrap_or_default() {
            if oui::fold_name(v.get_ref()).is_empty() {
                return Err(src.error(
                    v.span(),
                    format!(
                        "vendor name `{}` has no letters or digits to match on",
                        v.get_ref()
                    ),
                ));
            }
            vendors.push(v.into_inner());
        }
        let mut ouis = Vec::new();
        let ouis_span = raw.ouis.as_ref().map(Spanned::span);
        for o in raw.ouis.map(Spanned::into_inner).unwrap_or_default() {
            let prefix: oui::Prefix = o
                .get_ref()
                .parse()
                .map_err(|e| src.error(o.span(), format!("bad OUI `{}`: {e}", o.get_ref())))?;
            ouis.push(prefix);
        }
        if vendors.is_empty() && ouis.is_empty() {
            let span = vendors_span.or(ouis_span).unwrap_or(id_span);
            return Err(src.error(
                span,
                format!("offender `{id}` needs at least one entry in `vendors` or `ouis`"),
            ));
        }

        let category = raw.category.get_ref().parse::<Category>().map_err(|_| {
            src.error(
                raw.category.span(),
                format!(
                    "unknown category `{}` (expected one of {})",
                    raw.category.get_ref(),
                    Category::ALL.map(Category::as_str).join(", ")
                ),
            )
        })?;
        let remedy = remedy_code(src, &raw.remedy)?;
        out.push(Offender {
            id,
            name: src.text(raw.name, "name")?,
            vendors,
            ouis,
            models: raw.models,
            category,
            remedy,
            source: src.text(raw.source, "source")?,
        });
    }
    Ok(out)
}

fn remedy_code(src: Source<'_>, value: &Spanned<String>) -> Result<RemedyCode, RulesError> {
    value.get_ref().parse::<RemedyCode>().map_err(|_| {
        src.error(
            value.span(),
            format!(
                "unknown remedy `{}` (expected one of {})",
                value.get_ref(),
                RemedyCode::ALL.map(RemedyCode::as_str).join(", ")
            ),
        )
    })
}

// ---------------------------------------------------------------- providers.toml

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ProvidersFile {
    #[serde(default)]
    provider: Vec<RawProvider>,
    #[serde(default)]
    dns: Vec<RawDns>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawProvider {
    id: Spanned<String>,
    name: Spanned<String>,
    prefixes: Spanned<Vec<Spanned<String>>>,
    source: Spanned<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawDns {
    provider: Spanned<String>,
    address: Spanned<String>,
    source: Spanned<String>,
}

pub(super) fn providers(src: Source<'_>) -> Result<(Vec<Provider>, Vec<ProviderDns>), RulesError> {
    let file: ProvidersFile = src.deserialize()?;
    let mut seen: HashMap<String, usize> = HashMap::new();
    let mut providers = Vec::with_capacity(file.provider.len());
    for raw in file.provider {
        let id_span = raw.id.span();
        let id = src.id(raw.id, "provider id")?;
        if let Some(first) = seen.get(&id) {
            let (line, _) = line_column(src.text, *first);
            return Err(src.error(
                id_span,
                format!("duplicate provider id `{id}` (first used on line {line})"),
            ));
        }
        seen.insert(id.clone(), id_span.start);
        let prefixes_span = raw.prefixes.span();
        let mut prefixes = Vec::new();
        for p in raw.prefixes.into_inner() {
            let prefix = Prefix::from_str_exact(p.get_ref())
                .map_err(|e| src.error(p.span(), format!("bad prefix `{}`: {e}", p.get_ref())))?;
            prefixes.push(prefix);
        }
        if prefixes.is_empty() {
            return Err(src.error(
                prefixes_span,
                format!("provider `{id}` needs at least one prefix"),
            ));
        }
        providers.push(Provider {
            id,
            name: src.text(raw.name, "name")?,
            prefixes,
            source: src.text(raw.source, "source")?,
        });
    }

    let mut dns = Vec::with_capacity(file.dns.len());
    for raw in file.dns {
        if !providers.iter().any(|p| p.id == *raw.provider.get_ref()) {
            return Err(src.error(
                raw.provider.span(),
                format!(
                    "unknown provider `{}` (no [[provider]] has that id)",
                    raw.provider.get_ref()
                ),
            ));
        }
        let address: Ipv6Addr = raw.address.get_ref().trim().parse().map_err(|_| {
            src.error(
                raw.address.span(),
                format!("`{}` is not an IPv6 address", raw.address.get_ref()),
            )
        })?;
        dns.push(ProviderDns {
            provider: raw.provider.into_inner(),
            address,
            source: src.text(raw.source, "source")?,
        });
    }
    Ok((providers, dns))
}

// ---------------------------------------------------------------- remedies.toml

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RemediesFile {
    remedy: RawRemedyTable,
    contact: RawText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRemedyTable {
    disable_ipv6: RawText,
    separate_line: RawText,
    unknown: RawText,
    none: RawText,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawText {
    ja: Spanned<String>,
    en: Spanned<String>,
}

fn text(src: Source<'_>, raw: RawText) -> Result<RemedyText, RulesError> {
    Ok(RemedyText {
        ja: src.text(raw.ja, "ja")?,
        en: src.text(raw.en, "en")?,
    })
}

pub(super) fn remedies(src: Source<'_>) -> Result<Remedies, RulesError> {
    let file: RemediesFile = src.deserialize()?;
    let r = file.remedy;
    Ok(Remedies {
        disable_ipv6: text(src, r.disable_ipv6)?,
        separate_line: text(src, r.separate_line)?,
        unknown: text(src, r.unknown)?,
        none: text(src, r.none)?,
        contact: text(src, file.contact)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_columns() {
        let t = "ab\ncdé\nx";
        assert_eq!(line_column(t, 0), (1, 1));
        assert_eq!(line_column(t, 2), (1, 3));
        assert_eq!(line_column(t, 3), (2, 1));
        // 'é' is two bytes; the column counts characters.
        assert_eq!(line_column(t, 7), (2, 4));
        assert_eq!(line_column(t, 6), (2, 3));
        assert_eq!(line_column(t, 99), (3, 2));
    }
}
