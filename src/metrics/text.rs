//! The Prometheus text exposition format, version 0.0.4: just what [`super::Metrics`]
//! needs (integer samples, no timestamps).
//!
//! A family is a `# HELP` line, a `# TYPE` line and one line per sample,
//! `name{label="value",...} value`. HELP text escapes `\` and line feeds; label values
//! escape `\`, `"` and line feeds (`\\`, `\"`, `\n`). Metric and label names are the
//! module's own constants, so they are not checked here.

/// A metric family's type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Kind {
    /// Only goes up (or restarts from zero); the name ends in `_total`.
    Counter,
    /// Goes up and down.
    Gauge,
}

impl Kind {
    fn name(self) -> &'static str {
        match self {
            Kind::Counter => "counter",
            Kind::Gauge => "gauge",
        }
    }
}

/// Accumulates families into one exposition.
#[derive(Debug, Default)]
pub(super) struct Writer {
    out: String,
}

impl Writer {
    /// Writes one family; nothing at all when it has no sample.
    pub(super) fn family<'s, 'n: 's, 'v: 's, I>(
        &mut self,
        name: &str,
        kind: Kind,
        help: &str,
        samples: I,
    ) where
        I: IntoIterator<Item = (&'s [(&'n str, &'v str)], u64)>,
    {
        let mut samples = samples.into_iter().peekable();
        if samples.peek().is_none() {
            return;
        }
        let out = &mut self.out;
        out.push_str("# HELP ");
        out.push_str(name);
        out.push(' ');
        escape_help(help, out);
        out.push_str("\n# TYPE ");
        out.push_str(name);
        out.push(' ');
        out.push_str(kind.name());
        out.push('\n');
        for (labels, value) in samples {
            out.push_str(name);
            if !labels.is_empty() {
                out.push('{');
                for (n, (label, text)) in labels.iter().enumerate() {
                    if n > 0 {
                        out.push(',');
                    }
                    out.push_str(label);
                    out.push_str("=\"");
                    escape_label_value(text, out);
                    out.push('"');
                }
                out.push('}');
            }
            out.push(' ');
            out.push_str(&value.to_string());
            out.push('\n');
        }
    }

    /// The exposition.
    pub(super) fn finish(self) -> String {
        self.out
    }
}

/// Appends `text` as a HELP docstring: `\` → `\\`, line feed → `\n`.
fn escape_help(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

/// Appends `text` as a label value: `\` → `\\`, `"` → `\"`, line feed → `\n`.
pub(super) fn escape_label_value(text: &str, out: &mut String) {
    for c in text.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '"' => out.push_str("\\\""),
            '\n' => out.push_str("\\n"),
            c => out.push(c),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn label(s: &str) -> String {
        let mut out = String::new();
        escape_label_value(s, &mut out);
        out
    }

    #[test]
    fn label_values_escape_backslash_quote_and_newline() {
        assert_eq!(label("eth0"), "eth0");
        assert_eq!(label(r"C:\spool"), r"C:\\spool");
        assert_eq!(label(r#"say "hi""#), r#"say \"hi\""#);
        assert_eq!(label("a\nb"), r"a\nb");
        assert_eq!(label("\\\"\n"), r#"\\\"\n"#);
        // Everything else passes as UTF-8, tabs and carriage returns included.
        assert_eq!(label("受付\t\r"), "受付\t\r");
    }

    #[test]
    fn help_escapes_backslash_and_newline_but_not_quotes() {
        let mut out = String::new();
        escape_help("a \"b\" \\ c\nd", &mut out);
        assert_eq!(out, r#"a "b" \\ c\nd"#);
    }

    #[test]
    fn a_family_without_samples_writes_nothing() {
        let mut w = Writer::default();
        w.family("x_total", Kind::Counter, "X.", std::iter::empty());
        assert_eq!(w.finish(), "");
    }

    #[test]
    fn a_family() {
        let mut w = Writer::default();
        w.family(
            "x_total",
            Kind::Counter,
            "Xs\\seen.",
            [
                (&[][..], 0),
                (&[("a", "1")][..], 7),
                (&[("a", "2\""), ("b", "")][..], u64::MAX),
            ],
        );
        assert_eq!(
            w.finish(),
            "# HELP x_total Xs\\\\seen.\n\
             # TYPE x_total counter\n\
             x_total 0\n\
             x_total{a=\"1\"} 7\n\
             x_total{a=\"2\\\"\",b=\"\"} 18446744073709551615\n"
        );
    }
}
