//! Dropping privileges once the sockets are open: the `watch` service keeps only
//! CAP_NET_RAW (to reopen a capture when an interface comes back, and to send probes)
//! and, started as root with `--user NAME`, becomes that user.
//!
//! [`drop_privileges`] does, in this order:
//! 1. refuse when the process has more than one thread: capabilities, the bounding set
//!    and `no_new_privs` belong to each thread, so a thread started earlier (a runtime
//!    worker, a capture thread) would keep everything;
//! 2. with a user and an effective UID of 0: look the user up, set `PR_SET_KEEPCAPS`,
//!    clear the supplementary groups, `setresgid` and `setresuid` to the user and its
//!    primary group (the kernel then keeps the permitted set and empties the others);
//! 3. with CAP_SETPCAP at hand, drop every capability but CAP_NET_RAW from the bounding
//!    set, so no later `execve` can gain one back;
//! 4. empty the ambient and inheritable sets, and set the permitted and effective sets to
//!    CAP_NET_RAW alone (or to nothing, when the process did not have it);
//! 5. turn `PR_SET_KEEPCAPS` off again and set `no_new_privs`;
//! 6. read everything back and fail if it is not what was asked.
//!
//! A process that is not root is not an error: a user asked for is then ignored (the
//! process already runs as whoever started it, e.g. systemd's `DynamicUser`), and one
//! without CAP_NET_RAW keeps nothing. [`Dropped`] says what the process has afterwards.
//!
//! Kept as root without `--user`, the process still owns every root-owned file: it can
//! no longer read others' files or bind low ports, but it can write `/etc`. Prefer a
//! user.
#![forbid(unsafe_code)]

use caps::{CapSet, Capability, CapsHashSet};
use nix::unistd::{Gid, Uid, User};
use std::fmt;
use std::io;

/// The one capability kept.
const KEPT: Capability = Capability::CAP_NET_RAW;

/// Why privileges could not be dropped. Each variant names the step, and the user where
/// there is one.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PrivilegeError {
    /// The process runs more than one thread (see the module documentation).
    #[error(
        "cannot drop privileges with {threads} threads running: capabilities belong to \
         each thread, so drop them before starting any other thread"
    )]
    Threads {
        /// How many threads run.
        threads: usize,
    },
    /// Reading `/proc/thread-self/status` failed.
    #[error("dropping privileges: reading /proc/thread-self/status: {source}")]
    ProcStatus {
        /// The cause.
        source: io::Error,
    },
    /// Looking the user up failed.
    #[error("looking up user {user:?}: {source}")]
    Lookup {
        /// The user asked for.
        user: String,
        /// The cause.
        source: nix::Error,
    },
    /// There is no such user.
    #[error("no such user: {user:?} (create it, e.g. useradd --system --no-create-home {user})")]
    NoSuchUser {
        /// The user asked for.
        user: String,
    },
    /// A step of switching to the user failed.
    #[error("switching to user {user:?}: {step}: {source}")]
    Switch {
        /// The user asked for.
        user: String,
        /// The step, e.g. `setresuid(65534)`.
        step: String,
        /// The cause.
        source: nix::Error,
    },
    /// A capability or process-attribute step failed.
    #[error("dropping privileges: {step}: {reason}")]
    Capabilities {
        /// The step, e.g. `dropping CAP_SYS_ADMIN from the bounding set`.
        step: String,
        /// What the system said.
        reason: String,
    },
    /// After every step, the process still has more than it should.
    #[error("dropping privileges: {what} is {found}, expected {expected}")]
    Verify {
        /// What was read back, e.g. `the effective set`.
        what: &'static str,
        /// What it holds.
        found: String,
        /// What it should hold.
        expected: String,
    },
}

/// What the process holds after [`drop_privileges`].
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub struct Dropped {
    /// Its user ID (real, effective and saved are equal when a user was switched to).
    pub uid: u32,
    /// Its group ID.
    pub gid: u32,
    /// The user switched to, if any.
    pub user: Option<String>,
    /// A user was asked for but the process was not root, so it was ignored.
    pub user_ignored: bool,
    /// CAP_NET_RAW is in the permitted and effective sets (the only capability left
    /// either way).
    pub net_raw: bool,
    /// The bounding set holds nothing but CAP_NET_RAW (false when the process had no
    /// CAP_SETPCAP to shrink it, e.g. started with file capabilities).
    pub bounding_set_reduced: bool,
}

