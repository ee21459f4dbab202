//! The service's configuration file (`watch --config FILE`, TOML) and its merge with the
//! command line: every flag has a key, and a flag given on the command line wins.
//!
//! ```toml
//! interfaces = ["eth0"]
//! allow = ["00:3a:9d:11:22:33"]
//! probe_interval_s = 0
//! metrics = "127.0.0.1:9810"
//!
//! [[sink]]
//! type = "file"
//! path = "/var/log/v6sentinel/alerts.jsonl"
//! ```
//!
//! Errors name the file, line and column, in one line (`FILE:LINE:COLUMN: message`).

use core::net::SocketAddr;
use core::time::Duration;
use serde::Deserialize;
use std::path::{Path, PathBuf};
use toml::Spanned;
use v6sentinel::capture::Backend;
use v6sentinel::detect::AllowSpec;
use v6sentinel::rules::line_column;
use v6sentinel::sink::SinkConfig;

/// The file as written: every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct File {
    interfaces: Option<Vec<Spanned<String>>>,
    allow: Option<Vec<Spanned<String>>>,
    rules: Option<PathBuf>,
    oui_files: Option<Vec<PathBuf>>,
    backend: Option<Spanned<String>>,
    probe_interval_s: Option<Spanned<f64>>,
    resolve_timeout_s: Option<Spanned<u64>>,
    user: Option<String>,
    metrics: Option<Spanned<String>>,
    sink: Option<Vec<Spanned<SinkConfig>>>,
}

/// What the command line says (each `None` or empty: not given).
#[derive(Debug, Default, Clone)]
pub struct Flags {
    /// `-i`, repeatable.
    pub interfaces: Vec<String>,
    /// `--allow`, repeatable (already parsed).
    pub allow: Vec<AllowSpec>,
    /// `--rules DIR`.
    pub rules: Option<PathBuf>,
    /// `--oui-file`, repeatable.
    pub oui_files: Vec<PathBuf>,
    /// `--backend`.
    pub backend: Option<Backend>,
    /// `--probe-interval SECS` (`Some(None)`: 0, probing turned off).
    pub probe_interval: Option<Option<Duration>>,
    /// `--resolve-timeout SECS`.
    pub resolve_timeout: Option<Duration>,
    /// `--user NAME`.
    pub user: Option<String>,
    /// `--metrics ADDR:PORT`.
    pub metrics: Option<SocketAddr>,
    /// Sinks from `--alerts-file`, `--syslog`, `--webhook`: when any is given they
    /// replace the file's sinks.
    pub sinks: Vec<SinkConfig>,
}

/// The configuration in force: the file's keys with the flags on top, and defaults.
#[derive(Debug, Clone, PartialEq)]
pub struct WatchConfig {
    /// Interfaces to watch (at least one).
    pub interfaces: Vec<String>,
    /// The expected upstream.
    pub allow: Vec<AllowSpec>,
    /// Rule directory, or the embedded rules.
    pub rules: Option<PathBuf>,
    /// Extra IEEE registry files.
    pub oui_files: Vec<PathBuf>,
    /// Frame source.
    pub backend: Backend,
    /// Periodic RS + DHCPv6 Solicit; `None`: off.
    pub probe_interval: Option<Duration>,
    /// A raised source silent this long is resolved.
    pub resolve_timeout: Duration,
    /// Switch to this user after opening the sockets.
    pub user: Option<String>,
    /// Serve `/metrics` and `/healthz` here.
    pub metrics: Option<SocketAddr>,
    /// Where alerts go (stdout when none is configured).
    pub sinks: Vec<SinkConfig>,
}

/// A configuration error: one line, pointing into the file when it comes from there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ConfigError(pub String);

