//! The `[[sink]]` tables of the service configuration: what each sink is, parsed with
//! serde and checked by [`SinkConfig::validate`] before anything is opened.

use std::collections::BTreeMap;
use std::net::Ipv6Addr;
use std::path::PathBuf;

use serde::Deserialize;

/// One `[[sink]]` table. The `type` key chooses the kind; unknown keys are errors, so a
/// misspelt option is not silently ignored.
///
/// ```toml
/// [[sink]]
/// type = "stdout"
///
/// [[sink]]
/// type = "file"
/// path = "/var/log/v6sentinel/alerts.jsonl"
///
/// [[sink]]
/// type = "syslog"
/// target = "udp://loghost:514"
///
/// [[sink]]
/// type = "webhook"
/// url = "https://alerts.example/v6sentinel"
/// headers = { Authorization = "Bearer ..." }
///
/// [[sink]]
/// type = "eventlog"        # Windows only
/// source = "v6sentinel"
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum SinkConfig {
    /// Each alert as one line on standard output. (A struct variant with no fields, so
    /// that `deny_unknown_fields` refuses stray keys: serde ignores them for a unit
    /// variant.)
    Stdout {},
    /// Each alert appended as one line to a file, reopened on SIGHUP.
    File(FileConfig),
    /// Each alert as one RFC 5424 syslog message.
    Syslog(SyslogConfig),
    /// Each alert POSTed to an HTTP(S) endpoint through an on-disk spool.
    Webhook(WebhookConfig),
    /// Each alert as one event in the Windows Application log. Parsed everywhere, so
    /// that a Linux configuration naming it fails with its line, but valid on Windows
    /// only ([`SinkConfig::validate`]).
    Eventlog(EventlogConfig),
}

/// `type = "file"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// The file alerts are appended to; created (mode 0640) if missing. Its directory
    /// must exist.
    pub path: PathBuf,
}

/// `type = "syslog"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyslogConfig {
    /// `/dev/log` (or another absolute path to a unix datagram socket),
    /// `udp://HOST:PORT` or `tcp://HOST:PORT` (octet-counting framing, RFC 6587).
    #[serde(default = "default_syslog_target")]
    pub target: String,
    /// The syslog facility (default `daemon`).
    #[serde(default)]
    pub facility: Facility,
    /// The APP-NAME field (default `v6sentinel`): 1 to 48 printable ASCII characters.
    #[serde(default = "default_app_name")]
    pub app_name: String,
}

impl Default for SyslogConfig {
    fn default() -> Self {
        SyslogConfig {
            target: default_syslog_target(),
            facility: Facility::default(),
            app_name: default_app_name(),
        }
    }
}

/// `type = "webhook"`.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct WebhookConfig {
    /// The endpoint: `http://…` or `https://…`. Each alert is POSTed as
    /// `application/json`.
    pub url: String,
    /// Where alerts wait until the endpoint accepts them (one file per alert). Two
    /// webhooks may not share one.
    #[serde(default = "default_spool_dir")]
    pub spool_dir: PathBuf,
    /// How many alerts the spool keeps; past it the oldest are dropped (default 10,000).
    #[serde(default = "default_spool_max")]
    pub spool_max: usize,
    /// The time one request may take, connection included, in seconds (default 10).
    #[serde(default = "default_timeout_s")]
    pub timeout_s: u64,
    /// The longest wait between two attempts while the endpoint is down, in seconds
    /// (default 60; the wait starts at one second and doubles).
    #[serde(default = "default_retry_max_s")]
    pub retry_max_s: u64,
    /// Extra request headers, e.g. `Authorization`.
    #[serde(default)]
    pub headers: BTreeMap<String, String>,
    /// A PEM file of extra CA certificates trusted for `https://` besides the system's
    /// store (a clinic's or a vendor's private CA).
    #[serde(default)]
    pub ca_file: Option<PathBuf>,
}