impl fmt::Display for Dropped {
    /// One line for the log, e.g. `running as user nobody (uid 65534, gid 65534) with
    /// CAP_NET_RAW only; bounding set reduced; no_new_privs`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.user {
            Some(name) => write!(f, "running as user {name} ")?,
            None => f.write_str("running ")?,
        }
        write!(f, "(uid {}, gid {}) with ", self.uid, self.gid)?;
        f.write_str(if self.net_raw {
            "CAP_NET_RAW only"
        } else {
            "no capabilities (a capture cannot be reopened)"
        })?;
        if self.bounding_set_reduced {
            f.write_str("; bounding set reduced")?;
        }
        f.write_str("; no_new_privs")?;
        if self.user_ignored {
            f.write_str("; the configured user was ignored (not started as root)")?;
        }
        Ok(())
    }
}

/// Keeps only CAP_NET_RAW and, when `user` is given and the process runs as root,
/// switches to that user and its primary group with no supplementary groups. Call it
/// once the privileged sockets are open and **before any other thread starts** (e.g.
/// before building a multi-threaded tokio runtime); see the module documentation for the
/// steps. Calling it again is harmless. After an error other than
/// [`PrivilegeError::Threads`], [`PrivilegeError::Lookup`] or
/// [`PrivilegeError::NoSuchUser`] the process may be half-changed: the caller should
/// exit.
pub fn drop_privileges(user: Option<&str>) -> Result<Dropped, PrivilegeError> {
    let threads = thread_count()?;
    if threads != 1 {
        return Err(PrivilegeError::Threads { threads });
    }
    let root = Uid::effective().is_root();
    let mut switched = None;
    if let (Some(name), true) = (user, root) {
        let account = User::from_name(name)
            .map_err(|source| PrivilegeError::Lookup {
                user: name.to_owned(),
                source,
            })?
            .ok_or_else(|| PrivilegeError::NoSuchUser {
                user: name.to_owned(),
            })?;
        switch_user(name, account.uid, account.gid)?;
        switched = Some(account.name);
    }

    let permitted = read(CapSet::Permitted)?;
    let net_raw = permitted.contains(&KEPT);
    let keep: CapsHashSet = if net_raw {
        CapsHashSet::from([KEPT])
    } else {
        CapsHashSet::new()
    };

    // The bounding set needs CAP_SETPCAP in the effective set to shrink.
    if permitted.contains(&Capability::CAP_SETPCAP) {
        let mut effective = keep.clone();
        effective.insert(Capability::CAP_SETPCAP);
        set(CapSet::Effective, &effective)?;
        for cap in read(CapSet::Bounding)? {
            if cap != KEPT {
                caps::drop(None, CapSet::Bounding, cap)
                    .map_err(failed(format!("dropping {cap} from the bounding set")))?;
            }
        }
    }
    if caps::runtime::ambient_set_supported().is_ok() {
        caps::clear(None, CapSet::Ambient).map_err(failed("clearing the ambient set"))?;
    }
    set(CapSet::Inheritable, &CapsHashSet::new())?;
    // Effective first: it must stay a subset of permitted at every step.
    set(CapSet::Effective, &keep)?;
    set(CapSet::Permitted, &keep)?;
    nix::sys::prctl::set_keepcaps(false).map_err(failed("prctl(PR_SET_KEEPCAPS, 0)"))?;
    nix::sys::prctl::set_no_new_privs().map_err(failed("prctl(PR_SET_NO_NEW_PRIVS, 1)"))?;

    verify(CapSet::Permitted, "the permitted set", &keep)?;
    verify(CapSet::Effective, "the effective set", &keep)?;
    verify(
        CapSet::Inheritable,
        "the inheritable set",
        &CapsHashSet::new(),
    )?;
    if caps::runtime::ambient_set_supported().is_ok() {
        verify(CapSet::Ambient, "the ambient set", &CapsHashSet::new())?;
    }
    // From the kernel's own mask, which also covers capabilities newer than the caps
    // crate's list.
    let bounding_set_reduced = status_field("CapBnd")
        .ok()
        .and_then(|hex| u64::from_str_radix(&hex, 16).ok())
        .is_some_and(|mask| mask & !(1 << KEPT.index()) == 0);
    let no_new_privs =
        nix::sys::prctl::get_no_new_privs().map_err(failed("prctl(PR_GET_NO_NEW_PRIVS)"))?;
    if !no_new_privs {
        return Err(PrivilegeError::Verify {
            what: "no_new_privs",
            found: "off".into(),
            expected: "on".into(),
        });
    }
    Ok(Dropped {
        uid: Uid::current().as_raw(),
        gid: Gid::current().as_raw(),
        user: switched,
        user_ignored: user.is_some() && !root,
        net_raw,
        bounding_set_reduced,
    })
}