impl core::fmt::Display for ConfigError {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// The shortest probe interval accepted: probing more often than RFC 4861 lets a host
/// solicit (three RSs, 4 s apart) would be noise on a clinic's network.
pub const MIN_PROBE_INTERVAL: Duration = Duration::from_secs(10);

/// Reads `path` (when given) and merges the flags over it.
pub fn load(path: Option<&Path>, flags: &Flags) -> Result<WatchConfig, ConfigError> {
    let (file, text) = match path {
        Some(p) => {
            let text = std::fs::read_to_string(p)
                .map_err(|e| ConfigError(format!("{}: {e}", p.display())))?;
            (parse(p, &text)?, text)
        }
        None => (File::default(), String::new()),
    };
    let at = |span: core::ops::Range<usize>, message: String| {
        let (line, column) = line_column(&text, span.start);
        let file = path.map_or_else(String::new, |p| p.display().to_string());
        ConfigError(format!("{file}:{line}:{column}: {message}"))
    };

    let interfaces = if flags.interfaces.is_empty() {
        let mut list = Vec::new();
        for name in file.interfaces.unwrap_or_default() {
            if !v6sentinel::host::valid_interface_name(name.get_ref()) {
                return Err(at(
                    name.span(),
                    format!("`{}` cannot be an interface name", name.get_ref()),
                ));
            }
            list.push(name.into_inner());
        }
        list
    } else {
        flags.interfaces.clone()
    };
    let allow = if flags.allow.is_empty() {
        let mut list = Vec::new();
        for spec in file.allow.unwrap_or_default() {
            let parsed = spec
                .get_ref()
                .parse::<AllowSpec>()
                .map_err(|e| at(spec.span(), format!("allow: {e}")))?;
            list.push(parsed);
        }
        list
    } else {
        flags.allow.clone()
    };
    let backend = match (flags.backend, file.backend) {
        (Some(b), _) => b,
        (None, Some(b)) => b
            .get_ref()
            .parse()
            .map_err(|e| at(b.span(), format!("backend: {e}")))?,
        (None, None) => Backend::platform_default(),
    };
    let probe_interval = match (flags.probe_interval, file.probe_interval_s) {
        (Some(d), _) => d,
        (None, Some(s)) => probe_interval(*s.get_ref()).map_err(|e| at(s.span(), e))?,
        (None, None) => None,
    };
    let resolve_timeout = match (flags.resolve_timeout, file.resolve_timeout_s) {
        (Some(d), _) => d,
        (None, Some(s)) if *s.get_ref() == 0 => {
            return Err(at(
                s.span(),
                "resolve_timeout_s must be at least 1".to_owned(),
            ));
        }
        (None, Some(s)) => Duration::from_secs(*s.get_ref()),
        (None, None) => v6sentinel::detect::Config::default().resolve_timeout,
    };
    let metrics = match (flags.metrics, file.metrics) {
        (Some(a), _) => Some(a),
        (None, Some(a)) => Some(a.get_ref().parse::<SocketAddr>().map_err(|_| {
            at(
                a.span(),
                format!("metrics: `{}` is not ADDRESS:PORT", a.get_ref()),
            )
        })?),
        (None, None) => None,
    };
    let sinks = if flags.sinks.is_empty() {
        let mut list = Vec::new();
        for sink in file.sink.unwrap_or_default() {
            sink.get_ref()
                .validate()
                .map_err(|e| at(sink.span(), format!("sink: {e}")))?;
            list.push(sink.into_inner());
        }
        list
    } else {
        flags.sinks.clone()
    };
    if interfaces.is_empty() {
        return Err(ConfigError(match path {
            Some(p) => format!(
                "{}: no interface to watch: set `interfaces` or give -i",
                p.display()
            ),
            None => "no interface to watch: give -i IF (or --config FILE)".to_owned(),
        }));
    }
    Ok(WatchConfig {
        interfaces,
        allow,
        rules: flags.rules.clone().or(file.rules),
        oui_files: if flags.oui_files.is_empty() {
            file.oui_files.unwrap_or_default()
        } else {
            flags.oui_files.clone()
        },
        backend,
        probe_interval,
        resolve_timeout,
        user: flags.user.clone().or(file.user),
        metrics,
        sinks,
    })
}

fn parse(path: &Path, text: &str) -> Result<File, ConfigError> {
    toml::from_str(text).map_err(|e| {
        let (line, column) = line_column(text, e.span().map_or(0, |s| s.start));
        let message = e
            .message()
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("; ");
        ConfigError(format!("{}:{line}:{column}: {message}", path.display()))
    })
}

/// A probe interval in seconds: 0 turns probing off; otherwise at least
/// [`MIN_PROBE_INTERVAL`] and at most a day.
pub fn probe_interval(secs: f64) -> Result<Option<Duration>, String> {
    if secs == 0.0 {
        return Ok(None);
    }
    if !(secs >= MIN_PROBE_INTERVAL.as_secs_f64() && secs <= 86_400.0) {
        return Err(format!(
            "probe interval {secs} s: use 0 (off) or {} to 86400 seconds",
            MIN_PROBE_INTERVAL.as_secs()
        ));
    }
    Ok(Some(Duration::from_secs_f64(secs)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn load_text(text: &str, flags: &Flags) -> Result<WatchConfig, ConfigError> {
        let dir = std::env::temp_dir().join(format!("v6s-config-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("temp dir");
        let path = dir.join(format!(
            "{:x}.toml",
            text.len() * 31 + flags.interfaces.len()
        ));
        std::fs::write(&path, text).expect("write");
        let result = load(Some(&path), flags);
        std::fs::remove_file(&path).ok();
        result.map_err(|e| ConfigError(e.0.replace(&path.display().to_string(), "FILE")))
    }

    #[test]
    fn file_keys_and_defaults() {
        let c = load_text(
            "interfaces = [\"eth0\", \"eth1\"]\nallow = [\"00:3a:9d:11:22:33\"]\n\
             probe_interval_s = 60\nmetrics = \"127.0.0.1:9810\"\n\
             [[sink]]\ntype = \"stdout\"\n",
            &Flags::default(),
        )
        .expect("valid");
        assert_eq!(c.interfaces, ["eth0", "eth1"]);
        assert_eq!(c.allow.len(), 1);
        assert_eq!(c.probe_interval, Some(Duration::from_secs(60)));
        assert_eq!(c.resolve_timeout, Duration::from_secs(3600));
        assert_eq!(c.metrics, "127.0.0.1:9810".parse().ok());
        assert_eq!(c.backend, Backend::platform_default());
        assert_eq!(c.sinks, [SinkConfig::Stdout {}]);
    }

    /// The example file with every commented-out example line turned on.
    fn examples_on(text: &str) -> String {
        text.lines()
            .map(|l| match l.strip_prefix("# ") {
                Some(rest) if looks_like_toml(rest) => rest,
                _ => l,
            })
            .collect::<Vec<_>>()
            .join("\n")
    }

    #[test]
    fn the_shipped_example_parses() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/v6sentinel.toml");
        let c = load(Some(&path), &Flags::default()).expect("packaging/v6sentinel.toml");
        assert_eq!(c.interfaces, ["eth0"]);
        assert!(!c.sinks.is_empty());
        // Every commented-out example turned on parses too.
        let text = std::fs::read_to_string(&path).expect("read");
        let on = examples_on(&text);
        let c = load_text(&on, &Flags::default()).expect("every example on");
        assert!(c.metrics.is_some() && c.user.is_some(), "{c:?}");
    }

    #[test]
    fn the_windows_example_parses_on_windows_and_names_its_line_elsewhere() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("packaging/v6sentinel-windows.toml");
        let text = std::fs::read_to_string(&path).expect("read");
        let on = examples_on(&text);
        #[cfg(windows)]
        {
            let c = load(Some(&path), &Flags::default()).expect("the Windows example");
            assert_eq!(c.interfaces, ["Ethernet"]);
            assert_eq!(c.backend, Backend::Pnet);
            assert_eq!(
                c.sinks,
                [SinkConfig::Eventlog(
                    v6sentinel::sink::EventlogConfig::default()
                )]
            );
            let c = load_text(&on, &Flags::default()).expect("every example on");
            assert_eq!(c.sinks.len(), 4, "{c:?}");
            assert!(c.metrics.is_some());
        }
        #[cfg(not(windows))]
        {
            let line = text
                .lines()
                .position(|l| l == "type = \"eventlog\"")
                .expect("an eventlog sink");
            let e = load_text(&text, &Flags::default()).expect_err("Windows only");
            // The error points at the table's `[[sink]]` line, the one above.
            assert!(
                e.0.starts_with(&format!(
                    "FILE:{line}:1: sink: eventlog sink exists only on Windows"
                )),
                "{e}"
            );
            let _ = on;
        }
    }

    #[test]
    fn an_eventlog_sink_is_refused_off_windows_with_its_place() {
        let text = "interfaces = [\"eth0\"]\n\n[[sink]]\ntype = \"stdout\"\n\n\
                    [[sink]]\ntype = \"eventlog\"\nsource = \"v6sentinel\"\n";
        let result = load_text(text, &Flags::default());
        #[cfg(not(windows))]
        {
            let e = result.expect_err("Windows only");
            assert_eq!(
                e.0,
                "FILE:6:1: sink: eventlog sink exists only on Windows (here: file, syslog, \
                 webhook or stdout)"
            );
        }
        #[cfg(windows)]
        assert_eq!(result.expect("valid").sinks.len(), 2);
    }

    /// A commented line that is a key, a table header or a table-array header.
    fn looks_like_toml(line: &str) -> bool {
        line.starts_with("[[")
            || line.split_once(" = ").is_some_and(|(k, _)| {
                !k.is_empty() && k.bytes().all(|b| b.is_ascii_lowercase() || b == b'_')
            })
    }

    #[test]
    fn flags_win() {
        let flags = Flags {
            interfaces: vec!["veth9".into()],
            probe_interval: Some(Some(Duration::from_secs(30))),
            ..Flags::default()
        };
        let c =
            load_text("interfaces = [\"eth0\"]\nprobe_interval_s = 60\n", &flags).expect("valid");
        assert_eq!(c.interfaces, ["veth9"]);
        assert_eq!(c.probe_interval, Some(Duration::from_secs(30)));
    }

    #[test]
    fn errors_point_at_the_line() {
        let flags = Flags::default();
        let e = load_text("interfaces = [\"eth0\"]\nallow = [\"nonsense\"]\n", &flags)
            .expect_err("bad allow");
        assert!(e.0.starts_with("FILE:2:10: allow: "), "{e}");
        let e = load_text("interfaces = [\"eth0\"]\nprobe_interval_s = 2\n", &flags)
            .expect_err("too often");
        assert!(e.0.starts_with("FILE:2:20: probe interval"), "{e}");
        let e = load_text("interfaces = [\"eth0\"]\nbogus = 1\n", &flags).expect_err("unknown");
        assert!(e.0.starts_with("FILE:2:1: "), "{e}");
        assert!(e.0.contains("bogus"), "{e}");
        let e = load_text("interfaces = [\"eth0\"]\nmetrics = \"here\"\n", &flags)
            .expect_err("metrics");
        assert!(e.0.starts_with("FILE:2:11: metrics"), "{e}");
        // Not a Linux interface name; a Windows one may hold any printable character.
        let bad = if cfg!(windows) { "a\\u0007b" } else { "a/b" };
        let e = load_text(&format!("interfaces = [\"{bad}\"]\n"), &flags).expect_err("name");
        assert!(e.0.starts_with("FILE:1:15: "), "{e}");
        let e = load_text("allow = []\n", &flags).expect_err("no interface");
        assert!(e.0.contains("no interface"), "{e}");
        let e = load_text("[[sink]]\ntype = \"carrier-pigeon\"\n", &flags).expect_err("sink");
        assert!(e.0.starts_with("FILE:"), "{e}");
        assert_eq!(e.0.lines().count(), 1, "{e}");
    }
}