/// `type = "eventlog"` (Windows).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct EventlogConfig {
    /// The event source: what Event Viewer shows in its "Source" column. Default
    /// `v6sentinel`, which `v6sentinel service install` registers; another name must be
    /// registered too (install registers every source its configuration names), or
    /// Event Viewer shows each event with "the description cannot be found".
    #[serde(default = "default_event_source")]
    pub source: String,
}

impl Default for EventlogConfig {
    fn default() -> Self {
        EventlogConfig {
            source: default_event_source(),
        }
    }
}

impl WebhookConfig {
    /// A webhook to `url` with every other key at its default.
    pub fn new(url: impl Into<String>) -> WebhookConfig {
        WebhookConfig {
            url: url.into(),
            spool_dir: default_spool_dir(),
            spool_max: default_spool_max(),
            timeout_s: default_timeout_s(),
            retry_max_s: default_retry_max_s(),
            headers: BTreeMap::new(),
            ca_file: None,
        }
    }
}

fn default_syslog_target() -> String {
    "/dev/log".to_owned()
}

fn default_app_name() -> String {
    "v6sentinel".to_owned()
}

fn default_event_source() -> String {
    "v6sentinel".to_owned()
}

/// The webhook spool when the configuration names none: `/var/lib/v6sentinel/spool`;
/// on Windows `%ProgramData%\v6sentinel\spool`.
#[cfg(not(windows))]
fn default_spool_dir() -> PathBuf {
    PathBuf::from("/var/lib/v6sentinel/spool")
}

/// The webhook spool when the configuration names none: `/var/lib/v6sentinel/spool`;
/// on Windows `%ProgramData%\v6sentinel\spool`.
#[cfg(windows)]
fn default_spool_dir() -> PathBuf {
    program_data_dir().join("spool")
}

/// `%ProgramData%\v6sentinel`: where the Windows service keeps its configuration and
/// the webhook spool. `ProgramData` is read from the environment (the service manager
/// gives services the system's), and `C:\ProgramData` stands in when it is unset.
#[cfg(windows)]
pub fn program_data_dir() -> PathBuf {
    let base = std::env::var_os("ProgramData")
        .filter(|v| !v.is_empty())
        .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
    base.join("v6sentinel")
}

const fn default_spool_max() -> usize {
    10_000
}

const fn default_timeout_s() -> u64 {
    10
}

const fn default_retry_max_s() -> u64 {
    60
}

/// A syslog facility (RFC 5424 §6.2.1), by its usual lower-case name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Deserialize)]
#[serde(rename_all = "lowercase")]
#[allow(missing_docs)] // the names are the standard ones
pub enum Facility {
    Kern,
    User,
    Mail,
    #[default]
    Daemon,
    Auth,
    Syslog,
    Lpr,
    News,
    Uucp,
    Cron,
    Authpriv,
    Ftp,
    Local0,
    Local1,
    Local2,
    Local3,
    Local4,
    Local5,
    Local6,
    Local7,
}

impl Facility {
    /// The numeric code (RFC 5424 Table 1).
    pub const fn code(self) -> u8 {
        match self {
            Facility::Kern => 0,
            Facility::User => 1,
            Facility::Mail => 2,
            Facility::Daemon => 3,
            Facility::Auth => 4,
            Facility::Syslog => 5,
            Facility::Lpr => 6,
            Facility::News => 7,
            Facility::Uucp => 8,
            Facility::Cron => 9,
            Facility::Authpriv => 10,
            Facility::Ftp => 11,
            Facility::Local0 => 16,
            Facility::Local1 => 17,
            Facility::Local2 => 18,
            Facility::Local3 => 19,
            Facility::Local4 => 20,
            Facility::Local5 => 21,
            Facility::Local6 => 22,
            Facility::Local7 => 23,
        }
    }
}

/// Where a syslog sink sends, parsed from [`SyslogConfig::target`].
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum SyslogTarget {
    /// A local unix datagram socket (`/dev/log`).
    Unix(PathBuf),
    /// UDP (RFC 5426): one message per datagram. `HOST:PORT`, resolved at each connect.
    Udp(String),
    /// TCP with octet-counting framing (RFC 6587 §3.4.1). `HOST:PORT`.
    Tcp(String),
}

