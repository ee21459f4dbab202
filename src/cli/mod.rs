//! Command-line arguments, their validation into a [`Settings`], and the dispatch to each
//! mode. Raw clap arguments are checked before anything opens a file or a socket
//! (STYLE.md: ripgrep's lowargs → hiargs).

mod analyze;
mod config;
mod iface;
mod protect;
mod scan;
mod service;
mod watch;

use clap::{Parser, Subcommand, ValueEnum};
use core::time::Duration;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;
use v6sentinel::capture::Backend;
use v6sentinel::detect::{AllowSpec, Snapshot};
use v6sentinel::oui::Registry;
use v6sentinel::report::{self, Context, Lang};
use v6sentinel::rules::Rules;

/// Exit code: could not run (bad arguments, no permission, no such interface, unreadable
/// file).
pub const EXIT_UNKNOWN: u8 = 3;

/// Finds the devices on this LAN segment that hand out IPv6 configuration (Router
/// Advertisements, DHCPv6) and would break an online eligibility terminal with
/// "network error 011" (ネットワークエラー011).
#[derive(Debug, Parser)]
#[command(name = "v6sentinel", version, about, long_about = None)]
struct Args {
    #[command(subcommand)]
    command: Command,
    /// Network interface (default: the one with the default route); `watch` takes
    /// several.
    #[arg(short = 'i', long = "interface", global = true, value_name = "IF")]
    interfaces: Vec<String>,
    /// Output format (`html`: a printable report page, for `scan` and `analyze`).
    #[arg(long, global = true, value_enum, default_value_t = Format::Text)]
    format: Format,
    /// Write the report of `scan` or `analyze` to FILE instead of stdout; stdout then
    /// gets only the status line (nothing with `--format json`).
    #[arg(short = 'o', long, global = true, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Report language (default: Japanese when LANG starts with "ja", else English).
    #[arg(long, global = true, value_enum)]
    lang: Option<LangArg>,
    /// The expected upstream: a MAC, an IPv6 (link-local) address, or a prefix. Repeatable.
    #[arg(long, global = true, value_name = "SPEC")]
    allow: Vec<String>,
    /// Use the rule files in DIR instead of the embedded ones.
    #[arg(long, global = true, value_name = "DIR")]
    rules: Option<PathBuf>,
    /// Also read this IEEE registry CSV (oui.csv, mam.csv, oui36.csv); repeatable.
    #[arg(long = "oui-file", global = true, value_name = "PATH")]
    oui_files: Vec<PathBuf>,
    /// More detail on stderr.
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    verbose: u8,
    /// Only the status line (text) or nothing but the JSON.
    #[arg(short, long, global = true)]
    quiet: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Format {
    Text,
    Json,
    Html,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
enum LangArg {
    Ja,
    En,
}

// Parsed once per run; `watch`'s flags are the largest (more so with Windows' paths).
#[allow(clippy::large_enum_variant)]
#[derive(Debug, Subcommand)]
enum Command {
    /// Probe the segment once (one Router Solicitation, one DHCPv6 Solicit), listen, report.
    Scan {
        /// Listen this many seconds after the probes (decimals allowed).
        #[arg(long, value_name = "SECS", default_value = "5", value_parser = parse_duration)]
        duration: Duration,
        /// Send nothing; only listen.
        #[arg(long)]
        passive: bool,
        /// Frame source: afpacket (Linux, the default there) or pnet (Npcap on Windows).
        #[arg(long, value_name = "NAME", default_value_t = Backend::platform_default())]
        backend: Backend,
    },
    /// Watch the segment continuously and emit JSON alerts.
    Watch(WatchFlags),
    /// Analyze pcap / pcapng files with the same engine as `scan`.
    Analyze {
        /// Capture files (pcap or pcapng; Ethernet, Linux cooked v1/v2 or raw IPv6).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
    /// Look up the IEEE vendor of MAC addresses.
    Oui {
        /// MAC addresses (aa:bb:cc:dd:ee:ff, aa-bb-..., aabb.ccdd.eeff).
        #[arg(required = true, value_name = "MAC")]
        macs: Vec<String>,
    },
    /// Rule files.
    Rules {
        #[command(subcommand)]
        action: RulesAction,
    },
    /// Turn off router discovery on this terminal's interface (opt-in; undo with --undo).
    Protect(ProtectFlags),
    /// `watch` as a Windows service: install, uninstall (Windows only).
    Service {
        #[command(subcommand)]
        action: service::ServiceAction,
    },
}

/// `protect`'s flags.
#[derive(Debug, clap::Args)]
struct ProtectFlags {
    /// Put back what an earlier `protect` changed on the interface.
    #[arg(long, conflicts_with_all = ["keep_prefix", "keep_router"])]
    undo: bool,
    /// The upstream's prefix (e.g. the NGN /64): the interface's addresses inside it are
    /// made static before router discovery is turned off. Repeatable; required when the
    /// interface carries the NGN upstream.
    #[arg(long, value_name = "PREFIX", value_parser = protect::parse_prefix)]
    keep_prefix: Vec<v6sentinel::rules::Prefix>,
    /// The upstream router (its link-local address): the pinned default route goes
    /// through it (default: the only default router of the interface).
    #[arg(
        long,
        value_name = "LL-ADDR",
        value_parser = protect::parse_router,
        requires = "keep_prefix"
    )]
    keep_router: Option<core::net::Ipv6Addr>,
    /// Print what would change and change nothing.
    #[arg(long)]
    dry_run: bool,
    /// Where the state files are (default /var/lib/v6sentinel/protect; on Windows
    /// %ProgramData%\v6sentinel\protect).
    #[arg(long, value_name = "DIR")]
    state_dir: Option<PathBuf>,
}

/// `watch`'s flags; each has a key in the configuration file, and the flag wins.
#[derive(Debug, clap::Args)]
struct WatchFlags {
    /// Configuration file (TOML; see packaging/v6sentinel.toml).
    #[arg(long, value_name = "FILE")]
    config: Option<PathBuf>,
    /// Send an RS and a DHCPv6 Solicit every SECS seconds (0: never, the default).
    #[arg(long, value_name = "SECS", value_parser = parse_probe_interval)]
    probe_interval: Option<ProbeInterval>,
    /// Resolve a raised source silent this long (default 3600).
    #[arg(long, value_name = "SECS", value_parser = clap::value_parser!(u64).range(1..))]
    resolve_timeout: Option<u64>,
    /// Serve Prometheus metrics and a health check on ADDR:PORT (/metrics, /healthz).
    #[arg(long, value_name = "ADDR:PORT")]
    metrics: Option<std::net::SocketAddr>,
    /// Switch to this user after opening the sockets, keeping only CAP_NET_RAW.
    #[arg(long, value_name = "NAME")]
    user: Option<String>,
    /// Frame source: afpacket (Linux) or pnet.
    #[arg(long, value_name = "NAME")]
    backend: Option<Backend>,
    /// Append alerts to this file (reopened on SIGHUP).
    #[arg(long, value_name = "PATH")]
    alerts_file: Option<PathBuf>,
    /// Send alerts to syslog: /dev/log (the default), udp://HOST:PORT or tcp://HOST:PORT.
    #[arg(long, value_name = "TARGET", num_args = 0..=1, default_missing_value = "/dev/log")]
    syslog: Option<String>,
    /// POST alerts to this HTTP(S) URL.
    #[arg(long, value_name = "URL")]
    webhook: Option<String>,
    /// Where undelivered webhook alerts wait (default /var/lib/v6sentinel/spool; on
    /// Windows %ProgramData%\v6sentinel\spool).
    #[arg(long, value_name = "DIR", requires = "webhook")]
    spool_dir: Option<PathBuf>,
    /// Also write alerts to stdout when other sinks are given.
    #[arg(long)]
    stdout: bool,
}

#[derive(Debug, Subcommand)]
enum RulesAction {
    /// Validate the rule files in DIR (default: the embedded ones).
    Check {
        /// A directory with offenders.toml, providers.toml, remedies.toml.
        dir: Option<PathBuf>,
    },
}

/// Validated settings shared by the modes.
pub struct Settings {
    /// The interface asked for (`scan`, `analyze`: at most one).
    pub interface: Option<String>,
    /// JSON instead of text.
    pub json: bool,
    /// The HTML page instead of text.
    pub html: bool,
    /// Where the report goes instead of stdout (`--output`).
    pub output: Option<PathBuf>,
    /// Report language.
    pub lang: Lang,
    /// The expected upstream.
    pub allow: Vec<AllowSpec>,
    /// Rules in force.
    pub rules: Arc<Rules>,
    /// The vendor registry.
    pub registry: Arc<Registry>,
    /// Verbosity.
    pub verbose: u8,
    /// Quiet.
    pub quiet: bool,
    /// When the command started (before the registry and rules were loaded): `scan`
    /// counts its `--duration` from here.
    pub started: std::time::Instant,
}

/// A failure that maps to an exit code and one message.
#[derive(Debug)]
pub struct Failure {
    /// The exit code.
    pub code: u8,
    /// What to tell the user.
    pub message: String,
}

impl Failure {
    fn unknown(message: impl Into<String>) -> Failure {
        Failure {
            code: EXIT_UNKNOWN,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

fn settings(args: &Args, started: std::time::Instant) -> Result<Settings, Failure> {
    let allow = args
        .allow
        .iter()
        .map(|a| {
            a.parse::<AllowSpec>()
                .map_err(|e| Failure::unknown(format!("--allow: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let rules = match &args.rules {
        Some(dir) => Rules::load_dir(dir).map_err(|e| Failure::unknown(e.to_string()))?,
        None => Rules::embedded().clone(),
    };
    let mut registry = Registry::embedded().clone();
    for path in &args.oui_files {
        let extra = Registry::load_file(path).map_err(|e| Failure::unknown(e.to_string()))?;
        registry.merge(extra);
    }
    let lang = match args.lang {
        Some(LangArg::Ja) => Lang::Ja,
        Some(LangArg::En) => Lang::En,
        None => Lang::from_env_lang(std::env::var("LANG").ok().as_deref()),
    };
    Ok(Settings {
        interface: match args.interfaces.as_slice() {
            [] => None,
            [one] => Some(one.clone()),
            [_, ..] if matches!(args.command, Command::Watch(_)) => None,
            [_, ..] if matches!(args.command, Command::Protect(_)) => {
                return Err(Failure::unknown(
                    "protect changes one interface at a time: give one -i",
                ));
            }
            [_, ..] => return Err(Failure::unknown("only `watch` takes several -i")),
        },
        json: args.format == Format::Json,
        html: args.format == Format::Html,
        output: args.output.clone(),
        lang,
        allow,
        rules: Arc::new(rules),
        registry: Arc::new(registry),
        verbose: args.verbose,
        quiet: args.quiet,
        started,
    })
}

/// `--format html` and `--output` are for the reports of `scan` and `analyze`; the
/// directory of `--output` must exist (checked before a scan spends its duration).
fn check_output(args: &Args) -> Result<(), Failure> {
    let reports = matches!(args.command, Command::Scan { .. } | Command::Analyze { .. });
    if !reports && args.format == Format::Html {
        return Err(Failure::unknown(
            "--format html is for the reports of `scan` and `analyze`",
        ));
    }
    let Some(path) = &args.output else {
        return Ok(());
    };
    if !reports {
        return Err(Failure::unknown(
            "--output is for the reports of `scan` and `analyze`",
        ));
    }
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    if path.is_dir() {
        return Err(Failure::unknown(format!(
            "--output {}: is a directory",
            path.display()
        )));
    }
    if !dir.is_dir() {
        return Err(Failure::unknown(format!(
            "--output {}: no such directory {}",
            path.display(),
            dir.display()
        )));
    }
    Ok(())
}

/// Parses the command line and runs the chosen mode.
pub fn run() -> anyhow::Result<ExitCode> {
    let started = std::time::Instant::now();
    // clap exits 2 on a bad argument; here 2 means CRITICAL, so errors exit 3 (UNKNOWN).
    let args = match Args::try_parse() {
        Ok(args) => args,
        Err(e) => {
            let _ = e.print();
            let code = if e.use_stderr() { EXIT_UNKNOWN } else { 0 };
            return Ok(ExitCode::from(code));
        }
    };
    let result = check_output(&args).and_then(|()| match &args.command {
        Command::Oui { macs } => oui(&args, macs),
        Command::Rules {
            action: RulesAction::Check { dir },
        } => rules_check(dir.as_deref()),
        Command::Analyze { files } => {
            settings(&args, started).and_then(|s| analyze::run(&s, files))
        }
        Command::Scan {
            duration,
            passive,
            backend,
        } => settings(&args, started).and_then(|s| {
            let opts = scan::ScanOptions {
                duration: *duration,
                passive: *passive,
                backend: *backend,
            };
            scan::run(&s, opts)
        }),
        Command::Watch(flags) => watch_args(&args, flags).and_then(|w| {
            let s = settings(&args, started)?;
            watch::run(&s, &w)
        }),
        Command::Protect(flags) => settings(&args, started).and_then(|s| {
            let opts = protect::ProtectOptions {
                undo: flags.undo,
                keep_prefixes: flags.keep_prefix.clone(),
                keep_router: flags.keep_router,
                dry_run: flags.dry_run,
                state_dir: flags.state_dir.clone(),
            };
            protect::run(&s, &opts)
        }),
        Command::Service { action } => service::run(&args, started, action),
    });
    match result {
        Ok(code) => Ok(ExitCode::from(code)),
        Err(f) => {
            eprintln!("v6sentinel: {}", f.message);
            Ok(ExitCode::from(f.code))
        }
    }
}

fn oui(args: &Args, macs: &[String]) -> Result<u8, Failure> {
    let s = settings(args, std::time::Instant::now())?;
    let mut out = String::new();
    for text in macs {
        let mac: v6sentinel::wire::Mac = text
            .parse()
            .map_err(|e| Failure::unknown(format!("`{text}`: {e}")))?;
        let line = if mac.is_locally_administered() {
            format!("{mac}\t(randomized: locally administered, no vendor)")
        } else if mac.is_multicast() {
            format!("{mac}\t(group address, no vendor)")
        } else {
            match s.registry.lookup(mac) {
                Some(v) => format!("{mac}\t{}\t{} {}", v.name, v.block, v.prefix),
                None => format!("{mac}\t(not in the IEEE registry)"),
            }
        };
        out.push_str(&line);
        out.push('\n');
    }
    print_out(&out)?;
    Ok(0)
}

fn rules_check(dir: Option<&std::path::Path>) -> Result<u8, Failure> {
    let rules = match dir {
        Some(d) => match Rules::check_dir(d) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("{e}");
                return Ok(1);
            }
        },
        None => Rules::embedded().clone(),
    };
    print_out(&format!(
        "ok: {} offenders, {} providers, {} provider DNS servers\n",
        rules.offenders.len(),
        rules.providers.len(),
        rules.dns.len()
    ))?;
    Ok(0)
}

/// The longest `--duration`: one day (`watch` is the tool for longer).
const MAX_DURATION_SECS: f64 = 86_400.0;

/// `--duration`: seconds, decimals allowed, more than 0 and at most a day.
fn parse_duration(text: &str) -> Result<Duration, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    if !(secs > 0.0 && secs <= MAX_DURATION_SECS) {
        return Err(format!(
            "`{text}`: the duration must be more than 0 and at most {MAX_DURATION_SECS} seconds \
             (use `watch` to listen for longer)"
        ));
    }
    Ok(Duration::from_secs_f64(secs))
}

/// A `--probe-interval`: `None` is 0, probing off.
#[derive(Debug, Clone, Copy)]
struct ProbeInterval(Option<Duration>);

/// `--probe-interval`: 0 turns probing off.
fn parse_probe_interval(text: &str) -> Result<ProbeInterval, String> {
    let secs: f64 = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not a number of seconds"))?;
    config::probe_interval(secs).map(ProbeInterval)
}

/// The watch flags as a [`config::Flags`] to merge over the configuration file.
fn watch_args(args: &Args, f: &WatchFlags) -> Result<watch::WatchArgs, Failure> {
    use v6sentinel::sink::{FileConfig, SinkConfig, SyslogConfig, WebhookConfig};
    let allow = args
        .allow
        .iter()
        .map(|a| {
            a.parse::<AllowSpec>()
                .map_err(|e| Failure::unknown(format!("--allow: {e}")))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let mut sinks = Vec::new();
    if let Some(path) = &f.alerts_file {
        sinks.push(SinkConfig::File(FileConfig { path: path.clone() }));
    }
    if let Some(target) = &f.syslog {
        sinks.push(SinkConfig::Syslog(SyslogConfig {
            target: target.clone(),
            ..SyslogConfig::default()
        }));
    }
    if let Some(url) = &f.webhook {
        let mut webhook = WebhookConfig::new(url.clone());
        if let Some(dir) = &f.spool_dir {
            webhook.spool_dir = dir.clone();
        }
        sinks.push(SinkConfig::Webhook(webhook));
    }
    if f.stdout && !sinks.is_empty() {
        sinks.push(SinkConfig::Stdout {});
    }
    for sink in &sinks {
        sink.validate().map_err(Failure::unknown)?;
    }
    Ok(watch::WatchArgs {
        config: f.config.clone(),
        flags: config::Flags {
            interfaces: args.interfaces.clone(),
            allow,
            rules: args.rules.clone(),
            oui_files: args.oui_files.clone(),
            backend: f.backend,
            probe_interval: f.probe_interval.map(|p| p.0),
            resolve_timeout: f.resolve_timeout.map(Duration::from_secs),
            user: f.user.clone(),
            metrics: f.metrics,
            sinks,
        },
    })
}

/// Prints the report of a scan or an analysis in the chosen format: JSON, the HTML page,
/// the status line alone (`-q`, text only), or the text report. With `--output` the full
/// report goes to that file and stdout gets the status line (nothing for JSON, whose
/// readers expect nothing else there); `-q` changes nothing then.
pub fn print_report(
    s: &Settings,
    snapshot: &Snapshot<'_>,
    ctx: &Context<'_>,
) -> Result<(), Failure> {
    let full = || {
        if s.json {
            let mut j = report::report_json(snapshot, ctx);
            j.push('\n');
            j
        } else if s.html {
            report::report_html(snapshot, ctx)
        } else {
            let mut t = report::report_text(snapshot, ctx, s.lang);
            if !t.ends_with('\n') {
                t.push('\n');
            }
            t
        }
    };
    let status = || format!("{}\n", report::status_line(snapshot));
    match &s.output {
        Some(path) => {
            std::fs::write(path, full()).map_err(|e| {
                Failure::unknown(format!(
                    "cannot write the report to {}: {e}",
                    path.display()
                ))
            })?;
            if s.json { Ok(()) } else { print_out(&status()) }
        }
        None if s.quiet && !s.json && !s.html => print_out(&status()),
        None => print_out(&full()),
    }
}

/// Writes to stdout; a closed pipe is not an error.
pub fn print_out(text: &str) -> Result<(), Failure> {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    match out.write_all(text.as_bytes()).and_then(|()| out.flush()) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => Ok(()),
        Err(e) => Err(Failure::unknown(format!("writing the report: {e}"))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clap_definition_is_consistent() {
        use clap::CommandFactory;
        Args::command().debug_assert();
    }

    #[test]
    fn watch_flags_parse() {
        let args = Args::try_parse_from([
            "v6sentinel",
            "watch",
            "-i",
            "eth0",
            "-i",
            "eth1",
            "--probe-interval",
            "0",
            "--resolve-timeout",
            "60",
            "--metrics",
            "127.0.0.1:9810",
            "--syslog",
            "--webhook",
            "https://example.com/h",
            "--spool-dir",
            "/tmp/spool",
            "--alerts-file",
            "/tmp/a.jsonl",
        ])
        .expect("parses");
        let Command::Watch(flags) = &args.command else {
            panic!("not watch");
        };
        let w = watch_args(&args, flags).expect("valid");
        assert_eq!(w.flags.interfaces, ["eth0", "eth1"]);
        assert_eq!(w.flags.probe_interval, Some(None));
        assert_eq!(w.flags.sinks.len(), 3);
        assert!(Args::try_parse_from(["v6sentinel", "watch", "--probe-interval", "5"]).is_err());
        assert!(Args::try_parse_from(["v6sentinel", "scan", "-i", "a", "-i", "b"]).is_ok());
    }

    #[test]
    fn protect_flags_parse() {
        let args = Args::try_parse_from([
            "v6sentinel",
            "protect",
            "-i",
            "eth0",
            "--keep-prefix",
            "2408:210:1:2::/64",
            "--keep-prefix",
            "2408:210:1:3::/64",
            "--keep-router",
            "fe80::1",
            "--dry-run",
            "--state-dir",
            "/tmp/p",
        ])
        .expect("parses");
        let Command::Protect(f) = &args.command else {
            panic!("not protect");
        };
        assert_eq!(f.keep_prefix.len(), 2);
        assert_eq!(f.keep_router, Some("fe80::1".parse().unwrap()));
        assert!(f.dry_run && !f.undo);
        // --undo takes no pins; --keep-router needs --keep-prefix.
        let undo_keep = [
            "v6sentinel",
            "protect",
            "--undo",
            "--keep-prefix",
            "2408::/22",
        ];
        assert!(Args::try_parse_from(undo_keep).is_err());
        let router_alone = ["v6sentinel", "protect", "--keep-router", "fe80::1"];
        assert!(Args::try_parse_from(router_alone).is_err());
        assert!(Args::try_parse_from(["v6sentinel", "protect", "--keep-prefix", "nope"]).is_err());
        let args = Args::try_parse_from(["v6sentinel", "protect", "-i", "a", "-i", "b"]).unwrap();
        assert!(settings(&args, std::time::Instant::now()).is_err());
    }
}
