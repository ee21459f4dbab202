//! `privilege::drop_privileges` for real. Each case runs in a child process — this test
//! executable run again with `V6S_PRIVILEGE_CHILD=CASE`, sometimes behind `setpriv` to
//! start it as a non-root user with given capabilities — so this process is never
//! changed. The child checks its own `/proc/self/status` and what it can still do, and
//! exits non-zero (with a message) when something is wrong.
//!
//! No libtest harness (`harness = false` in Cargo.toml): libtest runs every test on a
//! thread of its own, and `drop_privileges` refuses to run with more than one thread.
//!
//! Needs root and `setpriv` (util-linux); without them the test fails, saying so. Cases
//! can be picked like libtest's: `cargo test --test privilege -- nobody`, `--skip NAME`,
//! `--exact`, `--list`.

use nix::unistd::{Uid, User};
use socket2::{Domain, Socket, Type};
use std::collections::BTreeMap;
use std::io::ErrorKind;
use std::net::TcpListener;
use std::os::unix::fs::PermissionsExt;
use std::process::{Command, ExitCode};
use v6sentinel::privilege::{Dropped, PrivilegeError, drop_privileges};

/// Set in the child's environment to the case it runs.
const CHILD_ENV: &str = "V6S_PRIVILEGE_CHILD";
/// CAP_NET_RAW alone, as `/proc/self/status` shows a capability mask.
const NET_RAW: &str = "0000000000002000";
/// No capability.
const NONE: &str = "0000000000000000";
/// Starts the child as nobody with CAP_NET_RAW in its inheritable and ambient sets (what
/// systemd's `AmbientCapabilities=CAP_NET_RAW` does) and the bounding set untouched
/// (like `setcap cap_net_raw+ep`: no CAP_SETPCAP to shrink it).
const AMBIENT: &[&str] = &[
    "setpriv",
    "--reuid=65534",
    "--regid=65534",
    "--clear-groups",
    "--inh-caps=-all,+net_raw",
    "--ambient-caps=-all,+net_raw",
];

/// A case: its name, the command it runs behind (empty: none), and the child's checks.
struct Case {
    name: &'static str,
    wrapper: Vec<&'static str>,
    child: fn(),
}

fn cases() -> Vec<Case> {
    let mut systemd = AMBIENT.to_vec();
    systemd.push("--bounding-set=-all,+net_raw");
    vec![
        Case {
            name: "root_switches_to_nobody_keeping_only_net_raw",
            // Started with supplementary groups, which must go.
            wrapper: vec!["setpriv", "--groups=4,100"],
            child: to_nobody,
        },
        Case {
            name: "root_without_user_keeps_uid_0_and_only_net_raw",
            wrapper: vec![],
            child: root_stays,
        },
        Case {
            name: "unknown_user_is_named_and_changes_nothing",
            wrapper: vec![],
            child: unknown_user,
        },
        Case {
            name: "ambient_net_raw_like_systemd_dynamic_user",
            wrapper: systemd,
            child: like_systemd,
        },
        Case {
            name: "net_raw_without_setpcap_like_setcap",
            wrapper: AMBIENT.to_vec(),
            child: like_setcap,
        },
        Case {
            name: "unprivileged_already_is_fine",
            wrapper: vec![
                "setpriv",
                "--reuid=65534",
                "--regid=65534",
                "--clear-groups",
                "--inh-caps=-all",
            ],
            child: unprivileged,
        },
    ]
}