impl SyslogTarget {
    /// Parses `/path`, `udp://HOST:PORT` or `tcp://HOST:PORT` (an IPv6 host in brackets).
    pub fn parse(target: &str) -> Result<SyslogTarget, String> {
        if target.starts_with('/') {
            return Ok(SyslogTarget::Unix(PathBuf::from(target)));
        }
        let (scheme, rest) = target.split_once("://").ok_or_else(|| {
            format!(
                "syslog target {target:?}: expected an absolute socket path, \
                 udp://HOST:PORT or tcp://HOST:PORT"
            )
        })?;
        check_host_port(rest).map_err(|why| format!("syslog target {target:?}: {why}"))?;
        match scheme {
            "udp" => Ok(SyslogTarget::Udp(rest.to_owned())),
            "tcp" => Ok(SyslogTarget::Tcp(rest.to_owned())),
            _ => Err(format!(
                "syslog target {target:?}: unknown scheme {scheme:?} (udp or tcp)"
            )),
        }
    }
}

/// Checks `HOST:PORT` (`[v6]:PORT` for an IPv6 literal) without resolving the host.
fn check_host_port(s: &str) -> Result<(), String> {
    let (host, port) = s
        .rsplit_once(':')
        .ok_or_else(|| "missing :PORT".to_owned())?;
    match port.parse::<u16>() {
        Ok(p) if p != 0 => {}
        _ => return Err(format!("bad port {port:?}")),
    }
    if host.is_empty() {
        return Err("missing host".to_owned());
    }
    if let Some(inner) = host.strip_prefix('[') {
        let inner = inner
            .strip_suffix(']')
            .ok_or_else(|| format!("bad host {host:?}"))?;
        inner
            .parse::<Ipv6Addr>()
            .map_err(|_| format!("bad IPv6 address {inner:?}"))?;
    } else if host.contains(':') {
        return Err(format!("an IPv6 host needs brackets: [{host}]"));
    } else if host.contains(|c: char| c.is_whitespace() || c == '/' || c == '@') {
        return Err(format!("bad host {host:?}"));
    }
    Ok(())
}

impl SinkConfig {
    /// The sink's name in statistics, metrics and messages: `stdout`, `file:PATH`,
    /// `syslog:TARGET`, `webhook:URL` (the URL without credentials or query, which may
    /// hold secrets).
    pub fn name(&self) -> String {
        match self {
            SinkConfig::Stdout {} => "stdout".to_owned(),
            SinkConfig::File(f) => format!("file:{}", f.path.display()),
            SinkConfig::Syslog(s) => format!("syslog:{}", s.target),
            SinkConfig::Webhook(w) => format!("webhook:{}", redact_url(&w.url)),
            SinkConfig::Eventlog(e) => format!("eventlog:{}", e.source),
        }
    }

    /// The kind, as the `type` key spells it.
    pub const fn kind(&self) -> &'static str {
        match self {
            SinkConfig::Stdout {} => "stdout",
            SinkConfig::File(_) => "file",
            SinkConfig::Syslog(_) => "syslog",
            SinkConfig::Webhook(_) => "webhook",
            SinkConfig::Eventlog(_) => "eventlog",
        }
    }

    /// Checks what serde cannot: a non-empty path, a parseable syslog target, an
    /// http(s) URL, valid header names and values, `spool_max ≥ 1`, timeouts ≥ 1 s, an
    /// event source name usable as a registry key — and that an event log sink is asked
    /// for on Windows.
    /// The message names the offending key, so the caller can prefix `FILE:LINE: `.
    pub fn validate(&self) -> Result<(), String> {
        match self {
            SinkConfig::Stdout {} => Ok(()),
            SinkConfig::File(f) => {
                if f.path.as_os_str().is_empty() {
                    return Err("file sink: path is empty".to_owned());
                }
                Ok(())
            }
            SinkConfig::Syslog(s) => {
                SyslogTarget::parse(&s.target)?;
                let ok = (1..=48).contains(&s.app_name.len())
                    && s.app_name.bytes().all(|b| (33..=126).contains(&b));
                if !ok {
                    return Err(format!(
                        "syslog sink: app_name {:?} must be 1 to 48 printable ASCII \
                         characters without spaces (RFC 5424 §6.2.5)",
                        s.app_name
                    ));
                }
                Ok(())
            }
            SinkConfig::Webhook(w) => validate_webhook(w),
            SinkConfig::Eventlog(e) => validate_eventlog(e),
        }
    }
}