/// Becomes `uid`/`gid` with no supplementary groups, keeping the permitted capabilities.
fn switch_user(name: &str, uid: Uid, gid: Gid) -> Result<(), PrivilegeError> {
    let step = |step: String| {
        let user = name.to_owned();
        move |source| PrivilegeError::Switch { user, step, source }
    };
    nix::sys::prctl::set_keepcaps(true).map_err(step("prctl(PR_SET_KEEPCAPS, 1)".into()))?;
    nix::unistd::setgroups(&[]).map_err(step("setgroups([])".into()))?;
    nix::unistd::setresgid(gid, gid, gid).map_err(step(format!("setresgid({gid})")))?;
    nix::unistd::setresuid(uid, uid, uid).map_err(step(format!("setresuid({uid})")))?;
    Ok(())
}

/// The number of threads of this process.
fn thread_count() -> Result<usize, PrivilegeError> {
    status_field("Threads")?
        .parse()
        .map_err(|_| PrivilegeError::ProcStatus {
            source: io::Error::new(io::ErrorKind::InvalidData, "a bad Threads: line"),
        })
}

/// The value of the line `NAME:` of `/proc/thread-self/status`, trimmed.
fn status_field(name: &str) -> Result<String, PrivilegeError> {
    let status = std::fs::read_to_string("/proc/thread-self/status")
        .map_err(|source| PrivilegeError::ProcStatus { source })?;
    status
        .lines()
        .find_map(|l| l.strip_prefix(name)?.strip_prefix(':'))
        .map(|v| v.trim().to_owned())
        .ok_or_else(|| PrivilegeError::ProcStatus {
            source: io::Error::new(io::ErrorKind::InvalidData, format!("no {name}: line")),
        })
}

/// A [`PrivilegeError::Capabilities`] maker for `step`.
fn failed<E: fmt::Display, S: Into<String>>(step: S) -> impl FnOnce(E) -> PrivilegeError {
    let step = step.into();
    move |e| PrivilegeError::Capabilities {
        step,
        reason: e.to_string(),
    }
}

/// Reads one set of this thread.
fn read(set: CapSet) -> Result<CapsHashSet, PrivilegeError> {
    caps::read(None, set).map_err(failed(format!("reading the {set:?} set")))
}

/// Sets one set of this thread.
fn set(which: CapSet, value: &CapsHashSet) -> Result<(), PrivilegeError> {
    caps::set(None, which, value).map_err(failed(format!(
        "setting the {which:?} set to {}",
        names(value)
    )))
}

/// Fails unless `set` holds exactly `expected`.
fn verify(set: CapSet, what: &'static str, expected: &CapsHashSet) -> Result<(), PrivilegeError> {
    let found = read(set)?;
    if &found == expected {
        Ok(())
    } else {
        Err(PrivilegeError::Verify {
            what,
            found: names(&found),
            expected: names(expected),
        })
    }
}

/// `{CAP_A, CAP_B}` in a stable order, `{}` when empty.
fn names(set: &CapsHashSet) -> String {
    let mut names: Vec<String> = set.iter().map(ToString::to_string).collect();
    names.sort();
    format!("{{{}}}", names.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dropped_reads_as_one_log_line() {
        let d = Dropped {
            uid: 65534,
            gid: 65534,
            user: Some("nobody".into()),
            user_ignored: false,
            net_raw: true,
            bounding_set_reduced: true,
        };
        assert_eq!(
            d.to_string(),
            "running as user nobody (uid 65534, gid 65534) with CAP_NET_RAW only; \
             bounding set reduced; no_new_privs"
        );
        let d = Dropped {
            uid: 1000,
            gid: 1000,
            user: None,
            user_ignored: true,
            net_raw: false,
            bounding_set_reduced: false,
        };
        assert_eq!(
            d.to_string(),
            "running (uid 1000, gid 1000) with no capabilities (a capture cannot be \
             reopened); no_new_privs; the configured user was ignored (not started as root)"
        );
    }

    #[test]
    fn capability_sets_print_sorted() {
        assert_eq!(names(&CapsHashSet::new()), "{}");
        let set = CapsHashSet::from([Capability::CAP_SYS_ADMIN, Capability::CAP_NET_RAW]);
        assert_eq!(names(&set), "{CAP_NET_RAW, CAP_SYS_ADMIN}");
    }

    #[test]
    fn refuses_with_another_thread_running() {
        // A second thread lives through the call, so it refuses before any step and this
        // test process is never changed (tests/privilege.rs tests the real thing).
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let other = std::thread::spawn(move || wait.recv());
        let result = drop_privileges(Some("nobody"));
        release.send(()).unwrap();
        other.join().unwrap().unwrap();
        let err = result.unwrap_err();
        assert!(
            matches!(err, PrivilegeError::Threads { threads } if threads >= 2),
            "{err}"
        );
        assert!(err.to_string().contains("threads running"), "{err}");
    }
}