pub fn main() -> ExitCode {
    if let Ok(name) = std::env::var(CHILD_ENV) {
        let Some(case) = cases().into_iter().find(|c| c.name == name) else {
            eprintln!("no such case: {name}");
            return ExitCode::FAILURE;
        };
        (case.child)();
        println!("child ok");
        return ExitCode::SUCCESS;
    }
    let args = Args::parse();
    if args.list {
        for case in cases().iter().filter(|c| args.selects(c.name)) {
            println!("{}: test", case.name);
        }
        return ExitCode::SUCCESS;
    }
    if !Uid::effective().is_root() {
        eprintln!(
            "tests/privilege.rs switches users and capabilities in child processes: run it \
             as root (sudo)"
        );
        return ExitCode::FAILURE;
    }
    let has_setpriv = Command::new("sh")
        .args(["-c", "command -v setpriv"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !has_setpriv {
        eprintln!("tests/privilege.rs needs setpriv (Debian package util-linux)");
        return ExitCode::FAILURE;
    }
    let selected: Vec<Case> = cases()
        .into_iter()
        .filter(|c| args.selects(c.name))
        .collect();
    println!("\nrunning {} tests", selected.len());
    let mut failed = Vec::new();
    for case in &selected {
        let outcome = run_child(case);
        println!(
            "test {} ... {}",
            case.name,
            if outcome.is_ok() { "ok" } else { "FAILED" }
        );
        if let Err(why) = outcome {
            failed.push((case.name, why));
        }
    }
    for (name, why) in &failed {
        println!("\n---- {name} ----\n{why}");
    }
    println!(
        "\ntest result: {}. {} passed; {} failed; 0 ignored; 0 measured; {} filtered out\n",
        if failed.is_empty() { "ok" } else { "FAILED" },
        selected.len() - failed.len(),
        failed.len(),
        cases().len() - selected.len()
    );
    if failed.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The part of libtest's command line this runner understands: name filters, `--exact`,
/// `--skip NAME`, `--list`. Other options (`--nocapture`, `--test-threads=N`, ...) are
/// accepted and ignored.
#[derive(Default)]
struct Args {
    filters: Vec<String>,
    skip: Vec<String>,
    exact: bool,
    list: bool,
}

impl Args {
    fn parse() -> Args {
        let mut args = Args::default();
        let mut words = std::env::args().skip(1);
        while let Some(word) = words.next() {
            match word.as_str() {
                "--skip" => args.skip.extend(words.next()),
                "--exact" => args.exact = true,
                "--list" => args.list = true,
                w if w.starts_with('-') => {}
                _ => args.filters.push(word),
            }
        }
        args
    }

    fn matches(&self, name: &str, pattern: &str) -> bool {
        if self.exact {
            name == pattern
        } else {
            name.contains(pattern)
        }
    }

    fn selects(&self, name: &str) -> bool {
        (self.filters.is_empty() || self.filters.iter().any(|f| self.matches(name, f)))
            && !self.skip.iter().any(|s| self.matches(name, s))
    }
}

/// Runs `case` in a child process; its output when it failed.
fn run_child(case: &Case) -> Result<(), String> {
    let exe = std::env::current_exe().map_err(|e| format!("current_exe: {e}"))?;
    let mut command = match case.wrapper.split_first() {
        Some((program, args)) => {
            let mut c = Command::new(program);
            c.args(args).arg("--").arg(&exe);
            c
        }
        None => Command::new(&exe),
    };
    let out = command
        .env(CHILD_ENV, case.name)
        .output()
        .map_err(|e| format!("starting {:?}: {e}", case.wrapper))?;
    let stdout = String::from_utf8_lossy(&out.stdout);
    if out.status.success() && stdout.contains("child ok") {
        Ok(())
    } else {
        Err(format!(
            "child {}\nstdout:\n{stdout}\nstderr:\n{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

// ----- the children -----

/// This thread's `/proc/thread-self/status` as `field → value`.
fn status() -> BTreeMap<String, String> {
    std::fs::read_to_string("/proc/thread-self/status")
        .unwrap()
        .lines()
        .filter_map(|l| l.split_once(':'))
        .map(|(k, v)| {
            (
                k.to_owned(),
                v.split_whitespace().collect::<Vec<_>>().join(" "),
            )
        })
        .collect()
}

/// Asserts the capability sets and `no_new_privs` after a drop.
fn assert_caps(effective: &str, bounding: &str) {
    let s = status();
    assert_eq!(s["CapInh"], NONE, "CapInh: {s:?}");
    assert_eq!(s["CapPrm"], effective, "CapPrm: {s:?}");
    assert_eq!(s["CapEff"], effective, "CapEff: {s:?}");
    assert_eq!(s["CapBnd"], bounding, "CapBnd: {s:?}");
    assert_eq!(s["CapAmb"], NONE, "CapAmb: {s:?}");
    assert_eq!(s["NoNewPrivs"], "1", "NoNewPrivs: {s:?}");
}

/// Whether an AF_PACKET socket can be opened.
fn packet_socket() -> std::io::Result<Socket> {
    Socket::new(Domain::PACKET, Type::RAW, None)
}

/// A TCP port below `net.ipv4.ip_unprivileged_port_start`, which needs
/// CAP_NET_BIND_SERVICE; none when the sysctl lets anyone bind anything.
fn privileged_port() -> Option<u16> {
    let start: u16 = std::fs::read_to_string("/proc/sys/net/ipv4/ip_unprivileged_port_start")
        .map_or(1024, |s| s.trim().parse().unwrap_or(1024));
    match start {
        0 | 1 => None,
        s if s > 80 => Some(80),
        s => Some(s - 1),
    }
}

/// Binding a privileged port must be refused.
fn assert_no_bind_service() {
    if let Some(port) = privileged_port() {
        let err = TcpListener::bind(("127.0.0.1", port)).unwrap_err();
        assert_eq!(
            err.kind(),
            ErrorKind::PermissionDenied,
            "bind port {port}: {err}"
        );
    }
}

fn to_nobody() {
    let nobody = User::from_name("nobody")
        .unwrap()
        .expect("a user named nobody");
    let (uid, gid) = (nobody.uid.as_raw(), nobody.gid.as_raw());
    assert_eq!(
        status()["Groups"],
        "4 100",
        "setpriv set supplementary groups"
    );
    let dropped = drop_privileges(Some("nobody")).unwrap();
    assert_eq!(dropped.user.as_deref(), Some("nobody"), "{dropped:?}");
    assert_eq!((dropped.uid, dropped.gid), (uid, gid), "{dropped:?}");
    assert!(dropped.net_raw && dropped.bounding_set_reduced && !dropped.user_ignored);
    let s = status();
    assert_eq!(s["Uid"], format!("{uid} {uid} {uid} {uid}"), "{s:?}");
    assert_eq!(s["Gid"], format!("{gid} {gid} {gid} {gid}"), "{s:?}");
    assert_eq!(s["Groups"], "", "supplementary groups: {s:?}");
    assert_caps(NET_RAW, NET_RAW);

    packet_socket().expect("an AF_PACKET socket with CAP_NET_RAW");
    assert_no_bind_service();
    let err = nix::unistd::setresuid(Uid::from_raw(0), Uid::from_raw(0), Uid::from_raw(0));
    assert_eq!(err, Err(nix::Error::EPERM), "becoming root again");

    // Again: nothing left to drop, same result.
    let again = drop_privileges(None).unwrap();
    assert!(again.net_raw && again.bounding_set_reduced && again.user.is_none());
    assert_caps(NET_RAW, NET_RAW);
    packet_socket().expect("an AF_PACKET socket after a second call");
    assert_eq!(
        dropped.to_string(),
        format!(
            "running as user nobody (uid {uid}, gid {gid}) with CAP_NET_RAW only; bounding \
             set reduced; no_new_privs"
        )
    );
}

fn root_stays() {
    // A file only its owner's capabilities could open: root without CAP_DAC_OVERRIDE
    // cannot, although it owns it.
    let path = std::env::temp_dir().join(format!("v6s-privilege-{}", std::process::id()));
    std::fs::write(&path, b"secret").unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    let dropped = drop_privileges(None);
    let read = std::fs::read(&path);
    let _ = std::fs::remove_file(&path);
    let dropped = dropped.unwrap();
    assert_eq!(
        (dropped.uid, dropped.user.as_deref()),
        (0, None),
        "{dropped:?}"
    );
    assert!(dropped.net_raw && dropped.bounding_set_reduced);
    assert_eq!(status()["Uid"], "0 0 0 0");
    assert_caps(NET_RAW, NET_RAW);
    assert_eq!(
        read.map(|_| ()).unwrap_err().kind(),
        ErrorKind::PermissionDenied,
        "reading a mode 000 file"
    );
    packet_socket().expect("an AF_PACKET socket with CAP_NET_RAW");
    assert_no_bind_service();
}

fn unknown_user() {
    let before = status();
    let err = drop_privileges(Some("v6s-no-such-user")).unwrap_err();
    assert!(matches!(err, PrivilegeError::NoSuchUser { .. }), "{err:?}");
    assert!(err.to_string().contains("\"v6s-no-such-user\""), "{err}");
    let after = status();
    for field in ["Uid", "Gid", "CapPrm", "CapEff", "CapBnd", "NoNewPrivs"] {
        assert_eq!(before[field], after[field], "{field} changed");
    }
}

/// Checks a child started by `setpriv` as uid 65534 with ambient CAP_NET_RAW.
fn ambient(bounding_reduced: bool) -> Dropped {
    assert_eq!(status()["CapAmb"], NET_RAW, "setpriv set the ambient set");
    let dropped = drop_privileges(Some("v6sentinel")).unwrap();
    assert!(
        dropped.user_ignored && dropped.user.is_none(),
        "{dropped:?}"
    );
    assert!(dropped.net_raw, "{dropped:?}");
    assert_eq!(dropped.uid, 65534);
    assert_eq!(
        dropped.bounding_set_reduced, bounding_reduced,
        "{dropped:?}"
    );
    packet_socket().expect("an AF_PACKET socket with CAP_NET_RAW");
    dropped
}

fn like_systemd() {
    ambient(true);
    assert_caps(NET_RAW, NET_RAW);
}

fn like_setcap() {
    let full = status()["CapBnd"].clone();
    let dropped = ambient(false);
    assert_ne!(full, NET_RAW);
    assert_caps(NET_RAW, &full);
    assert!(
        dropped
            .to_string()
            .ends_with("with CAP_NET_RAW only; no_new_privs; the configured user was ignored (not started as root)"),
        "{dropped}"
    );
}

fn unprivileged() {
    let dropped = drop_privileges(Some("nobody")).unwrap();
    assert!(dropped.user_ignored && !dropped.net_raw, "{dropped:?}");
    let s = status();
    assert_eq!(s["CapPrm"], NONE);
    assert_eq!(s["CapEff"], NONE);
    assert_eq!(s["NoNewPrivs"], "1");
    let err = packet_socket().unwrap_err();
    assert_eq!(err.kind(), ErrorKind::PermissionDenied, "{err}");
}