/// The longest event source name: a registry key name may have 255 characters.
const MAX_EVENT_SOURCE: usize = 255;

#[cfg(not(windows))]
fn validate_eventlog(_: &EventlogConfig) -> Result<(), String> {
    Err("eventlog sink exists only on Windows (here: file, syslog, webhook or stdout)".to_owned())
}

#[cfg(windows)]
fn validate_eventlog(e: &EventlogConfig) -> Result<(), String> {
    check_event_source(&e.source)
}

/// An event source is a key under `...\EventLog\Application`: 1 to 255 characters, no
/// backslash (which would make it a path of keys), no control character.
#[cfg_attr(not(windows), allow(dead_code))]
pub(crate) fn check_event_source(source: &str) -> Result<(), String> {
    let n = source.chars().count();
    if n == 0 || n > MAX_EVENT_SOURCE {
        return Err(format!(
            "eventlog sink: source {source:?} must be 1 to {MAX_EVENT_SOURCE} characters"
        ));
    }
    if source.contains('\\') || source.chars().any(char::is_control) {
        return Err(format!(
            "eventlog sink: source {source:?} may contain no backslash and no control character"
        ));
    }
    Ok(())
}

fn validate_webhook(w: &WebhookConfig) -> Result<(), String> {
    let uri: ureq::http::Uri = w
        .url
        .parse()
        .map_err(|e| format!("webhook url {:?}: {e}", w.url))?;
    match uri.scheme_str() {
        Some("http" | "https") => {}
        _ => {
            return Err(format!(
                "webhook url {:?}: the scheme must be http or https",
                w.url
            ));
        }
    }
    if uri.host().is_none_or(str::is_empty) {
        return Err(format!("webhook url {:?}: no host", w.url));
    }
    if w.spool_dir.as_os_str().is_empty() {
        return Err("webhook sink: spool_dir is empty".to_owned());
    }
    if w.spool_max == 0 {
        return Err("webhook sink: spool_max must be at least 1".to_owned());
    }
    if w.timeout_s == 0 {
        return Err("webhook sink: timeout_s must be at least 1".to_owned());
    }
    if w.retry_max_s == 0 {
        return Err("webhook sink: retry_max_s must be at least 1".to_owned());
    }
    if let Some(ca) = &w.ca_file {
        if ca.as_os_str().is_empty() {
            return Err("webhook sink: ca_file is empty".to_owned());
        }
    }
    for (name, value) in &w.headers {
        ureq::http::HeaderName::from_bytes(name.as_bytes())
            .map_err(|_| format!("webhook sink: bad header name {name:?}"))?;
        ureq::http::HeaderValue::from_str(value)
            .map_err(|_| format!("webhook sink: bad value for header {name:?}"))?;
    }
    Ok(())
}

