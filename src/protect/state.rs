//! The state file: what `protect` changed on one interface, written before the first
//! change and read by `--undo`, which deletes it once everything is restored.
//!
//! One JSON file per interface, `DIR/IF.json` (bytes of the name outside
//! `[A-Za-z0-9._-]` written `%XX`, so a Windows alias such as `Ethernet 2` or
//! `イーサネット` makes a safe file name). The file is created with `O_EXCL`
//! (`create_new`): two `protect` runs cannot both believe they were first.
//!
//! ```json
//! {"schema":"v6sentinel.protect/1","interface":"eth0","since":"2026-05-01T01:23:45.678901Z",
//!  "platform":"linux","setting":"accept_ra","previous":"1","written":"0",
//!  "pinned_addresses":[{"address":"2408:210:1:2::5","prefix_len":64,
//!    "valid_lifetime_s":3600,"preferred_lifetime_s":1800,"flags":0}],
//!  "pinned_route":{"gateway":"fe80::1","metric":1023}}
//! ```
//! The file is read back as untrusted input: `previous` is checked by the platform before
//! it is written anywhere, and a file that does not parse is reported, never guessed at.

use super::Error;
use core::net::Ipv6Addr;
use serde::{Deserialize, Serialize};
use std::io::Write as _;
use std::path::{Path, PathBuf};

/// The `schema` of a state file.
pub const SCHEMA: &str = "v6sentinel.protect/1";

/// An address `protect` made static, with the lifetimes it had (restored by `--undo`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedAddress {
    /// The address.
    pub address: Ipv6Addr,
    /// Its prefix length.
    pub prefix_len: u8,
    /// Seconds of valid lifetime it had left; `None` is infinite.
    pub valid_lifetime_s: Option<u32>,
    /// Seconds of preferred lifetime it had left; `None` is infinite.
    pub preferred_lifetime_s: Option<u32>,
    /// Platform flags kept across the change (Linux `IFA_F_*`).
    #[serde(default)]
    pub flags: u32,
}

/// The default route `protect` added.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PinnedRoute {
    /// The upstream router.
    pub gateway: Ipv6Addr,
    /// The route's metric.
    pub metric: u32,
}

/// What `protect` changed on one interface.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    /// [`SCHEMA`].
    pub schema: String,
    /// The interface.
    pub interface: String,
    /// When `protect` ran (RFC 3339 UTC).
    pub since: String,
    /// `linux` or `windows`.
    pub platform: String,
    /// The setting changed: `accept_ra` or `routerdiscovery`.
    pub setting: String,
    /// Its value before (`--undo` writes it back).
    pub previous: String,
    /// The value `protect` wrote.
    pub written: String,
    /// Addresses made static.
    #[serde(default)]
    pub pinned_addresses: Vec<PinnedAddress>,
    /// The default route added.
    #[serde(default)]
    pub pinned_route: Option<PinnedRoute>,
}

/// Where the state files are.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StateStore {
    dir: PathBuf,
}

impl StateStore {
    /// The store in `dir`.
    pub fn new(dir: impl Into<PathBuf>) -> StateStore {
        StateStore { dir: dir.into() }
    }

    /// The default directory: `/var/lib/v6sentinel/protect` on Linux,
    /// `%ProgramData%\v6sentinel\protect` on Windows.
    pub fn default_dir() -> PathBuf {
        if cfg!(windows) {
            let base = std::env::var_os("ProgramData")
                .map_or_else(|| PathBuf::from(r"C:\ProgramData"), PathBuf::from);
            base.join("v6sentinel").join("protect")
        } else {
            PathBuf::from("/var/lib/v6sentinel/protect")
        }
    }

    /// The directory.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The state file of `interface`.
    pub fn path(&self, interface: &str) -> PathBuf {
        self.dir.join(file_name(interface))
    }

