//! `v6sentinel protect`: the command-line side of [`v6sentinel::protect`] — the interface,
//! the platform, the state directory, printing; the work and its checks are in the
//! library.

use super::{Failure, Settings, iface, print_out};
use core::net::Ipv6Addr;
use std::path::PathBuf;
use std::time::{SystemTime, UNIX_EPOCH};
use v6sentinel::detect::Timestamp;
use v6sentinel::protect::{self, Options, Request, StateStore, System};
use v6sentinel::report::Lang;
use v6sentinel::rules::Prefix;

/// What `protect` was asked to do beyond the common settings.
#[derive(Debug, Clone)]
pub struct ProtectOptions {
    /// `--undo`.
    pub undo: bool,
    /// `--keep-prefix`.
    pub keep_prefixes: Vec<Prefix>,
    /// `--keep-router`.
    pub keep_router: Option<Ipv6Addr>,
    /// `--dry-run`.
    pub dry_run: bool,
    /// `--state-dir`.
    pub state_dir: Option<PathBuf>,
}

/// `--keep-router`: a unicast IPv6 address (normally the upstream's link-local one).
pub fn parse_router(text: &str) -> Result<Ipv6Addr, String> {
    let addr: Ipv6Addr = text
        .trim()
        .parse()
        .map_err(|_| format!("`{text}` is not an IPv6 address"))?;
    if addr.is_multicast() || addr.is_unspecified() || addr.is_loopback() {
        return Err(format!("`{text}` is not a router's unicast address"));
    }
    Ok(addr)
}

/// `--keep-prefix`: `ADDR/LEN` (host bits are cleared: an address with its length is
/// taken as its prefix).
pub fn parse_prefix(text: &str) -> Result<Prefix, String> {
    text.parse::<Prefix>().map_err(|e| format!("`{text}`: {e}"))
}

#[cfg(target_os = "linux")]
fn system() -> Result<Box<dyn System>, Failure> {
    Ok(Box::new(protect::linux::Linux))
}

#[cfg(windows)]
fn system() -> Result<Box<dyn System>, Failure> {
    Ok(Box::new(protect::windows::Windows))
}

#[cfg(not(any(target_os = "linux", windows)))]
fn system() -> Result<Box<dyn System>, Failure> {
    Err(Failure::unknown("protect works on Linux and Windows only"))
}

/// Runs `protect` or `protect --undo`; 0 when done (or nothing needed doing), 3 when
/// refused or failed.
pub fn run(s: &Settings, o: &ProtectOptions) -> Result<u8, Failure> {
    if s.json {
        return Err(Failure::unknown(
            "protect prints text only (--format json is for scan and analyze)",
        ));
    }
    let mut out = |line: &str| {
        // Printing is best effort: a closed stdout must not stop a change half-way.
        let _ = print_out(&format!("{line}\n"));
    };
    let interface = match &s.interface {
        Some(i) => i.clone(),
        None => {
            let i = iface::default_interface().ok_or_else(|| {
                Failure::unknown(
                    "protect: no interface given and none found (no default route, no \
                     Ethernet interface up); name it with -i",
                )
            })?;
            out(&match s.lang {
                Lang::En => format!("interface: {i} (chosen automatically; name another with -i)"),
                Lang::Ja => format!("インターフェース: {i} (自動で選択。別のものは -i で指定)"),
            });
            i
        }
    };
    let mut sys = system()?;
    let store = StateStore::new(o.state_dir.clone().unwrap_or_else(StateStore::default_dir));
    let opts = Options {
        dry_run: o.dry_run,
        lang: s.lang,
        quiet: s.quiet,
    };
    let result = if o.undo {
        protect::undo(sys.as_mut(), &store, &interface, opts, &mut out)
    } else {
        let req = Request {
            interface,
            keep_prefixes: o.keep_prefixes.clone(),
            keep_router: o.keep_router,
        };
        protect::protect(sys.as_mut(), &store, &req, &s.rules, opts, now(), &mut out)
    };
    match result {
        Ok(_) => Ok(0),
        Err(e) => Err(Failure::unknown(e.message(s.lang))),
    }
}

fn now() -> Timestamp {
    let micros = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| i64::try_from(d.as_micros()).unwrap_or(i64::MAX));
    Timestamp::from_micros(micros)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routers_and_prefixes() {
        assert_eq!(parse_router("fe80::1"), Ok("fe80::1".parse().unwrap()));
        assert!(parse_router("ff02::2").is_err());
        assert!(parse_router("::").is_err());
        assert!(parse_router("fe80::1%eth0").is_err());
        assert_eq!(
            parse_prefix("2408:210:1:2::5/64").map(|p| p.to_string()),
            Ok("2408:210:1:2::/64".to_owned())
        );
        assert!(parse_prefix("2408:210:1:2::").is_err());
    }
}