/// The URL without user information or query: what may appear in logs and metrics.
pub(crate) fn redact_url(url: &str) -> String {
    let Ok(uri) = url.parse::<ureq::http::Uri>() else {
        return "(invalid URL)".to_owned();
    };
    let scheme = uri.scheme_str().unwrap_or("?");
    let authority = uri.authority().map(|a| a.as_str()).unwrap_or("");
    let host_port = authority.rsplit_once('@').map_or(authority, |(_, hp)| hp);
    format!("{scheme}://{host_port}{}", uri.path())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[derive(Debug, Deserialize)]
    #[serde(deny_unknown_fields)]
    struct Service {
        sink: Vec<SinkConfig>,
    }

    fn parse(text: &str) -> Result<Vec<SinkConfig>, String> {
        toml::from_str::<Service>(text)
            .map(|s| s.sink)
            .map_err(|e| e.to_string())
    }

    #[test]
    fn every_kind_parses_with_its_defaults() {
        let sinks = parse(
            r#"
            [[sink]]
            type = "stdout"

            [[sink]]
            type = "file"
            path = "/var/log/v6sentinel/alerts.jsonl"

            [[sink]]
            type = "syslog"

            [[sink]]
            type = "syslog"
            target = "tcp://[2001:db8::1]:6514"
            facility = "local3"
            app_name = "v6s"

            [[sink]]
            type = "webhook"
            url = "https://user:pw@hooks.example:8443/v6?token=x"
            headers = { Authorization = "Bearer abc" }
            ca_file = "/etc/v6sentinel/ca.pem"
            "#,
        )
        .unwrap();
        assert_eq!(sinks[0], SinkConfig::Stdout {});
        assert_eq!(
            sinks[1],
            SinkConfig::File(FileConfig {
                path: "/var/log/v6sentinel/alerts.jsonl".into()
            })
        );
        assert_eq!(sinks[2], SinkConfig::Syslog(SyslogConfig::default()));
        let SinkConfig::Syslog(s) = &sinks[3] else {
            panic!("{:?}", sinks[3])
        };
        assert_eq!(s.facility.code(), 19);
        assert_eq!(
            SyslogTarget::parse(&s.target),
            Ok(SyslogTarget::Tcp("[2001:db8::1]:6514".into()))
        );
        let SinkConfig::Webhook(w) = &sinks[4] else {
            panic!("{:?}", sinks[4])
        };
        #[cfg(not(windows))]
        assert_eq!(w.spool_dir, PathBuf::from("/var/lib/v6sentinel/spool"));
        #[cfg(windows)]
        assert_eq!(w.spool_dir, program_data_dir().join("spool"));
        assert_eq!((w.spool_max, w.timeout_s, w.retry_max_s), (10_000, 10, 60));
        assert_eq!(w.headers["Authorization"], "Bearer abc");
        for s in &sinks {
            assert_eq!(s.validate(), Ok(()), "{s:?}");
        }
        assert_eq!(sinks[4].name(), "webhook:https://hooks.example:8443/v6");
        assert_eq!(sinks[1].name(), "file:/var/log/v6sentinel/alerts.jsonl");
        assert_eq!(sinks[2].name(), "syslog:/dev/log");
    }

    #[test]
    fn unknown_keys_and_kinds_are_errors_with_a_line() {
        let e = parse("[[sink]]\ntype = \"file\"\npath = \"/x\"\nmode = 1\n").unwrap_err();
        assert!(e.contains("mode") && e.contains("line 1"), "{e}");
        let e = parse("[[sink]]\ntype = \"stdout\"\npath = \"/x\"\n").unwrap_err();
        assert!(e.contains("path"), "{e}");
        let e = parse("[[sink]]\ntype = \"email\"\n").unwrap_err();
        assert!(e.contains("email"), "{e}");
        let e = parse("[[sink]]\ntype = \"syslog\"\nfacility = \"local9\"\n").unwrap_err();
        assert!(e.contains("local9"), "{e}");
        let e = parse("[[sink]]\ntype = \"webhook\"\n").unwrap_err();
        assert!(e.contains("url"), "{e}");
    }

    fn invalid(text: &str) -> String {
        let sinks = parse(text).unwrap();
        sinks[0].validate().unwrap_err()
    }

    #[test]
    fn validation_names_what_is_wrong() {
        let e = invalid("[[sink]]\ntype = \"file\"\npath = \"\"\n");
        assert!(e.contains("path is empty"), "{e}");
        let e = invalid("[[sink]]\ntype = \"webhook\"\nurl = \"ftp://x/y\"\n");
        assert!(e.contains("http or https"), "{e}");
        let e = invalid("[[sink]]\ntype = \"webhook\"\nurl = \"not a url\"\n");
        assert!(e.contains("not a url"), "{e}");
        let e = invalid("[[sink]]\ntype = \"webhook\"\nurl = \"http://h/\"\nspool_max = 0\n");
        assert!(e.contains("spool_max"), "{e}");
        let e = invalid("[[sink]]\ntype = \"webhook\"\nurl = \"http://h/\"\ntimeout_s = 0\n");
        assert!(e.contains("timeout_s"), "{e}");
        let e = invalid(
            "[[sink]]\ntype = \"webhook\"\nurl = \"http://h/\"\nheaders = { \"a b\" = \"c\" }\n",
        );
        assert!(e.contains("header name"), "{e}");
        let e = invalid("[[sink]]\ntype = \"syslog\"\napp_name = \"two words\"\n");
        assert!(e.contains("app_name"), "{e}");
        for (target, why) in [
            ("dev/log", "absolute socket path"),
            ("udp://loghost", "missing :PORT"),
            ("udp://loghost:0", "bad port"),
            ("udp://:514", "missing host"),
            ("tcp://2001:db8::1:514", "brackets"),
            ("tcp://[2001:db8::x]:514", "bad IPv6"),
            ("tls://loghost:6514", "unknown scheme"),
        ] {
            let e = invalid(&format!(
                "[[sink]]\ntype = \"syslog\"\ntarget = \"{target}\"\n"
            ));
            assert!(e.contains(why), "{target}: {e}");
        }
    }

    #[test]
    fn eventlog_parses_everywhere_and_is_valid_on_windows_only() {
        let sinks = parse(
            "[[sink]]\ntype = \"eventlog\"\n\n[[sink]]\ntype = \"eventlog\"\nsource = \"v6s-lab\"\n",
        )
        .unwrap();
        assert_eq!(sinks[0], SinkConfig::Eventlog(EventlogConfig::default()));
        assert_eq!(sinks[0].name(), "eventlog:v6sentinel");
        assert_eq!(sinks[1].name(), "eventlog:v6s-lab");
        assert_eq!(sinks[1].kind(), "eventlog");
        let e = parse("[[sink]]\ntype = \"eventlog\"\nlog = \"System\"\n").unwrap_err();
        assert!(e.contains("log"), "{e}");
        #[cfg(not(windows))]
        for s in &sinks {
            let e = s.validate().unwrap_err();
            assert!(e.starts_with("eventlog sink exists only on Windows"), "{e}");
        }
        #[cfg(windows)]
        for s in &sinks {
            assert_eq!(s.validate(), Ok(()), "{s:?}");
        }
    }

    #[test]
    fn event_source_names_are_registry_key_names() {
        assert_eq!(check_event_source("v6sentinel"), Ok(()));
        assert_eq!(check_event_source("v6sentinel クリニック 2"), Ok(()));
        assert!(check_event_source("").is_err());
        assert!(check_event_source(&"x".repeat(256)).is_err());
        assert!(check_event_source(&"x".repeat(255)).is_ok());
        assert!(
            check_event_source(r"Application\v6")
                .unwrap_err()
                .contains("backslash")
        );
        assert!(check_event_source("a\nb").is_err());
    }

    #[test]
    fn syslog_targets_parse() {
        assert_eq!(
            SyslogTarget::parse("/run/systemd/journal/syslog"),
            Ok(SyslogTarget::Unix("/run/systemd/journal/syslog".into()))
        );
        assert_eq!(
            SyslogTarget::parse("udp://127.0.0.1:514"),
            Ok(SyslogTarget::Udp("127.0.0.1:514".into()))
        );
        assert_eq!(
            SyslogTarget::parse("tcp://loghost.clinic.lan:601"),
            Ok(SyslogTarget::Tcp("loghost.clinic.lan:601".into()))
        );
    }

    #[test]
    fn urls_are_redacted_for_names() {
        assert_eq!(redact_url("http://h/p?q=1"), "http://h/p");
        assert_eq!(redact_url("https://u:p@h:1/a/b"), "https://h:1/a/b");
        assert_eq!(redact_url("https://h"), "https://h/");
    }
}