    /// The state of `interface`, if a file exists.
    pub fn load(&self, interface: &str) -> Result<Option<State>, Error> {
        let path = self.path(interface);
        let bad = |detail: String| Error::State {
            interface: interface.to_owned(),
            path: path.clone(),
            detail,
        };
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(bad(format!("cannot read it: {e}"))),
        };
        let state: State =
            serde_json::from_str(&text).map_err(|e| bad(format!("not a state file: {e}")))?;
        if state.schema != SCHEMA {
            return Err(bad(format!(
                "schema `{}`, expected `{SCHEMA}`",
                state.schema
            )));
        }
        if state.interface != interface {
            return Err(bad(format!("it is about interface `{}`", state.interface)));
        }
        Ok(Some(state))
    }

    /// Writes the state of `state.interface`; fails if a file is there already. Returns
    /// the path.
    pub fn save(&self, state: &State) -> Result<PathBuf, Error> {
        let path = self.path(&state.interface);
        let bad = |detail: String| Error::State {
            interface: state.interface.clone(),
            path: path.clone(),
            detail,
        };
        std::fs::create_dir_all(&self.dir).map_err(|e| {
            if e.kind() == std::io::ErrorKind::PermissionDenied {
                Error::Permission {
                    interface: state.interface.clone(),
                    what: format!("creating {}", self.dir.display()),
                    detail: e.to_string(),
                }
            } else {
                bad(format!("cannot create {}: {e}", self.dir.display()))
            }
        })?;
        let mut text =
            serde_json::to_string_pretty(state).map_err(|e| bad(format!("cannot encode: {e}")))?;
        text.push('\n');
        let mut file = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .map_err(|e| match e.kind() {
                std::io::ErrorKind::PermissionDenied => Error::Permission {
                    interface: state.interface.clone(),
                    what: format!("writing {}", path.display()),
                    detail: e.to_string(),
                },
                std::io::ErrorKind::AlreadyExists => bad("it exists already".to_owned()),
                _ => bad(format!("cannot create it: {e}")),
            })?;
        let written = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            drop(file);
            let _ = std::fs::remove_file(&path);
            return Err(bad(format!("cannot write it: {e}")));
        }
        Ok(path)
    }

    /// Deletes the state file of `interface` (a missing file is not an error).
    pub fn remove(&self, interface: &str) -> Result<(), Error> {
        let path = self.path(interface);
        match std::fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(e) => Err(Error::State {
                interface: interface.to_owned(),
                path,
                detail: format!("cannot remove it: {e}"),
            }),
        }
    }
}

/// `IF.json`, with every byte of `interface` outside `[A-Za-z0-9._-]` written `%XX`.
pub fn file_name(interface: &str) -> String {
    let mut out = String::with_capacity(interface.len() + 5);
    for b in interface.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-') {
            out.push(char::from(b));
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out.push_str(".json");
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn state(interface: &str) -> State {
        State {
            schema: SCHEMA.to_owned(),
            interface: interface.to_owned(),
            since: "2026-05-01T01:23:45.678901Z".to_owned(),
            platform: "linux".to_owned(),
            setting: "accept_ra".to_owned(),
            previous: "2".to_owned(),
            written: "0".to_owned(),
            pinned_addresses: vec![PinnedAddress {
                address: "2408:210:1:2::5".parse().unwrap(),
                prefix_len: 64,
                valid_lifetime_s: Some(3600),
                preferred_lifetime_s: None,
                flags: 0x200,
            }],
            pinned_route: Some(PinnedRoute {
                gateway: "fe80::1".parse().unwrap(),
                metric: 1023,
            }),
        }
    }

    #[test]
    fn file_names_are_safe() {
        assert_eq!(file_name("eth0"), "eth0.json");
        assert_eq!(file_name("eth0.100"), "eth0.100.json");
        assert_eq!(file_name("Ethernet 2"), "Ethernet%202.json");
        assert_eq!(file_name("../x"), "..%2Fx.json");
        assert_eq!(file_name(r"a\b:c"), "a%5Cb%3Ac.json");
        assert_eq!(file_name("イ"), "%E3%82%A4.json");
    }

    #[test]
    fn save_load_remove() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path().join("protect"));
        assert_eq!(store.load("eth0").unwrap(), None);
        let s = state("eth0");
        let path = store.save(&s).unwrap();
        assert_eq!(path, dir.path().join("protect/eth0.json"));
        assert_eq!(store.load("eth0").unwrap(), Some(s.clone()));
        // A second protect cannot overwrite the first one's record.
        assert!(matches!(store.save(&s), Err(Error::State { .. })));
        let text = std::fs::read_to_string(&path).unwrap();
        let v: serde_json::Value = serde_json::from_str(&text).unwrap();
        assert_eq!(v["schema"], SCHEMA);
        assert_eq!(v["pinned_addresses"][0]["address"], "2408:210:1:2::5");
        assert_eq!(
            v["pinned_addresses"][0]["preferred_lifetime_s"],
            serde_json::Value::Null
        );
        assert_eq!(v["pinned_route"]["gateway"], "fe80::1");
        store.remove("eth0").unwrap();
        assert_eq!(store.load("eth0").unwrap(), None);
        store.remove("eth0").unwrap();
    }

    #[test]
    fn bad_files_are_reported() {
        let dir = tempfile::tempdir().unwrap();
        let store = StateStore::new(dir.path());
        std::fs::write(store.path("eth0"), "{not json").unwrap();
        assert!(matches!(store.load("eth0"), Err(Error::State { .. })));
        let mut other = state("eth1");
        std::fs::write(store.path("eth0"), serde_json::to_string(&other).unwrap()).unwrap();
        assert!(matches!(store.load("eth0"), Err(Error::State { .. })));
        other.interface = "eth0".to_owned();
        other.schema = "v6sentinel.protect/9".to_owned();
        std::fs::write(store.path("eth0"), serde_json::to_string(&other).unwrap()).unwrap();
        assert!(matches!(store.load("eth0"), Err(Error::State { .. })));
    }
}
